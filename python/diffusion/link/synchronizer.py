#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Preamble-based frame synchronizer of the gr-diffusion link (NumPy; no GNU Radio).

:class:`PreambleSynchronizer` takes timing-recovered symbols (1 sample per symbol) in chunks
of any size and returns the frames it finds, in order; the ``preamble_sync`` block is a
GNU Radio shell over it.

Input: timing-recovered symbols (1 sample per symbol) of the gr-diffusion link frames
(:mod:`diffusion.link.framing`: BPSK m-sequence preamble of L symbols, payload symbols with
BPSK pilot blocks). Per frame, all vectorised over NumPy arrays:

1. frame sync: differential preamble correlation, insensitive to the carrier frequency
   offset (r[n] = y[n+1] y*[n] correlated with p[n+1] p*[n]), normalised:
   rho[k] = |sum_i r[k+i] q*[i]| / sum_i |r[k+i]|  (1 for a noiseless preamble; random
   symbols stay below ~0.55). From the first position above ``threshold``, the frame starts
   at the highest peak within one frame length that also passes a coherent test (the
   periodogram peak of y p*, normalised: 1/sqrt(1 + sigma2) for the preamble, ~0.25
   elsewhere, accepted above 0.5): a false alarm never hides the preamble behind it.
2. carrier: the preamble-stripped samples z = y p* give the frequency offset (periodogram
   peak, unambiguous over +-pi rad/symbol, refined by the slope of the unwrapped phases of
   segment means), the absolute phase and the complex gain at the preamble centre: the
   known preamble resolves the M-fold phase ambiguity of the payload.
3. payload phase tracking: with pilots (the default frame), the phase at every pilot block,
   predicted from the previous one with the running frequency estimate, then measured;
   linear interpolation between blocks. Where the noise level makes decisions reliable
   (sigma2 < d_min^2 / 8) and ``dd_block`` > 0, a decision-directed residual phase per block
   of ``dd_block`` payload symbols refines it. Frames without pilots are tracked
   decision-directed block by block (``dd_block`` > 0) or by the preamble alone.
4. one-tap equalization: y e^{-j theta(n)} / |g| (unit power, like the constellation), the
   gain averaged over the preamble and the pilots.
5. noise level sigma2 per complex symbol: the residual on the known symbols (corrected for
   the fitted parameters) or, with noise_est='em' (default), the EM estimate over the
   payload and the constellation (diffusion.core.noise_estimation) warm-started from it.
6. payload identification (reference for metrics): soft correlation with every entry of
   the known payload pool; a clear best match (diffusion.link.framing.Framing.identify) is
   the reference of the frame.

Per frame the result is a :class:`SyncedFrame` (payload, sigma2, reference, info).
"""

import math
from dataclasses import dataclass

import numpy as np

from ..core.noise_estimation import em_noise_variance
from .framing import Framing, LinkConfig

NOISE_EST = ("em", "preamble")
_MAX_CANDIDATES = 8  # correlation peaks per frame window given the coherent test
_VALID = 0.5  # coherent test threshold (preamble: 1/sqrt(1 + sigma2), i.e.
# > 0.5 above Es/N0 = -4.8 dB; other symbols: ~0.25)


@dataclass
class SyncedFrame:
    """One synchronised frame: payload (complex64, unit power), sigma2 per symbol (float32,
    constant over the frame), reference payload (complex64; NaN when no pool entry
    matches), info (frame_start, noise_var, esn0_db, cfo rad/symbol, phase rad, gain, corr,
    payload_index) and the noise variance from the known symbols alone."""

    payload: np.ndarray
    sigma2: np.ndarray
    reference: np.ndarray
    info: dict
    noise_var_known: float


class PreambleSynchronizer:
    """Frame sync, carrier/phase recovery, one-tap equalization and noise estimation from
    the known preamble of the gr-diffusion link frames (see the module documentation).

    PreambleSynchronizer(constellation='16qam', preamble_len=64, payload_len=1024,
    payload_seed=0, n_payloads=8, payload_file='', pilot_interval=128, pilot_len=8,
    threshold=0.3, dd_block=32, noise_est='em')

    :meth:`push` appends symbols and returns the complete frames found; a frame is returned
    once all its symbols and the search window behind its start are in (latency up to two
    frames). ``guard`` symbols of slack separate consecutive frames.
    """

    guard = 4

    def __init__(
        self,
        constellation="16qam",
        preamble_len=64,
        payload_len=1024,
        payload_seed=0,
        n_payloads=8,
        payload_file="",
        pilot_interval=128,
        pilot_len=8,
        threshold=0.3,
        dd_block=32,
        noise_est="em",
    ):
        cfg = LinkConfig(
            constellation=constellation,
            preamble_len=preamble_len,
            payload_len=payload_len,
            payload_seed=payload_seed,
            n_payloads=n_payloads,
            payload_file=payload_file,
            pilot_interval=pilot_interval,
            pilot_len=pilot_len,
        )
        if not 0.0 < float(threshold) < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold}")
        if int(dd_block) < 0:
            raise ValueError("dd_block must be >= 0 (0: no decision-directed tracking)")
        if str(noise_est) not in NOISE_EST:
            raise ValueError(f"noise_est must be one of {NOISE_EST}, got {noise_est!r}")
        self.config = cfg
        self.framing = Framing(cfg)
        self.const = self.framing.constellation
        self._points = self.const.points
        self._p = self.framing.preamble
        self._L, self._N = cfg.preamble_len, cfg.payload_len
        self._F = cfg.frame_len
        self._thr = float(threshold)
        self._ddb = int(dd_block)
        self._noise_est = str(noise_est)
        nseg = 4 if self._L >= 32 else 2
        self._ls = self._L // nseg
        self._nseg = nseg
        self._seg_t = (np.arange(nseg) + 0.5) * self._ls - 0.5  # segment centres
        self._dp = self._p[1:] * np.conj(self._p[:-1])  # differential preamble
        self._nfft = 1 << int(math.ceil(math.log2(16 * self._L)))
        # decision-directed refinement only where decisions are reliable: per-rail error
        # probability Q(d_min / 2 / sqrt(sigma2 / 2)) < Q(2), i.e. sigma2 < d_min^2 / 8
        pts = self._points
        dmin = np.min(np.abs(pts[:, None] - pts[None, :]) + 1e9 * np.eye(pts.size))
        self._dd_max_s2 = dmin * dmin / 8.0
        # square QAM: the points are the product of these levels on the I and Q rails
        re_l, im_l = np.unique(np.round(pts.real, 9)), np.unique(np.round(pts.imag, 9))
        grid = (
            re_l.size * im_l.size == pts.size
            and np.allclose(re_l, im_l)
            and np.allclose(
                np.sort_complex(pts),
                np.sort_complex((re_l[:, None] + 1j * im_l[None, :]).reshape(-1)),
            )
        )
        self._rail_levels = re_l if grid else None
        self._buf = np.zeros(0, dtype=np.complex64)
        self.frames = 0  # frames detected so far
        self.identified = 0  # frames whose payload matched a pool entry
        self._sums = [0.0, 0.0, 0.0]  # sigma2, cfo, cfo^2 over all frames
        self._sums_id = [0.0, 0.0, 0.0]  # ... over the identified frames

    @property
    def payload_len(self):
        return self._N

    @property
    def frame_len(self):
        return self._F

    @property
    def buffered(self):
        """Symbols held back for frames not complete yet."""
        return self._buf.size

    def discard(self):
        """Drop the symbols held back (after an error: the search starts afresh)."""
        self._buf = np.zeros(0, dtype=np.complex64)

    def push(self, samples):
        """Append symbols (complex); returns the list of :class:`SyncedFrame` now complete."""
        self._buf = np.concatenate([self._buf, np.asarray(samples, dtype=np.complex64)])
        return self._process()

    def stats(self):
        """Summary since the start: frames, frames_identified and, over the identified frames
        (over all of them while none is), noise_var (mean of the frames' sigma2), esn0_db
        (of that mean), cfo (mean, rad/symbol), cfo_std."""
        n = self.frames
        out = {"frames": n, "frames_identified": self.identified}
        sums, k = (self._sums_id, self.identified) if self.identified else (self._sums, n)
        if k == 0:
            return out
        s2 = sums[0] / k
        cfo = sums[1] / k
        var = max(sums[2] / k - cfo * cfo, 0.0)
        out.update(
            noise_var=s2,
            esn0_db=-10.0 * math.log10(max(s2, 1e-30)),
            cfo=cfo,
            cfo_std=math.sqrt(var),
        )
        return out

    # ------------------------------------------------------------------ algorithm
    def _em(self, y, s2_init):
        """EM noise variance of y over the constellation (diffusion.core.noise_estimation). For a
        square QAM the posterior factorises over the I and Q rails, so the same EM runs per
        rail on sqrt(M) levels (variance sigma2 / 2 per rail): M / (2 sqrt(M)) times fewer
        exponentials, same result."""
        lev = self._rail_levels
        if lev is None:
            return em_noise_variance(y, self._points, sigma2_init=s2_init)[0]
        u = np.concatenate([y.real, y.imag])
        d2 = (u[:, None] - lev[None, :]) ** 2
        s = s2_init / 2.0
        for _ in range(20):
            a = -d2 / (2.0 * s)
            a -= a.max(axis=1, keepdims=True)
            w = np.exp(a)
            nxt = max(float(np.mean(np.sum(w * d2, axis=1) / np.sum(w, axis=1))), 1e-12)
            done = abs(nxt - s) <= 1e-4 * s
            s = nxt
            if done:
                break
        return 2.0 * s

    def _dd_refine(self, payload, pos):
        """Decision-directed residual phase per block of dd_block payload symbols (complex
        correlations of 3 neighbouring blocks averaged), interpolated over the payload.
        Vectorised; used on top of the pilot-aided phase when decisions are reliable."""
        B = self._ddb
        n = payload.size
        nb = -(-n // B)
        d = self._points[self.const.slice(payload)]
        prod = np.zeros(nb * B, dtype=np.complex128)
        prod[:n] = payload * np.conj(d)
        corr = prod.reshape(nb, B).sum(axis=1)
        if nb >= 3:
            corr = np.convolve(corr, np.ones(3), "same")
        tpos = np.zeros(nb * B)
        tpos[:n] = pos
        cnt = np.full(nb, B, dtype=float)
        cnt[-1] = n - (nb - 1) * B
        centres = tpos.reshape(nb, B).sum(axis=1) / cnt
        return payload * np.exp(-1j * np.interp(pos, centres, np.angle(corr)))

    def _metric(self, buf):
        """rho[k] for k = 0 .. len(buf) - L (see the module documentation)."""
        L = self._L
        K = buf.size - L + 1
        r = buf[1:] * np.conj(buf[:-1])  # lag-1 products: CFO -> constant
        c = np.correlate(r, self._dp, "valid")[:K]  # (L - 1) taps
        e = np.concatenate([[0.0], np.cumsum(np.abs(r.astype(np.complex128)))])
        mag = e[L - 1 : L - 1 + K] - e[:K]
        return np.abs(c) / np.maximum(mag, 1e-30)

    def _coherent(self, seg):
        """Coherent preamble metric of a candidate: (rho_c, w0) with rho_c =
        max_w |sum_n y[n] p*[n] e^{-j w n}| / sqrt(L sum |y|^2) (1 for a noiseless preamble,
        1/sqrt(1 + sigma2) in noise, ~sqrt(ln(16 L) / L) on other symbols) and w0 the
        maximising frequency (rad/symbol, the periodogram peak: ML, unambiguous over +-pi)."""
        L = self._L
        z = seg.astype(np.complex128) * np.conj(self._p)
        spec = np.abs(np.fft.fft(z, self._nfft))
        k = int(np.argmax(spec))
        energy = float(np.sum(np.abs(z) ** 2))
        rho_c = spec[k] / math.sqrt(L * energy) if energy > 0 else 0.0
        w0 = 2.0 * math.pi * k / self._nfft
        return rho_c, (w0 + math.pi) % (2.0 * math.pi) - math.pi

    def _process(self):
        """Find and process every complete frame in the buffer; returns them in order.

        From the first position above the threshold, the frame start is the highest peak of
        rho within one frame (F - guard symbols): a false alarm ahead of a preamble does
        not hide it. Candidates (highest first, at most _MAX_CANDIDATES) must pass the
        coherent test (_coherent, rho_c > _VALID); a window without a valid one is skipped."""
        buf = self._buf
        L, F = self._L, self._F
        W = F - self.guard
        n = buf.size
        out = []
        if n < F + L:
            return out
        rho = self._metric(buf)  # positions 0 .. n - L
        last = rho.size - 1
        pos = 0
        while True:
            cand = np.flatnonzero(rho[pos:] > self._thr)
            if cand.size == 0:
                pos = max(pos, last + 1)
                break
            k0 = pos + int(cand[0])
            if k0 + W > last + 1:  # search window not complete yet
                pos = k0
                break
            win = rho[k0 : k0 + W]
            above = np.flatnonzero(win > self._thr)
            order = above[np.argsort(-win[above], kind="stable")][:_MAX_CANDIDATES]
            found = None
            for j in order:
                peak = k0 + int(j)
                rho_c, w0 = self._coherent(buf[peak : peak + L])
                if rho_c > _VALID:
                    found = (peak, rho_c, w0)
                    break
            if found is None:
                pos = k0 + W
                continue
            peak, rho_c, w0 = found
            if peak + F > n:  # wait for the whole frame
                pos = peak
                break
            fr = self._frame(buf[peak : peak + F], rho_c, w0)
            if fr is not None:
                out.append(fr)
            pos = peak + W
        self._buf = buf[max(0, min(pos, n - L + 1)) :].copy()
        return out

    def _frame(self, y, rho, w0):
        L, N, F = self._L, self._N, self._F
        y = y.astype(np.complex128)
        z = y[:L] * np.conj(self._p)
        # frequency: periodogram peak of z (w0), refined by the slope of the unwrapped phases
        # of the segment means
        zr = z * np.exp(-1j * w0 * np.arange(L))
        zs = np.array([np.mean(zr[s * self._ls : (s + 1) * self._ls]) for s in range(self._nseg)])
        ph = np.unwrap(np.angle(zs))
        t = self._seg_t
        w = w0 + (float(np.polyfit(t, ph, 1)[0]) if len(t) > 1 else 0.0)
        c = (L - 1) / 2.0
        nn = np.arange(L)
        a = np.mean(z * np.exp(-1j * w * (nn - c)))
        phi, g = float(np.angle(a)), float(np.abs(a))
        if g <= 0 or not math.isfinite(g):
            return None
        fr = self.framing
        anchors_t, anchors_th = [c], [phi]
        t_prev, th_prev, wk = c, phi, w
        gsum, gn = g * L, L
        if fr.pilot_blocks:
            # pilot-aided: phase (and gain) at every pilot block, predicted from the previous
            # anchor with the running frequency estimate, then measured
            for (s0, s1), pil in zip(fr.pilot_blocks, fr.pilots):
                tc = (s0 + s1 - 1) / 2.0
                th_pred = th_prev + wk * (tc - t_prev)
                m = np.mean(
                    y[s0:s1]
                    * np.conj(pil)
                    * np.exp(-1j * (th_pred + wk * (np.arange(s0, s1) - tc)))
                )
                err = float(np.angle(m))
                th = th_pred + err
                wk += 0.5 * err / (tc - t_prev)
                gsum += abs(m) * (s1 - s0)
                gn += s1 - s0
                anchors_t.append(tc)
                anchors_th.append(th)
                t_prev, th_prev = tc, th
        elif self._ddb > 0:
            # decision-directed, block by block
            pts = self._points
            for s in range(L, F, self._ddb):
                e = min(F, s + self._ddb)
                tc = (s + e - 1) / 2.0
                th_pred = th_prev + wk * (tc - t_prev)
                r = y[s:e] * np.exp(-1j * (th_pred + wk * (np.arange(s, e) - tc))) / g
                d = pts[np.argmin(np.abs(r[:, None] - pts[None, :]), axis=1)]
                err = float(np.angle(np.sum(r * np.conj(d))))
                th = th_pred + err
                wk += 0.25 * err / (tc - t_prev)
                anchors_t.append(tc)
                anchors_th.append(th)
                t_prev, th_prev = tc, th
        g = gsum / gn
        # phase trajectory: linear between anchors, extrapolated with the frequency estimates
        anchors_t = [-1.0] + anchors_t + [F + 1.0]
        anchors_th = [phi + w * (-1.0 - c)] + anchors_th + [th_prev + wk * (F + 1.0 - t_prev)]
        theta = np.interp(np.arange(F), anchors_t, anchors_th)
        eq = y * np.exp(-1j * theta) / g
        # noise: residual on the known symbols (3 + 2 per pilot block real parameters fitted)
        res = eq[fr.known_pos] - fr.known
        dof = 2.0 * res.size
        fitted = 3.0 + 2.0 * len(fr.pilot_blocks)
        s2_known = float(np.mean(np.abs(res) ** 2)) * dof / max(dof - fitted, 1.0)
        payload = eq[fr.payload_pos]
        if fr.pilot_blocks and self._ddb > 0 and s2_known < self._dd_max_s2:
            payload = self._dd_refine(payload, fr.payload_pos)
        if self._noise_est == "em":
            s2 = self._em(payload, max(s2_known, 1e-6))
        else:
            s2 = s2_known
        k, _ = self.framing.identify(payload)
        if k >= 0:
            ref = self.framing.payload_symbols[k].astype(np.complex64)
        else:
            k = -1
            ref = np.full(N, np.nan + 1j * np.nan, dtype=np.complex64)
        info = {
            "frame_start": self.frames,
            "noise_var": s2,
            "esn0_db": -10.0 * math.log10(max(s2, 1e-30)),
            "cfo": w,
            "phase": phi,
            "gain": g,
            "corr": rho,
            "payload_index": k,
        }
        self.frames += 1
        for sums in (self._sums, self._sums_id) if k >= 0 else (self._sums,):
            sums[0] += s2
            sums[1] += w
            sums[2] += w * w
        if k >= 0:
            self.identified += 1
        return SyncedFrame(
            payload.astype(np.complex64), np.full(N, s2, dtype=np.float32), ref, info, s2_known
        )
