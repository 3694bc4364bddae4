#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""One-command reproduction of the published DDPM-receiver figures, with honest baselines.

    .venv/bin/python bench/reproduce.py            # full run   (out/reproduce/)
    .venv/bin/python bench/reproduce.py --quick    # small run for tests (< 3 min)

The link points (figures 1-5 and the figure-7 scatter panels) run as tasks on Dask
(diffusion.sweeps: --workers N local single-threaded workers, default 2; --scheduler
tcp://host:8786 a cluster; --workers 0 serially in this process), each task
flowgraphs.estimator_comparison.impaired_link_point building its own flowgraph from plain
parameters: the same seeds give exactly the serial results.

Letafati, Ali, Latva-aho, "Denoising diffusion probabilistic models for hardware-impaired
communications" (and the follow-ups with the same link).  Every point of figures 1-5 and of
the constellation scatter plots is one GNU Radio flowgraph run of the module's blocks:

    vector_source (unit-power symbols x)
      -> impaired_link  (8-bit quantizer, kappa_t / kappa_r transceiver distortion,
                         Rayleigh fading (i.i.d. per symbol, known h) or none, Gaussian /
                         Laplacian noise, zero-forcing equalizer: z and the effective
                         sigma2 per sample)
      -> ddpm_denoiser (C++) x 4, noise source 'stream' (sigma2 from the equalizer),
         modes paper / posterior / ddim / tweedie
      -> dnn_receiver (shipped blind DNN, regression head)
      -> vector sinks and one reconstruction_metrics sink per estimator (reference x)

plus, outside the flowgraph (from the sinks' samples): the exact MMSE estimate
E[x | z] for the constellation in Gaussian noise of the *effective* per-sample variance
(reference.mmse_estimate), and hard (nearest-point) decisions on z.  "raw" is z itself
(with fading: the ZF-equalized sample, the input of every estimator).  MSE / NMSE /
cosine similarity / BER are measured against the *transmitted* symbols x.

Figures (see --help for the grids; the report says what each shows):
  1  MSE vs Es/N0, 16/64/256-QAM, AWGN and Laplacian noise (same variance, no retraining);
     1b: the 16-QAM AWGN panel again with a DDPM trained on the published sigmoid schedule
     (not shipped: trained into OUT/models on first use and reused)
  2  MSE vs kappa_r at a fixed Es/N0, Rayleigh fading
  3  NMSE and cosine similarity vs Es/N0, Rayleigh, (kappa_t, kappa_r) = (.05,.15), (.1,.1)
  4  cosine similarity vs quantizer bits 4 / 6 / 8
  5  BER vs Es/N0 (-25 .. -5 dB), uncoded, AWGN and Laplacian
  6  probabilistic shaping: AWGN mutual information of uniform, Maxwell-Boltzmann and
     DDPM-generated PMFs (theory) + the mi_probe block on flowgraph-made samples
  7  swiss-roll reverse-process snapshots and received-vs-denoised scatter plots

Outputs in --out: results.json (every curve of every figure, claims, run times, models),
report.md (claim-vs-measured table and per-figure tables) and fig*.png.
"""

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field

# GNU Radio's default log level prints every block's one-time warnings (e.g. "noise
# variance outside the model's schedule: clamped", which this script counts itself).
os.environ.setdefault("GR_CONF_LOG_LOG_LEVEL", "error")

import numpy as np  # noqa: E402
from _path import ROOT  # noqa: F401  (bench/_path.py: how bench scripts find the package)
from gnuradio import (  # noqa: E402
    blocks,
    diffusion,  # noqa: E402
    gr,
)
from gnuradio.diffusion.core import (  # noqa: E402
    constellations,
    information_rate,
    model_files,  # noqa: E402
    reference,
    samplers,  # noqa: E402
)
from gnuradio.diffusion.core.model_files import shipped_model  # noqa: E402
from gnuradio.diffusion.core.onnx_model import DdpmModel  # noqa: E402
from gnuradio.diffusion.flowgraphs.estimator_comparison import (  # noqa: E402
    ShapedMiFlowgraph,
    SwissRollFlowgraph,
    impaired_link_point,
)
from gnuradio.diffusion.shaping import pmf as _shaping  # noqa: E402
from gnuradio.diffusion.sweeps.runner import TaskRunner, add_cluster_arguments  # noqa: E402
from reproduce_report import (  # noqa: E402  (bench/: the results' vocabulary and the report)
    DDPM_MODES,
    ESTIMATORS,
    LABELS,
    MI_CURVES,
    MI_MEASURED,
)

try:
    from tqdm import tqdm
except ImportError:  # pragma: no cover
    tqdm = None

METRIC_NAMES = (
    "mse",
    "mse_db",
    "mse_se",
    "nmse_db",
    "cosine_similarity",
    "ser",
    "ber",
    "excess_mmse",
    "excess_mmse_se",
    "ber_excess_map",
    "ber_excess_map_se",
    "grid_rms",
)
# what results.json must hold (the test checks it): figure -> panel-kind -> curve names
EXPECTED = {
    "fig1": ESTIMATORS,
    "fig2": ESTIMATORS,
    "fig3": ESTIMATORS,
    "fig4": ESTIMATORS,
    "fig5": ESTIMATORS,
    "fig6": MI_CURVES,
    "fig7_scatter": ESTIMATORS,
}
_SEED_MAX = (1 << 31) - 64


# ---------------------------------------------------------------------------- configuration
@dataclass
class Config:
    """Every knob of a run (written to results.json)."""

    quick: bool = False
    seed: int = 2026
    nsym: int = 5000  # symbols per flowgraph point (figures 1-4, 7)
    nsym_ber: int = 10000  # symbols per point of figure 5
    kappa_t: float = 0.05  # published impairments
    kappa_r: float = 0.15
    bits: int = 8  # published quantizer
    full_scale: float = 1.2  # quantizer clip level per rail (impaired_link)
    coherence_length: int = 1  # Rayleigh block length (1: i.i.d. per symbol)
    ddim_steps: int = 5
    fig1_consts: tuple = ("16qam", "64qam", "256qam")
    fig1_sigmoid_const: str = "16qam"  # supplement: a model on the published schedule
    sigmoid_steps: int = 4000  # its training steps when not found (cached)
    fig1_esn0: tuple = tuple(np.round(np.arange(-30.0, 30.01, 2.5), 2))
    fig2_const: str = "16qam"
    fig2_esn0: float = 10.0
    fig2_kappa_r: tuple = tuple(np.round(np.arange(0.0, 0.3001, 0.05), 3))
    fig3_const: str = "16qam"
    fig3_esn0: tuple = tuple(np.round(np.arange(-10.0, 30.01, 2.5), 2))
    fig3_kappas: tuple = ((0.05, 0.15), (0.10, 0.10))
    fig4_const: str = "16qam"
    fig4_esn0: float = 20.0
    fig4_bits: tuple = (4, 6, 8)
    fig5_const: str = "16qam"
    fig5_esn0: tuple = tuple(np.round(np.arange(-25.0, -4.99, 2.5), 2))
    fig6_consts: tuple = ("16qam", "64qam")
    fig6_esn0: tuple = tuple(np.round(np.arange(-10.0, 25.01, 2.5), 2))
    fig6_pmf_nsym: int = 16384  # synthetic symbols per DDPM PMF
    fig6_mi_nsym: int = 20000  # symbols per mi_probe flowgraph
    fig7_swiss_n: int = 2000
    fig7_swiss_esn0: float = 5.0
    fig7_const: str = "16qam"
    fig7_esn0: tuple = (-20.0, -10.0, 0.0)
    figures: tuple = (1, 2, 3, 4, 5, 6, 7)

    @classmethod
    def quick_config(cls, **kw):
        c = cls(
            quick=True,
            nsym=400,
            nsym_ber=1200,
            fig1_esn0=(-30.0, 0.0, 30.0),
            fig2_kappa_r=(0.0, 0.15, 0.3),
            fig3_esn0=(0.0, 30.0),
            fig5_esn0=(-25.0, -15.0, -5.0),
            fig6_consts=("16qam",),
            fig6_esn0=(-5.0, 5.0, 15.0),
            fig6_pmf_nsym=2048,
            fig6_mi_nsym=2000,
            fig7_swiss_n=500,
            sigmoid_steps=150,
        )
        for k, v in kw.items():
            setattr(c, k, v)
        return c


def point_seed(*key):
    """A reproducible block seed (0 .. 2^31) from a key tuple (figure, panel, point, ...)."""
    words = [
        hash_str(k) if isinstance(k, str) else int(round(float(k) * 1000)) & 0xFFFFFFFF for k in key
    ]
    return int(np.random.SeedSequence(words).generate_state(1)[0]) % _SEED_MAX


def hash_str(s):
    """Stable (not salted) string hash."""
    h = 2166136261
    for ch in s.encode():
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h


def progress(iterable, desc, enabled, total=None):
    if tqdm is None or not enabled:
        return iterable
    return tqdm(iterable, desc=desc, total=total, leave=False, dynamic_ncols=True, file=sys.stderr)


# ---------------------------------------------------------------------------- models
@dataclass
class Models:
    """Where the DDPM and DNN models come from (and which were trained here as stand-ins)."""

    dirs: list
    ddpm: dict = field(default_factory=dict)
    dnn: dict = field(default_factory=dict)
    trained_here: list = field(default_factory=list)
    trained_sigmoid: list = field(default_factory=list)

    def ddpm_path(self, name):
        return self.ddpm[name]

    def dnn_path(self, name):
        return self.dnn[name]


def _find(fname, then=()):
    """A model file by the package's one model lookup (core.model_files:
    $GR_DIFFUSION_MODEL_DIR, the checkout, the install), else in the directories ``then``;
    None if absent."""
    try:
        return shipped_model(fname)
    except FileNotFoundError:
        pass
    for d in then:
        p = os.path.join(d, fname)
        if os.path.isfile(p):
            return p
    return None


def resolve_models(
    names_ddpm,
    names_dnn,
    model_dir=None,
    train_missing=0,
    out_dir=None,
    log=print,
    sigmoid=(),
    sigmoid_steps=4000,
):
    """Find every model (first hit in model_dirs()); with train_missing > 0, train the
    missing ones (that many optimizer steps, 1 thread) into <out_dir>/models as clearly
    labelled stand-ins.  sigmoid: constellations that also need a model trained on the
    published (sigmoid, 'paper') schedule, <const>_sigmoid.onnx: not shipped, so trained
    into <out_dir>/models when not found (sigmoid_steps steps; reused by later runs)."""
    if model_dir:  # searched first (core.model_files reads it on every lookup)
        os.environ["GR_DIFFUSION_MODEL_DIR"] = os.path.abspath(model_dir)
    dirs = model_files.model_dirs()
    m = Models(dirs)
    for n in sigmoid:
        fname = f"{n}_sigmoid.onnx"
        mdir = os.path.join(out_dir, "models")
        p = _find(fname, then=[mdir])
        if p is None:
            os.makedirs(mdir, exist_ok=True)
            p = os.path.join(mdir, fname)
            log(f"training {n} on the published sigmoid schedule ({sigmoid_steps} steps) -> {p}")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "gnuradio.diffusion.train",
                    "--data",
                    n,
                    "--out",
                    p,
                    "--schedule",
                    "paper",
                    "--steps",
                    str(int(sigmoid_steps)),
                    "--no-progress",
                    "--threads",
                    "1",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            m.trained_sigmoid.append(p)
        m.ddpm[f"{n}@sigmoid"] = p
    missing = []
    for n in names_ddpm:
        p = _find(f"{n}.onnx")
        if p:
            m.ddpm[n] = p
        else:
            missing.append(("ddpm", n))
    for n in names_dnn:
        p = _find(f"dnn_{n}_regression.onnx")
        if p:
            m.dnn[n] = p
        else:
            missing.append(("dnn", n))
    if missing and train_missing <= 0:
        what = ", ".join(f"{k} {n}" for k, n in missing)
        raise SystemExit(
            f"reproduce: missing models ({what}) in {', '.join(dirs)}; "
            f"pass --model-dir, or --train-missing STEPS to train stand-ins"
        )
    if missing:
        mdir = os.path.join(out_dir, "models")
        os.makedirs(mdir, exist_ok=True)
        for kind, n in missing:
            if kind == "ddpm":
                p = os.path.join(mdir, f"{n}.onnx")
                cmd = [
                    sys.executable,
                    "-m",
                    "gnuradio.diffusion.train",
                    "--data",
                    n,
                    "--out",
                    p,
                    "--schedule",
                    "wide",
                    "--steps",
                    str(int(train_missing)),
                    "--no-progress",
                    "--threads",
                    "1",
                ]
            else:
                p = os.path.join(mdir, f"dnn_{n}_regression.onnx")
                cmd = [
                    sys.executable,
                    "-m",
                    "gnuradio.diffusion.train_dnn",
                    "--data",
                    n,
                    "--head",
                    "regression",
                    "--out",
                    p,
                    "--steps",
                    str(int(train_missing)),
                    "--no-progress",
                    "--threads",
                    "1",
                ]
            if not os.path.isfile(p):
                log(f"training stand-in {kind} model {n} ({train_missing} steps) -> {p}")
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            (m.ddpm if kind == "ddpm" else m.dnn)[n] = p
            m.trained_here.append(p)
    return m


def describe_ddpm(path):
    """Schedule and training facts of a DDPM model (for the report)."""
    mdl = DdpmModel(path)
    s = mdl.schedule
    tr = mdl.training
    return {
        "path": path,
        "schedule": s.name,
        "T": s.T,
        "esn0_range_db": [float(s.snr_db[-1]), float(s.snr_db[0])],
        "x_T_esn0_db": float(s.snr_db[-1]),
        "steps": (tr.get("config") or {}).get("steps"),
        "final_loss": tr.get("final_loss"),
        "command": tr.get("command"),
    }


def describe_dnn(path):
    from gnuradio.diffusion.core.dnn_model import DnnModel

    d = DnnModel(path)
    return {
        "path": path,
        "head": d.head,
        "snr_input": d.snr_input,
        "train_esn0_range_db": d.training_esn0_range,
    }


# ---------------------------------------------------------------------------- flowgraphs
def sweep_panel(
    cfg, models, fig, panel_key, title, x_name, xs, point_kw, nsym, pool, keep_samples=False
):
    """A panel: one impaired_link_point task per x in xs, on pool (a sweeps TaskRunner);
    point_kw(x) -> the point's link parameters (const_name, esn0_db, kappa_t, kappa_r, bits,
    fading, noise[, model_key: the DDPM model, default the constellation's]).

    Common random numbers: every point of every panel of a figure with the same
    constellation uses the same seed (same symbols, fading and noise sequences), so the
    curves differ by the swept parameter, not by the draw."""
    curves = {e: {m: [] for m in METRIC_NAMES} for e in ESTIMATORS}
    clamped = {m: [] for m in DDPM_MODES}
    seconds, worst, samples, ber_map = [], 0.0, [], []
    params = None
    tasks = []
    for xv in xs:
        kw = point_kw(xv)
        params = {k: v for k, v in kw.items() if k != "esn0_db" or x_name != "esn0_db"}
        kw = dict(kw)
        key = kw.pop("model_key", None)
        tasks.append(
            dict(
                kw,
                ddpm_path=models.ddpm_path(key or kw["const_name"]),
                dnn_path=models.dnn_path(kw["const_name"]),
                full_scale=cfg.full_scale,
                coherence_length=cfg.coherence_length,
                nsym=nsym,
                seed=point_seed(cfg.seed, fig, kw["const_name"]),
                ddim_steps=cfg.ddim_steps,
                modes=list(DDPM_MODES),
                keep_samples=keep_samples,
            )
        )
    for r in pool.map(impaired_link_point, tasks, f"{fig} {panel_key}"):
        for e in ESTIMATORS:
            for m in METRIC_NAMES:
                curves[e][m].append(r["estimators"][e].get(m, float("nan")))
        for m in DDPM_MODES:
            clamped[m].append(r["clamped"][m])
        seconds.append(round(r["seconds"], 3))
        ber_map.append(r["ber_bitwise_map"])
        worst = max(worst, r["sink_vs_offline_max_rel"])
        if keep_samples:
            samples.append(r["samples"])
    panel = {
        "title": title,
        "x_name": x_name,
        "x": [float(v) for v in xs],
        "curves": curves,
        "clamped": clamped,
        "seconds": seconds,
        "nsym": nsym,
        "ber_bitwise_map": ber_map,
        "sink_vs_offline_max_rel": worst,
        "gaussian_effective": params is not None and params.get("noise") == "gaussian",
        "params": {k: v for k, v in (params or {}).items() if k not in (x_name,)},
    }
    if keep_samples:
        panel["_samples"] = samples
    return panel


# ---------------------------------------------------------------------------- figures 1-5
def figure1(cfg, models, pool):
    panels = {}
    for c in cfg.fig1_consts:
        for noise in ("gaussian", "laplacian"):
            key = f"{c}/{noise}"
            panels[key] = sweep_panel(
                cfg,
                models,
                "fig1",
                key,
                f"{c.upper()}, {noise} noise, no fading",
                "esn0_db",
                cfg.fig1_esn0,
                lambda v, c=c, noise=noise: dict(
                    const_name=c,
                    esn0_db=v,
                    kappa_t=cfg.kappa_t,
                    kappa_r=cfg.kappa_r,
                    bits=cfg.bits,
                    fading="none",
                    noise=noise,
                ),
                cfg.nsym,
                pool,
            )
    out = {"title": "MSE vs Es/N0 (published impairments, 8-bit quantizer)", "panels": panels}
    c = cfg.fig1_sigmoid_const
    if c:
        key = f"{c}/gaussian"
        mk = f"{c}@sigmoid"
        sch = DdpmModel(models.ddpm_path(mk)).schedule
        out["supplement"] = {
            "title": "the same link, DDPM trained on the published (sigmoid) schedule",
            "model": models.ddpm_path(mk),
            "x_T_esn0_db": float(sch.snr_db[-1]),
            "panels": {
                key: sweep_panel(
                    cfg,
                    models,
                    "fig1",
                    key,
                    f"{c.upper()}, gaussian noise, no fading, published-schedule DDPM",
                    "esn0_db",
                    cfg.fig1_esn0,
                    lambda v: dict(
                        const_name=c,
                        esn0_db=v,
                        kappa_t=cfg.kappa_t,
                        kappa_r=cfg.kappa_r,
                        bits=cfg.bits,
                        fading="none",
                        noise="gaussian",
                        model_key=mk,
                    ),
                    cfg.nsym,
                    pool,
                )
            },
        }
    return out


def figure2(cfg, models, pool):
    c = cfg.fig2_const
    key = f"{c}/rayleigh"
    p = sweep_panel(
        cfg,
        models,
        "fig2",
        key,
        f"{c.upper()}, Rayleigh, Es/N0 = {cfg.fig2_esn0:g} dB, kappa_t = {cfg.kappa_t}",
        "kappa_r",
        cfg.fig2_kappa_r,
        lambda v: dict(
            const_name=c,
            esn0_db=cfg.fig2_esn0,
            kappa_t=cfg.kappa_t,
            kappa_r=float(v),
            bits=cfg.bits,
            fading="rayleigh",
            noise="gaussian",
        ),
        cfg.nsym,
        pool,
    )
    return {
        "title": "MSE vs receiver impairment level kappa_r (Rayleigh fading)",
        "panels": {key: p},
    }


def figure3(cfg, models, pool):
    c = cfg.fig3_const
    panels = {}
    for kt, kr in cfg.fig3_kappas:
        key = f"{c}/kt{kt:g}_kr{kr:g}"
        panels[key] = sweep_panel(
            cfg,
            models,
            "fig3",
            key,
            f"{c.upper()}, Rayleigh, (kappa_t, kappa_r) = ({kt:g}, {kr:g})",
            "esn0_db",
            cfg.fig3_esn0,
            lambda v, kt=kt, kr=kr: dict(
                const_name=c,
                esn0_db=v,
                kappa_t=kt,
                kappa_r=kr,
                bits=cfg.bits,
                fading="rayleigh",
                noise="gaussian",
            ),
            cfg.nsym,
            pool,
        )
    return {"title": "NMSE and cosine similarity vs Es/N0 (Rayleigh fading)", "panels": panels}


def figure4(cfg, models, pool):
    c = cfg.fig4_const
    key = f"{c}/rayleigh"
    p = sweep_panel(
        cfg,
        models,
        "fig4",
        key,
        f"{c.upper()}, Rayleigh, Es/N0 = {cfg.fig4_esn0:g} dB, published kappas",
        "bits",
        cfg.fig4_bits,
        lambda v: dict(
            const_name=c,
            esn0_db=cfg.fig4_esn0,
            kappa_t=cfg.kappa_t,
            kappa_r=cfg.kappa_r,
            bits=int(v),
            fading="rayleigh",
            noise="gaussian",
        ),
        cfg.nsym,
        pool,
    )
    p["quantizer"] = quantized_constellation(
        constellations.by_name(c), cfg.fig4_bits, cfg.full_scale
    )
    return {"title": "Cosine similarity vs quantizer resolution", "panels": {key: p}}


def quantized_constellation(const, bits_list, full_scale):
    """What the complex_quantizer block does to the clean constellation (a flowgraph per
    resolution): signal power change and deterministic error, both in dB."""
    out = {"bits": [], "power_db": [], "error_db": []}
    for b in bits_list:
        tb = gr.top_block("reproduce_quantizer", catch_exceptions=False)
        tb.src = blocks.vector_source_c(const.points.astype(np.complex64).tolist(), False)
        tb.q = diffusion.complex_quantizer(int(b), float(full_scale))
        tb.snk = blocks.vector_sink_c()
        tb.connect(tb.src, tb.q, tb.snk)
        tb.run()
        q = np.array(tb.snk.data(), np.complex128)
        out["bits"].append(int(b))
        out["power_db"].append(float(10 * np.log10(np.mean(np.abs(q) ** 2))))
        out["error_db"].append(reference.mse_db(q, const.points))
        del tb
    return out


def figure5(cfg, models, pool):
    c = cfg.fig5_const
    panels = {}
    for noise in ("gaussian", "laplacian"):
        key = f"{c}/{noise}"
        panels[key] = sweep_panel(
            cfg,
            models,
            "fig5",
            key,
            f"{c.upper()}, {noise} noise, no fading",
            "esn0_db",
            cfg.fig5_esn0,
            lambda v, noise=noise: dict(
                const_name=c,
                esn0_db=v,
                kappa_t=cfg.kappa_t,
                kappa_r=cfg.kappa_r,
                bits=cfg.bits,
                fading="none",
                noise=noise,
            ),
            cfg.nsym_ber,
            pool,
        )
    return {"title": "Uncoded BER vs Es/N0 (low SNR)", "panels": panels}


# ---------------------------------------------------------------------------- figure 6 (PCS)
def measured_mi(const, pmf, esn0_db, nsym, seed):
    """MI measured by the mi_probe block on shaped symbols through additive_noise; returns
    (mi, standard error, |probe - offline|)."""
    rng = np.random.default_rng(seed)
    p = np.asarray(pmf, dtype=np.float64)
    p = p / p.sum()
    idx = rng.choice(const.order, size=nsym, p=p)
    pts = information_rate.unit_power(const.points, p)
    tb = ShapedMiFlowgraph(pts[idx], const, p, esn0_db, seed)
    tb.run()
    r = tb.probe.results()
    y = np.array(tb.y_sink.data(), np.complex128)
    del tb
    mi, se = information_rate.mi_samples(
        idx, y, pts, p, aux="awgn", sigma2=10 ** (-esn0_db / 10), normalize=False, stderr=True
    )
    return float(r["mi_bits"]), se, float(abs(mi - r["mi_bits"]))


def figure6(cfg, models, pool):
    panels = {}
    for cname in cfg.fig6_consts:
        const = constellations.by_name(cname)
        model = DdpmModel(models.ddpm_path(cname))
        xs = [float(v) for v in cfg.fig6_esn0]
        curves = {k: [] for k in MI_CURVES}
        entropy = {k: [] for k in MI_CURVES if k != "capacity"}
        measured = {k: {"mi": [], "se": [], "probe_vs_offline": []} for k in MI_MEASURED}
        nu, clamped = [], {m: [] for m in DDPM_MODES}
        for i, snr in enumerate(progress(xs, f"fig6 {cname}", pool.progress)):
            curves["capacity"].append(information_rate.capacity_awgn(snr))
            pmfs = {"uniform": np.full(const.order, 1.0 / const.order)}
            mb = _shaping.optimal_maxwell_boltzmann(cname, snr)
            pmfs["maxwell_boltzmann"] = np.asarray(mb.pmf)
            nu.append(float(mb.info.get("nu", float("nan"))))
            for mode in DDPM_MODES:
                info = {}
                p = _shaping.ddpm_pmf(
                    model,
                    snr,
                    mode,
                    cfg.fig6_pmf_nsym,
                    seed=point_seed(cfg.seed, "fig6", cname, mode),
                    ddim_steps=cfg.ddim_steps,
                    info=info,
                )
                pmfs["ddpm_" + mode] = np.asarray(p)
                clamped[mode].append(int(info.get("clamped", 0)))
            for k, p in pmfs.items():
                curves[k].append(information_rate.mi_awgn(const.points, p, esn0_db=snr))
                entropy[k].append(information_rate.entropy_bits(p))
            for k in MI_MEASURED:
                mi, se, dev = measured_mi(
                    const,
                    pmfs[k],
                    snr,
                    cfg.fig6_mi_nsym,
                    point_seed(cfg.seed, "fig6m", cname, k, i),
                )
                measured[k]["mi"].append(mi)
                measured[k]["se"].append(se)
                measured[k]["probe_vs_offline"].append(dev)
        panels[cname] = {
            "title": f"{cname.upper()}, AWGN",
            "x_name": "esn0_db",
            "x": xs,
            "curves": curves,
            "entropy": entropy,
            "measured": measured,
            "mb_nu": nu,
            "clamped": clamped,
            "shaping_module": "diffusion.shaping.pmf",
        }
    return {"title": "Probabilistic shaping: mutual information vs Es/N0", "panels": panels}


# ---------------------------------------------------------------------------- figure 7
def reverse_snapshots(model, x_T, rng, keep):
    """Published Algorithm 2 from x_T (complex [N]): x_{t-1} = (x_t - beta_t /
    sqrt(1 - abar_t) eps) / sqrt(alpha_t) + sqrt(beta_t) z; returns {t: x_t} for t in keep.
    Draws its noise exactly like samplers.denoise(mode='paper') (checked by the caller)."""
    s = model.schedule
    x = np.asarray(x_T, np.complex128).copy()
    snaps = {s.T: x.copy()} if s.T in keep else {}
    for t in range(s.T, 0, -1):
        i = t - 1
        r = np.empty((len(x), 2), np.float32)
        r[:, 0], r[:, 1] = x.real, x.imag
        e = model.predict_eps(r, np.full(len(x), t, np.int64))
        eps = e[:, 0].astype(np.float64) + 1j * e[:, 1].astype(np.float64)
        mean = (x - s.betas[i] / np.sqrt(1.0 - s.abar[i]) * eps) / np.sqrt(s.alphas[i])
        z = (rng.standard_normal(len(x)) + 1j * rng.standard_normal(len(x))) * np.sqrt(0.5)
        x = mean + (np.sqrt(s.betas[i]) if t > 1 else 0.0) * z
        if t - 1 in keep:
            snaps[t - 1] = x.copy()
    return snaps


def swissroll_data(n, seed):
    """Swiss-roll samples as the training data source makes them (unit average power)."""
    import torch
    from gnuradio.diffusion.training.ddpm import SwissRollSource

    g = torch.Generator().manual_seed(int(seed))
    d = SwissRollSource().sample(int(n), g).double().numpy()
    return d[:, 0] + 1j * d[:, 1]


def nn_distance(a, b):
    """Mean distance from each point of a to its nearest neighbour in b (complex arrays)."""
    out = np.empty(len(a))
    for s in range(0, len(a), 1024):
        out[s : s + 1024] = np.min(np.abs(a[s : s + 1024, None] - b[None, :]), axis=1)
    return float(np.mean(out))


def figure7(cfg, models, pool):
    out = {"title": "Visualisations"}
    # (a) swiss roll
    path = models.ddpm_path("swissroll")
    model = DdpmModel(path)
    T = model.schedule.T
    keep = sorted({T, (3 * T) // 4, T // 2, T // 4, T // 10, 0}, reverse=True)
    n = cfg.fig7_swiss_n
    rng0 = np.random.default_rng(point_seed(cfg.seed, "fig7", "xT"))
    x_T = (rng0.standard_normal(n) + 1j * rng0.standard_normal(n)) * np.sqrt(0.5)
    snaps = reverse_snapshots(model, x_T, np.random.default_rng(cfg.seed + 7), keep)
    ref_final = samplers.denoise(model, x_T, 1.0, "paper", rng=np.random.default_rng(cfg.seed + 7))
    consistency = float(np.max(np.abs(ref_final - snaps[0].astype(np.complex64))))
    data = swissroll_data(n, cfg.seed)
    data2 = swissroll_data(n, cfg.seed + 1)
    prior = swissroll_data(20 * n, cfg.seed + 2)
    fwd = {}
    rngf = np.random.default_rng(cfg.seed + 8)
    for t in keep:
        ab = model.schedule.abar_at(t)
        e = (rngf.standard_normal(n) + 1j * rngf.standard_normal(n)) * np.sqrt(0.5)
        fwd[t] = np.sqrt(ab) * data + np.sqrt(1 - ab) * e
    tb = SwissRollFlowgraph(
        x_T, data, path, cfg.fig7_swiss_esn0, point_seed(cfg.seed, "fig7", "fg"), DDPM_MODES
    )
    tb.run()
    gen_cpp = np.array(tb.gsink.data(), np.complex128)
    y = np.array(tb.ysink.data(), np.complex128)
    den = {m: np.array(s.data(), np.complex128) for m, s in tb.dsinks.items()}
    del tb
    nn = {
        "data_vs_data": nn_distance(data2, data),
        "noise_x_T": nn_distance(x_T, data),
        "reverse_numpy_t0": nn_distance(snaps[0], data),
        "reverse_cpp_block": nn_distance(gen_cpp, data),
        "noisy_input": nn_distance(y, data),
    }
    for m in DDPM_MODES:
        nn["denoised_" + m] = nn_distance(den[m], data)
    snap_nn = {str(t): nn_distance(snaps[t], data) for t in keep}
    out["swissroll"] = {
        "model": path,
        "T": T,
        "snapshot_steps": keep,
        "n": n,
        "esn0_db_denoise": cfg.fig7_swiss_esn0,
        "nn_distance": nn,
        "snapshot_nn_distance": snap_nn,
        "numpy_vs_samplers_paper_max_abs": consistency,
        "denoise_mse_db": {m: reference.mse_db(den[m], data) for m in DDPM_MODES},
        "empirical_mmse_db": reference.mse_db(
            reference.empirical_mmse(y, prior, 10 ** (-cfg.fig7_swiss_esn0 / 10)), data
        ),
        "noisy_mse_db": reference.mse_db(y, data),
    }
    out["_swiss_samples"] = {
        "data": data,
        "snaps": snaps,
        "fwd": fwd,
        "gen_cpp": gen_cpp,
        "y": y,
        "den": den,
    }
    # (b) received vs denoised constellations
    c = cfg.fig7_const
    key = f"{c}/gaussian"
    out["scatter"] = {
        "panels": {
            key: sweep_panel(
                cfg,
                models,
                "fig7",
                key,
                f"{c.upper()}, AWGN, published impairments, no fading",
                "esn0_db",
                cfg.fig7_esn0,
                lambda v: dict(
                    const_name=c,
                    esn0_db=v,
                    kappa_t=cfg.kappa_t,
                    kappa_r=cfg.kappa_r,
                    bits=cfg.bits,
                    fading="none",
                    noise="gaussian",
                ),
                cfg.nsym,
                pool,
                keep_samples=True,
            )
        }
    }
    return out


# ---------------------------------------------------------------------------- claims
def _at(panel, xv):
    xs = np.asarray(panel["x"], dtype=float)
    i = int(np.argmin(np.abs(xs - xv)))
    return i, float(xs[i])


def _curve(panel, est, metric):
    return np.asarray(panel["curves"][est][metric], dtype=float)


def _best_ddpm(panel, i, metric="mse", lower=True):
    vals = {m: panel["curves"]["ddpm_" + m][metric][i] for m in DDPM_MODES}
    pick = min(vals, key=vals.get) if lower else max(vals, key=vals.get)
    return pick, vals[pick]


def evaluate_claims(res, models_info, cfg):
    """Claim-vs-measured rows from the figure results."""
    claims = []
    ceiling_db = 10 * math.log10(1.0 / (cfg.kappa_t + cfg.kappa_r))
    sched = {k: v for k, v in models_info["ddpm"].items() if "@" not in k}
    ex = sched.get(cfg.fig1_consts[0]) or (next(iter(sched.values())) if sched else {})
    lo, hi = ex.get("esn0_range_db", [float("nan")] * 2)
    paper_note = (
        f"The DDPM schedule '{ex.get('schedule')}' spans Es/N0 {lo:.1f} .. {hi:.1f} dB; "
        f"the 'paper' sampler starts at x_T = y, i.e. treats the received sample as "
        f"x_T at {ex.get('x_T_esn0_db', float('nan')):.1f} dB whatever the real SNR, "
        f"and ignores sigma2."
        if ex
        else ""
    )

    f1 = res.get("fig1")
    if f1:
        key = next(
            (k for k in f1["panels"] if k.startswith("64qam/gaussian")), next(iter(f1["panels"]))
        )
        p = f1["panels"][key]
        i, xv = _at(p, 0.0)
        dnn = p["curves"]["dnn"]["mse_db"][i]
        mm = p["curves"]["mmse"]["mse_db"][i]
        gains = {m: dnn - p["curves"]["ddpm_" + m]["mse_db"][i] for m in DDPM_MODES}
        best = max(gains, key=gains.get)
        ok = gains["paper"] >= 25.0
        claims.append(
            {
                "id": "C1",
                "figure": "fig1",
                "claim": "> 25 dB lower MSE than the DNN at 0 dB (64-QAM)",
                "measured": (
                    f"{key} at {xv:g} dB: DNN {dnn:.2f} dB, MMSE {mm:.2f} dB; DDPM gain over "
                    f"DNN: paper {gains['paper']:+.2f} dB, "
                    f"posterior {gains['posterior']:+.2f}, "
                    f"ddim {gains['ddim']:+.2f}, tweedie {gains['tweedie']:+.2f} dB "
                    f"(best {best}); no estimator can gain more than DNN - MMSE = "
                    f"{dnn - mm:.2f} dB (up to the sampling spread)"
                ),
                "verdict": "reproduced" if ok else "not reproduced",
                "why": (
                    "MSE against the transmitted symbols is bounded below by the exact MMSE; "
                    f"at {xv:g} dB the blind DNN is only {dnn - mm:.2f} dB above it (a blind "
                    "DNN's error floor appears at high SNR only), so no receiver can be 25 dB "
                    "better there. The published gap needs a DNN far from its own optimum or a "
                    "different reference. " + paper_note
                ),
            }
        )
        # OOD robustness (Laplacian), same variance
        keyl = key.replace("gaussian", "laplacian")
        if keyl in f1["panels"]:
            pl = f1["panels"][keyl]
            d = {
                m: pl["curves"]["ddpm_" + m]["mse_db"][i] - p["curves"]["ddpm_" + m]["mse_db"][i]
                for m in DDPM_MODES
            }
            dd = pl["curves"]["dnn"]["mse_db"][i] - dnn
            dm = pl["curves"]["mmse"]["mse_db"][i] - mm
            claims.append(
                {
                    "id": "C1b",
                    "figure": "fig1",
                    "claim": "robust out-of-distribution performance under non-Gaussian noise "
                    "(Laplacian, same variance, DDPM not retrained)",
                    "measured": (
                        f"{key.split('/')[0]} at {xv:g} dB, Laplacian minus AWGN MSE: "
                        f"DDPM tweedie {d['tweedie']:+.2f} dB, paper {d['paper']:+.2f} dB, "
                        f"DNN {dd:+.2f} dB, "
                        f"MMSE(Gaussian model) {dm:+.2f} dB"
                    ),
                    "verdict": "reproduced" if abs(d["tweedie"]) <= 1.0 else "not reproduced",
                    "why": (
                        f"with kappa_t + kappa_r = {cfg.kappa_t + cfg.kappa_r:g} the Gaussian "
                        "transceiver distortion is a large "
                        "part of the effective noise, and at equal variance every estimator built "
                        "on a Gaussian model degrades only slightly; robustness is a property of "
                        "the link as much as of the DDPM."
                    ),
                }
            )

    f2 = res.get("fig2")
    if f2:
        p = next(iter(f2["panels"].values()))
        spread = {e: float(np.ptp(_curve(p, e, "mse_db"))) for e in ESTIMATORS}
        ok = spread["ddpm_tweedie"] <= 1.0
        claims.append(
            {
                "id": "C2",
                "figure": "fig2",
                "claim": "MSE near-invariant to the receiver impairment level kappa_r (Rayleigh)",
                "measured": (
                    f"MSE spread over kappa_r = {p['x'][0]:g}..{p['x'][-1]:g}: "
                    + ", ".join(
                        f"{k.replace('ddpm_', '')} {spread[k]:.2f} dB"
                        for k in (
                            "ddpm_paper",
                            "ddpm_posterior",
                            "ddpm_ddim",
                            "ddpm_tweedie",
                            "dnn",
                            "mmse",
                            "raw",
                        )
                    )
                ),
                "verdict": "reproduced" if ok else "not reproduced",
                "why": (
                    "kappa_r adds Gaussian distortion of variance kappa_r to every equalized "
                    "sample, so the exact MMSE itself moves by the spread above: an estimator "
                    "that uses its input cannot be invariant; one that ignores it (the 'paper' "
                    "sampler when x_T = y is treated as pure noise) is invariant at a useless "
                    "MSE level."
                ),
            }
        )

    f3 = res.get("fig3")
    if f3:
        parts, oks = [], []
        for key, p in f3["panels"].items():
            i = len(p["x"]) - 1
            best, cs = _best_ddpm(p, i, "cosine_similarity", lower=False)
            cm = p["curves"]["mmse"]["cosine_similarity"][i]
            cp = p["curves"]["ddpm_paper"]["cosine_similarity"][i]
            cd = p["curves"]["dnn"]["cosine_similarity"][i]
            parts.append(
                f"{key} at {p['x'][i]:g} dB: best DDPM ({best}) {cs:.4f}, paper {cp:.4f}, "
                f"DNN {cd:.4f}, MMSE {cm:.4f}"
            )
            oks.append(cs >= 0.985)
        claims.append(
            {
                "id": "C3",
                "figure": "fig3",
                "claim": "cosine similarity ~0.99 at high SNR (Rayleigh, both kappa pairs)",
                "measured": "; ".join(parts),
                "verdict": "reproduced" if all(oks) else "not reproduced",
                "why": (
                    "kappa_t + kappa_r = "
                    + " / ".join(sorted({f"{a + b:g}" for a, b in cfg.fig3_kappas}))
                    + ": the equalized SINR saturates at 1/(kappa_t + kappa_r) = "
                    + " / ".join(
                        sorted({f"{10 * math.log10(1 / (a + b)):.1f}" for a, b in cfg.fig3_kappas})
                    )
                    + " dB however high Es/N0 is (the distortion scales with the signal), and "
                    "CSIM 0.99 needs an MSE near -17 dB; the exact MMSE shown is the best any "
                    "receiver can do from that SINR. The published level needs a reference that "
                    "includes the distortion, or distortion-free training/evaluation data."
                ),
            }
        )

    f4 = res.get("fig4")
    if f4:
        p = next(iter(f4["panels"].values()))
        cs = {e: _curve(p, e, "cosine_similarity") for e in ESTIMATORS}
        best = max(DDPM_MODES, key=lambda m: float(np.min(cs["ddpm_" + m])))
        level = float(np.min(cs["ddpm_" + best])) > 0.99
        flat = float(np.ptp(cs["ddpm_" + best])) < 0.02
        claims.append(
            {
                "id": "C4",
                "figure": "fig4",
                "claim": "cosine similarity near-invariant over 4 / 6 / 8 quantizer bits, CSIM > 0.99",
                "measured": (
                    "CSIM at bits "
                    + "/".join(f"{int(b)}" for b in p["x"])
                    + ": "
                    + "; ".join(
                        f"{e.replace('ddpm_', '')} " + "/".join(f"{v:.4f}" for v in cs[e])
                        for e in ("ddpm_paper", "ddpm_tweedie", "dnn", "mmse")
                    )
                ),
                "verdict": (
                    "reproduced"
                    if level and flat
                    else "partly reproduced (invariance only)"
                    if flat
                    else "not reproduced"
                ),
                "why": (
                    "the quantization noise (2 Delta^2/12 = 0.004 per complex sample at 4 bits, "
                    "full scale 1.2) is small next to kappa_t + kappa_r = "
                    f"{cfg.kappa_t + cfg.kappa_r:g}, so every estimator is nearly invariant to "
                    "4..8 bits; the level (> 0.99) is out of reach for the SINR-ceiling reason of "
                    f"C3 ({ceiling_db:.1f} dB)."
                ),
            }
        )

    f5 = res.get("fig5")
    if f5:
        for noise, target, cid in (("gaussian", 0.30, "C5"), ("laplacian", 0.20, "C5b")):
            key = next((k for k in f5["panels"] if k.endswith(noise)), None)
            if key is None:
                continue
            p = f5["panels"][key]
            i, xv = _at(p, -5.0)
            bd = p["curves"]["dnn"]["ber"][i]
            red = {
                m: 1.0 - p["curves"]["ddpm_" + m]["ber"][i] / bd if bd > 0 else float("nan")
                for m in DDPM_MODES
            }
            bh = p["curves"]["hard"]["ber"][i]
            bm = p["curves"]["mmse"]["ber"][i]
            bmap = p["ber_bitwise_map"][i]
            best = max(red, key=lambda m: red[m])
            bound = 1.0 - bmap / bd if bd > 0 else float("nan")
            gauss = noise == "gaussian"
            claims.append(
                {
                    "id": cid,
                    "figure": "fig5",
                    "claim": (
                        f"{int(target * 100)} % lower BER than the DNN at -5 dB "
                        f"({'AWGN' if gauss else 'Laplacian noise'})"
                    ),
                    "measured": (
                        f"{key} at {xv:g} dB: BER DNN {bd:.4f}, hard {bh:.4f}, MMSE {bm:.4f}, "
                        f"bit-wise MAP {bmap:.4f}; DDPM BER reduction vs DNN: "
                        + ", ".join(f"{m} {100 * red[m]:+.1f} %" for m in DDPM_MODES)
                        + "; largest reduction any receiver of z could reach"
                        + ("" if gauss else " (Gaussian-model MAP, not a bound here)")
                        + f": {100 * bound:+.1f} %"
                    ),
                    "verdict": "reproduced"
                    if red["paper"] >= target
                    else (
                        "partly reproduced (not by the published sampler)"
                        if red[best] >= target
                        else "not reproduced"
                    ),
                    "why": (
                        "bit-wise MAP decisions from the exact bit posteriors (effective Gaussian "
                        "noise) minimise the BER of any receiver that sees z; the blind DNN sliced "
                        "to the nearest point is already close to them at -5 dB, so a 30 % "
                        "reduction is out of reach of every estimator. The stochastic samplers "
                        "('posterior', 'paper') add decision errors; the 'paper' sampler with "
                        "x_T = y outputs near-random points."
                        if gauss
                        else "under Laplacian noise of the same variance the DNN (sliced) behaves like "
                        "nearest-point decisions, which suit the heavier-tailed noise better than "
                        "the Gaussian-model posterior the DDPM samplers and the MMSE estimate "
                        "use; no DDPM mode beats it by 20 %."
                    ),
                }
            )

    f6 = res.get("fig6")
    if f6:
        parts = []
        for key, p in f6["panels"].items():
            c = p["curves"]
            gm = np.asarray(c["maxwell_boltzmann"]) - np.asarray(c["uniform"])
            gd = {m: np.asarray(c["ddpm_" + m]) - np.asarray(c["uniform"]) for m in DDPM_MODES}
            j = int(np.argmax(gm))
            parts.append(
                f"{key}: max MB gain {gm[j]:.3f} bit at {p['x'][j]:g} dB; DDPM-PMF gain "
                "(max over SNR): " + ", ".join(f"{m} {np.max(gd[m]):+.3f}" for m in DDPM_MODES)
            )
        claims.append(
            {
                "id": "C6",
                "figure": "fig6",
                "claim": "DDPM-generated probabilistic shaping (transmitter side) (qualitative)",
                "measured": "; ".join(parts),
                "verdict": "see measured",
                "why": (
                    "for a perfect network the 'posterior' sampler returns samples of the training "
                    "prior, i.e. the uniform PMF (entropies in the figure-6 table show how far "
                    "the model is from that); 'tweedie' / 'ddim' PMFs are non-uniform only "
                    "through the shrinkage of E[x|y] toward the centre, which resembles but is "
                    "not the MI-optimal Maxwell-Boltzmann PMF (the reference shaping gain). With "
                    "a 2D point-per-symbol model no PMF beats optimal MB in AWGN MI."
                ),
            }
        )

    f7 = res.get("fig7")
    if f7:
        sr = f7["swissroll"]
        sw = sr["nn_distance"]
        ratio = sw["reverse_cpp_block"] / max(sw["data_vs_data"], 1e-12)
        claims.append(
            {
                "id": "C7",
                "figure": "fig7",
                "claim": "reverse diffusion turns Gaussian noise into the swiss roll",
                "measured": (
                    f"mean nearest-neighbour distance to the data: generated by the C++ block "
                    f"{sw['reverse_cpp_block']:.4f}, by the NumPy chain "
                    f"{sw['reverse_numpy_t0']:.4f}, "
                    f"x_T noise {sw['noise_x_T']:.4f}, fresh data {sw['data_vs_data']:.4f}"
                ),
                "verdict": "reproduced" if ratio <= 2.0 else "not reproduced",
                "why": (
                    f"denoising at {sr['esn0_db_denoise']:g} dB: tweedie "
                    f"{sr['denoise_mse_db']['tweedie']:.2f} dB vs the non-parametric MMSE "
                    f"{sr['empirical_mmse_db']:.2f} dB (noisy {sr['noisy_mse_db']:.2f} dB)"
                    + (
                        ""
                        if ratio <= 2.0
                        else ", but generation from pure noise also needs accurate eps down to the "
                        "schedule's noisiest step, where eps errors are amplified by "
                        "1/sqrt(abar) in every reverse step; this model does not get the "
                        "roll's shape back (the paper's tutorial schedule stops at abar_T ~ 0.8 "
                        "and is a different generative problem)."
                    )
                ),
            }
        )
        p = f7["scatter"]["panels"][next(iter(f7["scatter"]["panels"]))]
        const = constellations.by_name(next(iter(f7["scatter"]["panels"])).split("/")[0])
        dmin = float(
            np.min(
                np.abs(const.points[:, None] - const.points[None, :]) + np.eye(const.order) * 1e9
            )
        )
        parts, clean_wrong = [], []
        for i, xv in enumerate(p["x"]):
            row = []
            for e in (
                "raw",
                "ddpm_paper",
                "ddpm_posterior",
                "ddpm_ddim",
                "ddpm_tweedie",
                "dnn",
                "mmse",
            ):
                g = p["curves"][e]["grid_rms"][i] / dmin
                ser = p["curves"][e]["ser"][i]
                row.append(f"{e.replace('ddpm_', '')} {ser:.2f}/{g:.2f}")
                if e.startswith("ddpm") and g < 0.15 and ser > 0.5:
                    clean_wrong.append(f"{e.replace('ddpm_', '')}@{xv:g}")
            parts.append(f"{xv:g} dB: " + ", ".join(row))
        claims.append(
            {
                "id": "C7b",
                "figure": "fig7",
                "claim": "denoised constellations at -20 / -10 / 0 dB look clean",
                "measured": (
                    "SER / RMS distance to the nearest point in units of the minimum "
                    "point spacing (0 = on the grid): " + "; ".join(parts)
                ),
                "verdict": (
                    "reproduced visually, but the points are wrong"
                    if clean_wrong
                    else "not reproduced"
                ),
                "why": (
                    (
                        "the samplers " + ", ".join(clean_wrong) + " put their outputs on the "
                        "constellation grid, so the scatter looks clean, yet SER > 0.5: at low SNR "
                        "these are samples from the prior, not the sent symbols. "
                    )
                    if clean_wrong
                    else "no DDPM mode puts its outputs on the grid at these SNRs with this model. "
                )
                + (
                    "Tweedie / MMSE shrink toward the centre instead, the honest picture of how "
                    "little is known about x at -20 dB."
                ),
            }
        )
    return claims


def firm_facts(res):
    """Facts that must hold whatever the models (the test asserts them)."""
    out = {"tweedie_le_raw": [], "mmse_le_all": [], "ber_ge_map": [], "violations": []}
    for fig in ("fig1", "fig2", "fig3", "fig4", "fig5"):
        f = res.get(fig)
        if not f:
            continue
        for key, p in f["panels"].items():
            tw = _curve(p, "ddpm_tweedie", "mse")
            raw = _curve(p, "raw", "mse")
            ok = bool(np.all(tw <= raw))
            out["tweedie_le_raw"].append({"figure": fig, "panel": key, "ok": ok})
            if not ok:
                out["violations"].append(f"{fig} {key}: tweedie MSE > raw MSE")
            if p.get("gaussian_effective"):
                bad = []
                for e in ESTIMATORS:
                    if e == "mmse":
                        continue
                    ex = _curve(p, e, "excess_mmse")
                    se = _curve(p, e, "excess_mmse_se")
                    mm = _curve(p, "mmse", "mse")
                    lim = -(3.0 * se + 1e-3 * mm)
                    for j in np.flatnonzero(ex < lim):
                        bad.append(f"{e}@{p['x'][j]:g}")
                ok = not bad
                out["mmse_le_all"].append({"figure": fig, "panel": key, "ok": ok, "bad": bad})
                if bad:
                    out["violations"].append(f"{fig} {key}: below MMSE: {', '.join(bad)}")
                if fig == "fig5":
                    bad = []
                    for e in ESTIMATORS:
                        ex = _curve(p, e, "ber_excess_map")
                        se = _curve(p, e, "ber_excess_map_se")
                        for j in np.flatnonzero(ex < -(3.0 * se + 1e-3)):
                            bad.append(f"{e}@{p['x'][j]:g}")
                    out["ber_ge_map"].append(
                        {"figure": fig, "panel": key, "ok": not bad, "bad": bad}
                    )
                    if bad:
                        out["violations"].append(
                            f"{fig} {key}: BER below bit-wise MAP: {', '.join(bad)}"
                        )
    return out


# ---------------------------------------------------------------------------- main
def strip_private(obj):
    """results without the sample arrays kept for plotting (keys starting with '_')."""
    if isinstance(obj, dict):
        return {k: strip_private(v) for k, v in obj.items() if not str(k).startswith("_")}
    if isinstance(obj, list):
        return [strip_private(v) for v in obj]
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return obj


def build_parser():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See the module docstring for what is measured.",
    )
    ap.add_argument(
        "--quick", action="store_true", help="small symbol counts and few points (tests; < 3 min)"
    )
    ap.add_argument(
        "--out",
        default=os.path.join(ROOT, "out", "reproduce"),
        help="output directory (default out/reproduce)",
    )
    ap.add_argument(
        "--model-dir",
        help="directory searched first for <const>.onnx, "
        "swissroll.onnx and dnn_<const>_regression.onnx",
    )
    ap.add_argument(
        "--train-missing",
        type=int,
        default=0,
        metavar="STEPS",
        help="train missing models with STEPS optimizer steps into OUT/models "
        "(stand-ins, flagged in the report); default: fail",
    )
    ap.add_argument(
        "--figures",
        type=int,
        nargs="+",
        choices=range(1, 8),
        help="only these figures (default all)",
    )
    ap.add_argument("--nsym", type=int, help="symbols per flowgraph point (override)")
    ap.add_argument("--seed", type=int, default=2026)
    add_cluster_arguments(ap)  # --workers / --scheduler / --no-progress
    return ap


def main(argv=None):
    args = build_parser().parse_args(argv)
    cfg = Config.quick_config() if args.quick else Config()
    cfg.seed = args.seed
    if args.nsym:
        cfg.nsym = args.nsym
    if args.figures:
        cfg.figures = tuple(sorted(set(args.figures)))
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    show = not args.no_progress
    t_start = time.perf_counter()

    consts = set()
    if 1 in cfg.figures:
        consts |= set(cfg.fig1_consts)
    for f, c in (
        (2, cfg.fig2_const),
        (3, cfg.fig3_const),
        (4, cfg.fig4_const),
        (5, cfg.fig5_const),
        (7, cfg.fig7_const),
    ):
        if f in cfg.figures:
            consts.add(c)
    ddpm_names = set(consts)
    if 6 in cfg.figures:
        ddpm_names |= set(cfg.fig6_consts)
    if 7 in cfg.figures:
        ddpm_names.add("swissroll")
    models = resolve_models(
        sorted(ddpm_names),
        sorted(consts),
        args.model_dir,
        args.train_missing,
        out,
        sigmoid=[cfg.fig1_sigmoid_const] if (1 in cfg.figures and cfg.fig1_sigmoid_const) else [],
        sigmoid_steps=cfg.sigmoid_steps,
    )
    models_info = {
        "ddpm": {k: describe_ddpm(v) for k, v in models.ddpm.items()},
        "dnn": {k: describe_dnn(v) for k, v in models.dnn.items()},
        "trained_here": models.trained_here,
        "trained_sigmoid_this_run": models.trained_sigmoid,
        "search_dirs": models.dirs,
    }

    runners = {1: figure1, 2: figure2, 3: figure3, 4: figure4, 5: figure5, 6: figure6, 7: figure7}
    res, timing = {}, {}
    figs = list(cfg.figures)
    bar = progress(figs, "figures", show)
    # the link points (figures 1-5, 7) as tasks on one Dask cluster for the whole run
    with TaskRunner(args.workers, args.scheduler, show) as pool:
        for f in bar:
            t0 = time.perf_counter()
            res[f"fig{f}"] = runners[f](cfg, models, pool)
            timing[f"fig{f}"] = round(time.perf_counter() - t0, 2)
            if tqdm is not None and show and hasattr(bar, "write"):
                bar.write(f"fig{f}: {timing[f'fig{f}']:.1f} s")

    claims = evaluate_claims(res, models_info, cfg)
    facts = firm_facts(res)
    total = time.perf_counter() - t_start
    cfg_d = {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(cfg).items()}
    meta = {
        "command": "python bench/reproduce.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "mode": "quick" if cfg.quick else "full",
        "config": cfg_d,
        "dask": {"workers": args.workers, "scheduler": args.scheduler},
        "models": models_info,
        "seconds_total": round(total, 1),
        "seconds_per_figure": timing,
        "host": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus",
        "gnuradio": gr.version(),
        "numpy": np.__version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "estimators": {e: LABELS[e] for e in ESTIMATORS},
        "expected_curves": {k: list(v) for k, v in EXPECTED.items()},
    }
    import reproduce_report as rep

    pngs = rep.make_plots(res, cfg, out)
    meta["seconds_total"] = round(time.perf_counter() - t_start, 1)
    doc = {
        "meta": meta,
        "claims": claims,
        "firm_facts": facts,
        "figures": strip_private(res),
        "pngs": pngs,
    }
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1, allow_nan=True)
    rep.write_report(doc, os.path.join(out, "report.md"))
    print(
        f"reproduce ({meta['mode']}): {meta['seconds_total']:.1f} s; wrote "
        f"{os.path.join(out, 'report.md')}, results.json and {len(pngs)} PNGs"
    )
    for c in claims:
        print(f"  {c['id']:4s} {c['verdict']:28s} {c['claim']}")
    if facts["violations"]:
        print("firm-fact violations:\n  " + "\n  ".join(facts["violations"]))
    return doc


if __name__ == "__main__":
    main()
    sys.exit(0)
