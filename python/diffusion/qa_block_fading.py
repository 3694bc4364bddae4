#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.block_fading (Rayleigh/Rician block-constant flat fading).

Statistics are taken over NB = 100000 independent blocks (one gain per block). With
g = |h|^2: a sample mean of g has std sqrt(Var g / NB) (Rayleigh: Var g = 1, so 0.0032);
an empirical probability p has binomial std sqrt(p (1-p) / NB) <= 0.0016; a per-rail mean
of h has std sqrt(1 / (2 (K+1) NB)) <= 0.0023. Tolerances are >= 5 such stds.
"""

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio.diffusion import block_fading

NB = 100_000


class qa_block_fading(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_block(self, blk, x, both=True, max_items=None):
        src = blocks.vector_source_c(x.tolist(), False)
        s0 = blocks.vector_sink_c()
        self.tb.connect(src, blk, s0)
        s1 = None
        if both:
            s1 = blocks.vector_sink_c()
            self.tb.connect((blk, 1), s1)
        if max_items is not None:
            blk.set_max_noutput_items(max_items)
        self.tb.run()
        self.tb = gr.top_block()
        y = np.array(s0.data(), dtype=np.complex64)
        h = np.array(s1.data(), dtype=np.complex64) if both else None
        return y, h, s0.tags(), (s1.tags() if both else None)

    def gains(self, L, K, seed):
        """One gain per block, NB blocks, after checking out0 = h * in for an all-ones input."""
        y, h, _, _ = self.run_block(block_fading(L, K, seed), np.ones(L * NB, np.complex64))
        np.testing.assert_array_equal(y, h)
        hb = h.reshape(NB, L)
        # constant within every block
        np.testing.assert_array_equal(hb, np.repeat(hb[:, :1], L, axis=1))
        return hb[:, 0].astype(np.complex128)

    def test_001_rayleigh_statistics(self):
        h = self.gains(3, 0.0, 1)
        g = np.abs(h) ** 2
        self.assertAlmostEqual(np.mean(g), 1.0, delta=0.02)  # std 0.0032
        self.assertAlmostEqual(np.var(g), 1.0, delta=0.06)  # Exp(1): Var = 1
        # |h|^2 ~ Exp(1): P(g < 1) = 1 - e^-1, P(g < 0.1) = 1 - e^-0.1 (binomial CIs)
        self.assertAlmostEqual(np.mean(g < 1.0), 1 - np.exp(-1.0), delta=0.008)
        self.assertAlmostEqual(np.mean(g < 0.1), 1 - np.exp(-0.1), delta=0.005)
        self.assertAlmostEqual(np.mean(g > 3.0), np.exp(-3.0), delta=0.004)
        # zero mean, circular: E[h] = 0, E[h^2] = 0 (stds 0.0022 and 0.0032)
        self.assertLess(abs(np.mean(h)), 0.012)
        self.assertLess(abs(np.mean(h**2)), 0.02)
        # independent across blocks: correlation of consecutive gains, std 1/sqrt(NB)
        rho = np.mean(h[1:] * np.conj(h[:-1])) / np.mean(g)
        self.assertLess(abs(rho), 5 / np.sqrt(NB))
        rho_g = np.corrcoef(g[1:], g[:-1])[0, 1]
        self.assertLess(abs(rho_g), 5 / np.sqrt(NB))

    def test_002_rician_statistics(self):
        for K in (1.0, 3.0, 10.0):
            h = self.gains(2, K, 2)
            los = np.sqrt(K / (K + 1))
            self.assertAlmostEqual(np.mean(np.abs(h) ** 2), 1.0, delta=0.02)
            # E[h] = sqrt(K/(K+1)) e^{j0}; per-rail std of the mean sqrt(1/(2(K+1)NB))
            self.assertAlmostEqual(np.mean(h.real), los, delta=0.012)
            self.assertAlmostEqual(np.mean(h.imag), 0.0, delta=0.012)
            # scattered part CN(0, 1/(K+1)): variance of h around its mean
            self.assertAlmostEqual(np.var(h) * (K + 1), 1.0, delta=0.03)
            # |h - los|^2 (K+1) ~ Exp(1): P(<1) = 1 - e^-1
            d = np.abs(h - los) ** 2 * (K + 1)
            self.assertAlmostEqual(np.mean(d < 1.0), 1 - np.exp(-1.0), delta=0.008)

    def test_003_output_is_h_times_input(self):
        rng = np.random.default_rng(3)
        N = 10_007
        x = (rng.standard_normal(N) + 1j * rng.standard_normal(N)).astype(np.complex64)
        y, h, _, _ = self.run_block(block_fading(100, 0.5, 3), x)
        np.testing.assert_allclose(y, h * x, rtol=1e-6, atol=1e-6)
        # only output 0 connected: same gains
        y1, _, _, _ = self.run_block(block_fading(100, 0.5, 3), x, both=False)
        np.testing.assert_array_equal(y1, y)

    def test_004_tags_at_block_boundaries(self):
        for L in (1, 7, 64):
            N = 10 * L + L // 2 + 1  # a partial last block
            blk = block_fading(L, 0.0, 4)
            _, h, t0, t1 = self.run_block(blk, np.ones(N, np.complex64), max_items=5)
            for tags in (t0, t1):
                ft = [t for t in tags if pmt.symbol_to_string(t.key) == "fading_block"]
                self.assertEqual([t.offset for t in ft], list(range(0, N, L)))
                self.assertEqual([pmt.to_uint64(t.value) for t in ft], list(range(len(ft))))
            # the gain changes exactly at the tagged offsets (and nowhere else)
            changes = np.flatnonzero(np.diff(h)) + 1
            np.testing.assert_array_equal(changes, np.arange(L, N, L))

    def test_005_ramp_no_sample_dropped_duplicated_or_reordered(self):
        N = 30_000
        ramp = (np.arange(1, N + 1) * (1 + 0.5j)).astype(np.complex64)
        y, h, _, _ = self.run_block(block_fading(37, 1.0, 5), ramp, max_items=101)
        self.assertEqual(len(y), N)
        np.testing.assert_allclose(y / h, ramp, rtol=1e-5)

    def test_006_reproducible_and_independent_of_chunking(self):
        x = np.ones(5000, np.complex64)
        _, a, _, _ = self.run_block(block_fading(13, 2.0, 42), x)
        _, b, _, _ = self.run_block(block_fading(13, 2.0, 42), x, max_items=3)
        _, c, _, _ = self.run_block(block_fading(13, 2.0, 43), x)
        np.testing.assert_array_equal(a, b)
        self.assertFalse(np.array_equal(a, c))

    def test_007_set_k_factor(self):
        blk = block_fading(10, 0.0, 6)
        self.assertEqual(blk.coherence_length(), 10)
        blk.set_k_factor(1e6)  # nearly deterministic h = 1
        self.assertAlmostEqual(blk.k_factor(), 1e6)
        _, h, _, _ = self.run_block(blk, np.ones(1000, np.complex64))
        np.testing.assert_allclose(h, 1.0, atol=5e-3)
        with self.assertRaisesRegex(ValueError, "k_factor"):
            blk.set_k_factor(-1.0)
        self.assertAlmostEqual(blk.k_factor(), 1e6)

    def test_008_bad_parameters(self):
        for L in (0, -3):
            with self.assertRaisesRegex(ValueError, "coherence_length"):
                block_fading(L, 0.0, 0)
        for K in (-0.1, float("inf"), float("nan")):
            with self.assertRaisesRegex(ValueError, "k_factor"):
                block_fading(16, K, 0)

    def test_009_defaults(self):
        blk = block_fading()
        self.assertEqual(blk.coherence_length(), 1024)
        self.assertEqual(blk.k_factor(), 0.0)


if __name__ == "__main__":
    gr_unittest.run(qa_block_fading)
