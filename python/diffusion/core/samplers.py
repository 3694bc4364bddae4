#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""DDPM receivers: denoise received symbols with a trained eps-network (NumPy only).

``model`` is anything with ``.schedule`` (:class:`diffusion.core.schedules.Schedule`) and
``.predict_eps(x float32 [N, 2], t int64 [N]) -> [N, 2]``: a :class:`DdpmModel` (ONNX),
or :class:`diffusion.core.reference.OracleEpsModel`.

Conventions: see :mod:`diffusion.core.schedules`.  y = x0 + n with E|x0|^2 = 1 and sigma2 the
noise variance per complex sample (Es/N0 = 1/sigma2).  The matched step t* has
abar(t*) ~ 1/(1 + sigma2), and the network input is x_t* = sqrt(abar(t*)) y.

Modes
-----
'tweedie'   one network call at t*: E[x0 | y] = (x_t - sqrt(1-abar) eps_hat) / sqrt(abar)
            (the MMSE estimate for a perfect network; deterministic).
'ddim'      same start, ``steps`` (default 5) deterministic DDIM steps t* -> 0
            (steps=1 is exactly 'tweedie').
'posterior' same start, ancestral steps t*, t*-1, ..., 1 with the true posterior
            variance beta~_t: a sample from p(x0 | y) (MSE -> 2 x MMSE for a perfect net).
'paper'     published Algorithm 2 as written: x_T = y (unscaled, sigma2 ignored),
            T ancestral steps with variance beta_t.
"""

import numpy as np

from .counter_rng import CounterRng

# The denoiser's modes, the one list of them: a mode's position is the value of the C++
# ddpm_denoiser::mode_t enumerator named mode.upper() (tests/test_twin_constants.py).
MODES = ("tweedie", "ddim", "posterior", "paper")
DEFAULT_DDIM_STEPS = 5


def _to_rails(z, out=None):
    if out is None:
        out = np.empty((len(z), 2), dtype=np.float32)
    out[:, 0] = z.real
    out[:, 1] = z.imag
    return out


def _eps(model, z, t):
    """Network eps for complex z (float64 math outside, float32 at the network)."""
    e = model.predict_eps(_to_rails(z), np.ascontiguousarray(t, dtype=np.int64))
    e = np.asarray(e)
    return e[:, 0].astype(np.float64) + 1j * e[:, 1].astype(np.float64)


class _Keyed:
    """A CounterRng bound to the batch's item indices."""

    def __init__(self, crng, items):
        self.crng, self.items = crng, items

    def noise(self, act, t):
        return self.crng.complex_normal(self.items[act], t)


def _complex_noise(rng, n):
    """Complex Gaussian with E|z|^2 = 1 (N(0, 1/2) per rail)."""
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * np.sqrt(0.5)


def denoise(model, y, sigma2, mode="tweedie", steps=None, rng=None, info=None, items=None):
    """Denoise complex symbols y (complex [N]) received with noise variance sigma2.

    sigma2: per complex sample, scalar or float array [N] (per-sample; every sample runs
    at its own matched step, all batched into one network call per iteration).
    mode: one of :data:`MODES`.  steps: DDIM step count (mode 'ddim', default 5).
    rng: noise of the stochastic modes ('posterior', 'paper'): a ``np.random.Generator``,
    or a :class:`diffusion.core.counter_rng.CounterRng`, whose noise for sample i at step s
    depends only on (seed, items[i], s) -- the C++ engine's generator, so the output does
    not depend on batching and reproduces the C++ blocks.
    items: absolute item indices (int [N], default 0..N-1), used with a CounterRng.
    info: optional dict, filled with 't' (matched steps), 'clamped' (number of samples
    whose sigma2 lies outside the schedule) and 'calls' (network calls).
    Returns complex64 [N] estimates of x0 (same units as y).
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    sched = model.schedule
    y = np.asarray(y)
    shape = y.shape
    y = y.reshape(-1).astype(np.complex128)
    n = y.size
    if info is None:
        info = {}
    info.update(calls=0, clamped=0)
    if n == 0:
        return np.zeros(shape, dtype=np.complex64)
    if mode in ("posterior", "paper") and rng is None:
        rng = np.random.default_rng()
    if isinstance(rng, CounterRng):
        items = (
            np.arange(n, dtype=np.uint64)
            if items is None
            else np.asarray(items).reshape(-1).astype(np.uint64)
        )
        if items.size != n:
            raise ValueError(f"items must have one index per sample ({n}), got {items.size}")
        rng = _Keyed(rng, items)

    if mode == "paper":
        x = _paper(model, sched, y, rng, info)
        return x.astype(np.complex64).reshape(shape)

    s2 = np.asarray(sigma2, dtype=np.float64)
    if s2.ndim and s2.size != n:
        raise ValueError(
            f"sigma2 must be a scalar or have one value per sample ({n}), got {s2.size}"
        )
    tstar, clamped = sched.matched_step(s2.reshape(-1) if s2.ndim else s2)
    info["clamped"] = int(np.count_nonzero(np.broadcast_to(clamped, (n,))))
    tstar = np.broadcast_to(np.asarray(tstar, dtype=np.int64), (n,))
    info["t"] = tstar
    ab = sched.abar[tstar - 1]
    x = np.sqrt(ab) * y

    if mode == "tweedie":
        eps = _eps(model, x, tstar)
        info["calls"] = 1
        x0 = (x - np.sqrt(1.0 - ab) * eps) / np.sqrt(ab)
        return x0.astype(np.complex64).reshape(shape)
    if mode == "ddim":
        k = DEFAULT_DDIM_STEPS if steps is None else int(steps)
        if k < 1:
            raise ValueError("ddim needs steps >= 1")
        x0 = _ddim(model, sched, x, tstar, k, info)
        return x0.astype(np.complex64).reshape(shape)
    x0 = _ancestral(model, sched, x, tstar, rng, sched.posterior_variance, info)
    return x0.astype(np.complex64).reshape(shape)


def _ancestral(model, sched, x, tstar, rng, var, info):
    """Ancestral reverse steps from per-sample t* down to 0 (x_0 returned)."""
    x = x.copy()
    tcur = tstar.copy()
    alphas, betas, abar = sched.alphas, sched.betas, sched.abar
    for _ in range(int(tcur.max())):
        act = np.nonzero(tcur >= 1)[0]
        if act.size == len(x):
            act = slice(None)
        t = tcur[act]
        xa = x[act]
        eps = _eps(model, xa, t)
        info["calls"] += 1
        i = t - 1
        mean = (xa - betas[i] / np.sqrt(1.0 - abar[i]) * eps) / np.sqrt(alphas[i])
        sd = np.where(t > 1, np.sqrt(var[i]), 0.0)
        z = rng.noise(act, t) if isinstance(rng, _Keyed) else _complex_noise(rng, len(t))
        x[act] = mean + sd * z
        tcur[act] = t - 1
    return x


def _paper(model, sched, y, rng, info):
    """Published Algorithm 2: x_T = y, for t = T..1: x_{t-1} = (x_t - beta_t /
    sqrt(1-abar_t) eps(x_t, t)) / sqrt(alpha_t) + sqrt(beta_t) z (z = 0 at t = 1)."""
    tstar = np.full(len(y), sched.T, dtype=np.int64)
    info["t"] = tstar
    return _ancestral(model, sched, y.copy(), tstar, rng, sched.betas, info)


def ddim_steps(tstar, k):
    """Per-sample DDIM step grid [N, k+1]: round(t* j / k), j = k..0 (descending)."""
    j = np.arange(k, -1, -1, dtype=np.float64)
    return np.rint(np.asarray(tstar, dtype=np.float64)[:, None] * j[None, :] / k).astype(np.int64)


def _ddim(model, sched, x, tstar, k, info):
    grid = ddim_steps(tstar, k)
    full = np.concatenate(([1.0], sched.abar))  # abar(0) = 1
    x = x.copy()
    for j in range(k):
        t, s = grid[:, j], grid[:, j + 1]
        act = np.nonzero(t > s)[0]  # equal steps are no-ops
        if act.size == 0:
            continue
        if act.size == len(x):
            act = slice(None)
        ta, sa_ = t[act], s[act]
        xa = x[act]
        eps = _eps(model, xa, ta)
        info["calls"] += 1
        ab_t, ab_s = full[ta], full[sa_]
        x0a = (xa - np.sqrt(1.0 - ab_t) * eps) / np.sqrt(ab_t)
        x[act] = np.sqrt(ab_s) * x0a + np.sqrt(1.0 - ab_s) * eps
    return x  # at s = 0: x = x0_hat
