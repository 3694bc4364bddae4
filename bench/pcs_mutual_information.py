#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Mutual information of probabilistically shaped QAM in AWGN: uniform, Maxwell-Boltzmann
(nu optimised per Es/N0) and the DDPM-generated PMFs (every sampler mode), plus the CCDM
rate loss of the matcher.

    .venv/bin/python bench/pcs_mutual_information.py                 # shipped models
    .venv/bin/python bench/pcs_mutual_information.py --model-dir /tmp/models --quick

For every constellation and Es/N0 (= 1/sigma2, sigma2 per complex sample; points rescaled
to unit average power under each PMF):
  C          Shannon capacity log2(1 + Es/N0)
  uniform    I(X;Y) with the uniform PMF
  MB         Maxwell-Boltzmann p ~ exp(-nu |x|^2), nu maximising I(X;Y)
  <mode>     DDPM PMF (diffusion.shaping.pmf.ddpm_pmf: n synthetic uniform symbols + AWGN at
             that Es/N0, denoised with the sampler mode, nearest point, histogram); the
             spread (+-) is the std over --bootstrap multinomial resamplings of the
             histogram, i.e. the PMF's sampling noise
  loss       CCDM rate loss H(C/n) - k/n of the matcher for block length --block (and the
             byte-aligned loss the blocks actually have)
  hard       I(X; X_hat) after nearest-point hard decisions (exact, per-rail erfc): the
             second table, for comparison with published "MI" figures that may be
             measured on decided symbols
All MI values by Gauss-Hermite (32 nodes per rail; <= 1e-4 bit, tests/test_shaping_mi.py).
Writes everything to --json (default bench/results/pcs_mutual_information.json).
"""

import argparse
import json
import os
import platform
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)

from diffusion.core import information_rate as ir  # noqa: E402
from diffusion.core.model_files import shipped_model  # noqa: E402
from diffusion.core.onnx_model import DdpmModel  # noqa: E402
from diffusion.shaping import distribution_matching as dm  # noqa: E402
from diffusion.shaping import pmf as shaping  # noqa: E402

MODES = ["tweedie", "ddim", "posterior", "paper"]
SNRS = [-5.0, 0.0, 5.0, 10.0, 15.0, 20.0]


def model_path(name, model_dir):
    if model_dir:
        p = os.path.join(model_dir, name + ".onnx")
        if not os.path.isfile(p):
            raise FileNotFoundError(p)
        return p
    return shipped_model(name)


def bootstrap_spread(c, counts, snr, k, seed):
    if k < 2:
        return None
    rng = np.random.default_rng(seed)
    n = int(counts.sum())
    p = counts / n
    vals = [ir.mi_awgn(c, rng.multinomial(n, p) / n, esn0_db=snr) for _ in range(k)]
    return float(np.std(vals, ddof=1))


def rate_loss(pmf, n):
    r = dm.ccdm_rate_loss(pmf, n)
    return {
        "rate_loss": r["rate_loss"],
        "byte_rate_loss": r["byte_rate_loss"],
        "k": r["k"],
        "bytes_per_block": r["bytes_per_block"],
    }


def run(args, log=print):
    results = {"config": vars(args), "host": platform.node(), "constellations": {}}
    for name in args.const:
        path = model_path(name, args.model_dir)
        model = DdpmModel(path, intra_op_threads=args.threads)
        c = model.constellation
        meta = {
            "model": os.path.abspath(path),
            "schedule": model.schedule.summary(),
            "training": model.training,
        }
        log(
            f"\n== {name}: {os.path.relpath(path, ROOT) if path.startswith(ROOT) else path}"
            f"  ({model.schedule.summary()})"
        )
        rows = []
        for snr in args.snr:
            t0 = time.perf_counter()
            uni = ir.mi_awgn(c, esn0_db=snr)
            mb = shaping.optimal_maxwell_boltzmann(c, snr)
            row = {
                "esn0_db": snr,
                "capacity": ir.capacity_awgn(snr),
                "uniform": {
                    "mi": uni,
                    "entropy": float(np.log2(c.order)),
                    "mi_hard": ir.mi_hard_decision(c, esn0_db=snr),
                    **rate_loss(np.full(c.order, 1 / c.order), args.block),
                },
                "maxwell_boltzmann": {
                    "mi": mb.info["mi"],
                    "nu": mb.info["nu"],
                    "entropy": mb.entropy,
                    "mi_hard": ir.mi_hard_decision(c, mb.pmf, esn0_db=snr),
                    **rate_loss(mb.pmf, args.block),
                },
                "ddpm": {},
            }
            for mode in args.modes:
                info = {}
                t1 = time.perf_counter()
                p = shaping.ddpm_pmf(
                    model, snr, mode, n_symbols=args.n_synthetic, seed=args.seed, info=info
                )
                dt = time.perf_counter() - t1
                mi = ir.mi_awgn(c, p, esn0_db=snr)
                row["ddpm"][mode] = {
                    "mi": mi,
                    "entropy": ir.entropy_bits(p),
                    "pmf": p.tolist(),
                    "mi_hard": ir.mi_hard_decision(c, p, esn0_db=snr),
                    "spread": bootstrap_spread(
                        c, info["counts"], snr, args.bootstrap, args.seed + 1
                    ),
                    "clamped": info["clamped"],
                    "matched_step": info["t"],
                    "network_calls": info["calls"],
                    "seconds": dt,
                    "minus_uniform": mi - uni,
                    "minus_mb": mi - mb.info["mi"],
                    **rate_loss(p, args.block),
                }
            row["seconds"] = time.perf_counter() - t0
            rows.append(row)
            log(format_row(row, args.modes))
        results["constellations"][name] = {"meta": meta, "rows": rows}
    return results


def header(modes):
    cols = ["Es/N0", "C", "uniform", "MB (nu)"] + [m for m in modes] + ["best-MB", "loss MB/DDPM"]
    return " | ".join(
        f"{c:>15}" if i >= 4 and i < 4 + len(modes) else f"{c:>8}" for i, c in enumerate(cols)
    )


def format_row(row, modes):
    d = row["ddpm"]
    cells = [
        f"{row['esn0_db']:8.1f}",
        f"{row['capacity']:8.4f}",
        f"{row['uniform']['mi']:8.4f}",
        f"{row['maxwell_boltzmann']['mi']:.4f}({row['maxwell_boltzmann']['nu']:.2f})",
    ]
    for m in modes:
        e = d[m]
        sp = f"+-{e['spread']:.4f}" if e["spread"] is not None else ""
        flag = "*" if e["clamped"] else " "
        cells.append(f"{e['mi']:8.4f}{sp}{flag}")
    best = max(d[m]["mi"] for m in modes) if modes else float("nan")
    cells.append(f"{best - row['maxwell_boltzmann']['mi']:+8.4f}")
    tw = d.get("tweedie", d[modes[0]]) if modes else None
    cells.append(
        f"{row['maxwell_boltzmann']['byte_rate_loss']:.3f}/{tw['byte_rate_loss']:.3f}" if tw else ""
    )
    return " | ".join(cells)


def hard_table(results, modes, log=print):
    log("\nHard-decision I(X; X_hat) (nearest point), bits/symbol:")
    log("   Es/N0 | uniform |      MB | " + " | ".join(f"{m:>9}" for m in modes))
    for name, res in results["constellations"].items():
        log(f"== {name}")
        for row in res["rows"]:
            cells = [
                f"{row['esn0_db']:8.1f}",
                f"{row['uniform']['mi_hard']:7.4f}",
                f"{row['maxwell_boltzmann']['mi_hard']:7.4f}",
            ]
            cells += [f"{row['ddpm'][m]['mi_hard']:9.4f}" for m in modes]
            log(" | ".join(cells))


def summarise(results, modes, log=print):
    log("\nSummary (DDPM-shaped vs uniform and Maxwell-Boltzmann; tolerance = 2 x spread):")
    for name, res in results["constellations"].items():
        for row in res["rows"]:
            for m in modes:
                e = row["ddpm"][m]
                tol = 2 * (e["spread"] or 0.0)
                below_uni = e["minus_uniform"] < -tol
                far_mb = e["minus_mb"] < -0.05
                if below_uni or far_mb:
                    why = []
                    if below_uni:
                        why.append(f"{e['minus_uniform']:+.4f} vs uniform")
                    if far_mb:
                        why.append(f"{e['minus_mb']:+.4f} vs MB")
                    log(f"  {name} {row['esn0_db']:5.1f} dB {m:9s}: " + ", ".join(why))


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--const", nargs="+", default=["16qam", "64qam"])
    ap.add_argument("--snr", nargs="+", type=float, default=SNRS)
    ap.add_argument("--modes", nargs="+", default=MODES, choices=MODES)
    ap.add_argument("--model-dir", help="directory with <const>.onnx (default: shipped models)")
    ap.add_argument("--n-synthetic", type=int, default=1 << 16)
    ap.add_argument("--block", type=int, default=4096, help="CCDM block length n")
    ap.add_argument("--bootstrap", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="8192 synthetic symbols, no bootstrap")
    ap.add_argument(
        "--json", default=os.path.join(ROOT, "bench", "results", "pcs_mutual_information.json")
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.n_synthetic, args.bootstrap = 8192, 0
    print(
        f"I(X;Y) in bits/symbol, AWGN; DDPM PMFs from {args.n_synthetic} synthetic symbols "
        f"(seed {args.seed}); * = Es/N0 below the model's schedule (clamped step); "
        f"loss = byte-aligned CCDM rate loss at n = {args.block}"
    )
    print(header(args.modes))
    res = run(args)
    hard_table(res, args.modes)
    summarise(res, args.modes)
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(res, f, indent=1)
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
