#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Worker threads of the C++ engine, 1 vs 2 (a benchmark, not a test: never under ctest).

On a machine shared with other jobs one run per configuration says little, so the
configurations are measured in interleaved rounds (1, 2, 1, 2, ...) and each is reported as
the median and the best of its rounds, with the load average of every round:
  * engine level: diffusion.denoise_engine.denoise on one batch (no GNU Radio scheduler),
  * block level: vector_source -> head(n) -> ddpm_denoiser (C++) -> null_sink.
The ratio threads=2 / threads=1 of the medians and of the bests is printed per mode, and for
the engine the CPU time per symbol summed over threads: equal CPU time means the split costs
nothing, and 2 x (CPU time on 1 thread) / (CPU time on 2) bounds the wall-clock speedup on two
free cores. (On a loaded Linux box with sched_autogroup_enabled = 1 the process gets one
autogroup's share of the CPUs whatever its thread count: a 2/1 ratio near 1 there says
nothing about free cores.)

    .venv/bin/python bench/bench_threads.py [--model models/16qam.onnx] [--rounds 5]
        [--batch 8192] [--engines fused,onnxruntime]
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)
from gnuradio import blocks, diffusion, gr
from gnuradio.diffusion.core import constellations, samplers

# label -> (denoise_engine / ddpm_denoiser mode id: its position in core.samplers.MODES, steps)
MODES = {
    "tweedie": (samplers.MODES.index("tweedie"), 1),
    "ddim k=5": (samplers.MODES.index("ddim"), 5),
}


def engine_rate(eng, y, t, mode, steps, min_s, cpu):
    """symbols/s (wall); appends CPU microseconds per symbol (all threads) to cpu"""
    eng.denoise(y, t, mode, steps, 1)
    reps, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < min_s:
        eng.denoise(y, t, mode, steps, 1)
        reps += 1
    cpu.append((time.process_time() - c0) * 1e6 / (reps * len(y)))
    return reps * len(y) / (time.perf_counter() - t0)


def block_rate(path, mode_id, steps, engine, threads, batch, data, n):
    cpp = diffusion.ddpm_denoiser
    m = cpp.mode_t(mode_id)
    b = cpp(path, m, steps, cpp.NOISE_PARAMETER, 10.0, "cpu", 1, batch, 0, engine, threads)
    tb = gr.top_block()
    src = blocks.vector_source_c(data.tolist(), True)
    head = blocks.head(gr.sizeof_gr_complex, n)
    snk = blocks.null_sink(gr.sizeof_gr_complex)
    tb.connect(src, head, b, snk)
    t0 = time.perf_counter()
    tb.run()
    return n / (time.perf_counter() - t0)


def summary(label, rates):
    out = {}
    for k, v in rates.items():
        out[k] = (statistics.median(v), max(v))
    r_med = out[2][0] / out[1][0]
    r_best = out[2][1] / out[1][1]
    print(
        f"{label:<34} 1 thr {out[1][0] / 1e6:6.3f} (best {out[1][1] / 1e6:6.3f})  "
        f"2 thr {out[2][0] / 1e6:6.3f} (best {out[2][1] / 1e6:6.3f}) Msym/s  "
        f"2/1 = {r_med:4.2f} (best {r_best:4.2f})"
    )
    return r_med, r_best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "16qam.onnx"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--batch", type=int, default=8192)
    ap.add_argument("--engines", default="fused,onnxruntime")
    ap.add_argument("--no-block", action="store_true")
    args = ap.parse_args()
    const = constellations.by_name("16qam")
    rng = np.random.default_rng(0)
    data = (
        const.points[rng.integers(0, 16, 65536)]
        + 0.3 * (rng.standard_normal(65536) + 1j * rng.standard_normal(65536))
    ).astype(np.complex64)
    y = data[: args.batch].copy()
    print(
        f"model {args.model}; batch {args.batch}; {args.rounds} interleaved rounds; "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}"
    )
    engines = args.engines.split(",")
    for eng_name in engines:
        engs = {th: diffusion.denoise_engine(args.model, eng_name, th, args.batch) for th in (1, 2)}
        tstar = engs[1].matched_step(0.1)
        t = np.full(args.batch, tstar, dtype=np.int32)
        for mode, (mid, steps) in MODES.items():
            rates, loads, cpu = {1: [], 2: []}, [], {1: [], 2: []}
            for _ in range(args.rounds):
                for th in (1, 2):
                    rates[th].append(engine_rate(engs[th], y, t, mid, steps, 0.5, cpu[th]))
                loads.append(os.getloadavg()[0])
            summary(f"engine {engs[1].engine_name()}, {mode}", rates)
            c1, c2 = statistics.median(cpu[1]), statistics.median(cpu[2])
            print(
                f"{'':<34} CPU time per symbol (all threads): 1 thr {c1:.2f} us, 2 thr "
                f"{c2:.2f} us (x{c2 / c1:.2f}); wall speedup on 2 free cores <= {2 * c1 / c2:.2f}"
            )
            print(f"{'':<34} load average per round: {', '.join(f'{v:.1f}' for v in loads)}")
    if not args.no_block:
        for mode, (mid, steps) in MODES.items():
            n = 200000 if mode == "tweedie" else 40000
            rates, loads = {1: [], 2: []}, []
            for _ in range(args.rounds):
                for th in (1, 2):
                    rates[th].append(
                        block_rate(args.model, mid, steps, "fused", th, args.batch, data, n)
                    )
                loads.append(os.getloadavg()[0])
            summary(f"C++ block (flowgraph), fused, {mode}", rates)
            print(f"{'':<34} load average per round: {', '.join(f'{v:.1f}' for v in loads)}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
