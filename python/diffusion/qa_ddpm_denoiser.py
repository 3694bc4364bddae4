#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA of the DDPM denoiser blocks (C++ ddpm_denoiser and Python ddpm_denoiser_py) in real
flowgraphs with the shipped models."""

import os
import sys

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.normpath(os.path.join(HERE, "..", "..", "models"))
os.environ.setdefault("GR_DIFFUSION_MODEL_DIR", MODELS)

from gnuradio import diffusion  # noqa: E402

sys.path.insert(0, os.path.join(HERE, ".."))  # the source package, as 'diffusion'
from gnuradio.diffusion.core import constellations, reference, samplers  # noqa: E402
from gnuradio.diffusion.core.onnx_model import DdpmModel  # noqa: E402

CPP = diffusion.ddpm_denoiser
MODE = {"tweedie": CPP.TWEEDIE, "ddim": CPP.DDIM, "posterior": CPP.POSTERIOR, "paper": CPP.PAPER}
SRC = {"parameter": CPP.NOISE_PARAMETER, "stream": CPP.NOISE_STREAM, "blind": CPP.NOISE_BLIND}


def make_block(kind, model, mode="tweedie", steps=5, source="parameter", esn0_db=10.0, **kw):
    if kind == "cpp":
        return CPP(model, MODE[mode], steps, SRC[source], esn0_db, **kw)
    return diffusion.ddpm_denoiser_py(model, mode, steps, source, esn0_db, **kw)


def awgn_symbols(const, n, esn0_db, seed):
    """Random point indices, their symbols x, y = x + AWGN at Es/N0 (complex64), sigma2."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, const.order, n)
    x = const.points[idx]
    s2 = 10.0 ** (-esn0_db / 10.0)
    return idx, x, reference.awgn(x, s2, rng).astype(np.complex64), s2


class qa_ddpm_denoiser(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_block(self, blk, y, extra=None, tags=None):
        self.src = blocks.vector_source_c(y.tolist(), False, 1, tags or [])
        self.blk = blk
        self.snk = blocks.vector_sink_c()
        self.tb.connect(self.src, self.blk, self.snk)
        if extra is not None:
            self.src2 = blocks.vector_source_f(extra.tolist())
            self.tb.connect(self.src2, (self.blk, 1))
        self.tb.run()
        return np.array(self.snk.data())

    # ---------------------------------------------------------------- accuracy
    def test_tweedie_near_mmse_16qam_64qam(self):
        # 20k symbols per point: the MSE estimate's relative std is ~1/sqrt(20k) ~ 0.03 dB,
        # so a 0.3 dB tolerance (the target) leaves ample margin for sampling spread.
        for name in ("16qam", "64qam"):
            const = constellations.by_name(name)
            model = diffusion.shipped_model(name)
            for kind in ("cpp", "py"):
                for esn0 in (0.0, 5.0, 10.0, 15.0):
                    idx, x, y, s2 = awgn_symbols(const, 20000, esn0, seed=int(esn0) + 7)
                    self.tb = gr.top_block()
                    out = self.run_block(make_block(kind, model, esn0_db=esn0), y)
                    self.assertEqual(len(out), len(y))
                    mmse = reference.mmse_estimate(y, const, s2)
                    mmse_db = reference.mse_db(mmse, x)
                    got_db = reference.mse_db(out, x)
                    if mmse_db > -15.0:
                        self.assertLess(got_db - mmse_db, 0.3, f"{name} {kind} {esn0} dB")
                    # SER after slicing. Hard decisions on y are ML (minimum SER); slicing an
                    # MMSE estimate is not (E[x|y] shrinks toward the centre, moving the
                    # effective thresholds), so at low SNR sliced MMSE loses SER to ML. The
                    # denoiser must match sliced exact MMSE; the binomial std of a SER
                    # difference over 20k symbols is < 0.005, so 3 sigma = 0.015.
                    ser_d = np.mean(const.slice(out) != idx)
                    ser_m = np.mean(const.slice(mmse) != idx)
                    ser_h = np.mean(const.slice(y) != idx)
                    self.assertLess(abs(ser_d - ser_m), 0.015, f"{name} {kind} {esn0} dB SER")
                    self.assertLessEqual(ser_h, ser_m + 0.005, "ML beats sliced MMSE")

    # ---------------------------------------------------------------- integrity
    def test_cpp_python_and_offline_agree(self):
        const = constellations.by_name("16qam")
        path = diffusion.shipped_model("16qam")
        _, x, y, s2 = awgn_symbols(const, 30001, 8.0, seed=3)  # odd length: partial batches
        ref_model = DdpmModel(path)
        for mode, steps in (("tweedie", 1), ("ddim", 2), ("ddim", 5)):
            offline = samplers.denoise(ref_model, y, s2, mode=mode, steps=steps)
            outs = {}
            for kind in ("cpp", "py"):
                self.tb = gr.top_block()
                outs[kind] = self.run_block(
                    make_block(kind, path, mode, steps, esn0_db=8.0, batch_size=4096), y
                )
                # equality with the offline sampler on the same array proves that no sample
                # was dropped, duplicated or reordered
                self.assertEqual(len(outs[kind]), len(y))
                np.testing.assert_allclose(outs[kind], offline, atol=1e-5, err_msg=f"{kind} {mode}")
            np.testing.assert_allclose(outs["cpp"], outs["py"], atol=1e-5)

    def test_tags_propagate_at_offsets(self):
        path = diffusion.shipped_model("qpsk")
        const = constellations.by_name("qpsk")
        _, _, y, _ = awgn_symbols(const, 10000, 10.0, seed=4)
        offsets = [0, 1, 4095, 4096, 9999]
        for kind in ("cpp", "py"):
            self.tb = gr.top_block()
            tags = [
                gr.tag_utils.python_to_tag((o, pmt.intern("marker"), pmt.from_long(o)))
                for o in offsets
            ]
            self.run_block(make_block(kind, path, batch_size=4096), y, tags=tags)
            got = sorted(
                t.offset for t in self.snk.tags() if pmt.symbol_to_string(t.key) == "marker"
            )
            self.assertEqual(got, offsets, kind)

    def test_noise_message_changes_step_mid_stream(self):
        # Same input twice; a message between the runs moves Es/N0 from 20 to 0 dB. The
        # output after the message must equal the offline tweedie at 0 dB.
        path = diffusion.shipped_model("16qam")
        model = DdpmModel(path)
        const = constellations.by_name("16qam")
        _, _, y, _ = awgn_symbols(const, 4000, 5.0, seed=5)
        for kind in ("cpp", "py"):
            self.tb = gr.top_block()
            blk = make_block(kind, path, esn0_db=20.0)
            a = self.run_block(blk, y)
            blk.to_basic_block()._post(pmt.intern("noise"), pmt.from_double(0.0))
            bad = pmt.intern("not a number")
            blk.to_basic_block()._post(pmt.intern("noise"), bad)  # ignored with a warning
            self.tb = gr.top_block()
            self.src = blocks.vector_source_c(y.tolist())
            self.snk = blocks.vector_sink_c()
            self.tb.connect(self.src, blk, self.snk)
            self.tb.run()
            b = np.array(self.snk.data())
            np.testing.assert_allclose(a, samplers.denoise(model, y, 10**-2.0), atol=1e-5)
            np.testing.assert_allclose(b, samplers.denoise(model, y, 1.0), atol=1e-5)
            self.assertAlmostEqual(blk.noise_var(), 1.0, places=9)

    def test_snr_tag_changes_step_at_offset(self):
        path = diffusion.shipped_model("16qam")
        model = DdpmModel(path)
        const = constellations.by_name("16qam")
        _, _, y, _ = awgn_symbols(const, 6000, 5.0, seed=6)
        k = 2500
        tag = gr.tag_utils.python_to_tag((k, pmt.intern("snr_db"), pmt.from_double(0.0)))
        for kind in ("cpp", "py"):
            self.tb = gr.top_block()
            out = self.run_block(make_block(kind, path, esn0_db=20.0), y, tags=[tag])
            np.testing.assert_allclose(out[:k], samplers.denoise(model, y[:k], 0.01), atol=1e-5)
            np.testing.assert_allclose(out[k:], samplers.denoise(model, y[k:], 1.0), atol=1e-5)

    def test_per_sample_sigma2_stream_beats_average_under_fading(self):
        # Rayleigh block fading (L = 16) at 15 dB, zero-forcing equalization: the per-sample
        # sigma2 = sigma_n^2/|h|^2 from the ZF equalizer must beat one average sigma2.
        name = "16qam"
        const = constellations.by_name(name)
        path = diffusion.shipped_model(name)
        rng = np.random.default_rng(8)
        n, L = 40000, 16
        x = const.points[rng.integers(0, const.order, n)]
        h = np.repeat(
            (rng.standard_normal(n // L) + 1j * rng.standard_normal(n // L)) / np.sqrt(2), L
        )
        s2n = 10 ** (-15 / 10)
        r = h * x + np.sqrt(s2n / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
        z = (r / h).astype(np.complex64)
        s2 = (s2n / np.abs(h) ** 2).astype(np.float32)
        for kind in ("cpp", "py"):
            self.tb = gr.top_block()
            per = self.run_block(make_block(kind, path, source="stream"), z, extra=s2)
            self.tb = gr.top_block()
            avg = self.run_block(make_block(kind, path, esn0_db=-10 * np.log10(np.mean(s2))), z)
            mse_per, mse_avg = reference.mse_db(per, x), reference.mse_db(avg, x)
            self.assertLess(mse_per, mse_avg - 1.0, f"{kind}: {mse_per:.2f} vs {mse_avg:.2f} dB")

    def test_blind_estimate_within_1db(self):
        const = constellations.by_name("16qam")
        path = diffusion.shipped_model("16qam")
        for esn0 in (0.0, 10.0, 25.0):
            _, _, y, s2 = awgn_symbols(const, 16384, esn0, seed=9)
            for kind in ("cpp", "py"):
                self.tb = gr.top_block()
                blk = make_block(kind, path, source="blind", esn0_db=30.0, batch_size=4096)
                self.run_block(blk, y)
                err_db = 10 * np.log10(blk.noise_var() / s2)
                self.assertLess(abs(err_db), 1.0, f"{kind} at {esn0} dB: {err_db:.2f} dB off")

    # ---------------------------------------------------------------- bad input
    def test_nan_samples_pass_through_flagged(self):
        const = constellations.by_name("qpsk")
        path = diffusion.shipped_model("qpsk")
        _, _, y, _ = awgn_symbols(const, 5000, 10.0, seed=10)
        bad = [3, 100, 4999]
        y[3] = np.nan
        y[100] = complex(np.inf, 0)
        y[4999] = complex(0, -np.inf)
        for kind in ("cpp", "py"):
            self.tb = gr.top_block()
            blk = make_block(kind, path)
            out = self.run_block(blk, y)
            self.assertEqual(len(out), len(y))
            self.assertEqual(blk.invalid_count(), 3)
            flagged = sorted(
                t.offset for t in self.snk.tags() if pmt.symbol_to_string(t.key) == "invalid_sample"
            )
            self.assertEqual(flagged, bad)
            np.testing.assert_array_equal(out[bad], y[bad])
            good = np.setdiff1d(np.arange(len(y)), bad)
            self.assertTrue(np.all(np.isfinite(out[good])))

    def test_out_of_schedule_sigma2_is_clamped(self):
        path = diffusion.shipped_model("16qam")
        const = constellations.by_name("16qam")
        _, _, y, _ = awgn_symbols(const, 2000, 60.0, seed=11)
        for kind in ("cpp", "py"):
            self.tb = gr.top_block()
            blk = make_block(kind, path, esn0_db=200.0)
            out = self.run_block(blk, y)
            self.assertGreater(blk.clamped_count(), 0)
            self.assertTrue(np.all(np.isfinite(out)))

    def test_bad_model_and_parameters_raise(self):
        garbage = os.path.join(gr_unittest.__file__)  # a file that is not ONNX
        for kind in ("cpp", "py"):
            with self.assertRaisesRegex(Exception, "no_such_model.onnx"):
                make_block(kind, "/nonexistent/no_such_model.onnx")
            with self.assertRaisesRegex(Exception, "gr_unittest"):
                make_block(kind, garbage)
            with self.assertRaisesRegex(Exception, "steps"):
                make_block(kind, diffusion.shipped_model("qpsk"), steps=0, mode="ddim")
            with self.assertRaisesRegex(Exception, "provider"):
                make_block(kind, diffusion.shipped_model("qpsk"), provider="nosuchprovider")
            with self.assertRaisesRegex(Exception, "(?i)cuda|installed"):
                make_block(kind, diffusion.shipped_model("qpsk"), provider="cuda")


if __name__ == "__main__":
    gr_unittest.run(qa_ddpm_denoiser)
