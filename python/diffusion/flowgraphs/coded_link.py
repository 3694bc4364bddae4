#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""An LDPC-coded link as one flowgraph (needs GNU Radio): random bits -> gr-fec LDPC encoder
-> Gray mapper -> transmitter impairment chain (optional) -> AWGN at Es/N0 -> learned_slicer
(bit LLRs from a label mixture) -> gr-fec LDPC decoder (belief propagation) -> BER, FER.

LLR convention: L = log P(b=1|y) / P(b=0|y), positive = bit 1, which is gr-fec's soft-input
sign (measured: ldpc_decoder decodes bit 1 -> +1 inputs; the opposite sign returns the
complement).

Decoder scaling (measured, bench/ldpc_check.py, bench/results_coded_link.md): gr-fec 3.10's
ldpc_decoder (awgn_bp, sum-product in the probability domain) turns its input u into the
likelihood ratio exp(u / (2 sigma_d^2)), i.e. it treats u / (2 sigma_d^2) as the LLR (not
2u / sigma_d^2). With sigma_d = 1 an input u = L/2 made it see L/4: far too little
confidence, which cost 1-2 dB and hit the demappers unequally. Feeding the exact LLR (u = 2L)
is not right either: its double-precision likelihood-ratio products saturate (check
messages of exactly 0 or inf, then NaN) once messages pass ~e^36, which makes frames fail at
high SNR. ``llr_scale`` (u = llr_scale * L, default LLR_SCALE = 1.5: the decoder sees
0.75 L) and ``llr_clip`` (|u| <= 15, LLR_CLIP) are the measured compromise: within 0.005 FER
of the reference decoder at every point tried (without the clip 64-QAM frames failed at
15 dB, FER 0.02 where the reference has none);
the NumPy reference decoder (diffusion.link.ldpc) is the yardstick.

Bit interleaver (``interleave``, default off): a fixed pseudo-random permutation of the
codeword bits (diffusion.link.ldpc.interleaver) before the mapper, undone on the LLRs
before the decoder, so that the unequal reliability of the bit positions of a QAM label
(MSB strong, LSB weak) is spread over the code instead of following its structure. This
code's columns are not ordered by structure, and no gain was measured (64-QAM through the
PA at 12.8 dB: FER 0.04 with it, 0.01 without, same noise; bench/results_coded_link.md).

Demappers (``demapper``): 'nominal', 'learned', 'prior', 'oracle' (diffusion.link.demappers;
'oracle' is measured here, through the chain's flowgraph) or a
:class:`diffusion.core.label_mixture.LabelMixture`.
"""

import os

import numpy as np
from gnuradio import blocks, digital, fec, gr

from ..core.constellations import by_name
from ..link.demappers import labelled_mixture, make_mixture

LDPC_DIR = os.path.join(gr.prefix(), "share", "gnuradio", "fec", "ldpc")
DEFAULT_ALIST = os.path.join(LDPC_DIR, "n_1800_k_0902_gap_28.alist")  # rate 1/2
LLR_SCALE = 1.5  # decoder input u = LLR_SCALE * L: gr-fec then uses 0.75 L (see above)
LLR_CLIP = 15.0  # |u| <= LLR_CLIP: keeps gr-fec's likelihood-ratio products finite


def oracle_mixture(constellation, chain, n=1 << 15, seed=7):
    """The mixture of what ``chain`` (a tx_impairment_chain spec) really sends: its
    noiseless output for n uniform labels through the chain's flowgraph, per-label centroid
    and covariance."""
    from ..tx_impairment_chain import generate

    z, idx = generate(chain, n, seed=seed)[:2]
    return labelled_mixture(constellation, z, idx, where=f"chain {chain!r}")


def demapper_mixture(demapper, constellation, model="", chain=""):
    """:func:`diffusion.link.demappers.make_mixture` with 'oracle' measured through
    ``chain`` (:func:`oracle_mixture`; '' = no impairments)."""
    oracle = None
    if demapper == "oracle" and chain:
        oracle = oracle_mixture(constellation, chain)
    return make_mixture(demapper, constellation, model, oracle=oracle)


class CodedLinkFlowgraph(gr.top_block):
    """CodedLinkFlowgraph(esn0_db, constellation='16qam', chain='', demapper='nominal',
    ... chain: a full tx_impairment_chain spec starting with the constellation, e.g.
    '16qam+rapp(ibo=0,p=2)+agc' ('' = no impairments);
    model='', frames=100, alist=DEFAULT_ALIST, max_iterations=50, seed=0,
    max_log=False, interleave=False, llr_scale=LLR_SCALE, llr_clip=LLR_CLIP)

    Es/N0 in dB per symbol with unit signal power (the chain's AGC normalises;
    docs/conventions.md); sigma2 = 10^(-Es/N0 / 10) is also what the demapper assumes.
    max_log: the demapper's max-log LLRs; interleave: the fixed bit interleaver (module
    doc); llr_scale, llr_clip: decoder input = llr_scale * L limited to +-llr_clip
    (module doc; llr_clip None: no limit).
    :meth:`results` after run(): bits, bit_errors, ber, frames, frame_errors, fer.
    :attr:`llr_sink` keeps the (deinterleaved) LLRs L of every codeword bit.
    """

    def __init__(
        self,
        esn0_db,
        constellation="16qam",
        chain="",
        demapper="nominal",
        model="",
        frames=100,
        alist=DEFAULT_ALIST,
        max_iterations=50,
        seed=0,
        max_log=False,
        interleave=False,
        llr_scale=LLR_SCALE,
        llr_clip=LLR_CLIP,
    ):
        gr.top_block.__init__(self, "coded link")
        from gnuradio import analog, trellis

        from .. import diffusion_python as _cpp
        from ..link.ldpc import interleaver
        from ..tx_impairment_chain import tx_impairment_chain

        c = by_name(constellation)
        self.k_bits = c.bits_per_symbol
        self.encoder = fec.ldpc_encoder_make(alist)
        self.k, self.n = self.encoder.get_input_size(), self.encoder.get_output_size()
        if self.n % self.k_bits:
            raise ValueError(
                f"{alist}: codeword of {self.n} bits is not a whole number of "
                f"{self.k_bits}-bit symbols"
            )
        self.mixture = demapper_mixture(demapper, constellation, model, chain)
        rng = np.random.default_rng(seed)
        self.bits = rng.integers(0, 2, int(frames) * self.k).astype(np.uint8)
        sigma2 = 10.0 ** (-float(esn0_db) / 10.0)
        table = np.empty(c.order, dtype=np.complex64)
        table[c.labels] = c.points  # bit label -> point
        self.src = blocks.vector_source_b(self.bits.tolist(), False)
        self.enc = fec.extended_encoder(
            encoder_obj_list=self.encoder, threading="none", puncpat="11"
        )
        self.pack = blocks.pack_k_bits_bb(self.k_bits)  # MSB first
        self.mapper = digital.chunks_to_symbols_bc(table.tolist(), 1)
        # keep the hier block referenced: its Python blocks (the phase tracker) must outlive
        # __init__, or the scheduler calls into a freed Python object (segfault at start)
        self.chain = tx_impairment_chain(chain, seed=seed + 1) if chain else None
        chain_blocks = [self.chain] if chain else []
        self.noise = _cpp.additive_noise(esn0_db=float(esn0_db), seed=seed + 2)
        mix = self.mixture
        spread = mix.spread.reshape(-1).astype(np.float32).tolist()
        self.demap = _cpp.learned_slicer(
            "",
            mix.centroids.astype(np.complex64).tolist(),
            spread,
            mix.labels.astype(int).tolist(),
            sigma2,
            False,
            bool(max_log),
        )
        if interleave:
            self.perm = interleaver(self.n)
            ilv = [trellis.permutation(self.n, self.perm.tolist(), 1, 1)]
            dilv = [trellis.permutation(self.n, np.argsort(self.perm).tolist(), 1, 4)]
        else:
            self.perm = None
            ilv, dilv = [], []
        self.llr_sink = blocks.vector_sink_f()
        self.scale = blocks.multiply_const_ff(float(llr_scale))
        rail = [] if llr_clip is None else [analog.rail_ff(-float(llr_clip), float(llr_clip))]
        self.decoder = fec.ldpc_decoder.make(alist, 1.0, int(max_iterations))
        self.dec = fec.extended_decoder(
            decoder_obj_list=self.decoder,
            threading="none",
            ann=None,
            puncpat="11",
            integration_period=10000,
        )
        self.sink = blocks.vector_sink_b()
        self.idx_sink = blocks.null_sink(1)
        self.connect(
            self.src,
            self.enc,
            *ilv,
            self.pack,
            self.mapper,
            *chain_blocks,
            self.noise,
            self.demap,
        )
        self.connect((self.demap, 0), self.idx_sink)
        self.connect((self.demap, 1), *dilv, self.scale, *rail, self.dec, self.sink)
        self.connect(dilv[-1] if dilv else (self.demap, 1), self.llr_sink)

    def results(self):
        out = np.array(self.sink.data(), dtype=np.uint8)
        nfr = min(out.size, self.bits.size) // self.k
        a = out[: nfr * self.k].reshape(nfr, self.k)
        b = self.bits[: nfr * self.k].reshape(nfr, self.k)
        err = a != b
        return {
            "bits": int(err.size),
            "bit_errors": int(err.sum()),
            "ber": float(err.mean()) if err.size else float("nan"),
            "frames": int(nfr),
            "frame_errors": int(err.any(axis=1).sum()),
            "fer": float(err.any(axis=1).mean()) if nfr else float("nan"),
        }
