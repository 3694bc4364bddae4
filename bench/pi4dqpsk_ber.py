#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""pi/4-DQPSK through psk_receiver(modulation='pi4dqpsk'): bit error rate against the theory
of differential detection, without and with the Costas loop and the qpsk_pn_w32 window
prior, on the same noisy inputs in the same run (issue 21).

    python bench/pi4dqpsk_ber.py                        # Es/N0 4-12 dB, seeds 1-3
    python bench/pi4dqpsk_ber.py --esn0 6 10 --seeds 1 --model ""

Link and receivers: gnuradio.diffusion.flowgraphs.psk_benchmark.pi4dqpsk_errors (random
dibits, IS-54 / TETRA Gray table, RRC 0.35 at 2 samples/symbol, a carrier offset of 0.037
cycles/sample, AWGN at Es/N0 per symbol; the first 300 symbols not counted). Theory:
link.psk_signal.pi4dqpsk_ber_differential. Results: bench/results_pi4dqpsk.md.
"""

import argparse
import sys
import time

from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--esn0", type=float, nargs="+", default=[4, 6, 8, 10, 12])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--model", default="qpsk_pn_w32", help="window prior ('' for none)")
    ap.add_argument("--symbols", type=int, default=20000, help="symbols per seed and point")
    a = ap.parse_args(argv)

    from gnuradio.diffusion.core.model_info import resolve
    from gnuradio.diffusion.flowgraphs import psk_benchmark as pb
    from gnuradio.diffusion.link import psk_signal

    model = resolve(a.model) if a.model else ""
    names = [n for n, (_, prior) in pb.PI4_RECEIVERS.items() if model or not prior]
    t0, cpu0 = time.time(), time.process_time()
    print("| Es/N0 (dB) | theory (differential detection) | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for esn0 in a.esn0:
        errs, bits = dict.fromkeys(names, 0), dict.fromkeys(names, 0)
        for seed in a.seeds:
            r = pb.pi4dqpsk_errors(esn0, seed, model, names, a.symbols)
            for n in names:
                errs[n] += r[n]["bit_errors"]
                bits[n] += r[n]["bits"]
            print(f"{esn0:g} dB seed {seed}: {r}", file=sys.stderr)
        cells = [f"{errs[n] / bits[n]:.2e} ({errs[n]})" for n in names]
        theory = psk_signal.pi4dqpsk_ber_differential(esn0)
        print(f"| {esn0:g} | {theory:.2e} | " + " | ".join(cells) + " |", flush=True)
    print(
        f"(BER (bit errors) over {len(a.seeds)} seeds x {a.symbols} symbols; "
        f"{time.time() - t0:.0f} s wall, {time.process_time() - cpu0:.0f} s CPU)"
    )


if __name__ == "__main__":
    main()
