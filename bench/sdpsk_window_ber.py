#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Did a window model learn the SDPSK sequence structure?  BER of differential decisions.

    .venv/bin/python bench/sdpsk_window_ber.py models/sdpsk_pn_w32.onnx \\
        models/qpsk_pn_w32.onnx --esn0 4 5 6 7 8

Plain onnxruntime + NumPy.  Simulated SDPSK (diffusion.training.windows.sdpsk_windows: one
long sequence per point, --n symbols) with Wiener phase noise of linewidth x symbol time
--lw, a carrier offset uniform in +-(--cfo-max) cycles/symbol (one per point), a uniform
initial phase, plus AWGN CN(0, sigma2), Es/N0 = 1/sigma2.  Bits from differential decisions
b_k = [Im(z_k z*_(k-1)) > 0] (diffusion.link.orbcomm.differential_bits) on
  raw        the noisy symbols y (the stock differential detector)
  <model>    y denoised by the window model: tiles of W at hop W/2, the centre W/2 kept
             (the streaming blocks' geometry), one Tweedie call per window at the matched
             step (bench/window_accuracy.tweedie)
  sqlaw L    classical sequence-aware comparator: u_k = y_k j^-k is differential BPSK on a
             line at the carrier phase; the line's angle from sum over L neighbours of u^2
             (square law, mod 180 degrees), coherent sign decisions on u, then differential
             decoding (b_k from the sign change; the 180-degree ambiguity cancels); best L
             of 8, 16, 32, 64 with hindsight
  theory     0.5 exp(-Es/N0) (differential detection of DBPSK = SDPSK) and 2p(1-p),
             p = Q(sqrt(2 Es/N0)) (coherent detection with differential decoding, known phase)
--dbpsk: DBPSK sequences instead (diffusion.link.psk_signal, bit 1 = a 180-degree turn),
decisions [Re(z_k z*_(k-1)) < 0], the square law on y itself (a BPSK prior such as
models/bpsk_pn_w32.onnx).
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)

HERE = os.path.dirname(os.path.abspath(__file__))

from window_accuracy import tweedie  # noqa: E402

from diffusion.core.onnx_model import DdpmModel  # noqa: E402
from diffusion.link import psk_signal  # noqa: E402
from diffusion.training import windows as _win  # noqa: E402


def diff_bits(z, dbpsk=False):
    d = z[1:] * np.conj(z[:-1])
    return (d.real < 0 if dbpsk else d.imag > 0).astype(np.uint8)


def denoise_stream(model, y, sigma2):
    """Centre-kept tiling (hop H = W/2, lead a = (W - H)//2) of one long sequence."""
    W = model.window_length
    H = W // 2
    a = (W - H) // 2
    n = len(y)
    pad = np.concatenate([np.zeros(W), y, np.zeros(2 * W)])
    starts = np.arange(0, n + W, H)  # window m covers pad[s : s + W]; keeps s + a .. s + a + H
    win = pad[starts[:, None] + np.arange(W)[None, :]]
    xh, _ = tweedie(model, win, sigma2)
    out = np.zeros(len(pad), dtype=complex)
    for m, s0 in enumerate(starts):
        out[s0 + a : s0 + a + H] = xh[m, a : a + H]
    return out[W : W + n]


def sqlaw_bits(y, L, dbpsk=False):
    k = np.arange(len(y))
    u = y if dbpsk else y * (1j ** (-(k % 4)))
    r = np.convolve(u**2, np.ones(L), mode="same")
    line = np.exp(1j * np.angle(r) / 2)
    # the 180-degree ambiguity of each estimate: keep the line continuous
    d = np.angle(line[1:] * np.conj(line[:-1]))
    flip = np.concatenate([[0], np.cumsum(np.abs(d) > math.pi / 2)]) % 2
    line = line * np.where(flip == 1, -1, 1)
    c = np.sign((u * np.conj(line)).real)
    # s_k = s_(k-1) * j^(+1) for bit 1: u_k = u_(k-1) for bit 1, -u_(k-1) for bit 0
    # (DBPSK: bit 1 flips the sign)
    return ((c[1:] != c[:-1]) if dbpsk else (c[1:] == c[:-1])).astype(np.uint8)


def qfunc(x):
    return 0.5 * math.erfc(x / math.sqrt(2))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("models", nargs="+")
    ap.add_argument("--esn0", type=float, nargs="+", default=[4, 5, 6, 7, 8])
    ap.add_argument("--lw", type=float, default=1e-3)
    ap.add_argument("--cfo-max", type=float, default=_win.F_MAX)
    ap.add_argument("--n", type=int, default=1 << 17, help="symbols per point")
    ap.add_argument(
        "--dbpsk",
        action="store_true",
        help="DBPSK sequences (link.psk_signal: bit 1 turns the phase by 180 degrees) with the "
        "same phase model, decisions Re(z_k z*_(k-1)) < 0, for BPSK priors",
    )
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    models = []
    for i, p in enumerate(args.models):
        name = os.path.splitext(os.path.basename(p))[0]
        name = name if name not in [m[0] for m in models] else f"{name}#{i}"
        models.append((name, DdpmModel(p)))
    rows = []
    t0 = time.time()
    for k, esn0 in enumerate(args.esn0):
        rng = np.random.default_rng([args.seed, k])
        if args.dbpsk:
            x, bits = psk_signal.psk_symbols("dbpsk", args.n, rng)
            theta = _win.phase_trajectories(1, args.n, rng, args.lw, args.lw, args.cfo_max)[0]
            s = x * np.exp(1j * theta[0])
        else:
            s, info = _win.sdpsk_windows(
                1, args.n, rng, args.lw, args.lw, args.cfo_max, return_info=True
            )
            s, bits = s[0], info["bits"][0]
        s2 = 10.0 ** (-esn0 / 10.0)
        y = s + np.sqrt(s2 / 2) * (rng.standard_normal(s.shape) + 1j * rng.standard_normal(s.shape))
        row = {"esn0_db": esn0, "lw": args.lw, "n": args.n}
        row["raw"] = float(np.mean(diff_bits(y, args.dbpsk) != bits))
        for name, model in models:
            z = denoise_stream(model, y, s2)
            row[name] = float(np.mean(diff_bits(z, args.dbpsk) != bits))
        best = None
        for L in (8, 16, 32, 64):
            b = float(np.mean(sqlaw_bits(y, L, args.dbpsk) != bits))
            if best is None or b < best[0]:
                best = (b, L)
        row["sqlaw"], row["sqlaw_L"] = best
        g = 10 ** (esn0 / 10)
        p = qfunc(math.sqrt(2 * g))
        row["theory_differential"] = 0.5 * math.exp(-g)
        row["theory_coherent"] = 2 * p * (1 - p)
        rows.append(row)
        print(
            f"[{time.time() - t0:5.1f} s] {esn0:4.1f} dB  "
            + "  ".join(
                f"{k_} {v:.4g}" if isinstance(v, float) else f"{k_} {v}"
                for k_, v in row.items()
                if k_ not in ("esn0_db", "lw", "n")
            ),
            flush=True,
        )
    names = [m[0] for m in models]
    kind = "DBPSK" if args.dbpsk else "SDPSK"
    print(f"\n{kind}, lw {args.lw:g}, cfo +-{args.cfo_max:g}, {args.n} symbols per point (BER)")
    print(
        "| Es/N0 dB | raw differential | "
        + " | ".join(names)
        + " | square law + coherent (L) | theory differential | theory coherent |"
    )
    print("|---|---|" + "---|" * len(names) + "---|---|---|")
    for r in rows:
        print(
            f"| {r['esn0_db']:g} | {r['raw']:.4f} | "
            + " | ".join(f"{r[n]:.4f}" for n in names)
            + f" | {r['sqlaw']:.4f} ({r['sqlaw_L']}) | {r['theory_differential']:.4f} | "
            f"{r['theory_coherent']:.4f} |"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
