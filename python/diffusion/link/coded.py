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
complement). gr-fec's BPSK belief-propagation decoder turns its input u into 2u/sigma_d^2;
with sigma_d = 1 the LLR stream is scaled by 1/2 so that the decoder sees L itself.

Demappers (``demapper``):
  'nominal'  exact bit-wise MAP for the nominal constellation (what a receiver that ignores
             the hardware does);
  'learned'  the label mixture in a model's metadata (label_centroids, label_spread);
  'prior'    the label mixture learned from a DDPM's prior without labels
             (core.prior_mixture; ``model`` = the DDPM);
  'oracle'   the mixture of what the chain really sends (its noiseless output, labelled);
or a :class:`diffusion.core.label_mixture.LabelMixture`.
"""

import os

import numpy as np
from gnuradio import blocks, digital, fec, gr

from ..core.constellations import by_name
from ..core.label_mixture import LabelMixture, estimate

LDPC_DIR = os.path.join(gr.prefix(), "share", "gnuradio", "fec", "ldpc")
DEFAULT_ALIST = os.path.join(LDPC_DIR, "n_1800_k_0902_gap_28.alist")  # rate 1/2
DEMAPPERS = ("nominal", "learned", "prior", "oracle")


def oracle_mixture(constellation, chain, n=1 << 15, seed=7):
    """The mixture of what ``chain`` (a tx_impairment_chain spec) really sends: its
    noiseless output for n uniform labels, per-label centroid and covariance."""
    from ..tx_impairment_chain import generate

    z, idx = generate(chain, n, seed=seed)[:2]
    c = by_name(constellation)
    mu, spread, counts = estimate(z, idx, c.order, where=f"chain {chain!r}")
    return LabelMixture(mu, spread, c.labels, counts=counts)


def make_mixture(demapper, constellation, model="", chain=""):
    """The LabelMixture a demapper name stands for (see the module doc)."""
    if isinstance(demapper, LabelMixture):
        return demapper
    c = by_name(constellation)
    if demapper == "nominal":
        return LabelMixture.nominal(c)
    if demapper == "learned":
        return LabelMixture.from_model(model)
    if demapper == "prior":
        from ..core.onnx_model import DdpmModel
        from ..core.prior_mixture import mixture_from_model

        return mixture_from_model(DdpmModel(model))
    if demapper == "oracle":
        if not chain:
            return LabelMixture.nominal(c)
        return oracle_mixture(constellation, chain)
    raise ValueError(f"demapper must be one of {DEMAPPERS} or a LabelMixture, got {demapper!r}")


class CodedLinkFlowgraph(gr.top_block):
    """CodedLinkFlowgraph(esn0_db, constellation='16qam', chain='', demapper='nominal',
    ... chain: a full tx_impairment_chain spec starting with the constellation, e.g.
    '16qam+rapp(ibo=0,p=2)+agc' ('' = no impairments);
    model='', frames=100, alist=DEFAULT_ALIST, max_iterations=50, seed=0)

    Es/N0 in dB per symbol with unit signal power (the chain's AGC normalises;
    docs/conventions.md); sigma2 = 10^(-Es/N0 / 10) is also what the demapper assumes.
    :meth:`results` after run(): bits, bit_errors, ber, frames, frame_errors, fer.
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
    ):
        gr.top_block.__init__(self, "coded link")
        from .. import diffusion_python as _cpp
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
        self.mixture = make_mixture(demapper, constellation, model, chain)
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
        chain_blocks = [tx_impairment_chain(chain, seed=seed + 1)] if chain else []
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
        )
        self.scale = blocks.multiply_const_ff(0.5)  # decoder sigma 1: sees 2 u = L
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
            self.src, self.enc, self.pack, self.mapper, *chain_blocks, self.noise, self.demap
        )
        self.connect((self.demap, 0), self.idx_sink)
        self.connect((self.demap, 1), self.scale, self.dec, self.sink)

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
