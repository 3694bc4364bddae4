#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.additive_noise: flowgraphs source -> additive_noise -> vector_sink.

Statistical tolerances: every check is a z = 5 two-sided interval around the theoretical
value (false-alarm probability ~6e-7 per check), with the standard error computed from
the theoretical moments of the distribution under test and the sample size. Seeds are
fixed, so the suite is deterministic anyway; the intervals say why the thresholds are
right, not how lucky a seed was.
"""

import math

import numpy as np
import pmt
from gnuradio import blocks, diffusion, gr, gr_unittest

AN = diffusion.additive_noise
Z = 5.0  # z-score of all statistical checks


def gauss_moment(k, v):
    """E[x^k] of a real zero-mean Gaussian with variance v (k even)."""
    return float(np.prod(np.arange(k - 1, 0, -2))) * v ** (k // 2)


def kurtosis_se(mu2, mu4, mu6, mu8, n):
    """Delta-method standard error of m4/m2^2 (zero mean known) from n i.i.d. samples."""
    var = mu8 / mu2**4 - mu4**2 / mu2**4 + 4 * mu4**3 / mu2**6 - 4 * mu4 * mu6 / mu2**5
    return math.sqrt(var / n)


def mixture_moments(probs, rail_vars):
    """Moments mu2..mu8 of a zero-mean Gaussian scale mixture (one real rail)."""
    return [sum(p * gauss_moment(k, v) for p, v in zip(probs, rail_vars)) for k in (2, 4, 6, 8)]


class trigger_msg(gr.sync_block):
    """Pass-through that posts `msg` on port "out" once `at` items have gone by."""

    def __init__(self, at, msg):
        gr.sync_block.__init__(self, "trigger_msg", [np.complex64], [np.complex64])
        self.at = at
        self.msg = msg
        self.sent = False
        self.message_port_register_out(pmt.intern("out"))

    def work(self, input_items, output_items):
        n = len(output_items[0])
        output_items[0][:] = input_items[0][:n]
        if not self.sent and self.nitems_read(0) + n > self.at:
            self.message_port_pub(pmt.intern("out"), self.msg)
            self.sent = True
        return n


class qa_additive_noise(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    # ---- helpers -------------------------------------------------------------------

    def run_block(self, blk, x, max_noutput=None):
        src = blocks.vector_source_c(np.asarray(x, dtype=np.complex64), False)
        snk = blocks.vector_sink_c()
        if max_noutput is not None:
            blk.set_max_noutput_items(max_noutput)
        self.tb.connect(src, blk, snk)
        self.tb.run()
        return np.array(snk.data(), dtype=np.complex64), snk.tags()

    def noise_only(self, blk, n):
        y, tags = self.run_block(blk, np.zeros(n, np.complex64))
        return y.astype(np.complex128), tags

    @staticmethod
    def noise_var_tags(tags):
        return [
            (t.offset, pmt.to_double(t.value))
            for t in tags
            if pmt.symbol_to_string(t.key) == "noise_var"
        ]

    def assert_var(self, power, sigma2, rel_se, what=""):
        """|power - sigma2| within Z standard errors (rel_se relative to sigma2)."""
        tol = Z * rel_se * sigma2
        self.assertLess(
            abs(power - sigma2),
            tol,
            f"{what}: measured {power:.6g}, theory {sigma2:.6g}, tol {tol:.3g}",
        )

    # ---- Gaussian --------------------------------------------------------------------

    def test_001_gaussian_variance_and_shape(self):
        n = 400_000
        esn0 = 7.0
        sigma2 = 10 ** (-esn0 / 10)
        w, _ = self.noise_only(AN(esn0, AN.GAUSSIAN, seed=11), n)
        # sum |w|^2 ~ (sigma2/2) chi2(2n): relative standard error of the mean 1/sqrt(n)
        # (0.16 % here, so the Z = 5 interval is +-0.8 %).
        self.assert_var(np.mean(np.abs(w) ** 2), sigma2, 1 / math.sqrt(n), "total variance")
        # each rail sigma2/2: (sigma2/2) chi2(n)/n, relative SE sqrt(2/n)
        for rail in (w.real, w.imag):
            self.assert_var(np.mean(rail**2), sigma2 / 2, math.sqrt(2 / n), "rail variance")
        # zero mean: SE sqrt(sigma2/2/n) per rail
        self.assertLess(abs(np.mean(w.real)), Z * math.sqrt(sigma2 / 2 / n))
        self.assertLess(abs(np.mean(w.imag)), Z * math.sqrt(sigma2 / 2 / n))
        # circular: pseudo-variance E[w^2] = 0, SE of its mean sqrt(E|w|^4 / n) = sqrt(2/n) s2
        self.assertLess(abs(np.mean(w * w)), Z * math.sqrt(2 / n) * sigma2)
        # Gaussian rails: kurtosis 3, SE sqrt(24/n) (2n pooled rails, independent)
        rails = np.concatenate([w.real, w.imag])
        kurt = np.mean(rails**4) / np.mean(rails**2) ** 2
        self.assertLess(abs(kurt - 3.0), Z * math.sqrt(24 / len(rails)))

    def test_002_signal_power_scales_noise(self):
        n = 200_000
        blk = AN(10.0, AN.GAUSSIAN, signal_power=4.0, seed=5)
        self.assertAlmostEqual(blk.noise_var(), 0.4, places=12)
        rng = np.random.default_rng(1)
        x = (2.0 * np.exp(2j * np.pi * rng.random(n))).astype(np.complex64)  # Es = 4
        y, _ = self.run_block(blk, x)
        w = y.astype(np.complex128) - x
        self.assert_var(np.mean(np.abs(w) ** 2), 0.4, 1 / math.sqrt(n), "Es=4 variance")

    def test_003_ramp_no_drop_dup_reorder(self):
        # Noisy ramp: sigma = 1e-3 << 0.5 spacing, so rounding recovers every index;
        # small max_noutput_items forces many work() calls.
        n = 100_000
        x = (np.arange(n) + 1j * (n - np.arange(n))).astype(np.complex64)
        y, _ = self.run_block(AN(60.0, AN.GAUSSIAN, seed=3), x, max_noutput=333)
        self.assertEqual(len(y), n)
        np.testing.assert_array_equal(np.round(y.real).astype(np.int64), np.arange(n))
        np.testing.assert_array_equal(np.round(y.imag).astype(np.int64), n - np.arange(n))

    def test_004_infinite_esn0_is_identity(self):
        n = 50_000
        x = (np.arange(n) * (1 - 2j)).astype(np.complex64)
        blk = AN(float("inf"), AN.LAPLACIAN, seed=3)
        self.assertEqual(blk.noise_var(), 0.0)
        y, tags = self.run_block(blk, x)
        np.testing.assert_array_equal(y, x)
        self.assertEqual(self.noise_var_tags(tags), [(0, 0.0)])

    def test_005_reproducible_and_split_independent(self):
        n = 60_000
        for nt in (AN.GAUSSIAN, AN.LAPLACIAN, AN.BERNOULLI_GAUSSIAN, AN.MIDDLETON_CLASS_A):
            outs = []
            for seed, chunk in ((42, None), (42, 97), (43, None)):
                self.tb = gr.top_block()
                y, _ = (
                    self.noise_only(AN(3.0, nt, seed=seed), n)
                    if chunk is None
                    else self.run_block(AN(3.0, nt, seed=seed), np.zeros(n, np.complex64), chunk)
                )
                outs.append(np.asarray(y, np.complex64))
            np.testing.assert_array_equal(outs[0], outs[1])  # same seed, other split
            self.assertFalse(np.array_equal(outs[0], outs[2]))  # other seed

    # ---- Laplacian -------------------------------------------------------------------

    def test_010_laplacian_per_rail(self):
        n = 1_000_000
        sigma2 = 0.5
        blk = AN(10 * math.log10(1 / sigma2), AN.LAPLACIAN, seed=21)
        w, _ = self.noise_only(blk, n)
        # Laplace(b) with 2 b^2 = sigma2/2: E x^2 = 2b^2, E x^4 = 24 b^4 -> Var(x^2) = 20 b^4
        # = 5 (sigma2/2)^2; |w|^2 sums two independent rails: relative SE sqrt(2.5/n).
        self.assert_var(np.mean(np.abs(w) ** 2), sigma2, math.sqrt(2.5 / n), "total variance")
        for rail in (w.real, w.imag):
            self.assert_var(np.mean(rail**2), sigma2 / 2, math.sqrt(5 / n), "rail variance")
        # kurtosis 6 (excess 3); b = 1 moments mu2k = (2k)!: 2, 24, 720, 40320 -> SE
        # sqrt(1188/N) with N = 2n pooled independent rails (0.024 here).
        rails = np.concatenate([w.real, w.imag])
        kurt = np.mean(rails**4) / np.mean(rails**2) ** 2
        se = kurtosis_se(2, 24, 720, 40320, len(rails))
        self.assertLess(abs(kurt - 6.0), Z * se, f"Laplacian kurtosis {kurt}")
        # per-rail law: P(|x| > t) = exp(-t/b); at t = 3b, p = e^-3, binomial SE
        b = math.sqrt(sigma2) / 2
        p = math.exp(-3)
        frac = np.mean(np.abs(rails) > 3 * b)
        self.assertLess(abs(frac - p), Z * math.sqrt(p * (1 - p) / len(rails)))
        # rails uncorrelated (independent by construction): SE of E[xy]/(s2/2) ~ 1/sqrt(n)
        self.assertLess(abs(np.mean(w.real * w.imag)) / (sigma2 / 2), Z / math.sqrt(n))

    # ---- Bernoulli-Gaussian -------------------------------------------------------------

    def test_020_bernoulli_gaussian_variance_kurtosis(self):
        n = 1_000_000
        p, R = 0.05, 20.0
        sigma2 = 2.0
        blk = AN(
            10 * math.log10(1 / sigma2),
            AN.BERNOULLI_GAUSSIAN,
            impulse_prob=p,
            impulse_ratio=R,
            seed=7,
        )
        w, _ = self.noise_only(blk, n)
        bg = sigma2 / (1 + p * R)
        v = [bg, bg * (1 + R)]  # complex variances of the two states
        probs = [1 - p, p]
        # Var|w|^2 = sum p_i 2 v_i^2 - sigma2^2 (|w|^2 | state ~ Exp(v_i))
        var_abs2 = sum(q * 2 * vi**2 for q, vi in zip(probs, v)) - sigma2**2
        self.assert_var(
            np.mean(np.abs(w) ** 2), sigma2, math.sqrt(var_abs2 / n) / sigma2, "total variance"
        )
        # per-rail kurtosis of the Gaussian scale mixture (only the I rail: the rails
        # share the impulse state, so they are not independent)
        mu = mixture_moments(probs, [vi / 2 for vi in v])
        kurt_th = mu[1] / mu[0] ** 2  # 17.25 for p = 0.05, R = 20
        se = kurtosis_se(*mu, n)
        kurt = np.mean(w.real**4) / np.mean(w.real**2) ** 2
        self.assertLess(abs(kurt - kurt_th), Z * se, f"kurtosis {kurt} vs {kurt_th}")

    def test_021_bernoulli_gaussian_impulse_fraction(self):
        # Impulses 1e4 x the background: |w|^2 > T = 20 bg flags them (background false
        # alarm e^-20, impulse miss 1 - exp(-20/10001)); expected flagged fraction is
        # exact below, checked against its binomial SE.
        n = 1_000_000
        p, R = 0.02, 1e4
        blk = AN(0.0, AN.BERNOULLI_GAUSSIAN, impulse_prob=p, impulse_ratio=R, seed=9)
        w, _ = self.noise_only(blk, n)
        bg = 1.0 / (1 + p * R)
        T = 20 * bg
        q = p * math.exp(-T / (bg * (1 + R))) + (1 - p) * math.exp(-T / bg)
        frac = np.mean(np.abs(w) ** 2 > T)
        self.assertLess(abs(frac - q), Z * math.sqrt(q * (1 - q) / n), f"{frac} vs {q}")
        # setters: p = 0 gives plain Gaussian background at the full variance
        self.assertAlmostEqual(blk.impulse_prob(), p)
        self.assertAlmostEqual(blk.impulse_ratio(), R)

    # ---- Middleton class A ---------------------------------------------------------------

    def middleton_check(self, A, G, n, seed):
        sigma2 = 1.0
        blk = AN(0.0, AN.MIDDLETON_CLASS_A, middleton_a=A, middleton_gamma=G, seed=seed)
        w, _ = self.noise_only(blk, n)
        ms = np.arange(0, 60)
        pm = np.array([math.exp(-A) * A**m / math.factorial(m) for m in ms])
        vm = sigma2 * (ms / A + G) / (1 + G)
        self.assertAlmostEqual(float(np.sum(pm * vm)), sigma2, places=9)
        var_abs2 = float(np.sum(pm * 2 * vm**2)) - sigma2**2
        self.assert_var(
            np.mean(np.abs(w) ** 2),
            sigma2,
            math.sqrt(var_abs2 / n) / sigma2,
            f"Middleton A={A} variance",
        )
        # distribution of |w|^2: P(|w|^2 < T) = sum_m P(m) (1 - exp(-T / v_m))
        for T in (0.2 * vm[0], 2 * vm[0], 0.5 * vm[1]):
            q = float(np.sum(pm * (1 - np.exp(-T / vm))))
            frac = np.mean(np.abs(w) ** 2 < T)
            self.assertLess(
                abs(frac - q), Z * math.sqrt(q * (1 - q) / n), f"A={A} T={T}: {frac} vs {q}"
            )
        # per-rail kurtosis of the Poisson-weighted Gaussian mixture (I rail only)
        mu = mixture_moments(pm, vm / 2)
        kurt_th = mu[1] / mu[0] ** 2
        kurt = np.mean(w.real**4) / np.mean(w.real**2) ** 2
        self.assertLess(
            abs(kurt - kurt_th), Z * kurtosis_se(*mu, n), f"A={A}: kurtosis {kurt} vs {kurt_th}"
        )

    def test_030_middleton_strongly_impulsive(self):
        # A = 0.1, Gamma = 0.01: quiet state 1 % of sigma^2, 10 % of samples hit
        self.middleton_check(0.1, 0.01, 2_000_000, seed=31)

    def test_031_middleton_mildly_impulsive(self):
        self.middleton_check(1.5, 0.1, 1_000_000, seed=32)

    # ---- tags and run-time control ---------------------------------------------------------

    def test_040_first_sample_tag(self):
        blk = AN(13.0, AN.GAUSSIAN, seed=1)
        _, tags = self.noise_only(blk, 10_000)
        t = self.noise_var_tags(tags)
        self.assertEqual(len(t), 1)
        self.assertEqual(t[0][0], 0)
        self.assertAlmostEqual(t[0][1], 10 ** (-1.3), places=12)

    def test_041_setters(self):
        blk = AN(10.0, 0, seed=1)  # plain int accepted for the enum
        self.assertEqual(blk.noise_type(), AN.GAUSSIAN)
        blk.set_esn0_db(20.0)
        self.assertAlmostEqual(blk.noise_var(), 0.01, places=12)
        blk.set_noise_var(0.25)
        self.assertAlmostEqual(blk.esn0_db(), 10 * math.log10(4), places=9)
        blk.set_signal_power(2.0)  # keeps Es/N0: sigma^2 doubles
        self.assertAlmostEqual(blk.noise_var(), 0.5, places=12)
        blk.set_noise_type(AN.MIDDLETON_CLASS_A)
        self.assertEqual(blk.noise_type(), AN.MIDDLETON_CLASS_A)
        blk.set_middleton_a(0.5)
        blk.set_middleton_gamma(0.2)
        self.assertEqual((blk.middleton_a(), blk.middleton_gamma()), (0.5, 0.2))
        for bad in (
            lambda: blk.set_esn0_db(float("nan")),
            lambda: blk.set_noise_var(-1.0),
            lambda: blk.set_impulse_prob(1.5),
            lambda: blk.set_middleton_a(0.0),
            lambda: blk.set_noise_type(7),
        ):
            self.assertRaises(ValueError, bad)
        self.assertAlmostEqual(blk.noise_var(), 0.5, places=12)  # unchanged

    def post(self, blk, msg):
        blk.to_basic_block()._post(pmt.intern("esn0_db"), msg)

    def test_042_messages_before_start(self):
        # Messages queued before start are handled before the first work() call, so the
        # level applies from sample 0 and the first tag carries it.
        n = 200_000
        cases = [
            (pmt.from_double(3.0), 10**-0.3),
            (pmt.from_long(6), 10**-0.6),
            (pmt.cons(pmt.intern("esn0_db"), pmt.from_double(0.0)), 1.0),
            (pmt.cons(pmt.intern("noise_var"), pmt.from_double(0.3)), 0.3),
            (pmt.dict_add(pmt.make_dict(), pmt.intern("esn0_db"), pmt.from_double(10.0)), 0.1),
            (pmt.dict_add(pmt.make_dict(), pmt.intern("noise_var"), pmt.from_long(2)), 2.0),
        ]
        for msg, sigma2 in cases:
            self.tb = gr.top_block()
            blk = AN(20.0, AN.GAUSSIAN, seed=4)
            self.post(blk, msg)
            w, tags = self.noise_only(blk, n)
            self.assertAlmostEqual(blk.noise_var(), sigma2, places=12, msg=pmt.write_string(msg))
            t = self.noise_var_tags(tags)
            self.assertEqual(len(t), 1)
            self.assertEqual(t[0][0], 0)
            self.assertAlmostEqual(t[0][1], sigma2, places=12)
            self.assert_var(
                np.mean(np.abs(w) ** 2), sigma2, 1 / math.sqrt(n), pmt.write_string(msg)
            )

    def test_043_bad_messages_ignored(self):
        n = 200_000
        bad = [
            pmt.intern("loud"),
            pmt.from_double(float("nan")),
            pmt.from_complex(1 + 1j),
            pmt.cons(pmt.intern("snr"), pmt.from_double(3.0)),
            pmt.cons(pmt.intern("esn0_db"), pmt.intern("three")),
            pmt.cons(pmt.intern("noise_var"), pmt.from_double(-1.0)),
            pmt.cons(pmt.from_long(1), pmt.from_long(2)),
            pmt.dict_add(pmt.make_dict(), pmt.intern("gain"), pmt.from_double(1.0)),
            pmt.dict_add(
                pmt.dict_add(pmt.make_dict(), pmt.intern("esn0_db"), pmt.from_double(1.0)),
                pmt.intern("noise_var"),
                pmt.from_double(1.0),
            ),
            pmt.list2(pmt.from_long(1), pmt.from_long(2)),
            pmt.init_f32vector(2, [1.0, 2.0]),
            pmt.PMT_NIL,
            pmt.PMT_T,
        ]
        blk = AN(10.0, AN.GAUSSIAN, seed=4)
        for msg in bad:
            self.post(blk, msg)
        w, tags = self.noise_only(blk, n)  # must neither crash nor change the level
        self.assertAlmostEqual(blk.noise_var(), 0.1, places=12)
        self.assertEqual(self.noise_var_tags(tags), [(0, 0.1)])
        self.assert_var(np.mean(np.abs(w) ** 2), 0.1, 1 / math.sqrt(n), "after bad messages")

    def test_044_message_changes_level_mid_stream(self):
        # A pass-through posts ("esn0_db" . 0) when the sample 200k goes through it; the
        # noise block applies it at some sample k near there and tags it. Each segment's
        # variance is then
        # checked against its own level (SE 1/sqrt(segment length)).
        n, at = 600_000, 200_000
        src = blocks.vector_source_c(np.zeros(n, np.complex64), False)
        trig = trigger_msg(at, pmt.cons(pmt.intern("esn0_db"), pmt.from_double(0.0)))
        trig.set_max_noutput_items(1024)
        blk = AN(20.0, AN.GAUSSIAN, seed=8)
        snk = blocks.vector_sink_c()
        self.tb.connect(src, trig, blk, snk)
        self.tb.msg_connect(trig, "out", blk, "esn0_db")
        self.tb.run()
        w = np.array(snk.data(), dtype=np.complex128)
        self.assertEqual(len(w), n)
        t = self.noise_var_tags(snk.tags())
        self.assertEqual(len(t), 2, t)
        self.assertEqual(t[0], (0, 0.01))
        k, v = t[1]
        self.assertAlmostEqual(v, 1.0, places=12)
        # When the message is posted the trigger has produced < at + 1024 items and the
        # noise block lags it by at most one buffer (a few 1e4 items at most).
        self.assertGreaterEqual(k, at - 1024 - 65536)
        self.assertLessEqual(k, n - 100_000)  # message handled well before the end
        self.assert_var(np.mean(np.abs(w[:k]) ** 2), 0.01, 1 / math.sqrt(k), "before")
        self.assert_var(np.mean(np.abs(w[k:]) ** 2), 1.0, 1 / math.sqrt(n - k), "after")

    # ---- constructor validation ------------------------------------------------------------

    def test_050_bad_constructor_parameters(self):
        cases = [
            ("esn0_db", dict(esn0_db=float("nan"))),
            ("signal_power", dict(signal_power=0.0)),
            ("signal_power", dict(signal_power=float("inf"))),
            ("noise_type", dict(noise_type=4)),
            ("impulse_prob", dict(impulse_prob=-0.1)),
            ("impulse_prob", dict(impulse_prob=1.1)),
            ("impulse_ratio", dict(impulse_ratio=-1.0)),
            ("middleton_a", dict(middleton_a=0.0)),
            ("middleton_a", dict(middleton_a=101.0)),
            ("middleton_gamma", dict(middleton_gamma=-0.5)),
            ("seed", dict(seed=-1)),
        ]
        for name, kw in cases:
            with self.assertRaises(ValueError, msg=name) as cm:
                AN(**kw)
            self.assertIn(name, str(cm.exception))


if __name__ == "__main__":
    gr_unittest.run(qa_additive_noise)
