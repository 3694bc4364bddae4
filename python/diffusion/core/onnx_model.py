#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""ONNX I/O of DDPM eps-networks.

Loading (:class:`DdpmModel`) needs only onnxruntime + NumPy; exporting is
:func:`diffusion.training.export.export_onnx` (torch + onnx).

File contract (gr_diffusion_format "1"), shared with the C++ blocks
-------------------------------------------------------------------
inputs   "x"   float32 [N, 2]  rails (Re, Im) of x_t = sqrt(abar_t) x0 + sqrt(1-abar_t) eps
         "t"   int64   [N]     1-based step, 1 <= t <= T
output   "eps" float32 [N, 2]  predicted eps (complex, E|eps|^2 = 1: N(0, 1/2) per rail)
metadata_props (all strings):
  gr_diffusion_format        "1"
  T                          number of steps
  schedule                   schedule name ('paper', 'wide', 'cosine', ...)
  alphas                     T comma-separated float64 reprs (alpha_1 .. alpha_T)
  constellation              constellation / data name ('16qam', 'swissroll', ...)
  constellation_points       comma-separated I,Q,I,Q,... (unit average power);
                             empty when the data are not a discrete constellation
  constellation_labels       comma-separated integer bit labels (Gray), same order
  normalization              "unit average power"
  noise_variance_convention  "per complex sample; Es/N0 = 1/sigma^2"
  eps_convention             "complex; E|eps|^2 = 1 (variance 1/2 per rail)"
  time_convention            "1-based t in [1, T]; abar(t) = prod_{s<=t} alpha_s"
  parameterization           "eps" (output of the graph)
  training                   JSON of the training recipe
"""
import errno
import json
import os

import numpy as np

from .constellations import Constellation, by_name
from .schedules import Schedule, make_schedule

FORMAT_VERSION = "1"
NOISE_CONVENTION = "per complex sample; Es/N0 = 1/sigma^2"
EPS_CONVENTION = "complex; E|eps|^2 = 1 (variance 1/2 per rail)"
TIME_CONVENTION = "1-based t in [1, T]; abar(t) = prod_{s<=t} alpha_s"
NORMALIZATION = "unit average power"
REQUIRED_METADATA = ("gr_diffusion_format", "T", "schedule", "alphas", "constellation",
                     "constellation_points", "normalization", "noise_variance_convention",
                     "parameterization")
_CHUNK = 1 << 12   # rows per onnxruntime call (cache-friendly; measured best 2k-4k)


# ------------------------------------------------------------------------------ helpers
def format_floats(values):
    """Comma-separated float64 reprs (round-trip exact, parseable by strtod)."""
    return ",".join(repr(float(v)) for v in np.asarray(values, dtype=np.float64).reshape(-1))


def parse_floats(text):
    text = text.strip()
    if not text:
        return np.zeros(0, dtype=np.float64)
    return np.array([float(v) for v in text.split(",")], dtype=np.float64)


def constellation_metadata(constellation):
    if constellation is None:
        return {"constellation_points": "", "constellation_labels": ""}
    pts = np.asarray(constellation.points, dtype=np.complex128)
    return {
        "constellation_points": format_floats(np.stack([pts.real, pts.imag], 1).reshape(-1)),
        "constellation_labels": ",".join(str(int(v)) for v in constellation.labels),
    }


def build_metadata(schedule, constellation=None, data_name=None, training=None, extra=None):
    meta = {
        "gr_diffusion_format": FORMAT_VERSION,
        "T": str(schedule.T),
        "schedule": schedule.name,
        "alphas": format_floats(schedule.alphas),
        "constellation": data_name or (constellation.name if constellation is not None else ""),
        "normalization": NORMALIZATION,
        "noise_variance_convention": NOISE_CONVENTION,
        "eps_convention": EPS_CONVENTION,
        "time_convention": TIME_CONVENTION,
        "input_names": "x,t",
        "output_names": "eps",
        "parameterization": "eps",
        "training": json.dumps(training or {}, sort_keys=True),
        "producer": "gr-diffusion",
    }
    meta.update(constellation_metadata(constellation))
    for k, v in (extra or {}).items():
        meta[str(k)] = v if isinstance(v, str) else json.dumps(v)
    return meta


# ------------------------------------------------------------------------------ loading
def available_providers():
    import onnxruntime as ort
    return list(ort.get_available_providers())


def open_session(path, providers=None, intra_op_threads=1):
    """onnxruntime session for a model file, for the module's model readers.

    providers: None (CPU), a provider name or a list (names or (name, options) tuples); each
    must be installed, else ValueError listing the installed ones. A file onnxruntime cannot
    load gives ValueError naming it.
    """
    import onnxruntime as ort

    p = os.fspath(path)
    avail = list(ort.get_available_providers())
    if providers is None:
        providers = ["CPUExecutionProvider"]
    elif isinstance(providers, (str, tuple)):
        providers = [providers]
    for prov in providers:
        name = prov[0] if isinstance(prov, tuple) else prov
        if name not in avail:
            raise ValueError(f"{p}: onnxruntime execution provider {name!r} is not "
                             f"installed; installed providers: {', '.join(avail)}")
    so = ort.SessionOptions()
    so.intra_op_num_threads = int(intra_op_threads)
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    try:
        return ort.InferenceSession(p, so, providers=list(providers))
    except Exception as e:  # noqa: BLE001  (InvalidProtobuf, Fail, ... from the binding)
        raise ValueError(f"{p}: not a loadable ONNX model ({type(e).__name__}: "
                         f"{str(e).strip()[:300]})") from e


class DdpmModel:
    """A gr-diffusion ONNX eps-network loaded with onnxruntime.

    DdpmModel(path, providers=None, intra_op_threads=1, schedule=None, constellation=None)

    providers: None (CPU), a provider name or a list (names or (name, options) tuples);
    each must be installed.  schedule / constellation override the file's metadata
    (Schedule or schedule name; Constellation or name).  Attributes: path, schedule,
    constellation (None for non-constellation data), metadata (dict), T, providers.
    """

    def __init__(self, path, providers=None, intra_op_threads=1, schedule=None,
                 constellation=None):
        self.path = os.fspath(path)
        p = self.path
        if not os.path.isfile(p):
            raise FileNotFoundError(errno.ENOENT, "DDPM ONNX model not found", p)
        self._sess = open_session(p, providers, intra_op_threads)
        self.providers = self._sess.get_providers()
        self._check_io()
        meta = dict(self._sess.get_modelmeta().custom_metadata_map)
        self.metadata = meta
        missing = [k for k in REQUIRED_METADATA if k not in meta]
        if missing:
            raise ValueError(f"{p}: not a gr-diffusion model: metadata key(s) missing: "
                             f"{', '.join(missing)}")
        if meta["gr_diffusion_format"] != FORMAT_VERSION:
            raise ValueError(f"{p}: unsupported gr_diffusion_format "
                             f"{meta['gr_diffusion_format']!r} (this reader knows {FORMAT_VERSION!r})")
        if meta["parameterization"] != "eps":
            raise ValueError(f"{p}: parameterization {meta['parameterization']!r}: the graph "
                             f"output must be eps")
        try:
            T = int(meta["T"])
            alphas = parse_floats(meta["alphas"])
        except ValueError as e:
            raise ValueError(f"{p}: metadata T/alphas unparseable ({e})") from e
        if T < 1 or len(alphas) != T:
            raise ValueError(f"{p}: metadata alphas has {len(alphas)} values, T = {T}")
        try:
            file_sched = Schedule.from_alphas(meta["schedule"], alphas)
        except ValueError as e:
            raise ValueError(f"{p}: metadata alphas invalid ({e})") from e
        self.T = T
        if schedule is None:
            self.schedule = file_sched
        else:
            sch = make_schedule(schedule, T) if isinstance(schedule, str) else schedule
            if not isinstance(sch, Schedule) or sch.T != T:
                raise ValueError(f"{p}: schedule override must be a Schedule/name with T = {T}")
            self.schedule = sch
        if constellation is not None:
            self.constellation = (by_name(constellation) if isinstance(constellation, str)
                                  else constellation)
        else:
            self.constellation = self._file_constellation(meta)
        self._chunk = _CHUNK
        # io binding (writing straight into the output array) measured no faster than
        # run() for this network on CPU; kept as an option.
        self.use_io_binding = False

    def _file_constellation(self, meta):
        p = self.path
        try:
            flat = parse_floats(meta["constellation_points"])
        except ValueError as e:
            raise ValueError(f"{p}: metadata constellation_points unparseable ({e})") from e
        if flat.size == 0:
            return None
        if flat.size % 2 or flat.size < 4:
            raise ValueError(f"{p}: constellation_points needs I,Q pairs, got {flat.size} values")
        pts = flat[0::2] + 1j * flat[1::2]
        lab_txt = meta.get("constellation_labels", "").strip()
        labels = (np.array([int(v) for v in lab_txt.split(",")], dtype=np.int64)
                  if lab_txt else np.arange(len(pts), dtype=np.int64))
        if len(labels) != len(pts):
            raise ValueError(f"{p}: constellation_labels has {len(labels)} entries for "
                             f"{len(pts)} points")
        return Constellation(meta["constellation"], pts, labels)

    def _check_io(self):
        p = self.path
        ins = {i.name: i for i in self._sess.get_inputs()}
        outs = {o.name: o for o in self._sess.get_outputs()}
        if set(ins) != {"x", "t"}:
            raise ValueError(f"{p}: inputs must be named 'x' and 't', found "
                             f"{', '.join(repr(n) for n in ins) or 'none'}")
        if "eps" not in outs or len(outs) != 1:
            raise ValueError(f"{p}: needs exactly one output named 'eps', found "
                             f"{', '.join(repr(n) for n in outs) or 'none'}")

        def dims_ok(shape, want):
            if shape is None or len(shape) != len(want):
                return False
            return all(w is None or not isinstance(s, int) or s == w for s, w in zip(shape, want))

        for name, typ, want, txt in (("x", "tensor(float)", (None, 2), "float32 [N, 2]"),
                                     ("t", "tensor(int64)", (None,), "int64 [N]")):
            i = ins[name]
            if i.type != typ:
                raise ValueError(f"{p}: input {name!r} has type {i.type}, must be {txt}")
            if not dims_ok(i.shape, want):
                raise ValueError(f"{p}: input {name!r} has shape {i.shape}, must be {txt}")
        o = outs["eps"]
        if o.type != "tensor(float)":
            raise ValueError(f"{p}: output 'eps' has type {o.type}, must be float32 [N, 2]")
        if not dims_ok(o.shape, (None, 2)):
            raise ValueError(f"{p}: output 'eps' has shape {o.shape}, must be float32 [N, 2]")

    def __repr__(self):
        c = self.constellation.name if self.constellation is not None else self.metadata.get(
            "constellation")
        return f"DdpmModel({self.path!r}, {c}, {self.schedule.summary()})"

    @property
    def training(self):
        try:
            return json.loads(self.metadata.get("training", "{}"))
        except ValueError:
            return {}

    def predict_eps(self, x, t):
        """eps_hat(x_t, t): x float32 [N, 2], t int64 [N] (or a scalar) -> float32 [N, 2]."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"x must be [N, 2], got shape {x.shape}")
        n = x.shape[0]
        t = np.asarray(t)
        if t.ndim == 0:
            t = np.full(n, int(t), dtype=np.int64)
        t = np.ascontiguousarray(t, dtype=np.int64).reshape(-1)
        if t.shape[0] != n:
            raise ValueError(f"t must have one step per row of x ({n}), got {t.shape[0]}")
        if n and (t.min() < 1 or t.max() > self.T):
            raise ValueError(f"t must be in [1, {self.T}], got [{t.min()}, {t.max()}]")
        out = np.empty((n, 2), dtype=np.float32)
        if n == 0:
            return out
        step = self._chunk
        for s in range(0, n, step):
            e = min(n, s + step)
            if self.use_io_binding:
                io = self._sess.io_binding()
                io.bind_cpu_input("x", x[s:e])
                io.bind_cpu_input("t", t[s:e])
                io.bind_output("eps", "cpu", 0, np.float32, [e - s, 2], out[s:e].ctypes.data)
                self._sess.run_with_iobinding(io)
            else:
                out[s:e] = self._sess.run(["eps"], {"x": x[s:e], "t": t[s:e]})[0]
        return out


def load(path, **kw):
    """Shorthand for :class:`DdpmModel`."""
    return DdpmModel(path, **kw)
