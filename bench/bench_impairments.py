#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Throughput of every gr-diffusion impairment block in a real GNU Radio flowgraph.

NOT a test (never run it under ctest: GR_ADD_TEST sets VOLK_GENERIC=1). For each block:

    vector_source_c(pre-generated unit-power complex noise, repeat) -> head(N)
        -> block -> null_sink

timed around tb.run() (construction excluded), best and median of --repeat runs, in
Msamples/s of input 0. A `blocks.copy` pass-through row gives the flowgraph's own ceiling.
With --cpu K the whole flowgraph is pinned to core K (a one-core approximation) and a
"net" column estimates the block alone: 1 / (1/best - 1/baseline).
Extra inputs (if a block requires more than one) get their own source -> head(N); all
required outputs go to null sinks.

Works against the installed module (`from gnuradio import diffusion`) or a build tree:
    python3 bench/bench_impairments.py
Blocks that are missing or fail to construct are reported (status != "ok"), not fatal.
Writes a table to stdout and JSON to --out (default bench/results/impairments.json).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)
from gnuradio import blocks, gr

try:
    from gnuradio import diffusion
except ImportError as e:  # still produce a report
    diffusion = None
    _IMPORT_ERROR = str(e)
else:
    _IMPORT_ERROR = None


def _enum(cls_name, value_name):
    """diffusion.<cls>.<VALUE> (nested enum), falling back to diffusion.<VALUE>."""
    cls = getattr(diffusion, cls_name)
    return getattr(cls, value_name) if hasattr(cls, value_name) else getattr(diffusion, value_name)


# (case name, block class in gr.diffusion, kwargs factory). The colleague blocks run with
# their defaults so the list keeps working while their signatures settle.
CASES = [
    (
        "additive_noise/gaussian",
        "additive_noise",
        lambda: dict(esn0_db=10.0, noise_type=_enum("additive_noise", "GAUSSIAN"), seed=1),
    ),
    (
        "additive_noise/laplacian",
        "additive_noise",
        lambda: dict(esn0_db=10.0, noise_type=_enum("additive_noise", "LAPLACIAN"), seed=1),
    ),
    (
        "additive_noise/bernoulli_gaussian",
        "additive_noise",
        lambda: dict(
            esn0_db=10.0,
            noise_type=_enum("additive_noise", "BERNOULLI_GAUSSIAN"),
            impulse_prob=0.01,
            impulse_ratio=100.0,
            seed=1,
        ),
    ),
    (
        "additive_noise/middleton_a",
        "additive_noise",
        lambda: dict(
            esn0_db=10.0,
            noise_type=_enum("additive_noise", "MIDDLETON_CLASS_A"),
            middleton_a=0.1,
            middleton_gamma=0.01,
            seed=1,
        ),
    ),
    (
        "pa_nonlinearity/rapp_p2",
        "pa_nonlinearity",
        lambda: dict(model=_enum("pa_nonlinearity", "RAPP"), ibo_db=3.0, smoothness=2.0),
    ),
    (
        "pa_nonlinearity/rapp_p3",
        "pa_nonlinearity",
        lambda: dict(model=_enum("pa_nonlinearity", "RAPP"), ibo_db=3.0, smoothness=3.0),
    ),
    (
        "pa_nonlinearity/saleh",
        "pa_nonlinearity",
        lambda: dict(model=_enum("pa_nonlinearity", "SALEH"), ibo_db=3.0, normalize_output=True),
    ),
    ("phase_noise", "phase_noise", lambda: dict(linewidth_ts=1e-3, seed=1)),
    ("hardware_impairments", "hardware_impairments", lambda: dict()),
    ("complex_quantizer", "complex_quantizer", lambda: dict()),
    ("block_fading", "block_fading", lambda: dict()),
    ("zf_equalizer", "zf_equalizer", lambda: dict()),
]

BASELINE = "baseline/blocks.copy"


def make_source(itemsize, pool_c, pool_f):
    if itemsize == 8:
        return blocks.vector_source_c(pool_c, True)
    if itemsize == 4:
        return blocks.vector_source_f(pool_f, True)
    if itemsize % 8 == 0:
        vlen = itemsize // 8
        n = (len(pool_c) // vlen) * vlen
        return blocks.vector_source_c(pool_c[:n], True, vlen)
    return blocks.vector_source_b(np.zeros(4096 * itemsize, np.uint8).tolist(), True, itemsize)


def time_once(make_block, n, pool_c, pool_f):
    """Build source(s) -> head(n) -> block -> null sink(s); return tb.run() seconds."""
    tb = gr.top_block()
    blk = make_block()
    insig = blk.input_signature()
    outsig = blk.output_signature()
    n_in = max(1, insig.min_streams())
    n_out = max(1, outsig.min_streams()) if outsig.max_streams() != 0 else 0
    for i in range(n_in):
        size = insig.sizeof_stream_item(i)
        src = make_source(size, pool_c, pool_f)
        head = blocks.head(size, n)
        tb.connect(src, head, (blk, i))
    for o in range(n_out):
        tb.connect((blk, o), blocks.null_sink(outsig.sizeof_stream_item(o)))
    t0 = time.perf_counter()
    tb.run()
    return time.perf_counter() - t0


def bench_case(name, make_block, n, repeat, pool_c, pool_f):
    rec = {"name": name, "n_samples": n}
    try:
        time_once(make_block, min(n, 100_000), pool_c, pool_f)  # warm-up (page faults, caches)
        times = [time_once(make_block, n, pool_c, pool_f) for _ in range(repeat)]
    except Exception as e:  # noqa: BLE001  (report, go on with the other blocks)
        rec.update(status="error", error=f"{type(e).__name__}: {e}")
        return rec
    rec.update(
        status="ok",
        times_s=times,
        msps_best=n / min(times) / 1e6,
        msps_median=n / statistics.median(times) / 1e6,
    )
    return rec


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--samples", type=float, default=2e7, help="samples per run (2e7)")
    ap.add_argument("-r", "--repeat", type=int, default=3, help="timed runs per block (3)")
    ap.add_argument(
        "--out",
        default=os.path.join(here, "results", "impairments.json"),
        help="JSON output path (default bench/results/impairments.json)",
    )
    ap.add_argument("--only", default=None, help="only cases whose name contains this")
    ap.add_argument(
        "--cpu",
        type=int,
        default=None,
        help="pin the whole process (all flowgraph threads) to this CPU core",
    )
    args = ap.parse_args(argv)
    n = int(args.samples)

    if os.environ.get("VOLK_GENERIC"):
        print(
            "warning: VOLK_GENERIC is set (ctest environment?): timings are not representative",
            file=sys.stderr,
        )
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})

    rng = np.random.default_rng(0)
    pool = 1 << 16
    pool_c = ((rng.standard_normal(pool) + 1j * rng.standard_normal(pool)) / np.sqrt(2)).astype(
        np.complex64
    )
    pool_f = rng.standard_normal(pool).astype(np.float32)

    cases = [(BASELINE, lambda: blocks.copy(gr.sizeof_gr_complex))]
    results = []
    for name, cls_name, kwargs in CASES:
        if diffusion is None or not hasattr(diffusion, cls_name):
            why = _IMPORT_ERROR or f"gnuradio.diffusion has no block '{cls_name}'"
            results.append({"name": name, "status": "unavailable", "error": why})
            continue
        cls = getattr(diffusion, cls_name)
        cases.append((name, (lambda c=cls, k=kwargs: c(**k()))))
    if args.only:
        cases = [c for c in cases if args.only in c[0]]
        results = [r for r in results if args.only in r["name"]]

    for name, make_block in cases:
        print(f"  {name} ...", end="", flush=True, file=sys.stderr)
        rec = bench_case(name, make_block, n, args.repeat, pool_c, pool_f)
        print(" done" if rec["status"] == "ok" else " " + rec["status"], file=sys.stderr)
        results.append(rec)
    # Pinned to one core, the flowgraph runs serially: the block's own cost per sample is
    # about 1/best - 1/baseline (the baseline being source + head + copy + sink).
    base = next((r for r in results if r["name"] == BASELINE and r["status"] == "ok"), None)
    if args.cpu is not None and base is not None:
        for r in results:
            if r["status"] == "ok" and r is not base and r["msps_best"] < base["msps_best"]:
                r["msps_net_est"] = 1.0 / (1.0 / r["msps_best"] - 1.0 / base["msps_best"])
    order = {c[0]: i for i, c in enumerate(cases)}
    order.update(
        {name: len(order) + i for i, (name, _, _) in enumerate(CASES) if name not in order}
    )
    results.sort(key=lambda r: order.get(r["name"], 1 << 30))

    print(f"\n{'block':40s} {'best Ms/s':>10s} {'median Ms/s':>12s} {'net Ms/s':>9s}  status")
    print("-" * 85)
    for r in results:
        if r["status"] == "ok":
            net = f"{r['msps_net_est']:9.1f}" if "msps_net_est" in r else f"{'-':>9s}"
            print(f"{r['name']:40s} {r['msps_best']:10.1f} {r['msps_median']:12.1f} {net}  ok")
        else:
            print(
                f"{r['name']:40s} {'-':>10s} {'-':>12s}  {r['status']}: {r.get('error', '').splitlines()[0][:60]}"
            )

    meta = {
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "gnuradio": gr.version(),
        "diffusion_module": getattr(diffusion, "__file__", None),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0)),
        "samples_per_run": n,
        "repeat": args.repeat,
        "flowgraph": "vector_source_c(repeat) -> head(N) -> block -> null_sink; tb.run() timed",
        "volk_generic": bool(os.environ.get("VOLK_GENERIC")),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=2)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
