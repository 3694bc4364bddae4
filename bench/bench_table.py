#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Table engine (issue 23, lib/denoise_table.h) against the network, in one run.

Throughput: flowgraph vector_source (repeat) -> head(N) -> denoiser -> null_sink, per mode
(tweedie, ddim k=5, k=10), for the C++ block and the Python block with engine 'auto'
(the table, its step built and waited for before timing) and engine 'fused' (the
network), Msym/s of wall time and per CPU-second of this process (all its threads), and
the ratios table / fused and Python / C++ measured in the same run ("Py 32KiB": the Python
block with GNU Radio's default buffer in front, input_buffer = 1). Beside them: the bare
table kernel (denoise_engine.denoise on 65536-symbol calls), a NumPy copy (this core's
memory bandwidth in the same run) and the time to build one table step.

Accuracy (--accuracy): per model and Es/N0 of its range, the table's MSE against the sent
symbols minus the network's (dB) and the fraction of decisions (nearest point) that
differ, tweedie and ddim; and per-sample sigma2 (spread +-1.5 dB around each level,
tweedie).

ddim (--ddim): 16-QAM, k = 5 and 10, per Es/N0: the table with its rough cells refined
(8 x 8, the default) and left to the network (0; --refine, GR_DIFFUSION_TABLE_REFINE), against the
network: the fraction of symbols the network runs, Msym per CPU-second of the engine call,
decisions differing from the network's, MSE difference (dB), build time and memory.

    .venv/bin/python bench/bench_table.py [--n 4000000] [--accuracy] [--ddim] [--quick]

A benchmark, not a test: never under ctest (VOLK_GENERIC=1). Report the load average.
"""

import argparse
import os
import time

import numpy as np
from gnuradio import blocks, diffusion, gr
from gnuradio.diffusion.core import reference
from gnuradio.diffusion.core.onnx_model import DdpmModel

MODES = {"tweedie": (0, 1), "ddim5": (1, 5), "ddim10": (1, 10)}


def cpp_block(path, mode, steps, esn0, engine):
    d = diffusion.ddpm_denoiser
    return d(path, mode, steps, d.NOISE_PARAMETER, esn0, "cpu", 1, 65536, 0, engine)


def py_block(path, mode, steps, esn0, engine, input_buffer=0):
    name = "tweedie" if mode == 0 else "ddim"
    return diffusion.ddpm_denoiser_py(
        path,
        name,
        steps,
        "parameter",
        esn0,
        batch_size=65536,
        engine=engine,
        input_buffer=input_buffer,
    )


def py_block_gr_buffer(path, mode, steps, esn0, engine):
    """The Python block with GNU Radio's default buffer in front (input_buffer = 1)."""
    return py_block(path, mode, steps, esn0, engine, input_buffer=1)


def flowgraph_rate(blk, data, n, warm):
    """(Msym/s wall, Msym per CPU-second) of n symbols through a flowgraph, the block's
    table step built first (warm: the blocks start building it at construction). One run
    only: GNU Radio 3.10 re-runs a top_block with its buffers capped at the default
    ("max output buffer set to 8192 instead of requested 131072"), which would hide the
    blocks' larger buffers."""
    tb = gr.top_block()
    src = blocks.vector_source_c(data.tolist(), True)
    head = blocks.head(gr.sizeof_gr_complex, n)
    snk = blocks.null_sink(gr.sizeof_gr_complex)
    tb.connect(src, head, blk, snk)
    warm()
    c0, t0 = time.process_time(), time.perf_counter()
    tb.run()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return n / wall / 1e6, n / cpu / 1e6


def bare_table(path, data, esn0, mode, steps):
    eng = diffusion.denoise_engine(path, "table", 1, len(data))
    t = np.full(len(data), eng.matched_step(10 ** (-esn0 / 10)), dtype=np.int32)
    eng.denoise(data, t, mode, steps)
    eng.table_wait()
    build = eng.table_build_seconds()
    eng.denoise(data, t, mode, steps)
    reps = 40
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(reps):
        eng.denoise(data, t, mode, steps)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return reps * len(data) / wall / 1e6, reps * len(data) / cpu / 1e6, build


def copy_bandwidth():
    """GB/s of a 64 MiB NumPy copy (read + write), best of 5."""
    a = np.ones(1 << 23, dtype=np.float64)
    b = np.empty_like(a)
    best = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        np.copyto(b, a)
        best = max(best, 2 * a.nbytes / (time.perf_counter() - t0) / 1e9)
    return best


def throughput(args):
    path = args.model or diffusion.shipped_model("16qam")
    m = DdpmModel(path)
    pts = m.constellation.points
    rng = np.random.default_rng(0)
    esn0 = 15.0
    x = pts[rng.integers(0, len(pts), 1 << 16)]
    data = reference.awgn(x, 10 ** (-esn0 / 10), rng).astype(np.complex64)
    print(f"model {path}, Es/N0 {esn0} dB, load average {os.getloadavg()}")
    bw = copy_bandwidth()
    print(
        f"NumPy copy (memory bandwidth, this run): {bw:.1f} GB/s = "
        f"{bw * 1e3 / 16:.0f} Msym/s at 16 B/symbol (8 in + 8 out)"
    )
    modes = ["tweedie", "ddim5"] if args.quick else list(MODES)
    print(
        f"{'mode':8} {'block':10} {'engine':8} {'Msym/s':>8} {'Msym/CPU-s':>10} "
        f"{'x fused':>8} {'py/cpp':>7} {'(CPU-s)':>7}"
    )
    for name in modes:
        mode, steps = MODES[name]
        rates = {}
        for kind, make in (("C++", cpp_block), ("Python", py_block), ("Py 32KiB", None)):
            for engine in ("auto", "fused"):
                if make is None:  # the Python block without its larger input buffer
                    if engine == "fused":
                        continue
                    make = py_block_gr_buffer
                blk = make(path, mode, steps, esn0, engine)
                if kind == "C++":
                    warm = blk.table_wait
                elif blk._cpp is not None:
                    warm = blk._cpp.table_wait
                # the network is ~100x slower: fewer symbols for it
                n = args.n if engine == "auto" else max(20000, args.n // (200 * steps))
                rates[(kind, engine)] = flowgraph_rate(blk, data, n, warm)
        for kind in ("C++", "Python", "Py 32KiB"):
            for engine in ("auto", "fused"):
                if (kind, engine) not in rates:
                    continue
                w, c = rates[(kind, engine)]
                ratio = w / rates[("Python" if kind == "Py 32KiB" else kind, "fused")][0]
                pc = w / rates[("C++", engine)][0]
                pcc = c / rates[("C++", engine)][1]
                print(
                    f"{name:8} {kind:10} {engine:8} {w:8.2f} {c:10.2f} {ratio:8.1f} {pc:7.2f} "
                    f"{pcc:7.2f}",
                    flush=True,
                )
        w, c, build = bare_table(path, data, esn0, mode, steps)
        print(
            f"{name:8} {'bare table':10} {'table':8} {w:8.2f} {c:10.2f}   "
            f"(one 512x512 step built in {build:.2f} s)",
            flush=True,
        )
    print(f"load average {os.getloadavg()}")


def accuracy(args):
    sets = [
        ("16qam", range(0, 31, 5)),
        ("64qam", range(0, 31, 5)),
        ("16qam_rapp", range(10, 31, 5)),
        ("64qam_rapp", range(10, 31, 5)),
    ]
    if args.quick:
        sets = sets[:1]
    if args.models:
        sets = [st for st in sets if st[0] in args.models]
    n = args.n_acc
    rng = np.random.default_rng(23)
    print(f"accuracy vs the network, {n} symbols per level; load average {os.getloadavg()}")
    print(
        f"{'model':11} {'mode':7} {'sigma2':7} {'Es/N0':>5} {'dMSE dB':>9} {'decisions':>9} "
        f"{'max|diff|':>9}"
    )
    for name, levels in sets:
        path = diffusion.shipped_model(name)
        pts = DdpmModel(path).constellation.points
        tab = diffusion.denoise_engine(path, "table", 1, n)
        net = diffusion.denoise_engine(path, "fused", 1, n)
        for mname, (mode, steps) in MODES.items():
            if args.quick and mname == "ddim10":
                continue
            lv = list(levels) if mname == "tweedie" else list(levels)[::3]
            for esn0 in lv:
                # per-sample sigma2 spans ~4 steps (4 tables each): tweedie only
                for kind in ("fixed", "sample") if mname == "tweedie" else ("fixed",):
                    x = pts[rng.integers(0, len(pts), n)]
                    if kind == "fixed":
                        s2 = 10 ** (-esn0 / 10)
                    else:
                        s2 = (10 ** (-(esn0 + rng.uniform(-1.5, 1.5, n)) / 10)).astype(np.float32)
                    y = reference.awgn(x, s2, rng).astype(np.complex64)
                    tab.denoise_sigma2(y, s2, mode, steps)
                    tab.table_wait()
                    a, _ = tab.denoise_sigma2(y, s2, mode, steps)
                    b, _ = net.denoise_sigma2(y, s2, mode, steps)
                    db = 10 * np.log10(np.mean(np.abs(a - x) ** 2) / np.mean(np.abs(b - x) ** 2))
                    da = np.argmin(np.abs(a[:, None] - pts[None, :]), axis=1)
                    dn = np.argmin(np.abs(b[:, None] - pts[None, :]), axis=1)
                    print(
                        f"{name:11} {mname:7} {kind:7} {esn0:5d} {db:+9.4f} "
                        f"{np.mean(da != dn):9.1e} {np.abs(a - b).max():9.1e}",
                        flush=True,
                    )
        print(
            f"  {name}: table memory {tab.table_bytes() / 2**20:.0f} MiB "
            f"({tab.table_levels()} steps cached)"
        )
    print(f"load average {os.getloadavg()}")


def ddim_sweep(args):
    """ddim k=5, 10 on 16-QAM per Es/N0: the table with its rough cells refined (default),
    the table leaving them to the network (refine 0), against the network itself: fraction
    of symbols the network runs, Msym per CPU-second of the engine call, decisions that
    differ from the network's and the MSE difference (dB)."""
    path = args.model or diffusion.shipped_model("16qam")
    pts = DdpmModel(path).constellation.points
    n = args.n_ddim
    rng = np.random.default_rng(2023)
    net = diffusion.denoise_engine(path, "fused", 1, n)
    tabs = {}
    for refine in args.refine:  # read by the engine at construction
        os.environ["GR_DIFFUSION_TABLE_REFINE"] = str(refine)
        tabs[f"refine {refine}"] = diffusion.denoise_engine(path, "table", 1, n, table_mb=64.0)
    os.environ.pop("GR_DIFFUSION_TABLE_REFINE", None)
    print(f"ddim on {path}, {n} symbols per level; load average {os.getloadavg()}")
    print(
        f"{'k':>2} {'Es/N0':>5} {'table':9} {'network %':>9} {'Msym/CPU-s':>10} "
        f"{'decisions':>9} {'dMSE dB':>9} {'build s':>7} {'MiB':>5}"
    )
    for steps in (5, 10):
        for esn0 in args.ddim_levels:
            s2 = 10 ** (-esn0 / 10)
            x = pts[rng.integers(0, len(pts), n)]
            y = reference.awgn(x, s2, rng).astype(np.complex64)
            c0 = time.process_time()
            b, _ = net.denoise_sigma2(y, s2, 1, steps)
            net_rate = n / (time.process_time() - c0) / 1e6
            e_net = np.mean(np.abs(b - x) ** 2)
            dn = np.argmin(np.abs(b[:, None] - pts[None, :]), axis=1)
            for name, tab in tabs.items():
                tab.denoise_sigma2(y[:16], s2, 1, steps)  # request the step
                tab.table_wait()
                build = tab.table_build_seconds()
                l0, m0 = tab.table_lookups(), tab.table_misses()
                reps = 5
                c0 = time.process_time()
                for _ in range(reps):
                    a, _ = tab.denoise_sigma2(y, s2, 1, steps)
                rate = reps * n / (time.process_time() - c0) / 1e6
                miss = (tab.table_misses() - m0) / (tab.table_lookups() - l0)
                da = np.argmin(np.abs(a[:, None] - pts[None, :]), axis=1)
                db = 10 * np.log10(np.mean(np.abs(a - x) ** 2) / e_net)
                print(
                    f"{steps:2d} {esn0:5d} {name:9} {100 * miss:9.4f} {rate:10.2f} "
                    f"{np.mean(da != dn):9.1e} {db:+9.4f} {build:7.1f} "
                    f"{tab.table_bytes() / 2**20:5.1f}",
                    flush=True,
                )
            print(f"{steps:2d} {esn0:5d} {'network':9} {100.0:9.4f} {net_rate:10.3f}", flush=True)
    print(f"load average {os.getloadavg()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="ONNX model (default: shipped 16-QAM)")
    ap.add_argument("--n", type=int, default=4_000_000, help="symbols per table run")
    ap.add_argument("--n-acc", type=int, default=100_000, help="symbols per accuracy level")
    ap.add_argument("--accuracy", action="store_true", help="also the accuracy sweep")
    ap.add_argument("--no-throughput", action="store_true")
    ap.add_argument("--quick", action="store_true", help="tweedie and ddim k=5, 16-QAM only")
    ap.add_argument(
        "--ddim", action="store_true", help="ddim k=5, 10 per Es/N0: refined vs coarse table"
    )
    ap.add_argument("--n-ddim", type=int, default=200_000, help="symbols per ddim level")
    ap.add_argument(
        "--refine", type=int, nargs="+", default=[8, 0], help="--ddim: sub-cells per axis (0: off)"
    )
    ap.add_argument(
        "--ddim-levels", type=int, nargs="+", default=[0, 10, 15, 20, 30], help="Es/N0, dB"
    )
    ap.add_argument(
        "--models",
        nargs="+",
        default=None,
        help="accuracy: shipped model names (default 16qam 64qam 16qam_rapp 64qam_rapp)",
    )
    args = ap.parse_args()
    if not args.no_throughput:
        throughput(args)
    if args.ddim:
        ddim_sweep(args)
    if args.accuracy:
        accuracy(args)


if __name__ == "__main__":
    main()
