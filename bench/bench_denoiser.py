#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Throughput of the DDPM denoiser blocks (a benchmark, not a test: never run it under ctest,
which sets VOLK_GENERIC=1).

For each block (C++ ddpm_denoiser, Python ddpm_denoiser_py), mode, engine (fused C++
kernel, onnxruntime; the Python block also with the NumPy samplers) and worker threads, a
flowgraph vector_source (repeat) -> head(N) -> denoiser -> null_sink is timed, and printed
with its ratio to bare onnxruntime measured in the same run. Beside them:
  * a naive Python block that runs the PyTorch network per work() call (same architecture),
  * bare onnxruntime on one batch (no GNU Radio),
  * the FLOP ceiling of this machine: measured float32 matmul GFLOP/s divided by the
    network's FLOPs per evaluation (66.5 kFLOP for 3x128 softplus + embeddings).
Prints a table and writes JSON.

    .venv/bin/python bench/bench_denoiser.py [--model models/16qam.onnx] [--n 200000]
        [--workers 1,2] [--quick]

Engine-level figures without GNU Radio (network alone, Eigen comparison, per-call latency
p50/p99 against batch size): build/lib/bench_engine (bench/bench_engine.cc).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)
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
            eps = self.net(
                self.torch.from_numpy(x), self.torch.full((len(y),), self.t, dtype=self.torch.long)
            ).numpy()
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
    """float32 1024^3 matmul GFLOP/s of NumPy on `threads` threads. Measured in a fresh
    interpreter whose OMP/OPENBLAS/MKL thread variables are set before NumPy loads its BLAS
    (bench/matmul_ceiling.py): setting OMP_NUM_THREADS here, after `import numpy`, changes
    nothing, and both figures would be of the BLAS's default thread count."""
    from matmul_ceiling import numpy_gflops

    return numpy_gflops(threads)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="ONNX model (default: shipped 16-QAM)")
    ap.add_argument("--n", type=int, default=200000, help="symbols per Tweedie/DDIM run")
    ap.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads")
    ap.add_argument("--batch", type=int, default=8192)
    ap.add_argument("--workers", default="1,2", help="C++ engine worker threads to measure")
    ap.add_argument("--quick", action="store_true", help="tweedie and ddim k=5 only, n/4")
    ap.add_argument(
        "--out", default=os.path.join(os.path.dirname(__file__), "results", "denoiser.json")
    )
    args = ap.parse_args()
    path = args.model or diffusion.shipped_model("16qam")
    model = DdpmModel(path, intra_op_threads=args.threads)
    const = constellations.by_name("16qam")
    rng = np.random.default_rng(0)
    data = (
        const.points[rng.integers(0, 16, 65536)]
        + 0.1 * (rng.standard_normal(65536) + 1j * rng.standard_normal(65536))
    ).astype(np.complex64)
    esn0 = 10.0
    results = {
        "model": path,
        "threads": args.threads,
        "batch": args.batch,
        "load_average_start": os.getloadavg()[0],
        "rows": [],
    }

    # bare onnxruntime, one batch at the matched step
    x = np.stack([data[: args.batch].real, data[: args.batch].imag], 1).astype(np.float32)
    t = np.full(args.batch, 40, dtype=np.int64)
    model.predict_eps(x, t)
    reps, t0 = 20, time.perf_counter()
    for _ in range(reps):
        model.predict_eps(x, t)
    ort_rate = reps * args.batch / (time.perf_counter() - t0)
    gflops = {k: matmul_gflops(k) for k in (1, 2)}
    ceiling = gflops[args.threads if args.threads in gflops else 1] * 1e9 / FLOP_PER_EVAL
    print(
        f"model {path}; onnxruntime threads {args.threads}; batch {args.batch}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(f"float32 matmul: {gflops[1]:.1f} GFLOP/s (1 thread), {gflops[2]:.1f} (2 threads)")
    print(
        f"FLOP ceiling  : {ceiling / 1e6:.2f} M network evaluations/s "
        f"({FLOP_PER_EVAL / 1e3:.1f} kFLOP each)"
    )
    print(
        f"bare onnxruntime (1 eval/symbol): {ort_rate / 1e6:.3f} Msym/s "
        f"({100 * ort_rate / ceiling:.0f} % of the ceiling)\n"
    )
    results.update(matmul_gflops=gflops, flop_ceiling_evals_s=ceiling, bare_ort_sym_s=ort_rate)

    cpp = diffusion.ddpm_denoiser
    cases = [
        ("tweedie", 1),
        ("ddim", 1),
        ("ddim", 2),
        ("ddim", 5),
        ("ddim", 10),
        ("posterior", 0),
        ("paper", 0),
    ]
    if args.quick:
        cases = [("tweedie", 1), ("ddim", 5)]
        args.n //= 4
    workers = [int(w) for w in args.workers.split(",")]
    print(
        f"{'mode':<12} {'block':<7} {'engine':<13} {'thr':>3} {'Msym/s':>8} "
        f"{'x bare ort':>10} {'evals/sym':>9}"
    )
    for mode, k in cases:
        # long chains cost ~t* or T network calls per symbol: fewer symbols
        n = args.n if mode in ("tweedie", "ddim") else max(args.n // 20, 8192)
        steps = max(k, 1)
        info = {}
        samplers.denoise(
            model,
            data[:1000],
            10 ** (-esn0 / 10),
            mode=mode,
            steps=steps,
            rng=np.random.default_rng(0),
            info=info,
        )
        label = f"{mode}" + (f" k={k}" if mode == "ddim" else "")
        runs = [("C++", eng, w) for eng in ("fused", "onnxruntime") for w in workers]
        runs += [("Python", "auto", 1), ("Python", "numpy", 1)]
        rates = {}
        for blk, eng, w in runs:
            if blk == "C++":
                b = cpp(
                    path,
                    getattr(cpp, mode.upper()),
                    steps,
                    cpp.NOISE_PARAMETER,
                    esn0,
                    "cpu",
                    args.threads,
                    args.batch,
                    0,
                    eng,
                    w,
                )
                name = b.engine_name()
            else:
                b = diffusion.ddpm_denoiser_py(
                    path, mode, steps, "parameter", esn0, "cpu", args.threads, args.batch, 0, eng, w
                )
                name = b.engine_name()
            r = run_flowgraph(b, data, n)
            rates[(blk, eng, w)] = r
            print(
                f"{label:<12} {blk:<7} {name:<13} {w:3d} {r / 1e6:8.3f} {r / ort_rate:10.2f} "
                f"{info['calls']:9d}"
            )
            results["rows"].append(
                dict(
                    mode=mode,
                    k=k,
                    block=blk,
                    engine=name,
                    threads=w,
                    sym_s=r,
                    ratio_bare_ort=r / ort_rate,
                    network_calls=info["calls"],
                )
            )
        py, c1 = rates[("Python", "auto", 1)], rates[("C++", "fused", 1)]
        extra = ""
        if ("C++", "fused", 2) in rates:
            extra = f"; C++ fused 2 threads / 1 thread = {rates[('C++', 'fused', 2)] / c1:.2f}"
        print(f"{'':<12} Python (C++ engine) / C++ block (fused, 1 thread) = {py / c1:.2f}{extra}")
    naive = run_flowgraph(torch_naive_block(model, args.threads), data, args.n)
    print(f"{'naive torch':<12} {'':>11} {naive / 1e6:14.3f}   (PyTorch per work() call, tweedie)")
    results["naive_torch_sym_s"] = naive
    results["load_average_end"] = os.getloadavg()[0]
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
