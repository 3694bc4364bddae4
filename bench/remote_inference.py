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
      [--batches 256,2048,8192] [--symbols 200000] [--parts client,flowgraph]
      [--json out.json]

client (NumPy): diffusion.core.samplers.denoise on a DdpmModel (one thread) vs
diffusion.core.remote_inference.RemoteSampler (binary tensors, keep-alive connections) on a
server running the exported sampler graph with one onnxruntime thread per model instance
(instances = in-flight count); symbols/s and per-request latency.
flowgraph (C++ block): vector_source -> diffusion.ddpm_denoiser -> vector_sink, the block
in process (engine 'auto': the table engine, and 'onnxruntime': the network the server
runs) vs remote (libcurl client, lib/remote_engine.cc) with the model file and without one
(model_path ""); symbols per wall second and per CPU second (this process + the server's
process group, from /proc), outputs checked equal (remote vs onnxruntime, 1e-6).
Both on this machine: the figures show the protocol's overhead; a GPU server or several
radios sharing one are where remote pays (docs/deployment.md). Prints the load average:
the machine is shared.
"""

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
from _path import ROOT  # bench/_path.py: how bench scripts find the package
from gnuradio import blocks, diffusion, gr  # noqa: E402
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


def group_cpu_s(pgid):
    """CPU seconds (user + system) of the live processes of process group pgid (/proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after "(comm)": state ppid pgrp ... utime stime
            total += int(fields[11]) + int(fields[12])
    return total / tick


def flowgraph_run(y, esn0_db, server=None, **kw):
    """y through the C++ ddpm_denoiser (kw: its keyword parameters) in a flowgraph: output,
    symbols per wall second and per CPU second (this process + the server's group)."""
    tb = gr.top_block()
    src = blocks.vector_source_c(y.tolist(), False)
    den = diffusion.ddpm_denoiser(esn0_db=esn0_db, **kw)
    snk = blocks.vector_sink_c()
    tb.connect(src, den, snk)
    srv0 = group_cpu_s(server.proc.pid) if server else 0.0
    c0, t0 = time.process_time(), time.perf_counter()
    tb.run()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    srv = group_cpu_s(server.proc.pid) - srv0 if server else 0.0
    out = np.array(snk.data())
    assert den.remote_up() and out.shape == y.shape
    return out, {
        "symbols_per_s": len(y) / wall,
        "symbols_per_cpu_s": len(y) / (cpu + srv),
        "client_cpu_s": cpu,
        "server_cpu_s": srv,
        "engine": den.engine_name(),
    }


def flowgraph_rows(path, served, y, s2, batches, mode, steps, res):
    D = diffusion.ddpm_denoiser
    esn0_db = float(-10 * np.log10(s2[0]))
    common = dict(mode=D.DDIM if mode == "ddim" else D.TWEEDIE, ddim_steps=steps)
    print(
        f"{'C++ block in a flowgraph':34s} {'batch':>6s} {'Msym/s':>8s} "
        f"{'Msym/CPU-s':>10s} {'server CPU':>10s}"
    )
    for inst in (1, 2):
        with LocalServer({"s": served}, server_python(ROOT), instances=inst, lifetime=900) as srv:
            for b in batches:
                runs = []
                if inst == 1:
                    for eng in ("auto", "onnxruntime"):
                        runs.append(
                            (f"in process ({eng})", None, dict(model_path=path, engine=eng))
                        )
                remote = dict(server_url=srv.url, served_model="s", in_flight=inst)
                runs.append(
                    (f"remote, model file, {inst} in flight", srv, dict(remote, model_path=path))
                )
                runs.append(
                    (f"remote, no model file, {inst} in flight", srv, dict(remote, model_path=""))
                )
                for name, server, kw in runs:
                    out, st = flowgraph_run(y, esn0_db, server, batch_size=b, **common, **kw)
                    if "onnxruntime" in name:
                        res.setdefault("_reference", {})[b] = out
                    elif "remote" in name:
                        ref = res["_reference"][b]
                        st["max_abs_vs_onnxruntime"] = float(np.max(np.abs(out - ref)))
                        assert st["max_abs_vs_onnxruntime"] <= 1e-6, (name, b)
                    print(
                        f"{name:34s} {b:6d} {st['symbols_per_s'] / 1e6:8.3f} "
                        f"{st['symbols_per_cpu_s'] / 1e6:10.3f} {st['server_cpu_s']:9.1f}s",
                        flush=True,
                    )
                    res["flowgraph"].append(dict(st, path=name, batch=b))
    res.pop("_reference", None)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="qpsk")
    ap.add_argument("--mode", default="tweedie", choices=("tweedie", "ddim"))
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batches", default="256,2048,8192")
    ap.add_argument("--symbols", type=int, default=200000)
    ap.add_argument(
        "--parts", default="client,flowgraph", help="client (NumPy), flowgraph (C++ block)"
    )
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
    res = {
        "load_average": os.getloadavg(),
        "model": args.model,
        "mode": args.mode,
        "rows": [],
        "flowgraph": [],
    }
    print(f"load average {res['load_average']}; {args.model} {args.mode}, {n} symbols")
    batches = [int(b) for b in args.batches.split(",")]
    parts = args.parts.split(",")
    if "flowgraph" in parts:
        flowgraph_rows(path, served, y, s2, batches, args.mode, args.steps, res)
    if "client" not in parts:
        batches = []
    else:
        print(f"{'path':24s} {'batch':>6s} {'Msym/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s}")
    for inst in (1, 2) if batches else ():
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
    res["load_average_end"] = os.getloadavg()
    print(f"load average at the end {res['load_average_end']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
