#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""A reference LDPC decoder in NumPy (no GNU Radio): alist parsing, a systematic encoder,
belief propagation in the log domain (sum-product with the tanh rule, or min-sum), and the
bit interleaver of the coded link.

Soft input convention: the same as gr-fec's and the learned slicer's, L = log P(b=1|y) /
P(b=0|y) (positive = bit 1); :func:`bp_decode` takes the LLRs themselves (no 1/2, no sigma).
Everything is vectorised over a batch of frames: llr [B, N] float -> bits [B, N] uint8.

This decoder is the yardstick the coded-link bench uses to tell what the LLRs are worth from
what gr-fec's ldpc_decoder makes of them (bench/ldpc_check.py,
bench/results_coded_link.md).
"""

import numpy as np


class ParityCheck:
    """The parity-check matrix of an alist file (MacKay's format, 1-based indices, as
    gr-fec reads it): ``n`` variables, ``m`` checks, ``check_of`` / ``var_of`` the two ends
    of every edge (edges sorted by check), ``h`` the dense uint8 matrix [m, n]."""

    def __init__(self, path):
        with open(path) as f:
            tok = f.read().split()
        vals = [int(t) for t in tok]
        n, m = vals[0], vals[1]
        pos = 4
        col_w = vals[pos : pos + n]
        pos += n
        row_w = vals[pos : pos + m]
        pos += m
        max_col = vals[2]
        max_row = vals[3]
        # column lists: n lines of max_col entries (0-padded) in the standard format; some
        # files write only the weight's entries, which the row weights disambiguate
        rest = vals[pos:]
        need_padded = n * max_col + m * max_row
        h = np.zeros((m, n), np.uint8)
        if len(rest) >= need_padded:
            for v in range(n):
                for c in rest[v * max_col : v * max_col + col_w[v]]:
                    h[c - 1, v] = 1
        else:
            p = 0
            for v in range(n):
                for c in rest[p : p + col_w[v]]:
                    h[c - 1, v] = 1
                p += col_w[v]
        if not np.array_equal(h.sum(1), np.asarray(row_w)) or not np.array_equal(
            h.sum(0), np.asarray(col_w)
        ):
            raise ValueError(f"{path}: alist weights do not match its index lists")
        self.path, self.n, self.m, self.h = path, n, m, h
        self.check_of, self.var_of = np.nonzero(h)  # sorted by check, then variable
        self.edges = len(self.check_of)
        self._by_var = np.argsort(self.var_of, kind="stable")
        self._check_start = np.flatnonzero(np.r_[True, np.diff(self.check_of) != 0])
        self._var_start = np.flatnonzero(np.r_[True, np.diff(self.var_of[self._by_var]) != 0])
        self._gen = None

    # ------------------------------------------------------------------ encoding
    def _generator(self):
        """Systematic encoder: (info positions, parity positions, P) with
        parity = info @ P^T mod 2 (Gaussian elimination of H over GF(2))."""
        if self._gen is not None:
            return self._gen
        a = self.h.copy()
        m, n = a.shape
        pivots = []
        row = 0
        for col in range(n - 1, -1, -1):  # pivots from the right: parity at the end
            if row == m:
                break
            r = np.flatnonzero(a[row:, col])
            if not len(r):
                continue
            r = row + r[0]
            a[[row, r]] = a[[r, row]]
            hit = np.flatnonzero(a[:, col])
            hit = hit[hit != row]
            a[hit] ^= a[row]
            pivots.append(col)
            row += 1
        a = a[:row]
        piv = np.array(pivots)
        info = np.setdiff1d(np.arange(n), piv)
        # each kept row: x[piv[r]] = sum over info columns of a[r, info] x[info]
        self._gen = (info, piv, a[:, info])
        return self._gen

    @property
    def k(self):
        return len(self._generator()[0])

    def encode(self, info_bits):
        """Codewords [B, n] uint8 for info bits [B, k] (systematic on the info positions)."""
        info, piv, p = self._generator()
        u = np.atleast_2d(np.asarray(info_bits, np.uint8))
        x = np.zeros((u.shape[0], self.n), np.uint8)
        x[:, info] = u
        x[:, piv] = (u.astype(np.float64) @ p.T.astype(np.float64)).astype(np.int64) & 1
        return x

    def syndrome_ok(self, bits):
        """[B] bool: every parity check satisfied."""
        b = np.atleast_2d(np.asarray(bits, np.uint8))
        par = np.bitwise_xor.reduceat(b[:, self.var_of], self._check_start, axis=1)
        return ~par.any(1)

    # ------------------------------------------------------------------ decoding
    def _sum_by_check(self, x):
        return np.add.reduceat(x, self._check_start, axis=1)

    def decode(self, llr, max_iterations=50, method="spa", clip=None):
        """Flooding belief propagation. llr [B, n] (positive = bit 1); method 'spa'
        (sum-product, tanh rule, float64) or 'minsum' (normalised by 0.75 per check
        message); clip: optional bound on the channel LLR magnitude. Returns
        (bits [B, n] uint8, iterations [B] int, converged [B] bool); a frame stops
        updating once its hard decision satisfies every check."""
        lch = np.atleast_2d(np.asarray(llr, np.float64))
        if clip is not None:
            lch = np.clip(lch, -clip, clip)
        lch = np.where(np.isfinite(lch), lch, 0.0)
        nb = lch.shape[0]
        cv = self.check_of, self.var_of
        v2c = lch[:, cv[1]]  # [B, E], edges by check
        bits = (lch > 0).astype(np.uint8)
        done = self.syndrome_ok(bits)
        iters = np.zeros(nb, np.int64)
        by_var = self._by_var
        for it in range(int(max_iterations)):
            act = ~done
            if not act.any():
                break
            q = v2c[act]
            if method == "spa":
                t = np.tanh(np.clip(q, -60, 60) / 2)
                neg = t < 0
                a = np.log(np.maximum(np.abs(t), 1e-300))
                tot = self._sum_by_check(a)
                par = self._sum_by_check(neg.astype(np.int64)) & 1
                ext = np.exp(np.repeat(tot, np.diff(np.r_[self._check_start, self.edges]), 1) - a)
                sgn = np.where(
                    (np.repeat(par, np.diff(np.r_[self._check_start, self.edges]), 1) ^ neg) & 1,
                    -1.0,
                    1.0,
                )
                c2v = sgn * 2 * np.arctanh(np.minimum(ext, 1 - 1e-16))
            elif method == "minsum":
                c2v = self._minsum(q) * 0.75
            else:
                raise ValueError(f"method must be 'spa' or 'minsum', got {method!r}")
            # variable update (edges by variable)
            cb = c2v[:, by_var]
            tot_v = np.add.reduceat(cb, self._var_start, axis=1)  # [b, n] (vars in order)
            post = lch[act] + tot_v
            rep = np.repeat(post, np.diff(np.r_[self._var_start, self.edges]), 1)
            newq = np.empty_like(q)
            newq[:, by_var] = rep - cb
            v2c[act] = newq
            hard = (post > 0).astype(np.uint8)
            bits[act] = hard
            iters[act] = it + 1
            done[act] = self.syndrome_ok(hard)
        return bits, iters, done

    def _minsum(self, q):
        starts = np.r_[self._check_start, self.edges]
        lens = np.diff(starts)
        mag = np.abs(q)
        neg = q < 0
        par = self._sum_by_check(neg.astype(np.int64)) & 1
        out = np.empty_like(q)
        # min and second min per check (checks have few edges: loop over edge slots)
        big = np.full((q.shape[0], len(lens)), np.inf)
        m1, m2, arg = big.copy(), big.copy(), np.full(big.shape, -1)
        for j in range(lens.max()):
            ok = lens > j
            e = self._check_start[ok] + j
            v = mag[:, e]
            lo = v < m1[:, ok]
            m2[:, ok] = np.where(lo, m1[:, ok], np.minimum(m2[:, ok], v))
            m1[:, ok] = np.where(lo, v, m1[:, ok])
            arg[:, ok] = np.where(lo, e, arg[:, ok])
        chk = self.check_of
        mine = arg[:, chk] == np.arange(self.edges)[None, :]
        m = np.where(mine, m2[:, chk], m1[:, chk])
        sgn = np.where((par[:, chk] ^ neg) & 1, -1.0, 1.0)
        out[:] = sgn * m
        return out


def interleaver(n, seed=0x1D1):
    """The coded link's bit interleaver: a fixed pseudo-random permutation of n codeword
    bits (codeword bit perm[j] goes to channel position j; deinterleave with
    np.argsort(perm))."""
    return np.random.default_rng(seed).permutation(int(n))
