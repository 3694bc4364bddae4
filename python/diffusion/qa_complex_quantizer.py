#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.complex_quantizer (uniform per-rail ADC with clipping)."""

import numpy as np
from gnuradio import blocks, gr, gr_unittest
from gnuradio.diffusion import QUANT_MID_RISE, QUANT_MID_TREAD, complex_quantizer


def expected_levels(bits, fs, mode):
    L = 2**bits if mode == QUANT_MID_RISE else 2**bits - 1
    delta = 2.0 * fs / L
    return (-fs + (np.arange(L) + 0.5) * delta).astype(np.float32), delta


def reference(x, bits, fs, mode):
    """Per-rail reference quantizer in float64 (the definition in the block's doc)."""
    L = 2**bits if mode == QUANT_MID_RISE else 2**bits - 1
    delta = 2.0 * fs / L

    def q(r):
        k = np.clip(np.floor((r.astype(np.float64) + fs) / delta), 0, L - 1)
        return (-fs + (k + 0.5) * delta).astype(np.float32)

    return (q(x.real) + 1j * q(x.imag)).astype(np.complex64)


def near_threshold(x, bits, fs, mode):
    """Rails within 1e-9 cells of a decision threshold, where either neighbouring level
    is correct (float32 inputs do hit exact thresholds, e.g. x = j * 13/32768 for
    fs = 1.3 at 16 bits, and the block and this reference round them differently)."""
    L = 2**bits if mode == QUANT_MID_RISE else 2**bits - 1
    delta = 2.0 * fs / L

    def t(r):
        c = (r.astype(np.float64) + fs) / delta
        return np.abs(c - np.round(c)) < 1e-9

    return t(x.real) | t(x.imag)


def assert_quantized_like_reference(x, y, bits, fs, mode):
    ref = reference(x, bits, fs, mode)
    tie = near_threshold(x, bits, fs, mode)
    np.testing.assert_allclose(y[~tie], ref[~tie], rtol=0, atol=1e-6 * fs)
    # at a tie: one of the two neighbouring levels
    delta = 2.0 * fs / (2**bits if mode == QUANT_MID_RISE else 2**bits - 1)
    np.testing.assert_array_less(np.abs(y[tie] - ref[tie]), 1.5 * delta)


class qa_complex_quantizer(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_block(self, blk, x, max_items=None):
        src = blocks.vector_source_c(x.tolist(), False)
        snk = blocks.vector_sink_c()
        self.tb.connect(src, blk, snk)
        if max_items is not None:
            blk.set_max_noutput_items(max_items)
        self.tb.run()
        self.tb = gr.top_block()
        return np.array(snk.data(), dtype=np.complex64)

    def check_levels(self, bits, fs, mode):
        lv, delta = expected_levels(bits, fs, mode)
        # Dense sweep well past full scale on both rails (I up, Q down).
        r = np.linspace(-1.5 * fs, 1.5 * fs, 40 * len(lv) + 1)
        x = (r + 1j * r[::-1]).astype(np.complex64)
        y = self.run_block(complex_quantizer(bits, fs, mode), x)
        for rail in (y.real, y.imag):
            u = np.unique(rail)
            self.assertEqual(len(u), len(lv))
            np.testing.assert_allclose(u, lv, rtol=0, atol=1e-6 * fs)
        # clipping: everything beyond +-FS lands on the outermost level +-(FS - delta/2)
        over = r > fs
        np.testing.assert_allclose(y.real[over], fs - delta / 2, rtol=0, atol=1e-6 * fs)
        np.testing.assert_allclose(y.real[r < -fs], -fs + delta / 2, rtol=0, atol=1e-6 * fs)
        # and matches the reference decision for every sample
        assert_quantized_like_reference(x, y, bits, fs, mode)
        return lv

    def test_001_mid_rise_levels(self):
        for bits in (1, 2, 3, 5):
            lv = self.check_levels(bits, 1.0, QUANT_MID_RISE)
            self.assertEqual(len(lv), 2**bits)
            self.assertNotIn(0.0, lv)  # mid-rise: no zero level
        lv = self.check_levels(1, 0.5, QUANT_MID_RISE)  # 1 bit = sign: +-FS/2
        np.testing.assert_allclose(lv, [-0.25, 0.25])

    def test_002_mid_tread_levels(self):
        for bits in (2, 3, 4):
            lv = self.check_levels(bits, 2.0, QUANT_MID_TREAD)
            self.assertEqual(len(lv), 2**bits - 1)
            self.assertIn(0.0, lv)  # mid-tread: zero is a level, exactly
        lv = self.check_levels(2, 1.5, QUANT_MID_TREAD)  # 3 levels: 0, +-1
        np.testing.assert_allclose(lv, [-1.0, 0.0, 1.0], atol=1e-7)

    def test_003_random_input_matches_reference(self):
        rng = np.random.default_rng(3)
        x = (0.8 * (rng.standard_normal(50_000) + 1j * rng.standard_normal(50_000))).astype(
            np.complex64
        )
        for bits, mode in ((4, QUANT_MID_RISE), (7, QUANT_MID_TREAD), (16, QUANT_MID_RISE)):
            y = self.run_block(complex_quantizer(bits, 1.3, mode), x)
            assert_quantized_like_reference(x, y, bits, 1.3, mode)

    def test_004_quantization_noise_power(self):
        # Fine quantization, no clipping: the per-rail error is ~uniform on
        # [-delta/2, delta/2], power delta^2/12. Each rail mean of e^2/(delta^2/12) over
        # N samples has relative std sqrt(1/80 - 1/144) * 12 / sqrt(N) = 0.89/sqrt(N) =
        # 0.002 at N = 2e5; tolerance 0.02 (10 sigma, room for the tiny non-uniformity).
        N = 200_000
        rng = np.random.default_rng(4)
        x = (0.2 * (rng.standard_normal(N) + 1j * rng.standard_normal(N))).astype(np.complex64)
        self.assertLess(np.max(np.abs(np.r_[x.real, x.imag])), 0.999)  # no clipping
        for bits, mode in ((10, QUANT_MID_RISE), (9, QUANT_MID_TREAD)):
            blk = complex_quantizer(bits, 1.0, mode)
            delta = blk.step()
            y = self.run_block(blk, x)
            e = (y - x).astype(np.complex128)
            self.assertLessEqual(np.max(np.abs(e.real)), delta / 2 * (1 + 1e-4))
            self.assertLessEqual(np.max(np.abs(e.imag)), delta / 2 * (1 + 1e-4))
            for rail in (e.real, e.imag):
                self.assertAlmostEqual(np.mean(rail**2) / (delta**2 / 12), 1.0, delta=0.02)
                # mean error ~0: std delta/sqrt(12 N) -> 5 sigma
                self.assertLess(abs(np.mean(rail)), 5 * delta / np.sqrt(12 * N))

    def test_005_clipping_and_non_finite(self):
        re = np.array([1e6, 1.0, np.inf, 3.0, np.nan], dtype=np.float32)
        im = np.array([-1e6, -1.0, -np.inf, 0.0, 0.0], dtype=np.float32)
        x = np.empty(len(re), dtype=np.complex64)
        x.real, x.imag = re, im
        for mode, bits in ((QUANT_MID_RISE, 3), (QUANT_MID_TREAD, 3)):
            lv, delta = expected_levels(bits, 1.0, mode)
            y = self.run_block(complex_quantizer(bits, 1.0, mode), x)
            top, bot = lv[-1], lv[0]
            self.assertAlmostEqual(top, 1.0 - delta / 2, places=6)
            np.testing.assert_allclose(y[:4].real, top, atol=1e-7)
            np.testing.assert_allclose(y[:3].imag, bot, atol=1e-7)
            self.assertTrue(np.all(np.isfinite(y)))
            self.assertAlmostEqual(y[4].real, bot, places=6)  # NaN -> lowest level

    def test_006_ramp_no_sample_dropped_duplicated_or_reordered(self):
        # 16 bits: step 2/65536 = 3.1e-5, smaller than the ramp step 9e-5, so the output
        # is strictly increasing and within delta/2 of the input sample for sample.
        N = 20_000
        r = np.linspace(-0.9, 0.9, N)
        x = (r - 1j * r).astype(np.complex64)
        blk = complex_quantizer(16, 1.0, QUANT_MID_RISE)
        y = self.run_block(blk, x, max_items=333)
        self.assertEqual(len(y), N)
        self.assertTrue(np.all(np.diff(y.real) > 0))
        self.assertTrue(np.all(np.diff(y.imag) < 0))
        self.assertLessEqual(np.max(np.abs(y - x)), blk.step())

    def test_007_set_bits(self):
        blk = complex_quantizer(8, 1.0, QUANT_MID_RISE)
        self.assertEqual((blk.bits(), blk.levels(), blk.mode()), (8, 256, QUANT_MID_RISE))
        blk.set_bits(2)
        blk.set_full_scale(2.0)
        self.assertEqual((blk.bits(), blk.levels()), (2, 4))
        self.assertAlmostEqual(blk.full_scale(), 2.0)
        self.assertAlmostEqual(blk.step(), 1.0)
        r = np.linspace(-3, 3, 601)
        y = self.run_block(blk, (r + 1j * r).astype(np.complex64))
        np.testing.assert_allclose(np.unique(y.real), [-1.5, -0.5, 0.5, 1.5])
        with self.assertRaisesRegex(ValueError, "bits"):
            blk.set_bits(0)
        with self.assertRaisesRegex(ValueError, "bits"):
            blk.set_bits(17)
        with self.assertRaisesRegex(ValueError, "full_scale"):
            blk.set_full_scale(0.0)
        self.assertEqual(blk.bits(), 2)
        tread = complex_quantizer(4, 1.0, QUANT_MID_TREAD)
        self.assertEqual(tread.levels(), 15)
        with self.assertRaisesRegex(ValueError, "bits"):
            tread.set_bits(1)

    def test_008_bad_parameters(self):
        for bits in (0, -1, 17):
            with self.assertRaisesRegex(ValueError, "bits"):
                complex_quantizer(bits, 1.0, QUANT_MID_RISE)
        with self.assertRaisesRegex(ValueError, "bits"):
            complex_quantizer(1, 1.0, QUANT_MID_TREAD)
        for fs in (0.0, -1.0, float("inf"), float("nan")):
            with self.assertRaisesRegex(ValueError, "full_scale"):
                complex_quantizer(8, fs, QUANT_MID_RISE)
        with self.assertRaisesRegex(ValueError, "mode"):
            complex_quantizer(8, 1.0, 2)

    def test_009_int_modes_and_defaults(self):
        self.assertEqual(complex_quantizer(3, 1.0, 1).mode(), QUANT_MID_TREAD)
        self.assertEqual(complex_quantizer(3, 1.0, 0).mode(), QUANT_MID_RISE)
        d = complex_quantizer()
        self.assertEqual((d.bits(), d.full_scale(), d.mode()), (8, 1.0, QUANT_MID_RISE))


if __name__ == "__main__":
    gr_unittest.run(qa_complex_quantizer)
