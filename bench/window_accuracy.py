#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Accuracy of a window eps-network (x [N, W, 2] -> eps [N, W, 2]) on phase-noisy windows.

    .venv/bin/python bench/window_accuracy.py models/qpsk_pn_w32.onnx

Plain onnxruntime + NumPy (no model loader): the windows are those of training
(diffusion.training.windows.clean_windows; --sdpsk: sdpsk_windows) at a fixed linewidth lw (and a residual carrier
offset uniform in +-cfo_max cycles/symbol, a uniform initial phase), plus AWGN
CN(0, sigma2), Es/N0 = 1/sigma2.  Every window is denoised by one Tweedie call at the
matched step t* = argmin_t |log((1 - abar_t)/abar_t) - log sigma2|:
x_t = sqrt(abar_t*) y, x0_hat = (x_t - sqrt(1 - abar_t*) eps_hat) / sqrt(abar_t*).
Reported, MSE = mean |x0_hat - s|^2 in dB against the clean rotated symbols s:
  input      the noisy input, y (= sigma2)
  window     all W symbols of every window
  centre     the centre W/2 symbols (lead W/4: what the streaming blocks keep at hop W/2)
  known-phase the exact per-symbol MMSE with the true phase known (derotate by theta,
             E[x | y] over the constellation, rotate back): a genie bound per symbol
  4th-power  a classical comparator on the same windows: a blind phase estimate per symbol
             from its L neighbours within the window, theta^_k = arg(sum_{|i-k|<=L/2} y_i^4
             / E[x^4])/4 (Viterbi & Viterbi, modulo the 90-degree symmetry, which the MSE
             against s does not see; for BPSK models the 2nd power, modulo 180 degrees),
             then the exact MMSE at theta^_k; L in 3, 9, W, the
             best L of each point chosen with hindsight (reported)
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)

from diffusion.core import reference, samplers  # noqa: E402
from diffusion.core.onnx_model import DdpmModel  # noqa: E402
from diffusion.training import windows as _win  # noqa: E402


def db(v):
    return 10.0 * np.log10(v)


def tweedie(model, y, sigma2):
    """x0_hat (complex [n, W]) of windows y (complex [n, W]) at the matched step, and that
    step: core.samplers' Tweedie estimate with the window model (core.onnx_model)."""
    info = {}
    xh = samplers.denoise(model, y, sigma2, "tweedie", info=info)
    return xh.astype(np.complex128), int(info["t"][0])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--esn0", type=float, nargs="+", default=[0, 3, 6, 10])
    ap.add_argument("--lw", type=float, nargs="+", default=[1e-3, 1e-2])
    ap.add_argument("--cfo-max", type=float, default=_win.F_MAX)
    ap.add_argument("--windows", type=int, default=2000, help="windows per point (2000)")
    ap.add_argument(
        "--sdpsk",
        action="store_true",
        help="SDPSK windows (training.windows.sdpsk_windows: consecutive symbols +-90 "
        "degrees apart) instead of i.i.d. constellation symbols",
    )
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    model = DdpmModel(args.model)
    W, pts = model.window_length, model.constellation.points
    M = 2 if len(pts) == 2 else 4  # the comparator's power: 2 for BPSK (180-degree symmetry)
    a = (W - W // 2) // 2
    rows = []
    t0 = time.time()
    for lw in args.lw:
        for k, esn0 in enumerate(args.esn0):
            rng = np.random.default_rng([args.seed, int(round(lw * 1e6)), k])
            if args.sdpsk:
                s, info = _win.sdpsk_windows(
                    args.windows, W, rng, lw, lw, args.cfo_max, return_info=True
                )
            else:
                s, info = _win.clean_windows(
                    pts, args.windows, W, rng, lw, lw, args.cfo_max, return_info=True
                )
            s2 = 10.0 ** (-esn0 / 10.0)
            y = s + np.sqrt(s2 / 2) * (
                rng.standard_normal(s.shape) + 1j * rng.standard_normal(s.shape)
            )
            xh, t = tweedie(model, y, s2)
            rot = np.exp(1j * info["theta"])
            kp = reference.mmse_estimate((y / rot).reshape(-1), pts, s2).reshape(s.shape) * rot
            # QPSK -1, square QAM -0.68, BPSK (M = 2) 1: the M-th power reference
            c4 = np.mean(pts**M)
            best = None
            for L in (3, 9, W):
                z = np.array([np.convolve(r, np.ones(L), mode="same") for r in y**M])
                rh = np.exp(1j * np.angle(z / c4) / M)
                vv = reference.mmse_estimate((y / rh).reshape(-1), pts, s2).reshape(s.shape) * rh
                m4 = np.mean(np.abs(vv - s) ** 2)
                if best is None or m4 < best[0]:
                    best = (m4, L)
            rows.append(
                {
                    "lw": lw,
                    "esn0_db": esn0,
                    "t": t,
                    "input_db": db(np.mean(np.abs(y - s) ** 2)),
                    "window_db": db(np.mean(np.abs(xh - s) ** 2)),
                    "centre_db": db(np.mean(np.abs(xh - s)[:, a : a + W // 2] ** 2)),
                    "known_phase_db": db(np.mean(np.abs(kp - s) ** 2)),
                    "fourth_power_db": db(best[0]),
                    "fourth_power_L": best[1],
                    "symbols": int(s.size),
                }
            )
    seconds = time.time() - t0
    print(
        f"{os.path.basename(args.model)}: W = {W}, {args.windows} windows x {W} symbols per "
        f"point{' (SDPSK sequences)' if args.sdpsk else ''}, seed {args.seed}, cfo uniform "
        f"+-{args.cfo_max:g} cycles/symbol ({seconds:.0f} s)"
    )
    print()
    print(
        "| lw | Es/N0 dB | t* | input (sigma2) dB | window tweedie dB | centre W/2 dB "
        "| known-phase MMSE dB | 4th-power + MMSE dB | gain over input dB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['lw']:g} | {r['esn0_db']:g} | {r['t']} | {r['input_db']:.2f} | "
            f"{r['window_db']:.2f} | {r['centre_db']:.2f} | {r['known_phase_db']:.2f} | "
            f"{r['fourth_power_db']:.2f} (L {r['fourth_power_L']}) | "
            f"{r['input_db'] - r['window_db']:.2f} |"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"model": args.model, "window": W, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
