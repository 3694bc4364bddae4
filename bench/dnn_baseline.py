#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""DNN baseline receivers against the exact MMSE estimator and hard decisions in AWGN.

    .venv/bin/python bench/dnn_baseline.py                  # the three shipped DNN models
    .venv/bin/python bench/dnn_baseline.py --model /tmp/x.onnx --esn0 0 10 20 -n 100000

For every model and Es/N0 (= 1/sigma^2, sigma^2 per complex sample) it draws n uniform
symbols of the model's constellation (seeded), adds AWGN and reports
  MMSE     MSE (dB) of the exact E[x|y] (diffusion.core.reference.mmse_estimate)
  HD       SER of hard (nearest-point = ML) decisions on y, MSE (dB) of those points
  blind    MSE (dB) of E[x|y] with Es/N0 unknown and uniform over the model's training range:
           the target of a DNN without a noise-level input (what perfect training
           converges to; optimal on average over that range, not at each Es/N0)
  DNN      MSE (dB) of the soft output ('expected': regression x_hat, or the softmax
           expectation), its excess over MMSE (dB), SER of the hard output ('argmax':
           the nearest point to x_hat, or the arg-max class)
and the inference time per symbol (onnxruntime, 1 thread).  Writes --json
(default bench/results/dnn_baseline.json).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)

from diffusion.core import reference  # noqa: E402
from diffusion.core.dnn_model import SHIPPED_DNN, DnnModel, snr_mixture_mmse  # noqa: E402


def mse_db(a, b):
    return reference.mse_db(a, b)


def bench_model(path, esn0s, n, seed, n_target=None):
    model = DnnModel(path, intra_op_threads=1)
    const = model.constellation
    rng_train = model.training_esn0_range
    rows = []
    for esn0 in esn0s:
        rng = np.random.default_rng(seed + int(round(10 * esn0)))
        idx = rng.integers(0, const.order, n)
        x = const.points[idx]
        s2 = 10.0 ** (-esn0 / 10.0)
        y = reference.awgn(x, s2, rng).astype(np.complex64)
        mmse = reference.mmse_estimate(y, const, s2)
        hd_idx = const.slice(y)
        t0 = time.perf_counter()
        soft = model.estimate(y, s2, "expected")
        dt = time.perf_counter() - t0
        hard_idx = model.indices(y, s2)
        row = {
            "esn0_db": esn0,
            "n": n,
            "mmse_mse_db": mse_db(mmse, x),
            "hd_mse_db": mse_db(const.points[hd_idx], x),
            "hd_ser": float(np.mean(hd_idx != idx)),
            "mmse_sliced_ser": float(np.mean(const.slice(mmse) != idx)),
            "dnn_mse_db": mse_db(soft, x),
            "dnn_hard_mse_db": mse_db(const.points[hard_idx], x),
            "dnn_ser": float(np.mean(hard_idx != idx)),
            "dnn_soft_sliced_ser": float(np.mean(const.slice(soft) != idx)),
            "dnn_us_per_symbol": 1e6 * dt / n,
        }
        row["dnn_excess_db"] = row["dnn_mse_db"] - row["mmse_mse_db"]
        if not model.snr_input and rng_train is not None:
            m = n if not n_target else min(n, n_target)
            est = snr_mixture_mmse(y[:m], const, *rng_train)
            row["blind_target_mse_db"] = mse_db(est, x[:m])
            row["blind_target_sliced_ser"] = float(np.mean(const.slice(est) != idx[:m]))
            row["blind_target_n"] = m
            row["dnn_mse_db_on_target_subset"] = mse_db(soft[:m], x[:m])
            row["dnn_ser_on_target_subset"] = float(np.mean(hard_idx[:m] != idx[:m]))
        rows.append(row)
    return {
        "model": os.path.basename(path),
        "path": path,
        "head": model.head,
        "snr_input": model.snr_input,
        "constellation": const.name,
        "training": model.metadata.get("training", ""),
        "rows": rows,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--model",
        nargs="+",
        default=list(SHIPPED_DNN),
        help="model files or shipped names (default: the shipped DNN models)",
    )
    ap.add_argument("--esn0", type=float, nargs="+", default=[0.0, 5.0, 10.0, 15.0, 20.0])
    ap.add_argument("-n", type=int, default=200_000, help="symbols per point")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--json", default=os.path.join(ROOT, "bench", "results", "dnn_baseline.json"))
    ap.add_argument(
        "--target-n",
        type=int,
        default=0,
        help="symbols for the blind target columns (0: all; costs n x M x 41)",
    )
    args = ap.parse_args(argv)
    results = [bench_model(m, args.esn0, args.n, args.seed, args.target_n) for m in args.model]
    nan = float("nan")
    hdr = (
        f"{'model':<26} {'Es/N0':>5} | {'MSE dB:':>7} {'MMSE':>7} {'DNN':>7} {'excess':>6} "
        f"{'target':>7} | {'SER:':>4} {'HD':>8} {'MMSE>HD':>8} {'DNN':>8} {'DNNsoft':>8} "
        f"{'target':>8} | {'us/sym':>6}"
    )
    nt = args.n if not args.target_n else min(args.n, args.target_n)
    print(
        f"{args.n} symbols per row (blind target: the first {nt}).  MSE vs the "
        "transmitted symbols; excess = DNN - MMSE;\n"
        "target = E[x|y] with Es/N0 unknown over the training range (what a noise-level-blind "
        "DNN converges to); SER: HD = nearest point of y,\nMMSE>HD = MMSE estimate sliced, "
        "DNN = hard output (argmax / nearest point), DNNsoft = soft output sliced, target "
        "sliced."
    )
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        name = r["model"][:-5] if r["model"].endswith(".onnx") else r["model"]
        for row in r["rows"]:
            print(
                f"{name:<26} {row['esn0_db']:>5.1f} | {'':>7} {row['mmse_mse_db']:>7.2f} "
                f"{row['dnn_mse_db']:>7.2f} {row['dnn_excess_db']:>6.2f} "
                f"{row.get('blind_target_mse_db', nan):>7.2f} | {'':>4} {row['hd_ser']:>8.5f} "
                f"{row['mmse_sliced_ser']:>8.5f} {row['dnn_ser']:>8.5f} "
                f"{row['dnn_soft_sliced_ser']:>8.5f} "
                f"{row.get('blind_target_sliced_ser', nan):>8.5f} | "
                f"{row['dnn_us_per_symbol']:>6.3f}"
            )
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(
            {"esn0_db": args.esn0, "n": args.n, "seed": args.seed, "results": results}, f, indent=1
        )
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
