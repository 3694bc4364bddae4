#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The textbook stock GNU Radio PSK receive chain: the named baseline of every "vs stock"
figure for third-party PSK signals (needs GNU Radio).

    textbook_offset(y)  ->  rotator_cc  ->  RRC matched filter (fir_filter_ccf)
        ->  symbol_sync_cc (Gardner, MMSE 8-tap interpolator)  ->  costas_loop_cc (order M)
        [->  symbol_normalizer (running M2M4)  ->  ddpm_denoiser (a window prior)]

The carrier offset comes from the noisy signal itself, the textbook way: the highest bin of
the zero-padded periodogram of y^M, searched where M f is unambiguous at the symbol rate
(|M f| < 1/(2 sps) cycles/sample), divided by M. Loop bandwidths are psk_receiver's defaults
(symbol_sync 0.02, Costas 0.02; chosen on simulated SDPSK at 2 dB, not on a recording):
the chain differs from :class:`diffusion.psk_receiver` only in how the offset is found.
"""

import numpy as np
from gnuradio import blocks, digital, gr

from ..psk_receiver import gardner_symbol_sync, rrc_matched_filter
from ..symbol_normalizer import symbol_normalizer

#: the textbook chain's loop bandwidths (symbol_sync_cc loop_bw, costas_loop_cc loop_bw)
TIMING_BW, COSTAS_BW = 0.02, 0.02


def textbook_offset(y, sps=2, order=4, pad=4):
    """Carrier offset (cycles/sample) of a block: argmax of |FFT(y^order)| (zero-padded by
    ``pad``) within |order f| < 1/(2 sps), divided by ``order``. No refinement, no pulse
    shape, no folding of the symbol-clock lines: the baseline estimator."""
    y = np.asarray(y, np.complex128).reshape(-1)
    y = np.where(np.isfinite(y), y, 0.0)
    n = int(pad) * y.size
    spec = np.abs(np.fft.fft(y**order, n))
    freqs = np.fft.fftfreq(n)
    spec[np.abs(freqs) >= 0.5 / sps] = -1.0
    return float(freqs[int(np.argmax(spec))] / order)


class textbook_psk_chain(gr.hier_block2):
    """The textbook stock chain (module doc) as one block.

    textbook_psk_chain(offset, sps=2, rolloff=0.4, order=4, timing_bw=0.02, costas_bw=0.02,
    model_path='', constellation='qpsk', time_constant=256)

    ``offset``: the carrier offset to remove (cycles/sample; :func:`textbook_offset`).
    Output 0: symbols (one per symbol) after the Costas loop, or with ``model_path`` (a
    window prior such as sdpsk_pn_w32) the C++ ddpm_denoiser's Tweedie estimate of them,
    normalised to unit signal power by symbol_normalizer's running M2M4 estimate, which
    also gives the denoiser its sigma2 ("textbook + prior")."""

    def __init__(
        self,
        offset,
        sps=2,
        rolloff=0.4,
        order=4,
        timing_bw=TIMING_BW,
        costas_bw=COSTAS_BW,
        model_path="",
        constellation="qpsk",
        time_constant=256,
    ):
        gr.hier_block2.__init__(
            self, "textbook_psk_chain", gr.io_signature(1, 1, 8), gr.io_signature(1, 1, 8)
        )
        self.rotator = blocks.rotator_cc(-2.0 * np.pi * float(offset))
        self.matched = rrc_matched_filter(int(sps), rolloff)
        self.clock = gardner_symbol_sync(int(sps), timing_bw)
        self.costas = digital.costas_loop_cc(float(costas_bw), int(order), False)
        self.connect(self, self.rotator, self.matched, self.clock, self.costas)
        self.latency = 0
        if not model_path:
            self.connect(self.costas, self)
            return
        from .. import diffusion_python as _cpp

        dn = _cpp.ddpm_denoiser
        self.norm = symbol_normalizer(constellation, time_constant)
        self.denoiser = dn(
            str(model_path), mode=dn.TWEEDIE, ddim_steps=5, noise_source=dn.NOISE_STREAM
        )
        self.latency = int(self.denoiser.latency())
        self.connect(self.costas, self.norm)
        self.connect((self.norm, 0), (self.denoiser, 0))
        self.connect((self.norm, 1), (self.denoiser, 1))
        self.connect(self.denoiser, self)
