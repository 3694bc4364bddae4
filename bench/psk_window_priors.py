#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Window priors on simulated satellite PSK links: bit and block errors of psk_receiver
with and without a window prior against the textbook stock GNU Radio chain, on the same
noisy inputs in the same run (issue 21, item 3).

    python bench/psk_window_priors.py                           # BPSK and DBPSK, 2-6 dB
    python bench/psk_window_priors.py --modulations dbpsk --esn0 3 4 --seeds 1 2 --lw 1e-4

Signal: diffusion.link.psk_signal (random data, RRC 0.4 at 2 samples/symbol, a carrier
offset uniform in +-0.1 cycles/sample per point, Wiener phase noise of linewidth x symbol
time --lw, AWGN at Es/N0 per symbol). Receivers, counting and the loops' start-up:
gnuradio.diffusion.flowgraphs.psk_benchmark (SIM_RECEIVERS). Blocks of 256 bits; for
coherent BPSK each block resolves the Costas loop's 180-degree ambiguity (a sync word).
Results: bench/results_psk_window_priors.md.
"""

import argparse
import json
import math
import sys
import time

from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modulations", nargs="+", default=["bpsk", "dbpsk"])
    ap.add_argument("--esn0", type=float, nargs="+", default=[2, 3, 4, 5, 6])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--model", default="bpsk_pn_w32", help="window prior (name or path)")
    ap.add_argument("--symbols", type=int, default=20000, help="symbols per seed and point")
    ap.add_argument("--lw", type=float, default=1e-3, help="linewidth x symbol time")
    ap.add_argument(
        "--costas-bw", type=float, default=0.02, help="every Costas loop's bandwidth (0.02)"
    )
    ap.add_argument(
        "--max-offset",
        type=float,
        default=0.1,
        help="carrier offset uniform in +-this, cycles/sample (0.1; the textbook chain's "
        "estimator needs |M f| < 1/(2 sps): 0.06 for QPSK at 2 samples/symbol)",
    )
    ap.add_argument("--out", default="", help="write the per-seed counts as JSON")
    a = ap.parse_args(argv)

    from gnuradio.diffusion.core.model_info import resolve
    from gnuradio.diffusion.flowgraphs import psk_benchmark as pb

    model = resolve(a.model) if a.model else ""
    t0 = time.time()
    cpu0 = time.process_time()
    results = {}
    for mod in a.modulations:
        for esn0 in a.esn0:
            tot = {}
            for seed in a.seeds:
                r = pb.simulated_errors(
                    mod,
                    esn0,
                    seed,
                    model,
                    n_symbols=a.symbols,
                    lw=a.lw,
                    costas_bw=a.costas_bw,
                    max_offset=a.max_offset,
                )
                print(f"{mod} {esn0:g} dB seed {seed}: {r}", file=sys.stderr)
                for name, v in r.items():
                    acc = tot.setdefault(name, dict(bit_errors=0, bits=0, block_errors=0, blocks=0))
                    for k in acc:
                        acc[k] += v[k]
            results[(mod, esn0)] = tot
    names = [n for n in pb.SIM_RECEIVERS if any(n in t for t in results.values())]
    print(
        f"model {a.model}, lw {a.lw:g}, Costas bw {a.costas_bw:g}, offset +-{a.max_offset:g} "
        f"cycles/sample, seeds {a.seeds}, "
        f"{a.symbols} symbols per seed "
        f"({time.time() - t0:.0f} s wall, {time.process_time() - cpu0:.0f} s CPU)"
    )
    print()
    print("BER (block error rate, blocks of 256 bits) per receiver")
    print()
    print(f"| modulation | Es/N0 dB | {' | '.join(names)} |")
    print("|---|---|" + "---|" * len(names))
    for (mod, esn0), tot in results.items():
        cells = []
        for n in names:
            v = tot.get(n)
            if v is None:
                cells.append("-")
                continue
            cells.append(
                f"{v['bit_errors'] / v['bits']:.2e} ({v['block_errors'] / v['blocks']:.3f})"
            )
        print(f"| {mod} | {esn0:g} | {' | '.join(cells)} |")
    print()
    print(
        "(BER theory, known phase: BPSK p = Q(sqrt(2 Es/N0)); DBPSK coherent + differential "
        "decoding 2p(1-p), differential detection 0.5 exp(-Es/N0):"
    )
    for e in a.esn0:
        p = 0.5 * math.erfc(math.sqrt(10 ** (e / 10)))
        print(
            f"  {e:g} dB: {p:.2e}, {2 * p * (1 - p):.2e}, {0.5 * math.exp(-(10 ** (e / 10))):.2e}"
        )
    print(")")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({f"{m} {e:g}": v for (m, e), v in results.items()}, f, indent=1)


if __name__ == "__main__":
    main()
