#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Flowgraphs that run every estimator on the same samples (need GNU Radio), the
experiments of bench/reproduce.py as reusable top blocks:

ImpairedLinkComparison  x -> impaired_link -> the C++ ddpm_denoiser in each mode and the
                        dnn_receiver -> vector sinks and reconstruction_metrics
ShapedMiFlowgraph       shaped symbols -> additive_noise -> mi_probe
SwissRollFlowgraph      the swiss roll generated (x_T = noise, paper mode) and denoised

impaired_link_point     one Monte-Carlo point of ImpairedLinkComparison from plain
                        parameters (a diffusion.sweeps task: builds its own flowgraph)

Every block is an attribute (a Python block nothing refers to can be freed while the
scheduler still runs it). Es/N0 in dB per symbol, unit signal power (docs/conventions.md).
"""

import time

import numpy as np
from gnuradio import blocks, gr

from .. import diffusion_python as _cpp
from ..core import constellations, metrics, reference
from ..core.samplers import MODES
from ..dnn_receiver import dnn_receiver
from ..impaired_link import impaired_link
from ..mi_probe import mi_probe
from ..reconstruction_metrics import reconstruction_metrics

_SEED_MAX = (1 << 31) - 64  # seeds stay int32 after the per-mode offsets


class ImpairedLinkComparison(gr.top_block):
    """x -> impaired_link -> {ddpm_denoiser (C++) per mode, dnn_receiver} -> sinks: every
    estimator on the same received samples (bench/reproduce.py, figures 1-5, 7). engine:
    the denoisers' engine ('auto' uses the table engine for tweedie / ddim, whose steps are
    built in the background while the network answers: which samples get which depends on
    timing; 'fused' / 'onnxruntime' run the network only, bit-reproducible).

    Every block is an attribute (a Python block nothing refers to can be freed while the
    scheduler still runs it)."""

    def __init__(
        self,
        x,
        const,
        ddpm_path,
        dnn_path,
        esn0_db,
        kappa_t,
        kappa_r,
        bits,
        full_scale,
        fading,
        coherence_length,
        noise,
        seed,
        ddim_steps,
        modes=MODES,
        engine="auto",
    ):
        gr.top_block.__init__(self, "impaired_link_comparison", catch_exceptions=False)
        n = len(x)
        self.src = blocks.vector_source_c(np.asarray(x, np.complex64).tolist(), False)
        self.link = impaired_link(
            esn0_db=float(esn0_db),
            power=1.0,
            kappa_t=float(kappa_t),
            kappa_r=float(kappa_r),
            bits=int(bits),
            full_scale=float(full_scale),
            fading=fading,
            coherence_length=int(coherence_length),
            noise=noise,
            seed=int(seed),
        )
        self.connect(self.src, self.link)
        self.y_sink = blocks.vector_sink_c()
        self.h_sink = blocks.vector_sink_c()
        self.z_sink = blocks.vector_sink_c()
        self.s2_sink = blocks.vector_sink_f()
        self.connect((self.link, 0), self.y_sink)
        self.connect((self.link, 1), self.h_sink)
        self.connect((self.link, 2), self.z_sink)
        self.connect((self.link, 3), self.s2_sink)
        D = _cpp.ddpm_denoiser
        self.denoisers = {}
        outputs = {}
        for k, mode in enumerate(modes):
            b = D(
                ddpm_path,
                D.mode_t(MODES.index(mode)),
                int(ddim_steps),
                D.NOISE_STREAM,
                float(esn0_db),
                "cpu",
                1,
                8192,
                (int(seed) + 11 + k) % _SEED_MAX,
                str(engine),
            )
            self.denoisers[mode] = b
            self.connect((self.link, 2), (b, 0))
            self.connect((self.link, 3), (b, 1))
            outputs["ddpm_" + mode] = (b, 0)
        self.dnn = dnn_receiver(dnn_path, "expected", float(esn0_db), "cpu", 1)
        self.connect((self.link, 2), self.dnn)
        outputs["dnn"] = (self.dnn, 0)
        outputs["raw"] = (self.link, 2)
        self.est_sinks = {}
        self.metric_sinks = {}
        for name, port in outputs.items():
            vs = blocks.vector_sink_c()
            ms = reconstruction_metrics(const, max(1, n), 0, False)
            self.est_sinks[name] = vs
            self.metric_sinks[name] = ms
            self.connect(port, vs)
            self.connect(self.src, (ms, 0))
            self.connect(port, (ms, 1))


def impaired_link_point(
    const_name,
    ddpm_path,
    dnn_path,
    esn0_db,
    kappa_t,
    kappa_r,
    bits,
    full_scale,
    fading,
    coherence_length,
    noise,
    nsym,
    seed,
    ddim_steps,
    modes=MODES,
    keep_samples=False,
    engine="fused",
):
    """One ImpairedLinkComparison run on nsym uniform symbols of const_name drawn from seed
    (a diffusion.sweeps task: plain parameters in, plain values out). Returns
    dict(estimators={name: core.metrics.paired_metrics}, seconds, n, ber_bitwise_map,
    clamped {mode: count}, sink_vs_offline_max_rel, h2_mean[, samples]): estimators
    ddpm_<mode>, dnn, raw (the equalized z) from the flowgraph and, offline from the sinks'
    samples, mmse (exact E[x | z] at the effective per-sample sigma2) and hard (nearest
    point of z); metrics against the transmitted symbols, computed offline from the sinks'
    samples (the in-flowgraph reconstruction_metrics sinks' mse, cosine_similarity, ber
    and ser agree within sink_vs_offline_max_rel, relative). engine: the denoisers' engine,
    default 'fused' (the network only: the same seeds give the same output in any process;
    the table engine of 'auto' does not, see ImpairedLinkComparison)."""
    const = constellations.by_name(const_name)
    rng = np.random.default_rng(int(seed))
    idx = rng.integers(0, const.order, int(nsym))
    x = const.points[idx].astype(np.complex64)
    t0 = time.perf_counter()
    tb = ImpairedLinkComparison(
        x,
        const,
        ddpm_path,
        dnn_path,
        esn0_db,
        kappa_t,
        kappa_r,
        bits,
        full_scale,
        fading,
        coherence_length,
        noise,
        seed,
        ddim_steps,
        tuple(modes),
        engine,
    )
    tb.run()
    dt = time.perf_counter() - t0
    x = x.astype(np.complex128)
    z = np.array(tb.z_sink.data(), dtype=np.complex128)
    s2 = np.array(tb.s2_sink.data(), dtype=np.float64)
    est = {k: np.array(v.data(), dtype=np.complex128) for k, v in tb.est_sinks.items()}
    for k, v in est.items():
        if len(v) != len(x):
            raise RuntimeError(f"{k}: {len(v)} output samples for {len(x)} input symbols")
    est["mmse"] = reference.mmse_estimate(z, const, np.maximum(s2, 1e-12))
    est["hard"] = const.hard_decision(z)
    d = est["mmse"] - x
    mmse_e2 = d.real**2 + d.imag**2
    map_be = reference.bitwise_map_bit_errors(z, const, np.maximum(s2, 1e-12), idx)
    res = {
        name: metrics.paired_metrics(x, e, const, mmse_e2, idx, map_be) for name, e in est.items()
    }
    # the in-flowgraph sinks must agree with the offline numbers (which are kept: the sinks'
    # running sums depend on how the scheduler chunks the stream, in the last bits)
    worst = 0.0
    for name, sink in tb.metric_sinks.items():
        sm = sink.metrics()
        if sm["n"] != len(x):
            raise RuntimeError(f"metrics sink {name}: {sm['n']} pairs for {len(x)} symbols")
        for k in ("mse", "cosine_similarity", "ber", "ser"):
            ref = res[name][k]
            worst = max(worst, abs(sm[k] - ref) / max(abs(ref), 1e-30) if ref else abs(sm[k]))
    out = {
        "estimators": res,
        "seconds": dt,
        "n": len(x),
        "ber_bitwise_map": float(np.mean(map_be) / const.bits_per_symbol),
        "clamped": {m: int(tb.denoisers[m].clamped_count()) for m in modes},
        "sink_vs_offline_max_rel": worst,
        "h2_mean": float(np.mean(np.abs(np.array(tb.h_sink.data())) ** 2)),
    }
    if keep_samples:
        out["samples"] = {"x": x, "z": z, "sigma2": s2, **est}
    del tb
    return out


class ShapedMiFlowgraph(gr.top_block):
    """shaped symbols -> additive_noise (AWGN at Es/N0) -> mi_probe (reference = symbols)."""

    def __init__(self, sym, const, pmf, esn0_db, seed):
        gr.top_block.__init__(self, "shaped_mi", catch_exceptions=False)
        n = len(sym)
        self.src = blocks.vector_source_c(np.asarray(sym, np.complex64).tolist(), False)
        self.noise = _cpp.additive_noise(
            float(esn0_db), _cpp.additive_noise.GAUSSIAN, 1.0, seed=int(seed)
        )
        self.probe = mi_probe(
            const, [float(v) for v in pmf], "symbols", "parameter", float(esn0_db), n, n, False
        )
        self.y_sink = blocks.vector_sink_c()
        self.connect(self.src, self.noise, (self.probe, 0))
        self.connect(self.noise, self.y_sink)
        self.connect(self.src, (self.probe, 1))


class SwissRollFlowgraph(gr.top_block):
    """Generation (x_T = noise -> C++ denoiser, paper mode) and denoising (data ->
    additive_noise -> C++ denoiser in each mode) of the swiss roll."""

    def __init__(self, noise_T, data, ddpm_path, esn0_db, seed, modes=MODES):
        gr.top_block.__init__(self, "swissroll", catch_exceptions=False)
        D = _cpp.ddpm_denoiser
        self.gsrc = blocks.vector_source_c(np.asarray(noise_T, np.complex64).tolist(), False)
        self.gen = D(ddpm_path, D.PAPER, 1, D.NOISE_PARAMETER, 0.0, "cpu", 1, 8192, int(seed))
        self.gsink = blocks.vector_sink_c()
        self.connect(self.gsrc, self.gen, self.gsink)
        self.dsrc = blocks.vector_source_c(np.asarray(data, np.complex64).tolist(), False)
        self.noise = _cpp.additive_noise(
            float(esn0_db), _cpp.additive_noise.GAUSSIAN, 1.0, seed=int(seed) + 1
        )
        self.ysink = blocks.vector_sink_c()
        self.connect(self.dsrc, self.noise, self.ysink)
        self.den, self.dsinks = {}, {}
        for k, mode in enumerate(modes):
            b = D(
                ddpm_path,
                D.mode_t(MODES.index(mode)),
                5,
                D.NOISE_PARAMETER,
                float(esn0_db),
                "cpu",
                1,
                8192,
                int(seed) + 2 + k,
            )
            self.den[mode] = b
            self.dsinks[mode] = blocks.vector_sink_c()
            self.connect(self.noise, b, self.dsinks[mode])
