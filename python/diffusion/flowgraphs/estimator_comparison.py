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

Every block is an attribute (a Python block nothing refers to can be freed while the
scheduler still runs it). Es/N0 in dB per symbol, unit signal power (docs/conventions.md).
"""

import numpy as np
from gnuradio import blocks, gr

from .. import diffusion_python as _cpp
from ..core.samplers import MODES
from ..dnn_receiver import dnn_receiver
from ..impaired_link import impaired_link
from ..mi_probe import mi_probe
from ..reconstruction_metrics import reconstruction_metrics

_SEED_MAX = (1 << 31) - 64  # seeds stay int32 after the per-mode offsets


class ImpairedLinkComparison(gr.top_block):
    """x -> impaired_link -> {ddpm_denoiser (C++) per mode, dnn_receiver} -> sinks: every
    estimator on the same received samples (bench/reproduce.py, figures 1-5, 7).

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
