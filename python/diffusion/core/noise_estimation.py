#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Blind Es/N0 estimation that knows the constellation (NumPy only).

The received samples are a Gaussian mixture: unit-power constellation points (equiprobable,
or with a PMF) as means and a common circular noise variance sigma2 per complex sample.
EM estimates sigma2 alone:

    r_nk   = p_k exp(-|y_n - c_k|^2 / sigma2) / sum_j p_j exp(-|y_n - c_j|^2 / sigma2)
    sigma2 = mean_n sum_k r_nk |y_n - c_k|^2

Started from the moment estimate E|y|^2 - 1 (unbiased for a unit-power signal, accurate at
low SNR), EM sharpens it at high SNR; unlike decision-directed estimators it is not biased
low when decisions are unreliable. ``lib/em_noise_estimator.h`` is the C++ twin used by the
C++ denoiser block.

Robustness: samples that are not finite, or whose power |y|^2 exceeds ``max_power``
(:func:`outlier_bound`: 50 (max|c|^2 + sigma2_max), beyond any Gaussian tail at a model's
noisiest step), are left out, so a burst of NaN/Inf/1e30 samples cannot poison an estimate.
"""

import numpy as np


def outlier_bound(points, sigma2_max):
    """|y|^2 above which a sample is an outlier for a model whose noisiest step is
    sigma2_max (lib/em_noise_estimator.h outlier_bound)."""
    return 50.0 * (float(np.max(np.abs(np.asarray(points)) ** 2)) + float(sigma2_max))


SIGMA2_MAX_DEFAULT = 1000.0  # Es/N0 -30 dB: the noisiest step of the shipped schedules


def em_noise_variance(
    y, points, sigma2_init=None, pmf=None, max_iter=20, rel_tol=1e-4, max_power="auto"
):
    """EM estimate of the noise variance per complex sample of y (complex [N]).

    points: constellation (complex [M], unit average power). sigma2_init: warm start
    (default: max(E|y|^2 - 1, 1e-4)). Samples that are not finite or have |y|^2 > max_power
    are left out (max_power "auto": outlier_bound(points, 1000), i.e. noise down to
    Es/N0 = -30 dB; None: no bound). Returns (sigma2, iterations used).
    """
    y = np.asarray(y, dtype=np.complex128).reshape(-1)
    pts = np.asarray(points, dtype=np.complex128).reshape(-1)
    if isinstance(max_power, str):
        max_power = outlier_bound(pts, SIGMA2_MAX_DEFAULT) if pts.size else None
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.abs(y) ** 2
    y = y[p <= max_power] if max_power is not None else y[np.isfinite(p)]
    if y.size == 0 or pts.size == 0:
        raise ValueError("em_noise_variance needs finite samples and a constellation")
    logp = np.zeros(pts.size) if pmf is None else np.log(np.maximum(np.asarray(pmf, float), 1e-300))
    s2 = (
        float(sigma2_init)
        if sigma2_init and sigma2_init > 0
        else max(np.mean(np.abs(y) ** 2) - 1.0, 1e-4)
    )
    d2 = np.abs(y[:, None] - pts[None, :]) ** 2
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (returned)
        a = logp[None, :] - d2 / s2
        a -= a.max(axis=1, keepdims=True)
        w = np.exp(a)
        nxt = max(float(np.mean(np.sum(w * d2, axis=1) / np.sum(w, axis=1))), 1e-12)
        if max_power is not None:
            nxt = min(nxt, float(max_power))
        done = abs(nxt - s2) <= rel_tol * s2
        s2 = nxt
        if done:
            break
    return s2, it


class EmNoiseTracker:
    """Running blind estimate of sigma2 over a stream (the C++ twin is
    ``lib/em_noise_estimator.h``).

    Windows are fixed on the absolute sample index (sizes first_window, 2 first_window, ...
    up to window, then window each), so the estimates are a function of the samples alone,
    whatever the chunking. :meth:`track` returns, per sample, the estimate of the complete
    windows before it (``initial`` before the first window completes). Each window runs EM
    warm-started from the running estimate (the first from the moment estimate), merged with
    weight n / (n + min(samples seen, memory)). Non-finite samples and |y|^2 > max_power are
    rejected (counted in ``rejected``)."""

    def __init__(
        self, points, max_power=np.inf, initial=1.0, window=1024, first_window=64, memory=4096
    ):
        self.points = np.asarray(points)
        self.max_power = float(max_power)
        self.initial = float(initial)
        self.window = max(int(window), 1)
        self.first_window = min(max(int(first_window), 1), self.window)
        self.memory = int(memory)
        self.sigma2 = None
        self.rejected = 0
        self._weight = 0.0
        self._len = self.first_window
        self._pos = 0
        self._buf = []

    def current(self):
        """sigma2 applied to the next sample."""
        return self.sigma2 if self.sigma2 is not None else self.initial

    def track(self, y):
        """Per-sample sigma2 (float64 [n]) for the next n stream samples y."""
        y = np.asarray(y).reshape(-1)
        n = y.size
        out = np.empty(n, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            ok = np.abs(y.astype(np.complex128)) ** 2 <= self.max_power
        self.rejected += int(n - np.count_nonzero(ok))
        i = 0
        while i < n:
            m = min(n - i, self._len - self._pos)
            out[i : i + m] = self.current()
            self._buf.append(y[i : i + m][ok[i : i + m]])
            self._pos += m
            i += m
            if self._pos == self._len:
                win = np.concatenate(self._buf)
                if win.size:
                    self.update(win)
                self._buf = []
                self._pos = 0
                self._len = min(2 * self._len, self.window)
        return out

    def update(self, y):
        """EM on one window of accepted samples, merged into the estimate; returns it."""
        n = int(np.asarray(y).size)
        if n == 0:
            return self.sigma2
        s2, _ = em_noise_variance(y, self.points, sigma2_init=self.sigma2, max_power=self.max_power)
        if self.sigma2 is None:
            self.sigma2 = s2
        else:
            a = n / (n + min(self._weight, self.memory))
            self.sigma2 = (1.0 - a) * self.sigma2 + a * s2
        self._weight = min(self._weight + n, self.memory)
        return self.sigma2
