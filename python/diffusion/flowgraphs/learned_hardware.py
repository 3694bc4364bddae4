#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Learned-hardware receivers on one impairment case (bench/learned_hardware.py): fresh
labels through ``tx_impairment_chain`` (or the simulated loopback, flowgraphs.loopback), the
AWGN channel as a ``diffusion.additive_noise`` flowgraph (sigma2 = 1/Es/N0 per complex
symbol, unit signal power after the chain's AGC), and the receivers of the benchmark
(nominal, data-aided mixture, DDPM Tweedie / DDIM with the learned slicer, oracle) on the
same received symbols.

:func:`learned_hardware_case` is one case as a ``diffusion.sweeps`` task: plain parameters
in (spec, model path, sizes, seeds), plain results out; it builds its own flowgraphs, so a
run on Dask workers gives exactly the serial results.
"""

import math
import time
from types import SimpleNamespace

import numpy as np

from ..core.metrics import wilson_interval

# capture the loopback model was trained on (flowgraphs.loopback.capture arguments)
LOOPBACK_CAPTURE = dict(esn0_db=35.0, frames=256, payload_seed=11, noise_seed=12)
LOOPBACK_CLEAN_DB = 200.0  # "noiseless" channel of the oracle / MSE reference runs


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
        "ser_ci95": wilson_interval(k, n),
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
    pts, labs = first_per_label(z, lab, m, k)
    return pts, labs, f"Monte-Carlo prior, {k} emulator draws per label (seed {seed})"


def first_per_label(z, lab, m, k):
    """The first k symbols of each label 0..m-1 of (z, lab): the Monte-Carlo prior's points
    and their labels, label by label."""
    pts = [z[lab == i][:k] for i in range(m)]
    return np.concatenate(pts), np.concatenate([np.full(len(p), i) for i, p in enumerate(pts)])


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
        from .loopback import run_loopback

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
        pts, labs = first_per_label(z, lab, m, k)
        return pts, labs, f"Monte-Carlo prior, {k} noiseless-channel loopback symbols per label"


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
        "model": model_path,
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
            "ser_ci95": wilson_interval(k, n),
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
    return res, (z[:4000], idx[:4000], y[:4000], args.target_snr)


def learned_hardware_case(
    name,
    spec,
    model_path,
    snr,
    n,
    n_target,
    target_snr,
    target_cases,
    n_ddim,
    ddim_steps,
    oracle_k,
    sweep,
    seed,
    threads=1,
):
    """One case as a sweeps task: (results dict, scatter (z, labels, y, target_snr) of the
    first 4000 symbols, log lines).  spec: the chain spec ('loopback:<spec>' for the
    simulated loopback); model_path: the case's ONNX model; snr: Es/N0 points, dB; n /
    n_target: symbols per point (n_target at target_snr for the cases in target_cases);
    n_ddim: symbols through DDIM (ddim_steps); oracle_k: emulator draws per label of a
    random chain's oracle prior; sweep: training-set sizes of the data-aided sweep; seed:
    test labels and channel noise; threads: onnxruntime intra-op threads."""
    args = SimpleNamespace(
        snr=[float(s) for s in snr],
        n=int(n),
        n_target=int(n_target),
        target_snr=float(target_snr),
        target_cases=list(target_cases),
        n_ddim=int(n_ddim),
        ddim_steps=int(ddim_steps),
        oracle_k=int(oracle_k),
        sweep=[int(s) for s in sweep],
        seed=int(seed),
        threads=int(threads),
    )
    lines = []
    res, (z, idx, y, snr_y) = run_case(name, spec, model_path, args, lines.append)
    return res, (z, idx, y, snr_y), lines
