#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Bad-model corpus, generated at test time from a shipped model (needs the onnx package).

``generate(directory)`` writes one ONNX (or non-ONNX) file per case and returns a list of
:class:`Case` (name, path, expect): ``expect`` is a regular expression that the error of
*both* loaders must match -- the Python ``DdpmModel`` and the C++ block ``ddpm_denoiser``
(through ``lib/model_contract.cc``) -- so one corpus checks one contract on both sides.
``good`` cases (expect None) must load on both.

Classes: metadata (missing keys, unknown gr_diffusion_format, unsupported parameterization,
schedule length != T, numbers with trailing garbage / hex / nan, out-of-range alphas,
absurd T, malformed constellation points and labels), graph I/O (names, element types,
ranks, fixed batch dimension, an eps output [N, 1] or float64, a declared-dynamic output
whose real shape is wrong: caught by the load-time probe), and bytes (empty, truncated,
random, not ONNX).
"""

import os
from dataclasses import dataclass

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE_MODEL = os.path.join(ROOT, "models", "qpsk.onnx")


@dataclass
class Case:
    name: str
    path: str
    expect: str  # regex both loaders' errors match; None: must load


def _meta(model):
    return {p.key: p.value for p in model.metadata_props}


def _set_meta(model, meta):
    del model.metadata_props[:]
    for k, v in meta.items():
        p = model.metadata_props.add()
        p.key, p.value = k, v


def _meta_case(base, **changes):
    """Copy of base with metadata keys changed (value None deletes the key)."""
    import onnx

    m = onnx.ModelProto()
    m.CopyFrom(base)
    meta = _meta(m)
    for k, v in changes.items():
        if v is None:
            meta.pop(k, None)
        else:
            meta[k] = v
    _set_meta(m, meta)
    return m


def _retype_output(base, op, out_dims, attrs=None, axes=None, elem=None):
    """base with a node op(eps[, axes]) -> eps appended (the old output renamed eps_raw)."""
    import onnx
    from onnx import TensorProto, helper

    m = onnx.ModelProto()
    m.CopyFrom(base)
    g = m.graph
    for n in g.node:
        n.output[:] = ["eps_raw" if o == "eps" else o for o in n.output]
    inputs = ["eps_raw"]
    if axes is not None:
        g.initializer.append(helper.make_tensor("axes_c", TensorProto.INT64, [1], [axes]))
        inputs.append("axes_c")
    g.node.append(helper.make_node(op, inputs, ["eps"], **(attrs or {})))
    del g.output[:]
    g.output.append(helper.make_tensor_value_info("eps", elem or TensorProto.FLOAT, out_dims))
    onnx.checker.check_model(m)
    return m


def _rename(base, old, new, where):
    import onnx

    m = onnx.ModelProto()
    m.CopyFrom(base)
    g = m.graph
    for n in g.node:
        n.input[:] = [new if i == old else i for i in n.input]
        n.output[:] = [new if o == old else o for o in n.output]
    for vi in g.input if where == "input" else g.output:
        if vi.name == old:
            vi.name = new
    return m


def window_model(W, meta, x_dim=None, eps_dim=None, slice_to=None, eps_rank2=False):
    """A small window graph over x float32 [N, W, 2] with the metadata ``meta``:
    eps = tanh(g[t] x) + 0.1 mean_window(x) + 0.05 x shifted by one symbol (it mixes
    symbols across the window and depends on the step, so window plumbing errors show).
    x_dim / eps_dim: declared dimension 1 (default W); slice_to: really output only the
    first slice_to symbols (declared dynamic); eps_rank2: declare eps [N, 2]."""
    from onnx import TensorProto, helper

    T = int(meta["T"])
    g_tab = (0.5 + 0.5 * np.cos(np.linspace(0.0, 3.0, T + 1))).astype(np.float32)
    inits = [
        helper.make_tensor("g_tab", TensorProto.FLOAT, [T + 1], g_tab.tolist()),
        helper.make_tensor("axes12", TensorProto.INT64, [2], [1, 2]),
        helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
        helper.make_tensor("c01", TensorProto.FLOAT, [], [0.1]),
        helper.make_tensor("c005", TensorProto.FLOAT, [], [0.05]),
        helper.make_tensor("shift_lo", TensorProto.INT64, [1], [0]),
        helper.make_tensor("shift_hi", TensorProto.INT64, [1], [max(W - 1, 0)]),
        helper.make_tensor("pad_w", TensorProto.INT64, [6], [0, 1, 0, 0, 0, 0]),
    ]
    nodes = [
        helper.make_node("Gather", ["g_tab", "t"], ["g"]),
        helper.make_node("Unsqueeze", ["g", "axes12"], ["g3"]),
        helper.make_node("Mul", ["x", "g3"], ["gx"]),
        helper.make_node("Tanh", ["gx"], ["a"]),
        helper.make_node("ReduceMean", ["x"], ["mx"], axes=[1], keepdims=1),
        helper.make_node("Mul", ["mx", "c01"], ["b"]),
        helper.make_node("Add", ["a", "b"], ["ab"]),
        # x delayed by one symbol inside the window (zero first)
        helper.make_node("Slice", ["x", "shift_lo", "shift_hi", "axis1"], ["xs"]),
        helper.make_node("Pad", ["xs", "pad_w"], ["xd"]),
        helper.make_node("Mul", ["xd", "c005"], ["c"]),
    ]
    last = "eps_full" if slice_to else "eps"
    nodes.append(helper.make_node("Add", ["ab", "c"], [last]))
    if slice_to:
        # end index slice_to computed from t (clipped), so no shape inference sees it
        inits += [
            helper.make_tensor("s_lo", TensorProto.INT64, [1], [0]),
            helper.make_tensor("s_to", TensorProto.INT64, [], [slice_to]),
        ]
        nodes += [
            helper.make_node("ReduceMin", ["t"], ["tmin"], keepdims=1),
            helper.make_node("Clip", ["tmin", "s_to", "s_to"], ["s_hi"]),
            helper.make_node("Slice", [last, "s_lo", "s_hi", "axis1"], ["eps"]),
        ]
    xd = W if x_dim is None else x_dim
    ed = W if eps_dim is None else eps_dim
    graph = helper.make_graph(
        nodes,
        "window_test",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", xd, 2]),
            helper.make_tensor_value_info("t", TensorProto.INT64, ["N"]),
        ],
        [
            helper.make_tensor_value_info(
                "eps", TensorProto.FLOAT, ["N", 2] if eps_rank2 else ["N", ed, 2]
            )
        ],
        inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    _set_meta(m, meta)
    return m


def window_meta(base_path=BASE_MODEL, W=8, **changes):
    meta = base_metadata(base_path)
    meta.update(window_length=str(W), network="window_test")
    for k, v in changes.items():
        if v is None:
            meta.pop(k, None)
        else:
            meta[k] = v
    return meta


def cases_from(base_path=BASE_MODEL):
    """(name, ModelProto or bytes, expect) for every case."""
    import onnx
    from onnx import TensorProto, helper

    base = onnx.load(base_path)
    meta = _meta(base)
    alphas = meta["alphas"].split(",")
    T = int(meta["T"])
    out = [("good", base, None)]
    # ---- metadata
    out += [
        ("no_metadata", _meta_case(base, **{k: None for k in meta}), r"metadata key\(s\) missing"),
        (
            "missing_format",
            _meta_case(base, gr_diffusion_format=None),
            r"missing: gr_diffusion_format",
        ),
        (
            "missing_parameterization",
            _meta_case(base, parameterization=None),
            r"missing: parameterization",
        ),
        (
            "format_2",
            _meta_case(base, gr_diffusion_format="2"),
            r"unsupported gr_diffusion_format '2'",
        ),
        (
            "format_1_blank",
            _meta_case(base, gr_diffusion_format="1 "),
            r"unsupported gr_diffusion_format",
        ),
        ("param_x0", _meta_case(base, parameterization="x0"), r"parameterization 'x0'"),
        (
            "alphas_short",
            _meta_case(base, alphas=",".join(alphas[:-1])),
            rf"alphas has {T - 1} values, T = {T}",
        ),
        (
            "alphas_long",
            _meta_case(base, alphas=",".join(alphas + ["0.5"])),
            rf"alphas has {T + 1} values, T = {T}",
        ),
        ("alphas_empty", _meta_case(base, alphas=""), rf"alphas has 0 values, T = {T}"),
        (
            "alphas_trailing_garbage",
            _meta_case(base, alphas=",".join(alphas[:-1] + [alphas[-1] + "abc"])),
            r"'alphas'.*not a decimal number",
        ),
        (
            "alphas_hex",
            _meta_case(base, alphas=",".join(["0x1p-1"] + alphas[1:])),
            r"'alphas'.*not a decimal number",
        ),
        (
            "alphas_nan",
            _meta_case(base, alphas=",".join(["nan"] + alphas[1:])),
            r"'alphas'.*not a decimal number",
        ),
        (
            "alphas_double_comma",
            _meta_case(base, alphas=",".join(alphas[:2]) + ",," + ",".join(alphas[2:])),
            r"'alphas'.*not a decimal number",
        ),
        (
            "alphas_above_1",
            _meta_case(base, alphas=",".join(["1.5"] + alphas[1:])),
            r"alphas must be finite and in \(0, 1\]",
        ),
        (
            "alphas_zero",
            _meta_case(base, alphas=",".join(["0"] + alphas[1:])),
            r"alphas must be finite and in \(0, 1\]",
        ),
        (
            "alphas_overflow",
            _meta_case(base, alphas=",".join(["1e999"] + alphas[1:])),
            r"'alphas'.*out of range",
        ),
        (
            "alphas_underflow",
            _meta_case(base, T="2000", alphas=",".join(["0.5"] * 2000)),
            r"abar_T underflows",
        ),
        ("T_trailing_garbage", _meta_case(base, T=f"{T} steps"), r"metadata 'T'"),
        ("T_float", _meta_case(base, T=f"{T}.0"), r"metadata 'T'"),
        ("T_negative", _meta_case(base, T="-3"), r"metadata 'T'"),
        ("T_zero", _meta_case(base, T="0", alphas=""), r"metadata 'T' must be >= 1"),
        ("T_huge", _meta_case(base, T="1000000000"), r"metadata 'T'.*exceeds"),
        (
            "points_odd",
            _meta_case(base, constellation_points="0.7,0.7,-0.7"),
            r"constellation_points needs I,Q pairs",
        ),
        (
            "points_one",
            _meta_case(base, constellation_points="1.0,0.0"),
            r"constellation_points needs I,Q pairs",
        ),
        (
            "points_garbage",
            _meta_case(base, constellation_points=meta["constellation_points"] + "x"),
            r"'constellation_points'.*not a decimal number",
        ),
        (
            "points_power_2",
            _meta_case(base, constellation_points="1,1,-1,1,-1,-1,1,-1"),
            r"unit average power",
        ),
        (
            "labels_count",
            _meta_case(base, constellation_labels="0,1,2"),
            r"constellation_labels has 3 entries for 4 points",
        ),
        (
            "labels_garbage",
            _meta_case(base, constellation_labels="0,1,2,3x"),
            r"'constellation_labels'",
        ),
    ]
    # ---- graph I/O
    out += [
        (
            "eps_n1",
            _retype_output(base, "ReduceSum", ["N", 1], {"keepdims": 1}, axes=1),
            r"output 'eps' has shape \[N, 1\]",
        ),
        (
            "eps_float64",
            _retype_output(
                base, "Cast", ["N", 2], {"to": TensorProto.DOUBLE}, elem=TensorProto.DOUBLE
            ),
            r"output 'eps' has type",
        ),
        (
            "eps_rank3",
            _retype_output(base, "Unsqueeze", ["N", 2, 1], axes=2),
            r"output 'eps' has shape",
        ),
        (
            "eps_renamed",
            _rename(base, "eps", "out", "output"),
            r"needs exactly one output named 'eps'",
        ),
        ("x_renamed", _rename(base, "x", "y", "input"), r"inputs must be named 'x' and 't'"),
    ]
    # t as float32 (cast inside), x fixed batch of 4, a second output
    m = onnx.ModelProto()
    m.CopyFrom(base)
    for n in m.graph.node:
        n.input[:] = ["t_i64" if i == "t" else i for i in n.input]
    m.graph.node.insert(0, helper.make_node("Cast", ["t"], ["t_i64"], to=TensorProto.INT64))
    for vi in m.graph.input:
        if vi.name == "t":
            vi.type.tensor_type.elem_type = TensorProto.FLOAT
    out.append(("t_float32", m, r"input 't' has type"))
    m = onnx.ModelProto()
    m.CopyFrom(base)
    for vi in list(m.graph.input) + list(m.graph.output):
        d = vi.type.tensor_type.shape.dim[0]
        d.Clear()
        d.dim_value = 4
    out.append(("x_fixed_batch", m, r"input 'x' has shape \[4, 2\].*dynamic N"))
    m = onnx.ModelProto()
    m.CopyFrom(base)
    m.graph.node.append(helper.make_node("Identity", ["eps"], ["eps_copy"]))
    m.graph.output.append(helper.make_tensor_value_info("eps_copy", TensorProto.FLOAT, ["N", 2]))
    out.append(("two_outputs", m, r"needs exactly one output named 'eps'"))
    # declared [N, K], really [N, 1]: the second dimension comes from the data (min(t)
    # clipped to 1), so no static shape inference can see it; the load-time probe does
    m = _retype_output(base, "Identity", ["N", "K"])
    g = m.graph
    g.node.pop()  # rebuild the last node with a shape input
    g.initializer.append(helper.make_tensor("minus1", TensorProto.INT64, [1], [-1]))
    g.node.extend(
        [
            helper.make_node("ReduceMin", ["t"], ["tmin"], keepdims=1),
            helper.make_node("Clip", ["tmin", "one_i64", "one_i64"], ["one_dyn"]),
            helper.make_node("Concat", ["minus1", "one_dyn"], ["shape_dyn"], axis=0),
            helper.make_node("Reshape", ["eps_raw", "shape_dyn"], ["eps_flat"]),
            helper.make_node("Identity", ["eps_flat"], ["eps"]),
        ]
    )
    g.initializer.append(helper.make_tensor("one_i64", TensorProto.INT64, [], [1]))
    onnx.checker.check_model(m)
    out.append(("eps_declared_dynamic_real_n1", m, r"3-row probe"))
    # ---- window models (metadata window_length)
    wm = window_meta(base_path, 8)
    out += [
        ("window_good", window_model(8, wm), None),
        (
            "window_length_mismatch",
            window_model(8, window_meta(base_path, 16)),
            r"input 'x' has window dimension 8 but metadata window_length is 16",
        ),
        (
            "window_length_missing",
            window_model(8, window_meta(base_path, 8, window_length=None)),
            r"input 'x' has window dimension 8 but metadata window_length is 1",
        ),
        (
            "window_length_on_per_symbol_graph",
            _meta_case(base, window_length="8"),
            r"metadata window_length is 8 but input 'x' has shape \[N, 2\]",
        ),
        (
            "window_length_too_large",
            window_model(8, window_meta(base_path, 8, window_length="5000")),
            r"metadata 'window_length': 5000 exceeds 4096",
        ),
        (
            "window_length_garbage",
            window_model(8, window_meta(base_path, 8, window_length="8x")),
            r"metadata 'window_length': '8x' is not a non-negative integer",
        ),
        (
            "window_length_zero",
            window_model(8, window_meta(base_path, 8, window_length="0")),
            r"metadata 'window_length' must be >= 1",
        ),
        (
            "window_eps_rank2",
            window_model(8, wm, eps_rank2=True),
            r"output 'eps' has shape \[.*\], must be float32 \[N, W, 2\]",
        ),
        (
            "window_eps_really_shorter",
            window_model(8, wm, eps_dim="M", slice_to=4),
            r"3-row probe has shape \[3, 4, 2\], must be \[3, 8, 2\]",
        ),
    ]
    # ---- bytes
    raw = base.SerializeToString()
    rng = np.random.default_rng(16)
    out += [
        ("empty_file", b"", r"not a loadable ONNX model"),
        ("truncated_half", raw[: len(raw) // 2], r"not a loadable ONNX model"),
        ("truncated_header", raw[:64], r"not a loadable ONNX model"),
        (
            "random_bytes",
            rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(),
            r"not a loadable ONNX model",
        ),
        ("text_file", b"this is not an onnx model\n" * 10, r"not a loadable ONNX model"),
    ]
    return out


def generate(directory, base_path=BASE_MODEL):
    """Write the corpus into directory; returns [Case]."""
    os.makedirs(directory, exist_ok=True)
    cases = []
    for name, m, expect in cases_from(base_path):
        path = os.path.join(directory, f"{name}.onnx")
        data = m if isinstance(m, bytes) else m.SerializeToString()
        with open(path, "wb") as f:
            f.write(data)
        cases.append(Case(name, path, expect))
    cases.append(
        Case(
            "missing_file", os.path.join(directory, "does_not_exist.onnx"), r"does_not_exist\.onnx"
        )
    )
    return cases


def meta_from_bytes(data):
    """Metadata dict from the fuzzers' text format: one ``key=value`` per line, UTF-8 (what
    ONNX metadata strings hold; invalid sequences become U+FFFD, so every byte string is an
    input). The C++ libFuzzer harness splits the same lines on the raw bytes."""
    meta = {}
    for line in bytes(data).split(b"\n"):
        k, sep, v = line.partition(b"=")
        if sep:
            meta[k.decode("utf-8", "replace")] = v.decode("utf-8", "replace")
    return meta


def meta_to_bytes(meta):
    return b"\n".join(f"{k}={v}".encode() for k, v in meta.items())


def base_metadata(base_path=BASE_MODEL):
    import onnx

    return _meta(onnx.load(base_path))


def write_with_meta(meta, path, base_path=BASE_MODEL):
    """The base graph with exactly these metadata, written to path."""
    import onnx

    m = onnx.load(base_path)
    _set_meta(m, meta)
    with open(path, "wb") as f:
        f.write(m.SerializeToString())
    return path
