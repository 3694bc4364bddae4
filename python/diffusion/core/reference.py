#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Exact reference estimators for a discrete constellation in complex AWGN (NumPy only).

sigma2 is the noise variance per complex sample (y = x + n, E|n|^2 = sigma2, sigma2/2 per
rail), so the likelihood is p(y|x) ~ exp(-|y - x|^2 / sigma2).

Also holds :class:`OracleEpsModel`, a perfect eps-"network" with the DdpmModel interface
(``schedule``, ``predict_eps``) computed from the exact MMSE estimator; with it the
Tweedie sampler reproduces :func:`mmse_estimate` exactly (the test that pins the noise
variance convention).
"""

import numpy as np

from .constellations import Constellation, by_name

_CHUNK = 1 << 13
_CELLS = 1 << 20  # bound of a chunk's [rows, M] work matrix (16 MiB of complex128)


def _rows(m):
    return max(16, min(_CHUNK, _CELLS // max(1, m)))


def _points_pmf(constellation, pmf=None):
    if isinstance(constellation, Constellation):
        pts = constellation.points
    else:
        pts = np.asarray(constellation)
    pts = np.asarray(pts, dtype=np.complex128).reshape(-1)
    if pmf is None:
        return pts, None
    p = np.asarray(pmf, dtype=np.float64).reshape(-1)
    if p.shape != pts.shape or np.any(p < 0) or not np.isfinite(p).all() or p.sum() <= 0:
        raise ValueError("pmf must be non-negative, finite, one value per point")
    return pts, p / p.sum()


def _separable(pts):
    """(rail levels I, rail levels Q) if pts is the full Cartesian grid I x Q, else None."""
    ri = np.unique(np.round(pts.real, 12))
    rq = np.unique(np.round(pts.imag, 12))
    if len(ri) * len(rq) != len(pts) or len(ri) > 64 or len(rq) > 64:
        return None
    grid = np.round((ri[:, None] + 1j * rq[None, :]).reshape(-1), 12)
    if set(grid.tolist()) != set(np.round(pts, 12).tolist()):
        return None
    return ri, rq


def _posterior_mean_1d(y, levels, s2, logp=None):
    """E[x|y] for real y = x + n, n ~ N(0, s2/2) with x in levels (per-rail MMSE)."""
    out = np.empty(y.shape, dtype=np.float64)
    for s in range(0, len(y), _CHUNK):
        yy = y[s : s + _CHUNK, None]
        v = s2[s : s + _CHUNK, None]
        lg = -((yy - levels[None, :]) ** 2) / v
        if logp is not None:
            lg = lg + logp[None, :]
        lg -= lg.max(axis=1, keepdims=True)
        w = np.exp(lg)
        out[s : s + _CHUNK] = (w @ levels) / w.sum(axis=1)
    return out


def posterior_logits(y, constellation, sigma2, pmf=None):
    """log p(x_m | y) + const, float64 [N, M] (unnormalised, max-subtracted)."""
    pts, p = _points_pmf(constellation, pmf)
    y = np.asarray(y, dtype=np.complex128).reshape(-1)
    s2 = np.broadcast_to(np.asarray(sigma2, dtype=np.float64), y.shape)
    lg = -(np.abs(y[:, None] - pts[None, :]) ** 2) / s2[:, None]
    if p is not None:
        with np.errstate(divide="ignore"):
            lg = lg + np.log(p)[None, :]
    return lg - lg.max(axis=1, keepdims=True)


def mmse_estimate(y, constellation, sigma2, pmf=None):
    """Exact E[x | y] (complex128 [N]) for x uniform (or ~pmf) on the constellation.

    y: complex [N]; constellation: :class:`Constellation` or complex point array;
    sigma2: noise variance per complex sample, scalar or [N] (must be > 0).
    Numerically stable (log-sum-exp) and chunked; separable square QAM with a uniform
    prior is computed per rail.
    """
    pts, p = _points_pmf(constellation, pmf)
    y = np.asarray(y, dtype=np.complex128).reshape(-1)
    s2 = np.ascontiguousarray(np.broadcast_to(np.asarray(sigma2, dtype=np.float64), y.shape))
    if np.any(~(s2 > 0)):
        raise ValueError("mmse_estimate: sigma2 must be > 0")
    sep = _separable(pts) if p is None else None
    if sep is not None:
        ri, rq = sep
        return _posterior_mean_1d(y.real, ri, s2) + 1j * _posterior_mean_1d(y.imag, rq, s2)
    out = np.empty(y.shape, dtype=np.complex128)
    logp = None
    if p is not None:
        with np.errstate(divide="ignore"):
            logp = np.log(p)
    step = _rows(len(pts))
    for s in range(0, len(y), step):
        yy = y[s : s + step, None]
        lg = -(np.abs(yy - pts[None, :]) ** 2) / s2[s : s + step, None]
        if logp is not None:
            lg = lg + logp[None, :]
        lg -= lg.max(axis=1, keepdims=True)
        w = np.exp(lg)
        out[s : s + step] = (w @ pts) / w.sum(axis=1)
    return out


def map_indices(y, constellation, sigma2=None, pmf=None):
    """Hard decision: ML (nearest point) indices, or MAP when a pmf and sigma2 are given."""
    pts, p = _points_pmf(constellation, pmf)
    y = np.asarray(y, dtype=np.complex128).reshape(-1)
    if p is None:
        c = (
            constellation
            if isinstance(constellation, Constellation)
            else Constellation("points", pts, np.arange(len(pts)))
        )
        return c.slice(y)
    if sigma2 is None:
        raise ValueError("MAP decisions with a pmf need sigma2")
    idx = np.empty(len(y), dtype=np.int64)
    step = _rows(len(pts))
    for s in range(0, len(y), step):
        sl = slice(s, s + step)
        s2 = np.broadcast_to(np.asarray(sigma2, dtype=np.float64), y.shape)[sl]
        idx[sl] = np.argmax(posterior_logits(y[sl], pts, s2, p), axis=1)
    return idx


def hard_decision(y, constellation, sigma2=None, pmf=None):
    """Nearest (ML) / MAP constellation point of every sample (complex128)."""
    pts, _ = _points_pmf(constellation, pmf)
    return pts[map_indices(y, constellation, sigma2, pmf)]


def mse(est, ref):
    est = np.asarray(est).reshape(-1)
    ref = np.asarray(ref).reshape(-1)
    return float(np.mean(np.abs(est.astype(np.complex128) - ref) ** 2))


def mse_db(est, ref):
    """10 log10 mean |est - ref|^2 (dB; -inf for an exact match)."""
    m = mse(est, ref)
    return float(10 * np.log10(m)) if m > 0 else float("-inf")


def ser(est, true_idx, constellation):
    """Symbol error rate of complex estimates sliced (nearest point) against true indices."""
    c = (
        constellation
        if isinstance(constellation, Constellation)
        else Constellation(
            "points", np.asarray(constellation, np.complex128), np.arange(len(constellation))
        )
    )
    return float(np.mean(c.slice(est) != np.asarray(true_idx).reshape(-1)))


def awgn(x, sigma2, rng):
    """x + complex Gaussian noise of variance sigma2 per complex sample (sigma2/2 per rail)."""
    x = np.asarray(x)
    s = np.sqrt(np.asarray(sigma2, dtype=np.float64) / 2.0)
    return x + s * (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape))


def bitwise_map_bit_errors(z, constellation, sigma2, idx):
    """Bit errors per symbol (int [N]) of bit-wise MAP decisions on z (complex [N]) from the
    exact bit posteriors of ``constellation`` (its Gray labels) in Gaussian noise of variance
    sigma2 (per sample, or a scalar): the fewest bit errors any receiver of z makes when that
    noise model is exact. idx: the transmitted point indices."""
    c = constellation if isinstance(constellation, Constellation) else by_name(constellation)
    z = np.asarray(z, dtype=np.complex128).reshape(-1)
    s2 = np.broadcast_to(np.asarray(sigma2, dtype=np.float64), z.shape)
    bits = c.bits(np.arange(c.order)).astype(np.float64)  # [M, k]
    truth = c.bits(np.asarray(idx))
    out = np.empty(len(z), dtype=np.int64)
    step = 4096
    for s in range(0, len(z), step):
        w = np.exp(posterior_logits(z[s : s + step], c, s2[s : s + step]))
        p1 = (w @ bits) / w.sum(axis=1, keepdims=True)
        out[s : s + step] = np.sum((p1 > 0.5) != truth[s : s + step], axis=1)
    return out


def empirical_mmse(y, prior, sigma2):
    """E[x | y] for y = x + CN(0, sigma2) with x uniform over the samples ``prior`` (complex
    [K]): a non-parametric MMSE reference for continuous data such as the swiss roll."""
    y = np.asarray(y, dtype=np.complex128).reshape(-1)
    prior = np.asarray(prior, dtype=np.complex128).reshape(-1)
    out = np.empty(len(y), dtype=np.complex128)
    for s in range(0, len(y), 256):
        lg = -(np.abs(y[s : s + 256, None] - prior[None, :]) ** 2) / sigma2
        lg -= lg.max(axis=1, keepdims=True)
        w = np.exp(lg)
        out[s : s + 256] = (w @ prior) / w.sum(axis=1)
    return out


class OracleEpsModel:
    """Perfect eps-predictor for a discrete prior, with the DdpmModel interface.

    predict_eps(x, t) = E[eps | x_t] = (x_t - sqrt(abar_t) E[x0 | x_t]) / sqrt(1 - abar_t),
    where x_t / sqrt(abar_t) = x0 + noise of variance (1 - abar_t)/abar_t per complex
    sample (the forward convention of :mod:`diffusion.core.schedules`).
    """

    def __init__(self, constellation, schedule, pmf=None, dtype=np.float64):
        self.schedule = schedule
        self.constellation = constellation if isinstance(constellation, Constellation) else None
        self._pts, self._pmf = _points_pmf(constellation, pmf)
        self.dtype = dtype
        self.metadata = {
            "parameterization": "eps",
            "T": str(schedule.T),
            "schedule": schedule.name,
            "constellation": "oracle",
        }
        self.calls = 0

    def predict_eps(self, x, t):
        x = np.asarray(x, dtype=np.float64)
        t = np.broadcast_to(np.asarray(t, dtype=np.int64), (x.shape[0],))
        if np.any(t < 1) or np.any(t > self.schedule.T):
            raise ValueError(f"t must be in [1, {self.schedule.T}]")
        self.calls += 1
        ab = self.schedule.abar[t - 1]
        xt = x[:, 0] + 1j * x[:, 1]
        sa, s1 = np.sqrt(ab), np.sqrt(1.0 - ab)
        x0 = mmse_estimate(xt / sa, self._pts, (1.0 - ab) / ab, self._pmf)
        eps = (xt - sa * x0) / s1
        return np.stack([eps.real, eps.imag], axis=1).astype(self.dtype)
