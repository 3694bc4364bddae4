#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.hardware_impairments (Bjornson transceiver distortion).

Statistical tolerances: for eta ~ CN(0, v), |eta|^2 / v ~ Exp(1), so the sample mean of
N normalised powers has standard deviation 1/sqrt(N). Every check below allows at least
5 such standard deviations (plus nothing else: the model is exact), so a correct block
fails with probability < 1e-6 per check, while a factor error (kappa vs kappa^2, a
missing |h|^2, a window off by its length) moves the mean by far more.
"""

import numpy as np
from gnuradio import blocks, diffusion, gr, gr_unittest
from gnuradio.diffusion import POWER_MEASURED, POWER_NOMINAL, hardware_impairments


def qpsk(n, seed, amplitude=1.0):
    """Unit-power (times amplitude^2) QPSK symbols from a fixed seed."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(n, 2))
    return (amplitude * ((1 - 2 * bits[:, 0]) + 1j * (1 - 2 * bits[:, 1])) / np.sqrt(2)).astype(
        np.complex64
    )


def cn(n, seed, var=1.0):
    rng = np.random.default_rng(seed)
    return (np.sqrt(var / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))).astype(
        np.complex64
    )


class qa_hardware_impairments(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_block(self, blk, x, h=None, max_items=None):
        src = blocks.vector_source_c(x.tolist(), False)
        snk = blocks.vector_sink_c()
        self.tb.connect(src, (blk, 0))
        if h is not None:
            self.tb.connect(blocks.vector_source_c(h.tolist(), False), (blk, 1))
        self.tb.connect(blk, snk)
        if max_items is not None:
            blk.set_max_noutput_items(max_items)
        self.tb.run()
        self.tb = gr.top_block()
        return np.array(snk.data(), dtype=np.complex64)

    # ---------------------------------------------------------------- TX side, nominal P
    def test_001_nominal_variance_and_gaussianity(self):
        N = 200_000
        kappa, P = 0.05, 1.0
        x = qpsk(N, 1)
        y = self.run_block(hardware_impairments(kappa, POWER_NOMINAL, P, 16, 7), x)
        self.assertEqual(len(y), N)
        e = (y - x).astype(np.complex128)
        v = kappa * P
        # mean |eta|^2 / v: std 1/sqrt(N) = 0.0022 -> tolerance 0.015 (~7 sigma)
        self.assertAlmostEqual(np.mean(np.abs(e) ** 2) / v, 1.0, delta=0.015)
        # per rail v/2 each: (2 rail^2 / v) has std sqrt(2/N) = 0.0032 -> tolerance 0.02
        self.assertAlmostEqual(2 * np.mean(e.real**2) / v, 1.0, delta=0.02)
        self.assertAlmostEqual(2 * np.mean(e.imag**2) / v, 1.0, delta=0.02)
        # zero mean and circular (E[eta^2] = 0): both have std ~ sqrt(v/N) resp. v/sqrt(N)
        self.assertLess(abs(np.mean(e)) / np.sqrt(v), 5 / np.sqrt(N))
        self.assertLess(abs(np.mean(e**2)) / v, 5 / np.sqrt(N))
        # Gaussian, not just the right power: P(|eta|^2 > v) = e^-1 and P(|eta|^2 > 4v) = e^-4
        # (binomial std sqrt(p(1-p)/N) <= 0.0011 -> tolerance 0.006)
        g = np.abs(e) ** 2 / v
        self.assertAlmostEqual(np.mean(g > 1.0), np.exp(-1.0), delta=0.006)
        self.assertAlmostEqual(np.mean(g > 4.0), np.exp(-4.0), delta=0.002)

    def test_002_nominal_power_does_not_follow_the_input(self):
        # POWER_NOMINAL: variance kappa * nominal_power even for an all-zero input.
        N = 100_000
        kappa, P = 0.1, 4.0
        y = self.run_block(
            hardware_impairments(kappa, POWER_NOMINAL, P, 16, 3), np.zeros(N, np.complex64)
        )
        # std of the normalised mean 1/sqrt(N) = 0.0032 -> tolerance 0.02
        self.assertAlmostEqual(
            np.mean(np.abs(y.astype(np.complex128)) ** 2) / (kappa * P), 1.0, delta=0.02
        )

    # ---------------------------------------------------------------- measured P
    def test_003_measured_power_moving_average(self):
        # Input power jumps between 0.1 and 10 in runs of random length; the distortion
        # normalised by kappa * (exact causal moving average of |x|^2, including the
        # warm-up average over the n+1 samples seen) must be CN(0, 1) everywhere.
        N, W, kappa = 120_000, 256, 0.05
        rng = np.random.default_rng(5)
        runs = rng.integers(20, 600, size=N // 20)
        amp = np.repeat(np.where(np.arange(len(runs)) % 2 == 0, np.sqrt(0.1), np.sqrt(10.0)), runs)[
            :N
        ]
        x = (amp * qpsk(N, 6)).astype(np.complex64)
        y = self.run_block(hardware_impairments(kappa, POWER_MEASURED, 1.0, W, 11), x)
        p = np.abs(x.astype(np.complex128)) ** 2
        c = np.concatenate(([0.0], np.cumsum(p)))
        n = np.arange(N)
        lo = np.maximum(n + 1 - W, 0)
        P = (c[n + 1] - c[lo]) / (n + 1 - lo)
        g = np.abs((y - x).astype(np.complex128)) ** 2 / (kappa * P)
        # whole stream: std 1/sqrt(N) = 0.0029 -> tolerance 0.02
        self.assertAlmostEqual(np.mean(g), 1.0, delta=0.02)
        # only the W samples after each power step (where a wrong window shows most):
        step = np.flatnonzero(np.diff(amp) != 0) + 1
        near = np.unique(np.clip(step[:, None] + np.arange(W)[None, :], 0, N - 1))
        # std 1/sqrt(len(near)) with len(near) > 40000 -> tolerance 0.03
        self.assertGreater(len(near), 40_000)
        self.assertAlmostEqual(np.mean(g[near]), 1.0, delta=0.03)
        # warm-up (first W samples, P = mean over the samples seen): std 1/16 -> 0.35
        self.assertAlmostEqual(np.mean(g[:W]), 1.0, delta=0.35)

    def test_004_measured_window_1_is_instantaneous(self):
        N, kappa = 100_000, 0.2
        x = cn(N, 8, 3.0)
        y = self.run_block(hardware_impairments(kappa, POWER_MEASURED, 1.0, 1, 2), x)
        g = np.abs((y - x).astype(np.complex128)) ** 2 / (
            kappa * np.abs(x.astype(np.complex128)) ** 2
        )
        # std 1/sqrt(N) = 0.0032 -> tolerance 0.02
        self.assertAlmostEqual(np.mean(g), 1.0, delta=0.02)

    # ---------------------------------------------------------------- RX side, with h
    def test_005_receiver_with_channel_input(self):
        # y = h x + eta_r, eta_r ~ CN(0, kappa_r |h|^2 P_x); P_x nominal.
        N, kappa_r, P = 150_000, 0.15, 2.0
        x = qpsk(N, 9, np.sqrt(P))
        h = cn(N, 10, 1.0)
        y = self.run_block(hardware_impairments(kappa_r, POWER_NOMINAL, P, 16, 4), x, h)
        hx = h.astype(np.complex128) * x
        g = np.abs(y - hx) ** 2 / (kappa_r * P * np.abs(h.astype(np.complex128)) ** 2)
        # std 1/sqrt(N) = 0.0026 -> tolerance 0.02
        self.assertAlmostEqual(np.mean(g), 1.0, delta=0.02)
        # measured P_x: the block measures the power of input 0 (x), not of h x
        y = self.run_block(hardware_impairments(kappa_r, POWER_MEASURED, 1.0, 64, 4), x, h)
        g = np.abs(y - hx) ** 2 / (kappa_r * P * np.abs(h.astype(np.complex128)) ** 2)
        self.assertAlmostEqual(np.mean(g), 1.0, delta=0.02)

    def test_006_kappa_zero_is_exact(self):
        N = 10_000
        x = cn(N, 12)
        h = cn(N, 13)
        y = self.run_block(hardware_impairments(0.0, POWER_NOMINAL, 1.0, 16, 0), x)
        np.testing.assert_array_equal(y, x)
        y = self.run_block(hardware_impairments(0.0, POWER_MEASURED, 1.0, 16, 0), x, h)
        np.testing.assert_allclose(y, h * x, rtol=1e-6, atol=1e-6)

    def test_007_ramp_no_sample_dropped_duplicated_or_reordered(self):
        # Tiny distortion (std 1e-4) on a ramp of unit steps: rounding every output to the
        # nearest integer must give the ramp back, sample for sample.
        N = 50_000
        ramp = (np.arange(N) + 1j * np.arange(N)[::-1]).astype(np.complex64)
        blk = hardware_impairments(1e-8, POWER_NOMINAL, 1.0, 16, 21)
        y = self.run_block(blk, ramp, max_items=777)
        self.assertEqual(len(y), N)
        np.testing.assert_array_equal(np.round(y.real), ramp.real)
        np.testing.assert_array_equal(np.round(y.imag), ramp.imag)
        self.assertTrue(np.any(y != ramp))  # the distortion is there

    def test_008_reproducible_and_independent_of_chunking(self):
        N = 30_000
        x = qpsk(N, 14)
        for mode in (POWER_NOMINAL, POWER_MEASURED):
            a = self.run_block(hardware_impairments(0.05, mode, 1.0, 100, 99), x)
            b = self.run_block(hardware_impairments(0.05, mode, 1.0, 100, 99), x, max_items=123)
            c = self.run_block(hardware_impairments(0.05, mode, 1.0, 100, 98), x)
            np.testing.assert_array_equal(a, b)
            self.assertFalse(np.array_equal(a, c))

    def test_009_setters(self):
        blk = hardware_impairments(0.05, POWER_NOMINAL, 1.0, 16, 0)
        blk.set_kappa(0.15)
        blk.set_nominal_power(2.5)
        self.assertAlmostEqual(blk.kappa(), 0.15)
        self.assertAlmostEqual(blk.nominal_power(), 2.5)
        self.assertEqual(blk.power_mode(), POWER_NOMINAL)
        self.assertEqual(blk.window(), 16)
        with self.assertRaisesRegex(ValueError, "kappa"):
            blk.set_kappa(-0.01)
        with self.assertRaisesRegex(ValueError, "nominal_power"):
            blk.set_nominal_power(-1.0)
        self.assertAlmostEqual(blk.kappa(), 0.15)  # unchanged by the rejected calls
        # the new kappa is the one used
        N = 100_000
        y = self.run_block(blk, np.zeros(N, np.complex64))
        # std 1/sqrt(N) -> tolerance 0.02
        self.assertAlmostEqual(
            np.mean(np.abs(y.astype(np.complex128)) ** 2) / (0.15 * 2.5), 1.0, delta=0.02
        )

    def test_010_bad_parameters(self):
        with self.assertRaisesRegex(ValueError, "kappa"):
            hardware_impairments(-0.05, POWER_NOMINAL, 1.0, 16, 0)
        with self.assertRaisesRegex(ValueError, "kappa"):
            hardware_impairments(float("nan"), POWER_NOMINAL, 1.0, 16, 0)
        with self.assertRaisesRegex(ValueError, "nominal_power"):
            hardware_impairments(0.05, POWER_NOMINAL, -1.0, 16, 0)
        with self.assertRaisesRegex(ValueError, "window"):
            hardware_impairments(0.05, POWER_MEASURED, 1.0, 0, 0)
        with self.assertRaisesRegex(ValueError, "power_mode"):
            hardware_impairments(0.05, 2, 1.0, 16, 0)

    def test_011_defaults_and_int_modes(self):
        blk = hardware_impairments()
        self.assertAlmostEqual(blk.kappa(), 0.05)
        self.assertEqual(blk.power_mode(), POWER_NOMINAL)
        self.assertEqual(hardware_impairments(0.05, 1, 1.0, 8, 0).power_mode(), POWER_MEASURED)
        self.assertEqual(int(diffusion.POWER_MEASURED), 1)


if __name__ == "__main__":
    gr_unittest.run(qa_hardware_impairments)
