#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Training windows for the temporal eps-network (NumPy; spec: issue 12).

A window is W consecutive clean symbols s_k = x_k exp(j theta_k), k = 0 .. W-1 (oldest
first): x_k i.i.d. uniform (or ~pmf) over a unit-power constellation
(:mod:`diffusion.core.constellations`: QPSK at 45 degrees, square QAM axes-aligned), and

    theta_k = phi0 + 2 pi f k + sum_{i=1..k} w_i,   w_i ~ N(0, 2 pi lw)

phi0 uniform in [0, 2 pi), f (residual carrier offset, cycles/symbol) uniform in
[-f_max, f_max], lw (3-dB linewidth x symbol time) log-uniform in [lw_min, lw_max], all
three drawn per window.  E|s|^2 = 1 (a rotation keeps the power).

:func:`recording_windows` cuts windows of W consecutive samples out of a complex array (e.g.
the unit-power received symbols of a recording) at random offsets, each rotated by a random
multiple of 90 degrees (the square constellations' symmetry).

:func:`sdpsk_windows`: the same phase model, but the symbols x_k follow the SDPSK recursion
x_k = x_{k-1} * (+-j) (random bits, x_0 uniform on the QPSK points at 45 degrees): every
symbol turns the carrier phase by exactly +90 or -90 degrees (the ORBCOMM downlink).
"""

import math

import numpy as np

LW_RANGE = (1e-4, 1e-2)
F_MAX = 2e-3


def phase_trajectories(n, W, rng, lw_min=LW_RANGE[0], lw_max=LW_RANGE[1], f_max=F_MAX):
    """Phases theta [n, W] (rad) of n windows, and the per-window (lw [n], f [n], phi0 [n]).

    lw_max = 0 gives no phase noise, f_max = 0 no carrier offset."""
    if not (0 <= lw_min <= lw_max):
        raise ValueError(f"need 0 <= lw_min <= lw_max, got {lw_min}, {lw_max}")
    if f_max < 0:
        raise ValueError(f"f_max must be >= 0, got {f_max}")
    if lw_max == 0:
        lw = np.zeros(n)
    elif lw_min == lw_max:
        lw = np.full(n, float(lw_max))
    else:
        if lw_min <= 0:
            raise ValueError("log-uniform linewidth needs lw_min > 0 (or lw_min == lw_max)")
        lw = np.exp(rng.uniform(math.log(lw_min), math.log(lw_max), n))
    f = rng.uniform(-f_max, f_max, n) if f_max > 0 else np.zeros(n)
    phi0 = rng.uniform(0.0, 2 * math.pi, n)
    inc = rng.standard_normal((n, W)) * np.sqrt(2 * math.pi * lw)[:, None]
    inc[:, 0] = 0.0
    k = np.arange(W)
    theta = phi0[:, None] + 2 * math.pi * f[:, None] * k[None, :] + np.cumsum(inc, axis=1)
    return theta, lw, f, phi0


def clean_windows(
    constellation,
    n,
    W,
    rng,
    lw_min=LW_RANGE[0],
    lw_max=LW_RANGE[1],
    f_max=F_MAX,
    rotate=True,
    pmf=None,
    return_info=False,
):
    """n windows (complex128 [n, W]) of clean rotated symbols of ``constellation``
    (a :class:`Constellation`, a name, or a complex point array).  rotate=False: the
    symbols x_k themselves (no phase).  return_info: also dict(x, idx, theta, lw, f, phi0)."""
    from ..core import constellations as _const

    if isinstance(constellation, str):
        constellation = _const.by_name(constellation)
    pts = np.asarray(getattr(constellation, "points", constellation), dtype=np.complex128)
    if pmf is None:
        idx = rng.integers(len(pts), size=(n, W))
    else:
        p = np.asarray(pmf, dtype=np.float64)
        idx = rng.choice(len(pts), size=(n, W), p=p / p.sum())
    x = pts[idx]
    return _with_phase(x, dict(idx=idx), rng, lw_min, lw_max, f_max, rotate, return_info)


def _with_phase(x, extra, rng, lw_min, lw_max, f_max, rotate, return_info):
    """x [n, W] times exp(j theta) of :func:`phase_trajectories` (rotate=False: theta = 0);
    return_info: also dict(x, **extra, theta, lw, f, phi0)."""
    n, W = x.shape
    if rotate:
        theta, lw, f, phi0 = phase_trajectories(n, W, rng, lw_min, lw_max, f_max)
        s = x * np.exp(1j * theta)
    else:
        z = np.zeros(n)
        theta, lw, f, phi0, s = np.zeros((n, W)), z, z, z, x
    if return_info:
        return s, dict(x=x, **extra, theta=theta, lw=lw, f=f, phi0=phi0)
    return s


def sdpsk_symbols(n, W, rng):
    """SDPSK windows before the phase (complex128 [n, W]) and their bits (uint8 [n, W - 1]):
    x_0 uniform on the QPSK points at 45 degrees, x_k = x_{k-1} * (j if bit_k else -j)."""
    q0 = rng.integers(0, 4, size=(n, 1))
    bits = rng.integers(0, 2, size=(n, W - 1)).astype(np.uint8)
    steps = np.where(bits == 1, 1, -1)
    quarter = np.concatenate([q0, q0 + np.cumsum(steps, axis=1)], axis=1)
    x = np.exp(1j * (math.pi / 4 + (math.pi / 2) * (quarter % 4)))
    return x, bits


def sdpsk_windows(
    n,
    W,
    rng,
    lw_min=LW_RANGE[0],
    lw_max=LW_RANGE[1],
    f_max=F_MAX,
    rotate=True,
    return_info=False,
):
    """n windows (complex128 [n, W]) of SDPSK symbols (:func:`sdpsk_symbols`) rotated by the
    phase model of :func:`clean_windows` (rotate=False: unrotated).  return_info: also
    dict(x, bits, theta, lw, f, phi0)."""
    x, bits = sdpsk_symbols(n, int(W), rng)
    return _with_phase(x, dict(bits=bits), rng, lw_min, lw_max, f_max, rotate, return_info)


def recording_windows(symbols, W, n=None, rng=None, rotate90=True):
    """n windows (complex [n, W]) of W consecutive samples of ``symbols`` at uniform random
    offsets in [0, len - W], each multiplied by j^k, k uniform in {0, 1, 2, 3}
    (rotate90=False: unrotated).  n=None: len(symbols) // W windows.  NaN/Inf samples are
    not removed (cut the array first: windows must be consecutive in time)."""
    z = np.asarray(symbols).reshape(-1)
    W = int(W)
    if W < 1 or len(z) < W:
        raise ValueError(f"need at least W = {W} samples, got {len(z)}")
    rng = np.random.default_rng() if rng is None else rng
    n = len(z) // W if n is None else int(n)
    off = rng.integers(0, len(z) - W + 1, n)
    out = z[off[:, None] + np.arange(W)[None, :]]
    if rotate90:
        out = out * (1j ** rng.integers(0, 4, n))[:, None]
    return out
