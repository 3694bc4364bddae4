#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""ORBCOMM packets per noise level: psk_receiver against the textbook stock GNU Radio chain,
with and without a window prior, on the same noisy inputs in the same run (issue 21).

    python bench/orbcomm_receivers.py                       # 3-12 dB, seeds 101-105
    python bench/orbcomm_receivers.py --levels 3,4.5 --seeds 101,102 --out t.json
    python bench/orbcomm_receivers.py --diagnostics         # + textbook with the clean offset

Receivers, noise model and chains: gnuradio.diffusion.flowgraphs.psk_benchmark (module doc) and
flowgraphs.stock_psk (the textbook chain). Recording: $GR_DIFFUSION_SHARED/recordings/orbcomm, else
../shared next to the checkout. Results: bench/results_orbcomm_receivers.md.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from _path import ROOT, SHARED  # noqa: F401  (bench/_path.py: how bench scripts find the package)

REC = os.path.join(SHARED, "recordings", "orbcomm")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--levels", default="3,4.5,6,7.5,9,12", help="noise levels L (dB)")
    ap.add_argument("--seeds", default="101,102,103,104,105")
    ap.add_argument("--model", default="sdpsk_pn_w32", help="window prior (name or path)")
    ap.add_argument("--diagnostics", action="store_true", help="+ textbook_clean_offset")
    ap.add_argument("--out", default="", help="write the per-seed counts as JSON")
    a = ap.parse_args(argv)

    from gnuradio.diffusion.core.model_info import resolve
    from gnuradio.diffusion.flowgraphs import psk_benchmark
    from gnuradio.diffusion.link import orbcomm

    x = np.fromfile(os.path.join(REC, "iq_data_0.dat"), np.complex64).astype(np.complex128)
    ref = orbcomm.read_reference(os.path.join(REC, "orbdemod_packets_iq_0.txt"))
    levels = [float(v) for v in a.levels.split(",")]
    seeds = [int(v) for v in a.seeds.split(",")]
    receivers = psk_benchmark.RECEIVERS + (psk_benchmark.DIAGNOSTICS if a.diagnostics else ())
    model = resolve(a.model) if a.model else ""
    t0 = time.time()
    table = psk_benchmark.orbcomm_table(
        x, ref, levels, seeds, model, receivers, log=lambda m: print(m, file=sys.stderr)
    )
    print(
        f"ORBCOMM {os.path.basename(REC)}: {len(ref)} reference packets, model {a.model}, "
        f"seeds {a.seeds} ({time.time() - t0:.0f} s)"
    )
    print(psk_benchmark.format_table(table, len(ref)))
    if a.out:
        with open(a.out, "w") as f:
            json.dump({str(k): v for k, v in table.items()}, f, indent=1)


if __name__ == "__main__":
    main()
