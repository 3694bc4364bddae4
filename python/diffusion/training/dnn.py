#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""DNN baseline receiver (PyTorch; training/export only -- inference uses ONNX Runtime,
see :mod:`diffusion.core.dnn_model`).  CLI: ``python -m diffusion.train_dnn``.

The benchmark of the published DDPM receiver work: a fully connected network mapping a
received symbol (its two rails I, Q) to an estimate of the transmitted symbol, 3 hidden
layers of 64 ReLU units, trained on (noisy, clean) pairs over a range of Es/N0.

Heads
  'regression'      linear output of size 2 = (I, Q) of the estimate, MSE loss
                    mean |x_hat - x|^2 (the published comparison: the DNN's output symbols
                    are compared with the transmitted ones by MSE / cosine similarity).
  'classification'  M logits, cross-entropy against the transmitted point index; at the
                    receiver the estimate is either the expected point under the softmax
                    (soft, an approximation of E[x|y]) or the arg-max point (hard).

Noise level input (``snr_input``): the published DNN sees the received symbol only, so the
shipped models are trained *without* it, over Es/N0 ~ U[esn0_min, esn0_max] dB drawn per
training pair: the network learns E[x | y] under that SNR mixture.  With
``snr_input=True`` the graph has a second input "sigma2" (float32 [N], noise variance per
complex sample) and the first layer also sees the feature -log10(sigma2) = Es/N0 dB / 10.

Training data: fresh every batch, x uniform over the unit-power constellation, y = x + n,
n circular Gaussian with E|n|^2 = sigma2 = 10^(-Es/N0/10) (sigma2/2 per rail).
"""

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from ..core.constellations import by_name

HEADS = ("regression", "classification")
DNN_FORMAT = "1"


class DnnReceiver(nn.Module):
    """MLP 2(+1) -> hidden x depth (ReLU) -> 2 (regression) or M (classification)."""

    def __init__(self, n_points, head="regression", hidden=64, depth=3, snr_input=False):
        super().__init__()
        if head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, got {head!r}")
        if depth < 1 or hidden < 1:
            raise ValueError("hidden >= 1 and depth >= 1")
        self.head, self.hidden, self.depth = head, int(hidden), int(depth)
        self.snr_input = bool(snr_input)
        self.n_points = int(n_points)
        dims = [2 + int(self.snr_input)] + [self.hidden] * self.depth
        layers = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(self.hidden, 2 if head == "regression" else self.n_points))
        self.mlp = nn.Sequential(*layers)

    def forward(self, y, sigma2=None):
        """y float [N, 2]; sigma2 float [N] (only with snr_input) -> [N, 2] or [N, M]."""
        if self.snr_input:
            if sigma2 is None:
                raise ValueError("this network needs sigma2")
            feat = -torch.log10(torch.clamp(sigma2, min=1e-12)).reshape(-1, 1)
            y = torch.cat([y, feat], dim=1)
        return self.mlp(y)

    def config(self):
        return {
            "head": self.head,
            "hidden": self.hidden,
            "depth": self.depth,
            "snr_input": self.snr_input,
            "n_points": self.n_points,
        }


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


@dataclass
class DnnConfig:
    data: str = "16qam"
    head: str = "regression"
    hidden: int = 64
    depth: int = 3
    snr_input: bool = False
    esn0_min: float = 0.0
    esn0_max: float = 20.0
    steps: int = 4000
    batch: int = 4096
    lr: float = 3e-3
    lr_final: float = 1e-5  # cosine decay of the learning rate to this value
    seed: int = 0
    threads: int = 0  # torch intra-op threads (0: torch default)


def make_batch(points, n, esn0_min, esn0_max, gen):
    """(y [n, 2], x [n, 2], idx [n], sigma2 [n]) float32/int64 torch tensors."""
    idx = torch.randint(points.shape[0], (n,), generator=gen)
    x = points[idx]
    db = esn0_min + (esn0_max - esn0_min) * torch.rand(n, generator=gen)
    s2 = torch.pow(10.0, -db / 10.0)
    noise = torch.randn(n, 2, generator=gen) * torch.sqrt(s2 / 2.0)[:, None]
    return x + noise, x, idx, s2


def train_dnn(cfg, progress=True, loss_log=None):
    """Train a DnnReceiver; returns dict(model (eval, cpu), constellation, losses,
    seconds, steps, parameters)."""
    if cfg.threads:
        torch.set_num_threads(int(cfg.threads))
    if cfg.esn0_max < cfg.esn0_min:
        raise ValueError("esn0_max must be >= esn0_min")
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    const = by_name(cfg.data)
    pts = const.points
    points = torch.tensor(np.stack([pts.real, pts.imag], 1), dtype=torch.float32)
    net = DnnReceiver(const.order, cfg.head, cfg.hidden, cfg.depth, cfg.snr_input)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    ce = nn.CrossEntropyLoss()

    def lr_at(step):
        c = 0.5 * (1 + math.cos(math.pi * min(step, cfg.steps) / max(1, cfg.steps)))
        return cfg.lr_final + (cfg.lr - cfg.lr_final) * c

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=cfg.steps,
            desc=f"train dnn {const.name} {cfg.head}",
            unit="step",
            dynamic_ncols=True,
        )
    log_f = open(loss_log, "w") if loss_log else None
    if log_f:
        log_f.write("step,loss,lr,seconds\n")
    losses, acc, nacc = [], 0.0, 0
    log_every = max(1, min(100, cfg.steps // 50))
    t0 = time.time()
    net.train()
    for step in range(cfg.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        y, x, idx, s2 = make_batch(points, cfg.batch, cfg.esn0_min, cfg.esn0_max, gen)
        out = net(y, s2 if cfg.snr_input else None)
        if cfg.head == "regression":
            loss = ((out - x) ** 2).sum(1).mean()
        else:
            loss = ce(out, idx)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        acc += loss.item()
        nacc += 1
        if (step + 1) % log_every == 0 or step + 1 == cfg.steps:
            losses.append((step + 1, acc / nacc))
            if log_f:
                log_f.write(
                    f"{step + 1},{acc / nacc:.6g},{lr_at(step):.3g},{time.time() - t0:.2f}\n"
                )
            if bar:
                bar.set_postfix(loss=f"{acc / nacc:.4g}")
            acc, nacc = 0.0, 0
        if bar:
            bar.update(1)
    if bar:
        bar.close()
    if log_f:
        log_f.close()
    net = net.cpu().eval()
    return {
        "model": net,
        "constellation": const,
        "losses": losses,
        "seconds": time.time() - t0,
        "steps": cfg.steps,
        "parameters": count_parameters(net),
    }


def export_dnn_onnx(net, path, constellation, training=None, extra_metadata=None, opset=17):
    """Export a DnnReceiver to ONNX with the gr-diffusion DNN metadata; returns it.

    Inputs: "y" float32 [N, 2] (+ "sigma2" float32 [N] with snr_input).  Output:
    "x_hat" float32 [N, 2] (regression) or "logits" float32 [N, M] (classification).
    """
    import json
    import os
    import warnings

    import onnx

    from ..core.onnx_model import NOISE_CONVENTION, NORMALIZATION, constellation_metadata

    net = net.cpu().eval()
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    out_name = "x_hat" if net.head == "regression" else "logits"
    names = ["y"] + (["sigma2"] if net.snr_input else [])
    args = (torch.zeros(4, 2),) + ((torch.ones(4),) if net.snr_input else ())
    axes = {"y": {0: "N"}, out_name: {0: "N"}}
    if net.snr_input:
        axes["sigma2"] = {0: "N"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # legacy-exporter deprecation chatter
        torch.onnx.export(
            net,
            args,
            path,
            dynamo=False,
            opset_version=opset,
            input_names=names,
            output_names=[out_name],
            dynamic_axes=axes,
            do_constant_folding=True,
        )
    model = onnx.load(path)
    meta = {
        "gr_diffusion_dnn_format": DNN_FORMAT,
        "model_type": "dnn_receiver",
        "head": net.head,
        "snr_input": "true" if net.snr_input else "false",
        "hidden": str(net.hidden),
        "depth": str(net.depth),
        "network": (
            f"mlp {2 + int(net.snr_input)}-{'-'.join([str(net.hidden)] * net.depth)}-"
            f"{2 if net.head == 'regression' else net.n_points} relu"
        ),
        "constellation": constellation.name,
        "normalization": NORMALIZATION,
        "noise_variance_convention": NOISE_CONVENTION,
        "input_names": ",".join(names),
        "output_names": out_name,
        "training": json.dumps(training or {}, sort_keys=True),
        "producer": "gr-diffusion",
    }
    meta.update(constellation_metadata(constellation))
    for k, v in (extra_metadata or {}).items():
        meta[str(k)] = v if isinstance(v, str) else json.dumps(v)
    del model.metadata_props[:]
    for k, v in meta.items():
        p = model.metadata_props.add()
        p.key, p.value = k, v
    model.producer_name = "gr-diffusion"
    model.doc_string = (
        f"gr-diffusion DNN baseline receiver ({net.head}): y float32 [N,2]"
        f"{' + sigma2 float32 [N]' if net.snr_input else ''} -> {out_name}; "
        "see metadata"
    )
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return meta
