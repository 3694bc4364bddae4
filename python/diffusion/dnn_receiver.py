#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""DNN baseline receiver, Python block: a thin shell over diffusion.core.dnn_model."""

import numpy as np
from gnuradio import gr

from .core.dnn_model import OUTPUTS, DnnModel
from .noise_level import NoiseLevelControl
from .work_guard import WorkGuard, guarded_work

PROVIDERS = {
    "cpu": "CPUExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "tensorrt": "TensorrtExecutionProvider",
}


class dnn_receiver(WorkGuard, NoiseLevelControl, gr.sync_block):
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

    def __init__(
        self,
        model="dnn_16qam_regression",
        output="expected",
        esn0_db=10.0,
        provider="cpu",
        intra_op_threads=1,
        batch_size=8192,
    ):
        gr.sync_block.__init__(
            self, name="dnn_receiver", in_sig=[np.complex64], out_sig=[np.complex64]
        )
        prov = str(provider).lower()
        if prov not in PROVIDERS:
            raise ValueError(f"unknown execution provider {provider!r}: use cpu, cuda or tensorrt")
        if int(batch_size) < 1:
            raise ValueError("batch_size must be >= 1")
        self.model = DnnModel(
            model, providers=[PROVIDERS[prov]], intra_op_threads=int(intra_op_threads)
        )
        self.set_output(output)
        self._batch = int(batch_size)
        self._init_noise_level(esn0_db)

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

    def noise_var(self):
        return self._sigma2

    # ------------------------------------------------------------------ work
    @guarded_work("pass")
    def work(self, input_items, output_items):
        y = input_items[0]
        out = output_items[0]
        n = len(out)
        s2 = self._tag_sigma2(n) if self.model.snr_input else self._drain_noise()
        ok = np.isfinite(y.real) & np.isfinite(y.imag)
        if not ok.all():
            out[~ok] = y[~ok]
        for s in range(0, n, self._batch):
            e = min(n, s + self._batch)
            idx = np.flatnonzero(ok[s:e]) + s
            if idx.size:
                out[idx] = self.model.estimate(
                    y[idx], None if s2 is None else s2[idx], self._output
                )
        return n
