#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.learned_slicer (C++) and its core twin label_mixture.LabelMixture:
exact decisions on noiseless input, LLRs against a brute-force mixture sum on fresh
seeds, the gr-fec sign convention, erasures and the model metadata contract."""

import math
import os
import tempfile

import numpy as np
import pmt
from gnuradio import blocks, diffusion, gr, gr_unittest
from gnuradio.diffusion.core import constellations as const
from gnuradio.diffusion.core.label_mixture import LabelMixture, estimate

Q16 = const.qam(16)


def models_dir():
    """Folder of the shipped models (source tree or install)."""
    from gnuradio.diffusion.core.model_files import shipped_model

    return os.path.dirname(shipped_model("16qam"))


def hw_mixture(seed=0):
    """Compressed, rotated 16-QAM with anisotropic per-label spread (a 'hardware' set)."""
    rng = np.random.default_rng(seed)
    p = Q16.points
    mu = np.tanh(1.3 * np.abs(p)) * np.exp(1j * (np.angle(p) + 0.1 * np.abs(p)))
    a = rng.uniform(0, 4e-3, 16)
    d = rng.uniform(0, 4e-3, 16)
    c = rng.uniform(-0.5, 0.5, 16) * np.sqrt(a * d)
    return LabelMixture(mu, np.stack([a, d, c], 1), Q16.labels)


def brute_llr(mix, y, sigma2):
    """Direct sum (no log domain) of p(y|m) over labels with each bit value."""
    s = sigma2 / 2
    A = mix.spread[:, 0] + s
    D = mix.spread[:, 1] + s
    C = mix.spread[:, 2]
    det = A * D - C * C
    r = y[:, None] - mix.centroids[None, :]
    u, v = r.real, r.imag
    p = np.exp(-0.5 * (D * u * u - 2 * C * u * v + A * v * v) / det) / (2 * np.pi * np.sqrt(det))
    out = np.empty((len(y), mix.bits_per_symbol))
    for b in range(mix.bits_per_symbol):
        one = mix.bit_table[:, b]
        out[:, b] = np.log(p[:, one].sum(1)) - np.log(p[:, ~one].sum(1))
    return (
        out,
        np.argmax(p, 1),
        (
            p
            * (
                mix.centroids[None, :]
                + (
                    mix.spread[None, :, 0] * (D * u - C * v) / det
                    + mix.spread[None, :, 2] * (A * v - C * u) / det
                )
                + 1j
                * (
                    mix.spread[None, :, 2] * (D * u - C * v) / det
                    + mix.spread[None, :, 1] * (A * v - C * u) / det
                )
            )
        ).sum(1)
        / p.sum(1),
    )


def run_slicer(blk, y, sigma2_stream=None):
    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(y, np.complex64).tolist(), False)
    s_idx = blocks.vector_sink_b()
    s_llr = blocks.vector_sink_f()
    tb.connect(src, (blk, 0))
    if sigma2_stream is not None:
        tb.connect(blocks.vector_source_f(np.asarray(sigma2_stream, np.float32).tolist()), (blk, 1))
    tb.connect((blk, 0), s_idx)
    tb.connect((blk, 1), s_llr)
    tb.run()
    return np.array(s_idx.data(), np.int64), np.array(s_llr.data()), s_idx, s_llr


class qa_learned_slicer(gr_unittest.TestCase):
    def test_001_core_exact_and_brute_force(self):
        mix = hw_mixture(1)
        # noiseless: every centroid decides to itself, LLR signs = its bits
        self.assertTrue(np.array_equal(mix.decide(mix.centroids, 0.0), np.arange(16)))
        L = mix.llr(mix.centroids, 1e-3)
        self.assertTrue(np.array_equal(L > 0, mix.bit_table))
        # fresh seeds, moderate SNR (no underflow in the direct sum)
        rng = np.random.default_rng(20261201)
        y = rng.standard_normal(4000) * 0.4 + 1j * rng.standard_normal(4000) * 0.4
        for s2 in (0.02, 0.1):
            ref, ref_idx, ref_mmse = brute_llr(mix, y, s2)
            got = mix.llr(y, s2)
            np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)
            self.assertTrue(np.array_equal(mix.decide(y, s2), ref_idx))
            np.testing.assert_allclose(mix.mmse(y, s2), ref_mmse, rtol=1e-9, atol=1e-12)

    def test_002_nominal_is_exact_map_demapper(self):
        # zero spread on the nominal points = exact bit-wise MAP: LLR from the point
        # likelihoods exp(-|y - x|^2 / sigma2) directly; MMSE = reference.mmse_estimate
        from gnuradio.diffusion.core import reference

        mix = LabelMixture.nominal(Q16)
        rng = np.random.default_rng(7)
        idx = rng.integers(0, 16, 3000)
        s2 = 0.05
        y = reference.awgn(Q16.points[idx], s2, rng)
        lg = -(np.abs(y[:, None] - Q16.points[None, :]) ** 2) / s2
        bits = mix.bit_table
        ref = np.stack(
            [
                np.log(np.exp(lg[:, bits[:, b]]).sum(1)) - np.log(np.exp(lg[:, ~bits[:, b]]).sum(1))
                for b in range(4)
            ],
            1,
        )
        np.testing.assert_allclose(mix.llr(y, s2), ref, rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(mix.mmse(y, s2), reference.mmse_estimate(y, Q16, s2), atol=1e-12)
        self.assertTrue(np.array_equal(mix.decide(y, s2), Q16.slice(y)))

    def test_003_cpp_block_matches_core(self):
        mix = hw_mixture(2)
        rng = np.random.default_rng(99)
        idx = rng.integers(0, 16, 5000)
        s2 = 0.03
        y = mix.centroids[idx] + math.sqrt(s2 / 2) * (
            rng.standard_normal(5000) + 1j * rng.standard_normal(5000)
        )
        y = y.astype(np.complex64)
        blk = diffusion.learned_slicer(
            "",
            mix.centroids.astype(np.complex64).tolist(),
            mix.spread.reshape(-1).astype(np.float32).tolist(),
            Q16.labels.tolist(),
            s2,
            False,
        )
        self.assertEqual(blk.bits_per_symbol(), 4)
        d, L, _, _ = run_slicer(blk, y)
        self.assertEqual(len(d), 5000)
        self.assertEqual(len(L), 4 * 5000)
        ref = mix.llr(y.astype(np.complex128), s2)
        # float32 spread/centroids in the block: relative 1e-3 of |L| + 1e-3
        np.testing.assert_allclose(L.reshape(-1, 4), ref, rtol=2e-3, atol=2e-3)
        self.assertGreater(np.mean(d == mix.decide(y, s2)), 0.999)
        # gr-fec convention: positive = bit 1; at this SNR sign(L) mostly = sent bits
        sent = Q16.bits(idx).astype(bool)
        self.assertGreater(np.mean((L.reshape(-1, 4) > 0) == sent), 0.95)
        # sigma2 from a stream: same result
        blk2 = diffusion.learned_slicer(
            "",
            mix.centroids.astype(np.complex64).tolist(),
            mix.spread.reshape(-1).astype(np.float32).tolist(),
            Q16.labels.tolist(),
            0.5,
            True,
        )
        _, L2, _, _ = run_slicer(blk2, y, np.full(5000, s2))
        np.testing.assert_allclose(L2, L, rtol=1e-6, atol=1e-6)

    def test_004_nan_erasure_and_continues(self):
        blk = diffusion.learned_slicer(
            "", Q16.points.astype(np.complex64).tolist(), [], Q16.labels.tolist(), 0.01, False
        )
        y = Q16.points[np.arange(40) % 16].astype(np.complex64)
        y[5] = np.nan
        y[17] = complex(np.inf, 0)
        d, L, s_idx, s_llr = run_slicer(blk, y)
        self.assertEqual(len(d), 40)
        L = L.reshape(-1, 4)
        self.assertTrue(np.all(L[[5, 17]] == 0))
        self.assertTrue(np.all(np.isfinite(L)))
        ok = np.ones(40, bool)
        ok[[5, 17]] = False
        self.assertTrue(np.array_equal(d[ok], (np.arange(40) % 16)[ok]))
        self.assertEqual(blk.erasures(), 2)
        tags = [t for t in s_llr.tags() if pmt.symbol_to_string(t.key) == "erasure"]
        self.assertEqual(sorted(t.offset for t in tags), [5 * 4, 17 * 4])
        tags0 = [t.offset for t in s_idx.tags() if pmt.symbol_to_string(t.key) == "erasure"]
        self.assertEqual(sorted(tags0), [5, 17])

    def test_005_metadata_contract(self):
        d = models_dir()
        plain = os.path.join(d, "16qam.onnx")
        with self.assertRaises(ValueError) as ctx:
            diffusion.learned_slicer(plain)
        self.assertIn("16qam.onnx", str(ctx.exception))
        self.assertIn("label_centroids", str(ctx.exception))
        with self.assertRaises(ValueError) as ctx:
            LabelMixture.from_model(plain)
        self.assertIn("label_centroids", str(ctx.exception))
        with self.assertRaises(ValueError):
            diffusion.learned_slicer("/nonexistent/x.onnx")
        with self.assertRaises(ValueError):
            diffusion.learned_slicer("", [1 + 0j], [], [], 0.01, False)
        with self.assertRaises(ValueError):
            diffusion.learned_slicer(
                "", Q16.points.astype(np.complex64).tolist(), [], Q16.labels.tolist(), -1.0, False
            )
        # metadata round trip (core)
        mix = hw_mixture(3)
        meta = dict(mix.metadata(), constellation_labels=",".join(map(str, Q16.labels)))
        back = LabelMixture.from_metadata(meta, "x.onnx")
        np.testing.assert_array_equal(back.centroids, mix.centroids)
        np.testing.assert_array_equal(back.spread, mix.spread)
        for bad in (
            {"label_centroids": "1,2,3"},
            {"label_centroids": "1,0,-1,0", "label_spread": "1,2,3"},
            {"label_centroids": "1,0,-1,0", "label_spread": "-1,0"},
            {"label_centroids": "1,0,x,0"},
        ):
            with self.assertRaises(ValueError) as ctx:
                LabelMixture.from_metadata(bad, "bad.onnx")
            self.assertIn("bad.onnx", str(ctx.exception))
        # a shipped labelled model carries centroids the block reads
        hw = os.path.join(d, "16qam_rapp.onnx")
        if os.path.isfile(hw):
            blk = diffusion.learned_slicer(hw)
            ref = LabelMixture.from_model(hw)
            np.testing.assert_allclose(np.array(blk.centroids()), ref.centroids, atol=1e-6)

    def test_006_estimate(self):
        rng = np.random.default_rng(4)
        idx = rng.integers(0, 16, 20000)
        z = Q16.points[idx] * (1 + 0.05 * rng.standard_normal(20000))
        _, sp, cnt = estimate(z, idx, 16)
        self.assertEqual(cnt.sum(), 20000)
        # radial spread 0.05^2 |x|^2 split on the rails along the point's direction
        np.testing.assert_allclose(sp[:, 0] + sp[:, 1], 0.0025 * np.abs(Q16.points) ** 2, rtol=0.15)
        with self.assertRaises(ValueError) as ctx:
            estimate(z, np.where(idx == 3, 16, idx), 16, where="cap.labels")
        self.assertIn("cap.labels", str(ctx.exception))
        self.assertIn("out of range", str(ctx.exception))
        with self.assertRaises(ValueError):
            estimate(z[:10], idx[:10], 16)  # labels with < 2 samples

    def test_007_labelled_capture_round_trip(self):
        from gnuradio.diffusion.core import labelled_capture as cap

        rng = np.random.default_rng(5)
        idx = rng.integers(0, 16, 1000)
        z = Q16.points[idx] + 0.01
        with tempfile.TemporaryDirectory() as tmp:
            base = os.path.join(tmp, "loop")
            cap.write(base, z, idx, Q16, extra_global={"diffusion:noise_var": 1e-3})
            z2, idx2, c2, _ = cap.read(base + ".sigmf-meta")
            np.testing.assert_allclose(z2, z, atol=1e-7)
            np.testing.assert_array_equal(idx2, idx)
            self.assertEqual(c2.name, "16qam")
            os.remove(base + ".labels")
            with self.assertRaises(ValueError) as ctx:
                cap.read(base)
            self.assertIn("label file", str(ctx.exception))
            np.full(1000, 40, "<u2").tofile(base + ".labels")
            with self.assertRaises(ValueError) as ctx:
                cap.read(base)
            self.assertIn("out of range", str(ctx.exception))

    def test_008_llrs_decode_with_gr_fec(self):
        # gr-fec's convention (soft +1 = bit 1, verified on cc_decoder and
        # ldpc_bit_flip_decoder): coded bits -> 16-QAM Gray labels (MSB first) -> AWGN ->
        # learned slicer LLRs -> Viterbi decoder; error-free at 12 dB (uncoded BER ~1e-3),
        # every bit wrong with the opposite sign.
        from gnuradio import fec

        n = 1024
        rng = np.random.default_rng(8)
        info = rng.integers(0, 2, n).astype(np.uint8)
        enc = fec.cc_encoder_make(n, 7, 2, [79, 109], 0, fec.CC_TRUNCATED, False)
        tb = gr.top_block()
        snk = blocks.vector_sink_b()
        tb.connect(
            blocks.vector_source_b(info.tolist(), False),
            fec.extended_encoder(encoder_obj_list=enc, threading=None, puncpat="11"),
            snk,
        )
        tb.run()
        coded = np.array(snk.data(), np.uint8)
        self.assertEqual(len(coded), 2 * n)
        lab = (coded.reshape(-1, 4) * np.array([8, 4, 2, 1])).sum(1)
        inv = np.argsort(Q16.labels)  # bit label -> point index
        s2 = 10**-1.2
        y = Q16.points[inv[lab]] + math.sqrt(s2 / 2) * (
            rng.standard_normal(len(lab)) + 1j * rng.standard_normal(len(lab))
        )
        for sign, want in ((1.0, 0.0), (-1.0, 1.0)):
            tb = gr.top_block()
            sl = diffusion.learned_slicer(
                "", Q16.points.astype(np.complex64).tolist(), [], Q16.labels.tolist(), s2, False
            )
            dec = fec.cc_decoder.make(n, 7, 2, [79, 109], 0, -1, fec.CC_TRUNCATED, False)
            out = blocks.vector_sink_b()
            tb.connect(blocks.vector_source_c(y.astype(np.complex64).tolist(), False), sl)
            tb.connect((sl, 0), blocks.null_sink(gr.sizeof_char))
            tb.connect(
                (sl, 1),
                blocks.multiply_const_ff(sign),
                fec.extended_decoder(
                    decoder_obj_list=dec,
                    threading=None,
                    ann=None,
                    puncpat="11",
                    integration_period=10000,
                ),
                out,
            )
            tb.run()
            got = np.array(out.data(), np.uint8)
            self.assertEqual(len(got), n)
            self.assertEqual(float(np.mean(got != info)), want)

    def test_009_max_log(self):
        """max_log: L_b = max over the labels with bit b = 1 minus max over those with b = 0
        of the log-likelihood terms log p(y|m) (direct NumPy on fresh seeds); the C++ block
        and the core twin agree; exact and max-log agree in sign away from 0 and max-log is
        the looser of the two in magnitude (|L_maxlog| >= |L_exact| - log(M/2))."""
        for seed, s2 in ((20261211, 0.02), (20261212, 0.2)):
            mix = hw_mixture(seed % 7)
            rng = np.random.default_rng(seed)
            idx = rng.integers(0, 16, 3000)
            y = mix.centroids[idx] + math.sqrt(s2 / 2) * (
                rng.standard_normal(3000) + 1j * rng.standard_normal(3000)
            )
            # direct: log N(y; mu_m, C_m + s2/2 I) for every label
            s = s2 / 2
            A = mix.spread[:, 0] + s
            D = mix.spread[:, 1] + s
            C = mix.spread[:, 2]
            det = A * D - C * C
            r = y[:, None] - mix.centroids[None, :]
            u, v = r.real, r.imag
            lg = -0.5 * np.log(det) - 0.5 * (D * u * u - 2 * C * u * v + A * v * v) / det
            ref = np.stack(
                [
                    lg[:, mix.bit_table[:, b]].max(1) - lg[:, ~mix.bit_table[:, b]].max(1)
                    for b in range(4)
                ],
                1,
            )
            got = mix.llr(y, s2, max_log=True)
            np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)
            exact = mix.llr(y, s2)
            big = np.abs(exact) > 0.5
            self.assertGreater(np.mean(np.sign(exact[big]) == np.sign(got[big])), 0.999)
            self.assertTrue(np.all(np.abs(got - exact) <= math.log(8) + 1e-9))
            blk = diffusion.learned_slicer(
                "",
                mix.centroids.astype(np.complex64).tolist(),
                mix.spread.reshape(-1).astype(np.float32).tolist(),
                Q16.labels.tolist(),
                s2,
                False,
                True,
            )
            self.assertTrue(blk.max_log())
            d, L, _, _ = run_slicer(blk, y.astype(np.complex64))
            np.testing.assert_allclose(L.reshape(-1, 4), ref, rtol=2e-3, atol=2e-3)
            self.assertGreater(np.mean(d == mix.decide(y, s2)), 0.999)
        # default is exact
        blk = diffusion.learned_slicer("", Q16.points.astype(np.complex64).tolist())
        self.assertFalse(blk.max_log())


if __name__ == "__main__":
    gr_unittest.run(qa_learned_slicer)
