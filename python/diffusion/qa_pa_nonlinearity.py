#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.pa_nonlinearity: flowgraphs source -> pa_nonlinearity -> vector_sink.

The block is deterministic, so most checks compare against the closed-form AM/AM and
AM/PM curves (computed here in float64) with float32 tolerances (relative 2e-5: a few
float32 ulps through pow/sqrt/sincos). The only statistical check (output normalisation
with Gaussian input) uses a z = 5 interval from the sample's own standard error.
"""

import math

import numpy as np
from gnuradio import blocks, diffusion, gr, gr_unittest
from gnuradio.diffusion.core import chain_spec

PA = diffusion.pa_nonlinearity
SALEH_CLASSIC = tuple(chain_spec.SALEH_CLASSIC.values())  # aa, ba, ap, bp
RTOL = 2e-5


def rapp_am_am(r, g, A, p):
    return g * r / (1 + (g * r / A) ** (2 * p)) ** (1 / (2 * p))


def saleh(r, aa, ba, ap, bp):
    return aa * r / (1 + ba * r**2), ap * r**2 / (1 + bp * r**2)


class qa_pa_nonlinearity(gr_unittest.TestCase):
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

    @staticmethod
    def ramp(n, amax, seed=0):
        """Amplitude ramp 0..amax with random phases (complex64)."""
        a = np.linspace(0.0, amax, n)
        phi = np.random.default_rng(seed).uniform(-np.pi, np.pi, n)
        x = (a * np.exp(1j * phi)).astype(np.complex64)
        return x

    # ---- Rapp ----------------------------------------------------------------------------

    def test_001_rapp_closed_form_ramp(self):
        # p = 1 and 2 take the fast paths, 3 and 0.7 the general pow path.
        n = 20_001
        x = self.ramp(n, 6.0)
        xa = np.abs(x.astype(np.complex128))
        for ibo, g, A, p in (
            (2.0, 1.5, 0.8, 3.0),
            (0.0, 1.0, 1.0, 2.0),
            (-3.0, 2.0, 1.2, 1.0),
            (6.0, 0.7, 0.5, 0.7),
        ):
            blk = PA(PA.RAPP, ibo, g, A, p)
            k = (A / g) * 10 ** (-ibo / 20)
            self.assertAlmostEqual(blk.input_scale(), k, places=12)
            self.assertEqual(blk.output_scale(), 1.0)
            y = self.run_block(blk, x, max_noutput=777)
            self.assertEqual(len(y), n)
            expect = rapp_am_am(k * xa, g, A, p)
            np.testing.assert_allclose(
                np.abs(y), expect, rtol=RTOL, atol=1e-7, err_msg=f"Rapp ibo={ibo} g={g} A={A} p={p}"
            )
            # no AM/PM: the phase of every sample is kept (this also proves the sample order,
            # the phases being random)
            nz = xa > 1e-3
            dphi = np.angle(y[nz].astype(np.complex128) * np.conj(x[nz]))
            self.assertLess(np.max(np.abs(dphi)), 1e-5)

    def test_002_rapp_saturation_and_small_signal(self):
        g, A, p, ibo = 1.5, 0.8, 3.0, 1.0
        blk = PA(PA.RAPP, ibo, g, A, p)
        k = blk.input_scale()
        x = np.array([1e-5, 1e-4, 1e-3, 1e2, 1e4, 1e8, 1e15], dtype=np.complex64) * np.exp(0.3j)
        y = self.run_block(blk, x)
        gain = np.abs(y) / np.abs(x)
        # small signal: |out|/|in| = g k (to (g k a / A)^(2p) / (2p) relative, < 1e-20 here)
        np.testing.assert_allclose(gain[:3], g * k, rtol=RTOL)
        # saturation: |out| -> A (1e2: relative gap (A/(g k a))^(2p)/(2p) < 1e-12)
        np.testing.assert_allclose(np.abs(y[3:]), A, rtol=RTOL)
        # and never above A on a dense ramp
        yr = self.run_block(PA(PA.RAPP, ibo, g, A, p), self.ramp(50_001, 50.0))
        self.assertLessEqual(float(np.max(np.abs(yr))), A * (1 + 1e-6))
        # large smoothness approaches the ideal clipper min(g r, A)
        yc = self.run_block(PA(PA.RAPP, 0.0, 1.0, 1.0, 200.0), np.array([0.5, 2.0], np.complex64))
        np.testing.assert_allclose(np.abs(yc), [0.5, 1.0], rtol=1e-3)

    def test_003_ibo_definition(self):
        # A unit-power input at IBO = x dB has r_rms = k = sqrt(P_sat,in) 10^(-x/20):
        # at IBO = 0 dB a unit-amplitude input drives g r exactly to A_sat.
        g, A = 2.0, 0.5
        blk = PA(PA.RAPP, 0.0, g, A, 2.0)
        self.assertAlmostEqual(blk.input_scale() * g, A, places=12)
        y = self.run_block(blk, np.array([1.0 + 0j], np.complex64))
        self.assertAlmostEqual(abs(y[0]), A / 2**0.25, places=6)  # A / (1+1)^(1/(2p))
        blk.set_ibo_db(10.0)
        self.assertAlmostEqual(blk.input_scale() * g, A * 10**-0.5, places=12)
        blk.set_model(PA.SALEH)
        self.assertAlmostEqual(blk.input_scale(), 10**-0.5 / math.sqrt(SALEH_CLASSIC[1]), places=12)

    # ---- Saleh -----------------------------------------------------------------------------

    def test_010_saleh_am_am_am_pm(self):
        n = 20_001
        x = self.ramp(n, 4.0, seed=1)
        xa = np.abs(x.astype(np.complex128))
        for ibo, params in (
            (0.0, SALEH_CLASSIC),
            (4.0, SALEH_CLASSIC),
            (-2.0, (1.0, 0.5, 1.0, 0.0)),
        ):
            blk = PA(
                PA.SALEH,
                ibo,
                alpha_a=params[0],
                beta_a=params[1],
                alpha_p=params[2],
                beta_p=params[3],
            )
            k = 10 ** (-ibo / 20) / math.sqrt(params[1])
            self.assertAlmostEqual(blk.input_scale(), k, places=12)
            y = self.run_block(blk, x, max_noutput=501)
            amp, rot = saleh(k * xa, *params)
            np.testing.assert_allclose(np.abs(y), amp, rtol=RTOL, atol=1e-7)
            nz = xa > 1e-3
            dphi = np.angle(y[nz].astype(np.complex128) * np.conj(x[nz]))
            # compare rotations on the unit circle (wrap-safe); float32 sincos ~1e-6 rad
            err = np.abs(np.angle(np.exp(1j * (dphi - rot[nz]))))
            self.assertLess(float(np.max(err)), 2e-5, f"AM/PM ibo={ibo} {params}")

    def test_011_saleh_classic_points(self):
        aa, ba, ap, bp = SALEH_CLASSIC
        blk = PA(PA.SALEH, 0.0)  # classic parameters are the defaults
        self.assertEqual((blk.alpha_a(), blk.beta_a(), blk.alpha_p(), blk.beta_p()), SALEH_CLASSIC)
        r_sat = 1 / math.sqrt(ba)
        # input amplitudes 1 (-> r = r_sat at IBO 0 dB) and 1/r_sat (-> r = 1)
        x = np.array([1.0, 1.0 / r_sat], np.complex64)
        y = self.run_block(blk, x)
        # peak of the AM/AM: alpha_a / (2 sqrt(beta_a)) = 1.00574 at r_sat
        self.assertAlmostEqual(abs(y[0]), aa / (2 * math.sqrt(ba)), places=5)
        # AM/PM at r = 1: alpha_p / (1 + beta_p) = 0.39621 rad; at r_sat ap/(ba + bp)
        self.assertAlmostEqual(float(np.angle(y[1])), ap / (1 + bp), places=5)
        self.assertAlmostEqual(float(np.angle(y[0])), ap / (ba + bp), places=5)
        # the AM/AM peaks at r_sat: a slightly smaller or larger drive gives less output
        y2 = self.run_block(PA(PA.SALEH, 0.0), np.array([0.9, 1.0, 1.1], np.complex64))
        self.assertGreater(abs(y2[1]), abs(y2[0]))
        self.assertGreater(abs(y2[1]), abs(y2[2]))

    # ---- normalisation -------------------------------------------------------------------

    def test_020_normalize_output_gaussian_input(self):
        # Unit-power complex Gaussian input: the normalised output has unit mean power.
        # |out|^2 is bounded, so the sample SE is reliable; z = 5 interval (about 0.6 %).
        n = 400_000
        rng = np.random.default_rng(5)
        x = ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) / math.sqrt(2)).astype(
            np.complex64
        )
        for blk in (
            PA(PA.RAPP, 1.0, 1.0, 1.0, 2.0, normalize_output=True),
            PA(PA.RAPP, -2.0, 3.0, 0.5, 0.8, normalize_output=True),
            PA(PA.SALEH, 3.0, normalize_output=True),
            PA(PA.SALEH, -1.0, normalize_output=True),
        ):
            self.assertNotEqual(blk.output_scale(), 1.0)
            y = self.run_block(blk, x).astype(np.complex128)
            p = np.abs(y) ** 2
            se = np.std(p) / math.sqrt(n)
            self.assertLess(abs(np.mean(p) - 1.0), 5 * se, f"{blk.model()} ibo={blk.ibo_db()}")

    def test_021_normalize_toggle(self):
        blk = PA(PA.RAPP, 3.0, normalize_output=False)
        self.assertEqual(blk.output_scale(), 1.0)
        blk.set_normalize_output(True)
        self.assertTrue(blk.normalize_output())
        s = blk.output_scale()
        self.assertGreater(s, 1.0)  # back-off + compression: raw output power < 1
        # the constant is 1/sqrt(E|F(k x)|^2), x ~ CN(0,1), |x|^2 ~ Exp(1): check it
        # against an independent fine trapezoid quadrature (error << 1e-6)
        t = np.linspace(0.0, 60.0, 600_001)
        f2 = rapp_am_am(blk.input_scale() * np.sqrt(t), 1.0, 1.0, 2.0) ** 2 * np.exp(-t)
        pout = float(np.sum((f2[1:] + f2[:-1]) / 2) * (t[1] - t[0]))
        self.assertAlmostEqual(s, 1 / math.sqrt(pout), places=6)
        x = np.array([1e-3 + 0j], np.complex64)
        y = self.run_block(blk, x)
        self.assertAlmostEqual(abs(y[0]) / 1e-3, s * blk.input_scale() * blk.gain(), places=4)

    # ---- misc ---------------------------------------------------------------------------------

    def test_030_setters_and_int_model(self):
        blk = PA(1, 0.0)  # plain int accepted for the enum
        self.assertEqual(blk.model(), PA.SALEH)
        blk.set_rapp_params(2.0, 3.0, 4.0)
        self.assertEqual((blk.gain(), blk.saturation(), blk.smoothness()), (2.0, 3.0, 4.0))
        blk.set_saleh_params(1.0, 2.0, 3.0, 4.0)
        self.assertEqual(
            (blk.alpha_a(), blk.beta_a(), blk.alpha_p(), blk.beta_p()), (1.0, 2.0, 3.0, 4.0)
        )
        blk.set_model(PA.RAPP)
        x = self.ramp(1000, 3.0)
        y = self.run_block(blk, x)
        k = (3.0 / 2.0) * 10**0
        np.testing.assert_allclose(
            np.abs(y),
            rapp_am_am(k * np.abs(x.astype(np.complex128)), 2.0, 3.0, 4.0),
            rtol=RTOL,
            atol=1e-7,
        )
        for bad in (
            lambda: blk.set_ibo_db(float("inf")),
            lambda: blk.set_rapp_params(1.0, 1.0, 0.0),
            lambda: blk.set_saleh_params(1.0, -1.0, 1.0, 1.0),
            lambda: blk.set_model(2),
        ):
            self.assertRaises(ValueError, bad)
        self.assertEqual(blk.smoothness(), 4.0)  # unchanged

    def test_031_ramp_identity_order(self):
        # Far in the linear region (IBO 160 dB, k = 1e-8) the block is the gain g k up to
        # float rounding: the ramp, divided by it, comes out complete and in order.
        n = 100_000
        x = (np.arange(n) * (1 + 0.5j)).astype(np.complex64)
        blk = PA(PA.RAPP, 160.0, 1.0, 1.0, 2.0)
        y = self.run_block(blk, x, max_noutput=1000) / blk.input_scale()
        self.assertEqual(len(y), n)
        np.testing.assert_array_equal(np.round(y.real).astype(np.int64), np.arange(n))
        np.testing.assert_allclose(y, x, rtol=1e-5)

    def test_040_bad_constructor_parameters(self):
        cases = [
            ("model", dict(model=5)),
            ("ibo_db", dict(ibo_db=float("nan"))),
            ("gain", dict(gain=0.0)),
            ("saturation", dict(saturation=-1.0)),
            ("smoothness", dict(smoothness=0.0)),
            ("alpha_a", dict(alpha_a=0.0)),
            ("beta_a", dict(beta_a=0.0)),
            ("alpha_p", dict(alpha_p=float("inf"))),
            ("beta_p", dict(beta_p=-1.0)),
        ]
        for name, kw in cases:
            with self.assertRaises(ValueError, msg=name) as cm:
                PA(**kw)
            self.assertIn(name, str(cm.exception))


if __name__ == "__main__":
    gr_unittest.run(qa_pa_nonlinearity)
