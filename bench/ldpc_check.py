#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""What gr-fec's ldpc_decoder makes of the demappers' LLRs, against a reference decoder.

For one case (constellation, chain, Es/N0) it draws frames of the coded link (gr-fec LDPC
encoder, Gray mapper, the chain's noiseless points, complex AWGN) and decodes the same LLRs
L (nominal and oracle demappers, core twin) with
  * the NumPy reference sum-product decoder (diffusion.link.ldpc, input L itself);
  * gr-fec's ldpc_decoder (sigma 1) fed u = c * L for several c;
  * an emulation of gr-fec 3.10's awgn_bp (probability-domain sum-product, likelihood ratio
    exp(u / (2 sigma^2))), checked frame by frame against gr-fec itself;
with and without the coded link's bit interleaver; and prints the per-bit-position LLR
statistics (mean |L|, sign error rate) of each demapper.

  .venv/bin/python bench/ldpc_check.py \
      --const 64qam --chain '64qam+rapp(ibo=0,p=2)+agc' --esn0 12.8 --frames 200
"""

import argparse
import sys

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)
from gnuradio import blocks, fec, gr
from gnuradio.diffusion.core.constellations import by_name
from gnuradio.diffusion.core.label_mixture import LabelMixture
from gnuradio.diffusion.flowgraphs.coded_link import DEFAULT_ALIST
from gnuradio.diffusion.link.ldpc import ParityCheck, interleaver
from gnuradio.diffusion.tx_impairment_chain import noiseless_points


def grfec_encode(alist, info):
    tb = gr.top_block()
    snk = blocks.vector_sink_b()
    enc = fec.extended_encoder(
        encoder_obj_list=fec.ldpc_encoder_make(alist), threading="none", puncpat="11"
    )
    tb.connect(blocks.vector_source_b(info.reshape(-1).tolist()), enc, snk)
    tb.run()
    return np.array(snk.data(), np.uint8).reshape(info.shape[0], -1)


def grfec_decode(alist, soft, iterations=50):
    tb = gr.top_block()
    snk = blocks.vector_sink_b()
    dec = fec.extended_decoder(
        decoder_obj_list=fec.ldpc_decoder.make(alist, 1.0, iterations),
        threading="none",
        ann=None,
        puncpat="11",
        integration_period=10000,
    )
    tb.connect(blocks.vector_source_f(soft.astype(np.float32).reshape(-1).tolist()), dec, snk)
    tb.run()
    return np.array(snk.data(), np.uint8).reshape(soft.shape[0], -1)


def awgn_bp_emulation(H, u, sigma=1.0, iterations=50):
    """gr-fec 3.10.5's awgn_bp as an algorithm: y = -u, likelihood ratio per bit
    exp(-y / (2 sigma^2)), check update R = (1 - p) / (1 + p) with p the product of the other
    edges' 2 / (1 + Q) - 1 (all edges' product divided by the own factor), variable update
    Q = rx * prod R / R_own, decision lr > 1 -> 1, stop at a codeword. Returns bits [B, n]."""
    u = np.atleast_2d(np.asarray(u, np.float32))
    bits = (u > 0).astype(np.uint8)
    done = H.syndrome_ok(bits)
    cl = np.diff(np.r_[H._check_start, H.edges])
    vl = np.diff(np.r_[H._var_start, H.edges])
    bv = H._by_var
    with np.errstate(all="ignore"):
        rx = np.exp(u.astype(np.float64) / (2 * sigma * sigma))
        Q = rx[:, H.var_of]
        for _ in range(iterations):
            act = ~done
            if not act.any():
                break
            f = 2 / (1 + Q[act]) - 1
            pr = np.repeat(np.multiply.reduceat(f, H._check_start, axis=1), cl, 1) / f
            Rb = ((1 - pr) / (1 + pr))[:, bv]
            s = rx[act] * np.multiply.reduceat(Rb, H._var_start, axis=1)
            q = np.empty_like(f)
            q[:, bv] = np.repeat(s, vl, 1) / Rb
            Q[act] = q
            hard = (s > 1).astype(np.uint8)
            bits[act] = hard
            done[act] = H.syndrome_ok(hard)
    return bits


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--const", default="64qam")
    ap.add_argument("--chain", default="64qam+rapp(ibo=0,p=2)+agc")
    ap.add_argument("--esn0", type=float, default=12.8)
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--scales", default="0.5,1,1.5,2")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    alist = DEFAULT_ALIST
    H = ParityCheck(alist)
    c = by_name(args.const)
    kb = c.bits_per_symbol
    pts = noiseless_points(args.chain) if args.chain else c.points
    rng = np.random.default_rng(args.seed)
    B = args.frames
    info = rng.integers(0, 2, (B, H.k)).astype(np.uint8)
    cw = grfec_encode(alist, info)
    assert H.syndrome_ok(cw).all()
    s2 = 10 ** (-args.esn0 / 10)
    noise = np.sqrt(s2 / 2) * (
        rng.standard_normal(B * H.n // kb) + 1j * rng.standard_normal(B * H.n // kb)
    )
    mixes = {"nominal": LabelMixture.nominal(c)}
    if args.chain:
        mixes["oracle"] = LabelMixture(pts, None, c.labels)
    inv = np.argsort(c.labels)
    weights = 1 << np.arange(kb - 1, -1, -1)
    scales = [float(v) for v in args.scales.split(",")]
    print(f"case {args.const} {args.chain or 'AWGN'} Es/N0 {args.esn0} dB, {B} frames")
    for ilv in (False, True):
        perm = interleaver(H.n) if ilv else np.arange(H.n)
        tx = cw[:, perm]  # channel position j carries codeword bit perm[j]
        idx = inv[(tx.reshape(-1, kb) * weights).sum(1)]
        y = pts[idx] + noise
        for name, mix in mixes.items():
            lch = mix.llr(y, s2).reshape(B, -1)
            L = np.empty_like(lch)
            L[:, perm] = lch
            row = [f"interleaver {'on ' if ilv else 'off'} {name:8s}"]
            ref = H.decode(L, 50, "spa")[0]
            row.append(f"ref SPA(L) {np.mean((ref != cw).any(1)):.3f}")
            for sc in scales:
                d = grfec_decode(alist, sc * L)
                fer = (d != info).any(1)
                row.append(f"gr-fec u={sc:g}L {fer.mean():.3f}")
                if sc == scales[0] and not ilv:
                    emu = (awgn_bp_emulation(H, sc * L) != cw).any(1)
                    row.append(
                        f"(emulation u={sc:g}L {emu.mean():.3f}, same frames {np.mean(emu == fer):.3f})"
                    )
            print(" | ".join(row), flush=True)
            if not ilv:
                t = tx.reshape(-1, kb).astype(bool)
                ls = lch.reshape(-1, kb)
                print(
                    f"    per bit position (MSB first): mean|L| {np.round(np.abs(ls).mean(0), 2).tolist()}"
                    f"  sign errors {np.round(((ls > 0) != t).mean(0), 4).tolist()}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
