#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Counter-based complex Gaussian noise for the stochastic samplers (NumPy).

The noise drawn for stream item ``item`` at reverse step ``step`` is a pure function of
``(seed, item, step)``: a receiver's output then does not depend on how the stream is cut
into batches (GNU Radio work() calls, threads).  Bit-exact twin of lib/counter_rng.h (the
C++ blocks), so the NumPy samplers reproduce the C++ output in parity tests::

    k    = mix(mix(mix(seed + G) ^ item) ^ (step + G2))     mix = splitmix64 finaliser
    a, b = mix(k + G), mix(k + 2 G)
    u1   = ((a >> 11) + 1) 2^-53 in (0, 1],   u2 = (b >> 11) 2^-53 in [0, 1)
    z    = sqrt(-ln u1) exp(2 pi i u2)                      complex, E|z|^2 = 1
"""

import numpy as np

G = np.uint64(0x9E3779B97F4A7C15)
G2 = np.uint64(0xD1B54A32D192ED03)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TWO53 = 2.0**-53


def mix(z):
    """splitmix64 finaliser on uint64 arrays (wrapping arithmetic)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _u64(v):
    """int or int array -> uint64 (negative values wrap, as a C++ static_cast)."""
    a = np.asarray(v)
    if a.dtype.kind == "u":
        return a.astype(np.uint64)
    return (a.astype(np.int64)).view(np.uint64) if a.ndim else np.uint64(int(v) % (1 << 64))


def seed_key(seed):
    with np.errstate(over="ignore"):
        return mix(_u64(seed) + G)


def complex_gaussian(seed, item, step):
    """Complex Gaussian (E|z|^2 = 1) for each (item, step); arrays broadcast.

    seed: int; item: absolute stream index (int array, >= 0); step: reverse step (int array).
    Returns complex128 with the broadcast shape.
    """
    item = np.asarray(item)
    step = np.asarray(step)
    item, step = np.broadcast_arrays(item, step)
    with np.errstate(over="ignore"):
        k = mix(mix(seed_key(seed) ^ _u64(item)) ^ (_u64(step) + G2))
        a = mix(k + G)
        b = mix(k + np.uint64(2) * G)
    u1 = ((a >> _S11) + np.uint64(1)).astype(np.float64) * _TWO53
    u2 = (b >> _S11).astype(np.float64) * _TWO53
    r = np.sqrt(-np.log(u1))
    phi = 2.0 * np.pi * u2
    return r * np.cos(phi) + 1j * (r * np.sin(phi))


class CounterRng:
    """Noise source keyed by absolute item index: ``CounterRng(seed).complex_normal(items,
    step)``; pass it as ``rng`` to :func:`samplers.denoise` with ``items``."""

    def __init__(self, seed=0):
        self.seed = int(seed)

    def complex_normal(self, items, step):
        return complex_gaussian(self.seed, items, step)

    def __repr__(self):
        return f"CounterRng(seed={self.seed})"
