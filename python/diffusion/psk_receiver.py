#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Receive path for third-party PSK signals (hierarchical block): complex baseband at ``sps``
samples per symbol in, denoised symbols out. GNU Radio's own blocks do what they do well:
frequency lock (band-edge FLL), matched filtering and timing (polyphase clock sync with RRC
taps), carrier phase (Costas loop); then :class:`symbol_normalizer` scales to unit signal power
with sigma2 per symbol, and the C++ DDPM denoiser denoises with that sigma2."""

import math

from gnuradio import digital, filter, gr

from . import diffusion_python as _cpp
from .core.model_files import shipped_model
from .symbol_normalizer import symbol_normalizer

_MODES = ("tweedie", "ddim", "posterior", "paper")


class psk_receiver(gr.hier_block2):
    """PSK receive path with the DDPM denoiser.

    psk_receiver(sps=2, rolloff=0.4, constellation='qpsk', mode='tweedie', model_path='',
    fll_bw=0.01, timing_bw=0.04, costas_bw=0.03, time_constant=256)

    Input: complex baseband, ``sps`` samples per symbol, root-raised-cosine pulses of roll-off
    ``rolloff``, any carrier offset within the FLL's range (about +-1/(2 sps) cycles/sample).
    Output 0: denoised symbols (one per symbol, unit signal power, the model's orientation:
    QPSK points at 45 degrees, which is where a 4th-order Costas loop puts them); output 1: the
    symbols before the denoiser (the stock GNU Radio chain's output, normalised); output 2:
    sigma2 per symbol. ``mode`` 'none' bypasses the denoiser (output 0 = output 1). The carrier
    phase keeps the Costas loop's 90-degree ambiguity: decide differentially (for SDPSK,
    :func:`diffusion.link.orbcomm.differential_bits`) or resolve it with pilots. Latency: the
    matched filter's and the loops' (about 10 symbols).
    """

    def __init__(
        self,
        sps=2,
        rolloff=0.4,
        constellation="qpsk",
        mode="tweedie",
        model_path="",
        fll_bw=0.01,
        timing_bw=0.04,
        costas_bw=0.03,
        time_constant=256,
    ):
        gr.hier_block2.__init__(
            self, "psk_receiver", gr.io_signature(1, 1, 8), gr.io_signature.makev(3, 3, [8, 8, 4])
        )
        if int(sps) < 2:
            raise ValueError(f"sps must be >= 2 samples per symbol, got {sps}")
        if not 0.0 < float(rolloff) <= 1.0:
            raise ValueError(f"rolloff must be in (0, 1], got {rolloff}")
        mode = str(mode).lower()
        if mode not in _MODES and mode != "none":
            raise ValueError(f"mode must be one of {sorted(_MODES)} or 'none', got {mode!r}")
        for name, bw in (("fll_bw", fll_bw), ("timing_bw", timing_bw), ("costas_bw", costas_bw)):
            if not 0.0 <= float(bw) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {bw}")
        sps = int(sps)
        nfilts = 32
        rrc = filter.firdes.root_raised_cosine(
            nfilts, nfilts, 1.0, float(rolloff), 11 * sps * nfilts
        )
        self.fll = digital.fll_band_edge_cc(sps, float(rolloff), 2 * sps * 11 + 1, float(fll_bw))
        self.clock = digital.pfb_clock_sync_ccf(
            sps, float(timing_bw), rrc, nfilts, nfilts // 2, 1.5, 1
        )
        self.costas = digital.costas_loop_cc(float(costas_bw), 4, False)
        self.norm = symbol_normalizer(constellation, time_constant)
        self.connect(self, self.fll, self.clock, self.costas, self.norm)
        self.connect((self.norm, 0), (self, 1))
        self.connect((self.norm, 1), (self, 2))
        if mode == "none":
            self.denoiser = None
            self.connect((self.norm, 0), (self, 0))
        else:
            path = model_path or shipped_model(constellation)
            dn = _cpp.ddpm_denoiser
            self.denoiser = dn(
                path, mode=getattr(dn, mode.upper()), ddim_steps=5, noise_source=dn.NOISE_STREAM
            )
            self.connect((self.norm, 0), (self.denoiser, 0))
            self.connect((self.norm, 1), (self.denoiser, 1))
            self.connect(self.denoiser, (self, 0))
        self.sps = sps
        self.symbol_phase_rad = math.pi / 4  # where the Costas loop puts QPSK points
