#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Carrier-offset acquisition and removal (Python block) over
:class:`diffusion.core.carrier_acquisition.PowerLineOffsetEstimator`: a feed-forward estimate
of the carrier offset from the M-th power spectral line of the first ``window`` samples
(acquisition), then of a sliding window of the last ``track_window`` samples every ``hop``
samples (tracking), removed with a phase-continuous rotator."""

import numpy as np
import pmt
from gnuradio import gr

from .core.carrier_acquisition import PowerLineOffsetEstimator
from .work_guard import WorkGuard, guarded_work

TAG_KEY = "carrier_offset"
#: false-alarm probability of a tracking re-estimate on a window without a signal
LINE_FALSE_ALARM = 1e-3


class carrier_acquisition(WorkGuard, gr.basic_block):
    """Removes a PSK signal's carrier offset, estimated feed-forward from the signal itself.

    carrier_acquisition(sps=2, rolloff=0.35, order=4, window=1024, hop=512,
    max_offset=0.0, track_window=16384, timing_target=-1.0, line_offset=0.0)

    Input: complex baseband, ``sps`` samples per symbol, RRC pulses of roll-off ``rolloff``.
    Output: the input times exp(-j 2 pi f n), f the estimated offset (cycles/sample), the
    phase continuous across updates of f. ``order``: M of the M-th power (2 BPSK/DBPSK, 4
    QPSK/DQPSK/SDPSK/pi/4-DQPSK, 8 8PSK; core.carrier_acquisition.power_order);
    ``line_offset`` where the M-th power line sits relative to M f (cycles/symbol: 0.5 for
    pi/4-DQPSK with M = 4, core.carrier_acquisition.power_line_offset). ``max_offset``: the
    largest |offset| searched in cycles/sample (0: 1/(2 sps)).
    Acquisition: the first ``window`` samples are held until they are all in, then come out
    corrected by their own estimate (f = 0 where their line is not significant: noise
    before the first burst) (a latency of ``window`` samples at the start only; a
    stream shorter than ``window`` gives no output, so flush a file with zeros: they do not
    disturb the estimate). Tracking: every ``hop`` samples afterwards f is re-estimated from
    the last ``track_window`` samples (all samples so far until there are that many: the
    estimate improves as the stream goes on) and applied from the next sample on, where its
    M-th power line is significant (false-alarm probability :data:`LINE_FALSE_ALARM`; else
    f is held: between bursts a window of noise gave offsets hundreds of Hz off, kept until
    the next burst filled the window). A tag
    ``carrier_offset`` (float, cycles/sample) marks every sample where f changes;
    ``offset()`` reads the current f. The output does not depend on how the scheduler splits
    the stream: estimates fall every ``hop`` samples after the first window, and the phase is
    computed from the sample index since the last change of f (float64), not accumulated
    chunk by chunk.
    ``timing_target`` >= 0 (samples, < sps): symbol-timing pre-alignment: the first
    ``d`` (0 .. sps - 1) input samples are dropped so that the output's symbol instants, as
    estimated on the first window (PowerLineOffsetEstimator.timing_phase), fall nearest
    samples n = timing_target + k sps: a timing loop after it starts within half a sample of
    its lock point, not at a Gardner detector's hang-up point half a symbol off (psk_receiver
    sets it for its symbol_sync). ``dropped()`` reads d. Negative (default): nothing dropped.
    """

    def __init__(
        self,
        sps=2,
        rolloff=0.35,
        order=4,
        window=1024,
        hop=512,
        max_offset=0.0,
        track_window=16384,
        timing_target=-1.0,
        line_offset=0.0,
    ):
        gr.basic_block.__init__(
            self, name="carrier_acquisition", in_sig=[np.complex64], out_sig=[np.complex64]
        )
        self.est = PowerLineOffsetEstimator(
            sps,
            rolloff,
            order,
            max_offset=float(max_offset) or None,
            line_offset=float(line_offset),
        )
        window, hop = int(window), int(hop)
        if window < self.est.min_samples:
            raise ValueError(f"window must be >= {self.est.min_samples} samples, got {window}")
        if not 1 <= hop:
            raise ValueError(f"hop must be >= 1 sample, got {hop}")
        self.window, self.hop = window, hop
        self.track_window = max(int(track_window), window)
        self.timing_target = float(timing_target)
        if self.timing_target >= self.est.sps:
            raise ValueError(
                f"timing_target must be < sps = {self.est.sps} samples (negative: off), "
                f"got {timing_target}"
            )
        self._dropped = 0
        self._acq = []  # input held during acquisition
        self._nacq = 0
        self._hist = np.zeros(0, np.complex64)  # the last `track_window` input samples
        self._since = 0  # input samples since the last estimate
        self._pending = np.zeros(0, np.complex64)  # corrected samples not yet written
        self._f = None  # current offset (cycles/sample); None while acquiring
        self._n = 0  # index of the next sample to rotate
        self._n0, self._ph0 = 0, 0.0  # index where f last changed, the phase (rad) there
        self.set_tag_propagation_policy(gr.TPP_DONT)

    def offset(self):
        """The offset being removed (cycles/sample); NaN while acquiring."""
        return float("nan") if self._f is None else float(self._f)

    def dropped(self):
        """Input samples dropped at the start by the timing pre-alignment (``timing_target``)."""
        return int(self._dropped)

    def forecast(self, noutput_items, ninputs):
        # corrected samples waiting: no input needed to make progress (also at the end)
        return [0 if self._pending.size else 1] * ninputs

    def _rotate(self, x):
        n = self._n - self._n0 + np.arange(x.size)
        self._n += x.size
        return (x * np.exp(1j * (self._ph0 - 2 * np.pi * self._f * n))).astype(np.complex64)

    def _set(self, f):
        """f from the next sample to rotate on (phase continuous), tagged there."""
        if self._f is None or f != self._f:
            if self._f is not None:
                ph = self._ph0 - 2 * np.pi * self._f * (self._n - self._n0)
                self._n0, self._ph0 = self._n, float(ph % (2 * np.pi))
            self._f = f
            self.add_item_tag(0, self._n, pmt.intern(TAG_KEY), pmt.from_double(f))

    def _track(self, x):
        """x rotated, f re-estimated every ``hop`` samples (over the last track_window)."""
        res = np.empty(x.size, np.complex64)
        pos = 0
        while pos < x.size:
            step = max(1, min(x.size - pos, self.hop - self._since))
            chunk = x[pos : pos + step]
            res[pos : pos + step] = self._rotate(chunk)
            self._hist = np.concatenate([self._hist, chunk])[-self.track_window :]
            self._since += step
            pos += step
            if self._since >= self.hop:
                self._since = 0
                f = self.est.estimate(self._hist, p_false=LINE_FALSE_ALARM)
                if f is not None:  # no significant line (noise, silence): f held
                    self._set(f)
        return res

    def _after_work_error(self):
        # diffusion.work_guard dropped the chunk: start the acquisition again, counting
        # samples from what was written (the dropped ones never reach the output, so the
        # next carrier_offset tag must not count them)
        self._acq, self._nacq, self._pending, self._f = [], 0, np.zeros(0, np.complex64), None
        self._n = self._n0 = self.nitems_written(0)
        self._ph0, self._since = 0.0, 0
        self._hist = np.zeros(0, np.complex64)

    @guarded_work("drop")
    def general_work(self, input_items, output_items):
        x = np.asarray(input_items[0])
        out = output_items[0]
        written = 0
        if self._pending.size:
            k = min(self._pending.size, len(out))
            out[:k] = self._pending[:k]
            self._pending = self._pending[k:]
            written = k
            if self._pending.size:
                self.consume(0, 0)
                return written
        if self._f is None:
            # acquiring: hold the input until a whole window is in
            self._acq.append(x.copy())
            self._nacq += x.size
            self.consume(0, x.size)
            if self._nacq < self.window:
                return written
            held = np.concatenate(self._acq)
            self._acq = []
            first = held[: self.window]
            # a first window without a significant line (noise before a burst): no
            # correction (f = 0, the nominal tuning) until a line is (a noise peak held
            # as the offset, e.g. +582 Hz at 1200 baud where the burst was at -47 Hz,
            # kept the Costas loop unlocked through PW-Sat2's first frame)
            f = self.est.estimate(first, p_false=LINE_FALSE_ALARM)
            self._set(0.0 if f is None else f)
            if self.timing_target >= 0.0 and f is not None:
                # start the output at a symbol-timing phase near timing_target
                tau = self.est.timing_phase(first, f)
                sps = self.est.sps
                d = int(round((tau - self.timing_target) % sps)) % sps
                self._dropped = d
                first, held = first[d:], held[d:]
                self._acq_len = self.window - d
            else:
                self._acq_len = self.window
            self._hist = first[-self.track_window :]
            self._since = 0  # the next estimate `hop` samples after the first window
            self._pending = np.concatenate(
                [self._rotate(first), self._track(held[self._acq_len :])]
            )
            k = min(self._pending.size, len(out) - written)
            out[written : written + k] = self._pending[:k]
            self._pending = self._pending[k:]
            return written + k
        n = min(x.size, len(out) - written)
        out[written : written + n] = self._track(x[:n])
        self.consume(0, n)
        return written + n
