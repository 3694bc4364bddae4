#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Coded BER/FER of the LDPC link (diffusion.flowgraphs.coded_link) against Es/N0, per demapper, for AWGN
and mismatched hardware; prints a table with 95 % Clopper-Pearson intervals and the Es/N0
at which each demapper reaches FER 1e-2, and writes JSON (bench/results/coded_link.json).

  .venv/bin/python bench/coded_link.py [--quick] [--max-frames N] [--cases awgn,pa,pa_pn]
      [--demappers nominal,maxlog,learned,prior,oracle] [--step 0.1] [--stop 100]

A coarse pass (100 frames a point) finds the waterfall; a fine pass every 0.1 dB around it
runs frames in batches until 100 frame errors or --max-frames frames (FER down to ~1e-3
needs >= 3000 frames for a usable interval). Real GNU Radio flowgraphs; fixed seeds.
"""

import argparse
import json
import math
import os
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)
from gnuradio.diffusion.flowgraphs.coded_link import (  # noqa: E402
    CodedLinkFlowgraph,
    demapper_mixture,
)
from scipy.stats import beta

CASES = {
    # name: (chain spec, model for 'learned', model for 'prior', Es/N0 grid dB)
    "awgn": ("", "", "16qam", np.arange(6.5, 9.01, 0.5)),
    "pa": ("16qam+rapp(ibo=0,p=2)+agc", "16qam_rapp", "", np.arange(7.0, 11.01, 0.5)),
    "pa64": ("64qam+rapp(ibo=0,p=2)+agc", "64qam_rapp", "", np.arange(11.5, 15.01, 0.5)),
    "pa_pn": (
        "16qam+rapp(ibo=0,p=2)+phase_noise(1e-4)+agc",
        "16qam_rapp_pn",
        "",
        np.arange(9.0, 16.01, 0.5),
    ),
}


def clopper_pearson(k, n, conf=0.95):
    a = (1 - conf) / 2
    lo = 0.0 if k == 0 else float(beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - a, k + 1, n - k))
    return lo, hi


def run_point(esn0, chain, mixture, max_frames, batch, seed, max_log=False, stop=100):
    fe = fr = be = bits = 0
    while fr < max_frames and fe < stop:
        n = min(batch, max_frames - fr)
        const = chain.split("+")[0] if chain else "16qam"
        tb = CodedLinkFlowgraph(
            esn0,
            constellation=const,
            chain=chain,
            demapper=mixture,
            frames=n,
            seed=seed + fr,
            max_log=max_log,
        )
        tb.run()
        r = tb.results()
        if r["frames"] == 0:
            # a chain with a pilot phase tracker holds back its last < B + 1 samples, so a
            # batch of n frames decodes n - 1: stop rather than loop on 1-frame batches
            break
        fe += r["frame_errors"]
        fr += r["frames"]
        be += r["bit_errors"]
        bits += r["bits"]
    lo, hi = clopper_pearson(fe, fr)
    return {
        "esn0_db": float(esn0),
        "frames": fr,
        "frame_errors": fe,
        "fer": fe / fr,
        "fer_ci": [lo, hi],
        "ber": be / bits,
    }


def sweep(grid, chain, mix, args, max_log=False):
    """Coarse pass (100 frames a point) over ``grid`` to find the waterfall, then a fine pass
    every 0.1 dB over the two coarse steps around the first point below FER 0.5, with up to
    --max-frames frames a point (100 frame errors stop a point early)."""
    coarse = [
        run_point(e, chain, mix, 100, min(args.batch, 100), 1000, max_log, args.stop) for e in grid
    ]
    below = [i for i, p in enumerate(coarse) if p["fer"] < 0.5]
    if not below:
        return coarse
    i = below[0]
    lo = coarse[max(i - 1, 0)]["esn0_db"]
    hi = coarse[min(i + 1, len(coarse) - 1)]["esn0_db"]
    fine = [
        run_point(e, chain, mix, args.max_frames, args.batch, 2000, max_log, args.stop)
        for e in np.round(np.arange(lo, hi + 1e-9, args.step), 2)
    ]
    keep = [p for p in coarse if p["esn0_db"] < lo - 1e-9 or p["esn0_db"] > hi + 1e-9]
    return sorted(keep + fine, key=lambda p: p["esn0_db"])


def esn0_at(points, target=1e-2):
    """Es/N0 where log10(FER) crosses log10(target), linear interpolation; None if never."""
    for a, b in zip(points, points[1:]):
        if a["fer"] >= target > b["fer"]:
            la = math.log10(max(a["fer"], 1e-6))
            lb = math.log10(max(b["fer"], 1e-6))
            t = (la - math.log10(target)) / (la - lb) if la != lb else 0.0
            return a["esn0_db"] + t * (b["esn0_db"] - a["esn0_db"])
    return None


def model_path(name):
    if not name:
        return ""
    p = os.path.join(ROOT, "models", name + ".onnx")
    return p if os.path.isfile(p) else ""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few frames, coarse grid")
    ap.add_argument("--max-frames", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--cases", default="awgn,pa,pa_pn")
    ap.add_argument("--demappers", default="", help="comma list (default: all that apply)")
    ap.add_argument("--step", type=float, default=0.1, help="fine-pass Es/N0 step, dB")
    ap.add_argument("--stop", type=int, default=100, help="frame errors that end a point")
    ap.add_argument("--json", default=os.path.join(ROOT, "bench", "results", "coded_link.json"))
    ap.add_argument("--grid", default="", help="coarse Es/N0 grid lo:hi:step (dB) for every case")
    ap.add_argument(
        "--points",
        default="",
        help="comma list of Es/N0 (dB): no coarse pass, every point runs up to --max-frames "
        "frames (--stop frame errors end it), seed 2000 as the fine pass",
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.max_frames, args.batch = 200, 100
    out = {"machine": os.uname().nodename, "cases": {}}
    for case in args.cases.split(","):
        chain, learned, prior, grid = CASES[case]
        if args.grid:
            lo, hi, st = (float(v) for v in args.grid.split(":"))
            grid = np.arange(lo, hi + 1e-9, st)
        if args.quick:
            grid = grid[::2]
        demappers = {"nominal": "nominal", "maxlog": "nominal"}
        if chain:
            demappers["oracle"] = "oracle"  # without a chain it is the nominal demapper
        if model_path(learned):
            demappers["learned"] = ("learned", model_path(learned))
        if model_path(prior):
            demappers["prior"] = ("prior", model_path(prior))
        if args.demappers:
            want = args.demappers.split(",")
            demappers = {k: v for k, v in demappers.items() if k in want}
        res = {}
        for name, spec in demappers.items():
            kind, model = spec if isinstance(spec, tuple) else (spec, "")
            t0 = time.time()
            const = chain.split("+")[0] if chain else "16qam"
            mix = demapper_mixture(kind, const, model=model, chain=chain)
            if args.points:
                pts = [
                    run_point(
                        float(e),
                        chain,
                        mix,
                        args.max_frames,
                        args.batch,
                        2000,
                        name == "maxlog",
                        args.stop,
                    )
                    for e in args.points.split(",")
                ]
            else:
                pts = sweep(grid, chain, mix, args, max_log=name == "maxlog")
            res[name] = {
                "points": pts,
                "esn0_at_fer_1e-2": esn0_at(pts),
                "seconds": time.time() - t0,
            }
            print(f"{case:6s} {name:8s} Es/N0 @ FER 1e-2: {res[name]['esn0_at_fer_1e-2']}")
            for p in pts:
                print(
                    f"    {p['esn0_db']:5.2f} dB  FER {p['fer']:.2e} "
                    f"[{p['fer_ci'][0]:.1e}, {p['fer_ci'][1]:.1e}]  BER {p['ber']:.2e}  "
                    f"({p['frame_errors']}/{p['frames']})"
                )
        out["cases"][case] = {"chain": chain, "demappers": res}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", args.json)


if __name__ == "__main__":
    main()
