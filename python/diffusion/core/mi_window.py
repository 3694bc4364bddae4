#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Sliding-window mutual-information estimation for the ``mi_probe`` block (NumPy only).

The estimators themselves are :mod:`diffusion.core.information_rate` (``mi_samples``: Monte Carlo
with an auxiliary channel; ``mi_awgn``: Gauss-Hermite theory); this module adds the blind
estimator (no transmitted indices) and :class:`MiWindow`, the ring buffer + dispatch the
block runs.  Conventions: points rescaled to unit average power under the PMF (as
``information_rate`` does), sigma2 = noise variance per complex sample, Es/N0 = 1/sigma2.

Estimators (``reference`` x ``noise``):

=============  =========================================================================
indices        I_q = mean log2 q(y|x) / sum_j p_j q(y|x_j) with the transmitted indices
 + parameter   q = AWGN of the given sigma2 (``mi_samples(aux='awgn')``): unbiased Monte
               Carlo estimate of I(X;Y) when the channel is AWGN with that sigma2, an
               achievable rate (lower bound on I(X;Y)) otherwise.
indices        q = y = h x + circular Gaussian noise, h and the noise variance fitted to
 + estimate    the window (``mi_samples(aux='gaussian')``, the "Gaussian channel"
               assumption): an achievable rate / lower bound for any channel.
blind          no indices: I = h(Y) - h(Y|X) ~ -mean log2 q(y) - log2(pi e sigma2) with
 + parameter   q(y) = sum_j p_j exp(-|y - x_j|^2 / sigma2) / (pi sigma2) (:func:`mi_blind`).
               Consistent only if the channel really is AWGN with that sigma2 -- no bound.
blind          as above with sigma2 from the EM estimator of :mod:`diffusion.core.noise_estimation`.
 + estimate
=============  =========================================================================

'symbols' is 'indices' with the indices obtained by slicing a clean transmitted symbol
stream to the nearest (unit-power) point.
"""

import math

import numpy as np

from . import information_rate as _ir
from .constellations import Constellation, by_name
from .noise_estimation import em_noise_variance

REFERENCES = ("none", "indices", "symbols")
NOISE_MODES = ("parameter", "estimate")
_CHUNK = 1 << 13
MAX_WINDOW = 1 << 22  # samples: the ring holds 24 bytes a sample (100 MB at most)


def parse_pmf(pmf, m):
    """None / '' / [] -> None (uniform); else a length-m array (string: comma/space list)."""
    if pmf is None:
        return None
    if isinstance(pmf, str):
        txt = pmf.replace(",", " ").split()
        if not txt:
            return None
        pmf = [float(v) for v in txt]
    p = np.asarray(pmf, dtype=np.float64).reshape(-1)
    if p.size == 0:
        return None
    if p.size != m:
        raise ValueError(f"pmf has {p.size} entries for a {m}-point constellation")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise ValueError("pmf must be finite, non-negative and not all zero")
    return p / p.sum()


def mi_blind(y, points, pmf=None, sigma2=None, normalize=True):
    """Blind MI estimate (bits/symbol) from received samples only, AWGN model.

    Returns dict(mi_bits, stderr_bits, sigma2, n).  sigma2=None: EM estimate.
    Per sample: -log2 q(y) - log2(pi e sigma2) = -lse_j(log p_j - |y-x_j|^2/sigma2)/ln 2
    - log2(e).
    """
    pts = np.asarray(getattr(points, "points", points), dtype=np.complex128).reshape(-1)
    p = np.full(pts.size, 1.0 / pts.size) if pmf is None else parse_pmf(pmf, pts.size)
    if normalize:
        pts = _ir.unit_power(pts, p)
    y = np.asarray(y, dtype=np.complex128).reshape(-1)
    y = y[np.isfinite(y.real) & np.isfinite(y.imag)]
    if y.size == 0:
        return {
            "mi_bits": float("nan"),
            "stderr_bits": float("nan"),
            "sigma2": float("nan") if sigma2 is None else float(sigma2),
            "n": 0,
        }
    if sigma2 is None:
        s2, _ = em_noise_variance(y, pts, pmf=p)
    else:
        s2 = float(sigma2)
        if not (s2 > 0 and math.isfinite(s2)):
            raise ValueError(f"sigma2 must be finite and > 0, got {sigma2}")
    sup = p > 0
    xs, logp = pts[sup], np.log(p[sup])
    terms = np.empty(y.size)
    for s in range(0, y.size, _CHUNK):
        a = -(np.abs(y[s : s + _CHUNK, None] - xs[None, :]) ** 2) / s2 + logp[None, :]
        m = a.max(axis=1)
        lse = m + np.log(np.exp(a - m[:, None]).sum(axis=1))
        terms[s : s + _CHUNK] = -lse / math.log(2.0) - math.log2(math.e)
    return {
        "mi_bits": float(terms.mean()),
        "n": int(y.size),
        "sigma2": float(s2),
        "stderr_bits": float(terms.std() / math.sqrt(y.size)) if y.size > 1 else float("nan"),
    }


class MiWindow:
    """MI estimate over the most recent ``window`` samples.

    MiWindow(constellation, pmf=None, window=65536, reference='none', noise='parameter',
    sigma2=0.1): constellation name / point file / Constellation; pmf None (uniform) or
    [M]; reference 'none' | 'indices' | 'symbols'; noise 'parameter' (sigma2, settable) |
    'estimate'.
    """

    def __init__(
        self, constellation, pmf=None, window=65536, reference="none", noise="parameter", sigma2=0.1
    ):
        c = constellation if isinstance(constellation, Constellation) else by_name(constellation)
        self.constellation = c
        self.pmf = parse_pmf(pmf, c.order)
        p = np.full(c.order, 1.0 / c.order) if self.pmf is None else self.pmf
        self._p = p
        self.points = _ir.unit_power(c.points, p)  # what the transmitter sends
        self._slicer = Constellation(c.name, self.points, c.labels)
        if reference not in REFERENCES:
            raise ValueError(f"reference must be one of {REFERENCES}, got {reference!r}")
        if noise not in NOISE_MODES:
            raise ValueError(f"noise must be one of {NOISE_MODES}, got {noise!r}")
        self.reference, self.noise = reference, noise
        self.window = int(window)
        if not 2 <= self.window <= MAX_WINDOW:
            raise ValueError(f"window must be in [2, {MAX_WINDOW}] samples, got {window}")
        self.set_sigma2(sigma2)
        self._y = np.zeros(self.window, dtype=np.complex128)
        self._idx = np.zeros(self.window, dtype=np.int64)
        self.entropy_bits = _ir.entropy_bits(p)
        self._theory_cache = (None, None)
        self.reset()

    def reset(self):
        self._pos = 0
        self._fill = 0
        self.total = 0
        self.bad_indices = 0  # transmitted indices outside [0, M-1] (pairs dropped)

    def set_sigma2(self, sigma2):
        s2 = float(sigma2)
        if not (s2 > 0 and math.isfinite(s2)):
            raise ValueError(f"noise variance must be finite and > 0, got {sigma2}")
        self.sigma2 = s2

    def _push(self, buf, v):
        k, w = v.size, self.window
        if k >= w:
            buf[:] = v[k - w :]
            return
        a = min(k, w - self._pos)
        buf[self._pos : self._pos + a] = v[:a]
        if k > a:
            buf[: k - a] = v[a:]

    def update(self, y, tx=None):
        """Add received samples y (complex [k]) and, for reference 'indices' / 'symbols',
        the transmitted indices (int [k]) / symbols (complex [k]).  Non-finite y and
        out-of-range indices are kept out of the estimate (n counts only usable samples)."""
        y = np.asarray(y).reshape(-1)
        k = y.size
        if k == 0:
            return
        if self.reference != "none":
            if tx is None or np.asarray(tx).size != k:
                raise ValueError("reference input needs one value per received sample")
            tx = np.asarray(tx).reshape(-1)
            if self.reference == "symbols":
                idx = self._slicer.slice(tx.astype(np.complex128))
            else:
                idx = tx.astype(np.int64)
                bad = (idx < 0) | (idx >= self.constellation.order)
                if bad.any():  # not a point: the pair is dropped like a NaN sample
                    idx = np.where(bad, 0, idx)
                    y = np.where(bad, np.nan, y.astype(np.complex128))
                    self.bad_indices += int(np.count_nonzero(bad))
            self._push(self._idx, idx)
        self._push(self._y, y.astype(np.complex128))
        self._pos = (self._pos + k) % self.window
        self._fill = min(self.window, self._fill + k)
        self.total += k

    def _theory(self, s2):
        key = float(f"{s2:.4g}")
        if self._theory_cache[0] != key:
            self._theory_cache = (
                key,
                _ir.mi_awgn(self.points, self._p, sigma2=key, normalize=False),
            )
        return self._theory_cache[1]

    def estimate(self):
        """dict: mi_bits, stderr_bits, sigma2, esn0_db, n (usable samples in the window), total,
        entropy_bits, mi_awgn_bits (AWGN theory at that sigma2), reference, noise."""
        n = self._fill
        y, idx = self._y[:n], self._idx[:n]
        res = {
            "n": int(n),
            "total": int(self.total),
            "entropy_bits": self.entropy_bits,
            "bad_indices": int(self.bad_indices),
            "reference": self.reference,
            "noise": self.noise,
        }
        nan = float("nan")
        ok = np.isfinite(y.real) & np.isfinite(y.imag)
        if np.count_nonzero(ok) < 2:
            res["mi_clamped"] = False
            res.update(mi_bits=nan, stderr_bits=nan, sigma2=nan, esn0_db=nan, mi_awgn_bits=nan)
            return res
        y, idx = y[ok], idx[ok]
        res["n"] = int(y.size)
        if self.reference == "none":
            r = mi_blind(
                y,
                self.points,
                self._p,
                None if self.noise == "estimate" else self.sigma2,
                normalize=False,
            )
            mi, s2, se = r["mi_bits"], r["sigma2"], r["stderr_bits"]
        else:
            if self.noise == "parameter":
                s2 = self.sigma2
                mi = _ir.mi_samples(
                    idx, y, self.points, self._p, aux="awgn", sigma2=s2, normalize=False
                )
            else:
                mi = _ir.mi_samples(idx, y, self.points, self._p, aux="gaussian", normalize=False)
                x = self.points[idx]
                h = np.vdot(x, y) / np.vdot(x, x)
                s2 = float(np.mean(np.abs(y - h * x) ** 2)) / max(abs(h) ** 2, 1e-300)
            se = nan
        # I(X;Y) lies in [0, H(X)]; a sample estimate under a badly mismatched sigma2 (an
        # absurd Es/N0) can leave it: report the bound and flag it
        raw = float(mi)
        mi = min(max(raw, 0.0), self.entropy_bits) if math.isfinite(raw) else nan
        res["mi_clamped"] = bool(mi != raw)
        res.update(
            mi_bits=float(mi),
            stderr_bits=float(se),
            sigma2=float(s2),
            esn0_db=-10.0 * math.log10(s2) if s2 > 0 else float("inf"),
            mi_awgn_bits=self._theory(s2) if s2 > 0 else self.entropy_bits,
        )
        return res
