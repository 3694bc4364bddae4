#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""A whole deterministic sampler as one self-contained ONNX graph (servable by any Open
Inference Protocol server with an onnxruntime backend: Triton, KServe, MLServer).

:func:`build_sampler` composes a gr-diffusion eps-network (docs/model-format.md) with the
schedule arithmetic of :func:`diffusion.core.samplers.denoise` ('tweedie', or 'ddim' with k
steps): one request = the whole sampler, instead of one network round trip per step.

Sampler graph contract (metadata ``gr_diffusion_sampler`` = "1")
------------------------------------------------------------------
inputs   "y"       float32 [N, 2]     rails (Re, Im) of the received symbols y = x0 + n
                   float32 [N, W, 2]  window models (W = window_length): N windows
         "sigma2"  float64 [N]        noise variance per complex sample (Es/N0 = 1/sigma2),
                                      one per row of y (per symbol; per window for window
                                      models: the blocks' tile sigma2, core.windowing)
outputs  "x0"      float32, y's shape  the estimate E[x0 | y] (tweedie) / DDIM's x0
         "abar"    float64 [T]         the schedule the graph was built with (constant)
         "sampler" int64 [3]           [mode (0 tweedie, 1 ddim), steps, window_length]
All float64 arithmetic (matched step nearest in log sigma2, sqrt(abar) scaling, the DDIM
grid round(t* j / k) with round-half-even, the updates) is the NumPy sampler's, in the same
order; the network sees float32 as in process, so the output equals
``samplers.denoise(model, y, sigma2, mode, steps)`` up to onnxruntime's float32 network
(identical kernels: measured bit-identical on the shipped models, tests/test_remote_*.py).
Rows must be finite (the blocks pass non-finite samples around the sampler). The metadata
is the network's (schedule, constellation, window_length, training) with parameterization
"x0" (so no eps-model reader takes it for a network) plus sampler_mode / sampler_steps.

Needs the ``onnx`` package (requirements.txt); running the graph needs only onnxruntime.
"""

import hashlib
import os

import numpy as np

from .onnx_model import DdpmModel
from .samplers import MODES

SAMPLER_FORMAT = "1"
#: the deterministic samplers; the 'sampler' output's mode code is the index (= C++ mode_t)
SAMPLER_MODES = MODES[:2]
INPUTS = ("y", "sigma2")
OUTPUTS = ("x0", "abar", "sampler")
OPSET = 17


def _rename_network(graph, prefix, x_name, t_name, eps_name, shared):
    """Copies of the network's nodes with intermediate values prefixed (initializers, in
    ``shared``, keep their names: k copies share one set of weights)."""
    import onnx

    def ren(v):
        if v == "" or v in shared:
            return v
        if v == "x":
            return x_name
        if v == "t":
            return t_name
        if v == "eps":
            return eps_name
        return prefix + v

    nodes = []
    for node in graph.node:
        n = onnx.NodeProto()
        n.CopyFrom(node)
        n.name = prefix + (node.name or node.op_type)
        del n.input[:]
        n.input.extend(ren(v) for v in node.input)
        del n.output[:]
        n.output.extend(ren(v) for v in node.output)
        for attr in n.attribute:
            if attr.type == onnx.AttributeProto.GRAPH or attr.g.node:
                raise ValueError("networks with subgraphs (If/Loop) are not supported")
        nodes.append(n)
    return nodes


def build_sampler(model_path, mode="tweedie", steps=5):
    """The sampler graph (onnx.ModelProto) of the eps-network in ``model_path``.

    mode: 'tweedie' (one network call) or 'ddim' (``steps`` deterministic DDIM steps,
    1 <= steps <= T). The file is checked by DdpmModel (the module's contract) first."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    mode = str(mode).lower()
    if mode not in SAMPLER_MODES:
        raise ValueError(
            f"export-sampler: mode must be one of {SAMPLER_MODES} (the deterministic "
            f"samplers), got {mode!r}"
        )
    ref = DdpmModel(model_path)  # the contract checks, same messages as the blocks
    T, W = ref.T, ref.window_length
    k = 1 if mode == "tweedie" else int(steps)
    if not 1 <= k <= T:
        raise ValueError(f"export-sampler: steps must be in [1, T = {T}], got {steps}")
    net = onnx.load(os.fspath(model_path))
    g = net.graph
    rank3 = len(g.input[[i.name for i in g.input].index("x")].type.tensor_type.shape.dim) == 3
    sched = ref.schedule
    full = np.concatenate(([1.0], sched.abar))  # abar(0) = 1, index t
    shared = {init.name for init in g.initializer}
    nodes, inits = [], list(g.initializer)

    def const(name, value):
        arr = np.asarray(value)
        inits.append(numpy_helper.from_array(arr, "smp/" + name))
        shared.add("smp/" + name)
        return "smp/" + name

    def op(kind, ins, out, **attrs):
        nodes.append(helper.make_node(kind, list(ins), [out], name=out, **attrs))
        return out

    # ---- matched step t* (schedules.matched_step): nearest in log sigma2
    grid = const("log_sigma2_grid", np.log(sched.sigma2).reshape(1, T))  # [1, T]
    zero_d = const("zero_d", np.array(0.0))
    one_i = const("one_i", np.array(1, dtype=np.int64))
    tmax_i = const("tmax_i", np.array(T - 1, dtype=np.int64))
    zero_i = const("zero_i", np.array(0, dtype=np.int64))
    axes1 = const("axes1", np.array([1], dtype=np.int64))
    ls = op("Log", [op("Max", ["sigma2", zero_d], "smp/s2pos")], "smp/ls")  # [N]
    ls2 = op("Unsqueeze", [ls, axes1], "smp/ls_col")  # [N, 1]
    below = op("Cast", [op("Less", [grid, ls2], "smp/below_b")], "smp/below", to=TensorProto.INT64)
    idx = op("ReduceSum", [below, axes1], "smp/idx", keepdims=0)  # searchsorted left
    lo = op("Clip", [op("Sub", [idx, one_i], "smp/idxm1"), zero_i, tmax_i], "smp/lo")
    hi = op("Clip", [idx, zero_i, tmax_i], "smp/hi")
    grid1 = const("log_sigma2", np.log(sched.sigma2))
    g_hi = op("Gather", [grid1, hi], "smp/g_hi")
    g_lo = op("Gather", [grid1, lo], "smp/g_lo")
    d_hi = op("Abs", [op("Sub", [g_hi, ls], "smp/dh")], "smp/d_hi")
    d_lo = op("Abs", [op("Sub", [ls, g_lo], "smp/dl")], "smp/d_lo")
    pick = op("Less", [d_hi, d_lo], "smp/pick_hi")
    tstar = op("Add", [op("Where", [pick, hi, lo], "smp/t0"), one_i], "smp/tstar")  # [N] 1..T

    # ---- per-row tables, broadcast over y's trailing dims ([N, 1] or [N, 1, 1])
    bshape = [1, 1] if rank3 else [1]
    baxes = const("baxes", np.array([1 + i for i in range(len(bshape))], dtype=np.int64))
    sqrt_ab = const("sqrt_abar", np.sqrt(full))  # sqrt(abar(t)), t = 0..T
    sqrt_1m = const("sqrt_1m_abar", np.sqrt(1.0 - full))

    def per_row(table, t, name):
        return op("Unsqueeze", [op("Gather", [table, t], name + "_g"), baxes], name)

    y64 = op("Cast", ["y"], "smp/y64", to=TensorProto.DOUBLE)
    x = op("Mul", [per_row(sqrt_ab, tstar, "smp/sab_star"), y64], "smp/x_start")

    def network(j, xin, t):
        """eps (float64) of the network on x (float64) at int64 steps t (>= 1)."""
        pre = f"s{j}/"
        x32 = op("Cast", [xin], pre + "x", to=TensorProto.FLOAT)
        eps_name = pre + "eps"
        nodes.extend(_rename_network(g, pre + "net/", x32, t, eps_name, shared))
        return op("Cast", [eps_name], pre + "eps64", to=TensorProto.DOUBLE)

    if mode == "tweedie":
        eps = network(0, x, tstar)
        num = op(
            "Sub", [x, op("Mul", [per_row(sqrt_1m, tstar, "smp/s1m"), eps], "smp/ne")], "smp/n"
        )
        x0 = op("Div", [num, per_row(sqrt_ab, tstar, "smp/sab_t")], "smp/x0_64")
    else:  # samplers._ddim: grid round(t* j / k), j = k .. 0; equal steps are no-ops
        t_f = op("Cast", [tstar], "smp/tstar_f", to=TensorProto.DOUBLE)
        kc = const("k", np.array(float(k)))

        def grid_col(j):
            jv = const(f"j{j}", np.array(float(j)))
            v = op("Div", [op("Mul", [t_f, jv], f"smp/tj{j}"), kc], f"smp/tjk{j}")
            return op("Cast", [op("Round", [v], f"smp/r{j}")], f"smp/grid{j}", to=TensorProto.INT64)

        cols = {j: grid_col(j) for j in range(k, -1, -1)}
        for i, j in enumerate(range(k, 0, -1)):
            t, s = cols[j], cols[j - 1]
            pre = f"s{i}/"
            t_net = op("Max", [t, one_i], pre + "t_net")  # inactive rows (t == s) may be 0
            eps = network(i, x, t_net)
            num = op(
                "Sub",
                [x, op("Mul", [per_row(sqrt_1m, t, pre + "s1m_t"), eps], pre + "ne")],
                pre + "n",
            )
            x0a = op("Div", [num, per_row(sqrt_ab, t, pre + "sab_t")], pre + "x0")
            upd = op(
                "Add",
                [
                    op("Mul", [per_row(sqrt_ab, s, pre + "sab_s"), x0a], pre + "a"),
                    op("Mul", [per_row(sqrt_1m, s, pre + "s1m_s"), eps], pre + "b"),
                ],
                pre + "upd",
            )
            act = op("Unsqueeze", [op("Greater", [t, s], pre + "act_b"), baxes], pre + "act")
            x = op("Where", [act, upd, x], pre + "x_next")
        x0 = x
    op("Cast", [x0], "x0", to=TensorProto.FLOAT)
    op("Identity", [const("abar_table", sched.abar.astype(np.float64))], "abar")
    op("Identity", [const("sampler_info", np.array([SAMPLER_MODES.index(mode), k, W]))], "sampler")

    ydims = ["N", W, 2] if rank3 else ["N", 2]
    graph = helper.make_graph(
        nodes,
        f"gr_diffusion_{mode}_sampler",
        [
            helper.make_tensor_value_info("y", TensorProto.FLOAT, ydims),
            helper.make_tensor_value_info("sigma2", TensorProto.DOUBLE, ["N"]),
        ],
        [
            helper.make_tensor_value_info("x0", TensorProto.FLOAT, ydims),
            helper.make_tensor_value_info("abar", TensorProto.DOUBLE, [T]),
            helper.make_tensor_value_info("sampler", TensorProto.INT64, [3]),
        ],
        initializer=inits,
    )
    opsets = [o for o in net.opset_import if o.domain not in ("", "ai.onnx")]
    main = max([o.version for o in net.opset_import if o.domain in ("", "ai.onnx")] + [OPSET])
    out = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", main)] + opsets,
        producer_name="gr-diffusion export-sampler",
    )
    out.ir_version = max(net.ir_version, 8)
    with open(os.fspath(model_path), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    meta = dict(ref.metadata)
    meta.update(
        gr_diffusion_sampler=SAMPLER_FORMAT,
        parameterization="x0",
        sampler_mode=mode,
        sampler_steps=str(k),
        window_length=str(W),
        input_names=",".join(INPUTS),
        output_names=",".join(OUTPUTS),
        source_model_sha256=digest,
    )
    for key, value in sorted(meta.items()):
        out.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(out)
    return out


def export_sampler(model_path, out_path, mode="tweedie", steps=5):
    """Write :func:`build_sampler`'s graph to ``out_path``; returns the path."""
    import onnx

    m = build_sampler(model_path, mode, steps)
    onnx.save(m, os.fspath(out_path))
    return os.fspath(out_path)
