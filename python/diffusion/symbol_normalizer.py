#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Symbol normaliser (Python block): scales symbol-rate samples to the module's convention
(unit *signal* power, docs/conventions.md) and outputs the noise variance per symbol, from a
data-blind running M2M4 estimate (:class:`diffusion.core.snr_estimation.RunningM2M4`)."""

import numpy as np
from gnuradio import gr

from .core.constellations import by_name
from .core.snr_estimation import RunningM2M4, kurtosis
from .work_guard import WorkGuard, guarded_work


class symbol_normalizer(WorkGuard, gr.sync_block):
    """Unit signal power and sigma2 per symbol from the second and fourth moments.

    symbol_normalizer(constellation='qpsk', time_constant=256)

    Input: symbols (complex, one sample per symbol, any scale). Output 0: the input divided by
    sqrt(S), the estimated signal power, so that the signal has unit power and the noise
    variance is sigma2; output 1: sigma2 = N / S per symbol (float; Es/N0 = 1/sigma2), ready
    for the DDPM denoiser's sigma2 input. The moments are averaged over an exponential window of
    ``time_constant`` symbols, sample by sample (independent of how the scheduler chunks the
    stream; before the first non-zero finite symbol: unscaled, sigma2 = 1). ``constellation``
    gives the kurtosis of the signal (QPSK/PSK: 1). Non-finite and zero samples pass through and
    do not disturb the estimate.
    """

    def __init__(self, constellation="qpsk", time_constant=256):
        gr.sync_block.__init__(
            self,
            name="symbol_normalizer",
            in_sig=[np.complex64],
            out_sig=[np.complex64, np.float32],
        )
        pts = by_name(constellation).points
        self._est = RunningM2M4(float(time_constant), kurtosis(pts))

    @guarded_work("pass")
    def work(self, input_items, output_items):
        y = input_items[0]
        s, n = self._est.update(y)
        none = ~np.isfinite(s)  # no usable sample yet: pass through, sigma2 = 1 (0 dB)
        s[none], n[none] = 1.0, 1.0
        output_items[0][:] = y / np.sqrt(s)
        output_items[1][:] = n / s
        return len(y)
