#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Reconstruction metrics of an estimate stream against a reference stream (NumPy only).

``ref`` is the transmitted (clean) symbol stream, ``est`` the receiver's estimate of it
(denoiser output, equalizer output, raw received samples, ...); both complex, same length.
Over n valid pairs (pairs with a non-finite sample are skipped and counted as "invalid"),
with e = est - ref and <a, b> = sum conj(a) b:

  mse                    (1/n) sum |e|^2                (per complex sample, linear)
  mse_db                 10 log10 mse                    (-inf for an exact match)
  nmse_db                10 log10 (sum |e|^2 / sum |ref|^2)
  evm_percent            100 sqrt(sum |e|^2 / sum |ref|^2): RMS EVM relative to the RMS of
                         the reference *as measured* (= 100 sqrt(mse) for a unit-power
                         constellation, up to the sampling spread of sum |ref|^2)
  cosine_similarity      Re<ref, est> / (|ref| |est|): the ordinary cosine similarity of the
                         two streams seen as real vectors of 2n rails (I, Q).  A common phase
                         rotation theta of est gives cos(theta), so it penalises the phase
                         errors a coherent receiver cares about; in [-1, 1]
  cosine_similarity_abs  |<ref, est>| / (|ref| |est|): the same but blind to a common phase
                         rotation; in [0, 1]
  ser, symbol_errors     symbol error rate: both streams are sliced to the nearest point of
                         the constellation (ML decisions in AWGN) and the indices compared.
                         For a clean reference, slicing it returns exactly the transmitted
                         index, so this is the SER against the transmitted symbols; reference
                         samples farther than REF_GRID_TOL from every point are counted in
                         "ref_off_grid" (then the SER is against the sliced reference).
  ber, bit_errors        bit errors between the Gray labels (Constellation.labels, MSB first)
                         of the two sliced indices, over n * bits per label bits (a point
                         file has no Gray map: its labels are the line numbers, ceil(log2 M)
                         bits)
  n, invalid, ref_off_grid  counts

Values that are undefined (n = 0, a zero-power stream, no constellation) are NaN.  SER/BER
need a constellation (name or :class:`Constellation`); without one they are NaN.

:class:`MetricsAccumulator` keeps the metrics cumulatively since the last reset and, when
``window > 0``, also over the most recent ``window`` valid pairs (a sliding window; the
window sums are recomputed exactly from a ring buffer of per-pair terms, so there is no
running-sum drift).  Every update is vectorised over the whole chunk.
"""

import math

import numpy as np

from .constellations import Constellation, by_name

REF_GRID_TOL = 1e-3  # |ref - nearest point| above this: reference is not a clean symbol
METRIC_KEYS = (
    "n",
    "invalid",
    "mse",
    "mse_db",
    "nmse_db",
    "evm_percent",
    "cosine_similarity",
    "cosine_similarity_abs",
    "ser",
    "ber",
    "symbol_errors",
    "bit_errors",
    "ref_off_grid",
)

# Per-pair terms (columns of the ring buffer / the sums):
_E2, _R2, _S2, _CR, _CI, _SE, _BE, _OG = range(8)
_NCOL = 8
MAX_WINDOW = 1 << 22  # pairs of the sliding window: 64 bytes a slot (256 MiB at most)


def get_constellation(constellation):
    """None, a :class:`Constellation`, or a name/point file understood by ``by_name``
    ('' and 'none' mean no constellation)."""
    if constellation is None or isinstance(constellation, Constellation):
        return constellation
    if str(constellation).strip().lower() in ("", "none"):
        return None
    return by_name(constellation)


def bits_per_label(constellation):
    """Bits of the widest label (= log2 M for Gray QAM/PSK; ceil(log2 M) for a point file)."""
    return max(1, int(np.max(constellation.labels)).bit_length())


def bit_error_table(constellation):
    """[M, M] int table: number of differing label bits between points i and j."""
    lab = np.asarray(constellation.labels, dtype=np.int64)
    x = lab[:, None] ^ lab[None, :]
    cnt = np.zeros(x.shape, dtype=np.int64)
    for b in range(max(1, int(lab.max()).bit_length())):
        cnt += (x >> b) & 1
    return cnt


def _as_pairs(ref, est):
    ref = np.asarray(ref).reshape(-1)
    est = np.asarray(est).reshape(-1)
    if ref.shape != est.shape:
        raise ValueError(
            f"reference and estimate need the same length, got {ref.size} and {est.size}"
        )
    return ref.astype(np.complex128), est.astype(np.complex128)


def pair_terms(ref, est, constellation=None, bit_table=None):
    """Per-pair terms of the valid pairs: (float64 [n_valid, 8], number of invalid pairs).

    Columns: |e|^2, |ref|^2, |est|^2, Re(conj(ref) est), Im(conj(ref) est), symbol error,
    bit errors, reference off grid.
    """
    ref, est = _as_pairs(ref, est)
    ok = (
        np.isfinite(ref.real)
        & np.isfinite(ref.imag)
        & np.isfinite(est.real)
        & np.isfinite(est.imag)
    )
    invalid = int(ok.size - np.count_nonzero(ok))
    if invalid:
        ref, est = ref[ok], est[ok]
    t = np.empty((ref.size, _NCOL), dtype=np.float64)
    e = est - ref
    t[:, _E2] = e.real**2 + e.imag**2
    t[:, _R2] = ref.real**2 + ref.imag**2
    t[:, _S2] = est.real**2 + est.imag**2
    c = np.conj(ref) * est
    t[:, _CR] = c.real
    t[:, _CI] = c.imag
    if constellation is not None and ref.size:
        ir = constellation.slice(ref)
        ie = constellation.slice(est)
        t[:, _SE] = ir != ie
        if bit_table is None:
            bit_table = bit_error_table(constellation)
        t[:, _BE] = bit_table[ir, ie]
        t[:, _OG] = np.abs(ref - constellation.points[ir]) > REF_GRID_TOL
    else:
        t[:, _SE:] = np.nan if constellation is None else 0.0
        t[:, _OG] = 0.0
    return t, invalid


def summarize(sums, n, invalid=0, bits_per_symbol=None):
    """Metrics dict (keys METRIC_KEYS) from the column sums of :func:`pair_terms`."""
    nan = float("nan")
    s = [float(v) for v in sums]
    out = dict.fromkeys(METRIC_KEYS, nan)
    out["n"] = int(n)
    out["invalid"] = int(invalid)
    out["ref_off_grid"] = int(round(s[_OG])) if n else 0
    if n == 0:
        return out
    e2, r2, s2 = s[_E2], s[_R2], s[_S2]
    mse = e2 / n
    out["mse"] = mse
    out["mse_db"] = 10 * math.log10(mse) if mse > 0 else float("-inf")
    if r2 > 0:
        out["nmse_db"] = 10 * math.log10(e2 / r2) if e2 > 0 else float("-inf")
        out["evm_percent"] = 100.0 * math.sqrt(e2 / r2)
    if r2 > 0 and s2 > 0:
        den = math.sqrt(r2 * s2)
        # rounding can push an exact match a few ulps past 1; the true value is <= 1
        out["cosine_similarity"] = max(-1.0, min(1.0, s[_CR] / den))
        out["cosine_similarity_abs"] = min(1.0, math.hypot(s[_CR], s[_CI]) / den)
    if bits_per_symbol and math.isfinite(s[_SE]):
        out["symbol_errors"] = int(round(s[_SE]))
        out["bit_errors"] = int(round(s[_BE]))
        out["ser"] = s[_SE] / n
        out["ber"] = s[_BE] / (n * bits_per_symbol)
    return out


def reconstruction_metrics(ref, est, constellation=None):
    """All metrics of one block of pairs (see the module docstring)."""
    c = get_constellation(constellation)
    t, invalid = pair_terms(ref, est, c)
    return summarize(t.sum(axis=0), len(t), invalid, bits_per_label(c) if c else None)


class MetricsAccumulator:
    """Cumulative (since reset) and sliding-window reconstruction metrics.

    MetricsAccumulator(constellation=None, window=0): constellation for SER/BER (name,
    point file or :class:`Constellation`; None: no SER/BER); window: number of most recent
    valid pairs of the sliding-window metrics (0: cumulative only).  Memory 64 bytes per
    window slot.
    """

    def __init__(self, constellation=None, window=0):
        self.constellation = get_constellation(constellation)
        window = int(window)
        if not 0 <= window <= MAX_WINDOW:
            raise ValueError(
                f"window must be in [0, {MAX_WINDOW}] pairs (0: cumulative only), got {window}"
            )
        self.window = window
        self._bits = bits_per_label(self.constellation) if self.constellation else None
        self._table = bit_error_table(self.constellation) if self.constellation else None
        self._ring = np.zeros((window, _NCOL), dtype=np.float64) if window else None
        self.reset()

    def reset(self):
        self._sums = np.zeros(_NCOL, dtype=np.float64)
        if self.constellation is None:
            self._sums[_SE:_OG] = np.nan
        self._n = 0
        self._invalid = 0
        self._pos = 0  # next ring slot
        self._fill = 0  # valid slots in the ring

    def update(self, ref, est):
        """Add a chunk of pairs; returns the number of valid pairs added."""
        t, invalid = pair_terms(ref, est, self.constellation, self._table)
        k = len(t)
        self._invalid += invalid
        if k == 0:
            return 0
        self._sums += t.sum(axis=0)
        self._n += k
        if self._ring is not None:
            w = self.window
            if k >= w:
                self._ring[:] = t[k - w :]
                self._pos, self._fill = 0, w
            else:
                a = min(k, w - self._pos)
                self._ring[self._pos : self._pos + a] = t[:a]
                if k > a:
                    self._ring[: k - a] = t[a:]
                self._pos = (self._pos + k) % w
                self._fill = min(w, self._fill + k)
        return k

    @property
    def n(self):
        return self._n

    def cumulative(self):
        """Metrics over every valid pair since construction / reset()."""
        return summarize(self._sums, self._n, self._invalid, self._bits)

    def windowed(self):
        """Metrics over the last ``window`` valid pairs (None when window == 0).
        "invalid" counts the invalid pairs since the last reset."""
        if self._ring is None:
            return None
        sums = self._ring[: self._fill].sum(axis=0)
        if self.constellation is None:
            sums[_SE:_OG] = np.nan
        return summarize(sums, self._fill, self._invalid, self._bits)


def _err2(est, x):
    d = np.asarray(est, np.complex128) - np.asarray(x, np.complex128)
    return d.real**2 + d.imag**2


def _se(d):
    return float(np.std(d) / math.sqrt(len(d))) if len(d) > 1 else float("nan")


def paired_metrics(ref, est, constellation, mmse_err2=None, idx=None, map_bit_errors=None):
    """:func:`reconstruction_metrics` of one estimate (mse, mse_db, nmse_db,
    cosine_similarity, ser, ber) with the standard errors that comparing estimators on the
    same samples needs:

      mse_se             standard error of the MSE
      grid_rms           RMS distance of est to its nearest point (~0: a clean constellation)
      excess_mmse(_se)   mean (standard error) of |e|^2 - mmse_err2, the paired excess over a
                         reference estimate's squared errors mmse_err2 (e.g. the exact MMSE's)
      ber_excess_map(_se) mean (standard error) of the paired excess bit errors per bit over
                         map_bit_errors (e.g. reference.bitwise_map_bit_errors), idx the
                         transmitted indices
    """
    c = get_constellation(constellation)
    m = reconstruction_metrics(ref, est, c)
    e2 = _err2(est, ref)
    out = {k: float(m[k]) for k in ("mse", "mse_db", "nmse_db", "cosine_similarity", "ser", "ber")}
    out["mse_se"] = _se(e2)
    out["grid_rms"] = float(np.sqrt(np.mean(_err2(c.hard_decision(est), est))))
    if mmse_err2 is not None:
        d = e2 - mmse_err2
        out["excess_mmse"] = float(np.mean(d))
        out["excess_mmse_se"] = _se(d)
    if map_bit_errors is not None:
        errs = np.sum(c.bits(c.slice(est)) != c.bits(np.asarray(idx)), axis=1)
        d = (errs - map_bit_errors) / c.bits_per_symbol
        out["ber_excess_map"] = float(np.mean(d))
        out["ber_excess_map_se"] = _se(d)
    return out


def wilson_interval(k, n, z=1.96):
    """Wilson score interval (lo, hi) of a proportion k / n; z = 1.96 for 95 %.
    n = 0 gives (0, 1)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))
