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
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)

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
# capture the loopback model was trained on (flowgraphs.loopback.capture arguments)
LOOPBACK_CAPTURE = dict(esn0_db=35.0, frames=256, payload_seed=11, noise_seed=12)
LOOPBACK_CAPTURE_CMD = (
    "gr-diffusion-link --source sim --esn0 35 --frames 256 --n-payloads 64 --payload-seed 11 "
    "--noise-seed 12 --mode none --tx-chain "
    "'16qam+iq(0.5dB,3deg)+dc(0.02,-0.01)+rapp(ibo=1,p=2)+agc' --capture-labels loopback_16qam"
)
LOOPBACK_CLEAN_DB = 200.0  # "noiseless" channel of the oracle / MSE reference runs


def wilson(k, n, z=1.96):
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def awgn_flowgraph(z, esn0_db, seed):
    from gnuradio import blocks, diffusion, gr

    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(z, np.complex64).tolist(), False)
    ch = diffusion.additive_noise(
        esn0_db, diffusion.additive_noise.GAUSSIAN, 1.0, 0.01, 100.0, 0.1, 0.01, int(seed)
    )
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
    out[name] = {
        "ser": k / n,
        "ser_errors": k,
        "ser_ci95": wilson(k, n),
        "ber": be / (n * bits_tx.shape[1]),
        "mse_db": 10 * math.log10(mse) if mse > 0 else -math.inf,
        "n": n,
    }


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
    return (
        np.concatenate(pts),
        np.concatenate(labs),
        f"Monte-Carlo prior, {k} emulator draws per label (seed {seed})",
    )


def oracle_receiver(y, s2, pts, plab, m):
    """Exact MMSE and ML label for the discrete prior pts (labels plab)."""
    from gnuradio.diffusion.core import reference

    xhat = reference.mmse_estimate(y, pts, s2)
    dec = np.empty(len(y), np.int64)
    step = max(16, (1 << 20) // len(pts))
    for s in range(0, len(y), step):
        lg = reference.posterior_logits(y[s : s + step], pts, s2)
        w = np.exp(lg)
        per = np.zeros((w.shape[0], m))
        for i in range(m):
            per[:, i] = w[:, plab == i].sum(1)
        dec[s : s + step] = np.argmax(per, 1)
    return xhat, dec


class ChainData:
    """Symbol-level chain: training set regenerated, test symbols + AWGN flowgraph."""

    def __init__(self, spec, args):
        from gnuradio.diffusion.core import chain_spec as cs

        self.sp = cs.parse(spec)
        self.args = args

    def train_set(self, n_train, seed_train):
        from gnuradio.diffusion.tx_impairment_chain import generate

        # a tracked phase-noise stage holds back the last < block symbols: ask for more and
        # keep the first n_train (the same symbols: the label draws are prefix-consistent)
        zt, it, _ = generate(self.sp, n_train + 1024, seed_train)
        return zt[:n_train], it[:n_train]

    def test_clean(self, n):
        from gnuradio.diffusion.tx_impairment_chain import generate

        z, idx, _ = generate(self.sp, n, self.args.seed)
        return z, idx

    def noisy(self, z, esn0):
        return awgn_flowgraph(z, esn0, self.args.seed * 100 + int(esn0 * 10))

    def oracle(self):
        return oracle_prior(self.sp, self.args.oracle_k, self.args.seed + 7)


class LoopbackData:
    """Simulated loopback (flowgraphs.loopback): the receiver's equalized symbols; the MSE
    reference z is the same frames through a noiseless channel."""

    def __init__(self, spec, args):
        from gnuradio.diffusion.core import chain_spec as cs

        self.sp = cs.parse(spec)
        self.args = args

    def _run(self, esn0, n, payload_seed, noise_seed):
        from gnuradio.diffusion.flowgraphs.loopback import run_loopback

        frames = max(1, -(-n // 1024))
        r = run_loopback(
            str(self.sp), esn0, frames, payload_seed=payload_seed, noise_seed=noise_seed
        )
        return r

    def train_set(self, n_train, seed_train):
        c = LOOPBACK_CAPTURE
        r = self._run(c["esn0_db"], c["frames"] * 1024, c["payload_seed"], c["noise_seed"])
        ok = r["ok"]
        return r["eq"][ok], r["labels"][ok]

    def test_clean(self, n):
        r = self._run(LOOPBACK_CLEAN_DB, n, self.args.seed, 1)
        self._ok = r["ok"]
        return r["eq"], r["labels"]

    def noisy(self, z, esn0):
        r = self._run(esn0, len(z), self.args.seed, self.args.seed * 100 + int(esn0 * 10))
        y = r["eq"][: len(z)]
        if len(y) != len(z) or not r["ok"][: len(z)].all():
            raise RuntimeError(
                f"loopback at {esn0} dB lost frames: cannot align with the noiseless reference"
            )
        return y

    def oracle(self):
        k = self.args.oracle_k
        m = self.sp.get_constellation().order
        r = self._run(LOOPBACK_CLEAN_DB, 64 * 1024, self.args.seed + 7, 3)
        z, lab = r["eq"][r["ok"]], r["labels"][r["ok"]]
        pts, labs = [], []
        for i in range(m):
            zi = z[lab == i][:k]
            pts.append(zi)
            labs.append(np.full(len(zi), i))
        return (
            np.concatenate(pts),
            np.concatenate(labs),
            f"Monte-Carlo prior, {k} noiseless-channel loopback symbols per label",
        )


def run_case(name, spec, model_path, args, log):
    from gnuradio.diffusion.core import reference, samplers
    from gnuradio.diffusion.core.label_mixture import LabelMixture, estimate
    from gnuradio.diffusion.core.onnx_model import DdpmModel

    data = (
        LoopbackData(spec[len("loopback:") :], args)
        if spec.startswith("loopback:")
        else ChainData(spec, args)
    )
    sp = data.sp
    const = sp.get_constellation()
    m = const.order
    model = DdpmModel(model_path, intra_op_threads=args.threads)
    mix_model = LabelMixture.from_model(model_path)
    train_meta = model.training
    n_train = int(train_meta.get("train_symbols", 1 << 18))
    seed_train = int(train_meta.get("config", {}).get("seed", 1))
    t0 = time.time()
    # the model's training symbols, regenerated (same chain / capture, seed and count)
    zt, it = data.train_set(n_train, seed_train)
    mu, spr, cnt = estimate(zt, it, m)
    da = LabelMixture(mu, spr, const.labels, counts=cnt)
    same = float(np.max(np.abs(mu - mix_model.centroids)))
    log(
        f"[{name}] training symbols regenerated ({len(zt)}); |centroids - model metadata| "
        f"max {same:.2e}"
    )
    pts, plab, odesc = data.oracle()
    n_max = max(args.n, args.n_target if name in args.target_cases else 0)
    z, idx = data.test_clean(n_max)
    res = {
        "spec": str(sp),
        "model": os.path.relpath(model_path, ROOT),
        "oracle": odesc,
        "train_symbols": n_train,
        "points": {},
    }
    for esn0 in args.snr:
        n = args.n_target if (esn0 == args.target_snr and name in args.target_cases) else args.n
        n = min(n, len(z))
        s2 = 10 ** (-esn0 / 10)
        y = data.noisy(z[:n], esn0)
        zz, ii = z[:n], idx[:n]
        out = {}
        t1 = time.time()
        dec = const.slice(y)
        metrics("nominal_hard", const.points[dec], dec, zz, ii, const, out)
        xm = reference.mmse_estimate(y, const, s2)
        metrics("nominal_mmse", xm, const.slice(xm), zz, ii, const, out)
        metrics("data_aided", da.mmse(y, s2), da.decide(y, s2), zz, ii, const, out)
        xt = samplers.denoise(model, y, s2, "tweedie").astype(np.complex128)
        metrics("ddpm_tweedie", xt, mix_model.decide(xt, s2), zz, ii, const, out)
        nd = min(n, args.n_ddim)
        xd = samplers.denoise(model, y[:nd], s2, "ddim", steps=args.ddim_steps)
        xd = xd.astype(np.complex128)
        metrics("ddpm_ddim", xd, mix_model.decide(xd, s2), zz[:nd], ii[:nd], const, out)
        xo, do = oracle_receiver(y, s2, pts, plab, m)
        metrics("oracle", xo, do, zz, ii, const, out)
        res["points"][f"{esn0:g}"] = out
        log(
            f"[{name}] {esn0:5.1f} dB n={n:8d} ({time.time() - t1:5.1f} s): "
            + "  ".join(f"{k} SER {v['ser']:.2e} MSE {v['mse_db']:6.1f}" for k, v in out.items())
        )
    # data-aided training-set size sweep (ML SER at the target SNR, MSE at 14 dB)
    sweep = {}
    s2t = 10 ** (-args.target_snr / 10)
    n = min(args.n, len(z))
    y = data.noisy(z[:n], args.target_snr)
    y14 = data.noisy(z[:n], 14.0)
    for nt in args.sweep:
        if nt > len(zt):
            continue
        try:
            mu, spr, cnt = estimate(zt[:nt], it[:nt], m, min_count=1)
        except ValueError:
            continue
        d = LabelMixture(mu, spr, const.labels)
        k = int((d.decide(y, s2t) != idx[:n]).sum())
        mse14 = float(np.mean(np.abs(d.mmse(y14, 10**-1.4) - z[:n]) ** 2))
        sweep[str(nt)] = {
            "ser": k / n,
            "ser_ci95": wilson(k, n),
            "mse14_db": 10 * math.log10(mse14),
        }
    res["data_aided_sweep"] = sweep
    res["seconds"] = time.time() - t0
    log(
        f"[{name}] data-aided sweep (SER @ {args.target_snr:g} dB / MSE @ 14 dB): "
        + ", ".join(f"{k}: {v['ser']:.2e} / {v['mse14_db']:.1f}" for k, v in sweep.items())
    )
    res["constellation"] = {
        "nominal": [[float(p.real), float(p.imag)] for p in const.points],
        "learned": [[float(p.real), float(p.imag)] for p in mix_model.centroids],
    }
    return res, (z[:4000], idx[:4000], y[:4000], const, mix_model, args.target_snr)


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
        z, idx, y, const, mix, snr_y = scatter[name]
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
    ap.add_argument("--threads", type=int, default=1)
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

    for name in args.cases:
        spec, mfile = CASES[name] if name in CASES else (None, None)
        if spec is None:
            raise SystemExit(f"unknown case {name!r} (known: {', '.join(CASES)})")
        mpath = os.path.join(args.models, mfile)
        results[name], scatter[name] = run_case(name, spec, mpath, args, log)
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
        plot(results, scatter, args.plot)
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
