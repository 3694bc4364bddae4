#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Accuracy and speed of the DDPM receivers against the exact MMSE estimator in AWGN.

    .venv/bin/python bench/ddpm_accuracy.py                       # shipped models
    .venv/bin/python bench/ddpm_accuracy.py --const 16qam --model /tmp/x.onnx
    .venv/bin/python bench/ddpm_accuracy.py --oracle               # perfect network

For every constellation and Es/N0 (= 1/sigma^2, sigma^2 per complex sample) it draws
uniform symbols, adds AWGN and reports
  MMSE      exact E[x|y] MSE (dB) and the hard-decision (ML) SER;
  tweedie   MSE (dB), its excess over MMSE (dB), the error floor = MSE between the tweedie
            and the exact MMSE *estimates* (dB; the network's own error), sliced SER;
  ddim k, posterior, paper: MSE (dB) and sliced SER;
and the time per symbol of every mode (onnxruntime, 1 intra-op thread).
Writes everything to --json (default bench/results/ddpm_accuracy.json).
"""
import argparse
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

from diffusion import constellations, reference, samplers  # noqa: E402
from diffusion.onnx_model import DdpmModel  # noqa: E402
from diffusion.schedules import make_schedule  # noqa: E402

DEFAULT_MODES = ["tweedie", "ddim1", "ddim2", "ddim5", "ddim10", "posterior", "paper"]


def run_mode(model, y, s2, mode, rng):
    info = {}
    t0 = time.perf_counter()
    if mode.startswith("ddim"):
        est = samplers.denoise(model, y, s2, "ddim", steps=int(mode[4:]), info=info)
    else:
        est = samplers.denoise(model, y, s2, mode, rng=rng, info=info)
    dt = time.perf_counter() - t0
    return est, dt, info


def bench_constellation(model, const, snrs, n, n_iter, modes, seed, log=print):
    rows = []
    for snr in snrs:
        s2 = 10.0 ** (-snr / 10.0)
        rng = np.random.default_rng([seed, int(round(snr * 10)), len(const.points)])
        idx = rng.integers(0, len(const.points), n)
        x = const.points[idx]
        y = reference.awgn(x, s2, rng)
        mmse = reference.mmse_estimate(y, const, s2)
        row = {"snr_db": snr, "sigma2": s2, "n": n,
               "mmse_db": reference.mse_db(mmse, x),
               "hd_ser": reference.ser(y, idx, const),
               "mmse_ser": reference.ser(mmse, idx, const)}
        t_star, cl = model.schedule.matched_step(s2)
        row["t_star"], row["clamped"] = t_star, cl
        for mode in modes:
            m = n if mode in ("tweedie", "ddim1", "ddim2", "ddim5", "ddim10") else n_iter
            est, dt, info = run_mode(model, y[:m], s2, mode, rng)
            r = {"mse_db": reference.mse_db(est, x[:m]), "ser": reference.ser(est, idx[:m], const),
                 "us_per_symbol": dt / m * 1e6, "calls": info.get("calls"), "n": m}
            if mode == "tweedie":
                r["excess_db"] = r["mse_db"] - row["mmse_db"]
                r["floor_db"] = reference.mse_db(est, mmse)
            row[mode] = r
        rows.append(row)
        tw = row.get("tweedie", {})
        log(f"  {const.name:>6} {snr:5.1f} dB  t*={t_star:3d}{'!' if cl else ' '} "
            f"MMSE {row['mmse_db']:8.2f}  tweedie {tw.get('mse_db', float('nan')):8.2f} "
            f"(+{tw.get('excess_db', float('nan')):.3f} dB, floor {tw.get('floor_db', float('nan')):7.2f})  "
            f"SER hd {row['hd_ser']:.4g} tw {tw.get('ser', float('nan')):.4g}")
    return rows


def fmt_table(results, modes):
    lines = []
    for cname, res in results.items():
        lines.append(f"\n### {cname}  ({res['model']}, schedule {res['schedule']})\n")
        head = "| Es/N0 dB | t* | MMSE dB | " + " | ".join(
            f"{m} dB" for m in modes) + " | tweedie-MMSE dB | floor dB | SER hard | SER tweedie |"
        lines.append(head)
        lines.append("|" + "---|" * (head.count("|") - 1))
        for r in res["rows"]:
            cells = [f"{r['snr_db']:.0f}", f"{r['t_star']}{'*' if r['clamped'] else ''}",
                     f"{r['mmse_db']:.2f}"]
            cells += [f"{r[m]['mse_db']:.2f}" for m in modes]
            tw = r.get("tweedie", {})
            cells += [f"{tw.get('excess_db', float('nan')):+.3f}", f"{tw.get('floor_db', float('nan')):.1f}",
                      f"{r['hd_ser']:.3g}", f"{tw.get('ser', float('nan')):.3g}"]
            lines.append("| " + " | ".join(cells) + " |")
        ser_head = "| Es/N0 dB | SER hard | " + " | ".join(f"SER {m}" for m in modes) + " |"
        lines.append("\n" + ser_head)
        lines.append("|" + "---|" * (ser_head.count("|") - 1))
        for r in res["rows"]:
            cells = [f"{r['snr_db']:.0f}", f"{r['hd_ser']:.3g}"] + [f"{r[m]['ser']:.3g}" for m in modes]
            lines.append("| " + " | ".join(cells) + " |")
        t_head = "| mode | " + " | ".join(modes) + " |"
        lines.append("\nTime per symbol (us, 1 onnxruntime thread, mean over SNRs):\n")
        lines.append(t_head)
        lines.append("|" + "---|" * (t_head.count("|") - 1))
        us = [np.mean([r[m]["us_per_symbol"] for r in res["rows"]]) for m in modes]
        lines.append("| us/symbol | " + " | ".join(f"{u:.2f}" for u in us) + " |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=os.path.join(ROOT, "models"))
    ap.add_argument("--model", help="one model file (use with a single --const)")
    ap.add_argument("--const", nargs="+", default=["qpsk", "16qam", "64qam"])
    ap.add_argument("--snr", nargs="+", type=float, default=[0, 5, 10, 15, 20, 25])
    ap.add_argument("--n", type=int, default=200000, help="symbols for one-shot modes")
    ap.add_argument("--n-iter", type=int, default=20000, help="symbols for posterior/paper")
    ap.add_argument("--modes", nargs="+", default=DEFAULT_MODES)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--oracle", action="store_true", help="perfect network (exact MMSE eps)")
    ap.add_argument("--schedule", default="wide", help="schedule for --oracle")
    ap.add_argument("--json", default=os.path.join(ROOT, "bench", "results", "ddpm_accuracy.json"))
    ap.add_argument("--markdown", help="also write the tables to this file")
    args = ap.parse_args(argv)
    results = {}
    for cname in args.const:
        const = constellations.by_name(cname)
        if args.oracle:
            model = reference.OracleEpsModel(const, make_schedule(args.schedule), dtype=np.float32)
            mpath = f"oracle({args.schedule})"
        else:
            mpath = args.model or os.path.join(args.models, f"{cname}.onnx")
            model = DdpmModel(mpath, intra_op_threads=args.threads)
        print(f"{cname}: {mpath}  {model.schedule.summary()}")
        rows = bench_constellation(model, const, args.snr, args.n, args.n_iter, args.modes, args.seed)
        results[cname] = {"model": os.path.relpath(mpath, ROOT) if os.path.exists(mpath) else mpath,
                          "schedule": model.schedule.name, "rows": rows}
    table = fmt_table(results, args.modes)
    print(table)
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"args": vars(args), "results": results}, f, indent=1)
    print(f"\nwrote {args.json}")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
