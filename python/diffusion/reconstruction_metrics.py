#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Reconstruction-metrics sink, Python block: a thin shell over diffusion.core.metrics."""

import threading

import numpy as np
import pmt
from gnuradio import gr

from .core.metrics import METRIC_KEYS, MetricsAccumulator
from .pmt_convert import dict_to_pmt, drain_messages
from .work_guard import WorkGuard, guarded_work


class reconstruction_metrics(WorkGuard, gr.sync_block):
    """Reconstruction metrics sink: input 0 = reference (transmitted) symbols, input 1 =
    estimate (complex, same rate).

    reconstruction_metrics(constellation='16qam', period=10000, window=0, verbose=False)

    Metrics (definitions in :mod:`diffusion.core.metrics`): n, invalid, mse, mse_db, nmse_db,
    evm_percent, cosine_similarity (Re<ref, est>/(|ref||est|)), cosine_similarity_abs
    (|<ref, est>|/(|ref||est|)), ser / ber (both streams sliced to the nearest point of
    ``constellation``, Gray labels; '' or 'none': no SER/BER, NaN), symbol_errors,
    bit_errors, ref_off_grid.  Cumulative since start / reset(); with window > 0 also over
    the last ``window`` valid pairs (keys prefixed 'win_').

    Every ``period`` input samples (counted per pair, from the start, so the k-th message
    covers exactly the first k * period pairs) a PMT dict with all keys plus 'offset'
    (pairs consumed) is published on the message port "metrics".  Any message on the
    "reset" port clears the statistics.  Getters (callable from a GRC Function Probe):
    metrics(), window_metrics(), last_message(), value(key, window=False), mse(),
    mse_db(), nmse_db(), evm_percent(), cosine_similarity(), ser(), ber(), num_pairs().
    """

    def __init__(self, constellation="16qam", period=10000, window=0, verbose=False):
        gr.sync_block.__init__(
            self, name="reconstruction_metrics", in_sig=[np.complex64, np.complex64], out_sig=None
        )
        if int(period) < 1:
            raise ValueError("period must be >= 1 sample")
        self._acc = MetricsAccumulator(constellation, int(window))
        self._period = int(period)
        self._to_next = self._period
        self._consumed = 0
        self._verbose = bool(verbose)
        self._lock = threading.Lock()
        self._last = {}
        self.message_port_register_out(pmt.intern("metrics"))
        self._reset_port = pmt.intern("reset")
        self.message_port_register_in(self._reset_port)  # drained by work() (pmt_convert)

    # ------------------------------------------------------------------ getters
    def metrics(self):
        """Cumulative metrics (dict, keys METRIC_KEYS)."""
        with self._lock:
            return self._acc.cumulative()

    def window_metrics(self):
        """Sliding-window metrics (dict), or None when window == 0."""
        with self._lock:
            return self._acc.windowed()

    def last_message(self):
        """The dict most recently published on "metrics" ({} before the first)."""
        with self._lock:
            return dict(self._last)

    def value(self, key, window=False):
        if key not in METRIC_KEYS:
            raise KeyError(f"unknown metric {key!r}; metrics: {', '.join(METRIC_KEYS)}")
        d = self.window_metrics() if window else self.metrics()
        return float("nan") if d is None else d[key]

    def mse(self):
        return self.value("mse")

    def mse_db(self):
        return self.value("mse_db")

    def nmse_db(self):
        return self.value("nmse_db")

    def evm_percent(self):
        return self.value("evm_percent")

    def cosine_similarity(self):
        return self.value("cosine_similarity")

    def ser(self):
        return self.value("ser")

    def ber(self):
        return self.value("ber")

    def num_pairs(self):
        return self.value("n")

    def reset(self):
        with self._lock:
            self._acc.reset()

    def _handle_reset(self, _msg):
        self.reset()

    def _drain_reset(self):
        """Any number of queued "reset" messages: one reset, before this call's samples."""
        if drain_messages(self, self._reset_port):
            self.reset()

    # ------------------------------------------------------------------ work
    def _publish(self):
        d = dict(self._acc.cumulative())
        w = self._acc.windowed()
        if w is not None:
            d.update({"win_" + k: v for k, v in w.items()})
        d["offset"] = self._consumed
        self._last = d
        self.message_port_pub(pmt.intern("metrics"), dict_to_pmt(d))
        if self._verbose:
            self.logger.info(
                f"after {self._consumed} samples: MSE {d['mse_db']:.2f} dB, NMSE "
                f"{d['nmse_db']:.2f} dB, EVM {d['evm_percent']:.2f} %, cos "
                f"{d['cosine_similarity']:.5f}, SER {d['ser']:.3e}, BER {d['ber']:.3e}"
            )

    @guarded_work("drop")
    def work(self, input_items, output_items):
        self._drain_reset()
        ref, est = input_items[0], input_items[1]
        n = min(len(ref), len(est))
        s = 0
        with self._lock:
            while s < n:
                k = min(n - s, self._to_next)
                self._acc.update(ref[s : s + k], est[s : s + k])
                s += k
                self._consumed += k
                self._to_next -= k
                if self._to_next == 0:
                    self._publish()
                    self._to_next = self._period
        return n
