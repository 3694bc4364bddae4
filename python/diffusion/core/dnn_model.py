#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""DNN baseline receiver models (ONNX, written by :mod:`diffusion.training.dnn`) with onnxruntime
(NumPy only, no PyTorch, no GNU Radio).

Graph: "y" float32 [N, 2] (rails I, Q of the received symbol, unit-power convention) and,
when the metadata says snr_input = true, "sigma2" float32 [N] (noise variance per complex
sample, Es/N0 = 1/sigma2).  Output "x_hat" float32 [N, 2] (head 'regression') or "logits"
float32 [N, M] (head 'classification', one logit per point of the metadata constellation).

:meth:`DnnModel.estimate` turns the output into complex symbol estimates:
  output 'expected'  regression: x_hat; classification: sum_m softmax(logits)_m x_m
  output 'argmax'    regression: nearest point to x_hat; classification: arg-max point
"""

import errno
import os

import numpy as np

from .constellations import Constellation
from .model_files import find_model
from .onnx_model import open_session, parse_floats

OUTPUTS = ("expected", "argmax")
SHIPPED_DNN = (
    "dnn_16qam_regression",
    "dnn_16qam_classification",
    "dnn_64qam_regression",
    "dnn_256qam_regression",
)
_CHUNK = 1 << 13


def shipped_dnn_model(name):
    """Path of a shipped DNN model by name ('dnn_16qam_regression', ...) or of an existing
    file (returned as is): :func:`model_files.find_model`; FileNotFoundError otherwise."""
    try:
        p = find_model(name)
    except FileNotFoundError as e:
        raise FileNotFoundError(
            errno.ENOENT, f"{e}; shipped DNN models: {', '.join(SHIPPED_DNN)}", os.fspath(name)
        ) from e
    if not os.path.isfile(p):
        raise FileNotFoundError(errno.ENOENT, "DNN ONNX model not found", p)
    return p


def snr_mixture_mmse(y, constellation, esn0_min, esn0_max, k=41):
    """E[x | y] when Es/N0 is unknown, uniform over [esn0_min, esn0_max] dB (complex128 [N]).

    The training target of a DNN without a noise-level input: with perfect training the
    network converges to this function (optimal on average over the Es/N0 range, not at
    each Es/N0).  p(y | x) is the mean of the AWGN likelihoods over a k-point dB grid.
    """
    y = np.asarray(y, dtype=np.complex128).reshape(-1)
    pts = np.asarray(getattr(constellation, "points", constellation), dtype=np.complex128)
    s2 = 10.0 ** (-np.linspace(float(esn0_min), float(esn0_max), int(k)) / 10.0)
    lognorm = -np.log(np.pi * s2)
    out = np.empty(y.shape, dtype=np.complex128)
    step = 2048
    for s in range(0, y.size, step):
        d2 = np.abs(y[s : s + step, None] - pts[None, :]) ** 2  # [n, M]
        a = -d2[:, :, None] / s2[None, None, :] + lognorm[None, None, :]  # [n, M, k]
        a -= a.max(axis=(1, 2), keepdims=True)
        w = np.exp(a).sum(axis=2)  # [n, M]
        out[s : s + step] = (w @ pts) / w.sum(axis=1)
    return out


class DnnModel:
    """A gr-diffusion DNN receiver ONNX model loaded with onnxruntime.

    DnnModel(path_or_name, providers=None, intra_op_threads=1).  Attributes: path, head
    ('regression' | 'classification'), snr_input (bool), constellation, metadata.
    """

    def __init__(self, path, providers=None, intra_op_threads=1):
        p = shipped_dnn_model(path)
        self.path = p
        self._sess = open_session(p, providers, intra_op_threads)
        self.providers = self._sess.get_providers()
        meta = dict(self._sess.get_modelmeta().custom_metadata_map)
        self.metadata = meta
        if meta.get("gr_diffusion_dnn_format") != "1":
            raise ValueError(
                f"{p}: not a gr-diffusion DNN receiver model (metadata "
                f"gr_diffusion_dnn_format = {meta.get('gr_diffusion_dnn_format')!r})"
            )
        self.head = meta.get("head", "")
        if self.head not in ("regression", "classification"):
            raise ValueError(f"{p}: unknown head {self.head!r}")
        self.snr_input = meta.get("snr_input", "false") == "true"
        flat = parse_floats(meta.get("constellation_points", ""))
        if flat.size < 4 or flat.size % 2:
            raise ValueError(f"{p}: metadata constellation_points needs I,Q pairs")
        pts = flat[0::2] + 1j * flat[1::2]
        lab = meta.get("constellation_labels", "").strip()
        labels = (
            np.array([int(v) for v in lab.split(",")], dtype=np.int64)
            if lab
            else np.arange(pts.size, dtype=np.int64)
        )
        self.constellation = Constellation(meta.get("constellation", "dnn"), pts, labels)
        ins = {i.name: i for i in self._sess.get_inputs()}
        want = {"y", "sigma2"} if self.snr_input else {"y"}
        if set(ins) != want:
            raise ValueError(
                f"{p}: inputs {sorted(ins)} do not match the metadata (expected {sorted(want)})"
            )
        self._out = "x_hat" if self.head == "regression" else "logits"
        outs = [o.name for o in self._sess.get_outputs()]
        if outs != [self._out]:
            raise ValueError(f"{p}: outputs {outs}, expected ['{self._out}']")

    @property
    def training_esn0_range(self):
        """(esn0_min, esn0_max) dB of the training pairs, from the metadata (None if absent)."""
        import json

        try:
            cfg = json.loads(self.metadata.get("training", "{}")).get("config", {})
            return float(cfg["esn0_min"]), float(cfg["esn0_max"])
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def __repr__(self):
        return (
            f"DnnModel({self.path!r}, {self.constellation.name}, {self.head}, "
            f"snr_input={self.snr_input})"
        )

    def raw(self, y, sigma2=None):
        """Network output for y complex [N] (or float [N, 2]): float32 [N, 2] / [N, M]."""
        y = np.asarray(y)
        if np.iscomplexobj(y) or y.ndim == 1:
            y = y.reshape(-1)
            r = np.empty((y.size, 2), dtype=np.float32)
            r[:, 0], r[:, 1] = y.real, y.imag
        else:
            r = np.ascontiguousarray(y, dtype=np.float32)
        n = r.shape[0]
        feed_s2 = None
        if self.snr_input:
            if sigma2 is None:
                raise ValueError(f"{self.path}: this model needs sigma2")
            feed_s2 = np.ascontiguousarray(
                np.broadcast_to(np.asarray(sigma2, dtype=np.float32), (n,))
            )
        width = 2 if self.head == "regression" else self.constellation.order
        out = np.empty((n, width), dtype=np.float32)
        for s in range(0, n, _CHUNK):
            feed = {"y": r[s : s + _CHUNK]}
            if feed_s2 is not None:
                feed["sigma2"] = feed_s2[s : s + _CHUNK]
            out[s : s + _CHUNK] = self._sess.run([self._out], feed)[0]
        return out

    def estimate(self, y, sigma2=None, output="expected"):
        """Complex64 [N] symbol estimates (see the module docstring for ``output``)."""
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
        o = self.raw(y, sigma2)
        pts = self.constellation.points
        if self.head == "regression":
            x = o[:, 0].astype(np.float64) + 1j * o[:, 1].astype(np.float64)
            if output == "argmax":
                x = self.constellation.hard_decision(x)
            return x.astype(np.complex64)
        if output == "argmax":
            return pts[np.argmax(o, axis=1)].astype(np.complex64)
        lg = o.astype(np.float64)
        lg -= lg.max(axis=1, keepdims=True)
        w = np.exp(lg)
        return ((w @ pts) / w.sum(axis=1)).astype(np.complex64)

    def indices(self, y, sigma2=None):
        """Hard decisions (point indices): arg-max class, or nearest point to x_hat."""
        o = self.raw(y, sigma2)
        if self.head == "classification":
            return np.argmax(o, axis=1).astype(np.int64)
        return self.constellation.slice(o[:, 0].astype(np.float64) + 1j * o[:, 1])
