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
"""
import numpy as np


def em_noise_variance(y, points, sigma2_init=None, pmf=None, max_iter=20, rel_tol=1e-4):
    """EM estimate of the noise variance per complex sample of y (complex [N]).

    points: constellation (complex [M], unit average power). sigma2_init: warm start
    (default: max(E|y|^2 - 1, 1e-4)). Returns (sigma2, iterations used).
    """
    y = np.asarray(y, dtype=np.complex128).reshape(-1)
    y = y[np.isfinite(y)]
    pts = np.asarray(points, dtype=np.complex128).reshape(-1)
    if y.size == 0 or pts.size == 0:
        raise ValueError("em_noise_variance needs finite samples and a constellation")
    logp = np.zeros(pts.size) if pmf is None else np.log(np.maximum(np.asarray(pmf, float), 1e-300))
    s2 = float(sigma2_init) if sigma2_init and sigma2_init > 0 else max(np.mean(np.abs(y) ** 2) - 1.0, 1e-4)
    d2 = np.abs(y[:, None] - pts[None, :]) ** 2
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (returned)
        a = logp[None, :] - d2 / s2
        a -= a.max(axis=1, keepdims=True)
        w = np.exp(a)
        nxt = max(float(np.mean(np.sum(w * d2, axis=1) / np.sum(w, axis=1))), 1e-12)
        done = abs(nxt - s2) <= rel_tol * s2
        s2 = nxt
        if done:
            break
    return s2, it


class EmNoiseTracker:
    """Running blind estimate of sigma2 over a stream, window by window (the C++ twin is
    ``lib/em_noise_estimator.h``): EM on each window, warm-started from the running estimate,
    averaged with weight n / (n + min(samples seen, memory)) so that a short window cannot
    swing it."""

    def __init__(self, points, memory=4096):
        self.points = np.asarray(points)
        self.memory = int(memory)
        self.sigma2 = None
        self._weight = 0.0

    def update(self, y):
        n = int(np.count_nonzero(np.isfinite(np.asarray(y))))
        if n == 0:
            return self.sigma2
        s2, _ = em_noise_variance(y, self.points, sigma2_init=self.sigma2)
        if self.sigma2 is None:
            self.sigma2 = s2
        else:
            a = n / (n + min(self._weight, self.memory))
            self.sigma2 = (1.0 - a) * self.sigma2 + a * s2
        self._weight = min(self._weight + n, self.memory)
        return self.sigma2
