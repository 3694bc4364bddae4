#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Label-conditional Gaussian mixture: learned slicer / demapper (NumPy only).

What a transmitter with hardware impairments sends for label m is modelled as
x | m ~ N(mu_m, C_m): ``mu_m`` the learned centroid (complex) and ``C_m`` the real 2x2
covariance of (Re x, Im x) (the spread), estimated from labelled data (an impairment chain
or a loopback capture, :func:`estimate`).  Received y = x + n with complex AWGN of variance
sigma2 per complex sample (sigma2/2 per rail, Es/N0 = 1/sigma2 for unit-power signals), so

    p(y | m) = N(y; mu_m, C_m + sigma2/2 I),   p(m) = 1/M (or a given pmf).

From this mixture (all exact, log-sum-exp):
  * :meth:`LabelMixture.decide`: MAP label index argmax_m p(m) p(y|m) (ML for a uniform pmf);
  * :meth:`LabelMixture.llr`: per-bit LLRs, MSB first (bit order of
    ``constellation_labels``), L_b = log P(b = 1 | y) - log P(b = 0 | y) (``max_log=True``:
    the max-log approximation, best label with the bit 1 against best with it 0).  Sign convention
    of gr-fec's soft decoders (decode_ccsds_27_fb, cc_decoder, ...): their soft input maps
    bit 0 to -1 and bit 1 to +1 with 0 an erasure (checked on cc_decoder and
    ldpc_bit_flip_decoder), so a positive value means "bit 1" and
    these LLRs (or any positive multiple) feed them directly.  NaN/Inf input: LLR 0
    (erasure) for every bit of that symbol, decision -1;
  * :meth:`LabelMixture.mmse`: exact mixture posterior mean
    E[x|y] = sum_m P(m|y) (mu_m + C_m (C_m + sigma2/2 I)^-1 (y - mu_m)).

With the nominal constellation and zero spread this is the exact bit-wise MAP demapper and
the exact MMSE of :mod:`reference` (same likelihood exp(-|y - x|^2 / sigma2)).

ONNX metadata (optional keys of the DDPM model contract, written by the training command
for labelled data, read by :meth:`LabelMixture.from_metadata`):
  label_centroids  comma-separated re,im pairs, one per label in label order
                   (index m of constellation_points / constellation_labels), unit power
                   convention of the model (the data the network was trained on)
  label_spread     per label either 3 values c_rr,c_ii,c_ri (covariance of Re/Im, rails)
                   or 1 value (complex variance v: c_rr = c_ii = v/2, c_ri = 0)
  label_count      (optional) training symbols per label, comma-separated integers
"""

import math

import numpy as np

_CHUNK = 1 << 13
_FLOOR = 1e-12  # rail-variance floor (noiseless input, zero spread)


def _parse_floats(text, key, where):
    text = (text or "").strip()
    if not text:
        return np.zeros(0)
    try:
        return np.array([float(v) for v in text.split(",")], dtype=np.float64)
    except ValueError as e:
        raise ValueError(f"{where}: metadata {key} unparseable ({e})") from None


def _fmt(values):
    return ",".join(repr(float(v)) for v in np.asarray(values, dtype=np.float64).reshape(-1))


def spread_from_flat(flat, m, where="label_spread"):
    """[M, 3] (c_rr, c_ii, c_ri) from 3M (full) or M (complex variance) values."""
    flat = np.asarray(flat, dtype=np.float64).reshape(-1)
    if flat.size == 3 * m:
        s = flat.reshape(m, 3).copy()
    elif flat.size == m:
        s = np.stack([flat / 2, flat / 2, np.zeros(m)], 1)
    else:
        raise ValueError(
            f"{where}: label_spread has {flat.size} values for {m} labels (need {m} or {3 * m})"
        )
    if (
        not np.isfinite(s).all()
        or np.any(s[:, :2] < 0)
        or np.any(s[:, 2] ** 2 > s[:, 0] * s[:, 1] * (1 + 1e-9) + 1e-300)
    ):
        raise ValueError(
            f"{where}: label_spread is not a set of covariance matrices "
            f"(negative variance or |c_ri| > sqrt(c_rr c_ii))"
        )
    return s


class LabelMixture:
    """Label-conditional Gaussian mixture (see module docstring).

    LabelMixture(centroids, spread=None, labels=None, pmf=None)
    centroids complex [M]; spread [M, 3] (c_rr, c_ii, c_ri), [M] complex variances or None
    (zero); labels int [M] bit labels (default 0..M-1); pmf [M] (default uniform).
    """

    def __init__(self, centroids, spread=None, labels=None, pmf=None, counts=None):
        mu = np.asarray(centroids, dtype=np.complex128).reshape(-1)
        m = len(mu)
        if m < 2 or not np.isfinite(mu).all():
            raise ValueError(f"centroids: need >= 2 finite points, got {m}")
        self.centroids = mu
        self.spread = np.zeros((m, 3)) if spread is None else spread_from_flat(spread, m, "spread")
        lab = np.arange(m) if labels is None else np.asarray(labels, dtype=np.int64).reshape(-1)
        if len(lab) != m:
            raise ValueError(f"labels: {len(lab)} entries for {m} centroids")
        self.bits_per_symbol = max(1, math.ceil(math.log2(m)))
        if np.any(lab < 0) or np.any(lab >= (1 << self.bits_per_symbol)):
            raise ValueError(f"labels must be in [0, {1 << self.bits_per_symbol})")
        self.labels = lab
        if pmf is None:
            self.log_pmf = np.full(m, -math.log(m))
        else:
            p = np.asarray(pmf, dtype=np.float64).reshape(-1)
            if p.shape != (m,) or np.any(p < 0) or not np.isfinite(p).all() or p.sum() <= 0:
                raise ValueError("pmf must be non-negative, finite, one value per label")
            with np.errstate(divide="ignore"):
                self.log_pmf = np.log(p / p.sum())
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        k = self.bits_per_symbol
        self.bit_table = ((lab[:, None] >> np.arange(k - 1, -1, -1)) & 1).astype(bool)

    @property
    def order(self):
        return len(self.centroids)

    # ----------------------------------------------------------------- (de)serialisation
    @classmethod
    def from_metadata(cls, meta, where="model"):
        """From ONNX metadata (dict); ValueError naming ``where`` and the missing key."""
        if not meta.get("label_centroids", "").strip():
            raise ValueError(
                f"{where}: no label_centroids in the model metadata (a model "
                f"trained on labelled data, e.g. --data '<chain spec>' or "
                f"capture:<file>, carries them)"
            )
        flat = _parse_floats(meta["label_centroids"], "label_centroids", where)
        if flat.size % 2 or flat.size < 4:
            raise ValueError(f"{where}: label_centroids needs re,im pairs, got {flat.size} values")
        mu = flat[0::2] + 1j * flat[1::2]
        if not np.isfinite(mu).all():
            raise ValueError(f"{where}: label_centroids has non-finite values")
        m = len(mu)
        sp = None
        if meta.get("label_spread", "").strip():
            sp = spread_from_flat(
                _parse_floats(meta["label_spread"], "label_spread", where), m, where
            )
        lab_txt = meta.get("constellation_labels", "").strip()
        if not lab_txt:
            raise ValueError(
                f"{where}: no constellation_labels (bit labels) in the model "
                f"metadata: decisions and bit LLRs need them"
            )
        labels = None
        if lab_txt:
            try:
                labels = np.array([int(v) for v in lab_txt.split(",")], dtype=np.int64)
            except ValueError as e:
                raise ValueError(f"{where}: constellation_labels unparseable ({e})") from None
            if len(labels) != m:
                raise ValueError(
                    f"{where}: constellation_labels has {len(labels)} entries "
                    f"for {m} label_centroids"
                )
        counts = None
        if meta.get("label_count", "").strip():
            counts = _parse_floats(meta["label_count"], "label_count", where).astype(np.int64)
        try:
            return cls(mu, sp, labels, counts=counts)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None

    @classmethod
    def from_model(cls, path):
        """From an ONNX file's metadata (onnxruntime only)."""
        import os

        import onnxruntime as ort

        p = os.fspath(path)
        if not os.path.isfile(p):
            raise FileNotFoundError(f"{p}: model file not found")
        try:
            so = ort.SessionOptions()
            so.log_severity_level = 3
            sess = ort.InferenceSession(p, so, providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001
            raise ValueError(f"{p}: not a loadable ONNX model ({e})") from None
        return cls.from_metadata(dict(sess.get_modelmeta().custom_metadata_map), p)

    @classmethod
    def nominal(cls, constellation):
        """Zero-spread mixture on a Constellation: the exact bit-wise MAP demapper."""
        return cls(constellation.points, None, constellation.labels)

    def metadata(self):
        """{'label_centroids', 'label_spread'[, 'label_count']} strings for ONNX metadata."""
        out = {
            "label_centroids": _fmt(np.stack([self.centroids.real, self.centroids.imag], 1)),
            "label_spread": _fmt(self.spread),
        }
        if self.counts is not None:
            out["label_count"] = ",".join(str(int(c)) for c in self.counts)
        return out

    # ----------------------------------------------------------------- computations
    def _loglik(self, y, s):
        """log p(m) + log p(y|m), [n, M]; y complex [n] finite, s rail noise var [n]."""
        a = self.spread[None, :, 0] + s[:, None]
        d = self.spread[None, :, 1] + s[:, None]
        c = self.spread[None, :, 2]
        a = np.maximum(a, _FLOOR)
        d = np.maximum(d, _FLOOR)
        det = np.maximum(a * d - c * c, _FLOOR * _FLOOR)
        r = y[:, None] - self.centroids[None, :]
        u, v = r.real, r.imag
        q = (d * u * u - 2 * c * u * v + a * v * v) / det
        return self.log_pmf[None, :] - math.log(2 * math.pi) - 0.5 * np.log(det) - 0.5 * q

    def _prep(self, y, sigma2):
        y = np.asarray(y, dtype=np.complex128).reshape(-1)
        s2 = np.broadcast_to(np.asarray(sigma2, dtype=np.float64), y.shape)
        if np.any(~np.isfinite(s2)) or np.any(s2 < 0):
            raise ValueError("sigma2 must be finite and >= 0 (noise variance per complex sample)")
        ok = np.isfinite(y)
        return y, 0.5 * s2, ok

    def log_posterior(self, y, sigma2):
        """log P(m | y), [N, M] (NaN/Inf rows: uniform)."""
        y, s, ok = self._prep(y, sigma2)
        out = np.full((len(y), self.order), -math.log(self.order))
        for st in range(0, len(y), _CHUNK):
            sl = slice(st, st + _CHUNK)
            o = ok[sl]
            if not o.any():
                continue
            lg = self._loglik(y[sl][o], s[sl][o])
            mx = lg.max(1, keepdims=True)
            lg = lg - mx - np.log(np.exp(lg - mx).sum(1, keepdims=True))
            blk = out[sl]
            blk[o] = lg
        return out

    def decide(self, y, sigma2=0.0):
        """MAP label indices (int64 [N]; -1 for NaN/Inf input).  sigma2 = 0: the
        spread-only metric (nearest centroid in the Mahalanobis sense; for noiseless input:
        after a denoiser give the channel sigma2)."""
        y, s, ok = self._prep(y, sigma2)
        idx = np.full(len(y), -1, dtype=np.int64)
        for st in range(0, len(y), _CHUNK):
            sl = slice(st, st + _CHUNK)
            o = ok[sl]
            if o.any():
                blk = idx[sl]
                blk[o] = np.argmax(self._loglik(y[sl][o], s[sl][o]), axis=1)
        return idx

    def llr(self, y, sigma2, max_log=False):
        """Per-bit LLRs float64 [N, bits_per_symbol], MSB first, log P(b=1|y)/P(b=0|y)
        (positive = bit 1, gr-fec soft-symbol convention); 0 for NaN/Inf input.
        max_log: the max-log approximation max_{m: b=1} log p(m)p(y|m) - max_{m: b=0} of
        the same (the C++ learned_slicer's max_log)."""
        y, s, ok = self._prep(y, sigma2)
        k = self.bits_per_symbol
        out = np.zeros((len(y), k))
        tab = self.bit_table
        for st in range(0, len(y), _CHUNK):
            sl = slice(st, st + _CHUNK)
            o = ok[sl]
            if not o.any():
                continue
            lg = self._loglik(y[sl][o], s[sl][o])
            res = np.empty((lg.shape[0], k))
            for b in range(k):
                one, zero = lg[:, tab[:, b]], lg[:, ~tab[:, b]]
                m1, m0 = one.max(1), zero.max(1)
                if max_log:
                    res[:, b] = m1 - m0
                    continue
                res[:, b] = (
                    m1
                    + np.log(np.exp(one - m1[:, None]).sum(1))
                    - m0
                    - np.log(np.exp(zero - m0[:, None]).sum(1))
                )
            blk = out[sl]
            blk[o] = res
        return out

    def mmse(self, y, sigma2):
        """Exact mixture posterior mean E[x|y] (complex128 [N]; NaN for NaN/Inf input)."""
        y, s, ok = self._prep(y, sigma2)
        out = np.full(len(y), np.nan + 0j)
        sp = self.spread
        for st in range(0, len(y), _CHUNK):
            sl = slice(st, st + _CHUNK)
            o = ok[sl]
            if not o.any():
                continue
            yy, ss = y[sl][o], s[sl][o]
            lg = self._loglik(yy, ss)
            w = np.exp(lg - lg.max(1, keepdims=True))
            w /= w.sum(1, keepdims=True)
            a = np.maximum(sp[None, :, 0] + ss[:, None], _FLOOR)
            d = np.maximum(sp[None, :, 1] + ss[:, None], _FLOOR)
            c = sp[None, :, 2]
            det = np.maximum(a * d - c * c, _FLOOR * _FLOOR)
            r = yy[:, None] - self.centroids[None, :]
            u, v = r.real, r.imag
            # S^-1 r with S = [[a, c], [c, d]]
            iu, iv = (d * u - c * v) / det, (a * v - c * u) / det
            # C_m S^-1 r with C_m = [[crr, cri], [cri, cii]]
            cu = sp[None, :, 0] * iu + sp[None, :, 2] * iv
            cv = sp[None, :, 2] * iu + sp[None, :, 1] * iv
            xm = self.centroids[None, :] + cu + 1j * cv
            blk = out[sl]
            blk[o] = (w * xm).sum(1)
        return out


def estimate(z, labels, order, min_count=2, where="training data"):
    """Per-label centroids and spread from labelled samples.

    z complex [N] (what was received/sent for each symbol), labels int [N] in [0, order):
    returns (centroids complex [M], spread [M, 3] (c_rr, c_ii, c_ri, maximum-likelihood
    covariance), counts int [M]).  ValueError naming ``where`` for labels out of range,
    non-finite samples or a label with fewer than ``min_count`` samples.
    """
    z = np.asarray(z, dtype=np.complex128).reshape(-1)
    lab = np.asarray(labels).reshape(-1)
    if len(z) != len(lab):
        raise ValueError(f"{where}: {len(z)} samples but {len(lab)} labels")
    if not np.issubdtype(lab.dtype, np.integer):
        if not np.all(np.isfinite(lab)) or np.any(lab != np.round(lab)):
            raise ValueError(f"{where}: labels must be integers")
        lab = lab.astype(np.int64)
    if len(lab) and (lab.min() < 0 or lab.max() >= order):
        raise ValueError(
            f"{where}: labels out of range: [{lab.min()}, {lab.max()}] "
            f"(constellation has {order} points: 0..{order - 1})"
        )
    if not np.isfinite(z).all():
        raise ValueError(f"{where}: {int((~np.isfinite(z)).sum())} non-finite samples")
    counts = np.bincount(lab, minlength=order)
    short = np.flatnonzero(counts < min_count)
    if len(short):
        raise ValueError(
            f"{where}: label(s) {', '.join(map(str, short[:8].tolist()))} have "
            f"fewer than {min_count} samples"
        )
    s_re = np.bincount(lab, z.real, order) / counts
    s_im = np.bincount(lab, z.imag, order) / counts
    mu = s_re + 1j * s_im
    r = z - mu[lab]
    crr = np.bincount(lab, r.real**2, order) / counts
    cii = np.bincount(lab, r.imag**2, order) / counts
    cri = np.bincount(lab, r.real * r.imag, order) / counts
    return mu, np.stack([crr, cii, cri], 1), counts
