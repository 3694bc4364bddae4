#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""RMS automatic gain control (Python block) over
:class:`diffusion.core.snr_estimation.RunningPower`."""

import numpy as np
from gnuradio import gr

from .core.snr_estimation import RunningPower
from .work_guard import WorkGuard, guarded_work


class rms_agc(WorkGuard, gr.sync_block):
    """Unit mean power out: the input divided by its running RMS.

    rms_agc(time_constant=250)

    Input: complex samples, any level. Output: the input divided by sqrt(P), P its mean
    power |y|^2 over an exponential window of ``time_constant`` samples, normalised by the
    window's weight (so the first samples come out at unit power, not amplified by a power
    estimate still ramping up from zero). The convergence does not depend on the input's
    level (unlike analog.agc2_cc, whose gain rises by at most its rate per sample). Zero and
    non-finite samples pass through unchanged and do not enter P (zero padding, a dropped
    chunk; non-finite ones are logged once and counted: nonfinite_samples()); before the
    first usable sample the output is the input. Sample by sample: the
    output does not depend on how the scheduler chunks the stream.
    """

    def __init__(self, time_constant=250.0):
        gr.sync_block.__init__(self, name="rms_agc", in_sig=[np.complex64], out_sig=[np.complex64])
        self._est = RunningPower(float(time_constant))
        self._nonfinite = 0

    def nonfinite_samples(self):
        """NaN/Inf input samples so far (passed through unchanged, kept out of the power)."""
        return self._nonfinite

    @guarded_work("pass")
    def work(self, input_items, output_items):
        y = input_items[0]
        bad = int(y.size - np.count_nonzero(np.isfinite(y)))
        if bad:
            if not self._nonfinite:
                self.logger.warn(
                    f"{bad} NaN/Inf input samples: passed through unchanged and kept out of "
                    "the power estimate (warned once; count: nonfinite_samples())"
                )
            self._nonfinite += bad
        p = self._est.update(y)
        ok = np.isfinite(p) & (p > 0)
        g = np.ones(p.size)
        g[ok] = 1.0 / np.sqrt(p[ok])
        output_items[0][:] = y * g
        return len(y)
