#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.preamble_sync at the symbol rate (no pulse shaping, no timing recovery):
link frames with a complex gain, a carrier frequency and phase offset and AWGN, behind noise
and random symbols that must not raise false frames."""

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio.diffusion import preamble_sync
from gnuradio.diffusion.link.framing import Framing, LinkConfig


def cn(n, rng, var=1.0):
    return np.sqrt(var / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))


class qa_preamble_sync(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()

    def tearDown(self):
        self.tb = None

    def run_sync(self, y, **kw):
        self.src = blocks.vector_source_c(y.astype(np.complex64).tolist(), False)
        self.blk = preamble_sync(**kw)
        self.sinks = [blocks.vector_sink_c(), blocks.vector_sink_f(), blocks.vector_sink_c()]
        self.tb.connect(self.src, self.blk)
        for i, s in enumerate(self.sinks):
            self.tb.connect((self.blk, i), s)
        self.tb.run()
        return [np.array(s.data()) for s in self.sinks]

    def channel(self, frames, esn0_db, gain, cfo, phase, rng, lead=300):
        """Noise and random symbols, then the frames through gain, CFO (rad/symbol), phase,
        AWGN; then some noise."""
        pts = Framing(LinkConfig()).constellation.points
        x = np.concatenate([np.zeros(lead), pts[rng.integers(0, 16, 500)], frames, np.zeros(200)])
        n = np.arange(x.size)
        y = gain * x * np.exp(1j * (cfo * n + phase))
        return y + cn(x.size, rng, abs(gain) ** 2 * 10 ** (-esn0_db / 10))

    def test_001_recovers_frames_with_offsets(self):
        rng = np.random.default_rng(1)
        f = Framing(LinkConfig())
        period = f.frames()  # 8 frames, payloads 0..7
        y = self.channel(period, 20.0, 0.3, 0.02, 2.5, rng)
        eq, s2, ref = self.run_sync(y)
        N = f.config.payload_len
        self.assertEqual(self.blk.frames(), 8)
        self.assertEqual(self.blk.frames_identified(), 8)
        self.assertEqual(eq.size, 8 * N)
        np.testing.assert_allclose(ref, f.payload_symbols.reshape(-1), atol=1e-6)
        errors = f.constellation.slice(eq) != f.payload_indices.reshape(-1)
        self.assertEqual(np.count_nonzero(errors), 0)
        self.assertLess(abs(10 * np.log10(np.mean(s2)) + 20.0), 0.5)
        st = self.blk.stats()
        self.assertAlmostEqual(st["cfo"], 0.02, delta=1e-3)
        tags = [t for t in self.sinks[0].tags() if pmt.symbol_to_string(t.key) == "payload_index"]
        self.assertEqual([t.offset for t in tags], [k * N for k in range(8)])
        self.assertEqual([pmt.to_long(t.value) for t in tags], list(range(8)))

    def test_002_no_frames_in_noise_and_data(self):
        rng = np.random.default_rng(2)
        pts = Framing(LinkConfig()).constellation.points
        y = np.concatenate([cn(20000, rng), pts[rng.integers(0, 16, 20000)]])
        eq, s2, ref = self.run_sync(y)
        self.assertEqual(self.blk.frames(), 0)
        self.assertEqual(eq.size, 0)

    def test_003_noise_estimates(self):
        for est in ("em", "preamble"):
            self.setUp()
            rng = np.random.default_rng(3)
            f = Framing(LinkConfig())
            y = self.channel(f.frames(), 8.0, 1.7, -0.01, -1.0, rng)
            eq, s2, ref = self.run_sync(y, noise_est=est)
            self.assertEqual(self.blk.frames_identified(), 8)
            self.assertLess(abs(10 * np.log10(np.mean(s2)) + 8.0), 0.5, est)

    def test_004_no_pilots_decision_directed(self):
        rng = np.random.default_rng(4)
        cfg = dict(pilot_interval=0, constellation="qpsk", payload_len=500, n_payloads=3)
        f = Framing(LinkConfig(**cfg))
        self.assertEqual(f.config.frame_len, 564)
        y = self.channel(f.frames(), 12.0, 1.0, 0.005, 0.7, rng)
        eq, s2, ref = self.run_sync(y, **cfg)
        self.assertEqual(self.blk.frames_identified(), 3)
        ser = np.mean(f.constellation.slice(eq) != f.payload_indices.reshape(-1))
        self.assertLess(ser, 0.005)


if __name__ == "__main__":
    gr_unittest.run(qa_preamble_sync)
