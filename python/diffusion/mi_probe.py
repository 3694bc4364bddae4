#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Mutual-information probe, Python block: a thin shell over diffusion.core.mi_window."""

import math
import threading

import numpy as np
import pmt
from gnuradio import gr

from .core.mi_window import NOISE_MODES, REFERENCES, MiWindow
from .pmt_convert import dict_to_pmt, drain_messages
from .work_guard import WorkGuard, guarded_work

ESN0_RANGE_DB = (-100.0, 300.0)  # as diffusion.additive_noise
SIGMA2_RANGE = (10.0 ** (-ESN0_RANGE_DB[1] / 10.0), 10.0 ** (-ESN0_RANGE_DB[0] / 10.0))


class mi_probe(WorkGuard, gr.sync_block):
    """Mutual-information probe: estimates I(X;Y) in bits/symbol over a sliding window.

    mi_probe(constellation='16qam', pmf=None, reference='none', noise='parameter',
             esn0_db=10.0, window=65536, period=65536, verbose=False)

    Input 0: received samples y (complex, unit-power convention).  reference 'indices':
    input 1 = transmitted point indices (int32); 'symbols': input 1 = the clean transmitted
    symbols (complex, sliced to indices); 'none': blind.  noise 'parameter': sigma2 =
    10^(-esn0_db/10) (also set by set_esn0_db / set_noise_var and the "noise" message: a
    number = Es/N0 dB or a dict with esn0_db / snr_db / noise_var); 'estimate': fitted to
    the window (Gaussian channel: gain + variance with a reference, EM when blind).  pmf:
    None / [] (uniform) or one probability per point (points are rescaled to unit power
    under it).  Estimators: :mod:`diffusion.core.mi_window`.

    Every ``period`` samples the estimate over the last ``window`` samples is published on
    the message port "mi" as a PMT dict: mi_bits, stderr_bits, sigma2, esn0_db,
    mi_awgn_bits (AWGN theory at that sigma2), entropy_bits, n, total, offset.  Getters:
    mi() (recomputed now), results() (dict, recomputed now), last_message(), noise_var().
    """

    def __init__(
        self,
        constellation="16qam",
        pmf=None,
        reference="none",
        noise="parameter",
        esn0_db=10.0,
        window=65536,
        period=65536,
        verbose=False,
    ):
        reference, noise = str(reference).lower(), str(noise).lower()
        if reference not in REFERENCES:
            raise ValueError(f"reference must be one of {REFERENCES}, got {reference!r}")
        if noise not in NOISE_MODES:
            raise ValueError(f"noise must be one of {NOISE_MODES}, got {noise!r}")
        ins = [np.complex64]
        if reference == "indices":
            ins.append(np.int32)
        elif reference == "symbols":
            ins.append(np.complex64)
        gr.sync_block.__init__(self, name="mi_probe", in_sig=ins, out_sig=None)
        if int(period) < 1:
            raise ValueError("period must be >= 1 sample")
        if not ESN0_RANGE_DB[0] <= float(esn0_db) <= ESN0_RANGE_DB[1]:
            raise ValueError(
                f"esn0_db must be in [{ESN0_RANGE_DB[0]}, {ESN0_RANGE_DB[1]}] dB, got {esn0_db}"
            )
        self._win = MiWindow(
            constellation, pmf, int(window), reference, noise, 10.0 ** (-float(esn0_db) / 10.0)
        )
        self._ref = reference
        self._warned_clamp = False
        self._ignored = 0
        self._period = int(period)
        self._to_next = self._period
        self._consumed = 0
        self._verbose = bool(verbose)
        self._lock = threading.Lock()
        self._last = {}
        self.message_port_register_out(pmt.intern("mi"))
        self._noise_port = pmt.intern("noise")
        self.message_port_register_in(self._noise_port)  # drained by work() (pmt_convert)

    # ------------------------------------------------------------------ control
    def set_noise_var(self, noise_var):
        v = float(noise_var)
        if not (v > 0 and math.isfinite(v)):
            self.logger.warn(f"ignoring invalid noise variance {noise_var}")
            return
        if not SIGMA2_RANGE[0] <= v <= SIGMA2_RANGE[1]:
            c = min(max(v, SIGMA2_RANGE[0]), SIGMA2_RANGE[1])
            if not self._warned_clamp:
                self._warned_clamp = True
                self.logger.warn(
                    f"noise variance {v:g} (Es/N0 {-10 * math.log10(v):.1f} dB) "
                    f"outside Es/N0 [{ESN0_RANGE_DB[0]}, {ESN0_RANGE_DB[1]}] dB: "
                    f"clamped to {c:g} (reported once)"
                )
            v = c
        with self._lock:
            self._win.set_sigma2(v)

    def set_esn0_db(self, esn0_db):
        v = float(esn0_db)
        self.set_noise_var(
            10.0 ** (-min(max(v, -3000.0), 3000.0) / 10.0) if math.isfinite(v) else float("nan")
        )

    def noise_var(self):
        """sigma2 in use ('parameter') or of the last estimate ('estimate')."""
        if self._win.noise == "estimate":
            return self._last.get("sigma2", float("nan"))
        return self._win.sigma2

    def _handle_noise_msg(self, msg):
        """Apply one "noise" message; True if understood."""
        try:
            if pmt.is_number(msg) and not pmt.is_complex(msg):
                self.set_esn0_db(pmt.to_double(msg))
                return True
            py = pmt.to_python(msg)
            if isinstance(py, dict):
                for key in ("esn0_db", "snr_db", "noise_var"):
                    v = py.get(key)
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        if key == "noise_var":
                            self.set_noise_var(v)
                        else:
                            self.set_esn0_db(v)
                        return True
        except Exception:  # noqa: BLE001 (malformed PMTs must not stop the flowgraph)
            pass
        self._ignored += 1
        if self._ignored <= 10 or self._ignored % 1000 == 0:
            self.logger.warn(
                "ignoring message on port 'noise': expected a number (Es/N0 dB) "
                f"or a dict with esn0_db, snr_db or noise_var, got {msg} "
                f"({self._ignored} so far; the first 10 and every 1000th logged)"
            )
        return False

    def _drain_noise(self):
        """The newest understood message queued on "noise" (older ones are superseded)."""
        msgs = drain_messages(self, self._noise_port)
        for k in range(len(msgs) - 1, -1, -1):
            if self._handle_noise_msg(msgs[k]):
                return

    def reset(self):
        with self._lock:
            self._win.reset()

    # ------------------------------------------------------------------ getters
    def results(self):
        with self._lock:
            return self._win.estimate()

    def mi(self):
        return self.results()["mi_bits"]

    def last_message(self):
        with self._lock:
            return dict(self._last)

    # ------------------------------------------------------------------ work
    def _publish(self):
        d = self._win.estimate()
        d["offset"] = self._consumed
        self._last = d
        self.message_port_pub(pmt.intern("mi"), dict_to_pmt(d))
        if self._verbose:
            self.logger.info(
                f"after {self._consumed} samples: I(X;Y) = {d['mi_bits']:.4f} "
                f"bit/symbol (AWGN theory {d['mi_awgn_bits']:.4f} at Es/N0 "
                f"{d['esn0_db']:.2f} dB)"
            )

    @guarded_work("drop")
    def work(self, input_items, output_items):
        self._drain_noise()
        y = input_items[0]
        tx = input_items[1] if self._ref != "none" else None
        n = len(y) if tx is None else min(len(y), len(tx))
        s = 0
        with self._lock:
            while s < n:
                k = min(n - s, self._to_next)
                self._win.update(y[s : s + k], None if tx is None else tx[s : s + k])
                s += k
                self._consumed += k
                self._to_next -= k
                if self._to_next == 0:
                    self._publish()
                    self._to_next = self._period
        return n
