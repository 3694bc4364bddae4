#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA of the impaired_link hierarchical block (eq. 15 link with ZF outputs)."""

import numpy as np
from gnuradio import blocks, diffusion, gr, gr_unittest


def qam16(n, seed):
    rng = np.random.default_rng(seed)
    lev = np.array([-3, -1, 1, 3]) / np.sqrt(10)
    return (rng.choice(lev, n) + 1j * rng.choice(lev, n)).astype(np.complex64)


class qa_impaired_link(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_link(self, x, **kw):
        self.src = blocks.vector_source_c(x.tolist())
        self.link = diffusion.impaired_link(**kw)
        self.sinks = [
            blocks.vector_sink_c(),
            blocks.vector_sink_c(),
            blocks.vector_sink_c(),
            blocks.vector_sink_f(),
        ]
        self.tb.connect(self.src, self.link)
        for i, s in enumerate(self.sinks):
            self.tb.connect((self.link, i), s)
        self.tb.run()
        return [np.array(s.data()) for s in self.sinks]

    def test_clean_link_is_identity_in_order(self):
        # no impairment, noise at 200 dB: z reproduces x sample for sample (nothing dropped,
        # duplicated or reordered), y = sqrt(p) x, h = 1
        x = qam16(20000, 1)
        y, h, z, s2 = self.run_link(
            x, esn0_db=200.0, power=4.0, kappa_t=0.0, kappa_r=0.0, bits=0, fading="none"
        )
        self.assertEqual(len(z), len(x))
        np.testing.assert_allclose(z, x, atol=1e-5)
        np.testing.assert_allclose(y, 2.0 * x, atol=1e-5)
        np.testing.assert_allclose(h, 1.0)

    def test_sigma2_output_matches_error_awgn_and_kappa(self):
        # no fading: E|z - x|^2 = kappa_t + kappa_r + 1/snr. With n = 200k samples the
        # relative standard error of the mean of |e|^2 is 1/sqrt(n) ~ 0.2 %: 3 % tolerance.
        x = qam16(200000, 2)
        for kt, kr, snr_db in ((0.0, 0.0, 10.0), (0.05, 0.15, 10.0), (0.1, 0.1, 20.0)):
            self.tb = gr.top_block()
            y, h, z, s2 = self.run_link(
                x, esn0_db=snr_db, power=2.0, kappa_t=kt, kappa_r=kr, bits=0, fading="none", seed=3
            )
            want = kt + kr + 10 ** (-snr_db / 10)
            self.assertAlmostEqual(float(np.mean(np.abs(z - x) ** 2)) / want, 1.0, delta=0.03)
            np.testing.assert_allclose(s2, want, rtol=1e-5)

    def test_per_sample_sigma2_under_rayleigh_fading(self):
        # With fading, the error of z is CN(0, sigma2[n]) per sample: |e|^2 / sigma2 is
        # exponential with mean 1 (std 1), so its mean over 200k samples is 1 +- 0.002;
        # 3 % tolerance also covers the 8-bit quantization-noise approximation.
        x = qam16(200000, 4)
        y, h, z, s2 = self.run_link(
            x,
            esn0_db=15.0,
            kappa_t=0.05,
            kappa_r=0.15,
            bits=8,
            fading="rayleigh",
            coherence_length=32,
            seed=5,
        )
        self.assertAlmostEqual(float(np.mean(np.abs(h) ** 2)), 1.0, delta=0.05)
        ratio = np.abs(z - x) ** 2 / s2
        self.assertAlmostEqual(float(np.mean(ratio)), 1.0, delta=0.03)
        # h is constant within each coherence block
        blocks_h = h[: len(h) // 32 * 32].reshape(-1, 32)
        np.testing.assert_allclose(blocks_h, blocks_h[:, :1] * np.ones((1, 32)), atol=0)

    def test_bad_parameters_raise(self):
        with self.assertRaises(ValueError):
            diffusion.impaired_link(power=0.0)
        with self.assertRaises(ValueError):
            diffusion.impaired_link(fading="nakagami")
        with self.assertRaises(ValueError):
            diffusion.impaired_link(bits=17)
        with self.assertRaises(ValueError):
            diffusion.impaired_link(kappa_t=-0.1)


if __name__ == "__main__":
    gr_unittest.run(qa_impaired_link)
