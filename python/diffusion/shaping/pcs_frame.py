#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Probabilistically shaped transmission: PMF -> CCDM -> Gray-labelled points, and back
(NumPy only; the GNU Radio blocks pcs_mapper / pcs_demapper are thin shells over this).

A :class:`PcsFrame` is everything both ends need for one PMF and block length n:

* the composition C = quantize_pmf(pmf, n) (counts per constellation point, sum n): the PMF
  actually transmitted is C/n, and the points are rescaled to unit average power under
  C/n (so every block of n symbols has power exactly 1);
* the CCDM over the *Gray label* alphabet: matcher symbol a is the label value a and is
  sent on the point whose Gray label is a (label_to_point[a]), so the bits the matcher
  chooses are the Gray labels of the points;
* bytes_per_block = floor(k / 8) payload bytes per block of n symbols, k = floor(log2 N):
  blocks carry whole bytes, so a block that is lost or decoded wrongly never shifts the
  bytes of the next one (resynchronisation at every block boundary);
* an identity (12 hex digits of a hash of the constellation name and composition).

Payload bytes are packed (8 bits per byte); the first byte of a block is the most
significant byte of the integer u the matcher encodes.
"""

import hashlib

import numpy as np

from .distribution_matching import CCDM, CompositionError, quantize_pmf
from .pmf import ShapedConstellation, as_constellation

# Stream-tag keys of the PCS blocks: a frame starts at "pcs_block" (value: PMF id);
# "pcs_pmf" carries the PMF description (composition, PMF, Es/N0) when it changes.
BLOCK_TAG = "pcs_block"
PMF_TAG = "pcs_pmf"

DEFAULT_BLOCK = 4096


def composition_identity(base_name, counts):
    h = hashlib.sha1(str(base_name).encode() + b":" + np.asarray(counts, "<i8").tobytes())
    return h.hexdigest()[:12]


class PcsFrame:
    """CCDM codec of one PMF over a constellation, block length n.

    PcsFrame(shaped, n)                       shaped: ShapedConstellation (target PMF)
    PcsFrame.from_counts(base, counts, ...)   the receiver side, from a composition
    Attributes: base, n, counts (int64 [M] per point), shaped (ShapedConstellation under
    counts/n), points (complex128 [M], unit power under counts/n), ccdm, bytes_per_block,
    identity, esn0_db, source, target_pmf.
    """

    def __init__(self, shaped, n=DEFAULT_BLOCK, counts=None):
        base = shaped.base
        n = int(n)
        if counts is None:
            counts = quantize_pmf(shaped.pmf, n)
        counts = np.asarray(counts, dtype=np.int64).reshape(-1)
        if counts.size != base.order or counts.sum() != n or np.any(counts < 0):
            raise ValueError(
                f"composition must have {base.order} non-negative counts summing to n = {n}"
            )
        labels = np.asarray(base.labels, dtype=np.int64)
        if sorted(labels.tolist()) != list(range(base.order)):
            raise ValueError(f"{base.name}: labels must be a permutation of 0..M-1")
        self.base = base
        self.n = n
        self.counts = counts
        self.target_pmf = np.asarray(shaped.pmf, dtype=np.float64)
        self.esn0_db = shaped.esn0_db
        self.source = shaped.source
        self.shaped = ShapedConstellation.from_pmf(
            base, counts / n, shaped.esn0_db, shaped.source, shaped.info
        )
        self.points = self.shaped.points
        self.label_to_point = np.empty(base.order, dtype=np.int64)
        self.label_to_point[labels] = np.arange(base.order)
        self.point_to_label = labels
        self.ccdm = CCDM(counts[self.label_to_point])  # counts in label order
        self.bytes_per_block = self.ccdm.bytes_per_block
        if self.bytes_per_block < 1:
            raise ValueError(
                f"the composition carries {self.ccdm.k} bits per block of {n} "
                f"symbols: less than a byte; increase the block length"
            )
        self.identity = composition_identity(base.name, counts)

    @classmethod
    def from_counts(cls, base, counts, esn0_db=None, source="custom"):
        base = as_constellation(base)
        counts = np.asarray(counts, dtype=np.int64).reshape(-1)
        n = int(counts.sum())
        if n < 1:
            raise ValueError("empty composition")
        shaped = ShapedConstellation.from_pmf(base, counts / n, esn0_db, source)
        return cls(shaped, n, counts)

    # ------------------------------------------------------------------ rates
    @property
    def rate(self):
        """Payload bits per symbol actually carried (whole bytes per block)."""
        return 8.0 * self.bytes_per_block / self.n

    @property
    def entropy(self):
        return self.ccdm.entropy

    @property
    def rate_loss(self):
        """H(C/n) - 8 bytes_per_block / n (the matcher's loss incl. byte alignment)."""
        return self.entropy - self.rate

    # ------------------------------------------------------------------ coding
    def encode(self, payload):
        """Point indices (int64 [b n]) of b blocks for payload of b * bytes_per_block bytes."""
        data = bytes(payload)
        B = self.bytes_per_block
        if len(data) % B:
            raise ValueError(f"payload must be a multiple of {B} bytes")
        nb = len(data) // B
        out = np.empty(nb * self.n, dtype=np.int64)
        for b in range(nb):
            lab = self.ccdm.encode_bytes(data[b * B : (b + 1) * B])
            out[b * self.n : (b + 1) * self.n] = self.label_to_point[lab]
        return out

    def modulate(self, payload):
        return self.points[self.encode(payload)]

    def decode_block(self, point_idx):
        """bytes_per_block bytes of one block of n point indices, or None when the block
        does not have the composition (symbol errors)."""
        idx = np.asarray(point_idx, dtype=np.int64).reshape(-1)
        if idx.size != self.n:
            raise ValueError(f"a block has {self.n} symbols, got {idx.size}")
        if np.any(idx < 0) or np.any(idx >= self.base.order):
            return None
        if not np.array_equal(np.bincount(idx, minlength=self.base.order), self.counts):
            return None
        try:
            return self.ccdm.decode_bytes(self.point_to_label[idx].tolist())
        except CompositionError:
            return None

    def decode(self, point_idx, fill=0):
        """Bytes of whole blocks; blocks with the wrong composition give ``fill`` bytes.
        Returns (bytes, number of bad blocks)."""
        idx = np.asarray(point_idx, dtype=np.int64).reshape(-1)
        nb = idx.size // self.n
        parts, bad = [], 0
        for b in range(nb):
            d = self.decode_block(idx[b * self.n : (b + 1) * self.n])
            if d is None:
                bad += 1
                d = bytes([fill]) * self.bytes_per_block
            parts.append(d)
        return b"".join(parts), bad

    def slice(self, y):
        """Nearest-point indices (support of the composition only)."""
        return self.shaped.slice(y)

    # ------------------------------------------------------------------ description
    def describe(self):
        """Plain dict (JSON/PMT-friendly) that lets the receiver rebuild the frame."""
        return {
            "pmf_id": self.identity,
            "constellation": self.base.name,
            "source": self.source,
            "esn0_db": float(self.esn0_db) if self.esn0_db is not None else float("nan"),
            "n": int(self.n),
            "k": int(self.ccdm.k),
            "bytes_per_block": int(self.bytes_per_block),
            "composition": [int(v) for v in self.counts],
            "pmf": [float(v) for v in self.shaped.pmf],
            "scale": float(self.shaped.scale),
        }

    @classmethod
    def from_description(cls, base, desc):
        base = as_constellation(base)
        if desc.get("constellation") not in (None, base.name):
            raise ValueError(f"frame is for {desc['constellation']}, receiver has {base.name}")
        esn0 = desc.get("esn0_db")
        fr = cls.from_counts(base, desc["composition"], esn0, desc.get("source", "custom"))
        if "pmf_id" in desc and desc["pmf_id"] != fr.identity:
            raise ValueError("pmf_id does not match the composition")
        return fr


def iid_indices(shaped, n, rng):
    """n i.i.d. point indices with the shaped constellation's PMF."""
    return shaped.sample(n, rng)
