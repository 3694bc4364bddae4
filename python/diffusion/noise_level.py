#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Run-time noise-level control shared by the Python receiver blocks (needs GNU Radio).

A block mixes in :class:`NoiseLevelControl`, calls ``_init_noise_level(esn0_db)`` in its
constructor and gets: setters ``set_esn0_db`` / ``set_noise_var``, a "noise" message port
(a number = Es/N0 in dB, or a dict or pair with esn0_db, snr_db, snr or noise_var) and
``_tag_sigma2(n)``, the per-sample sigma2 of a work() call honouring input tags
snr_db / esn0_db / snr / noise_var at their offsets. Invalid values are logged and ignored.
sigma2 is the noise variance per complex sample (Es/N0 = 1/sigma2 for unit power).

Messages are not dispatched one by one to a Python handler: a Python handler needs the GIL
for every message, and GNU Radio drains a port's whole queue before each work() call, so
a thread posting as fast as it can starves the block (0 items in 15 s, measured). The port
has no handler; ``_drain_noise()`` (called by the block's work(), cheaply) takes every
queued message at once and applies the newest valid one (older ones are superseded:
counted in ``noise_messages_coalesced``).

GNU Radio's SNR estimators plug in directly: digital.mpsk_snr_est_cc tags its output
"snr" and digital.probe_mpsk_snr_est_c publishes a PMT double on its "snr" port (connect
it to "noise"; the probe's own "noise" port is a noise power in dB, not Es/N0); both are
Es/N0 in dB per symbol after matched filtering, i.e. 1/sigma2 for a unit-power signal.
"""

import math

import numpy as np
import pmt

from .pmt_convert import drain_messages

NOISE_VAR_KEY = "noise_var"  # the tag / message key whose value is sigma2 itself
#: the OFDM channel denoisers' noise tag: sigma2 per carrier after the FFT (FFT output
#: units), a key of its own so that a per-time-sample noise_var tag upstream of the FFT
#: (additive_noise) is never read in the wrong units
OFDM_NOISE_VAR_KEY = "ofdm_noise_var"
NOISE_KEYS = ("esn0_db", "snr_db", "snr", NOISE_VAR_KEY)  # snr: digital.mpsk_snr_est_cc
SIGMA2_RANGE = (1e-30, 1e10)  # Es/N0 [-100, 300] dB (docs/conventions.md, Bad input)


class NoiseLevelControl:
    def _init_noise_level(self, esn0_db):
        if not -100.0 <= float(esn0_db) <= 300.0:
            raise ValueError(f"esn0_db must be in [-100, 300] dB, got {esn0_db}")
        self._sigma2 = 10.0 ** (-float(esn0_db) / 10.0)
        self._noise_port = pmt.intern("noise")
        self.message_port_register_in(self._noise_port)
        self.noise_messages_coalesced = 0
        self._noise_warnings = 0

    def _drain_noise(self):
        """Apply the newest valid message queued on the 'noise' port (see the module doc)."""
        msgs = drain_messages(self, self._noise_port)
        for k in range(len(msgs) - 1, -1, -1):
            if self._handle_noise_msg(msgs[k]):
                self.noise_messages_coalesced += k
                return

    def _set_sigma2(self, s2, what):
        if not (math.isfinite(s2) and s2 >= 0):
            self.logger.warn(f"ignoring invalid {what} (noise variance {s2})")
            return
        if s2 > SIGMA2_RANGE[1] or 0 < s2 < SIGMA2_RANGE[0]:
            c = min(max(s2, SIGMA2_RANGE[0]), SIGMA2_RANGE[1])
            if not getattr(self, "_warned_range", False):
                self._warned_range = True
                self.logger.warn(
                    f"{what}: noise variance {s2:g} outside Es/N0 [-100, 300] dB, "
                    f"clamped to {c:g} (reported once)"
                )
            s2 = c
        self._sigma2 = float(s2)

    def _apply_noise(self, key, value, what):
        v = float(value)
        if key == NOISE_VAR_KEY:
            self._set_sigma2(v, what)
        else:  # Es/N0 in dB; 10^(-v/10) overflows for v < -3080
            self._set_sigma2(
                10.0 ** (-min(max(v, -3000.0), 3000.0) / 10.0)
                if math.isfinite(v)
                else float("nan"),
                what,
            )

    def set_esn0_db(self, esn0_db):
        self._apply_noise("esn0_db", esn0_db, "Es/N0")

    def set_noise_var(self, noise_var):
        self._apply_noise(NOISE_VAR_KEY, noise_var, NOISE_VAR_KEY)

    def _handle_noise_msg(self, msg):
        """Apply one message; True if it was understood (even if its value was invalid)."""
        try:
            if pmt.is_number(msg) and not pmt.is_complex(msg):
                self._apply_noise("esn0_db", pmt.to_double(msg), "Es/N0 message")
                return True
            py = pmt.to_python(msg)
            if isinstance(py, tuple) and len(py) == 2 and isinstance(py[0], str):
                py = {py[0]: py[1]}
            if isinstance(py, dict):
                for key in NOISE_KEYS:
                    v = py.get(key)
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        self._apply_noise(key, v, f"{key} message")
                        return True
        except Exception:  # noqa: BLE001 (malformed PMTs must not stop the flowgraph)
            pass
        self._noise_warnings += 1
        if self._noise_warnings <= 10 or self._noise_warnings % 1000 == 0:
            self.logger.warn(
                "ignoring message on port 'noise': expected a number (Es/N0 dB) "
                f"or a dict with esn0_db, snr_db, snr or noise_var, got {msg} "
                f"({self._noise_warnings} ignored so far; the first 10 and "
                "every 1000th are logged)"
            )
        return False

    def _tag_sigma2(self, n, scalar=False):
        """Per-sample sigma2 for this work() call, applying noise tags at their offsets
        (scalar=True: a float when no noise tag falls in the call, no array)."""
        self._drain_noise()
        tags = [
            t for t in self.get_tags_in_window(0, 0, n) if pmt.symbol_to_string(t.key) in NOISE_KEYS
        ]
        if scalar and not tags:
            return float(self._sigma2)
        s2 = np.full(n, self._sigma2)
        r0 = self.nitems_read(0)
        for t in sorted(tags, key=lambda t: t.offset):
            key = pmt.symbol_to_string(t.key)
            if not (pmt.is_number(t.value) and not pmt.is_complex(t.value)):
                self.logger.warn(f"ignoring tag {key} with non-numeric value {t.value}")
                continue
            self._apply_noise(key, pmt.to_double(t.value), f"{key} tag")
            s2[t.offset - r0 :] = self._sigma2
        return s2
