#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Single-thread float32 matmul figures of this machine (a benchmark, not a test).

What one core can do, measured carefully, to check the FLOP ceiling the denoiser benchmarks
divide by:
  * the CPU model, its AVX2 / FMA / AVX-512 flags and the load average;
  * the core clock (dependent-add chain) and the float32 FMA peak of one core (register-only
    FMA chains), from build/lib/bench_engine --matmul when it is built;
  * the theoretical single-core peak: FMA units x floats per unit x 2 FLOP x clock (both the
    "2 x 256-bit FMA" count of Intel Haswell+/Zen 2+ and the 2 x 128-bit FMA of Zen 1);
  * NumPy (its BLAS) at 1024^3 and [B x 128] x [128 x 128], in a fresh interpreter whose
    OMP/OPENBLAS/MKL/... thread variables are set to 1 BEFORE NumPy is imported, and the same
    with 2 threads (what an unpinned run on this 2-core box measures);
  * torch with torch.set_num_threads(1) (and 2);
  * Eigen (bench_engine --matmul: 1 thread, sustained and fastest call).

    .venv/bin/python bench/matmul_ceiling.py [--bench-engine build/lib/bench_engine]
"""

import argparse
import json
import os
import subprocess
import sys

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
SHAPES = [(1024, 1024, 1024), (48, 128, 128), (256, 128, 128), (1024, 128, 128),
          (4096, 128, 128), (16384, 128, 128)]  # fmt: skip

# Runs in a fresh interpreter (the thread variables are read when the BLAS loads).
_CHILD = r"""
import json, sys, time
lib, threads, shapes = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
import numpy as np
if lib == "torch":
    import torch
    torch.set_num_threads(threads)
    info = f"torch {torch.__version__}, get_num_threads() = {torch.get_num_threads()}"
else:
    info = f"numpy {np.__version__}"
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info += f", BLAS {cfg.get('name')} {cfg.get('version', '')}".rstrip()
    except Exception:  # noqa: BLE001 (older NumPy)
        pass
out = []
for m, k, n in shapes:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    if lib == "torch":
        a, b = torch.from_numpy(a), torch.from_numpy(b)
        c = torch.empty(m, n)
        f = lambda: torch.matmul(a, b, out=c)
    else:
        c = np.empty((m, n), dtype=np.float32)
        f = lambda: np.matmul(a, b, out=c)
    fl = 2.0 * m * k * n
    f()
    # sustained: best of 3 rounds of >= 0.4 s; fastest: quickest single call of many
    sus = 0.0
    for _ in range(3):
        reps, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 0.4:
            f()
            reps += 1
        sus = max(sus, reps * fl / (time.perf_counter() - t0))
    fast = 0.0
    for _ in range(max(20, int(min(2000, 2e10 / fl)))):
        t0 = time.perf_counter()
        f()
        fast = max(fast, fl / (time.perf_counter() - t0))
    out.append([m, k, n, sus / 1e9, fast / 1e9])
print(json.dumps({"info": info, "rows": out}))
"""


def measure(lib, threads, shapes=SHAPES):
    """GFLOP/s rows [m, k, n, sustained, fastest] of numpy or torch on `threads` threads,
    measured in a fresh interpreter with every BLAS/OpenMP thread variable set first."""
    env = dict(os.environ)
    for v in THREAD_VARS:
        env[v] = str(threads)
    r = subprocess.run(
        [sys.executable, "-c", _CHILD, lib, str(threads), json.dumps(shapes)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(r.stdout.strip().splitlines()[-1])


def numpy_gflops(threads):
    """float32 1024^3 matmul GFLOP/s (sustained) of NumPy on `threads` threads."""
    return measure("numpy", threads, [(1024, 1024, 1024)])["rows"][0][3]


def cpu_info():
    model, flags, fam, mod = "?", set(), "?", "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            k, _, v = line.partition(":")
            k, v = k.strip(), v.strip()
            if k == "model name" and model == "?":
                model = v
            elif k == "flags" and not flags:
                flags = set(v.split())
            elif k == "cpu family" and fam == "?":
                fam = v
            elif k == "model" and mod == "?":
                mod = v
    return model, fam, mod, flags


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--bench-engine", default=os.path.join(root, "build", "lib", "bench_engine"))
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()

    model, fam, mod, flags = cpu_info()
    print(f"CPU: {model} (family {fam}, model {mod}), {os.cpu_count()} logical CPUs")
    print(
        "flags: "
        + ", ".join(f"{f} {'yes' if f in flags else 'no'}" for f in ("avx2", "fma", "avx512f"))
    )
    print(f"load average (1 min): {loadavg()}")

    ghz = None
    if os.path.exists(args.bench_engine):
        r = subprocess.run([args.bench_engine, "--matmul"], capture_output=True, text=True)
        print("\n--- bench_engine --matmul (C++, 1 thread) ---")
        print(r.stdout.rstrip())
        for line in r.stdout.splitlines():
            if line.startswith("core clock"):
                ghz = float(line.split(":")[1].split()[0])
    else:
        print(f"\n({args.bench_engine} not built: no clock / FMA peak / Eigen figures)")
    if ghz:
        print(f"\ntheoretical float32 peak of one core at {ghz:.2f} GHz:")
        print(
            f"  2 FMA units x 8 floats (256-bit) x 2 FLOP x clock = {32 * ghz:.1f} GFLOP/s "
            "(Intel Haswell+, AMD Zen 2+)"
        )
        print(
            f"  2 FMA units x 4 floats (128-bit) x 2 FLOP x clock = {16 * ghz:.1f} GFLOP/s "
            "(AMD Zen 1, family 23 model 1/17: 256-bit ops split in two)"
        )
        if "avx512f" in flags:
            print(f"  2 FMA units x 16 floats (AVX-512) x 2 FLOP x clock = {64 * ghz:.1f} GFLOP/s")
        print(f"  a 157 GFLOP/s single thread needs {157 / ghz:.0f} FLOP/cycle at {ghz:.2f} GHz")

    libs = ["numpy"] + ([] if args.no_torch else ["torch"])
    for lib in libs:
        for threads in (1, 2):
            try:
                res = measure(lib, threads)
            except (subprocess.CalledProcessError, OSError) as e:
                print(f"\n{lib}: not measured ({e})")
                break
            print(f"\n--- {res['info']}; {threads} thread(s), variables set before import ---")
            print("  shape                         sustained GFLOP/s   fastest call GFLOP/s")
            for m, k, n, sus, fast in res["rows"]:
                print(
                    f"  [{m:5d} x {k:4d}] x [{k:4d} x {n:4d}]   {sus:10.1f}          {fast:10.1f}"
                )
    print(f"\nload average (1 min): {loadavg()}")


if __name__ == "__main__":
    sys.exit(main())
