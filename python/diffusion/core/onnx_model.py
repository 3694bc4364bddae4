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
Window models (metadata window_length = W > 1): x float32 [N, W, 2] (W consecutive
symbols, oldest first), t int64 [N] (one step for the whole window), eps float32
[N, W, 2]; dimension 1 equal to W or dynamic (the load-time probe then decides).
Per-symbol models are the W = 1 case ([N, 2], or [N, 1, 2]).
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
  window_length              W, 1 <= W <= MAX_WINDOW (optional; absent = 1)
  network                    architecture name ('mlp', 'window_conv1d'; optional)
"""

import errno
import json
import os
import re

import numpy as np

from .constellations import Constellation, by_name
from .schedules import Schedule, make_schedule

FORMAT_VERSION = "1"
NOISE_CONVENTION = "per complex sample; Es/N0 = 1/sigma^2"
EPS_CONVENTION = "complex; E|eps|^2 = 1 (variance 1/2 per rail)"
TIME_CONVENTION = "1-based t in [1, T]; abar(t) = prod_{s<=t} alpha_s"
NORMALIZATION = "unit average power"
REQUIRED_METADATA = (
    "gr_diffusion_format",
    "T",
    "schedule",
    "alphas",
    "constellation",
    "constellation_points",
    "normalization",
    "noise_variance_convention",
    "parameterization",
)
_CHUNK = 1 << 12  # rows per onnxruntime call (cache-friendly; measured best 2k-4k)


# ------------------------------------------------------------------------------ helpers
def format_floats(values):
    """Comma-separated float64 reprs (round-trip exact, parseable by strtod)."""
    return ",".join(repr(float(v)) for v in np.asarray(values, dtype=np.float64).reshape(-1))


_BLANKS = " \t\n\r\f\v"
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")  # ASCII only
MAX_STEPS = 100000  # T bound (lib/model_contract.h max_steps)
MAX_POINTS = 1 << 16  # constellation size bound
UNIT_POWER_TOL = 1e-3  # |mean |c|^2 - 1|
MAX_WINDOW = 4096  # window_length bound (lib/model_contract.h max_window)


def _short(s):
    return s if len(s) <= 40 else s[:37] + "..."


def parse_number(text, what="value"):
    """Strict decimal number: ASCII blanks around [+-]digits[.digits][e[+-]digits]; anything
    else (trailing garbage, hex, inf/nan, underscores) raises ValueError "<what>: ...".
    The same grammar as lib/model_contract.cc."""
    s = text.strip(_BLANKS)
    if not _DECIMAL.fullmatch(s):
        raise ValueError(f"{what}: '{_short(s)}' is not a decimal number")
    v = float(s)
    if not np.isfinite(v):
        raise ValueError(f"{what}: '{_short(s)}' is out of range")
    return v


def parse_floats(text, what="value"):
    """Comma-separated strict numbers (float64 array); blank text gives an empty array."""
    if not text.strip(_BLANKS):
        return np.zeros(0, dtype=np.float64)
    return np.array(
        [parse_number(v, f"{what} item {k}") for k, v in enumerate(text.split(","))],
        dtype=np.float64,
    )


def parse_count(text, what, max_value):
    """Strict non-negative decimal integer (blanks around allowed), at most max_value."""
    s = text.strip(_BLANKS)
    if not s or len(s) > 18 or not all("0" <= c <= "9" for c in s):
        raise ValueError(f"{what}: '{_short(s)}' is not a non-negative integer")
    v = int(s)
    if v > max_value:
        raise ValueError(f"{what}: {s} exceeds {max_value}")
    return v


_TYPE_NAMES = {
    "tensor(float)": "float32",
    "tensor(int64)": "int64",
    "tensor(double)": "float64",
    "tensor(float16)": "float16",
    "tensor(int32)": "int32",
}


def _shape_str(shape):
    return (
        "["
        + ", ".join(str(d) if isinstance(d, int) and d >= 0 else "N" for d in (shape or []))
        + "]"
    )


def check_io(inputs, outputs, where=""):
    """The graph I/O contract on (name, onnxruntime type string, shape) triples: inputs
    exactly x float32 [N, 2] or [N, W, 2] and t int64 [N], one output eps float32 of x's
    rank, N dynamic (W is checked against the metadata by :func:`check_window`).
    Same checks and messages as lib/model_contract.cc check_io."""
    names_in = [n for n, _, _ in inputs]
    names_out = [n for n, _, _ in outputs]

    def listing(names):
        return ", ".join(f"'{n}'" for n in names) or "none"

    if len(inputs) != 2 or set(names_in) != {"x", "t"}:
        raise ValueError(f"{where}inputs must be named 'x' and 't', found {listing(names_in)}")
    if len(outputs) != 1 or names_out[0] != "eps":
        raise ValueError(f"{where}needs exactly one output named 'eps', found {listing(names_out)}")
    ins = {n: (t, s) for n, t, s in inputs}
    xs = ins["x"][1]
    x_rank = len(xs) if xs is not None and len(xs) == 3 else 2
    rows = "float32 [N, 2]" if x_rank == 2 else "float32 [N, W, 2]"
    for kind, name, (typ, shape), want_t, rank, txt in (
        ("input", "x", ins["x"], "float32", x_rank, "float32 [N, 2] or [N, W, 2]"),
        ("input", "t", ins["t"], "int64", 1, "int64 [N]"),
        ("output", "eps", outputs[0][1:], "float32", x_rank, rows + " (the shape of 'x')"),
    ):
        head = f"{where}{kind} '{name}' "
        tname = _TYPE_NAMES.get(typ, typ)
        if tname != want_t:
            raise ValueError(f"{head}has type {tname}, must be {txt}")

        def dynamic(d):
            return not (isinstance(d, int) and d >= 0)

        ok = shape is not None and len(shape) == rank and dynamic(shape[0])
        if ok and rank >= 2:
            ok = shape[-1] == 2 or dynamic(shape[-1])
        if ok and rank == 3:
            ok = dynamic(shape[1]) or shape[1] >= 1
        if not ok:
            raise ValueError(f"{head}has shape {_shape_str(shape)}, must be {txt} with a dynamic N")


def check_window(x_shape, eps_shape, window_length, where=""):
    """Declared window dimension of x / eps against the metadata's window_length W: a
    rank-2 graph is a per-symbol model (W must be 1); a rank-3 graph's dimension 1 must be
    W or dynamic. Same messages as lib/model_contract.cc check_window."""
    W = int(window_length)
    for kind, name, shape in (("input", "x", x_shape), ("output", "eps", eps_shape)):
        shape = list(shape or [])
        if len(shape) == 2 and W != 1:
            raise ValueError(
                f"{where}metadata window_length is {W} but {kind} '{name}' has shape "
                f"{_shape_str(shape)} (a per-symbol graph): must be [N, {W}, 2]"
            )
        if len(shape) == 3 and isinstance(shape[1], int) and shape[1] >= 0 and shape[1] != W:
            raise ValueError(
                f"{where}{kind} '{name}' has window dimension {shape[1]} but metadata "
                f"window_length is {W} (absent means 1)"
            )


def check_metadata(meta, where=""):
    """The metadata contract (gr_diffusion_format 1), as lib/model_contract.cc
    check_metadata. Returns dict(T, alphas, points (complex or None), labels,
    window_length)."""
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    if missing:
        raise ValueError(
            f"{where}not a gr-diffusion model: metadata key(s) missing: {', '.join(missing)}"
        )
    if meta["gr_diffusion_format"] != FORMAT_VERSION:
        raise ValueError(
            f"{where}unsupported gr_diffusion_format "
            f"'{_short(meta['gr_diffusion_format'])}' (this reader knows "
            f"'{FORMAT_VERSION}')"
        )
    if meta["parameterization"] != "eps":
        raise ValueError(
            f"{where}parameterization '{_short(meta['parameterization'])}': the "
            f"graph output must be eps"
        )
    T = parse_count(meta["T"], f"{where}metadata 'T'", MAX_STEPS)
    if T < 1:
        raise ValueError(f"{where}metadata 'T' must be >= 1, got 0")
    alphas = parse_floats(meta["alphas"], f"{where}metadata 'alphas'")
    if len(alphas) != T:
        raise ValueError(f"{where}metadata alphas has {len(alphas)} values, T = {T}")
    if np.any(~(alphas > 0)) or np.any(alphas > 1):
        raise ValueError(f"{where}metadata alphas must be finite and in (0, 1]")
    ab = 1.0
    for a in alphas:  # sequential product, as the C++ reader
        ab *= float(a)
    if not (ab > 0 and ab >= np.finfo(np.float64).tiny):
        raise ValueError(f"{where}metadata alphas: abar_T underflows (must be > 0)")
    flat = parse_floats(meta["constellation_points"], f"{where}metadata 'constellation_points'")
    points = labels = None
    if flat.size:
        if flat.size % 2 or flat.size < 4:
            raise ValueError(f"{where}constellation_points needs I,Q pairs, got {flat.size} values")
        if flat.size // 2 > MAX_POINTS:
            raise ValueError(f"{where}constellation_points has more than {MAX_POINTS} points")
        points = flat[0::2] + 1j * flat[1::2]
        p = float(np.mean(np.abs(points) ** 2))
        if not abs(p - 1.0) <= UNIT_POWER_TOL:
            raise ValueError(
                f"{where}constellation_points must have unit average power, got {p:.6f}"
            )
        lab = meta.get("constellation_labels", "").strip(_BLANKS)
        if lab:
            labels = np.array(
                [
                    parse_count(v, f"{where}metadata 'constellation_labels' item {k}", 1 << 40)
                    for k, v in enumerate(lab.split(","))
                ],
                dtype=np.int64,
            )
            if len(labels) != len(points):
                raise ValueError(
                    f"{where}constellation_labels has {len(labels)} entries for "
                    f"{len(points)} points"
                )
        else:
            labels = np.arange(len(points), dtype=np.int64)
    W = 1
    if "window_length" in meta:
        W = parse_count(meta["window_length"], f"{where}metadata 'window_length'", MAX_WINDOW)
        if W < 1:
            raise ValueError(f"{where}metadata 'window_length' must be >= 1, got 0")
    return {"T": T, "alphas": alphas, "points": points, "labels": labels, "window_length": W}


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
            raise ValueError(
                f"{p}: onnxruntime execution provider {name!r} is not "
                f"installed; installed providers: {', '.join(avail)}"
            )
    so = ort.SessionOptions()
    so.intra_op_num_threads = int(intra_op_threads)
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    try:
        return ort.InferenceSession(p, so, providers=list(providers))
    except Exception as e:  # noqa: BLE001  (InvalidProtobuf, Fail, ... from the binding)
        raise ValueError(
            f"{p}: not a loadable ONNX model ({type(e).__name__}: {str(e).strip()[:300]})"
        ) from e


class DdpmModel:
    """A gr-diffusion ONNX eps-network loaded with onnxruntime.

    DdpmModel(path, providers=None, intra_op_threads=1, schedule=None, constellation=None)

    providers: None (CPU), a provider name or a list (names or (name, options) tuples);
    each must be installed.  schedule / constellation override the file's metadata
    (Schedule or schedule name; Constellation or name).  Attributes: path, schedule,
    constellation (None for non-constellation data), metadata (dict), T, providers.
    """

    def __init__(self, path, providers=None, intra_op_threads=1, schedule=None, constellation=None):
        self.path = os.fspath(path)
        p = self.path
        if not os.path.isfile(p):
            raise FileNotFoundError(errno.ENOENT, "DDPM ONNX model not found", p)
        self._sess = open_session(p, providers, intra_op_threads)
        self.providers = self._sess.get_providers()
        sess = self._sess
        where = f"{p}: "
        ins = [(i.name, i.type, i.shape) for i in sess.get_inputs()]
        outs = [(o.name, o.type, o.shape) for o in sess.get_outputs()]
        check_io(ins, outs, where)
        meta = dict(sess.get_modelmeta().custom_metadata_map)
        self.metadata = meta
        info = check_metadata(meta, where)
        T = info["T"]
        W = info["window_length"]
        x_shape = next(s for n, _, s in ins if n == "x")
        check_window(x_shape, outs[0][2], W, where)
        #: symbols per network input (1: per-symbol model)
        self.window_length = W
        self._rank3 = len(x_shape) == 3
        file_sched = Schedule.from_alphas(meta["schedule"], info["alphas"])
        self._probe(where, T)
        self.T = T
        if schedule is None:
            self.schedule = file_sched
        else:
            sch = make_schedule(schedule, T) if isinstance(schedule, str) else schedule
            if not isinstance(sch, Schedule) or sch.T != T:
                raise ValueError(f"{p}: schedule override must be a Schedule/name with T = {T}")
            self.schedule = sch
        if constellation is not None:
            self.constellation = (
                by_name(constellation) if isinstance(constellation, str) else constellation
            )
        else:
            self.constellation = (
                None
                if info["points"] is None
                else Constellation(meta["constellation"], info["points"], info["labels"])
            )
        self._chunk = _CHUNK
        # io binding (writing straight into the output array) measured no faster than
        # run() for this network on CPU; kept as an option.
        self.use_io_binding = False
        # GPU providers: inputs / outputs as OrtValues on the provider's device (bind_device)
        self._io = None
        dev = _GPU_DEVICES.get(self.providers[0]) if self.providers else None
        if dev is not None:
            opts = self._sess.get_provider_options().get(self.providers[0], {})
            self.bind_device(dev, int(opts.get("device_id", 0) or 0))

    def _probe(self, where, T):
        """One run on 3 rows (windows): a graph whose declared shapes pass the contract but
        whose real output is not float32 of x's shape (or that fails to run) is a load error
        (as the C++ engine's probe)."""
        W = self.window_length
        base = np.array([[0.5, -0.5], [0.0, 0.0], [1.0, 1.0]], dtype=np.float32)
        shape = (3, W, 2) if self._rank3 else (3, 2)
        x = np.ascontiguousarray(np.broadcast_to(base[:, None, :], (3, W, 2)).reshape(shape))
        t = np.array([1, (T + 1) // 2, T], dtype=np.int64)
        want = "[" + ", ".join(str(d) for d in shape) + "]"
        try:
            out = self._sess.run(["eps"], {"x": x, "t": t})[0]
        except Exception as e:  # noqa: BLE001 (onnxruntime's own exception types)
            raise ValueError(
                f"{where}the graph fails on a 3-row probe input ({str(e).strip()[:300]})"
            ) from e
        out = np.asarray(out)
        if out.dtype != np.float32:
            raise ValueError(
                f"{where}output 'eps' of a 3-row probe has type "
                f"{_TYPE_NAMES.get(f'tensor({out.dtype})', str(out.dtype))}, "
                f"must be float32 {want}"
            )
        if out.shape != shape:
            raise ValueError(
                f"{where}output 'eps' of a 3-row probe has shape "
                f"[{', '.join(str(d) for d in out.shape)}], must be {want} (the shape of 'x')"
            )

    def __repr__(self):
        c = (
            self.constellation.name
            if self.constellation is not None
            else self.metadata.get("constellation")
        )
        return f"DdpmModel({self.path!r}, {c}, {self.schedule.summary()})"

    @property
    def training(self):
        try:
            return json.loads(self.metadata.get("training", "{}"))
        except ValueError:
            return {}

    def predict_eps(self, x, t):
        """eps_hat(x_t, t): x float32 [N, 2], t int64 [N] (or a scalar) -> float32 [N, 2].

        Window models (window_length W > 1): N must be a multiple of W, rows are consecutive
        windows of W symbols and t must be constant within each window (the network sees
        [N/W, W, 2] and t[::W]); the samplers therefore run on windows unchanged."""
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
        W = self.window_length
        if W > 1 or self._rank3:
            return self._predict_windows(x, t, out)
        step = self._chunk
        for s in range(0, n, step):
            e = min(n, s + step)
            if self._io is not None:
                self._predict_bound(x[s:e], t[s:e], out[s:e])
            elif self.use_io_binding:
                io = self._sess.io_binding()
                io.bind_cpu_input("x", x[s:e])
                io.bind_cpu_input("t", t[s:e])
                io.bind_output("eps", "cpu", 0, np.float32, [e - s, 2], out[s:e].ctypes.data)
                self._sess.run_with_iobinding(io)
            else:
                out[s:e] = self._sess.run(["eps"], {"x": x[s:e], "t": t[s:e]})[0]
        return out

    def _predict_windows(self, x, t, out):
        W = self.window_length
        n = x.shape[0]
        if n % W:
            raise ValueError(f"x must hold whole windows of {W} symbols, got {n} rows")
        tw = t.reshape(-1, W)
        if np.any(tw != tw[:, :1]):
            raise ValueError("t must be constant within each window")
        xw = x.reshape(-1, W, 2)
        tw = np.ascontiguousarray(tw[:, 0])
        ow = out.reshape(-1, W, 2)
        step = max(1, self._chunk // W)
        for s in range(0, xw.shape[0], step):
            e = min(xw.shape[0], s + step)
            ow[s:e] = self._sess.run(["eps"], {"x": xw[s:e], "t": tw[s:e]})[0]
        return out

    # ------------------------------------------------------------- device-resident I/O
    @property
    def io_device(self):
        """(device, device_id) of the I/O-binding path predict_eps uses, or None (run())."""
        return None if self._io is None else (self._io["device"], self._io["id"])

    def bind_device(self, device, device_id=0):
        """Route predict_eps through I/O binding with the inputs and the output kept as
        OrtValues on `device` ('cuda' for the CUDA / TensorRT providers, 'cpu'), allocated once
        per chunk size and refilled in place (OrtValue.update_inplace: fixed device addresses,
        no allocation per call, one host->device copy per input and one device->host copy of
        eps). Chosen at load for CUDA / TensorRT; device None goes back to run()."""
        if device is None:
            self._io = None
            return
        device = str(device).lower()
        if device not in ("cpu", "cuda"):
            raise ValueError(f"bind_device: device must be 'cpu' or 'cuda', got {device!r}")
        if int(device_id) < 0:
            raise ValueError(f"bind_device: device_id must be >= 0, got {device_id}")
        self._io = {"device": device, "id": int(device_id), "bufs": {}}

    def ortvalue(self, array):
        """A NumPy array as an OrtValue on the bound device (or the CPU when none is bound):
        input for predict_eps_ortvalue."""
        import onnxruntime as ort

        dev, did = self.io_device or ("cpu", 0)
        return ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(array), dev, did)

    def predict_eps_ortvalue(self, x, t, out=None):
        """eps for OrtValues x float32 [N, 2] and t int64 [N] already on the device; returns an
        OrtValue on the same device (`out`, an OrtValue float32 [N, 2] there, is written when
        given): a caller keeping its state on the device avoids the host round trip."""
        dev, did = self.io_device or ("cpu", 0)
        io = self._sess.io_binding()
        io.bind_ortvalue_input("x", x)
        io.bind_ortvalue_input("t", t)
        if out is None:
            io.bind_output("eps", dev, did)
        else:
            io.bind_ortvalue_output("eps", out)
        io.synchronize_inputs()
        self._sess.run_with_iobinding(io)
        io.synchronize_outputs()
        return out if out is not None else io.get_outputs()[0]

    def _predict_bound(self, x, t, out):
        """One chunk through the bound device buffers (cached per chunk size: at most the
        full chunk and one remainder in a steady stream)."""
        import onnxruntime as ort

        n = x.shape[0]
        bufs = self._io["bufs"]
        b = bufs.get(n)
        if b is None:
            if len(bufs) >= 4:
                bufs.clear()
            dev, did = self._io["device"], self._io["id"]
            xv = ort.OrtValue.ortvalue_from_shape_and_type([n, 2], np.float32, dev, did)
            tv = ort.OrtValue.ortvalue_from_shape_and_type([n], np.int64, dev, did)
            ev = ort.OrtValue.ortvalue_from_shape_and_type([n, 2], np.float32, dev, did)
            io = self._sess.io_binding()
            io.bind_ortvalue_input("x", xv)
            io.bind_ortvalue_input("t", tv)
            io.bind_ortvalue_output("eps", ev)
            b = bufs[n] = (xv, tv, ev, io)
        xv, tv, ev, io = b
        xv.update_inplace(x)
        tv.update_inplace(t)
        io.synchronize_inputs()
        self._sess.run_with_iobinding(io)
        io.synchronize_outputs()
        out[:] = ev.numpy()


_GPU_DEVICES = {"CUDAExecutionProvider": "cuda", "TensorrtExecutionProvider": "cuda"}


def load(path, **kw):
    """Shorthand for :class:`DdpmModel`."""
    return DdpmModel(path, **kw)
