#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.phase_noise: flowgraphs source -> phase_noise -> vector_sink.

Wiener phase noise: theta[n] - theta[m] ~ N(0, 2 pi linewidth_ts |n - m|). Statistical
checks are z = 5 two-sided intervals (false alarm ~6e-7 per check) with standard errors
from the theoretical law and the sample size; seeds are fixed.
"""

import math

import numpy as np
from gnuradio import blocks, diffusion, gr, gr_unittest

PN = diffusion.phase_noise
Z = 5.0


class qa_phase_noise(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_block(self, blk, x, max_noutput=None):
        self.tb = gr.top_block()
        src = blocks.vector_source_c(np.asarray(x, dtype=np.complex64), False)
        snk = blocks.vector_sink_c()
        if max_noutput is not None:
            blk.set_max_noutput_items(max_noutput)
        self.tb.connect(src, blk, snk)
        self.tb.run()
        return np.array(snk.data(), dtype=np.complex64)

    def phase_trajectory(self, lw, n, seed, max_noutput=None):
        """theta[n] (unwrapped) from a constant 1+0j input."""
        y = self.run_block(PN(lw, seed), np.ones(n, np.complex64), max_noutput)
        return np.unwrap(np.angle(y.astype(np.complex128)))

    def test_001_increment_variance_linear_in_lag(self):
        # Non-overlapping increments over lag L are i.i.d. N(0, 2 pi lw L): their mean
        # square is var * chi2(M)/M with M = n/L, relative SE sqrt(2/M) (M = 1000 for the
        # largest lag: +-22 % at z = 5; 1e6 for L = 1: +-0.7 %). lw = 1e-3 keeps single
        # steps (sigma 0.08 rad) far below pi, so unwrap() is exact.
        n, lw = 1_000_000, 1e-3
        theta = self.phase_trajectory(lw, n, seed=1)
        self.assertEqual(theta[0], 0.0)  # theta[0] = 0: the first sample passes unrotated
        step_var = 2 * math.pi * lw
        for L in (1, 10, 100, 1000):
            d = theta[L::L] - theta[:-L:L]
            d = d[: n // L - 1]
            M = len(d)
            ms = np.mean(d**2)
            self.assertLess(
                abs(ms / (step_var * L) - 1),
                Z * math.sqrt(2 / M),
                f"lag {L}: {ms} vs {step_var * L}",
            )
        # Increments are Gaussian (kurtosis 3, SE sqrt(24/n)) and uncorrelated at lag 1
        # (SE 1/sqrt(n)).
        d1 = np.diff(theta)
        kurt = np.mean(d1**4) / np.mean(d1**2) ** 2
        self.assertLess(abs(kurt - 3), Z * math.sqrt(24 / len(d1)))
        rho = np.mean(d1[1:] * d1[:-1]) / np.mean(d1**2)
        self.assertLess(abs(rho), Z / math.sqrt(len(d1)))
        self.assertLess(abs(np.mean(d1)), Z * math.sqrt(step_var / len(d1)))

    def test_002_many_runs_variance_at_fixed_n(self):
        # Var(theta[n] - theta[0]) over R independent seeds at n = 250, 500, 1000: each
        # estimate is var * chi2(R)/R (R = 400: relative SE 7 %, z = 5 -> 35 %), and the
        # three must scale linearly with n.
        R, n, lw = 400, 1001, 2e-3
        ends = np.empty((R, 3))
        for r in range(R):
            theta = self.phase_trajectory(lw, n, seed=1000 + r)
            ends[r] = theta[[250, 500, 1000]] - theta[0]
        for j, m in enumerate((250, 500, 1000)):
            v = np.mean(ends[:, j] ** 2)
            self.assertLess(abs(v / (2 * math.pi * lw * m) - 1), Z * math.sqrt(2 / R), f"n={m}")

    def test_003_magnitude_preserved_and_order(self):
        # |out| = |in| for every sample; with a ramp of magnitudes this also proves no
        # sample is dropped, duplicated or reordered (small max_noutput_items -> many
        # work() calls). Large linewidth exercises the phase wrapping.
        n = 100_000
        rng = np.random.default_rng(2)
        x = ((np.arange(n) + 1) * np.exp(2j * np.pi * rng.random(n))).astype(np.complex64)
        for lw in (1e-4, 0.5, 20.0):
            blk = PN(lw, 7)
            y = self.run_block(blk, x, max_noutput=313)
            self.assertEqual(len(y), n)
            np.testing.assert_allclose(np.abs(y), np.abs(x), rtol=2e-6)
            np.testing.assert_array_equal(np.round(np.abs(y)).astype(np.int64), np.arange(n) + 1)
            self.assertTrue(-math.pi <= blk.phase() < math.pi)

    def test_004_zero_linewidth_is_identity(self):
        n = 50_000
        x = (np.arange(n) * (1 - 1j)).astype(np.complex64)
        y = self.run_block(PN(0.0, 3), x)
        np.testing.assert_array_equal(y, x)

    def test_005_reproducible_and_split_independent(self):
        n = 50_000
        a = self.phase_trajectory(0.01, n, seed=5)
        b = self.phase_trajectory(0.01, n, seed=5, max_noutput=101)  # odd: spare normal
        c = self.phase_trajectory(0.01, n, seed=6)  # carried across calls
        np.testing.assert_array_equal(a, b)
        self.assertFalse(np.array_equal(a, c))

    def test_006_setter(self):
        blk = PN(1e-3, 4)
        blk.set_linewidth_ts(4e-3)
        self.assertEqual(blk.linewidth_ts(), 4e-3)
        n = 400_000
        y = self.run_block(blk, np.ones(n, np.complex64))
        d = np.diff(np.unwrap(np.angle(y.astype(np.complex128))))
        # mean square of n-1 i.i.d. N(0, 2 pi 4e-3) steps: relative SE sqrt(2/n)
        self.assertLess(abs(np.mean(d**2) / (2 * math.pi * 4e-3) - 1), Z * math.sqrt(2 / n))
        self.assertRaises(ValueError, lambda: blk.set_linewidth_ts(-1.0))
        self.assertEqual(blk.linewidth_ts(), 4e-3)

    def test_010_bad_constructor_parameters(self):
        for name, kw in (
            ("linewidth_ts", dict(linewidth_ts=-1e-3)),
            ("linewidth_ts", dict(linewidth_ts=float("nan"))),
            ("linewidth_ts", dict(linewidth_ts=float("inf"))),
            ("seed", dict(seed=-3)),
        ):
            with self.assertRaises(ValueError, msg=name) as cm:
                PN(**kw)
            self.assertIn(name, str(cm.exception))


if __name__ == "__main__":
    gr_unittest.run(qa_phase_noise)
