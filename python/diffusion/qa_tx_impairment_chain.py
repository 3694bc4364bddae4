#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.tx_impairment_chain: spec parsing, and flowgraph output against the
closed-form stage models (NumPy) and their statistics.

Deterministic stages are compared sample by sample (float32 rounding: 1e-5); statistical
checks use z = 5 intervals from the sample size (seeds fixed).
"""

import math

import numpy as np
from gnuradio import diffusion, gr_unittest
from gnuradio.diffusion.core import chain_spec as cs
from gnuradio.diffusion.core import constellations as const
from gnuradio.diffusion.tx_impairment_chain import generate, noiseless_points, tx_impairment_chain

Q16 = const.qam(16)


def rapp(x, ibo_db, p, gain=1.0, sat=1.0):
    """Rapp AM/AM of diffusion.pa_nonlinearity (header formula), no normalisation."""
    k = math.sqrt((sat / gain) ** 2 * 10 ** (-ibo_db / 10))
    r = k * np.abs(x)
    f = gain * r / (1 + (gain * r / sat) ** (2 * p)) ** (1 / (2 * p))
    return f * np.exp(1j * np.angle(x))


class qa_tx_impairment_chain(gr_unittest.TestCase):
    def test_001_parse_canonical_and_errors(self):
        s = cs.parse(
            "16QAM + rapp(ibo=-1dB, p=3) + pn(1e-4) + iq(0.5dB, 2deg) + dc(0.01, -0.02)"
            " + kappa(0.01) + dac(8, fs=1.2) + agc"
        )
        self.assertEqual(s.constellation, "16qam")
        self.assertEqual(
            [t.name for t in s.stages], ["rapp", "phase_noise", "iq", "dc", "kappa", "dac", "agc"]
        )
        self.assertEqual(s.stages[0].params["ibo"], -1.0)
        self.assertEqual(s.stages[1].params["block"], 32)
        self.assertEqual(s.stages[5].params["bits"], 8)
        self.assertEqual(cs.parse(str(s)), s)  # canonical form round trip
        self.assertTrue(s.is_random)
        self.assertAlmostEqual(
            cs.parse("qpsk+iq(phase_deg=0.1rad)").stages[0].params["phase_deg"], 0.1 * 180 / math.pi
        )
        for bad, what in (
            ("16qam+rap(1)", "unknown stage 'rap'"),
            ("17qam+agc", "'17qam' is not a constellation"),
            ("16qam+rapp(ibo=x)", "ibo = 'x' is not a number"),
            ("16qam+rapp(q=1)", "unknown parameter 'q'"),
            ("16qam+rapp(1,2,3,4,5)", "too many positional"),
            ("16qam++agc", "empty stage"),
            ("16qam+iq(1deg)", "unit 'deg'"),
            ("16qam+dac(0)", "bits must be"),
            ("16qam+rapp(ibo=0", "unbalanced"),
            ("16qam+kappa(-1)", "k must be >= 0"),
            ("", "non-empty"),
        ):
            with self.assertRaises(ValueError) as ctx:
                cs.parse(bad)
            self.assertIn(what, str(ctx.exception))
        with self.assertRaises(ValueError):
            tx_impairment_chain("16qam+bogus")

    def test_002_rapp_agc_matches_formula(self):
        # deterministic: every point once through the flowgraph == formula / AGC gain,
        # AGC gain from the uniform label mix (exact for a memoryless chain)
        z = noiseless_points("16qam+rapp(ibo=0,p=2)+agc")
        ref = rapp(Q16.points, 0.0, 2.0)
        ref = ref / math.sqrt(np.mean(np.abs(ref) ** 2))
        np.testing.assert_allclose(z, ref, atol=2e-5)
        self.assertAlmostEqual(float(np.mean(np.abs(z) ** 2)), 1.0, places=4)
        # compression: outer corner shrinks relative to the inner points (AM/AM)
        r = np.abs(z)
        self.assertLess(r.max() / r.min(), 3.0 * 0.97)  # nominal ratio 3

    def test_003_iq_dc_dac(self):
        z = noiseless_points("16qam+iq(1dB,5deg)+dc(0.01,-0.02)")
        x = Q16.points
        g = 10 ** (1 / 20)
        ph = math.radians(5)
        ref = g * x.real * math.cos(ph) + 1j * (x.imag + g * x.real * math.sin(ph))
        ref = ref + (0.01 - 0.02j)
        np.testing.assert_allclose(z, ref, atol=2e-5)
        zq = noiseless_points("16qam+dac(3,fs=1)")
        delta = 2.0 / 8
        lv = np.clip(np.floor((x.real + 1) / delta), 0, 7)
        np.testing.assert_allclose(zq.real, -1 + (lv + 0.5) * delta, atol=1e-6)

    def test_004_kappa_and_agc_statistics(self):
        n = 1 << 16
        z, idx, _ = generate("16qam+kappa(0.02)+agc", n, seed=3)
        self.assertEqual(len(z), n)
        x = Q16.points[idx]
        g = 1 / math.sqrt(1.02)  # AGC: E|x + eta|^2 = 1 + kappa
        e = z / g - x
        # E|eta|^2 = kappa; |eta|^2 exponential: SE = kappa / sqrt(n)
        self.assertLess(abs(np.mean(np.abs(e) ** 2) - 0.02), 5 * 0.02 / math.sqrt(n))
        # AGC calibration run draws other noise: unit power within its own SE
        self.assertLess(
            abs(np.mean(np.abs(z) ** 2) - 1.0),
            5 * 0.7 / math.sqrt(1 << 16) + 5 * 0.7 / math.sqrt(n),
        )
        # reproducible
        z2, idx2, _ = generate("16qam+kappa(0.02)+agc", 1000, seed=3)
        np.testing.assert_array_equal(idx2, idx[:1000])
        np.testing.assert_allclose(z2, z[:1000], atol=1e-6)

    def test_005_tracked_phase_noise_residual(self):
        # Wiener steps N(0, 2 pi lw); anchors every B symbols removed exactly with linear
        # interpolation: residual = Brownian bridge, mean variance 2 pi lw (B^2 - 1)/(6 B)
        # over the positions 0..B-1. n / B = 4096 independent bridges: the mean-square
        # estimate has relative SE ~ sqrt(2 / 4096) * 1.3 (correlated within a bridge),
        # i.e. 3 %; z = 5 -> 15 %.
        n, lw, B = 1 << 17, 1e-3, 32
        z, idx, _ = generate(f"qpsk+phase_noise({lw},block={B})", n, seed=5)
        self.assertGreaterEqual(len(z), n - B)  # the last segment waits for its anchor
        self.assertLessEqual(len(z), n)
        x = const.by_name("qpsk").points[idx]
        ph = np.angle(z / x)
        np.testing.assert_allclose(np.abs(z), 1.0, atol=1e-5)  # phase only
        want = 2 * math.pi * lw * (B * B - 1) / (6 * B)
        self.assertLess(abs(np.mean(ph**2) / want - 1), 0.15)
        self.assertEqual(ph[0], 0.0)
        # at the anchors the residual is 0
        self.assertLess(np.max(np.abs(ph[::B])), 1e-5)
        # untracked: the raw random walk, Var(theta[n]) grows linearly (not bounded)
        z0, _, _ = generate(f"qpsk+phase_noise({lw},block=0)", 4096, seed=5)
        self.assertEqual(len(z0), 4096)

    def test_006_noiseless_points_random_chain_rejected(self):
        with self.assertRaises(ValueError):
            noiseless_points("16qam+kappa(0.01)")
        with self.assertRaises(ValueError):
            tx_impairment_chain("16qam+agc", seed=-1)

    def test_007_block_in_flowgraph_passthrough(self):
        from gnuradio import blocks, gr

        tb = gr.top_block()
        x = Q16.points[np.arange(64) % 16].astype(np.complex64)
        src = blocks.vector_source_c(x.tolist(), False)
        ch = tx_impairment_chain("16qam")
        snk = blocks.vector_sink_c()
        tb.connect(src, ch, snk)
        tb.run()
        np.testing.assert_allclose(np.array(snk.data()), x, atol=0)
        self.assertEqual(ch.agc_gain, 1.0)
        self.assertIsNotNone(diffusion)


if __name__ == "__main__":
    gr_unittest.run(qa_tx_impairment_chain)
