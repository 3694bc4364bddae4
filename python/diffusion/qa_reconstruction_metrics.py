#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA of the reconstruction_metrics sink in real flowgraphs: exact metrics for known inputs,
AWGN against theory, the periodic "metrics" messages, the sliding window and reset."""

import math

import numpy as np
import pmt
from gnuradio import blocks, diffusion, gr, gr_unittest
from gnuradio.diffusion.core import constellations, metrics


def q(x):
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def square_qam_ser(order, esn0_db):
    """Exact SER of nearest-point decisions, square M-QAM in complex AWGN."""
    p = 2 * (1 - 1 / math.sqrt(order)) * q(math.sqrt(3 * 10 ** (esn0_db / 10) / (order - 1)))
    return 1 - (1 - p) ** 2


class qa_reconstruction_metrics(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_sink(self, ref, est, **kw):
        self.tb = gr.top_block()
        self.src_r = blocks.vector_source_c(np.asarray(ref, np.complex64).tolist())
        self.src_e = blocks.vector_source_c(np.asarray(est, np.complex64).tolist())
        self.blk = diffusion.reconstruction_metrics(**kw)
        self.dbg = blocks.message_debug()
        self.tb.connect(self.src_r, (self.blk, 0))
        self.tb.connect(self.src_e, (self.blk, 1))
        self.tb.msg_connect((self.blk, "metrics"), (self.dbg, "store"))
        self.tb.run()
        return self.blk

    def messages(self):
        return [pmt.to_python(self.dbg.get_message(i)) for i in range(self.dbg.num_messages())]

    def test_identity(self):
        c = constellations.by_name("16qam")
        ref = np.tile(c.points, 100)
        blk = self.run_sink(ref, ref, constellation="16qam", period=400)
        m = blk.metrics()
        self.assertEqual(m["n"], ref.size)
        self.assertEqual(blk.mse(), 0.0)
        self.assertEqual(blk.mse_db(), -math.inf)
        self.assertEqual(blk.evm_percent(), 0.0)
        self.assertEqual(blk.cosine_similarity(), 1.0)
        self.assertEqual(blk.ser(), 0.0)
        self.assertEqual(blk.ber(), 0.0)
        self.assertEqual(blk.value("cosine_similarity_abs"), 1.0)

    def test_known_offset_and_rotation(self):
        # every 64-QAM point 20 times: reference power exactly 1 (in float64; the complex64
        # streams round each rail to ~6e-8 relative, hence rel 1e-5 below)
        c = constellations.by_name("64qam")
        ref = np.tile(c.points, 20)
        d = 0.03 - 0.04j
        blk = self.run_sink(ref, ref + d, constellation="64qam", period=1000)
        self.assertAlmostEqual(blk.mse() / abs(d) ** 2, 1.0, delta=1e-5)
        self.assertAlmostEqual(blk.evm_percent(), 100 * abs(d), delta=1e-4)
        self.assertAlmostEqual(blk.nmse_db(), 20 * math.log10(abs(d)), delta=1e-4)
        self.assertEqual(blk.ser(), 0.0)  # |d| = 0.05 < half spacing 0.077
        th = 0.2
        blk = self.run_sink(ref, ref * np.exp(1j * th), constellation="none", period=1000)
        self.assertAlmostEqual(blk.cosine_similarity(), math.cos(th), delta=1e-6)
        self.assertAlmostEqual(blk.value("cosine_similarity_abs"), 1.0, delta=1e-6)
        self.assertTrue(math.isnan(blk.ser()))

    def test_awgn_matches_theory(self):
        # 100k symbols: the SER estimate has binomial std sqrt(p(1-p)/n) (4 sigma bound);
        # the MSE estimate (mean of exponential |n|^2) has relative std 1/sqrt(n) = 0.32 %.
        rng = np.random.default_rng(21)
        n = 100_000
        for name, esn0 in (("16qam", 10.0), ("qpsk", 3.0), ("64qam", 16.0)):
            c = constellations.by_name(name)
            s2 = 10 ** (-esn0 / 10)
            ref = c.points[rng.integers(0, c.order, n)]
            y = ref + math.sqrt(s2 / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
            blk = self.run_sink(ref, y, constellation=name, period=n)
            p = square_qam_ser(c.order, esn0)
            self.assertLess(abs(blk.ser() - p), 4 * math.sqrt(p * (1 - p) / n), name)
            self.assertAlmostEqual(blk.mse() / s2, 1.0, delta=4 / math.sqrt(n))
            # BER of Gray QAM at these SNRs: nearly every symbol error is one bit
            self.assertLess(
                abs(blk.ber() - blk.ser() / c.bits_per_symbol),
                0.1 * blk.ser() / c.bits_per_symbol + 1e-4,
            )
            # the flowgraph result equals the plain module on the same (complex64) data
            off = metrics.reconstruction_metrics(
                ref.astype(np.complex64), y.astype(np.complex64), c
            )
            self.assertEqual(blk.metrics()["symbol_errors"], off["symbol_errors"])
            self.assertAlmostEqual(blk.mse(), off["mse"], delta=1e-12)

    def test_periodic_messages_cover_exact_prefixes(self):
        # period 1000 over 5500 pairs: messages at offsets 1000..5000, each equal to the
        # metrics of exactly the first `offset` pairs (whatever the scheduler's chunking),
        # with the 700-pair window over the last 700 of them.
        c = constellations.by_name("16qam")
        rng = np.random.default_rng(4)
        n = 5500
        ref = c.points[rng.integers(0, 16, n)].astype(np.complex64)
        est = (ref + 0.25 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))).astype(
            np.complex64
        )
        blk = self.run_sink(ref, est, constellation="16qam", period=1000, window=700)
        msgs = self.messages()
        # the message published in the very last work() call may be dropped at shutdown;
        # every earlier one must arrive, in order
        self.assertGreaterEqual(len(msgs), 4)
        self.assertEqual([m["offset"] for m in msgs], list(range(1000, 1000 * len(msgs) + 1, 1000)))
        for m in msgs:
            k = m["offset"]
            exp = metrics.reconstruction_metrics(ref[:k], est[:k], c)
            win = metrics.reconstruction_metrics(ref[k - 700 : k], est[k - 700 : k], c)
            self.assertEqual(m["n"], k)
            self.assertEqual(m["symbol_errors"], exp["symbol_errors"])
            self.assertEqual(m["bit_errors"], exp["bit_errors"])
            self.assertAlmostEqual(m["mse"], exp["mse"], delta=1e-12)
            self.assertAlmostEqual(m["cosine_similarity"], exp["cosine_similarity"], delta=1e-12)
            self.assertEqual(m["win_n"], 700)
            self.assertEqual(m["win_symbol_errors"], win["symbol_errors"])
            self.assertAlmostEqual(m["win_evm_percent"], win["evm_percent"], delta=1e-9)
        self.assertEqual(blk.last_message()["offset"], 5000)
        self.assertEqual(blk.metrics()["n"], n)
        w = blk.window_metrics()
        self.assertEqual(
            w["symbol_errors"],
            metrics.reconstruction_metrics(ref[-700:], est[-700:], c)["symbol_errors"],
        )

    def test_reset_message_and_invalid_pairs(self):
        c = constellations.by_name("qpsk")
        ref = np.tile(c.points, 50)
        blk = self.run_sink(ref, -ref, constellation="qpsk", period=50)
        self.assertEqual(blk.ser(), 1.0)
        blk.to_basic_block()._post(pmt.intern("reset"), pmt.PMT_T)
        est = ref.copy()
        est[[0, 9]] = np.nan
        self.tb = gr.top_block()
        self.src_r = blocks.vector_source_c(ref.astype(np.complex64).tolist())
        self.src_e = blocks.vector_source_c(est.astype(np.complex64).tolist())
        self.tb.connect(self.src_r, (blk, 0))
        self.tb.connect(self.src_e, (blk, 1))
        self.tb.run()
        m = blk.metrics()
        self.assertEqual(m["n"], ref.size - 2)
        self.assertEqual(m["invalid"], 2)
        self.assertEqual(m["ser"], 0.0)
        blk.reset()
        self.assertEqual(blk.num_pairs(), 0)

    def test_bad_parameters_raise(self):
        with self.assertRaises(ValueError):
            diffusion.reconstruction_metrics("16qam", period=0)
        with self.assertRaises(ValueError):
            diffusion.reconstruction_metrics("16qam", window=-1)
        with self.assertRaises(ValueError):
            diffusion.reconstruction_metrics("no_such_constellation")
        self.blk = diffusion.reconstruction_metrics("16qam")
        with self.assertRaises(KeyError):
            self.blk.value("no_such_metric")


if __name__ == "__main__":
    gr_unittest.run(qa_reconstruction_metrics)
