#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.zf_equalizer, including the whole impaired link of the paper:
s -> TX impairments (kappa_t) -> block fading (h) -> RX impairments (kappa_r, h) -> + AWGN
-> ZF, whose sigma2_eff output must be the actual error variance of every sample."""

import numpy as np
from gnuradio import blocks, gr, gr_unittest
from gnuradio.diffusion import POWER_NOMINAL, block_fading, hardware_impairments, zf_equalizer

SIGMA2_MAX = 1e30


def cn(n, seed, var=1.0):
    rng = np.random.default_rng(seed)
    return (np.sqrt(var / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))).astype(
        np.complex64
    )


class qa_zf_equalizer(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_block(self, blk, y, h, both=True, max_items=None):
        self.tb.connect(blocks.vector_source_c(y.tolist(), False), (blk, 0))
        self.tb.connect(blocks.vector_source_c(h.tolist(), False), (blk, 1))
        zs = blocks.vector_sink_c()
        self.tb.connect((blk, 0), zs)
        ss = None
        if both:
            ss = blocks.vector_sink_f()
            self.tb.connect((blk, 1), ss)
        if max_items is not None:
            blk.set_max_noutput_items(max_items)
        self.tb.run()
        self.tb = gr.top_block()
        z = np.array(zs.data(), dtype=np.complex64)
        s2 = np.array(ss.data(), dtype=np.float32) if both else None
        return z, s2

    def test_001_equalization_and_variance(self):
        N = 20_000
        y = cn(N, 1, 3.0)
        h = cn(N, 2)
        dv, nv, scale = 0.2, 0.05, 0.5
        z, s2 = self.run_block(zf_equalizer(dv, nv, scale), y, h)
        h64 = h.astype(np.complex128)
        np.testing.assert_allclose(z, scale * y / h64, rtol=1e-5)
        np.testing.assert_allclose(s2, dv + nv / np.abs(h64) ** 2, rtol=1e-6)
        # only z connected: same z
        z1, _ = self.run_block(zf_equalizer(dv, nv, scale), y, h, both=False)
        np.testing.assert_array_equal(z1, z)

    def test_002_deep_fades(self):
        re = np.array([0.0, 1e-16, np.nan, 1e-14, 1e-14, 1.0], dtype=np.float32)
        h = re.astype(np.complex64)
        y = np.full(len(h), 1 + 1j, dtype=np.complex64)
        z, s2 = self.run_block(zf_equalizer(0.1, 2.0, 1.0), y, h)
        # |h|^2 = 0, 1e-32 < 1e-30, NaN: erased -> z = 0, sigma2 = 1e30
        np.testing.assert_array_equal(z[:3], 0)
        np.testing.assert_array_equal(s2[:3], np.float32(SIGMA2_MAX))
        # |h|^2 = 1e-28: equalized (finite), sigma2 = 0.1 + 2e28 < cap
        np.testing.assert_allclose(z[3], (1 + 1j) / 1e-14, rtol=1e-5)
        np.testing.assert_allclose(s2[3], 2e28, rtol=1e-5)
        np.testing.assert_allclose(s2[5], 2.1, rtol=1e-6)
        self.assertTrue(np.all(np.isfinite(z)) and np.all(np.isfinite(s2)))
        # the cap: 200 / 1e-28 = 2e30 -> 1e30
        _, s2 = self.run_block(zf_equalizer(0.0, 200.0, 1.0), y[3:4], h[3:4])
        self.assertEqual(s2[0], np.float32(SIGMA2_MAX))
        self.assertEqual(zf_equalizer.SIGMA2_MAX, np.float32(SIGMA2_MAX))

    def test_003_ramp_no_sample_dropped_duplicated_or_reordered(self):
        N = 40_000
        ramp = (np.arange(N) - 1j * np.arange(N)).astype(np.complex64)
        z, s2 = self.run_block(
            zf_equalizer(0.0, 1.0, 1.0), ramp, np.ones(N, np.complex64), max_items=99
        )
        np.testing.assert_array_equal(z, ramp)
        np.testing.assert_array_equal(s2, np.ones(N, np.float32))

    def test_004_setters(self):
        blk = zf_equalizer(0.0, 0.0, 1.0)
        blk.set_distortion_var(0.2)
        blk.set_noise_var(0.01)
        blk.set_scale(0.25)
        self.assertAlmostEqual(blk.distortion_var(), 0.2)
        self.assertAlmostEqual(blk.noise_var(), 0.01)
        self.assertAlmostEqual(blk.scale(), 0.25)
        z, s2 = self.run_block(
            blk, np.array([2 + 2j], np.complex64), np.array([0.5j], np.complex64)
        )
        np.testing.assert_allclose(z, [0.25 * (2 + 2j) / 0.5j], rtol=1e-6)
        np.testing.assert_allclose(s2, [0.2 + 0.01 / 0.25], rtol=1e-6)
        with self.assertRaisesRegex(ValueError, "distortion_var"):
            blk.set_distortion_var(-1.0)
        with self.assertRaisesRegex(ValueError, "noise_var"):
            blk.set_noise_var(float("nan"))
        with self.assertRaisesRegex(ValueError, "scale"):
            blk.set_scale(0.0)
        self.assertAlmostEqual(blk.scale(), 0.25)

    def test_005_bad_parameters(self):
        with self.assertRaisesRegex(ValueError, "distortion_var"):
            zf_equalizer(-0.1, 0.0, 1.0)
        with self.assertRaisesRegex(ValueError, "noise_var"):
            zf_equalizer(0.0, -0.1, 1.0)
        with self.assertRaisesRegex(ValueError, "noise_var"):
            zf_equalizer(0.0, float("inf"), 1.0)
        for s in (0.0, -1.0, float("nan")):
            with self.assertRaisesRegex(ValueError, "scale"):
                zf_equalizer(0.0, 0.0, s)

    def test_006_paper_link_sigma2_is_the_error_variance(self):
        # y = h (sqrt(p) s + eta_t) + eta_r + n, kappa_t = 0.05, kappa_r = 0.15, p = 4,
        # sigma_n^2 = 0.5 (Es/N0 = 9 dB), Rayleigh blocks of 10 samples. After ZF with
        # scale = 1/sqrt(p), distortion_var = kappa_t + kappa_r, noise_var = sigma_n^2/p:
        # z - s | h ~ CN(0, sigma2_eff), so |z - s|^2 / sigma2_eff ~ Exp(1) per sample.
        N, p, kt, kr, sn2 = 100_000, 4.0, 0.05, 0.15, 0.5
        rng = np.random.default_rng(7)
        b = rng.integers(0, 2, size=(N, 2))
        s = (((1 - 2 * b[:, 0]) + 1j * (1 - 2 * b[:, 1])) / np.sqrt(2)).astype(np.complex64)
        n = cn(N, 8, sn2)

        src = blocks.vector_source_c((np.sqrt(p) * s).tolist(), False)
        tx = hardware_impairments(kt, POWER_NOMINAL, p, 16, 1)
        fad = block_fading(10, 0.0, 2)
        rx = hardware_impairments(kr, POWER_NOMINAL, p, 16, 3)
        add = blocks.add_cc()
        zf = zf_equalizer(kt + kr, sn2 / p, 1 / np.sqrt(p))
        zs, ss, hs = blocks.vector_sink_c(), blocks.vector_sink_f(), blocks.vector_sink_c()
        self.tb.connect(src, tx, fad)
        self.tb.connect(fad, blocks.null_sink(gr.sizeof_gr_complex))
        self.tb.connect(tx, (rx, 0))
        self.tb.connect((fad, 1), (rx, 1))
        self.tb.connect(rx, (add, 0))
        self.tb.connect(blocks.vector_source_c(n.tolist(), False), (add, 1))
        self.tb.connect(add, (zf, 0))
        self.tb.connect((fad, 1), (zf, 1))
        self.tb.connect((zf, 0), zs)
        self.tb.connect((zf, 1), ss)
        self.tb.connect((fad, 1), hs)
        self.tb.run()

        z = np.array(zs.data(), dtype=np.complex128)
        s2 = np.array(ss.data(), dtype=np.float64)
        h = np.array(hs.data(), dtype=np.complex128)
        self.assertEqual(len(z), N)
        np.testing.assert_allclose(s2, kt + kr + sn2 / (p * np.abs(h) ** 2), rtol=1e-5)
        g = np.abs(z - s) ** 2 / s2
        # mean of N Exp(1): std 1/sqrt(N) = 0.0032 -> tolerance 0.02
        self.assertAlmostEqual(np.mean(g), 1.0, delta=0.02)
        # Gaussian given h: P(g > 1) = e^-1 (binomial std 0.0015 -> tolerance 0.008)
        self.assertAlmostEqual(np.mean(g > 1.0), np.exp(-1.0), delta=0.008)
        # the distortion floor alone: in good blocks (|h|^2 > 4) the error is dominated by
        # kappa_t + kappa_r = 0.2 (noise adds < 0.125/4 = 0.031)
        good = np.abs(h) ** 2 > 4
        self.assertGreater(np.sum(good), 1000)
        self.assertAlmostEqual(
            np.mean(np.abs(z[good] - s[good]) ** 2 / s2[good]), 1.0, delta=5 / np.sqrt(np.sum(good))
        )


if __name__ == "__main__":
    gr_unittest.run(qa_zf_equalizer)
