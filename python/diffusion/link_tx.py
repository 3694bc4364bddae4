#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Transmitter of the gr-diffusion over-the-air link, as one hierarchical block.

    payload pool (random known symbols, or a file's bytes), BPSK m-sequence preamble and
    pilots -> frames (diffusion.link.framing)        blocks.vector_source_c (repeating)
      -> RRC pulse shaping, sps samples/symbol       filter.interp_fir_filter_ccf
      -> complex baseband, RMS amplitude ``amplitude``

No input; output 0: complex baseband at sps samples per symbol. With n_frames = 0 it
transmits the P payload frames cyclically for ever; with n_frames > 0 it sends that many
frames followed by TAIL_SYMBOLS (128) zero symbols, which flush the filters of the TX and
of a receiver, and ends.
"""

import math

import numpy as np
from gnuradio import blocks, filter, gr

from .link.framing import Framing, LinkConfig, rrc_taps

TAIL_SYMBOLS = 128


class link_tx(gr.hier_block2):
    """gr-diffusion link transmitter: framing (known preamble + payload) and RRC shaping.

    constellation: payload constellation ('16qam', 'qpsk', '64qam', ...); sps: samples per
    symbol; rolloff: RRC excess bandwidth; preamble_len, payload_len: symbols per frame;
    payload_seed, n_payloads: the random payload pool; payload_file: bytes to send instead
    ('' = random); pilot_interval, pilot_len: pilot blocks (see
    diffusion.link.framing.LinkConfig); amplitude: RMS of the output samples; n_frames:
    frames to send (0 = for ever).
    """

    def __init__(
        self,
        constellation="16qam",
        sps=4,
        rolloff=0.35,
        preamble_len=64,
        payload_len=1024,
        payload_seed=0,
        n_payloads=8,
        payload_file="",
        pilot_interval=128,
        pilot_len=8,
        amplitude=1.0,
        n_frames=0,
    ):
        gr.hier_block2.__init__(
            self, "link_tx", gr.io_signature(0, 0, 0), gr.io_signature(1, 1, gr.sizeof_gr_complex)
        )
        self.config = LinkConfig(
            constellation=constellation,
            sps=sps,
            rolloff=rolloff,
            preamble_len=preamble_len,
            payload_len=payload_len,
            payload_seed=payload_seed,
            n_payloads=n_payloads,
            payload_file=payload_file,
            pilot_interval=pilot_interval,
            pilot_len=pilot_len,
        )
        if not (amplitude > 0 and math.isfinite(amplitude)):
            raise ValueError(f"amplitude must be > 0, got {amplitude}")
        if int(n_frames) < 0:
            raise ValueError("n_frames must be >= 0 (0: transmit for ever)")
        self.framing = Framing(self.config)
        period = self.framing.frames()
        n_frames = int(n_frames)
        if n_frames:
            reps = -(-n_frames // self.framing.n_payloads)
            syms = np.tile(period, reps)[: n_frames * self.config.frame_len]
            syms = np.concatenate([syms, np.zeros(TAIL_SYMBOLS, dtype=complex)])
        else:
            syms = period
        self.src = blocks.vector_source_c(syms.astype(np.complex64).tolist(), n_frames == 0)
        self._sps = self.config.sps
        self.shaper = filter.interp_fir_filter_ccf(
            self._sps, rrc_taps(self._sps, self.config.rolloff).tolist()
        )
        self.amp = blocks.multiply_const_cc(float(amplitude) * math.sqrt(self._sps))
        self.connect(self.src, self.shaper, self.amp, self)

    def set_amplitude(self, amplitude):
        """RMS of the output samples (linear)."""
        if not amplitude > 0:
            raise ValueError("amplitude must be > 0")
        self.amp.set_k(float(amplitude) * math.sqrt(self._sps))
