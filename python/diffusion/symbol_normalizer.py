#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Symbol normaliser (Python block): scales symbol-rate samples to the module's convention
(unit *signal* power, docs/conventions.md) and outputs the noise variance per symbol, from a
data-blind running M2M4 estimate (:class:`diffusion.core.snr_estimation.RunningM2M4`), or for
BPSK behind a carrier loop from its quadrature rail
(:class:`diffusion.core.snr_estimation.RunningQuadrature`)."""

import numpy as np
from gnuradio import gr

from .core.constellations import by_name
from .core.snr_estimation import SIGMA2_CAP, RunningM2M4, RunningQuadrature, kurtosis
from .work_guard import WorkGuard, guarded_work

#: noise estimators of :class:`symbol_normalizer`
ESTIMATORS = ("m2m4", "quadrature")


class symbol_normalizer(WorkGuard, gr.sync_block):
    """Unit signal power and sigma2 per symbol (M2M4, or the quadrature rail for BPSK).

    symbol_normalizer(constellation='qpsk', time_constant=256, estimator='m2m4')

    Input: symbols (complex, one sample per symbol, any scale). Output 0: the input divided by
    sqrt(S), the estimated signal power, so that the signal has unit power and the noise
    variance is sigma2; output 1: sigma2 = N / S per symbol (float; Es/N0 = 1/sigma2), ready
    for the DDPM denoiser's sigma2 input, at most :data:`SIGMA2_CAP` (where the estimate
    finds no signal the output is scaled as for Es/N0 = -20 dB). The moments are averaged
    over an exponential window of ``time_constant`` symbols, sample by sample (independent
    of how the scheduler chunks the stream; before the first non-zero finite symbol:
    unscaled, sigma2 = 1). ``constellation`` gives the kurtosis of the signal (QPSK/PSK: 1).
    Non-finite and zero samples pass through and do not disturb the estimate.
    ``estimator`` (:data:`ESTIMATORS`): 'm2m4' (data-blind, any constellation, needs a
    constant envelope over the window) or 'quadrature' (BPSK only, its points on the real
    axis, e.g. behind a Costas loop of order 2: S = E[Re^2] - E[Im^2], N = 2 E[Im^2];
    unaffected by amplitude changes within the window such as an AGC settling at a burst's
    start).
    """

    def __init__(self, constellation="qpsk", time_constant=256, estimator="m2m4"):
        gr.sync_block.__init__(
            self,
            name="symbol_normalizer",
            in_sig=[np.complex64],
            out_sig=[np.complex64, np.float32],
        )
        estimator = str(estimator).lower()
        if estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
        pts = by_name(constellation).points
        if estimator == "quadrature":
            if len(pts) != 2:
                raise ValueError(f"estimator 'quadrature' is for BPSK, got {constellation!r}")
            self._est = RunningQuadrature(float(time_constant))
        else:
            self._est = RunningM2M4(float(time_constant), kurtosis(pts))
        self.estimator = estimator

    @guarded_work("pass")
    def work(self, input_items, output_items):
        y = input_items[0]
        s, n = self._est.update(y)
        none = ~np.isfinite(s)  # no usable sample yet: pass through, sigma2 = 1 (0 dB)
        s[none], n[none] = 1.0, 1.0
        low = n > SIGMA2_CAP * s  # no resolvable signal: M2 = S + N split at SIGMA2_CAP
        if np.any(low):
            m2 = s[low] + n[low]
            s[low] = m2 / (1.0 + SIGMA2_CAP)
            n[low] = m2 - s[low]
        output_items[0][:] = y / np.sqrt(s)
        output_items[1][:] = n / s
        return len(y)
