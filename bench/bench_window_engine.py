#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Window models in the C++ engine: the fused window kernel (lib/fused_conv1d.cc) against
onnxruntime on the same network, tweedie and ddim, 1 thread, with the FLOP ceiling.

    .venv/bin/python bench/bench_window_engine.py \
        [--model models/qpsk_pn_w32.onnx] [--windows 512] [--rounds 5]

Rates are symbols per second of wall time and per CPU-second of this process (robust to
other load); ratios are against onnxruntime measured in the same run, interleaved. FLOPs per
symbol from the metadata (multiply-add = 2): sum over layers of 2 C c_in K + 2 x 2 C for
the output; the ceiling is --peak-gflops (default 40.7, one core of this project's machine,
bench/results_engine.md) divided by it.
"""

import argparse
import os
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)
from gnuradio import diffusion
from gnuradio.diffusion.core.onnx_model import DdpmModel


def flops_per_symbol(meta):
    C = int(meta["window_channels"])
    K = int(meta["window_kernel"])
    L = len(meta["window_dilations"].split(","))
    return 2 * C * 2 * K + (L - 1) * 2 * C * C * K + 2 * 2 * C


def rate(eng, y, t, mode, items, rounds):
    wall = cpu = 0.0
    for _ in range(rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        eng.denoise(y, t, mode, 5, 1, items)
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
    n = len(y) * rounds
    return n / wall / 1e6, n / cpu / 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "qpsk_pn_w32.onnx"))
    ap.add_argument("--windows", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--peak-gflops", type=float, default=40.7)
    a = ap.parse_args()
    m = DdpmModel(a.model)
    W = m.window_length
    n = a.windows * W
    fused = diffusion.denoise_engine(a.model, "auto", 1, n, "cpu", 1)
    ort = diffusion.denoise_engine(a.model, "onnxruntime", 1, n, "cpu", 1)
    print(fused.engine_note())
    rng = np.random.default_rng(1)
    y = ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) * 0.8).astype(np.complex64)
    s2 = 10 ** (-6 / 10)
    t0, _ = m.schedule.matched_step(s2)
    t = np.full(n, int(t0), dtype=np.int32)
    items = np.arange(n, dtype=np.uint64)
    fl = flops_per_symbol(m.metadata)
    ceil = a.peak_gflops * 1e9 / fl / 1e6
    print(
        f"model {os.path.basename(a.model)}: W = {W}, {fl / 1e3:.1f} kFLOP per symbol, "
        f"ceiling {ceil:.3f} M evaluations/s per core ({a.peak_gflops} GFLOP/s); "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'mode':8} {'engine':22} {'Msym/s wall':>12} {'Msym/CPU-s':>11} {'x ort (CPU)':>11} "
        f"{'% ceiling':>9}"
    )
    for mode, name, evals in ((0, "tweedie", 1), (1, "ddim k=5", 5)):
        rates = {}
        for _ in range(2):  # interleaved: ort, fused, ort, fused
            for eng in (ort, fused):
                w, c = rate(eng, y, t, mode, items, a.rounds)
                prev = rates.get(eng.engine_name(), (0.0, 0.0))
                rates[eng.engine_name()] = (prev[0] + w / 2, prev[1] + c / 2)
        base = rates[ort.engine_name()][1]
        for eng_name, (w, c) in rates.items():
            print(
                f"{name:8} {eng_name:22} {w:12.3f} {c:11.3f} {c / base:11.2f} "
                f"{100 * c * evals / ceil:8.0f}%"
            )


if __name__ == "__main__":
    main()
