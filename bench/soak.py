#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Soak test (not a unit test): a denoiser flowgraph at full rate for a stated time.

    python bench/soak.py --block cpp --seconds 3600 [--model 16qam] [--interval 10]

Flowgraph: a repeating vector source of unit-power symbols -> diffusion.additive_noise
(Gaussian, Es/N0 from --esn0) -> the denoiser (C++ ddpm_denoiser or Python ddpm_denoiser_py,
Tweedie, parameter noise source; --blind for the blind EM estimate) -> null sink, no throttle.
Every --interval seconds it samples the process RSS (/proc/self/status VmRSS) and the
items the sink has consumed, and prints one line: elapsed s, RSS MB, Msym/s in the interval.
At the end: mean throughput, throughput of the first and last tenth, the RSS least-squares
slope (MB/hour) over the run after a warm-up (--warmup s, allocator and caches settling),
the largest single RSS step and the peak RSS.  A leak shows as a slope well above the
noise of the sampled RSS; a slowdown as a last-tenth throughput below the first tenth.
"""

import argparse
import os
import sys
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--block", choices=("cpp", "py"), default="cpp")
    ap.add_argument("--model", default="16qam")
    ap.add_argument("--seconds", type=float, default=3600.0)
    ap.add_argument("--interval", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=60.0)
    ap.add_argument("--esn0", type=float, default=12.0)
    ap.add_argument("--blind", action="store_true", help="blind EM noise estimate")
    ap.add_argument("--batch", type=int, default=4096)
    args = ap.parse_args(argv)

    from gnuradio import blocks, diffusion, gr

    path = diffusion.shipped_model(args.model)
    if args.model.endswith("qam") or args.model == "qpsk":
        m = int(args.model[:-3]) if args.model.endswith("qam") else 4
        k = int(round(np.sqrt(m)))
        lv = np.arange(-(k - 1), k, 2, dtype=np.float64)
        pts = (lv[:, None] + 1j * lv[None, :]).reshape(-1)
        if args.model == "qpsk":
            pts = np.exp(1j * (np.pi / 4 + np.pi / 2 * np.arange(4)))
        pts = pts / np.sqrt(np.mean(np.abs(pts) ** 2))
    else:
        raise SystemExit("--model must be a QAM/QPSK model")
    rng = np.random.default_rng(1)
    sym = pts[rng.integers(0, len(pts), 1 << 16)].astype(np.complex64)

    tb = gr.top_block()
    src = blocks.vector_source_c(sym.tolist(), True)
    noise = diffusion.additive_noise(
        args.esn0, diffusion.additive_noise.GAUSSIAN, 1.0, 0.0, 0.0, 1.0, 0.0, 7
    )
    if args.block == "cpp":
        cls = diffusion.ddpm_denoiser
        src_mode = cls.NOISE_BLIND if args.blind else cls.NOISE_PARAMETER
        den = cls(path, cls.TWEEDIE, 1, src_mode, args.esn0, "cpu", 1, args.batch, 0)
    else:
        den = diffusion.ddpm_denoiser_py(
            path,
            "tweedie",
            1,
            "blind" if args.blind else "parameter",
            args.esn0,
            batch_size=args.batch,
        )
    snk = blocks.null_sink(gr.sizeof_gr_complex)
    tb.connect(src, noise, den, snk)
    print(
        f"soak: {args.block} denoiser, model {args.model}, Es/N0 {args.esn0} dB, "
        f"{'blind' if args.blind else 'parameter'} noise, batch {args.batch}, "
        f"{args.seconds:.0f} s, pid {os.getpid()}",
        flush=True,
    )
    print(f"{'t_s':>8} {'rss_MB':>9} {'Msym/s':>8}", flush=True)
    t0 = time.monotonic()
    tb.start()
    rows = []
    last_t, last_n = t0, 0
    try:
        while True:
            time.sleep(args.interval)
            now = time.monotonic()
            n = snk.nitems_read(0)
            r = rss_mb()
            rate = (n - last_n) / (now - last_t) / 1e6
            rows.append((now - t0, r, rate, n))
            print(f"{now - t0:8.0f} {r:9.2f} {rate:8.4f}", flush=True)
            last_t, last_n = now, n
            if now - t0 >= args.seconds:
                break
    finally:
        tb.stop()
        tb.wait()
    a = np.array(rows)
    if len(a) < 3:
        print("too short for figures")
        return 0
    t, rss, rate = a[:, 0], a[:, 1], a[:, 2]
    w = t >= min(args.warmup, t[-1] / 2)
    slope = np.polyfit(t[w], rss[w], 1)[0] * 3600.0 if w.sum() >= 2 else float("nan")
    tenth = max(1, len(rate) // 10)
    total = a[-1, 3] / t[-1] / 1e6
    steps = np.diff(rss)
    i = int(np.argmax(np.abs(steps)))
    print(
        f"summary: {args.block} {t[-1]:.0f} s, {a[-1, 3]:.4g} symbols, mean {total:.4f} Msym/s,"
        f" first tenth {rate[:tenth].mean():.4f}, last tenth {rate[-tenth:].mean():.4f} Msym/s"
    )
    print(
        f"summary: RSS start {rss[0]:.2f} MB, end {rss[-1]:.2f} MB, peak {rss.max():.2f} MB, "
        f"slope after {min(args.warmup, t[-1] / 2):.0f} s warm-up {slope:+.3f} MB/hour, "
        f"largest step {steps[i]:+.2f} MB at {t[i + 1]:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
