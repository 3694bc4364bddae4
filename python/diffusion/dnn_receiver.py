#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""DNN baseline receiver, Python block: a thin shell over diffusion.dnn_model."""
import math

import numpy as np
import pmt
from gnuradio import gr

from .dnn_model import OUTPUTS, DnnModel

PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider",
             "tensorrt": "TensorrtExecutionProvider"}
_NOISE_TAGS = ("snr_db", "esn0_db", "noise_var")


class dnn_receiver(gr.sync_block):
    """DNN baseline receiver (3 x 64 ReLU MLP, ONNX): complex symbols in, estimates out.

    dnn_receiver(model='dnn_16qam_regression', output='expected', esn0_db=10.0,
                 provider='cpu', intra_op_threads=1, batch_size=8192)

    model: a shipped model name (dnn_16qam_regression, dnn_16qam_classification,
    dnn_64qam_regression) or an ONNX file from ``python -m diffusion.train_dnn``.
    output 'expected': regression output x_hat / expected point under the softmax;
    'argmax': nearest point to x_hat / arg-max point.  Unit-power convention.
    The noise level (esn0_db, the "noise" message -- a number = Es/N0 dB or a dict with
    esn0_db / snr_db / noise_var -- and input tags snr_db / esn0_db / noise_var) is used
    only by models trained with a noise-level input (``snr_input``); the shipped models,
    like the published DNN, see the received symbol only.  Latency 0.  NaN/Inf samples
    pass through unchanged.
    """

    def __init__(self, model="dnn_16qam_regression", output="expected", esn0_db=10.0,
                 provider="cpu", intra_op_threads=1, batch_size=8192):
        gr.sync_block.__init__(self, name="dnn_receiver", in_sig=[np.complex64],
                               out_sig=[np.complex64])
        prov = str(provider).lower()
        if prov not in PROVIDERS:
            raise ValueError(f"unknown execution provider {provider!r}: use cpu, cuda or tensorrt")
        if int(batch_size) < 1:
            raise ValueError("batch_size must be >= 1")
        if not math.isfinite(float(esn0_db)):
            raise ValueError("esn0_db must be finite")
        self.model = DnnModel(model, providers=[PROVIDERS[prov]],
                              intra_op_threads=int(intra_op_threads))
        self.set_output(output)
        self._sigma2 = 10.0 ** (-float(esn0_db) / 10.0)
        self._batch = int(batch_size)
        self.message_port_register_in(pmt.intern("noise"))
        self.set_msg_handler(pmt.intern("noise"), self._handle_noise_msg)

    # ------------------------------------------------------------------ control
    def set_output(self, output):
        o = str(output).lower()
        if o not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
        self._output = o

    def output(self):
        return self._output

    def head(self):
        return self.model.head

    def snr_input(self):
        return self.model.snr_input

    def _set_sigma2(self, s2, what):
        if not (math.isfinite(s2) and s2 > 0):
            self.logger.warn(f"ignoring invalid {what} (noise variance {s2})")
            return
        self._sigma2 = float(s2)

    def set_esn0_db(self, esn0_db):
        self._set_sigma2(10.0 ** (-float(esn0_db) / 10.0), "Es/N0")

    def set_noise_var(self, noise_var):
        self._set_sigma2(float(noise_var), "noise_var")

    def noise_var(self):
        return self._sigma2

    def _apply(self, key, value, what):
        v = float(value)
        self._set_sigma2(v if key == "noise_var" else 10.0 ** (-v / 10.0), what)

    def _handle_noise_msg(self, msg):
        try:
            if pmt.is_number(msg) and not pmt.is_complex(msg):
                return self._apply("esn0_db", pmt.to_double(msg), "Es/N0 message")
            py = pmt.to_python(msg)
            if isinstance(py, dict):
                for key in _NOISE_TAGS:
                    v = py.get(key)
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        return self._apply(key, v, f"{key} message")
        except Exception:  # noqa: BLE001 (malformed PMTs must not stop the flowgraph)
            pass
        self.logger.warn("ignoring message on port 'noise': expected a number (Es/N0 dB) "
                         f"or a dict with esn0_db, snr_db or noise_var, got {msg}")

    # ------------------------------------------------------------------ work
    def _tag_sigma2(self, n):
        s2 = np.full(n, self._sigma2)
        r0 = self.nitems_read(0)
        tags = [t for t in self.get_tags_in_window(0, 0, n)
                if pmt.symbol_to_string(t.key) in _NOISE_TAGS]
        for t in sorted(tags, key=lambda t: t.offset):
            key = pmt.symbol_to_string(t.key)
            if not (pmt.is_number(t.value) and not pmt.is_complex(t.value)):
                self.logger.warn(f"ignoring tag {key} with non-numeric value {t.value}")
                continue
            self._apply(key, pmt.to_double(t.value), f"{key} tag")
            s2[t.offset - r0:] = self._sigma2
        return s2

    def work(self, input_items, output_items):
        y = input_items[0]
        out = output_items[0]
        n = len(out)
        s2 = self._tag_sigma2(n) if self.model.snr_input else None
        ok = np.isfinite(y.real) & np.isfinite(y.imag)
        if not ok.all():
            out[~ok] = y[~ok]
        for s in range(0, n, self._batch):
            e = min(n, s + self._batch)
            idx = np.flatnonzero(ok[s:e]) + s
            if idx.size:
                out[idx] = self.model.estimate(y[idx], None if s2 is None else s2[idx],
                                               self._output)
        return n
