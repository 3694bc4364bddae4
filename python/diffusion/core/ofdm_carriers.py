#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""GNU Radio's OFDM carrier layout and its index conventions (NumPy only).

GNU Radio's ``digital.ofdm_tx`` / ``ofdm_rx`` (gr-digital python/digital/ofdm_txrx.py) number
carriers k = -fft_len/2 .. fft_len/2 - 1 (negative = below DC) and run ``fft.fft_vcc(...,
shift=True)``: the vector between the FFT and the equalizer (and ``ofdm_chanest_vcvc``'s
``ofdm_sync_chan_taps`` tag) holds carrier k at position ``(k + fft_len // 2) % fft_len``
(DC in the middle).  The sync words are stored in that shifted order.

Defaults (``ofdm_txrx.py``): fft_len 64, CP 16, 48 data carriers (-26..26 without 0 and the
pilots) + 4 pilots (-21, -7, 7, 21): 52 active carriers, positions 6..31 and 33..58 of the
shifted vector; 12 null carriers (6 below, DC, 5 above).

A carrier's frequency response is H[k] = sum_n h[n] exp(-2j pi k n / fft_len) for a channel
impulse response h[n] in samples (the transmitter's inverse FFT and the receiver's forward
FFT are FFTW's unnormalised pair, so H multiplies the transmitted carrier value exactly).
"""

import numpy as np

FFT_LEN = 64
CP_LEN = 16
OCCUPIED = tuple(
    list(range(-26, -21))
    + list(range(-20, -7))
    + list(range(-6, 0))
    + list(range(1, 7))
    + list(range(8, 21))
    + list(range(22, 27))
)
PILOTS = (-21, -7, 7, 21)
_SYNC_SEED = 42  # ofdm_txrx.py's _seq_seed


class OfdmLayout:
    """fft_len, cp_len, occupied and pilot carriers (signed indices, one OFDM symbol's
    allocation as in ``ofdm_tx``'s first tuple); derived index sets:

    active      signed carriers that carry data or pilots, ascending in frequency
    active_pos  their positions in the FFT-shifted vector (what GNU Radio's blocks carry)
    null_pos    positions of the other carriers (guard bands, DC) in the shifted vector
    """

    def __init__(self, fft_len=FFT_LEN, cp_len=CP_LEN, occupied=OCCUPIED, pilots=PILOTS):
        self.fft_len = int(fft_len)
        self.cp_len = int(cp_len)
        if self.fft_len < 8 or self.fft_len % 2:
            raise ValueError(f"fft_len must be even and >= 8, got {fft_len}")
        if not 0 < self.cp_len < self.fft_len:
            raise ValueError(f"cp_len must be in (0, fft_len), got {cp_len}")
        occ = [int(k) for k in occupied]
        pil = [int(k) for k in pilots]
        act = sorted(set(occ) | set(pil))
        half = self.fft_len // 2
        if not act or act[0] < -half or act[-1] >= half:
            raise ValueError(f"carriers must lie in [-{half}, {half - 1}]")
        if len(act) != len(occ) + len(pil):
            raise ValueError("occupied and pilot carriers overlap or repeat")
        self.occupied = tuple(occ)
        self.pilots = tuple(pil)
        self.active = np.array(act, dtype=np.int64)
        self.active_pos = self.shifted_position(self.active)
        mask = np.ones(self.fft_len, dtype=bool)
        mask[self.active_pos] = False
        self.null_pos = np.flatnonzero(mask)

    @property
    def n_active(self):
        return int(self.active.size)

    def shifted_position(self, k):
        """Position of signed carrier k in the FFT-shifted vector."""
        return (np.asarray(k, dtype=np.int64) + self.fft_len // 2) % self.fft_len

    def dft_matrix(self, n_delays=None, first=0):
        """A [n_active, n_delays]: A[i, j] = exp(-2j pi active[i] (first + j) / fft_len), the
        map from an impulse response on delays first .. first + n_delays - 1 (samples;
        default 0 .. cp_len - 1) to H on the active carriers."""
        n = self.cp_len if n_delays is None else int(n_delays)
        d = np.arange(n) + int(first)
        return np.exp(-2j * np.pi * np.outer(self.active, d) / self.fft_len)

    def sync_word2(self):
        """GNU Radio's default second sync word (``ofdm_txrx._make_sync_word2``): BPSK +-1 on
        every active carrier, DC 0, FFT-shifted order (complex [fft_len])."""
        rs = np.random.RandomState(_SYNC_SEED)
        act = set(int(k) % self.fft_len for k in self.active)
        sw = np.zeros(self.fft_len, dtype=np.complex128)
        for x in range(self.fft_len):
            if x in act:
                sw[x] = 1.0 if rs.randint(2) == 0 else -1.0
        sw[0] = 0.0
        return np.fft.fftshift(sw)

    def metadata(self):
        """What a model file states about the layout (strings, as ONNX metadata)."""
        return {
            "ofdm_fft_len": str(self.fft_len),
            "ofdm_cp_len": str(self.cp_len),
            "ofdm_active_carriers": ",".join(str(int(k)) for k in self.active),
            "ofdm_pilot_carriers": ",".join(str(int(k)) for k in self.pilots),
        }

    def __repr__(self):
        return (
            f"OfdmLayout(fft_len={self.fft_len}, cp_len={self.cp_len}, "
            f"{self.n_active} active carriers)"
        )


DEFAULT_LAYOUT = OfdmLayout()


def parse_carriers(text):
    """Signed carrier indices from metadata text '-26,-25,...' -> int array."""
    s = str(text).strip()
    if not s:
        return np.zeros(0, dtype=np.int64)
    return np.array([int(v) for v in s.split(",")], dtype=np.int64)
