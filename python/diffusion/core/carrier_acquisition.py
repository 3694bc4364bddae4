#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Feed-forward carrier-offset acquisition for PSK signals (NumPy; no GNU Radio).

A linearly modulated M-PSK signal raised to the M-th power loses its modulation: its
spectrum has lines at M f + k / sps (cycles/sample; f the carrier offset, k integer: the
cyclostationary lines of the symbol clock). Which of them carries the power depends on the
signal: for BPSK/QPSK after a matched filter mostly k = 0, for SDPSK (ORBCOMM: +-90 degrees per
symbol) the samples between symbols have the opposite sign of the M = 4 power, so the
k = +-1 lines are stronger than k = 0. A textbook estimator that takes the highest bin of
FFT(y^4) / 4 therefore reads SDPSK off by 1 / (4 sps) cycles/sample, and it fails at low SNR
because |y|^4 amplifies the noise.

:class:`PowerLineOffsetEstimator` (per block of samples):
  1. coarse: the circular cross-correlation of a Welch periodogram with the pulse's power
     spectrum |H(f)|^2 (RRC): accurate to a fraction of the symbol rate, any offset in
     +-max_offset (default +-1/(2 sps) cycles/sample), aliasing included;
  2. the block derotated by the coarse estimate, matched-filtered (RRC), and raised to the
     M-th power with the magnitude kept at |z| (z^M / |z|^(M-1): the phase M arg z, less
     noise amplification than z^M);
  3. its zero-padded periodogram folded modulo 1/sps (sums the power of all k lines), the
     peak refined by parabolic interpolation: M f modulo 1/sps;
  4. of the M sps candidates f = (peak + k / sps) / M (spacing 1 / (M sps)), the one nearest
     the coarse estimate (or a given reference, for tracking).
Optionally (``p_false``) the line must be significant: without a signal the M-th power
phasors are Gaussian-like, each folded bin a sum of sps exponential bins of unequal means
(bounded by one exponential: Gamma(1) has the heaviest tail for a given median), and the
peak over the B folded bins exceeds ``line_threshold(1, B, p_false)`` times the median of
its neighbours (2 pad to 32 pad bins away: the floor there, as the noise's M-th power is
coloured by the matched filter) with probability at most ``p_false`` (union bound); below
it :meth:`PowerLineOffsetEstimator.estimate` returns None (a block of noise or silence,
e.g. between a satellite's bursts).

:meth:`PowerLineOffsetEstimator.timing_phase`: where the symbol instants fall modulo sps
(samples), feed-forward from the same block (Oerder & Meyr's square-law estimator on the
matched filter's output interpolated to 2 sps, so that |z|^2, of bandwidth (1 + rolloff) /
sps, is not aliased at sps = 2): the phase of the |z|^2 line at the symbol rate. Used to
start a timing loop near its lock point instead of at a Gardner detector's hang-up point
(half a symbol off), where it needs ~150 symbols to leave (issue 21, ORBCOMM 12 dB).
"""

import math

import numpy as np

#: M-th power for each modulation (constellation or differential decision rule): the
#: smallest power that strips the modulation (SDPSK's +-90 degree steps: 4; pi/4-DQPSK: 4
#: with its line moved, :func:`power_line_offset`)
POWER_ORDERS = {
    "bpsk": 2,
    "dbpsk": 2,
    "qpsk": 4,
    "dqpsk": 4,
    # pi/4-DQPSK: the symbols lie on 8PSK points (QPSK and QPSK turned by 45 degrees, in
    # turn); the 8th power strips it, the 4th leaves (-1)^k: a line at 4 f + 1 / (2 sps),
    # which power_line_offset moves back; the 4th power amplifies the noise less (its
    # line is significant in 1024 samples from Es/N0 4-6 dB, the 8th's not at 8 dB)
    "pi4dqpsk": 4,
    "sdpsk": 4,
    "oqpsk": 4,
    "8psk": 8,
    "d8psk": 8,
}


def power_order(modulation):
    """M for a modulation name (:data:`POWER_ORDERS`); ValueError for unknown names."""
    key = str(modulation).lower()
    if key not in POWER_ORDERS:
        raise ValueError(f"no M-th power rule for {modulation!r}; known: {sorted(POWER_ORDERS)}")
    return POWER_ORDERS[key]


def power_line_offset(modulation, order):
    """Where the ``order``-th power line of ``modulation`` sits relative to M f (cycles/symbol,
    in [0, 1)): (M / 8) mod 1 for pi/4-DQPSK (symbol k carries k pi/4 on top of QPSK, so its
    M-th power turns by M k pi/4: 0.5 for M = 4, 0 for M = 8), else 0."""
    if str(modulation).lower() == "pi4dqpsk":
        return float((int(order) / 8.0) % 1.0)
    return 0.0


def gamma_tail(k, x):
    """P(X > x) for X ~ Gamma(k, 1), k a positive integer (sum of k unit exponentials)."""
    term, total = 1.0, 1.0
    for i in range(1, int(k)):
        term *= x / i
        total += term
    return math.exp(-x) * total


def line_threshold(sps, bins, p_false):
    """Peak-to-median ratio of a folded M-th power periodogram (``bins`` sums of ``sps``
    exponential bins) that noise alone exceeds with probability <= ``p_false`` (union bound
    over the bins; the median of Gamma(sps) by bisection)."""
    k = int(sps)

    def solve(p):  # x with gamma_tail(k, x) = p
        lo, hi = 0.0, 10.0 * k + 50.0 - math.log(p)
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if gamma_tail(k, mid) > p else (lo, mid)
        return hi

    return solve(float(p_false) / max(1, int(bins))) / solve(0.5)


def wrap_offset(f):
    """An offset in cycles/sample wrapped to [-0.5, 0.5)."""
    return float((f + 0.5) % 1.0 - 0.5)


def _parabolic(left, centre, right):
    """Vertex offset (bins, in [-0.5, 0.5]) of the parabola through three samples."""
    den = left - 2.0 * centre + right
    if not den < 0.0:
        return 0.0
    return float(np.clip(0.5 * (left - right) / den, -0.5, 0.5))


class PowerLineOffsetEstimator:
    """Carrier offset (cycles/sample) of a block of PSK samples from its M-th power line.

    PowerLineOffsetEstimator(sps, rolloff=0.35, order=4, max_offset=None, coarse_fft=1024,
    pad=4, line_offset=0.0)

    ``sps`` samples per symbol (an integer >= 2), ``rolloff`` of the RRC
    pulses, ``order`` M (:func:`power_order`), ``max_offset`` the largest |offset| searched
    (cycles/sample, default 1/(2 sps): the band stays within the sample rate), ``coarse_fft``
    the Welch segment length, ``pad`` the zero-padding factor of the M-th power periodogram
    (before parabolic refinement), ``line_offset`` where the M-th power line sits relative
    to M f (cycles/symbol, :func:`power_line_offset`: 0.5 for pi/4-DQPSK's 4th power).
    Unambiguous for |offset| <= max_offset as long as the coarse estimate is within
    1/(2 M sps) of the truth (module doc). Non-finite samples count as zeros. Module doc for
    the method.
    """

    def __init__(
        self, sps, rolloff=0.35, order=4, max_offset=None, coarse_fft=1024, pad=4, line_offset=0.0
    ):
        if not (float(sps).is_integer() and float(sps) >= 2.0):
            raise ValueError(f"sps must be an integer >= 2 samples per symbol, got {sps}")
        sps = int(sps)
        if not 0.0 < float(rolloff) <= 1.0:
            raise ValueError(f"rolloff must be in (0, 1], got {rolloff}")
        if int(order) != order or int(order) < 1:
            raise ValueError(f"order must be a positive integer, got {order}")
        if max_offset is None:
            max_offset = 0.5 / sps
        if not 0.0 <= float(max_offset) <= 0.5:
            raise ValueError(f"max_offset must be in [0, 0.5] cycles/sample, got {max_offset}")
        if int(coarse_fft) < 64 or int(pad) < 1:
            raise ValueError("coarse_fft must be >= 64 and pad >= 1")
        self.sps = sps
        self.rolloff = float(rolloff)
        self.order = int(order)
        self.max_offset = float(max_offset)
        self.coarse_fft = int(coarse_fft)
        self.pad = int(pad)
        self.line_offset = float(line_offset)
        from ..link.framing import rrc_taps

        self.taps = rrc_taps(sps, self.rolloff, 11)
        self.min_samples = int(math.ceil(16 * sps))

    def _clean(self, y):
        y = np.asarray(y, dtype=np.complex128).reshape(-1)
        if y.size < self.min_samples:
            raise ValueError(f"need at least {self.min_samples} samples, got {y.size}")
        return np.where(np.isfinite(y), y, 0.0)

    def coarse(self, y):
        """Offset (cycles/sample) where the pulse's power spectrum best fits the signal's."""
        y = self._clean(y)
        n = min(self.coarse_fft, 1 << int(math.floor(math.log2(y.size))))
        win = np.hanning(n)
        nseg = max(1, 2 * (y.size // n) - 1)  # 50 % overlap
        hop = n // 2
        p = np.zeros(n)
        for i in range(nseg):
            p += np.abs(np.fft.fft(y[i * hop : i * hop + n] * win)) ** 2
        h = np.abs(np.fft.fft(self.taps, n)) ** 2
        c = np.fft.ifft(np.fft.fft(p) * np.conj(np.fft.fft(h))).real
        freqs = np.fft.fftfreq(n)
        c[np.abs(freqs) > self.max_offset + 0.5 / n] = -np.inf
        k = int(np.argmax(c))
        d = (
            _parabolic(c[k - 1], c[k], c[(k + 1) % n])
            if np.isfinite(c[k - 1] + c[(k + 1) % n])
            else 0
        )
        return wrap_offset(freqs[k] + d / n)

    def estimate(self, y, near=None, p_false=None):
        """Offset (cycles/sample, in [-0.5, 0.5)) of the block ``y``; ``near`` picks the
        candidate nearest a known offset (tracking) instead of the coarse estimate;
        ``p_false``: None where the line is not significant at that false-alarm probability
        (module doc)."""
        y = self._clean(y)
        fc = self.coarse(y) if near is None else float(near)
        n_idx = np.arange(y.size)
        z = np.convolve(y * np.exp(-2j * np.pi * fc * n_idx), self.taps, mode="same")
        a = np.abs(z)
        m = self.order
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(a > 0, z**m / a ** (m - 1), 0.0)
        if self.line_offset:
            # the line sits at M f + line_offset / sps (pi/4-DQPSK's 4th power): moved to M f
            v = v * np.exp(-2j * np.pi * self.line_offset / self.sps * n_idx)
        # FFT length: a multiple of sps, so that 1/sps is a whole number of bins
        base = self.sps * int(2 ** math.ceil(math.log2(self.pad * y.size / self.sps)))
        p = np.abs(np.fft.fft(v, base)) ** 2
        if p_false is not None and not self._significant(p, float(p_false)):
            return None
        nu = self._fold_peak(p)
        cands = (nu + np.arange(-m * self.sps, m * self.sps + 1) / self.sps) / m
        res = cands[int(np.argmin(np.abs(cands)))]  # the residual after fc: nearest 0
        return wrap_offset(fc + res)

    def timing_phase(self, y, offset=0.0):
        """Symbol instants of the block ``y`` modulo sps (samples, in [0, sps)): where the
        RRC matched filter's output peaks, for samples n = phase + k sps of ``y`` (module
        doc); ``offset`` (cycles/sample) is removed first (the filter passes the band only
        near 0)."""
        y = self._clean(y)
        n_idx = np.arange(y.size)
        z = np.convolve(y * np.exp(-2j * np.pi * float(offset) * n_idx), self.taps, mode="same")
        # band-limited interpolation to 2 samples per input sample (FFT zero padding)
        spec = np.fft.fft(z)
        half = z.size // 2
        up = np.zeros(2 * z.size, np.complex128)
        up[:half] = spec[:half]
        up[-(z.size - half) :] = spec[half:]
        zu = np.fft.ifft(up)
        e = np.abs(zu) ** 2
        m = np.arange(e.size)
        c = np.sum(e * np.exp(-2j * np.pi * m / (2 * self.sps)))
        if not abs(c) > 0.0:
            return 0.0
        # np.convolve "same" delays by (L - 1) // 2, the filter's centre is (L - 1) / 2: half
        # a sample early for an even number of taps (odd sps)
        early = (self.taps.size - 1) / 2 - (self.taps.size - 1) // 2
        return float((-np.angle(c) / (2 * np.pi) * self.sps - early) % self.sps)

    def _significant(self, p, p_false):
        folded = p.reshape(self.sps, p.size // self.sps).sum(axis=0)
        k = int(np.argmax(folded))
        # the noise floor next to the peak (the noise's M-th power is not white after the
        # matched filter: a floor from the whole band reads lines into coloured noise):
        # bins 2 pad .. 32 pad away on both sides, the line's own main lobe left out
        near = np.arange(2 * self.pad, 32 * self.pad + 1)
        idx = np.concatenate([k - near, k + near]) % folded.size
        med = float(np.median(folded[idx]))
        if not med > 0.0:
            return False  # silence
        # k = 1: the folded bins' terms have unequal means (one alias carries most of the
        # coloured noise), and for a given median the exponential has the heaviest tail
        return float(folded[k]) / med > line_threshold(1, folded.size, p_false)

    def _fold_peak(self, p):
        """M f modulo 1/sps (cycles/sample) from the M-th power periodogram ``p``."""
        n = p.size
        folded = p.reshape(self.sps, n // self.sps).sum(axis=0)
        m_bins = folded.size
        k = int(np.argmax(folded))
        d = _parabolic(folded[k - 1], folded[k], folded[(k + 1) % m_bins])
        return (k + d) / n
