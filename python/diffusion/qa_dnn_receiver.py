#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA of the dnn_receiver block in real flowgraphs with the shipped DNN models: output equal
to the offline model, accuracy against MMSE, tags, NaN pass-through, noise-level plumbing
of a model with a sigma2 input."""

import math
import os
import tempfile

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.normpath(os.path.join(HERE, "..", "..", "models"))
os.environ.setdefault("GR_DIFFUSION_MODEL_DIR", MODELS)

from gnuradio import diffusion  # noqa: E402
from gnuradio.diffusion.core import constellations, reference  # noqa: E402
from gnuradio.diffusion.core.dnn_model import SHIPPED_DNN, DnnModel, snr_mixture_mmse  # noqa: E402


def awgn_symbols(const, n, esn0_db, seed):
    """Random point indices, their symbols x, y = x + AWGN at Es/N0 (complex64), sigma2."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, const.order, n)
    x = const.points[idx]
    s2 = 10.0 ** (-esn0_db / 10.0)
    return idx, x, reference.awgn(x, s2, rng).astype(np.complex64), s2


class qa_dnn_receiver(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_block(self, blk, y, tags=None):
        self.tb = gr.top_block()
        self.src = blocks.vector_source_c(y.tolist(), False, 1, tags or [])
        self.blk = blk
        self.snk = blocks.vector_sink_c()
        self.tb.connect(self.src, self.blk, self.snk)
        self.tb.run()
        return np.array(self.snk.data())

    def test_shipped_models_equal_offline_and_near_mmse(self):
        for name in SHIPPED_DNN:
            model = DnnModel(name)
            const = model.constellation
            idx, x, y, s2 = awgn_symbols(const, 20_001, 8.0, seed=1)  # odd: partial batches
            for output in ("expected", "argmax"):
                out = self.run_block(diffusion.dnn_receiver(name, output, batch_size=4096), y)
                self.assertEqual(len(out), len(y))
                # same model and session options; only batch-size-dependent float32 rounding
                np.testing.assert_allclose(
                    out, model.estimate(y, None, output), atol=1e-6, err_msg=f"{name} {output}"
                )
                # The shipped models do not know Es/N0: their training target is E[x|y]
                # under the training Es/N0 mixture (snr_mixture_mmse), not the MMSE at 8 dB.
                target = snr_mixture_mmse(y, const, *model.training_esn0_range)
                if output == "expected":
                    # 20k symbols at 8 dB: within 1 dB of the exact MMSE and 0.3 dB of the
                    # target (bench/dnn_baseline.py, 200k symbols: < 0.2 dB / < 0.1 dB at 5
                    # and 10 dB)
                    got = reference.mse_db(out, x)
                    mmse = reference.mse_db(reference.mmse_estimate(y, const, s2), x)
                    self.assertLess(got - mmse, 1.0, name)
                    self.assertLess(got - reference.mse_db(target, x), 0.3, name)
                else:
                    # hard output: SER within binomial noise of its target's decisions: the
                    # arg-max class of a (blind) classifier targets the nearest point (the
                    # SNR-mixture likelihood decreases with |y - x|), the nearest point to a
                    # regression output targets the sliced mixture estimate (std of an SER
                    # difference < 0.005 over 20k symbols; 0.015 = 3 sigma)
                    ser = np.mean(const.slice(out) != idx)
                    want = const.slice(y) if model.head == "classification" else const.slice(target)
                    self.assertLess(ser - np.mean(want != idx), 0.015, name)
                    self.assertTrue(
                        np.all(np.min(np.abs(out[:, None] - const.points[None, :]), axis=1) < 1e-6)
                    )

    def test_tags_propagate_and_nan_passes(self):
        const = constellations.by_name("16qam")
        _, _, y, _ = awgn_symbols(const, 9000, 10.0, seed=2)
        y[[0, 4096, 8999]] = [np.nan, complex(np.inf, 0), complex(0, -np.inf)]
        offsets = [0, 1, 4095, 4096, 8999]
        tags = [
            gr.tag_utils.python_to_tag((o, pmt.intern("marker"), pmt.from_long(o))) for o in offsets
        ]
        out = self.run_block(
            diffusion.dnn_receiver("dnn_16qam_classification", "expected", batch_size=4096), y, tags
        )
        got = sorted(t.offset for t in self.snk.tags() if pmt.symbol_to_string(t.key) == "marker")
        self.assertEqual(got, offsets)
        bad = [0, 4096, 8999]
        np.testing.assert_array_equal(out[bad], y[bad])
        good = np.setdiff1d(np.arange(len(y)), bad)
        self.assertTrue(np.all(np.isfinite(out[good])))

    def test_sigma2_input_model_follows_parameter_tags_and_messages(self):
        # A (briefly trained) model with a sigma2 input: the block must feed it the noise
        # level from the parameter, then from an snr_db tag at its offset, then from the
        # "noise" message; the output must equal the offline model with those sigma2.
        try:
            from gnuradio.diffusion.training import dnn
        except ImportError:  # no PyTorch: nothing to export a test model with
            self.skipTest("PyTorch not available")
        res = dnn.train_dnn(
            dnn.DnnConfig(
                data="16qam",
                head="regression",
                snr_input=True,
                steps=40,
                batch=512,
                seed=3,
                threads=1,
            ),
            progress=False,
        )
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "snr.onnx")
            dnn.export_dnn_onnx(res["model"], path, res["constellation"])
            model = DnnModel(path)
            const = model.constellation
            _, _, y, _ = awgn_symbols(const, 6000, 5.0, seed=4)
            k = 2500
            tag = gr.tag_utils.python_to_tag((k, pmt.intern("snr_db"), pmt.from_double(0.0)))
            blk = diffusion.dnn_receiver(path, "expected", esn0_db=20.0)
            self.assertTrue(blk.snr_input())
            out = self.run_block(blk, y, [tag])
            np.testing.assert_allclose(out[:k], model.estimate(y[:k], 0.01), atol=1e-6)
            np.testing.assert_allclose(out[k:], model.estimate(y[k:], 1.0), atol=1e-6)
            blk.to_basic_block()._post(pmt.intern("noise"), pmt.from_double(10.0))
            out = self.run_block(blk, y)
            np.testing.assert_allclose(out, model.estimate(y, 0.1), atol=1e-6)
            self.assertAlmostEqual(blk.noise_var(), 0.1, delta=1e-12)
            # the outputs differ between noise levels: the input is really used
            self.assertGreater(
                np.max(np.abs(model.estimate(y, 0.01) - model.estimate(y, 1.0))), 1e-3
            )

    def test_bad_model_and_parameters_raise(self):
        with self.assertRaisesRegex(Exception, "no_such_model"):
            diffusion.dnn_receiver("/nonexistent/no_such_model.onnx")
        with self.assertRaisesRegex(Exception, "not a gr-diffusion DNN"):
            diffusion.dnn_receiver(os.path.join(HERE, "..", "..", "tests", "data", "affine.onnx"))
        with self.assertRaises(ValueError):
            diffusion.dnn_receiver("dnn_16qam_regression", "bogus")
        with self.assertRaisesRegex(Exception, "provider"):
            diffusion.dnn_receiver("dnn_16qam_regression", provider="nosuchprovider")
        with self.assertRaises(ValueError):
            diffusion.dnn_receiver("dnn_16qam_regression", batch_size=0)
        self.assertTrue(math.isfinite(diffusion.dnn_receiver("dnn_64qam_regression").noise_var()))


if __name__ == "__main__":
    gr_unittest.run(qa_dnn_receiver)
