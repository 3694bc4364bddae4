#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Signal and noise power from the second and fourth moments (M2M4), data-blind.

For y = sqrt(S) x + n with E|x|^2 = 1, kurtosis k = E|x|^4 (1 for PSK, 1.32 for 16-QAM) and
n ~ CN(0, N): M2 = E|y|^2 = S + N, M4 = E|y|^4 = k S^2 + 4 S N + 2 N^2, so
S = sqrt((2 M2^2 - M4) / (2 - k)) and N = M2 - S (k < 2 for every PSK/QAM). Es/N0 = S/N
(docs/conventions.md). The running form averages |y|^2 and |y|^4 with an exponential window
of ``time_constant`` symbols, sample by sample, so its output does not depend on how a stream
is cut into chunks.
"""

import numpy as np
from scipy.signal import lfilter

#: the largest sigma2 (noise variance per symbol over signal power, Es/N0 -20 dB) the
#: symbol normaliser puts out: where the estimate finds no signal (noise alone, a carrier
#: loop not yet locked at a burst's start) S is clipped to M2 / (1 + SIGMA2_CAP) instead of
#: 1e-12 M2, which scaled the output by up to 1e6 and garbled the denoiser's windows
#: straddling such symbols and the burst (PW-Sat2, bench/results_satellite_recordings.md);
#: an estimate from a few hundred symbols cannot resolve Es/N0 that low
SIGMA2_CAP = 100.0
#: sigma2 at or above this fraction of the cap counts as capped (float32 rounding of N/S;
#: estimates above the cap are clipped to it, so only capped symbols reach it)
CAPPED_FRACTION = 0.999


def kurtosis(points, probs=None):
    """E|x|^4 / (E|x|^2)^2 of a constellation (uniform unless ``probs`` is given)."""
    p = np.ones(len(points)) / len(points) if probs is None else np.asarray(probs, float)
    a2 = np.abs(np.asarray(points)) ** 2
    return float(np.sum(p * a2 * a2) / np.sum(p * a2) ** 2)


def signal_noise(m2, m4, kurt):
    """(S, N) from the moments; S is clipped to (0, M2] and N to [1e-12 M2, M2)."""
    m2 = np.asarray(m2, dtype=np.float64)
    s = np.sqrt(np.maximum(2.0 * m2 * m2 - np.asarray(m4, np.float64), 0.0) / (2.0 - kurt))
    s = np.clip(s, 1e-12 * m2, m2)
    n = np.maximum(m2 - s, 1e-12 * m2)
    return s, n


def m2m4(y, kurt=1.0):
    """(S, N) of a block of samples."""
    a2 = np.abs(np.asarray(y, dtype=np.complex128)) ** 2
    return signal_noise(np.mean(a2), np.mean(a2 * a2), kurt)


class RunningM2M4:
    """Per-sample (S, N) from exponentially weighted moments (time constant in samples).

    The averages are normalised by their own weight (an average over the samples seen so far,
    not a ramp from zero), and samples that carry no information (non-finite, or exactly zero
    as in a filter's start-up history or zero padding) get weight 0: the estimate holds
    through them. Before the first such sample the output is NaN."""

    def __init__(self, time_constant=256.0, kurt=1.0):
        if not time_constant >= 1.0:
            raise ValueError(f"time_constant must be >= 1 sample, got {time_constant}")
        if not 0.0 < kurt < 2.0:
            raise ValueError(f"kurtosis must be in (0, 2), got {kurt}")
        self.alpha = 1.0 / float(time_constant)
        self.kurt = float(kurt)
        self._zi = np.zeros((3, 1))  # filter states: weight, |y|^2, |y|^4

    def update(self, y):
        a2 = np.abs(np.asarray(y, dtype=np.complex128)).reshape(-1) ** 2
        w = (np.isfinite(a2) & (a2 > 0)).astype(np.float64)
        a2 = np.where(w > 0, a2, 0.0)
        b, a = [self.alpha], [1.0, -(1.0 - self.alpha)]
        out = []
        for k, v in enumerate((w, a2, a2 * a2)):
            r, self._zi[k] = lfilter(b, a, v, zi=self._zi[k])
            out.append(r)
        wsum, m2, m4 = out
        with np.errstate(invalid="ignore", divide="ignore"):
            s, n = signal_noise(m2 / wsum, m4 / wsum, self.kurt)
        none = wsum <= 0
        s[none] = np.nan
        n[none] = np.nan
        return s, n


class RunningQuadrature:
    """Per-sample (S, N) of BPSK whose carrier phase is tracked (a Costas loop puts the points
    on the real axis): from exponentially weighted E[Re^2] and E[Im^2] (time constant in
    samples), S = E[Re^2] - E[Im^2] and N = 2 E[Im^2] (circular noise: half its variance in
    each rail); S is clipped to (0, M2] and N to [1e-12 M2, M2) as in :func:`signal_noise`.

    Unlike M2M4, whose fourth moment assumes a constant envelope over its window, the ratio
    N / S does not change when the amplitude varies within the window (signal and noise
    scaled together, e.g. by an AGC settling at a burst's start, or a fading recording): both
    moments are weighted by the same |gain|^2. Measured on PW-Sat2's bursts
    (bench/results_satellite_recordings.md): M2M4's S collapsed to its floor for 1000-2000
    symbols into each burst (the AGC's +15 dB start-up transient in M4), this estimate did
    not. Averages normalised by their own weight; non-finite and exactly-zero samples get
    weight 0 (the estimate holds through them); before the first usable sample NaN. Sample
    by sample: the output does not depend on how a stream is cut into chunks."""

    def __init__(self, time_constant=256.0):
        if not time_constant >= 1.0:
            raise ValueError(f"time_constant must be >= 1 sample, got {time_constant}")
        self.alpha = 1.0 / float(time_constant)
        self._zi = np.zeros((3, 1))  # filter states: weight, Re^2, Im^2

    def update(self, y):
        y = np.asarray(y, dtype=np.complex128).reshape(-1)
        a2 = np.abs(y) ** 2
        w = (np.isfinite(a2) & (a2 > 0)).astype(np.float64)
        re2 = np.where(w > 0, y.real**2, 0.0)
        im2 = np.where(w > 0, y.imag**2, 0.0)
        b, a = [self.alpha], [1.0, -(1.0 - self.alpha)]
        out = []
        for k, v in enumerate((w, re2, im2)):
            r, self._zi[k] = lfilter(b, a, v, zi=self._zi[k])
            out.append(r)
        wsum, mr, mi = out
        with np.errstate(invalid="ignore", divide="ignore"):
            mr, mi = mr / wsum, mi / wsum
            m2 = mr + mi
            s = np.clip(mr - mi, 1e-12 * m2, m2)
            n = np.maximum(2.0 * mi, 1e-12 * m2)
            n = np.minimum(n, m2)
        none = wsum <= 0
        s[none] = np.nan
        n[none] = np.nan
        return s, n


class RunningPower:
    """Per-sample mean power E|y|^2 from an exponential window of ``time_constant`` samples,
    normalised by its own weight (an average over the samples seen so far until there are
    about ``time_constant`` of them, not a ramp from zero: no start-up overshoot in an AGC
    that divides by its square root). Non-finite and exactly-zero samples get weight 0 (the
    estimate holds through them); before the first usable sample the output is NaN. Sample
    by sample: the output does not depend on how a stream is cut into chunks."""

    def __init__(self, time_constant=250.0):
        if not time_constant >= 1.0:
            raise ValueError(f"time_constant must be >= 1 sample, got {time_constant}")
        self.alpha = 1.0 / float(time_constant)
        self._zi = np.zeros((2, 1))  # filter states: weight, |y|^2

    def update(self, y):
        a2 = np.abs(np.asarray(y, dtype=np.complex128)).reshape(-1) ** 2
        w = (np.isfinite(a2) & (a2 > 0)).astype(np.float64)
        a2 = np.where(w > 0, a2, 0.0)
        b, a = [self.alpha], [1.0, -(1.0 - self.alpha)]
        wsum, self._zi[0] = lfilter(b, a, w, zi=self._zi[0])
        m2, self._zi[1] = lfilter(b, a, a2, zi=self._zi[1])
        with np.errstate(invalid="ignore", divide="ignore"):
            p = m2 / wsum
        p[wsum <= 0] = np.nan
        return p


def stock_where_no_signal(denoised, stock, sigma2, cap=SIGMA2_CAP):
    """(out, gated): ``denoised`` with the ``stock`` symbol put back where ``sigma2`` is at
    its cap (>= :data:`CAPPED_FRACTION` ``cap``: no signal found, so a prior has no valid
    noise level there and its posterior mean at sigma2 = 100 is ~0 with an arbitrary sign)
    and the stock symbol is finite (a non-finite one never replaces a denoised symbol);
    ``gated`` the boolean mask of the symbols taken from ``stock``. Arrays of one length
    (complex symbols, float sigma2); NaN sigma2 counts as not capped."""
    denoised = np.asarray(denoised)
    stock = np.asarray(stock)
    with np.errstate(invalid="ignore"):
        gated = (np.asarray(sigma2) >= CAPPED_FRACTION * float(cap)) & np.isfinite(stock)
    return np.where(gated, stock, denoised), gated
