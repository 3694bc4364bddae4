#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Constant-composition distribution matching (CCDM), exact integer arithmetic (no NumPy
in the coder; Python ints).

CCDM (Schulte & Boecherer, "Constant composition distribution matching", IEEE Trans. IT
2016) maps k uniform bits to a length-n sequence over an M-ary alphabet whose *type*
(composition: how often each symbol occurs) is a fixed C = (c_0, ..., c_{M-1}),
sum c_a = n, by arithmetic coding with the sequential model
P(next = a | prefix) = c_a(remaining) / (symbols remaining).  Here the arithmetic coder
has infinite precision: with N = n! / prod c_a! sequences of type C, the interval of a
sequence is [rank/N, (rank+1)/N) in lexicographic order, so arithmetic decoding of the
input point u/2^k is the unranking of

    rank(u) = ceil(u N / 2^k),        u in [0, 2^k),  k <= floor(log2 N),

and the dematcher ranks the sequence and returns u = floor(rank 2^k / N).  Because
N / 2^k >= 1 the map is injective and the inverse exact (proof in :meth:`CCDM.decode`);
the used sequences are spread evenly over the lexicographic order, so every position of
the block sees (close to) the composition's frequencies.  Each step costs O(1) big-integer
operations on ~k-bit numbers (products and quotients by integers <= n) plus an
O(log M) Fenwick-tree search.

Rate: k = floor(log2 N) bits per n symbols; rate loss H(C/n) - k/n (bits/symbol), which
decays like (M-1) log2(n) / (2n).  :func:`quantize_pmf` picks the composition: the
n-type closest to the target PMF in informational divergence D(C/n || P) (Boecherer &
Geiger, "Optimal quantization for distribution synthesis", 2016).
"""

import math

import numpy as np


# ------------------------------------------------------------------------------ quantisation
def quantize_pmf(pmf, n):
    """Composition (int64 [M], sum n) approximating pmf: floor(n p) plus the remaining
    increments one at a time where they increase n D(C/n || P) least.  p_a = 0 gives c_a = 0."""
    p = np.asarray(pmf, dtype=np.float64).reshape(-1)
    n = int(n)
    if n < 1:
        raise ValueError("block length n must be >= 1")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise ValueError("pmf must be finite, non-negative and not all zero")
    p = p / p.sum()
    c = np.floor(n * p).astype(np.int64)
    c[p == 0] = 0
    rem = n - int(c.sum())
    sup = p > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.where(sup, np.log(np.where(sup, p, 1.0)), np.inf)

    def xlogx(v):
        v = v.astype(np.float64)
        return np.where(v > 0, v * np.log(np.where(v > 0, v, 1.0)), 0.0)

    for _ in range(rem):
        # increase of sum c log(c/p) when c_a -> c_a + 1
        inc = xlogx(c + 1) - xlogx(c) - logp
        inc[~sup] = np.inf
        c[int(np.argmin(inc))] += 1
    return c


def multinomial(counts):
    """n! / prod c! as an exact Python int."""
    out, rem = 1, 0
    for v in counts:
        v = int(v)
        rem += v
        out *= math.comb(rem, v)
    return out


# ------------------------------------------------------------------------------ Fenwick tree
class _Fenwick:
    """Prefix sums of non-negative int counts with O(log M) update / search."""

    def __init__(self, counts):
        m = len(counts)
        self.m = m
        t = [0] * (m + 1)
        for i, v in enumerate(counts, 1):
            t[i] += int(v)
            j = i + (i & -i)
            if j <= m:
                t[j] += t[i]
        self.t = t
        self.top = 1 << (m.bit_length() - 1) if m else 0

    def add(self, i, delta):
        i += 1
        t, m = self.t, self.m
        while i <= m:
            t[i] += delta
            i += i & -i

    def prefix(self, i):
        """sum of counts[0:i]."""
        s, t = 0, self.t
        while i > 0:
            s += t[i]
            i -= i & -i
        return s

    def search(self, q):
        """(a, prefix(a)): the smallest a with prefix(a + 1) > q (q < total)."""
        pos, acc, t, m = 0, 0, self.t, self.m
        step = self.top
        while step:
            nxt = pos + step
            if nxt <= m and acc + t[nxt] <= q:
                pos = nxt
                acc += t[nxt]
            step >>= 1
        return pos, acc


class CompositionError(ValueError):
    """A sequence handed to the dematcher does not have the matcher's composition."""


# ------------------------------------------------------------------------------ CCDM
class CCDM:
    """Constant-composition distribution matcher for one composition.

    CCDM(counts): counts int [M] >= 0, n = sum(counts) >= 1.
    Attributes: n, counts (tuple), num_sequences (N, exact int), k (= floor(log2 N), bits
    per block), bytes_per_block (k // 8), rate (k/n), entropy (H(counts/n), bits),
    rate_loss (entropy - rate).
    encode(u, nbits=k) -> list of n symbols (alphabet indices); decode(seq, nbits=k) -> u;
    encode_bytes / decode_bytes: bytes_per_block bytes per block (MSB-first big-endian).
    """

    def __init__(self, counts):
        c = [int(v) for v in np.asarray(counts).reshape(-1)]
        if not c or any(v < 0 for v in c):
            raise ValueError("composition counts must be non-negative")
        self.counts = tuple(c)
        self.n = sum(c)
        if self.n < 1:
            raise ValueError("composition must have n >= 1 symbols")
        self.M = len(c)
        self.num_sequences = multinomial(c)
        self.k = self.num_sequences.bit_length() - 1
        self.bytes_per_block = self.k // 8

    @property
    def rate(self):
        return self.k / self.n

    @property
    def entropy(self):
        n = self.n
        return -sum(v / n * math.log2(v / n) for v in self.counts if v)

    @property
    def rate_loss(self):
        return self.entropy - self.rate

    @property
    def pmf(self):
        return np.asarray(self.counts, dtype=np.float64) / self.n

    def _check_nbits(self, nbits):
        nbits = self.k if nbits is None else int(nbits)
        if not 0 <= nbits <= self.k:
            raise ValueError(f"nbits must be in [0, {self.k}], got {nbits}")
        return nbits

    def encode(self, u, nbits=None):
        """Symbols (list of n ints) for the integer u in [0, 2^nbits)."""
        nbits = self._check_nbits(nbits)
        u = int(u)
        if not 0 <= u < (1 << nbits):
            raise ValueError(f"u must be in [0, 2^{nbits})")
        N = self.num_sequences
        rank = -((-u * N) >> nbits)  # ceil(u N / 2^nbits)
        return self._unrank(rank)

    def _unrank(self, rank):
        tree = _Fenwick(self.counts)
        cnt = list(self.counts)
        N, r = self.num_sequences, self.n
        out = [0] * r
        for pos in range(self.n):
            # symbol a with  N acc / r <= rank < N (acc + c_a) / r,  acc = c_0 + .. + c_{a-1}
            q = rank * r // N
            a, acc = tree.search(q)
            if acc:
                rank -= N * acc // r  # exact: sum of N(C - e_b), b < a
            N = N * cnt[a] // r  # exact: N(C - e_a)
            cnt[a] -= 1
            tree.add(a, -1)
            r -= 1
            out[pos] = a
        return out

    def rank(self, seq):
        """Lexicographic rank of a sequence of this composition (CompositionError if the
        composition differs)."""
        if len(seq) != self.n:
            raise CompositionError(f"block has {len(seq)} symbols, expected {self.n}")
        tree = _Fenwick(self.counts)
        cnt = list(self.counts)
        N, r, rank = self.num_sequences, self.n, 0
        M = self.M
        for a in seq:
            a = int(a)
            if not 0 <= a < M or cnt[a] == 0:
                raise CompositionError("block composition differs from the matcher's")
            acc = tree.prefix(a)
            if acc:
                rank += N * acc // r
            N = N * cnt[a] // r
            cnt[a] -= 1
            tree.add(a, -1)
            r -= 1
        return rank

    def decode(self, seq, nbits=None):
        """u such that encode(u) == seq (for seq in the matcher's image).

        With rank = ceil(u N / 2^k) and N / 2^k >= 1:  u N/2^k <= rank < u N/2^k + 1, so
        u <= rank 2^k / N < u + 2^k / N <= u + 1 and u = floor(rank 2^k / N).  A sequence of
        the right composition that is not in the image (symbol errors) still decodes to
        some u in range; a wrong composition raises CompositionError.
        """
        nbits = self._check_nbits(nbits)
        return (self.rank(seq) << nbits) // self.num_sequences

    def encode_bytes(self, data):
        """n symbols carrying exactly bytes_per_block bytes."""
        b = self.bytes_per_block
        if len(data) != b:
            raise ValueError(f"need {b} bytes per block, got {len(data)}")
        return self.encode(int.from_bytes(bytes(data), "big"), 8 * b)

    def decode_bytes(self, seq):
        b = self.bytes_per_block
        return self.decode(seq, 8 * b).to_bytes(b, "big")


def ccdm_rate_loss(pmf, n):
    """(rate loss in bits/symbol, k, n, bytes_per_block) of the CCDM for pmf quantised to
    n symbols; the rate loss is H(P) - k/n against the *target* pmf and H(C/n) - k/n
    against the composition: returns a dict with both."""
    c = quantize_pmf(pmf, n)
    dm = CCDM(c)
    p = np.asarray(pmf, dtype=np.float64)
    p = p / p.sum()
    nz = p[p > 0]
    h_target = float(-np.sum(nz * np.log2(nz)))
    return {
        "n": dm.n,
        "k": dm.k,
        "bytes_per_block": dm.bytes_per_block,
        "rate": dm.rate,
        "byte_rate": 8 * dm.bytes_per_block / dm.n,
        "entropy_target": h_target,
        "entropy_composition": dm.entropy,
        "rate_loss": dm.rate_loss,
        "rate_loss_vs_target": h_target - dm.rate,
        "byte_rate_loss": dm.entropy - 8 * dm.bytes_per_block / dm.n,
    }
