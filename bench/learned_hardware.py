#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Learned-hardware receivers: SER, BER and MSE vs Es/N0 through transmitter impairments
the receiver does not model.

    python bench/learned_hardware.py                 # all cases, JSON + plots
    python bench/learned_hardware.py --cases 16qam_pa --quick

Per case (a chain spec, the shipped model trained on it): fresh labels (seed --seed) run
through ``tx_impairment_chain`` (GNU Radio flowgraph) give the transmitted symbols z; each
Es/N0 point runs z through ``diffusion.additive_noise`` (flowgraph, sigma2 = 1/Es/N0 per
complex symbol, unit signal power after the chain's AGC).  Receivers on the same y:

  nominal_hard     nearest nominal point (a receiver that ignores the hardware)
  nominal_mmse     exact MMSE for the nominal points in Gaussian noise (sliced: = hard)
  data_aided       per-label centroid and spread from the model's training symbols
                   (label_centroids / label_spread of the model; the same symbols the DDPM
                   saw), exact mixture MMSE and ML decisions (learned slicer on y)
  ddpm_tweedie     shipped DDPM, one-call Tweedie E[x|y], then the learned slicer on it
                   with the channel sigma2 (nearest learned centroid; with sigma2 = 0 the
                   metric would be the labels' tiny, anisotropic spreads alone, which suits
                   noiseless input, not a posterior mean)
  ddpm_ddim        DDPM, deterministic DDIM (--ddim-steps) from the matched step, same slicer
  oracle           the true transmitted distribution: for a memoryless deterministic chain
                   the exact points (flowgraph on every label) with exact MMSE and ML; with
                   random stages a Monte-Carlo prior of --oracle-k emulator draws per label
                   (exact MMSE / ML for that empirical prior)

MSE = mean |x_hat - z|^2 against the transmitted (impaired) symbol; SER/BER against the
transmitted labels (bits: constellation_labels, Gray).  SER intervals: Wilson 95 %.  The
data-aided training-set sweep re-estimates the mixture from the first n training symbols.

Each case is one task on Dask (diffusion.sweeps; the receivers and flowgraphs are
flowgraphs.learned_hardware.learned_hardware_case): --workers N local spawned workers
(default 2), --workers 0 serial in this process, --scheduler ADDR a running cluster; the
same seeds give exactly the same figures either way.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)
from gnuradio.diffusion.flowgraphs.learned_hardware import learned_hardware_case  # noqa: E402
from gnuradio.diffusion.sweeps.runner import add_cluster_arguments, run_tasks  # noqa: E402

CASES = {
    "16qam_pa": ("16qam+rapp(ibo=0,p=2)+agc", "16qam_rapp.onnx"),
    "64qam_pa": ("64qam+rapp(ibo=0,p=2)+agc", "64qam_rapp.onnx"),
    "16qam_pa_pn": ("16qam+rapp(ibo=0,p=2)+phase_noise(1e-4,block=32)+agc", "16qam_rapp_pn.onnx"),
    # simulated loopback: this chain acts on the link's pulse-shaped waveform, unknown to
    # the receiver; the model is trained from a labelled capture of it (LOOPBACK_CAPTURE)
    "16qam_loopback": (
        "loopback:16qam+iq(0.5dB,3deg)+dc(0.02,-0.01)+rapp(ibo=1,p=2)+agc",
        "16qam_loopback.onnx",
    ),
}
# the command of the capture the loopback model was trained on (LOOPBACK_CAPTURE)
LOOPBACK_CAPTURE_CMD = (
    "gr-diffusion-link --source sim --esn0 35 --frames 256 --n-payloads 64 --payload-seed 11 "
    "--noise-seed 12 --mode none --tx-chain "
    "'16qam+iq(0.5dB,3deg)+dc(0.02,-0.01)+rapp(ibo=1,p=2)+agc' --capture-labels loopback_16qam"
)


def plot(results, scatter, path, models):
    import matplotlib
    from gnuradio.diffusion.core import chain_spec as cs
    from gnuradio.diffusion.core.label_mixture import LabelMixture

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    fig, ax = plt.subplots(3, len(names), figsize=(5 * len(names), 12), squeeze=False)
    for j, name in enumerate(names):
        r = results[name]
        snr = [float(s) for s in r["points"]]
        for rx in next(iter(r["points"].values())):
            ser = [r["points"][s][rx]["ser"] for s in r["points"]]
            mse = [r["points"][s][rx]["mse_db"] for s in r["points"]]
            ax[0, j].semilogy(snr, np.maximum(ser, 1e-7), "o-", label=rx)
            ax[1, j].plot(snr, mse, "o-", label=rx)
        ax[0, j].set_title(f"{name}: {r['spec']}", fontsize=8)
        ax[0, j].set_ylabel("SER")
        ax[1, j].set_ylabel("MSE dB")
        for a in ax[:2, j]:
            a.set_xlabel("Es/N0 dB")
            a.grid(True, which="both", alpha=0.3)
            a.legend(fontsize=7)
        z, idx, y, snr_y = scatter[name]
        const = cs.parse(CASES[name][0].removeprefix("loopback:")).get_constellation()
        mix = LabelMixture.from_model(os.path.join(models, CASES[name][1]))
        a = ax[2, j]
        a.scatter(y.real, y.imag, s=1, c="0.8", label=f"received ({snr_y:g} dB)")
        a.scatter(z.real, z.imag, s=2, c="C1", label="transmitted (chain)")
        a.scatter(
            const.points.real, const.points.imag, marker="+", c="k", s=60, label="nominal grid"
        )
        a.scatter(
            mix.centroids.real,
            mix.centroids.imag,
            marker="x",
            c="C3",
            s=40,
            label="learned centroids",
        )
        # decision regions of the learned slicer (sigma2 of the shown points) on a grid
        g = np.linspace(-1.5, 1.5, 301)
        gx, gy = np.meshgrid(g, g)
        reg = mix.decide((gx + 1j * gy).reshape(-1), 10 ** (-snr_y / 10)).reshape(gx.shape)
        a.contour(gx, gy, reg, levels=np.arange(const.order) + 0.5, colors="C3", linewidths=0.4)
        a.set_aspect("equal")
        a.set_xlim(-1.5, 1.5)
        a.set_ylim(-1.5, 1.5)
        a.legend(fontsize=6, loc="upper right")
        a.set_title("constellation and learned decision regions", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _fmt_ser(v):
    return f"{v['ser']:.2e} [{v['ser_ci95'][0]:.1e}, {v['ser_ci95'][1]:.1e}]"


def targets(r, target_snr=20.0):
    """Text: SER ratios at the target Es/N0, MSE excess where the oracle MMSE > -30 dB."""
    out = []
    pt = r["points"].get(f"{target_snr:g}")
    if pt:
        d, o, h = pt["ddpm_tweedie"], pt["oracle"], pt["nominal_hard"]
        if o["ser"] > 0 and d["ser"] > 0:
            out.append(
                f"at {target_snr:g} dB SER DDPM / oracle = {d['ser'] / o['ser']:.2f} "
                f"(target <= 1.5), nominal hard / DDPM = {h['ser'] / d['ser']:.1f} "
                f"(target >= 5), n = {d['n']}"
            )
    ex = []
    for snr, p in r["points"].items():
        if p["oracle"]["mse_db"] > -30:
            for rx in ("ddpm_tweedie", "ddpm_ddim", "data_aided"):
                ex.append((rx, snr, p[rx]["mse_db"] - p["oracle"]["mse_db"]))
    for rx in ("ddpm_tweedie", "ddpm_ddim", "data_aided"):
        e = [(snr, v) for k, snr, v in ex if k == rx]
        if e:
            worst = max(e, key=lambda t: t[1])
            out.append(
                f"{rx} MSE excess over the oracle MMSE where it is above -30 dB: max "
                f"{worst[1]:+.2f} dB (at {worst[0]} dB; target <= 0.5)"
            )
    return "; ".join(out) + "."


def write_card(name, r, model_path, bench_cmd):
    """models/<model>.md from the model metadata and this run's figures."""
    import hashlib

    from gnuradio.diffusion.core.label_mixture import LabelMixture
    from gnuradio.diffusion.core.onnx_model import DdpmModel

    m = DdpmModel(model_path)
    tr = m.training
    meta = m.metadata
    mix = LabelMixture.from_model(model_path)
    base = os.path.basename(model_path)
    sha = hashlib.sha256(open(model_path, "rb").read()).hexdigest()[:16]
    kib = os.path.getsize(model_path) // 1024
    rxs = list(next(iter(r["points"].values())))
    lines = [
        f"# {base}: DDPM eps-network for learned hardware ({meta.get('constellation')}, "
        f"gr-diffusion)",
        "",
        "| | |",
        "|---|---|",
        f"| file | `models/{base}` ({kib} KiB, sha256 `{sha}...`) |",
        f"| data | {tr.get('data', '')} |",
        (
            f"| chain | `{meta['chain_spec']}` |"
            if meta.get("chain_spec")
            else f"| chain | hidden from the receiver, on the TX waveform: `{r['spec']}` "
            f"(simulated loopback; the model learned it from the labelled capture) |"
        ),
        f"| labels | metadata `label_centroids` ({mix.order} re,im pairs, label order of "
        f"`constellation_points`), `label_spread` (c_rr, c_ii, c_ri per label), "
        f"`label_count`; bit labels in `constellation_labels` (Gray) |",
        f"| network | {meta.get('network', '')}; {tr.get('parameters')} parameters |",
        f"| schedule | `{meta.get('schedule')}`: T = {meta.get('T')} |",
        "| conventions | unit-power constellations (E\\|x\\|^2 = 1 is the signal power, "
        "not signal plus noise; QPSK at 45 degrees); the nominal points in "
        "`constellation_points`, what the hardware sends in `label_centroids`; "
        "AWGN sigma^2 per complex sample, Es/N0 = 1/sigma^2 |",
        "",
        "## Training",
        "",
        "```",
        *(
            [LOOPBACK_CAPTURE_CMD + "   # the labelled capture (simulated loopback)"]
            if r["spec"] and name == "16qam_loopback"
            else []
        ),
        tr.get("command", ""),
        "```",
        "",
        f"- recipe: {tr.get('optimizer', '')}; {tr.get('loss', '')}; EMA "
        f"{tr.get('ema_decay')}; {tr.get('config', {}).get('steps')} steps (AWGN models: "
        f"3000-5000; fewer where the shared CPU allowed no more); seed "
        f"{tr.get('config', {}).get('seed')}",
        f"- {tr.get('train_symbols')} labelled training symbols; wall time "
        f"{tr.get('train_seconds')} s on {tr.get('host')} (torch {tr.get('torch')}, 1 "
        f"thread, CPU shared with other jobs), final loss {tr.get('final_loss')}",
        "",
        "## Measured (bench/learned_hardware.py)",
        "",
        f"```\n{bench_cmd}\n```",
        "",
        f"Oracle: {r['oracle']}. SER with Wilson 95 % intervals; MSE = mean |x_hat - z|^2 "
        f"against the transmitted (impaired) symbol, dB.",
        "",
        "| Es/N0 dB | n | " + " | ".join(f"SER {k}" for k in rxs) + " |",
        "|---|---|" + "---|" * len(rxs),
    ]
    for snr, pt in r["points"].items():
        lines.append(
            f"| {snr} | {pt['nominal_hard']['n']} | "
            + " | ".join(_fmt_ser(pt[k]) for k in rxs)
            + " |"
        )
    lines += [
        "",
        "| Es/N0 dB | " + " | ".join(f"MSE {k}" for k in rxs) + " |",
        "|---|" + "---|" * len(rxs),
    ]
    for snr, pt in r["points"].items():
        lines.append(f"| {snr} | " + " | ".join(f"{pt[k]['mse_db']:.2f}" for k in rxs) + " |")
    lines += [
        "",
        "| Es/N0 dB | " + " | ".join(f"BER {k}" for k in rxs) + " |",
        "|---|" + "---|" * len(rxs),
    ]
    for snr, pt in r["points"].items():
        lines.append(f"| {snr} | " + " | ".join(f"{pt[k]['ber']:.2e}" for k in rxs) + " |")
    if "Monte-Carlo" in r["oracle"]:
        lines += [
            "",
            "The Monte-Carlo oracle (exact MMSE/ML for a finite empirical prior of emulator "
            "draws) only approximates the true distribution: where it is worse than the "
            "data-aided Gaussian mixture (e.g. SER at high Es/N0), the data-aided mixture is "
            "the better reference, and 'DDPM / oracle' below 1 means exactly that.",
        ]
    lines += [
        "",
        "Against the issue's targets (DDPM = tweedie + learned slicer): " + targets(r),
        "",
    ]
    sw = r.get("data_aided_sweep", {})
    if sw:
        lines += [
            "",
            "Data-aided baseline vs training-set size (first n training symbols; "
            "SER at the target Es/N0 / mixture-MMSE MSE at 14 dB):",
            "",
            "| n | " + " | ".join(sw) + " |",
            "|---|" + "---|" * len(sw),
            "| SER | " + " | ".join(f"{v['ser']:.2e}" for v in sw.values()) + " |",
            "| MSE 14 dB | " + " | ".join(f"{v['mse14_db']:.2f}" for v in sw.values()) + " |",
        ]
    lines += [
        "",
        "## Use",
        "",
        "```python",
        "from gnuradio import diffusion",
        f"den = diffusion.ddpm_denoiser('models/{base}', diffusion.ddpm_denoiser.TWEEDIE, "
        f"1, diffusion.ddpm_denoiser.NOISE_STREAM, 20.0)",
        f"slicer = diffusion.learned_slicer('models/{base}', sigma2=0.01)  # after the denoiser",
        f"demap = diffusion.learned_slicer('models/{base}', sigma2=0.01)  # alone (y): LLRs "
        f"(gr-fec sign: + = bit 1)",
        "```",
        "",
        "## Limitations",
        "",
        "- Learns what this chain sends at this setting: a PA at another back-off, or "
        "another chain, is a different distribution (retrain, or capture and train).",
        "- The input must be scaled like the training data (unit mean power after the "
        "chain's AGC) and sigma2 given per complex sample in the same units.",
        "- Where the learned distribution is a set of points with small spread, the "
        "data-aided mixture (the same centroids and spreads in `label_centroids` / "
        "`label_spread`) does as well as the DDPM at a fraction of the cost; see the "
        "tables.",
        "",
    ]
    card = os.path.splitext(model_path)[0] + ".md"
    with open(card, "w") as f:
        f.write("\n".join(lines))
    return card


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cases", nargs="+", default=list(CASES))
    ap.add_argument("--models", default=os.path.join(ROOT, "models"))
    ap.add_argument("--snr", nargs="+", type=float, default=[10, 14, 18, 20, 22, 26, 30])
    ap.add_argument("--n", type=int, default=1 << 17, help="symbols per point")
    ap.add_argument(
        "--n-target",
        type=int,
        default=1 << 20,
        help="symbols at --target-snr for --target-cases (SER ~1e-4)",
    )
    ap.add_argument("--target-snr", type=float, default=20.0)
    ap.add_argument("--target-cases", nargs="+", default=["16qam_pa"])
    ap.add_argument("--n-ddim", type=int, default=1 << 15, help="symbols for ddim")
    ap.add_argument("--ddim-steps", type=int, default=5)
    ap.add_argument("--oracle-k", type=int, default=64)
    ap.add_argument(
        "--sweep", nargs="+", type=int, default=[32, 64, 256, 1024, 4096, 16384, 65536, 262144]
    )
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--threads", type=int, default=1, help="onnxruntime threads per case")
    add_cluster_arguments(ap)
    ap.add_argument("--quick", action="store_true", help="small n (smoke run)")
    ap.add_argument("--cards", action="store_true", help="write models/<model>.md cards")
    ap.add_argument(
        "--cards-from",
        metavar="JSON",
        help="only write the cards of the cases in this earlier run's JSON",
    )
    ap.add_argument(
        "--json", default=os.path.join(ROOT, "bench", "results", "learned_hardware.json")
    )
    ap.add_argument(
        "--plot", default=os.path.join(ROOT, "bench", "results", "learned_hardware.png")
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.n, args.n_target, args.n_ddim, args.oracle_k = 8192, 8192, 2048, 16
        args.sweep = [64, 1024]
    results, scatter = {}, {}
    if args.cards_from:
        with open(args.cards_from) as f:
            old = json.load(f)
        cmd = "python bench/learned_hardware.py " + " ".join(old["argv"])
        for name, r in old["results"].items():
            print("card: " + write_card(name, r, os.path.join(args.models, CASES[name][1]), cmd))
        return 0

    def log(msg):
        print(msg, flush=True)

    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        raise SystemExit(f"unknown case {unknown[0]!r} (known: {', '.join(CASES)})")
    # one task per case (diffusion.sweeps: Dask workers, or serial with --workers 0); each
    # builds its own flowgraphs and data from these parameters
    tasks = [
        dict(
            name=name,
            spec=CASES[name][0],
            model_path=os.path.abspath(os.path.join(args.models, CASES[name][1])),
            snr=args.snr,
            n=args.n,
            n_target=args.n_target,
            target_snr=args.target_snr,
            target_cases=args.target_cases,
            n_ddim=args.n_ddim,
            ddim_steps=args.ddim_steps,
            oracle_k=args.oracle_k,
            sweep=args.sweep,
            seed=args.seed,
            threads=args.threads,
        )
        for name in args.cases
    ]
    t0 = time.time()
    out = run_tasks(
        learned_hardware_case,
        tasks,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.no_progress,
        desc="cases",
    )
    for t, (res, sc, lines) in zip(tasks, out):
        res["model"] = os.path.relpath(res["model"], ROOT)
        results[t["name"]], scatter[t["name"]] = res, sc
        for line in lines:
            log(line)
    log(f"{len(tasks)} cases in {time.time() - t0:.1f} s")
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(
            {
                "argv": list(sys.argv[1:] if argv is None else argv),
                "args": vars(args),
                "results": results,
            },
            f,
            indent=1,
        )
    if args.plot:
        plot(results, scatter, args.plot, args.models)
    if args.cards:
        cmd = "python bench/learned_hardware.py " + " ".join(sys.argv[1:] if argv is None else argv)
        for name in results:
            log(
                "card: "
                + write_card(name, results[name], os.path.join(args.models, CASES[name][1]), cmd)
            )
    log(f"wrote {args.json} and {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
