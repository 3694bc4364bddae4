#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA of the probabilistic-shaping blocks pcs_mapper / pcs_demapper in flowgraphs: bit-exact
round trips (DDPM PMFs from the shipped models, Maxwell-Boltzmann, uniform), PMF tags and
messages, run-time Es/N0 changes at block boundaries, symbol errors and lost symbols
(resynchronisation), index input, tagless operation, and the i.i.d. mode's frequencies."""

import os
import time

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.normpath(os.path.join(HERE, "..", "..", "models"))
os.environ.setdefault("GR_DIFFUSION_MODEL_DIR", MODELS)

from gnuradio import diffusion  # noqa: E402
from gnuradio.diffusion.shaping import pcs_frame as pcs  # noqa: E402
from gnuradio.diffusion.shaping import pmf as shaping


def tag_list(tags, key):
    return [t for t in tags if pmt.symbol_to_string(t.key) == key]


class qa_pcs_mapper(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    # ---------------------------------------------------------------- helpers
    def blocks_pair(self, **kw):
        tx = diffusion.pcs_mapper(**kw)
        rx_kw = {k: v for k, v in kw.items() if k != "mode"}
        rx = diffusion.pcs_demapper(**rx_kw)
        return tx, rx

    def round_trip(self, nblocks, data_seed, **kw):
        self.tb = gr.top_block()
        self.tx, self.rx = self.blocks_pair(**kw)
        B = self.tx.bytes_per_block()
        data = np.random.default_rng(data_seed).integers(0, 256, nblocks * B, dtype=np.uint8)
        self.src = blocks.vector_source_b(data.tolist())
        self.sym = blocks.vector_sink_c()
        self.snk = blocks.vector_sink_b()
        self.dbg = blocks.message_debug()
        self.tb.connect(self.src, self.tx, self.rx, self.snk)
        self.tb.connect(self.tx, self.sym)
        self.tb.msg_connect(self.tx, "pmf", self.dbg, "store")
        self.tb.run()
        return data, np.array(self.snk.data(), dtype=np.uint8), np.array(self.sym.data())

    def check_frame_stream(self, sym, tags, n, frames):
        """Every block starts with a pcs_block tag naming a PMF whose composition the
        block has exactly, at unit power."""
        btags = tag_list(tags, "pcs_block")
        self.assertEqual(len(btags), len(sym) // n)
        ids = []
        for k, t in enumerate(sorted(btags, key=lambda t: t.offset)):
            self.assertEqual(t.offset, k * n)
            v = pmt.to_python(t.value)
            self.assertEqual(v["block"], k)
            fr = frames[v["pmf_id"]]
            blk = sym[k * n : (k + 1) * n]
            idx = fr.slice(blk)
            self.assertTrue(np.allclose(blk, fr.points[idx], atol=1e-6))
            self.assertTrue(np.array_equal(np.bincount(idx, minlength=fr.base.order), fr.counts))
            self.assertAlmostEqual(float(np.mean(np.abs(blk) ** 2)), 1.0, delta=1e-5)
            ids.append(v["pmf_id"])
        return ids

    def frames_from_tags(self, tags):
        out = {}
        for t in tag_list(tags, "pcs_pmf"):
            d = pmt.to_python(t.value)
            fr = pcs.PcsFrame.from_description(d["constellation"], d)
            out[fr.identity] = fr
        return out

    # ---------------------------------------------------------------- round trips
    def test_ddpm_round_trip_bit_exact(self):
        for name, n, snr, sampler in (
            ("16qam", 1024, 5.0, "tweedie"),
            ("64qam", 2048, 12.0, "tweedie"),
            ("16qam", 512, 8.0, "ddim"),
        ):
            kw = dict(
                constellation=name,
                pmf_source="ddpm",
                sampler=sampler,
                esn0_db=snr,
                block_len=n,
                n_synthetic=8192,
                seed=3,
            )
            data, out, sym = self.round_trip(12, data_seed=n, **kw)
            self.assertEqual(len(out), len(data))
            self.assertTrue(np.array_equal(out, data))
            self.assertEqual(self.rx.blocks_ok(), 12)
            self.assertEqual(self.rx.blocks_bad() + self.rx.blocks_dropped(), 0)
            tags = self.sym.tags()
            frames = self.frames_from_tags(tags)
            self.assertEqual(list(frames), [self.tx.pmf_id()])
            ids = self.check_frame_stream(sym, tags, n, frames)
            self.assertEqual(set(ids), {self.tx.pmf_id()})
            # the PMF is published once, as a message equal to the tag
            self.assertEqual(self.dbg.num_messages(), 1)
            msg = pmt.to_python(self.dbg.get_message(0))
            self.assertEqual(msg["pmf_id"], self.tx.pmf_id())
            self.assertEqual(msg["source"], f"ddpm-{sampler}")
            self.assertEqual(int(np.sum(msg["composition"])), n)

    def test_round_trip_baselines_all_orders(self):
        for name, src, n in (
            ("qpsk", "uniform", 64),
            ("16qam", "maxwell_boltzmann", 256),
            ("64qam", "maxwell_boltzmann", 1024),
            ("256qam", "maxwell_boltzmann", 2048),
        ):
            kw = dict(constellation=name, pmf_source=src, esn0_db=6.0, block_len=n)
            data, out, sym = self.round_trip(9, data_seed=len(name) + n, **kw)
            self.assertTrue(np.array_equal(out, data), (name, src))
            tags = self.sym.tags()
            self.check_frame_stream(sym, tags, n, self.frames_from_tags(tags))

    def test_esn0_message_switches_pmf_at_block_boundary(self):
        n = 256
        self.tx, self.rx = self.blocks_pair(
            constellation="16qam",
            pmf_source="maxwell_boltzmann",
            esn0_db=15.0,
            block_len=n,
            grid_step_db=1.0,
        )
        self.tx._provider.get(3.0)  # cached: the switch is immediate
        B0 = self.tx.bytes_per_block()
        data = np.random.default_rng(5).integers(0, 256, 300 * B0, dtype=np.uint8)
        self.src = blocks.vector_source_b(data.tolist())
        # pace the flowgraph (~1 s) so the message lands mid-stream
        self.thr = blocks.throttle(gr.sizeof_char, 300 * B0)
        self.sym = blocks.vector_sink_c()
        self.snk = blocks.vector_sink_b()
        self.dbg = blocks.message_debug()
        self.tb.connect(self.src, self.thr, self.tx, self.rx, self.snk)
        self.tb.connect(self.tx, self.sym)
        self.tb.msg_connect(self.tx, "pmf", self.dbg, "store")
        self.tb.start()
        t0 = time.time()
        while self.tx.blocks_sent() < 5 and time.time() - t0 < 30:
            time.sleep(0.002)
        self.tx.to_basic_block()._post(pmt.intern("esn0_db"), pmt.to_pmt({"esn0_db": 3.2}))
        self.tb.wait()
        self.assertEqual(self.tx.pmf_changes(), 1)
        tags = self.sym.tags()
        frames = self.frames_from_tags(tags)
        self.assertEqual(len(frames), 2)
        sym = np.array(self.sym.data())
        ids = self.check_frame_stream(sym, tags, n, frames)
        first, second = ids[0], ids[-1]
        self.assertNotEqual(first, second)
        k = ids.index(second)
        self.assertGreaterEqual(k, 5)
        self.assertEqual(ids, [first] * k + [second] * (len(ids) - k))  # one switch
        ptags = sorted(tag_list(tags, "pcs_pmf"), key=lambda t: t.offset)
        self.assertEqual([t.offset for t in ptags], [0, k * n])
        self.assertEqual(self.dbg.num_messages(), 2)
        self.assertEqual(pmt.to_python(self.dbg.get_message(1))["esn0_db"], 3.0)
        # the receiver follows through the tags: bit-exact across the switch (the last,
        # partial block's bytes stay in the mapper)
        out = np.array(self.snk.data(), dtype=np.uint8)
        self.assertGreater(len(out), 0.9 * len(data))
        self.assertTrue(np.array_equal(out, data[: len(out)]))
        self.assertEqual(self.rx.blocks_ok(), len(ids))

    # ---------------------------------------------------------------- errors, resync
    def capture_tx(self, nblocks, seed, **kw):
        self.tb = gr.top_block()
        self.tx = diffusion.pcs_mapper(**kw)
        B = self.tx.bytes_per_block()
        data = np.random.default_rng(seed).integers(0, 256, nblocks * B, dtype=np.uint8)
        self.src = blocks.vector_source_b(data.tolist())
        self.sym = blocks.vector_sink_c()
        self.tb.connect(self.src, self.tx, self.sym)
        self.tb.run()
        return data, np.array(self.sym.data()), self.sym.tags(), B

    def run_rx(self, y, tags, dtype="c", **kw):
        self.tb = gr.top_block()
        self.rx = diffusion.pcs_demapper(**kw)
        if dtype == "c":
            self.src = blocks.vector_source_c(np.asarray(y, np.complex64).tolist(), False, 1, tags)
        else:
            self.src = blocks.vector_source_b(np.asarray(y, np.uint8).tolist(), False, 1, tags)
        self.snk = blocks.vector_sink_b()
        self.tb.connect(self.src, self.rx, self.snk)
        self.tb.run()
        return np.array(self.snk.data(), dtype=np.uint8), self.snk.tags()

    def test_symbol_errors_stay_in_their_block(self):
        n = 512
        kw = dict(constellation="64qam", pmf_source="maxwell_boltzmann", esn0_db=14.0, block_len=n)
        data, sym, tags, B = self.capture_tx(20, 11, **kw)
        fr = self.frames_from_tags(tags)[self.tx.pmf_id()]
        # AWGN at 21 dB: a few symbol errors, in some blocks only
        rng = np.random.default_rng(12)
        s2 = 10 ** (-21 / 10)
        w = rng.standard_normal(sym.size) + 1j * rng.standard_normal(sym.size)
        y = sym + np.sqrt(s2 / 2) * w
        clean = [
            np.array_equal(fr.slice(y[k * n : (k + 1) * n]), fr.slice(sym[k * n : (k + 1) * n]))
            for k in range(20)
        ]
        self.assertTrue(2 <= sum(not c for c in clean) <= 18, clean)  # both kinds occur
        out, otags = self.run_rx(y, tags, **kw)
        self.assertEqual(len(out), len(data))
        for k in range(20):
            if clean[k]:
                self.assertTrue(np.array_equal(out[k * B : (k + 1) * B], data[k * B : (k + 1) * B]))
        err_tags = tag_list(otags, "pcs_block_error")
        self.assertEqual(len(err_tags), self.rx.blocks_bad())
        self.assertEqual(self.rx.blocks_ok() + self.rx.blocks_bad(), 20)
        self.assertGreaterEqual(self.rx.blocks_bad(), 1)
        for t in err_tags:
            self.assertEqual(t.offset % B, 0)
            k = t.offset // B
            self.assertFalse(clean[k])
            self.assertTrue(np.all(out[k * B : (k + 1) * B] == 0))

    def test_lost_symbols_resynchronise_at_next_block(self):
        n = 256
        kw = dict(constellation="16qam", pmf_source="maxwell_boltzmann", esn0_db=7.0, block_len=n)
        data, sym, tags, B = self.capture_tx(10, 21, **kw)
        cut0, cut1 = 3 * n + 40, 3 * n + 140  # 100 symbols of block 3 are lost
        y = np.concatenate([sym[:cut0], sym[cut1:]])
        moved = []
        for t in tags:
            if t.offset >= cut1:
                t2 = gr.tag_t()
                t2.offset, t2.key, t2.value = t.offset - (cut1 - cut0), t.key, t.value
                moved.append(t2)
            elif t.offset < cut0:
                moved.append(t)
        out, _ = self.run_rx(y, moved, **kw)
        self.assertEqual(self.rx.resyncs(), 1)
        self.assertEqual(self.rx.blocks_ok(), 9)
        expect = np.concatenate([data[: 3 * B], data[4 * B :]])
        self.assertTrue(np.array_equal(out, expect))

    def test_index_input_and_tagless_local_pmf(self):
        n = 1024
        kw = dict(constellation="64qam", pmf_source="maxwell_boltzmann", esn0_db=9.0, block_len=n)
        data, sym, tags, B = self.capture_tx(6, 31, **kw)
        fr = self.frames_from_tags(tags)[self.tx.pmf_id()]
        idx = fr.slice(sym)
        out, _ = self.run_rx(idx, tags, dtype="b", input_type="index", **kw)
        self.assertTrue(np.array_equal(out, data))
        # no tags at all: the receiver computes the same PMF from the same parameters
        out, _ = self.run_rx(sym, [], **kw)
        self.assertTrue(np.array_equal(out, data))
        self.assertEqual(self.rx.pmf_id(), self.tx.pmf_id())
        # block tags naming a PMF the receiver cannot know (no pcs_pmf tag, different
        # local parameters): those blocks are dropped, nothing is made up
        btags = tag_list(tags, "pcs_block")
        out, _ = self.run_rx(sym, btags, **dict(kw, esn0_db=20.0))
        self.assertEqual(len(out), 0)
        self.assertEqual(self.rx.blocks_dropped(), 6)

    def test_receiver_needs_no_model_with_tags(self):
        # The receiver's own PMF source is unusable (missing model file); the pcs_pmf tag
        # carries the composition: blocks before the first tag the receiver sees are
        # dropped, every block after it is exact.
        n = 128
        kw = dict(constellation="qpsk", pmf_source="uniform", esn0_db=0.0, block_len=n)
        data, sym, tags, B = self.capture_tx(6, 41, **kw)
        later = []
        for t in tags:
            if t.offset >= 2 * n:
                t2 = gr.tag_t()
                t2.offset, t2.key, t2.value = t.offset, t.key, t.value
                later.append(t2)
        pm = [t for t in tags if pmt.symbol_to_string(t.key) == "pcs_pmf"][0]
        t3 = gr.tag_t()
        t3.offset, t3.key, t3.value = 2 * n, pm.key, pm.value
        later.append(t3)
        out, _ = self.run_rx(
            sym,
            later,
            constellation="qpsk",
            pmf_source="ddpm",
            model_path="/nonexistent/model.onnx",
            block_len=n,
        )
        self.assertEqual(self.rx.blocks_dropped(), 2)
        self.assertTrue(np.array_equal(out, data[2 * B :]))

    # ---------------------------------------------------------------- i.i.d. mode
    def test_iid_mode_frequencies_converge_to_pmf(self):
        # 200k i.i.d. symbols: chi-square against the PMF over the 64 points
        # (63 dof, 99.9 % point 103.4; fixed seed).
        self.tx = diffusion.pcs_mapper(
            constellation="64qam",
            pmf_source="maxwell_boltzmann",
            esn0_db=8.0,
            block_len=1000,
            mode="iid",
            seed=4,
        )
        self.head = blocks.head(gr.sizeof_gr_complex, 200_000)
        self.sym = blocks.vector_sink_c()
        self.tb.connect(self.tx, self.head, self.sym)
        self.tb.run()
        y = np.array(self.sym.data())
        self.assertEqual(len(y), 200_000)
        sc = shaping.optimal_maxwell_boltzmann("64qam", 8.0)
        self.assertTrue(np.allclose(self.tx.pmf(), sc.pmf))
        idx = sc.slice(y)
        self.assertTrue(np.allclose(y, sc.points[idx], atol=1e-6))
        obs = np.bincount(idx, minlength=64)
        exp = sc.pmf * len(y)
        chi2 = float(np.sum((obs - exp) ** 2 / exp))
        self.assertLess(chi2, 103.4)
        self.assertAlmostEqual(float(np.mean(np.abs(y) ** 2)), 1.0, delta=0.01)
        ptags = tag_list(self.sym.tags(), "pcs_pmf")
        self.assertEqual([t.offset for t in ptags], [0])

    # ---------------------------------------------------------------- validation
    def test_parameter_validation(self):
        with self.assertRaises(ValueError):
            diffusion.pcs_mapper(constellation="16qam", pmf_source="uniform", mode="bogus")
        with self.assertRaises(ValueError):
            diffusion.pcs_mapper(constellation="16qam", pmf_source="uniform", block_len=1)
        with self.assertRaises(ValueError):
            diffusion.pcs_mapper(constellation="16qam", pmf_source="bogus")
        with self.assertRaises(ValueError):
            diffusion.pcs_demapper(constellation="16qam", pmf_source="uniform", input_type="float")


if __name__ == "__main__":
    gr_unittest.run(qa_pcs_mapper)
