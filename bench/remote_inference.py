#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Remote vs in-process inference: symbols/s and per-batch latency (p50 / p99) of the Tweedie
sampler of a shipped model through a real Triton (PyTriton, diffusion.core.oip_server, on
127.0.0.1, started here) vs onnxruntime in this process, at several batch sizes and 1 or 2
requests in flight.

  .venv/bin/python bench/remote_inference.py [--model qpsk] [--mode tweedie] [--steps 5]
      [--batches 256,2048,8192] [--symbols 200000] [--json out.json]

in-process: diffusion.core.samplers.denoise on a DdpmModel (one thread); remote:
diffusion.core.remote_inference.RemoteSampler (binary tensors, keep-alive connections) on a
server running the exported sampler graph with one onnxruntime thread per model instance
(instances = in-flight count). Both on this machine: the figures show the protocol's
overhead; a GPU server or several radios sharing one are where remote pays
(docs/deployment.md). Prints the load average: the machine is shared.
"""

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
from _path import ROOT  # bench/_path.py: how bench scripts find the package
from gnuradio.diffusion.core import model_info  # noqa: E402
from gnuradio.diffusion.core.onnx_model import DdpmModel  # noqa: E402
from gnuradio.diffusion.core.remote_inference import (  # noqa: E402
    LocalServer,
    RemoteSampler,
    server_python,
)
from gnuradio.diffusion.core.sampler_graph import export_sampler  # noqa: E402
from gnuradio.diffusion.core.samplers import denoise  # noqa: E402


def stats(lat, n_sym, wall):
    lat = np.asarray(lat) * 1e3
    return {
        "symbols_per_s": n_sym / wall,
        "p50_ms": float(np.percentile(lat, 50)),
        "p99_ms": float(np.percentile(lat, 99)),
    }


def local_run(model, y, s2, batch, mode, steps):
    lat = []
    t0 = time.perf_counter()
    for a in range(0, len(y), batch):
        t = time.perf_counter()
        denoise(model, y[a : a + batch], s2[a : a + batch], mode=mode, steps=steps)
        lat.append(time.perf_counter() - t)
    return stats(lat, len(y), time.perf_counter() - t0)


def remote_run(url, name, y, s2, batch, in_flight):
    r = RemoteSampler(url, name, batch_size=batch, in_flight=in_flight, timeout=30)
    rails = np.stack([y.real, y.imag], 1).astype(np.float32)
    lat = []
    # latency: one request at a time
    for a in range(0, min(len(y), 50 * batch), batch):
        t = time.perf_counter()
        _, ok = r.run(rails[a : a + batch], s2[a : a + batch])
        lat.append(time.perf_counter() - t)
        assert ok.all()
    # throughput: the whole stream in calls of 2 * in_flight batches (requests overlap)
    chunk = 2 * in_flight * batch
    t0 = time.perf_counter()
    for a in range(0, len(y), chunk):
        _, ok = r.run(rails[a : a + chunk], s2[a : a + chunk])
        assert ok.all()
    wall = time.perf_counter() - t0
    r.close()
    out = stats(lat, len(y), wall)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="qpsk")
    ap.add_argument("--mode", default="tweedie", choices=("tweedie", "ddim"))
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batches", default="256,2048,8192")
    ap.add_argument("--symbols", type=int, default=200000)
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)
    path = model_info.resolve(args.model)
    model = DdpmModel(path)
    rng = np.random.default_rng(0)
    n = args.symbols
    y = (
        (rng.choice([-1, 1], n) + 1j * rng.choice([-1, 1], n)) / np.sqrt(2)
        + 0.2 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    ).astype(np.complex64)
    s2 = np.full(n, 0.08)
    tmp = tempfile.mkdtemp(prefix="gr_diffusion_bench_")
    served = export_sampler(path, os.path.join(tmp, "s.onnx"), args.mode, args.steps)
    res = {"load_average": os.getloadavg(), "model": args.model, "mode": args.mode, "rows": []}
    print(f"load average {res['load_average']}; {args.model} {args.mode}, {n} symbols")
    print(f"{'path':24s} {'batch':>6s} {'Msym/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s}")
    batches = [int(b) for b in args.batches.split(",")]
    for inst in (1, 2):
        with LocalServer({"s": served}, server_python(ROOT), instances=inst, lifetime=900) as srv:
            for b in batches:
                rows = []
                if inst == 1:
                    rows.append(("in-process", local_run(model, y, s2, b, args.mode, args.steps)))
                rows.append((f"remote, {inst} in flight", remote_run(srv.url, "s", y, s2, b, inst)))
                for name, st in rows:
                    print(
                        f"{name:24s} {b:6d} {st['symbols_per_s'] / 1e6:8.3f} "
                        f"{st['p50_ms']:8.2f} {st['p99_ms']:8.2f}",
                        flush=True,
                    )
                    res["rows"].append(dict(st, path=name, batch=b))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
