#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""ONNX export of torch eps-networks with the gr-diffusion metadata contract
(:mod:`diffusion.core.onnx_model` documents the contract and loads the files)."""

import os
import warnings

from ..core.onnx_model import build_metadata


def export_onnx(
    net,
    path,
    schedule,
    constellation=None,
    data_name=None,
    training=None,
    extra_metadata=None,
    opset=17,
):
    """Export a torch eps-network (forward(x [N,2] float32, t [N] int64) -> eps [N,2]) to
    ``path`` with the gr-diffusion metadata.  Returns the metadata dict.

    A window network (``net.window`` = W, :class:`~.network.WindowEpsNetwork`) is exported
    as x float32 [N, W, 2], t int64 [N] -> eps float32 [N, W, 2] (N dynamic, W static),
    with its ``architecture_metadata()`` (window_length, network = "window_conv1d", the
    hyper-parameters) over ``extra_metadata``."""
    import onnx
    import torch

    net = net.cpu().eval()
    if hasattr(net, "folded"):
        net = net.folded().eval()  # softplus sharpness folded into the weights
    if getattr(net, "T", schedule.T) != schedule.T:
        raise ValueError(f"network T={net.T} != schedule T={schedule.T}")
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    window = getattr(net, "window", None)
    x = torch.zeros((4, 2) if window is None else (4, int(window), 2), dtype=torch.float32)
    t = torch.ones(4, dtype=torch.int64)
    old_mode = getattr(net, "export_mode", None)
    if old_mode is not None:
        net.export_mode = True  # composite softplus: 3x faster in onnxruntime
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # legacy-exporter deprecation chatter
            torch.onnx.export(
                net,
                (x, t),
                path,
                dynamo=False,
                opset_version=opset,
                input_names=["x", "t"],
                output_names=["eps"],
                dynamic_axes={"x": {0: "N"}, "t": {0: "N"}, "eps": {0: "N"}},
                do_constant_folding=True,
            )
    finally:
        if old_mode is not None:
            net.export_mode = old_mode
    model = onnx.load(path)
    extra = dict(extra_metadata or {})
    if window is not None:
        extra.update(net.architecture_metadata())
    meta = build_metadata(schedule, constellation, data_name, training, extra)
    del model.metadata_props[:]
    for k, v in meta.items():
        p = model.metadata_props.add()
        p.key, p.value = k, v
    model.producer_name = "gr-diffusion"
    if window is None:
        model.doc_string = (
            "gr-diffusion DDPM eps-network: x float32 [N,2], t int64 [N] (1-based)"
            " -> eps float32 [N,2]; see metadata"
        )
    else:
        model.doc_string = (
            f"gr-diffusion DDPM window eps-network: x float32 [N,{window},2], t int64 [N]"
            f" (1-based, one step per window) -> eps float32 [N,{window},2]; see metadata"
        )
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return meta
