#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""OFDM channel estimation with a learned prior: NMSE per SNR, the GNU Radio link, speed.

    nice -n 10 python3 bench/ofdm_channel.py --quick            (minutes)
    nice -n 10 python3 bench/ofdm_channel.py                    (10k frames a point)

1. NMSE (dB) of the channel estimate on the 52 active carriers, per SNR (per carrier after
   the FFT, docs/ofdm.md), the same frames for every estimator (fixed seeds): LS (GNU Radio's
   chanest), LS + DFT truncation to the CP, robust LMMSE (uniform PDP over the CP), LMMSE
   with the family's sample covariance (20k separate draws), genie LMMSE (each frame's true
   covariance), diffusion Tweedie (and the mean of K posterior samples with --posterior-k),
   grid-mixture MMSE (the posterior mean under the family discretised on --mixture-grid
   delay spreads x timing offsets, core.ofdm_estimators.GridMixtureMmse: the Bayes
   reference a receiver that does not know the frame's profile can approach; several grids,
   coarse to fine, show its convergence; the finest is the column "grid-mixture MMSE").
   Families: tdlc (fixed TDL-C, Gaussian), mix (TDL-A..E, random delay spread and timing
   offset) and mix_ds2x (the mix at twice the delay spread: out of distribution); any
   shipped family (nlos, los, tdla..tdle) and <family>_ds<k>x (k times its delay spread).
   95 % confidence intervals by the delta method over frames.
2. Link: stock ``digital.ofdm_tx`` -> TDL block fading (mix) + AWGN -> ``ofdm_denoised_rx``
   with and without the denoiser (the same signal, the same sync threshold: 0.7, as
   ``ofdm_rx``'s 0.9 misses most frames below ~15 dB), packet success (CRC32) per SNR.
3. Sparse pilots (--sparse): only a comb is observed (every 4th active carrier plus the
   frame's pilot carriers, 16 of 52): LS at the comb with linear interpolation, LMMSE
   interpolation (robust; the family's sample covariance) and the pilot-guided DDIM sampler
   with the learned prior (mean of K samples; core.ofdm_sparse_pilots).  Its step count,
   guidance weight and eta are chosen by --sparse-validate on validation frames drawn with
   another seed (--seed + 500), never on the test frames; the choice is stored beside the
   model (models/ofdm/ofdm_mix.sparse.json, committed and installed with it), read by
   --sparse and by ofdm_channel_denoiser_py(pilots='comb').
   --link-ceiling: the same link with three taps sources (stock LS, denoised, genie: the
   true channel of each packet on the taps tag) x two equalizers (``ofdm_rx``'s simpledfe,
   decision feedback; static: the frame's taps for every symbol), and the perfect-CSI
   coherent bound of the same channels; the SNR at which each reaches 90 % success.
4. Speed: frames/s of the denoiser's estimator (batched, 1 thread) and of the whole
   receiver with and without it on the same signal; frames per CPU-second (all threads of
   the process) of GNU Radio's chanest alone (the LS path) and chanest + the C++ block
   (and + the Python block), in the same run, on the same frames (1 sync + 1 data symbol).
Writes JSON with --json.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from _path import ROOT  # (bench/_path.py: how bench scripts find the package)
from gnuradio.diffusion.core import ofdm_channels as ch  # noqa: E402
from gnuradio.diffusion.core import ofdm_estimators as est  # noqa: E402
from gnuradio.diffusion.core import ofdm_sparse_pilots as sp  # noqa: E402
from gnuradio.diffusion.core import onnx_model  # noqa: E402
from gnuradio.diffusion.core.ofdm_carriers import DEFAULT_LAYOUT  # noqa: E402


def nmse_ci(e, h):
    """NMSE in dB of estimate rows e vs truth rows h, with a 95 % interval (delta method
    on the ratio of per-frame error and power sums)."""
    err = np.sum(np.abs(e - h) ** 2, axis=1)
    pw = np.sum(np.abs(h) ** 2, axis=1)
    r = err.sum() / pw.sum()
    n = err.size
    z = err - r * pw
    se = np.std(z) * np.sqrt(n) / pw.sum()
    lo, hi = max(r - 1.96 * se, 1e-30), r + 1.96 * se
    return 10 * np.log10(r), 10 * np.log10(lo), 10 * np.log10(hi)


def mixture_estimators(fam, grids):
    """{column name: GridMixtureMmse} for grids "NDSxNTO" (the last: "grid-mixture MMSE")."""
    out = {}
    for i, g in enumerate(grids):
        n_ds, n_to = (int(v) for v in g.lower().split("x"))
        name = "grid-mixture MMSE" if i == len(grids) - 1 else f"grid-mixture MMSE {g}"
        out[name] = est.GridMixtureMmse(fam, n_ds, n_to)
        print(f"  {name}: {out[name].describe()}", flush=True)
    return out


def nmse_table(model, fam, snrs, frames, seed, k_post=0, mixture_grids=()):
    rng = np.random.default_rng(seed)
    train_rng = np.random.default_rng(seed + 1000)
    fam = ch.family(fam) if isinstance(fam, str) else fam
    H, draws = ch.sample(fam, frames, rng)
    Htr, _ = ch.sample(fam, 20000, train_rng)
    R = ch.covariance(draws)
    dft = est.DftEstimator()
    rob = est.LmmseEstimator.robust()
    sc = est.LmmseEstimator.from_samples(Htr)
    diff = est.DiffusionEstimator(model)
    mixtures = mixture_estimators(fam, mixture_grids)
    rows = []
    for snr in snrs:
        s2 = 10.0 ** (-snr / 10.0)
        y = ch.add_noise(H, s2, np.random.default_rng([seed, 17, int(round(snr * 10)) + 1000]))
        res = {
            "LS": y,
            "LS+DFT": dft(y),
            "robust LMMSE": rob(y, s2),
            "sample-cov LMMSE": sc(y, s2),
            "genie LMMSE": est.genie_lmmse(y, s2, R),
        }
        t0 = time.perf_counter()
        res["diffusion Tweedie"] = diff(y, s2)
        t_tw = time.perf_counter() - t0
        if k_post > 0:
            res[f"diffusion mean of {k_post} posterior"] = diff(
                y, s2, mode="posterior", k=k_post, rng=np.random.default_rng(seed + 99)
            )
        row = {"snr_db": snr, "tweedie_frames_per_s": frames / t_tw}
        for name, mm in mixtures.items():
            t0 = time.process_time()
            res[name] = mm(y, s2)
            row[name + " frames_per_cpu_s"] = frames / max(time.process_time() - t0, 1e-9)
        for name, e in res.items():
            row[name] = nmse_ci(e, H)
        rows.append(row)
        print(
            f"  {fam.name:9s} {snr:5.1f} dB  "
            + "  ".join(f"{_short(k)} {v[0]:6.2f}" for k, v in row.items() if isinstance(v, tuple)),
            flush=True,
        )
    return rows


def _short(column):
    if column == "diffusion Tweedie":
        return "Tweedie"
    if column.startswith("grid-mixture MMSE"):
        return "mixMMSE" + column[len("grid-mixture MMSE") :].replace(" ", "@")
    return column.split()[0]


SPARSE_GRID = {"steps": (10, 20, 40), "guidance": (0.7, 1.0, 1.3), "eta": (0.5, 1.0)}
VALIDATION_OFFSET = 500  # validation seed = test seed + this


def _sparse_frames(fam, frames, seed, snrs):
    """Channels and their noisy comb observations (one noise draw per SNR)."""
    rng = np.random.default_rng(seed)
    H, draws = ch.sample(fam, frames, rng)
    P = sp.comb_pilots()
    obs = {}
    for snr in snrs:
        s2 = 10.0 ** (-snr / 10.0)
        y = ch.add_noise(H, s2, np.random.default_rng([seed, 23, int(round(snr * 10)) + 1000]))
        obs[snr] = (y[:, P], s2)
    return H, draws, P, obs


def sparse_validate(model, fam, snrs, frames, seed, k):
    """Grid over (steps, guidance, eta) on validation frames (seed + VALIDATION_OFFSET):
    the configuration with the lowest mean NMSE (dB) over ``snrs``."""
    vseed = seed + VALIDATION_OFFSET
    H, _, P, obs = _sparse_frames(fam, frames, vseed, snrs)
    smp = sp.PilotGuidedSampler.with_robust_error(model, P)
    rows = []
    for steps in SPARSE_GRID["steps"]:
        for g in SPARSE_GRID["guidance"]:
            for eta in SPARSE_GRID["eta"]:
                cfg = {"steps": steps, "guidance": g, "eta": eta, "k": k}
                nm = []
                for y, s2 in obs.values():
                    e = smp(y, s2, rng=np.random.default_rng([vseed, 7]), **cfg)
                    nm.append(est.nmse_db(e, H))
                rows.append(dict(cfg, nmse_db=nm, mean_db=float(np.mean(nm))))
                print(
                    f"  validate steps {steps:3d} guidance {g:.1f} eta {eta:.1f}: "
                    + " ".join(f"{v:6.2f}" for v in nm)
                    + f"  mean {rows[-1]['mean_db']:.2f}",
                    flush=True,
                )
    best = min(rows, key=lambda r: r["mean_db"])
    return {
        "family": fam if isinstance(fam, str) else fam.name,
        "validation_seed": vseed,
        "frames": frames,
        "snr_db": list(snrs),
        "chosen": {k_: best[k_] for k_ in ("steps", "guidance", "eta", "k")},
        "grid": rows,
    }


def sparse_table(model, fam, snrs, frames, seed, cfg):
    """NMSE per SNR from the comb pilots (test frames: ``seed``)."""
    H, _, P, obs = _sparse_frames(fam, frames, seed, snrs)
    Htr, _ = ch.sample(fam, 20000, np.random.default_rng(seed + 1000))
    rob = sp.PilotLmmse.robust(P)
    sc = sp.PilotLmmse.from_samples(Htr, P)
    smp = sp.PilotGuidedSampler.with_robust_error(model, P)
    name = f"diffusion pilot-guided (K={cfg['k']})"
    rows = []
    for snr, (y, s2) in obs.items():
        t0 = time.process_time()
        e_d = smp(y, s2, rng=np.random.default_rng([seed, 7]), **cfg)
        cpu = time.process_time() - t0
        res = {
            "LS linear": sp.linear_interpolation(y, P),
            "robust LMMSE": rob(y, s2),
            "sample-cov LMMSE": sc(y, s2),
            name: e_d,
        }
        row = {"snr_db": snr, "sampler_frames_per_cpu_s": frames / max(cpu, 1e-9)}
        for k_, e in res.items():
            row[k_] = nmse_ci(e, H)
        rows.append(row)
        print(
            f"  sparse {fam:6s} {snr:5.1f} dB  "
            + "  ".join(
                f"{k_.split(' (')[0]} {v[0]:6.2f}" for k_, v in row.items() if isinstance(v, tuple)
            ),
            flush=True,
        )
    return rows


def link_table(model, snrs, packets, seed, payload_len=96, sync_threshold=0.7):
    from gnuradio.diffusion.flowgraphs import ofdm_link as lk

    rows = []
    for snr in snrs:
        rng = np.random.default_rng([seed, int(round(snr * 10)) + 1000])
        pays = lk.random_payloads(packets, payload_len, rng)
        bursts = lk.transmit(pays)
        sig, _ = lk.fade(bursts, "mix", snr, rng)
        out = {"snr_db": snr, "packets": packets}
        for name, on in (("stock LS", False), ("denoised", True)):
            t0 = time.perf_counter()
            r = lk.receive(sig, denoise=on, model=model, sync_threshold=sync_threshold)
            dt = time.perf_counter() - t0
            good = len(set(r["payloads"]) & set(pays))
            out[name] = good / packets
            out[name + " frames_per_s"] = packets / dt
        rows.append(out)
        print(
            f"  link {snr:5.1f} dB: packet success stock {out['stock LS']:.3f}  denoised "
            f"{out['denoised']:.3f}   receiver frames/s {out['stock LS frames_per_s']:.0f} vs "
            f"{out['denoised frames_per_s']:.0f}",
            flush=True,
        )
    return rows


def snr_at(rows, key, level=0.9):
    """The SNR (dB) where rows[key] (success per SNR, ascending SNR) first reaches level,
    linear between the points; None if never."""
    prev = None
    for r in rows:
        if r[key] >= level:
            if prev is None:
                return r["snr_db"]
            s0, p0 = prev["snr_db"], prev[key]
            return s0 + (level - p0) * (r["snr_db"] - s0) / (r[key] - p0)
        prev = r
    return None


LINK_CEILING_RECEIVERS = ("stock LS", "denoised", "genie")


def link_ceiling_table(model, snrs, packets, seed, payload_len=96, sync_threshold=0.7):
    """Packet success per SNR of stock LS, denoised and genie taps (the true channel on the
    taps tag, flowgraphs.ofdm_link.genie_taps), each with the simpledfe and the static
    equalizer, on the same signal (mix family, block fading), and the perfect-CSI coherent
    bound of the same channels (ofdm_link.perfect_csi_success)."""
    from gnuradio.diffusion.flowgraphs import ofdm_link as lk

    rows = []
    for snr in snrs:
        rng = np.random.default_rng([seed, int(round(snr * 10)) + 1000])
        pays = lk.random_payloads(packets, payload_len, rng)
        sig, H = lk.fade(lk.transmit(pays), "mix", snr, rng)
        out = {"snr_db": snr, "packets": packets}
        out["perfect-CSI bound"] = float(lk.perfect_csi_success(H, snr, payload_len).mean())
        for eq in ("simpledfe", "static"):
            for name in LINK_CEILING_RECEIVERS:
                kw = {"denoise": name == "denoised", "equalizer": eq}
                if name == "genie":
                    kw["taps_filter"] = genie = lk.genie_taps(H)
                r = lk.receive(sig, model=model, sync_threshold=sync_threshold, **kw)
                out[f"{name} {eq}"] = len(set(r["payloads"]) & set(pays)) / packets
            out["frames found"] = len(genie.matches)
        rows.append(out)
        print(
            f"  link ceiling {snr:5.1f} dB: "
            + "  ".join(
                f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                for k, v in out.items()
                if k not in ("snr_db", "packets")
            ),
            flush=True,
        )
    keys = [f"{n} {eq}" for eq in ("simpledfe", "static") for n in LINK_CEILING_RECEIVERS]
    at90 = {k: snr_at(rows, k) for k in keys + ["perfect-CSI bound"]}
    print("  SNR at 90 % success: " + "  ".join(f"{k} {v}" for k, v in at90.items()))
    return {"rows": rows, "snr_at_90": at90}


def estimator_speed(model, n=4096, seed=3):
    rng = np.random.default_rng(seed)
    H, _ = ch.sample("mix", n, rng)
    y = ch.add_noise(H, 0.1, rng)
    diff = est.DiffusionEstimator(onnx_model.load(model, intra_op_threads=1))
    diff(y[:64], 0.1)
    t0 = time.perf_counter()
    diff(y, 0.1)
    t_d = time.perf_counter() - t0
    sw = np.ones(52)
    t0 = time.perf_counter()
    for i in range(n):
        est.ls_estimate(y[i], sw)
    t_ls = time.perf_counter() - t0
    return {"tweedie_batched_frames_per_s": n / t_d, "ls_numpy_frames_per_s": n / t_ls}


def block_speed(model, n_frames, seed=3):
    """Frames per CPU-second: chanest (LS path) vs chanest + denoiser block (C++, Python),
    mixed-family frames at 10 dB (flowgraphs.ofdm_chanest.throughput)."""
    from gnuradio import diffusion
    from gnuradio.diffusion.flowgraphs import ofdm_chanest as ce

    rng = np.random.default_rng(seed)
    H, _ = ch.sample("mix", 256, rng)
    fr = ce.frames(H, 0.1, rng)
    cpp = diffusion.ofdm_channel_denoiser(model)
    ce.throughput(fr, cpp, 256)  # warm-up (first calls, page faults)
    n, t_ls = ce.throughput(fr, None, n_frames)
    n, t_cpp = ce.throughput(fr, diffusion.ofdm_channel_denoiser(model), n_frames)
    n_py = max(100, n_frames // 20)
    m, t_ls_py = ce.throughput(fr, None, n_py)
    m, t_py = ce.throughput(fr, diffusion.ofdm_channel_denoiser_py(model), n_py)
    return {
        "engine": cpp.engine_name(),
        "frames": n,
        "ls_path_frames_per_cpu_s": n / t_ls,
        "ls_plus_cpp_block_frames_per_cpu_s": n / t_cpp,
        "cpp_block_alone_frames_per_cpu_s": n / max(t_cpp - t_ls, 1e-9),
        "python_frames": m,
        "ls_plus_python_block_frames_per_cpu_s": m / t_py,
        "python_block_alone_frames_per_cpu_s": m / max(t_py - t_ls_py, 1e-9),
    }


def sparse_block_speed(model, n_frames, seed=3):
    """Frames per CPU-second of the Python block with sparse pilots (pilots='comb': K x steps
    network calls a frame) beside pilots='all' (Tweedie: one call) and the LS path, the
    same mixed-family frames at 10 dB in the same run (flowgraphs.ofdm_chanest.throughput)."""
    from gnuradio import diffusion
    from gnuradio.diffusion.flowgraphs import ofdm_chanest as ce

    rng = np.random.default_rng(seed)
    H, _ = ch.sample("mix", 64, rng)
    fr = ce.frames(H, 0.1, rng)
    ce.throughput(fr, diffusion.ofdm_channel_denoiser_py(model, pilots="comb"), 8)  # warm-up
    n, t_ls = ce.throughput(fr, None, n_frames)
    n, t_all = ce.throughput(fr, diffusion.ofdm_channel_denoiser_py(model), n_frames)
    n, t_comb = ce.throughput(
        fr, diffusion.ofdm_channel_denoiser_py(model, pilots="comb"), n_frames
    )
    return {
        "frames": n,
        "config": sp.validated_config(model),
        "ls_path_frames_per_cpu_s": n / t_ls,
        "ls_plus_python_all_frames_per_cpu_s": n / t_all,
        "ls_plus_python_comb_frames_per_cpu_s": n / t_comb,
        "comb_over_all_cpu_ratio": t_comb / t_all,
    }


def sparse_block_nmse(model, n_frames, snr_db, seed):
    """NMSE (dB, 95 % interval) of the taps on the tag in a flowgraph: synthetic mix frames
    -> chanest -> ofdm_channel_denoiser_py(pilots='comb') with the noise estimated (nulls
    only), with sigma2 given, with sigma2 and the channel power given; the comb's linear
    interpolation (mode 'off') and LS on all carriers beside them."""
    from gnuradio import diffusion
    from gnuradio.diffusion.flowgraphs import ofdm_chanest as ce

    rng = np.random.default_rng([seed, 31])
    H, _ = ch.sample("mix", n_frames, rng)
    s2 = 10.0 ** (-snr_db / 10.0)
    fr = ce.frames(H, s2, rng)
    kws = {
        "comb, sigma2 estimated": {},
        "comb, sigma2 given": {"noise_var": s2},
        "comb, sigma2 and power given": {"noise_var": s2, "channel_power": 1.0},
        "comb, mode off (linear interpolation)": {"mode": "off"},
    }
    dens = [diffusion.ofdm_channel_denoiser_py(model, pilots="comb", **kw) for kw in kws.values()]
    ls, taps, _ = ce.run(fr, dens)
    act = DEFAULT_LAYOUT.active_pos
    out = {"LS (all carriers)": nmse_ci(ls[:, act], H)}
    for name, t, d in zip(kws, taps, dens):
        out[name] = nmse_ci(t[:, act], H)
        out[name + ": fallbacks"] = d.fallbacks
    return out


def bench_family(name):
    """A shipped family (core.ofdm_channels) or '<family>_ds<k>x': that family at k times its
    delay spread (out of distribution, e.g. nlos_ds2x for a model trained on nlos)."""
    base, sep, tail = name.rpartition("_ds")
    if sep and tail.endswith("x"):
        return ch.family(base).scaled(float(tail[:-1]), name)
    return ch.family(name)


def _write_json(path, out):
    if path:
        with open(path, "w") as fh:
            json.dump(out, fh, indent=1)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "ofdm", "ofdm_mix.onnx"))
    ap.add_argument("--quick", action="store_true", help="1000 frames, 100 packets a point")
    ap.add_argument("--frames", type=int, default=10000)
    ap.add_argument("--packets", type=int, default=1000)
    ap.add_argument("--snr", type=float, nargs="+", default=[-5, 0, 5, 10, 15, 20, 25])
    ap.add_argument("--link-snr", type=float, nargs="+", default=[0, 5, 10, 15, 20, 25])
    ap.add_argument("--families", nargs="+", default=["tdlc", "mix", "mix_ds2x"])
    ap.add_argument("--posterior-k", type=int, default=0)
    ap.add_argument(
        "--mixture-grid",
        nargs="*",
        default=["24x49"],
        help="grid-mixture MMSE grids, delay spreads x timing offsets, coarse to fine (the "
        "last is the column 'grid-mixture MMSE'; none: no column)",
    )
    ap.add_argument(
        "--speed-frames", type=int, default=20000, help="frames of the block speed figures"
    )
    ap.add_argument("--no-link", action="store_true")
    ap.add_argument(
        "--link-ceiling",
        action="store_true",
        help="only the link ceiling: stock LS / denoised / genie taps x simpledfe / static "
        "equalizer and the perfect-CSI bound, per --link-snr",
    )
    ap.add_argument("--no-speed", action="store_true", help="the NMSE tables only")
    ap.add_argument("--no-nmse", action="store_true", help="the link (and speed) only")
    ap.add_argument(
        "--sync-threshold",
        type=float,
        default=0.7,
        help="Schmidl & Cox threshold of both receivers (ofdm_rx: 0.9, which misses most "
        "frames below ~15 dB)",
    )
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument(
        "--sparse", action="store_true", help="the sparse-pilot table only (mix family)"
    )
    ap.add_argument(
        "--sparse-validate",
        action="store_true",
        help="choose the sampler's steps / guidance / eta on validation frames, write "
        "<model>.sparse.json beside the model (core.ofdm_sparse_pilots.sparse_config_path)",
    )
    ap.add_argument("--sparse-k", type=int, default=4, help="posterior samples averaged")
    ap.add_argument("--sparse-family", default="mix")
    ap.add_argument(
        "--sparse-speed-frames",
        type=int,
        default=200,
        help="frames of the sparse block-speed figure (--sparse; --no-speed skips it)",
    )
    ap.add_argument(
        "--sparse-block-frames",
        type=int,
        default=200,
        help="frames of the sparse block's NMSE in a flowgraph at 10 dB (--sparse; 0 skips)",
    )
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    if a.quick:
        a.frames, a.packets, a.speed_frames = 1000, 100, 5000
    out = {"model": os.path.relpath(a.model, ROOT), "frames": a.frames, "nmse": {}}
    if a.sparse_validate:
        print(f"sparse pilots: validation, {a.frames} frames, seed {a.seed + VALIDATION_OFFSET}")
        v = sparse_validate(a.model, a.sparse_family, a.snr, a.frames, a.seed, a.sparse_k)
        print(f"chosen: {v['chosen']}")
        with open(sp.sparse_config_path(a.model), "w") as fh:
            json.dump(v, fh, indent=1)
        return 0
    if a.sparse:
        cfg = sp.validated_config(a.model)
        out["sparse"] = {"config": cfg}
        if not a.no_nmse:
            print(
                f"sparse pilots (comb every 4th + pilots), {a.frames} frames, seed {a.seed}, {cfg}"
            )
            out["sparse"][a.sparse_family] = sparse_table(
                a.model, a.sparse_family, a.snr, a.frames, a.seed, cfg
            )
        if a.sparse_block_frames:
            snr = 10.0
            out["sparse"]["block_nmse"] = r = sparse_block_nmse(
                a.model, a.sparse_block_frames, snr, a.seed
            )
            print(f"sparse block in a flowgraph, {a.sparse_block_frames} frames, {snr} dB:")
            for k_, v in r.items():
                print(
                    f"  {k_:40s} "
                    + (f"{v[0]:6.2f} ({v[1]:.2f}..{v[2]:.2f})" if isinstance(v, tuple) else str(v))
                )
        if not a.no_speed:
            out["sparse"]["block_speed"] = b = sparse_block_speed(a.model, a.sparse_speed_frames)
            print(
                f"sparse block speed, frames per CPU-second ({b['frames']} frames, 10 dB): LS "
                f"path (chanest) {b['ls_path_frames_per_cpu_s']:.0f}; chanest + Python "
                f"denoiser, pilots='all' {b['ls_plus_python_all_frames_per_cpu_s']:.0f}, "
                f"pilots='comb' {b['ls_plus_python_comb_frames_per_cpu_s']:.1f} (CPU ratio "
                f"comb / all {b['comb_over_all_cpu_ratio']:.1f})"
            )
        if a.json:
            with open(a.json, "w") as fh:
                json.dump(out, fh, indent=1)
        return 0
    if a.link_ceiling:
        print(f"link ceiling, {a.packets} packets a point, seed {a.seed}")
        out["link_ceiling"] = link_ceiling_table(
            a.model, a.link_snr, a.packets, a.seed, sync_threshold=a.sync_threshold
        )
        return _write_json(a.json, out)
    print(f"NMSE (dB), {a.frames} frames a point, seed {a.seed}")
    for f in [] if a.no_nmse else a.families:
        fam = bench_family(f)
        out["nmse"][f] = nmse_table(
            a.model, fam, a.snr, a.frames, a.seed, a.posterior_k, a.mixture_grid
        )
    if a.no_speed:
        return _write_json(a.json, out)
    out["speed"] = estimator_speed(a.model)
    print(
        f"estimator speed (1 thread): Tweedie {out['speed']['tweedie_batched_frames_per_s']:.0f}"
        f" frames/s batched; LS division {out['speed']['ls_numpy_frames_per_s']:.0f} frames/s"
    )
    out["block_speed"] = b = block_speed(a.model, a.speed_frames)
    print(
        f"block speed, frames per CPU-second ({b['frames']} frames; {b['engine']}): LS path "
        f"(chanest) {b['ls_path_frames_per_cpu_s']:.0f}; chanest + C++ denoiser "
        f"{b['ls_plus_cpp_block_frames_per_cpu_s']:.0f} (the C++ block alone "
        f"{b['cpp_block_alone_frames_per_cpu_s']:.0f}); chanest + Python denoiser "
        f"{b['ls_plus_python_block_frames_per_cpu_s']:.0f} (alone "
        f"{b['python_block_alone_frames_per_cpu_s']:.0f}, {b['python_frames']} frames)"
    )
    if not a.no_link:
        out["link"] = link_table(
            a.model, a.link_snr, a.packets, a.seed, sync_threshold=a.sync_threshold
        )
    return _write_json(a.json, out)


if __name__ == "__main__":
    sys.exit(main())
