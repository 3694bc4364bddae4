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
  ddpm_tweedie     shipped DDPM, one-call Tweedie E[x|y], then the learned slicer with
                   sigma2 = 0 (nearest learned centroid under the spread metric)
  ddpm_ddim        DDPM, deterministic DDIM (--ddim-steps) from the matched step, same slicer
  oracle           the true transmitted distribution: for a memoryless deterministic chain
                   the exact points (flowgraph on every label) with exact MMSE and ML; with
                   random stages a Monte-Carlo prior of --oracle-k emulator draws per label
                   (exact MMSE / ML for that empirical prior)

MSE = mean |x_hat - z|^2 against the transmitted (impaired) symbol; SER/BER against the
transmitted labels (bits: constellation_labels, Gray).  SER intervals: Wilson 95 %.  The
data-aided training-set sweep re-estimates the mixture from the first n training symbols.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASES = {
    "16qam_pa": ("16qam+rapp(ibo=0,p=2)+agc", "16qam_rapp.onnx"),
    "64qam_pa": ("64qam+rapp(ibo=0,p=2)+agc", "64qam_rapp.onnx"),
    "16qam_pa_pn": ("16qam+rapp(ibo=0,p=2)+phase_noise(1e-4,block=32)+agc",
                    "16qam_rapp_pn.onnx"),
}


def wilson(k, n, z=1.96):
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def awgn_flowgraph(z, esn0_db, seed):
    from gnuradio import blocks, gr

    from gnuradio import diffusion
    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(z, np.complex64).tolist(), False)
    ch = diffusion.additive_noise(esn0_db, diffusion.additive_noise.GAUSSIAN, 1.0, 0.01,
                                  100.0, 0.1, 0.01, int(seed))
    snk = blocks.vector_sink_c()
    tb.connect(src, ch, snk)
    tb.run()
    return np.array(snk.data(), np.complex128)


def metrics(name, xhat, dec, z, idx, const, out):
    """SER/BER of decisions dec (label indices), MSE of xhat vs z."""
    n = len(idx)
    err = dec != idx
    k = int(err.sum())
    bits_tx = const.bits(idx)
    bits_rx = const.bits(np.where(dec < 0, 0, dec))
    be = int((bits_tx != bits_rx).sum())
    mse = float(np.mean(np.abs(xhat - z) ** 2))
    out[name] = {"ser": k / n, "ser_errors": k, "ser_ci95": wilson(k, n), "ber": be / (n * bits_tx.shape[1]),
                 "mse_db": 10 * math.log10(mse) if mse > 0 else -math.inf, "n": n}


def oracle_prior(spec, k, seed):
    """(points [P], label [P]) of the true transmitted distribution."""
    from gnuradio.diffusion.core import chain_spec as cs
    from gnuradio.diffusion.tx_impairment_chain import generate, noiseless_points
    sp = cs.parse(spec)
    m = sp.get_constellation().order
    if not sp.is_random:
        return noiseless_points(sp, seed), np.arange(m), "exact points (deterministic chain)"
    z, lab, _ = generate(sp, k * m * 2, seed)
    pts, labs = [], []
    for i in range(m):
        zi = z[lab == i][:k]
        pts.append(zi)
        labs.append(np.full(len(zi), i))
    return (np.concatenate(pts), np.concatenate(labs),
            f"Monte-Carlo prior, {k} emulator draws per label (seed {seed})")


def oracle_receiver(y, s2, pts, plab, m):
    """Exact MMSE and ML label for the discrete prior pts (labels plab)."""
    from gnuradio.diffusion.core import reference
    xhat = reference.mmse_estimate(y, pts, s2)
    dec = np.empty(len(y), np.int64)
    step = max(16, (1 << 20) // len(pts))
    for s in range(0, len(y), step):
        lg = reference.posterior_logits(y[s:s + step], pts, s2)
        w = np.exp(lg)
        per = np.zeros((w.shape[0], m))
        for i in range(m):
            per[:, i] = w[:, plab == i].sum(1)
        dec[s:s + step] = np.argmax(per, 1)
    return xhat, dec


def run_case(name, spec, model_path, args, log):
    from gnuradio.diffusion.core import chain_spec as cs
    from gnuradio.diffusion.core import reference, samplers
    from gnuradio.diffusion.core.label_mixture import LabelMixture
    from gnuradio.diffusion.core.onnx_model import DdpmModel
    from gnuradio.diffusion.tx_impairment_chain import generate

    sp = cs.parse(spec)
    const = sp.get_constellation()
    m = const.order
    model = DdpmModel(model_path, intra_op_threads=args.threads)
    mix_model = LabelMixture.from_model(model_path)
    train_meta = model.training
    n_train = int(train_meta.get("train_symbols", 1 << 18))
    seed_train = int(train_meta.get("config", {}).get("seed", 1))
    t0 = time.time()
    # the model's training symbols, regenerated (same chain, seed and count)
    zt, it, _ = generate(sp, n_train, seed_train)
    from gnuradio.diffusion.core.label_mixture import estimate
    mu, spr, cnt = estimate(zt, it, m)
    da = LabelMixture(mu, spr, const.labels, counts=cnt)
    same = float(np.max(np.abs(mu - mix_model.centroids)))
    log(f"[{name}] training symbols regenerated ({n_train}); |centroids - model metadata| "
        f"max {same:.2e}")
    pts, plab, odesc = oracle_prior(sp, args.oracle_k, args.seed + 7)
    n_max = max(args.n, args.n_target)
    z, idx, _ = generate(sp, n_max, args.seed)
    res = {"spec": str(sp), "model": os.path.relpath(model_path, ROOT), "oracle": odesc,
           "train_symbols": n_train, "points": {}}
    for esn0 in args.snr:
        n = args.n_target if (esn0 == args.target_snr and name in args.target_cases) else args.n
        n = min(n, len(z))
        s2 = 10 ** (-esn0 / 10)
        y = awgn_flowgraph(z[:n], esn0, args.seed * 100 + int(esn0 * 10))
        zz, ii = z[:n], idx[:n]
        out = {}
        t1 = time.time()
        dec = const.slice(y)
        metrics("nominal_hard", const.points[dec], dec, zz, ii, const, out)
        xm = reference.mmse_estimate(y, const, s2)
        metrics("nominal_mmse", xm, const.slice(xm), zz, ii, const, out)
        metrics("data_aided", da.mmse(y, s2), da.decide(y, s2), zz, ii, const, out)
        xt = samplers.denoise(model, y, s2, "tweedie").astype(np.complex128)
        metrics("ddpm_tweedie", xt, mix_model.decide(xt, 0.0), zz, ii, const, out)
        nd = min(n, args.n_ddim)
        xd = samplers.denoise(model, y[:nd], s2, "ddim", steps=args.ddim_steps)
        xd = xd.astype(np.complex128)
        metrics("ddpm_ddim", xd, mix_model.decide(xd, 0.0), zz[:nd], ii[:nd], const, out)
        xo, do = oracle_receiver(y, s2, pts, plab, m)
        metrics("oracle", xo, do, zz, ii, const, out)
        res["points"][f"{esn0:g}"] = out
        log(f"[{name}] {esn0:5.1f} dB n={n:8d} ({time.time() - t1:5.1f} s): " + "  ".join(
            f"{k} SER {v['ser']:.2e} MSE {v['mse_db']:6.1f}" for k, v in out.items()))
    # data-aided training-set size sweep (ML SER at the target SNR, MSE at 14 dB)
    sweep = {}
    s2t = 10 ** (-args.target_snr / 10)
    n = min(args.n, len(z))
    y = awgn_flowgraph(z[:n], args.target_snr, args.seed * 100 + int(args.target_snr * 10))
    y14 = awgn_flowgraph(z[:n], 14.0, args.seed * 100 + 140)
    for nt in args.sweep:
        if nt > len(zt):
            continue
        try:
            mu, spr, cnt = estimate(zt[:nt], it[:nt], m)
        except ValueError:
            continue
        d = LabelMixture(mu, spr, const.labels)
        k = int((d.decide(y, s2t) != idx[:n]).sum())
        mse14 = float(np.mean(np.abs(d.mmse(y14, 10 ** -1.4) - z[:n]) ** 2))
        sweep[str(nt)] = {"ser": k / n, "ser_ci95": wilson(k, n),
                          "mse14_db": 10 * math.log10(mse14)}
    res["data_aided_sweep"] = sweep
    res["seconds"] = time.time() - t0
    log(f"[{name}] data-aided sweep (SER @ {args.target_snr:g} dB / MSE @ 14 dB): " + ", ".join(
        f"{k}: {v['ser']:.2e} / {v['mse14_db']:.1f}" for k, v in sweep.items()))
    res["constellation"] = {"nominal": [[float(p.real), float(p.imag)] for p in const.points],
                            "learned": [[float(p.real), float(p.imag)]
                                        for p in mix_model.centroids]}
    return res, (z[:4000], idx[:4000], y[:4000], const, mix_model)


def plot(results, scatter, path):
    import matplotlib
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
        z, idx, y, const, mix = scatter[name]
        a = ax[2, j]
        a.scatter(y.real, y.imag, s=1, c="0.8", label=f"received ({'%g' % max(map(float, r['points']))} dB)")
        a.scatter(z.real, z.imag, s=2, c="C1", label="transmitted (chain)")
        a.scatter(const.points.real, const.points.imag, marker="+", c="k", s=60,
                  label="nominal grid")
        a.scatter(mix.centroids.real, mix.centroids.imag, marker="x", c="C3", s=40,
                  label="learned centroids")
        # decision regions of the learned slicer (sigma2 = 0) on a grid
        g = np.linspace(-1.5, 1.5, 301)
        gx, gy = np.meshgrid(g, g)
        reg = mix.decide((gx + 1j * gy).reshape(-1), 0.0).reshape(gx.shape)
        a.contour(gx, gy, reg, levels=np.arange(const.order) + 0.5, colors="C3",
                  linewidths=0.4)
        a.set_aspect("equal")
        a.set_xlim(-1.5, 1.5)
        a.set_ylim(-1.5, 1.5)
        a.legend(fontsize=6, loc="upper right")
        a.set_title("constellation and learned decision regions", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", nargs="+", default=list(CASES))
    ap.add_argument("--models", default=os.path.join(ROOT, "models"))
    ap.add_argument("--snr", nargs="+", type=float, default=[10, 14, 18, 20, 22, 26, 30])
    ap.add_argument("--n", type=int, default=1 << 17, help="symbols per point")
    ap.add_argument("--n-target", type=int, default=1 << 20,
                    help="symbols at --target-snr for --target-cases (SER ~1e-4)")
    ap.add_argument("--target-snr", type=float, default=20.0)
    ap.add_argument("--target-cases", nargs="+", default=["16qam_pa"])
    ap.add_argument("--n-ddim", type=int, default=1 << 15, help="symbols for ddim")
    ap.add_argument("--ddim-steps", type=int, default=5)
    ap.add_argument("--oracle-k", type=int, default=64)
    ap.add_argument("--sweep", nargs="+", type=int,
                    default=[32, 64, 256, 1024, 4096, 16384, 65536, 262144])
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="small n (smoke run)")
    ap.add_argument("--json", default=os.path.join(ROOT, "bench", "results",
                                                   "learned_hardware.json"))
    ap.add_argument("--plot", default=os.path.join(ROOT, "bench", "results",
                                                   "learned_hardware.png"))
    args = ap.parse_args(argv)
    if args.quick:
        args.n, args.n_target, args.n_ddim, args.oracle_k = 8192, 8192, 2048, 16
        args.sweep = [64, 1024]
    results, scatter = {}, {}

    def log(msg):
        print(msg, flush=True)

    for name in args.cases:
        spec, mfile = CASES[name] if name in CASES else (None, None)
        if spec is None:
            raise SystemExit(f"unknown case {name!r} (known: {', '.join(CASES)})")
        mpath = os.path.join(args.models, mfile)
        results[name], scatter[name] = run_case(name, spec, mpath, args, log)
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"argv": list(sys.argv[1:] if argv is None else argv), "args": vars(args),
                   "results": results}, f, indent=1)
    if args.plot:
        plot(results, scatter, args.plot)
    log(f"wrote {args.json} and {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
