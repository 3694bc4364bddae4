#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""OFDM channel taps as a stream, for plots (docs/ofdm.md): a sync block on fft_len-vectors
whose output item i is the value of the latest ``ofdm_sync_chan_taps`` tag at or before input
item i (zeros before the first tag).  Behind ``ofdm_chanest_vcvc`` (LS taps) or
``ofdm_channel_denoiser`` (denoised taps) it gives one vector per frame, in the FFT-shifted
carrier order of the tag (position p is carrier p - fft_len / 2), ready for a Qt vector sink
(``ofdm_denoised_rx(taps_outputs=True)`` exposes both)."""

import numpy as np
import pmt
from gnuradio import gr

from .work_guard import WorkGuard, guarded_work

TAPS_KEY = "ofdm_sync_chan_taps"


class ofdm_taps_hold(WorkGuard, gr.sync_block):
    """fft_len complex vectors in; per item the latest channel taps from the tags out.

    A tag whose value is not a complex vector of fft_len values is ignored with one logged
    warning (the previous taps are held); non-finite taps leave as 0."""

    def __init__(self, fft_len=64, taps_key=TAPS_KEY):
        if int(fft_len) < 1:
            raise ValueError(f"fft_len must be >= 1, got {fft_len}")
        self.fft_len = int(fft_len)
        gr.sync_block.__init__(
            self,
            name="ofdm_taps_hold",
            in_sig=[(np.complex64, self.fft_len)],
            out_sig=[(np.complex64, self.fft_len)],
        )
        self.taps_key = str(taps_key)
        self._key = pmt.intern(self.taps_key)
        self.taps = np.zeros(self.fft_len, dtype=np.complex64)
        self.updates = 0
        self._warned = False
        self.set_tag_propagation_policy(gr.TPP_DONT)

    def _read(self, value):
        try:
            v = np.asarray(pmt.c32vector_elements(value), dtype=np.complex64)
        except (RuntimeError, TypeError, ValueError):
            v = None
        if v is None or v.size != self.fft_len:
            if not self._warned:
                self._warned = True
                self.logger.warn(
                    f"a {self.taps_key} tag that is not {self.fft_len} complex taps: ignored "
                    "(previous taps held; warned once)"
                )
            return None
        return np.where(np.isfinite(v), v, 0).astype(np.complex64)

    @guarded_work("pass")
    def work(self, input_items, output_items):
        out = output_items[0]
        n = len(out)
        start = self.nitems_read(0)
        tags = sorted(self.get_tags_in_window(0, 0, n, self._key), key=lambda t: t.offset)
        pos = 0
        for t in tags:
            i = int(t.offset - start)
            out[pos:i] = self.taps
            pos = i
            v = self._read(t.value)
            if v is not None:
                self.taps = v
                self.updates += 1
        out[pos:n] = self.taps
        return n
