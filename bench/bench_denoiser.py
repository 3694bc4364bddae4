#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Throughput of the DDPM denoiser blocks (a benchmark, not a test: never run it under ctest,
which sets VOLK_GENERIC=1).

For each block (C++ ddpm_denoiser, Python ddpm_denoiser_py) and mode, a flowgraph
vector_source (repeat) -> head(N) -> denoiser -> null_sink is timed. Beside them:
  * a naive Python block that runs the PyTorch network per work() call (same architecture),
  * bare onnxruntime on one batch (no GNU Radio),
  * the FLOP ceiling of this machine: measured float32 matmul GFLOP/s divided by the
    network's FLOPs per evaluation (66.5 kFLOP for 3x128 softplus + embeddings).
Prints a table and writes JSON.

    .venv/bin/python bench/bench_denoiser.py [--model models/16qam.onnx] [--n 200000]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from gnuradio import blocks, diffusion, gr
from gnuradio.diffusion.core import constellations, samplers
from gnuradio.diffusion.core.onnx_model import DdpmModel

FLOP_PER_EVAL = 66.5e3


class torch_naive_block(gr.sync_block):
    """Naive baseline: the PyTorch eps-network called on every work() call (Tweedie)."""

    def __init__(self, model, threads):
        import torch
        from gnuradio.diffusion.training.network import EpsNetwork
        gr.sync_block.__init__(self, "torch_naive", [np.complex64], [np.complex64])
        torch.set_num_threads(threads)
        self.torch = torch
        self.net = EpsNetwork(model.T).eval()
        self.abar = model.schedule.abar
        self.t = 40

    def work(self, input_items, output_items):
        y = input_items[0]
        ab = self.abar[self.t - 1]
        x = np.stack([y.real, y.imag], 1).astype(np.float32) * np.sqrt(ab)
        with self.torch.no_grad():
            eps = self.net(self.torch.from_numpy(x),
                           self.torch.full((len(y),), self.t, dtype=self.torch.long)).numpy()
        x0 = (x - np.sqrt(1 - ab) * eps) / np.sqrt(ab)
        output_items[0][:] = x0[:, 0] + 1j * x0[:, 1]
        return len(y)


def run_flowgraph(block, data, n):
    tb = gr.top_block()
    tb.src = blocks.vector_source_c(data.tolist(), True)
    tb.head = blocks.head(gr.sizeof_gr_complex, n)
    tb.blk = block
    tb.snk = blocks.null_sink(gr.sizeof_gr_complex)
    tb.connect(tb.src, tb.head, tb.blk, tb.snk)
    t0 = time.perf_counter()
    tb.run()
    return n / (time.perf_counter() - t0)


def matmul_gflops(threads):
    os.environ["OMP_NUM_THREADS"] = str(threads)
    a = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    best = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        a @ a
        best = max(best, 2 * 1024 ** 3 / (time.perf_counter() - t0))
    return best / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="ONNX model (default: shipped 16-QAM)")
    ap.add_argument("--n", type=int, default=200000, help="symbols per Tweedie/DDIM run")
    ap.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads")
    ap.add_argument("--batch", type=int, default=8192)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results",
                                                   "denoiser.json"))
    args = ap.parse_args()
    path = args.model or diffusion.shipped_model("16qam")
    model = DdpmModel(path, intra_op_threads=args.threads)
    const = constellations.by_name("16qam")
    rng = np.random.default_rng(0)
    data = (const.points[rng.integers(0, 16, 65536)] + 0.1 * (rng.standard_normal(65536)
            + 1j * rng.standard_normal(65536))).astype(np.complex64)
    esn0 = 10.0
    results = {"model": path, "threads": args.threads, "batch": args.batch, "rows": []}

    # bare onnxruntime, one batch at the matched step
    x = np.stack([data[:args.batch].real, data[:args.batch].imag], 1).astype(np.float32)
    t = np.full(args.batch, 40, dtype=np.int64)
    model.predict_eps(x, t)
    reps, t0 = 20, time.perf_counter()
    for _ in range(reps):
        model.predict_eps(x, t)
    ort_rate = reps * args.batch / (time.perf_counter() - t0)
    gflops = {k: matmul_gflops(k) for k in (1, 2)}
    ceiling = gflops[args.threads if args.threads in gflops else 1] * 1e9 / FLOP_PER_EVAL
    print(f"model {path}; onnxruntime threads {args.threads}; batch {args.batch}")
    print(f"float32 matmul: {gflops[1]:.1f} GFLOP/s (1 thread), {gflops[2]:.1f} (2 threads)")
    print(f"FLOP ceiling  : {ceiling / 1e6:.2f} M network evaluations/s "
          f"({FLOP_PER_EVAL / 1e3:.1f} kFLOP each)")
    print(f"bare onnxruntime (1 eval/symbol): {ort_rate / 1e6:.3f} Msym/s "
          f"({100 * ort_rate / ceiling:.0f} % of the ceiling)\n")
    results.update(matmul_gflops=gflops, flop_ceiling_evals_s=ceiling, bare_ort_sym_s=ort_rate)

    cpp = diffusion.ddpm_denoiser
    cases = [("tweedie", 1), ("ddim", 1), ("ddim", 2), ("ddim", 5), ("ddim", 10),
             ("posterior", 0), ("paper", 0)]
    print(f"{'mode':<12} {'C++ Msym/s':>11} {'Python Msym/s':>14} {'Py/C++':>7} {'evals/sym':>9}")
    for mode, k in cases:
        # long chains cost ~t* or T network calls per symbol: fewer symbols
        n = args.n if mode in ("tweedie", "ddim") else max(args.n // 20, 8192)
        steps = max(k, 1)
        c = cpp(path, getattr(cpp, mode.upper()), steps, cpp.NOISE_PARAMETER, esn0, "cpu",
                args.threads, args.batch, 0)
        r_cpp = run_flowgraph(c, data, n)
        p = diffusion.ddpm_denoiser_py(path, mode, steps, "parameter", esn0, "cpu", args.threads,
                                       args.batch, 0)
        r_py = run_flowgraph(p, data, n)
        info = {}
        samplers.denoise(model, data[:1000], 10 ** (-esn0 / 10), mode=mode, steps=steps,
                         rng=np.random.default_rng(0), info=info)
        label = f"{mode}" + (f" k={k}" if mode == "ddim" else "")
        print(f"{label:<12} {r_cpp / 1e6:11.3f} {r_py / 1e6:14.3f} {r_py / r_cpp:7.2f} "
              f"{info['calls']:9d}")
        results["rows"].append(dict(mode=mode, k=k, cpp_sym_s=r_cpp, py_sym_s=r_py,
                                    network_calls=info["calls"]))
    naive = run_flowgraph(torch_naive_block(model, args.threads), data, args.n)
    print(f"{'naive torch':<12} {'':>11} {naive / 1e6:14.3f}   (PyTorch per work() call, tweedie)")
    results["naive_torch_sym_s"] = naive
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
