#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Frame format of the gr-diffusion over-the-air link (NumPy only, no GNU Radio).

One frame, at the symbol rate:

    [ preamble: L BPSK | D_1 | pilots | D_2 | pilots | ... | D_K ]

D_k: chunks of ``pilot_interval`` payload symbols (the last one shorter), N payload symbols in
all, of the constellation; pilots: ``pilot_len`` known BPSK symbols between chunks
(pilot_interval = 0: no pilots, the payload follows the preamble in one piece). BPSK symbols
are +1/-1 (unit power, like the constellation).

The preamble is the first L chips of a maximum-length sequence (LFSR, primitive polynomial of
degree ceil(log2(L + 1))): near-ideal autocorrelation, so it is found by correlation, and it
is known, so it gives the absolute carrier phase (no M-fold ambiguity), the frequency offset,
the complex gain and the noise level of every frame. The pilot blocks (the following chips of
a second m-sequence) let the receiver track the carrier phase through the payload at SNRs
where decision-directed tracking of a dense constellation fails (Es/N0 below ~10 dB for
16-QAM).

Frames follow each other back to back. The payload of frame k is entry k mod P of a *payload
pool* of P frames: random symbols from ``numpy.random.default_rng(seed)`` (a known payload the
receiver regenerates to measure SER/BER), or the bytes of a file / a bytes object mapped to
symbols through the constellation's Gray labels (MSB first), cut into frames and zero-padded.

Everything the receiver needs to know about the transmitter is the :class:`LinkConfig`
(constellation, sps, rolloff, preamble length, payload length and source); it is what a
SigMF recording stores in its "gr-diffusion:link" section (see :mod:`diffusion.link.sigmf`).
"""

import math
from dataclasses import asdict, dataclass, fields

import numpy as np

from ..core.constellations import by_name

# Primitive polynomials (Fibonacci LFSR feedback taps, exponents) by degree.
_PRIMITIVE_TAPS = {
    4: (4, 3),
    5: (5, 3),
    6: (6, 5),
    7: (7, 6),
    8: (8, 6, 5, 4),
    9: (9, 5),
    10: (10, 7),
    11: (11, 9),
    12: (12, 11, 10, 4),
}
RRC_SPAN = 11  # RRC filter length in symbols (taps = RRC_SPAN * sps + 1)
MAX_SPS = 256  # samples per symbol (RRC taps = RRC_SPAN * sps + 1)
MAX_PAYLOAD = 1 << 16  # payload symbols per frame
MAX_POOL = 1 << 22  # n_payloads x payload_len: the reference payloads held in memory


def mseq(degree):
    """One period (2^degree - 1 chips, values 0/1) of the maximum-length sequence."""
    taps = _PRIMITIVE_TAPS[int(degree)]
    state = [1] * degree
    out = np.empty(2**degree - 1, dtype=np.int8)
    for i in range(out.size):
        out[i] = state[-1]
        fb = 0
        for t in taps:
            fb ^= state[t - 1]
        state = [fb] + state[:-1]
    return out


def preamble_symbols(length):
    """The BPSK preamble: the first ``length`` chips of an m-sequence as +1/-1 (complex128)."""
    length = int(length)
    if not 8 <= length <= 4095:
        raise ValueError(f"preamble length must be in 8..4095 symbols, got {length}")
    degree = max(4, int(math.ceil(math.log2(length + 1))))
    chips = mseq(degree)[:length]
    return (1.0 - 2.0 * chips).astype(np.complex128)


def pilot_symbols(n):
    """n BPSK pilot symbols (+1/-1): chips of the degree-9 m-sequence from chip 37 on (past
    its initial run of ones), repeated if needed."""
    chips = np.roll(mseq(9), -37)
    chips = np.tile(chips, -(-int(n) // chips.size))[: int(n)]
    return (1.0 - 2.0 * chips).astype(np.complex128)


def rrc_taps(sps, rolloff, span=RRC_SPAN):
    """Root-raised-cosine taps (float64) at ``sps`` samples per symbol, unit energy.

    Same design as gnuradio.filter.firdes.root_raised_cosine (without GNU Radio), normalised
    so that sum(h^2) = 1: a TX filter and the matched RX filter give a unit-gain Nyquist
    pulse, and unit-power symbols leave the TX filter at power 1/sps per sample.
    """
    sps = int(sps)
    if sps < 2:
        raise ValueError(f"sps must be >= 2, got {sps}")
    if not 0.0 < rolloff <= 1.0:
        raise ValueError(f"rolloff must be in (0, 1], got {rolloff}")
    ntaps = int(span) * sps + 1
    t = (np.arange(ntaps) - (ntaps - 1) / 2.0) / sps
    a = float(rolloff)
    h = np.empty(ntaps)
    for i, ti in enumerate(t):
        if abs(ti) < 1e-12:
            h[i] = 1.0 - a + 4.0 * a / math.pi
        elif abs(abs(4.0 * a * ti) - 1.0) < 1e-9:
            h[i] = (
                a
                / math.sqrt(2.0)
                * (
                    (1 + 2 / math.pi) * math.sin(math.pi / (4 * a))
                    + (1 - 2 / math.pi) * math.cos(math.pi / (4 * a))
                )
            )
        else:
            num = math.sin(math.pi * ti * (1 - a)) + 4 * a * ti * math.cos(math.pi * ti * (1 + a))
            h[i] = num / (math.pi * ti * (1 - (4 * a * ti) ** 2))
    return h / math.sqrt(np.sum(h * h))


def bytes_to_indices(data, constellation):
    """Map bytes (MSB first) to constellation point indices through the Gray labels.

    The bit stream is zero-padded to a whole number of symbols."""
    k = constellation.bits_per_symbol
    bits = np.unpackbits(np.frombuffer(bytes(data), dtype=np.uint8))
    pad = (-bits.size) % k
    if pad:
        bits = np.concatenate([bits, np.zeros(pad, dtype=np.uint8)])
    labels = bits.reshape(-1, k) @ (1 << np.arange(k - 1, -1, -1))
    inv = np.empty(constellation.order, dtype=np.int64)
    inv[constellation.labels] = np.arange(constellation.order)
    return inv[labels]


def indices_to_bytes(idx, constellation, nbytes=None):
    """Inverse of :func:`bytes_to_indices` (trailing pad bits dropped; nbytes: truncate)."""
    bits = constellation.bits(np.asarray(idx, dtype=np.int64)).reshape(-1)
    bits = bits[: bits.size - bits.size % 8]
    out = np.packbits(bits).tobytes()
    return out if nbytes is None else out[:nbytes]


@dataclass
class LinkConfig:
    """Everything the receiver must share with the transmitter.

    constellation: payload constellation ('16qam', 'qpsk', ...); sps: samples per symbol (int
    >= 2); rolloff: RRC excess bandwidth; preamble_len: BPSK preamble symbols; payload_len:
    payload symbols per frame; payload_seed: seed of the random payload; n_payloads: size P of
    the random payload pool (frames cycle through it); payload_file: a file whose bytes are
    the payload instead ('' = random payload); pilot_interval: payload symbols between pilot
    blocks (0 = no pilots); pilot_len: BPSK symbols per pilot block.
    """

    constellation: str = "16qam"
    sps: int = 4
    rolloff: float = 0.35
    preamble_len: int = 64
    payload_len: int = 1024
    payload_seed: int = 0
    n_payloads: int = 8
    payload_file: str = ""
    pilot_interval: int = 128
    pilot_len: int = 8

    def __post_init__(self):
        self.sps = int(self.sps)
        self.rolloff = float(self.rolloff)
        self.preamble_len = int(self.preamble_len)
        self.payload_len = int(self.payload_len)
        self.payload_seed = int(self.payload_seed)
        self.n_payloads = int(self.n_payloads)
        self.payload_file = str(self.payload_file or "")
        self.pilot_interval = int(self.pilot_interval)
        self.pilot_len = int(self.pilot_len)
        if self.pilot_interval < 0 or (self.pilot_interval and not 1 <= self.pilot_len <= 256):
            raise ValueError(
                f"pilot_interval must be >= 0 (0: no pilots) and pilot_len in "
                f"1..256, got {self.pilot_interval} and {self.pilot_len}"
            )
        if not 2 <= self.sps <= MAX_SPS:
            raise ValueError(f"sps must be an integer in 2..{MAX_SPS}, got {self.sps}")
        if not 0.0 < self.rolloff <= 1.0:
            raise ValueError(f"rolloff must be in (0, 1], got {self.rolloff}")
        if not 16 <= self.payload_len <= MAX_PAYLOAD:
            raise ValueError(
                f"payload_len must be in 16..{MAX_PAYLOAD} symbols, got {self.payload_len}"
            )
        if not 1 <= self.n_payloads <= 4096:
            raise ValueError(f"n_payloads must be in 1..4096, got {self.n_payloads}")
        if self.n_payloads * self.payload_len > MAX_POOL:
            raise ValueError(
                f"n_payloads x payload_len must be <= {MAX_POOL} symbols (the reference "
                f"payload pool), got {self.n_payloads} x {self.payload_len}"
            )
        preamble_symbols(self.preamble_len)  # validates the length
        by_name(self.constellation)  # validates the name

    @property
    def n_pilot_blocks(self):
        """Pilot blocks per frame (between payload chunks)."""
        if self.pilot_interval <= 0:
            return 0
        return (self.payload_len - 1) // self.pilot_interval

    @property
    def frame_len(self):
        """Symbols per frame (preamble + payload + pilots)."""
        return self.preamble_len + self.payload_len + self.n_pilot_blocks * self.pilot_len

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, d):
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in dict(d).items() if k in names})


class Framing:
    """Frame builder / reference of a :class:`LinkConfig` (used by TX, RX and the apps)."""

    def __init__(self, config=None, **kwargs):
        self.config = config if config is not None else LinkConfig(**kwargs)
        c = self.config
        self.constellation = by_name(c.constellation)
        self.preamble = preamble_symbols(c.preamble_len)
        self.payload_bytes = None
        if c.payload_file:
            with open(c.payload_file, "rb") as f:
                self.payload_bytes = f.read()
            if not self.payload_bytes:
                raise ValueError(f"{c.payload_file}: empty payload file")
            idx = bytes_to_indices(self.payload_bytes, self.constellation)
            n = -(-idx.size // c.payload_len)
            full = np.zeros(n * c.payload_len, dtype=np.int64)
            full[: idx.size] = idx
            self.payload_indices = full.reshape(n, c.payload_len)
        else:
            rng = np.random.default_rng(c.payload_seed)
            self.payload_indices = rng.integers(
                0, self.constellation.order, (c.n_payloads, c.payload_len)
            )
        self.payload_symbols = self.constellation.points[self.payload_indices]
        # frame layout (indices within a frame)
        L, F = c.preamble_len, c.frame_len
        is_pay = np.zeros(F, dtype=bool)
        is_pay[L:] = True
        self.pilot_blocks = []  # (start, stop) of every pilot block
        for b in range(c.n_pilot_blocks):
            s = L + (b + 1) * c.pilot_interval + b * c.pilot_len
            is_pay[s : s + c.pilot_len] = False
            self.pilot_blocks.append((s, s + c.pilot_len))
        self.payload_pos = np.flatnonzero(is_pay)
        npil = c.n_pilot_blocks * c.pilot_len
        self.pilots = (
            pilot_symbols(npil).reshape(c.n_pilot_blocks, c.pilot_len)
            if npil
            else np.zeros((0, c.pilot_len), dtype=np.complex128)
        )
        self.known_pos = np.flatnonzero(~is_pay)
        self.known = np.empty(F, dtype=np.complex128)
        self.known[:L] = self.preamble
        for (s0, s1), p in zip(self.pilot_blocks, self.pilots):
            self.known[s0:s1] = p
        self.known = self.known[self.known_pos]

    @property
    def n_payloads(self):
        return len(self.payload_indices)

    def frames(self):
        """All P frames back to back (complex128 [P * frame_len]): one period of the TX."""
        fr = np.empty((self.n_payloads, self.config.frame_len), dtype=np.complex128)
        fr[:, self.known_pos] = self.known
        fr[:, self.payload_pos] = self.payload_symbols
        return fr.reshape(-1)

    def identify(self, payload_est):
        """Which pool entry a received payload (complex [N], unit power) is.

        Soft match: the normalised correlation rho_k = Re<x_k, y> / N with every entry x_k is
        about 1 for the sent entry and 0 +- sqrt((1 + sigma2) / N) for the others, so it
        works far below the SNR where hard decisions do. Returns (index, rho); index -1 when
        no entry is a clear match (best rho below 0.5, or within 0.25 of the second best)."""
        y = np.asarray(payload_est, dtype=np.complex128).reshape(-1)
        # elementwise, not BLAS: no thread pool competing with the flowgraph's threads
        ps = self.payload_symbols
        rho = (ps.real * y.real + ps.imag * y.imag).sum(axis=1) / y.size
        order = np.argsort(-rho, kind="stable")
        k, best = int(order[0]), float(rho[order[0]])
        ok = best > 0.5
        if ok and rho.size > 1:
            ok = best - float(rho[order[1]]) > 0.25
        return (k if ok else -1), best


def ser_theory(constellation, esn0_db):
    """Symbol error rate of ML detection in AWGN at Es/N0 (dB): exact for square QAM
    (QPSK included), the nearest-neighbour approximation for M-PSK; None otherwise."""
    c = by_name(constellation) if isinstance(constellation, str) else constellation
    g = 10.0 ** (esn0_db / 10.0)
    m = c.order
    q = lambda x: 0.5 * math.erfc(x / math.sqrt(2.0))  # noqa: E731
    name = c.name.lower()
    if name.endswith("qam") or name == "qpsk":
        r = int(round(math.sqrt(m)))
        p1 = 2.0 * (1.0 - 1.0 / r) * q(math.sqrt(3.0 * g / (m - 1)))
        return 1.0 - (1.0 - p1) ** 2
    if name.endswith("psk"):
        if m == 2:
            return q(math.sqrt(2.0 * g))
        return min(1.0, 2.0 * q(math.sqrt(2.0 * g) * math.sin(math.pi / m)))
    return None
