#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""gr-satellites' own complete decoder vs the module's receive path feeding gr-satellites'
own deframers, on the same noisy satellite recordings (issue 21, item 4): distinct valid
frames per recording, receiver, noise level and seed (flowgraphs.satellite_receiver; its
docstring names each receiver exactly).

    python bench/satellite_recordings.py --recordings picsat --levels 10,5,3 --seeds 1,2
    python bench/satellite_recordings.py --model models/bpsk_pn_w32.onnx   # + module+prior

Noise: real white Gaussian noise of variance P / 10^(L/10) per audio sample (P the
recording's mean power), one generator per seed (gr_satellites_decode.add_real_noise); every
receiver gets the same noisy array. Runs are deterministic (satellite_receiver.run_frames:
the audio is followed by weak noise and the flowgraph stopped only once no PDU is pending),
so one run per point. Recordings: $GR_DIFFUSION_SHARED/recordings/satellites, else ../shared
next to the checkout. Also prints CPU seconds per run (process time, all threads). Runs go
to a worker process replaced every few runs: gr-satellites' flowgraphs keep their System V
shared-memory buffers after they stop (measured: 54 segments per run), and the machine has
4096. GNU Radio's log level is set to warn (gr-satellites' blocks log at debug).
"""

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from _path import ROOT, SHARED  # noqa: F401  (bench/_path.py: how bench scripts find the package)

REC = os.path.join(SHARED, "recordings", "satellites")
# (key, gr-satellites name, file, gr-satellites options, BPSK baud rate of the recording)
RECORDINGS = [
    ("picsat", "PicSat", "picsat_9k6.wav", "", 9600),
    ("pwsat2", "PW-Sat2", "pwsat2.wav", "", 1200),
    ("by701", "BY70-1", "by701.wav", "", 9600),
    ("shaonian", "Shaonian Xing", "shaonian_xing.wav", "--costas_bw 150", 9600),
]


def cell(per_seed):
    """'mean (seed 1, seed 2, ...)', a seed's runs as min-max where they differ."""
    runs = [f"{min(r)}" if min(r) == max(r) else f"{min(r)}-{max(r)}" for r in per_seed]
    mean = np.mean([np.mean(r) for r in per_seed])
    return f"{mean:.1f} ({', '.join(runs)})" if len(per_seed) > 1 or "-" in runs[0] else runs[0]


def count(name, path, opt, baud, model, rx, level, seed, timing_bw, extra=None):
    """(distinct valid frames, CPU s) of one receiver on one noisy array (a worker's task)."""
    from gnuradio import gr

    gr.logging().set_default_level(gr.log_levels.warn)
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode as gsd
    from gnuradio.diffusion.flowgraphs import satellite_receiver as sr

    x, rate = gsd.read_wav(os.path.join(REC, path))
    y = x if level is None else gsd.add_real_noise(x, level, seed)
    t0 = time.process_time()
    kw = dict(options=opt, baudrate=baud, model_path=model)
    if timing_bw is not None:
        kw["timing_bw"] = timing_bw
    if rx != "gr-satellites":
        kw.update(extra or {})
    n = len(sr.distinct_frames(name, y, rate, rx, **kw))
    return n, time.process_time() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--recordings", default="picsat,by701", help="keys: " + ", ".join(r[0] for r in RECORDINGS)
    )
    ap.add_argument("--levels", default="10,5,3", help="noise levels L (dB)")
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--model", default="", help="window prior for module+prior (path/name)")
    ap.add_argument("--no-clean", action="store_true", help="skip the clean column")
    ap.add_argument("--runs", type=int, default=1, help="runs per point (CCSDS deframer varies)")
    ap.add_argument("--out", default="", help="also write the tables to this file")
    ap.add_argument(
        "--timing-bw", type=float, default=None, help="psk_receiver's Gardner loop bandwidth"
    )
    ap.add_argument(
        "--symbol-rate-tolerance",
        type=float,
        default=None,
        help="the module's Gardner loop bound, fraction of the symbol period "
        "(satellite_receiver.SYMBOL_RATE_TOLERANCE)",
    )
    ap.add_argument("--agc", default=None, help="the module's AGC (satellite_receiver.AGCS)")
    ap.add_argument("--receivers", default="", help="subset, e.g. module+prior (default: all)")
    a = ap.parse_args(argv)
    levels = [float(v) for v in a.levels.split(",")]
    seeds = [int(v) for v in a.seeds.split(",")]
    receivers = ["gr-satellites", "module"] + (["module+prior"] if a.model else [])
    if a.receivers:
        receivers = [r for r in receivers if r in a.receivers.split(",")]
    keys = a.recordings.split(",")
    points = ([(None, None)] if not a.no_clean else []) + [(lv, s) for lv in levels for s in seeds]
    tables = []
    extra = {} if a.agc is None else {"agc": a.agc}
    if a.symbol_rate_tolerance is not None:
        extra["symbol_rate_tolerance"] = a.symbol_rate_tolerance
    pool = ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=8
    )
    for _key, name, path, opt, baud in [r for r in RECORDINGS if r[0] in keys]:
        counts = {}
        for lv, s in points:
            for rx in receivers:
                for _ in range(a.runs):
                    n, cpu = pool.submit(
                        count, name, path, opt, baud, a.model, rx, lv, s, a.timing_bw, extra
                    ).result()
                    counts.setdefault((rx, lv, s), []).append(n)
                    print(
                        f"{name} {rx} L={lv} seed={s}: {n} frames, {cpu:.1f} CPU s",
                        file=sys.stderr,
                        flush=True,
                    )
        runs = f", {a.runs} runs each" if a.runs > 1 else ""
        heads = (["clean"] if not a.no_clean else []) + [f"L = {lv:g} dB" for lv in levels]
        lines = [
            f"{path} ({name}), distinct valid frames: mean (per seed {seeds}{runs})",
            "",
            "| receiver | " + " | ".join(heads) + " |",
            "|---|" + "---|" * len(heads),
        ]
        for rx in receivers:
            cells = [] if a.no_clean else [cell([counts[(rx, None, None)]])]
            for lv in levels:
                cells.append(cell([counts[(rx, lv, s)] for s in seeds]))
            label = (
                rx
                if a.timing_bw is None or rx == "gr-satellites"
                else f"{rx}, timing_bw {a.timing_bw:g}"
            )
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        tables.append("\n".join(lines))
        print("\n" + tables[-1], flush=True)
    pool.shutdown()
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n\n".join(tables) + "\n")


if __name__ == "__main__":
    main()
