#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Window models on symbol streams: the tiling both denoiser blocks use (NumPy only).

A window model (metadata ``window_length`` W > 1, :mod:`diffusion.core.onnx_model`) sees W
consecutive symbols at once. Streams are cut into overlapping windows with hop H (1 <= H <=
W, default W // 2); of each denoised window only the centre H symbols are kept, so the
output stays one symbol per input symbol:

    lead a = (W - H) // 2,   latency D = W - H - a samples
    tile m -> outputs [mH, mH + H) of the stream = input symbols [mH - D, mH - D + H),
              from the window over input [mH - (W - H), mH + H)

i.e. output n is the denoised input n - D (the first D outputs come from zero history).
Tiles sit on the absolute sample grid, so the output does not depend on how a scheduler
splits the stream. Each window runs at one diffusion step: the matched step of the mean
of the finite sigma2 values of its H newest samples (those at outputs [mH, mH + H)), the
fallback value when none is finite. Stochastic modes draw the noise of window m,
position k from the counter generator at item m W + k. Non-finite samples enter the
network as 0 and come out unchanged.

:func:`denoise_windows` does the same on whole arrays and returns the output aligned with
the input (no latency): ``block_output[n + D] == denoise_windows(...)[n]``.
"""

import numpy as np

from .samplers import denoise


class WindowGeometry:
    """Tiling of a stream for a window model: W, hop, lead, latency, history (= W - H,
    the past samples a tile reaches back beyond its H new ones)."""

    def __init__(self, window_length, hop=0):
        W = int(window_length)
        if W < 1:
            raise ValueError(f"window_length must be >= 1, got {window_length}")
        H = W // 2 if not hop else int(hop)
        H = max(H, 1)
        if not 1 <= H <= W:
            raise ValueError(f"window_hop must be in [1, window_length = {W}], got {hop}")
        self.W, self.hop = W, H
        self.lead = (W - H) // 2
        self.latency = W - H - self.lead
        self.history = W - H

    def __repr__(self):
        return (
            f"WindowGeometry(W={self.W}, hop={self.hop}, lead={self.lead}, latency={self.latency})"
        )

    def windows(self, ext, m):
        """[m, W] windows of ``ext`` (history samples first, then m hops of new ones)."""
        idx = np.arange(m)[:, None] * self.hop + np.arange(self.W)[None, :]
        return np.asarray(ext)[idx]

    def kept(self, den):
        """Centre H symbols of each denoised window [m, W] -> [m H]."""
        return np.asarray(den)[:, self.lead : self.lead + self.hop].reshape(-1)

    def tile_sigma2(self, s2_new, m, fallback):
        """One sigma2 per tile: the mean of the finite values of its H newest samples."""
        s = np.asarray(s2_new, dtype=np.float64)[: m * self.hop].reshape(m, self.hop)
        ok = np.isfinite(s)
        cnt = ok.sum(axis=1)
        tot = np.where(ok, s, 0.0).sum(axis=1)
        return np.where(cnt > 0, tot / np.maximum(cnt, 1), float(fallback))


def denoise_tiles(model, geom, ext, s2_tile, mode, steps, rng, tile0, info=None, engine=None):
    """Denoise m = len(s2_tile) tiles of ``ext`` (history + m hops, complex) and return the
    kept symbols [m H] (non-finite inputs come out as they went in). ``tile0``: absolute
    index of the first tile (item keys of the stochastic modes). ``engine``: a C++
    denoise_engine (else the NumPy samplers)."""
    m = len(s2_tile)
    W = geom.W
    raw = geom.windows(ext, m)
    ok = np.isfinite(raw.real) & np.isfinite(raw.imag)
    win = np.where(ok, raw, 0.0).astype(np.complex128)
    s2 = np.repeat(np.asarray(s2_tile, dtype=np.float64), W)
    tiles = np.uint64(tile0) + np.arange(m, dtype=np.uint64)
    items = (tiles[:, None] * np.uint64(W) + np.arange(W, dtype=np.uint64)[None, :]).reshape(-1)
    if engine is not None:
        den = engine(win.reshape(-1), s2, items)
    else:
        den = denoise(
            model, win.reshape(-1), s2, mode=mode, steps=steps, rng=rng, info=info, items=items
        )
    den = np.asarray(den).reshape(m, W)
    out = geom.kept(den).astype(np.complex64)
    bad = ~geom.kept(ok)
    out[bad] = geom.kept(raw)[bad]
    return out


def denoise_windows(
    model, y, sigma2, mode="tweedie", hop=0, steps=None, rng=None, fallback_sigma2=None, info=None
):
    """Denoise a whole array y (complex [N]) with a window model; output aligned with y.

    sigma2: scalar or per-sample [N] (noise variance per complex sample). hop: 0 = W // 2.
    The tiles are the blocks' (module doc), so ``block_output[n + D] == result[n]``.
    rng: a CounterRng for the stochastic modes (the blocks' generator). A per-symbol model
    (W = 1) gives :func:`diffusion.core.samplers.denoise` of y.
    """
    y = np.asarray(y).reshape(-1)
    n = y.size
    geom = WindowGeometry(getattr(model, "window_length", 1), hop)
    W, H, D = geom.W, geom.hop, geom.latency
    s2 = np.broadcast_to(np.asarray(sigma2, dtype=np.float64), (n,))
    if fallback_sigma2 is None:
        fin = s2[np.isfinite(s2)]
        fallback_sigma2 = float(np.mean(fin)) if fin.size else 1.0
    m = -(-(n + D) // H)  # tiles whose kept symbols cover [0, n)
    total = m * H + W - H
    ext = np.zeros(total, dtype=np.complex128)
    ext[W - H : W - H + n] = y
    s2_new = np.full(m * H, np.nan)
    s2_new[:n] = s2
    st = geom.tile_sigma2(s2_new, m, fallback_sigma2)
    kept = denoise_tiles(model, geom, ext, st, mode, steps, rng, 0, info=info)
    return kept[D : D + n]
