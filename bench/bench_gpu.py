#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The eps-networks on a GPU, without GNU Radio: M network evaluations per second.

For a per-symbol model (models/16qam.onnx) and a window model (models/qpsk_pn_w32.onnx), at
batch sizes 1k .. 1M symbols: torch eager, torch.compile, onnxruntime CUDA and TensorRT
fp16 (each where present), and onnxruntime CPU as the baseline. Every backend's eps is
checked against onnxruntime CPU (the CPU engine's network, gnuradio.diffusion.core) on the
same inputs: max |diff| / max(1, |ref|) printed, flagged when above 1e-3 (fp32) or 3e-2
(fp16). Needs only NumPy, onnxruntime (onnxruntime-gpu for CUDA / TensorRT), onnx and
torch; imports this checkout's python/ (no install, no GNU Radio):

    python3 bench/bench_gpu.py                      # GPU machine: everything present
    python3 bench/bench_gpu.py --max-batch 16384    # CPU only: small sizes, a smoke run

Without a GPU it prints what it can (onnxruntime CPU, torch CPU) and says what is absent.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))


def torch_network(path):
    """The ONNX file's network as a torch module (weights by name; beta already folded)."""
    import onnx
    from onnx import numpy_helper

    from diffusion.training.network import EpsNetwork, WindowEpsNetwork

    m = onnx.load(path)
    meta = {p.key: p.value for p in m.metadata_props}
    w = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    T = int(meta["T"])
    cfg = json.loads(meta.get("training", "{}")).get("config", {})
    if int(meta.get("window_length", "1")) > 1:
        W = int(meta["window_length"])
        depth = len([k for k in w if k.endswith(".conv.weight")])
        net = WindowEpsNetwork(
            T,
            W,
            channels=w["layers.0.conv.weight"].shape[0],
            kernel=w["layers.0.conv.weight"].shape[2],
            dilations=tuple(cfg.get("dilations", (1, 2, 4, 8)))[:depth],
        )
    else:
        depth = len([k for k in w if k.endswith(".lin.weight")])
        net = EpsNetwork(T, hidden=w["layers.0.lin.weight"].shape[0], depth=depth)
    import torch

    state = {k: torch.from_numpy(v.copy()) for k, v in w.items()}
    missing = net.load_state_dict(state, strict=False)
    if missing.unexpected_keys:
        raise ValueError(f"unexpected weights {missing.unexpected_keys}")
    return net.eval()


def inputs(path, n, rng):
    """x (float32, [n, 2] or [n / W, W, 2]) and t (int64) as the samplers feed them."""
    from diffusion.core.onnx_model import DdpmModel

    m = DdpmModel(path)
    W = m.window_length
    rows = max(1, n // W)
    x = (rng.standard_normal((rows * W, 2)) * 0.8).astype(np.float32)
    t = rng.integers(1, m.T + 1, rows).astype(np.int64)
    if W > 1:
        x = x.reshape(rows, W, 2)
    return x, t, rows * W


def timeit(fn, n, min_s):
    fn()  # warm-up (compilation, allocation)
    reps, t0 = 0, time.perf_counter()
    while True:
        fn()
        reps += 1
        dt = time.perf_counter() - t0
        if dt >= min_s:
            return reps * n / dt / 1e6


def rel(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


def ort_session(path, providers):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3
    return ort.InferenceSession(path, so, providers=providers)


def backends(path, args):
    """name -> (make(x, t) -> eps callable factory, fp16?) for what this machine has."""
    import onnxruntime as ort

    have = ort.get_available_providers()
    out = {}
    cpu = ort_session(path, ["CPUExecutionProvider"])
    out["onnxruntime cpu"] = (lambda x, t: cpu.run(["eps"], {"x": x, "t": t})[0], False)
    if "CUDAExecutionProvider" in have:
        s = ort_session(path, ["CUDAExecutionProvider"])
        out["onnxruntime cuda"] = (lambda x, t: s.run(["eps"], {"x": x, "t": t})[0], False)
    else:
        print("  (onnxruntime has no CUDAExecutionProvider: pip install onnxruntime-gpu)")
    if "TensorrtExecutionProvider" in have:
        opts = {"trt_fp16_enable": True, "trt_max_workspace_size": 1 << 30}
        s = ort_session(path, [("TensorrtExecutionProvider", opts), "CUDAExecutionProvider"])
        out["tensorrt fp16"] = (lambda x, t: s.run(["eps"], {"x": x, "t": t})[0], True)
    else:
        print("  (no TensorrtExecutionProvider in this onnxruntime)")
    try:
        import torch
    except ImportError:
        print("  (no torch)")
        return out
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    if dev == "cpu":
        print("  (torch sees no GPU: torch rows run on the CPU)")
    net = torch_network(path).to(dev)

    def torch_fn(model):
        def run(x, t):
            with torch.no_grad():
                e = model(torch.from_numpy(x).to(dev), torch.from_numpy(t).to(dev))
                if dev == "cuda":
                    torch.cuda.synchronize()
                return e.cpu().numpy()

        return run

    out[f"torch eager ({dev})"] = (torch_fn(net), False)
    if not args.no_compile:
        try:
            out[f"torch.compile ({dev})"] = (torch_fn(torch.compile(net, dynamic=True)), False)
        except Exception as e:  # noqa: BLE001 -- report and carry on
            print(f"  (torch.compile unavailable: {e})")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max-batch", type=int, default=1 << 20)
    ap.add_argument("--min-seconds", type=float, default=1.0, help="timing per row")
    ap.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    ap.add_argument(
        "--models",
        default=",".join(
            os.path.join(ROOT, "models", m) for m in ("16qam.onnx", "qpsk_pn_w32.onnx")
        ),
    )
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    batches = [b for b in (1 << 10, 1 << 14, 1 << 17, 1 << 20) if b <= args.max_batch]
    for path in args.models.split(","):
        print(f"model {os.path.relpath(path, ROOT)}")
        bk = backends(path, args)
        ref_fn = bk["onnxruntime cpu"][0]
        print(f"  {'backend':26} {'batch':>8} {'M eval/s':>9} {'max rel diff':>13}")
        for n in batches:
            x, t, nsym = inputs(path, n, rng)
            ref = ref_fn(x, t)
            for name, (fn, fp16) in bk.items():
                try:
                    d = rel(fn(x, t), ref)
                    rate = timeit(lambda fn=fn, x=x, t=t: fn(x, t), nsym, args.min_seconds)
                except Exception as e:  # noqa: BLE001 -- one backend failing is a finding
                    print(f"  {name:26} {nsym:8d} failed: {e}")
                    continue
                flag = "" if d <= (3e-2 if fp16 else 1e-3) else "  <-- MISMATCH"
                print(f"  {name:26} {nsym:8d} {rate:9.2f} {d:13.2e}{flag}", flush=True)


if __name__ == "__main__":
    main()
