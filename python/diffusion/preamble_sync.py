#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Preamble-based frame synchronizer, carrier recovery and one-tap equalizer (Python block).

A GNU Radio shell over :class:`diffusion.link.synchronizer.PreambleSynchronizer`, which
documents the algorithm. Input: timing-recovered symbols (1 sample per symbol) of the
gr-diffusion link frames.

Outputs (payload symbols only; preambles are dropped): 0 equalized payload (complex, unit
power), 1 sigma2 per symbol (float, constant over a frame: feed the DDPM denoiser's sigma2
input), 2 reference payload (complex; NaN for a frame that matches no pool entry). Tags on
output 0 at the first payload symbol of every frame: frame_start (frame counter),
noise_var, esn0_db, cfo (rad/symbol), phase (rad), gain, corr (coherent preamble metric),
payload_index (-1: unknown). The same per-frame values are published as a PMT dict on the
message port "frame_info". Latency: up to two frames (a frame is emitted once all its symbols
and the search window behind its start are in).
"""

import threading

import numpy as np
import pmt
from gnuradio import gr

from .link.synchronizer import PreambleSynchronizer
from .work_guard import WorkGuard, guarded_work

_LONG_KEYS = ("frame_start", "payload_index")


def _info_pmt(key, val):
    return pmt.from_long(int(val)) if key in _LONG_KEYS else pmt.from_double(float(val))


class preamble_sync(WorkGuard, gr.basic_block):
    """Frame sync, carrier/phase recovery, one-tap equalization and noise estimation from the
    known preamble of the gr-diffusion link frames (see the module documentation).

    preamble_sync(constellation='16qam', preamble_len=64, payload_len=1024, payload_seed=0,
    n_payloads=8, payload_file='', pilot_interval=128, pilot_len=8, threshold=0.3,
    dd_block=32, noise_est='em')
    """

    def __init__(
        self,
        constellation="16qam",
        preamble_len=64,
        payload_len=1024,
        payload_seed=0,
        n_payloads=8,
        payload_file="",
        pilot_interval=128,
        pilot_len=8,
        threshold=0.3,
        dd_block=32,
        noise_est="em",
    ):
        gr.basic_block.__init__(
            self,
            name="preamble_sync",
            in_sig=[np.complex64],
            out_sig=[np.complex64, np.float32, np.complex64],
        )
        self.sync = PreambleSynchronizer(
            constellation=constellation,
            preamble_len=preamble_len,
            payload_len=payload_len,
            payload_seed=payload_seed,
            n_payloads=n_payloads,
            payload_file=payload_file,
            pilot_interval=pilot_interval,
            pilot_len=pilot_len,
            threshold=threshold,
            dd_block=dd_block,
            noise_est=noise_est,
        )
        self.framing = self.sync.framing
        self.const = self.framing.constellation
        self._N, self._F = self.sync.payload_len, self.sync.frame_len
        self._need = 2 * self._F + int(preamble_len)  # symbols that always make progress
        self._queue = []  # [SyncedFrame, symbols sent]
        self._last = {}
        self._lock = threading.Lock()
        self.set_tag_propagation_policy(gr.TPP_DONT)
        for i in range(3):  # room for several frames per call
            self.set_min_output_buffer(i, 4 * self._N)
        self.message_port_register_out(pmt.intern("frame_info"))

    # ------------------------------------------------------------------ getters
    def frames(self):
        """Frames detected so far."""
        return self.sync.frames

    def frames_identified(self):
        """Frames whose payload matched a pool entry."""
        return self.sync.identified

    def last_info(self):
        """Per-frame values of the latest frame (dict)."""
        with self._lock:
            return dict(self._last)

    def stats(self):
        """Summary since the start (see PreambleSynchronizer.stats)."""
        with self._lock:
            return self.sync.stats()

    # ------------------------------------------------------------------ scheduler
    def forecast(self, noutput_items, ninputs):
        # a frame still being emitted needs no input: it is sent even after the input ends
        return [0 if self._queue else 1] * ninputs

    def _after_work_error(self):
        """work_guard: frames being emitted and the symbols held back are dropped with the
        chunk (the search starts afresh)."""
        self._queue.clear()
        self.sync.discard()

    @guarded_work("drop")
    def general_work(self, input_items, output_items):
        # Frames are taken in for the output space of this call, at least one frame's worth:
        # with max_noutput_items below payload_len a frame is emitted over several calls
        # (forecast asks for no input while one is queued, so none is lost at the end).
        # The synchronizer holds up to F + L symbols before it can decide anything (a
        # frame plus the search window behind its start): it is always let fill to
        # 2 F + L, whatever the output space (a block's own max_noutput_items below F
        # used to stop it at F symbols, with no frame and no end).
        produced = self._emit(output_items, 0)
        inp = input_items[0]
        consumed = 0
        if not self._queue and len(inp):
            space = min(len(o) for o in output_items) - produced
            nfr = max(1, space // self._N)
            if space > 0:
                guard = self.sync.guard
                want = max(self._F + (nfr - 1) * (self._F - guard), self._need)
                consumed = max(0, min(len(inp), want - self.sync.buffered))
            if consumed:
                with self._lock:
                    frames = self.sync.push(inp[:consumed])
                    for fr in frames:
                        self._last = dict(fr.info, noise_var_known=fr.noise_var_known)
                        self._publish(self._last)
                self._queue.extend([fr, 0] for fr in frames)
                produced = self._emit(output_items, produced)
        self.consume(0, consumed)
        for i in range(3):
            self.produce(i, produced)
        return gr.WORK_CALLED_PRODUCE

    def _publish(self, info):
        msg = pmt.make_dict()
        for key, val in info.items():
            msg = pmt.dict_add(msg, pmt.intern(key), _info_pmt(key, val))
        self.message_port_pub(pmt.intern("frame_info"), msg)

    def _emit(self, output_items, produced):
        space = min(len(o) for o in output_items) - produced
        w0 = self.nitems_written(0)
        while self._queue and space > 0:
            item = self._queue[0]
            fr, sent = item
            k = min(space, self._N - sent)
            if sent == 0:
                off = w0 + produced
                for key, val in fr.info.items():
                    self.add_item_tag(0, off, pmt.intern(key), _info_pmt(key, val))
            output_items[0][produced : produced + k] = fr.payload[sent : sent + k]
            output_items[1][produced : produced + k] = fr.sigma2[sent : sent + k]
            output_items[2][produced : produced + k] = fr.reference[sent : sent + k]
            produced += k
            space -= k
            item[1] = sent + k
            if item[1] == self._N:
                self._queue.pop(0)
        return produced
