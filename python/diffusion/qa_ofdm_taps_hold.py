#!/usr/bin/env python
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""QA for diffusion.ofdm_taps_hold: the latest taps tag held per item (exact values)."""

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio.diffusion import ofdm_taps_hold

N = 8  # fft_len of the tests


def _tag(offset, value, key="ofdm_sync_chan_taps"):
    t = gr.tag_t()
    t.offset = offset
    t.key = pmt.intern(key)
    t.value = value
    return t


class qa_ofdm_taps_hold(gr_unittest.TestCase):
    def run_block(self, tags, n_items=6, max_items=None):
        tb = gr.top_block()
        x = np.arange(n_items * N, dtype=np.complex64)
        src = blocks.vector_source_c(x.tolist(), False, N, tags)
        blk = ofdm_taps_hold(N)
        if max_items is not None:
            blk.set_max_noutput_items(max_items)
        snk = blocks.vector_sink_c(N)
        tb.connect(src, blk, snk)
        tb.run()
        return blk, np.array(snk.data()).reshape(-1, N)

    def test_holds_the_latest_taps(self):
        a = np.arange(N) + 1j
        b = -np.arange(N) * 0.5 + 0j
        tags = [_tag(1, pmt.init_c32vector(N, a)), _tag(4, pmt.init_c32vector(N, b))]
        for max_items in (None, 1, 2):  # tags across work() calls
            blk, out = self.run_block(tags, max_items=max_items)
            self.assertEqual(out.shape, (6, N))
            np.testing.assert_array_equal(out[0], 0)  # before the first tag
            for i in (1, 2, 3):
                np.testing.assert_allclose(out[i], a)
            for i in (4, 5):
                np.testing.assert_allclose(out[i], b)
            self.assertEqual(blk.updates, 2)

    def test_bad_tags_are_ignored_and_non_finite_taps_become_zero(self):
        a = np.ones(N, dtype=complex)
        bad = np.full(N, np.nan, dtype=complex)
        bad[0] = 2.0
        tags = [
            _tag(0, pmt.init_c32vector(N, a)),
            _tag(2, pmt.from_long(3)),  # not a vector: ignored, taps held
            _tag(3, pmt.init_c32vector(3, a[:3])),  # wrong length: ignored
            _tag(4, pmt.init_c32vector(N, bad)),
        ]
        blk, out = self.run_block(tags)
        np.testing.assert_allclose(out[3], a)
        self.assertTrue(np.all(np.isfinite(out)))
        np.testing.assert_allclose(out[4], np.r_[2.0, np.zeros(N - 1)])
        self.assertEqual(blk.updates, 2)

    def test_bad_parameters(self):
        with self.assertRaises(ValueError):
            ofdm_taps_hold(0)


if __name__ == "__main__":
    gr_unittest.run(qa_ofdm_taps_hold)
