#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""gr-satellites' own complete decoders on the satellite recordings with added noise: the
baseline column of issue 21's satellite comparison (distinct valid frames per recording,
noise level and seed; flowgraphs.gr_satellites_decode, its compatibility layer included).

    python bench/satellite_recordings.py                        # levels 15,10,5,0; seeds 1,2
    python bench/satellite_recordings.py --levels 10,5 --seeds 1

Noise: real white Gaussian noise of variance P / 10^(L/10) per audio sample (P the
recording's mean power). Recordings: $GR_DIFFUSION_SHARED/recordings/satellites, else
../shared next to the checkout.
"""

import argparse
import os
import sys

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)

SHARED = os.environ.get("GR_DIFFUSION_SHARED") or os.path.join(ROOT, "..", "shared")
REC = os.path.join(SHARED, "recordings", "satellites")
RECORDINGS = [
    ("PicSat", "picsat_9k6.wav", ""),
    ("PW-Sat2", "pwsat2.wav", ""),
    ("BY70-1", "by701.wav", ""),
    ("Shaonian Xing", "shaonian_xing.wav", "--costas_bw 150"),
]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--levels", default="15,10,5,0", help="noise levels L (dB)")
    ap.add_argument("--seeds", default="1,2")
    a = ap.parse_args(argv)
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode as dec

    levels = [float(v) for v in a.levels.split(",")]
    seeds = [int(v) for v in a.seeds.split(",")]
    print("| recording | clean | " + " | ".join(f"L = {v:g} dB" for v in levels) + " |")
    print("|---|---|" + "---|" * len(levels))
    for name, path, opt in RECORDINGS:
        full = os.path.join(REC, path)
        cells = [str(len(set(dec.decode_wav(name, full, opt))))]
        for level in levels:
            n = [len(set(dec.decode_wav(name, full, opt, level, s))) for s in seeds]
            cells.append(f"{np.mean(n):.1f} ({', '.join(map(str, n))})")
            print(f"{name} L={level} {n}", file=sys.stderr)
        print(f"| {path} ({name}) | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
