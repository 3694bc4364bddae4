#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA of the mi_probe block in real flowgraphs: AWGN links against the Gauss-Hermite theory
for every reference/noise mode, index input, the "mi" messages, the noise message."""

import math

import numpy as np
import pmt
from gnuradio import blocks, diffusion, gr, gr_unittest
from gnuradio.diffusion.core import constellations, information_rate
from gnuradio.diffusion.core import mi_window as mi_probe_core


def awgn_link(name, esn0, n, seed):
    c = constellations.by_name(name)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, c.order, n)
    s2 = 10 ** (-esn0 / 10)
    y = c.points[idx] + math.sqrt(s2 / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    return c, idx, y.astype(np.complex64), s2


class qa_mi_probe(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_probe(self, y, tx=None, **kw):
        self.tb = gr.top_block()
        self.src = blocks.vector_source_c(np.asarray(y, np.complex64).tolist())
        self.blk = diffusion.mi_probe(**kw)
        self.dbg = blocks.message_debug()
        self.tb.connect(self.src, (self.blk, 0))
        if tx is not None:
            if np.iscomplexobj(tx):
                self.src2 = blocks.vector_source_c(np.asarray(tx, np.complex64).tolist())
            else:
                self.src2 = blocks.vector_source_i(np.asarray(tx, np.int32).tolist())
            self.tb.connect(self.src2, (self.blk, 1))
        self.tb.msg_connect((self.blk, "mi"), (self.dbg, "store"))
        self.tb.run()
        return self.blk

    def test_awgn_all_modes_near_theory(self):
        # 40k samples at 10 dB (16-QAM): the Monte Carlo std of the estimate is ~0.006 bit
        # (per-sample terms std ~1.1 bit); 0.03 bit is 5 sigma.
        c, idx, y, s2 = awgn_link("16qam", 10.0, 40_000, seed=1)
        th = information_rate.mi_awgn(c, sigma2=s2)
        for reference, tx in (("none", None), ("indices", idx), ("symbols", c.points[idx])):
            for noise in ("parameter", "estimate"):
                blk = self.run_probe(
                    y,
                    tx,
                    constellation="16qam",
                    reference=reference,
                    noise=noise,
                    esn0_db=10.0,
                    window=40_000,
                    period=10_000,
                )
                r = blk.results()
                self.assertEqual(r["n"], 40_000)
                self.assertAlmostEqual(
                    r["mi_bits"], th, delta=0.03, msg=f"{reference}/{noise}: {r['mi_bits']} vs {th}"
                )
                self.assertAlmostEqual(blk.mi(), r["mi_bits"], delta=1e-12)
                if noise == "estimate":
                    self.assertAlmostEqual(r["sigma2"] / s2, 1.0, delta=0.04)
                else:
                    self.assertEqual(blk.noise_var(), s2)

    def test_flowgraph_equals_plain_module(self):
        # the block is a shell: same samples (complex64), same window -> identical estimate
        c, idx, y, s2 = awgn_link("64qam", 14.0, 25_000, seed=2)
        blk = self.run_probe(
            y,
            idx,
            constellation="64qam",
            reference="indices",
            noise="parameter",
            esn0_db=14.0,
            window=20_000,
            period=5000,
        )
        w = mi_probe_core.MiWindow("64qam", None, 20_000, "indices", "parameter", s2)
        w.update(y, idx)
        self.assertAlmostEqual(blk.results()["mi_bits"], w.estimate()["mi_bits"], delta=1e-12)
        msgs = [pmt.to_python(self.dbg.get_message(i)) for i in range(self.dbg.num_messages())]
        # messages every 5000 samples (the last may be dropped at shutdown)
        self.assertGreaterEqual(len(msgs), 4)
        self.assertEqual([m["offset"] for m in msgs][:4], [5000, 10000, 15000, 20000])
        w2 = mi_probe_core.MiWindow("64qam", None, 20_000, "indices", "parameter", s2)
        w2.update(y[:10_000], idx[:10_000])
        self.assertAlmostEqual(msgs[1]["mi_bits"], w2.estimate()["mi_bits"], delta=1e-12)
        self.assertEqual(msgs[1]["n"], 10_000)
        for key in ("mi_awgn_bits", "entropy_bits", "sigma2", "esn0_db", "stderr_bits"):
            self.assertIn(key, msgs[0])
        self.assertAlmostEqual(msgs[0]["entropy_bits"], 6.0, delta=1e-12)

    def test_noise_message_sets_sigma2(self):
        c, _, y, _ = awgn_link("qpsk", 5.0, 2000, seed=3)
        self.blk = diffusion.mi_probe("qpsk", None, "none", "parameter", 20.0, 2000, 1000)
        self.blk.to_basic_block()._post(pmt.intern("noise"), pmt.from_double(5.0))
        self.tb = gr.top_block()
        self.src = blocks.vector_source_c(y.tolist())
        self.tb.connect(self.src, self.blk)
        self.tb.run()
        self.assertAlmostEqual(self.blk.noise_var(), 10**-0.5, delta=1e-12)
        d = pmt.make_dict()
        d = pmt.dict_add(d, pmt.intern("noise_var"), pmt.from_double(0.25))
        self.blk.to_basic_block()._post(pmt.intern("noise"), d)
        self.blk.to_basic_block()._post(pmt.intern("noise"), pmt.intern("junk"))  # warned
        self.tb = gr.top_block()
        self.src = blocks.vector_source_c(y.tolist())
        self.tb.connect(self.src, self.blk)
        self.tb.run()
        self.assertAlmostEqual(self.blk.noise_var(), 0.25, delta=1e-12)
        self.blk.set_esn0_db(3.0)
        self.assertAlmostEqual(self.blk.noise_var(), 10**-0.3, delta=1e-12)

    def test_shaped_pmf_entropy(self):
        c = constellations.by_name("16qam")
        p = np.exp(-0.8 * np.abs(c.points) ** 2)
        self.blk = diffusion.mi_probe("16qam", list(p), "none", "parameter", 10.0, 100, 100)
        self.assertAlmostEqual(
            self.blk.results()["entropy_bits"], information_rate.entropy_bits(p), delta=1e-12
        )

    def test_bad_parameters_raise(self):
        with self.assertRaises(ValueError):
            diffusion.mi_probe("16qam", reference="bogus")
        with self.assertRaises(ValueError):
            diffusion.mi_probe("16qam", noise="bogus")
        with self.assertRaises(ValueError):
            diffusion.mi_probe("16qam", window=1)
        with self.assertRaises(ValueError):
            diffusion.mi_probe("16qam", period=0)
        with self.assertRaises(ValueError):
            diffusion.mi_probe("16qam", pmf=[1, 2, 3])


if __name__ == "__main__":
    gr_unittest.run(qa_mi_probe)
