#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""DDPM denoiser, Python block: a thin shell over diffusion.core.samplers.denoise.

Same parameters and behaviour as the C++ block ``diffusion.ddpm_denoiser``; for the
deterministic modes (tweedie, ddim) both agree to 1e-5 on the same input.
"""
import math

import numpy as np
import pmt
from gnuradio import gr

from .core.input_check import PAPER_WIDE_RATIO, InputChecker, paper_mode_warning
from .core.noise_estimation import EmNoiseTracker
from .core.onnx_model import DdpmModel
from .core.samplers import MODES, denoise
from .noise_level import NoiseLevelControl

NOISE_SOURCES = ("parameter", "stream", "blind")
PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider",
             "tensorrt": "TensorrtExecutionProvider"}


def _mode_name(mode):
    """Accept 'tweedie', 0..3 or the C++ enum."""
    if isinstance(mode, str):
        return mode.lower()
    return MODES[int(mode)]


def _source_name(src):
    if isinstance(src, str):
        return src.lower()
    return NOISE_SOURCES[int(src)]


class ddpm_denoiser_py(NoiseLevelControl, gr.sync_block):
    """DDPM denoiser (receiver), Python: complex symbols in, denoised symbols out.

    Conventions (docs/conventions.md): unit-power constellation, E|x|^2 = 1 for the signal
    alone (the input's mean power is 1 + sigma2); sigma2 = noise variance per complex sample
    = 1/(Es/N0); points as in the model's metadata (shipped QPSK at 45 degrees,
    (+-1 +-1j)/sqrt(2); `gr-diffusion-model FILE` prints them). The first 1024 samples are
    checked against the constellation (a rotated copy fitting much better, or a mean power
    > 2 dB from 1 + sigma2, is warned once with what to do). Mode 'paper' on a wide schedule
    (the shipped models') returns prior samples: warned once; use 'tweedie' or 'posterior'.
    model_path: gr-diffusion ONNX model. mode: 'tweedie' | 'ddim' | 'posterior' | 'paper'.
    noise_source: 'parameter' (esn0_db; also the "noise" message port, e.g. fed by
    digital.probe_mpsk_snr_est_c's "snr" port, and input tags snr_db/esn0_db/snr/noise_var,
    "snr" as digital.mpsk_snr_est_cc writes it: Es/N0 dB per symbol), 'stream' (second float
    input: sigma2 per sample) or 'blind' (EM estimate over the model's constellation per
    batch). provider: 'cpu' | 'cuda' |
    'tensorrt'. batch_size: items per inference call. Latency 0 samples. NaN/Inf samples
    pass through unchanged, tagged "invalid_sample"; sigma2 outside the schedule is
    clamped (warned once).
    """

    def __init__(self, model_path, mode="tweedie", ddim_steps=5, noise_source="parameter",
                 esn0_db=10.0, provider="cpu", intra_op_threads=1, batch_size=8192, seed=0):
        src = _source_name(noise_source)
        if src not in NOISE_SOURCES:
            raise ValueError(f"noise_source must be one of {NOISE_SOURCES}, got {noise_source!r}")
        ins = [np.complex64, np.float32] if src == "stream" else [np.complex64]
        gr.sync_block.__init__(self, name="ddpm_denoiser_py", in_sig=ins, out_sig=[np.complex64])
        prov = str(provider).lower()
        if prov not in PROVIDERS:
            raise ValueError(f"unknown execution provider {provider!r}: use cpu, cuda or tensorrt")
        if int(batch_size) < 1:
            raise ValueError("batch_size must be >= 1")
        self.model = DdpmModel(model_path, providers=[PROVIDERS[prov]],
                               intra_op_threads=int(intra_op_threads))
        self._source = src
        if src == "blind" and self.model.constellation is None:
            raise ValueError(f"{model_path}: blind noise estimation needs a model with "
                             f"constellation_points metadata")
        self.set_mode(mode, ddim_steps)
        self._batch = int(batch_size)
        self._rng = np.random.default_rng(int(seed))
        self._em = EmNoiseTracker(self.model.constellation.points) if src == "blind" else None
        self._invalid = 0
        self._clamped = 0
        self._warned_clamp = False
        self._warned_paper = False
        pts = self.model.constellation
        self._check = InputChecker(pts.points) if pts is not None else None
        sched = self.model.schedule
        self._s2_range = (float(sched.sigma2[0]), float(sched.sigma2[-1]))
        self.set_min_output_buffer(0, 2 * self._batch)
        self._init_noise_level(esn0_db)

    # ------------------------------------------------------------------ control
    def set_mode(self, mode, ddim_steps=5):
        name = _mode_name(mode)
        if name not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if int(ddim_steps) < 1:
            raise ValueError("ddim_steps must be >= 1")
        self._mode, self._steps = name, int(ddim_steps)

    def mode(self):
        return self._mode

    def noise_var(self):
        if self._em is not None and self._em.sigma2 is not None:
            return self._em.sigma2
        return self._sigma2

    def invalid_count(self):
        return self._invalid

    def clamped_count(self):
        return self._clamped

    def num_steps(self):
        return self.model.T

    def noise_var_min(self):
        return self._s2_range[0]

    def noise_var_max(self):
        return self._s2_range[1]

    # ------------------------------------------------------------------ user warnings
    def _check_input(self, y, s2):
        """Input check (core.input_check) on the first samples, and the PAPER-mode note."""
        if self._check is not None and not self._check.done:
            for msg in self._check.feed(y, s2) or ():
                self.logger.warn(msg)
        if self._mode == "paper" and not self._warned_paper:
            self._warned_paper = True
            level = float(np.mean(s2))
            if self._s2_range[1] > PAPER_WIDE_RATIO * level:
                self.logger.warn(paper_mode_warning(self.model.T, self._s2_range[1], level))

    # ------------------------------------------------------------------ work
    def work(self, input_items, output_items):
        y = input_items[0]
        out = output_items[0]
        n = len(out)
        if self._source == "stream":
            s2 = input_items[1][:n].astype(np.float64)
        elif self._source == "parameter":
            s2 = self._tag_sigma2(n)
        else:
            s2 = None
        ok = np.isfinite(y.real) & np.isfinite(y.imag)
        if s2 is not None:
            ok &= ~np.isnan(s2)
        bad = np.flatnonzero(~ok)
        if bad.size:
            out[bad] = y[bad]
            w0 = self.nitems_written(0)
            key = pmt.intern("invalid_sample")
            for k, i in enumerate(bad):
                self.add_item_tag(0, w0 + int(i), key, pmt.from_uint64(self._invalid + k + 1))
            self._invalid += bad.size
        for s in range(0, n, self._batch):
            e = min(n, s + self._batch)
            idx = np.flatnonzero(ok[s:e]) + s
            if idx.size == 0:
                continue
            yv = y[idx]
            if self._em is not None:
                sv = self._em.update(yv)
            else:
                sv = s2[idx]
            self._check_input(yv, sv)
            info = {}
            out[idx] = denoise(self.model, yv, sv, mode=self._mode, steps=self._steps,
                               rng=self._rng, info=info)
            if info.get("clamped"):
                self._clamped += info["clamped"]
                if not self._warned_clamp:
                    self._warned_clamp = True
                    lo, hi = self._s2_range
                    self.logger.warn(
                        f"noise variance outside the model's schedule [{lo:.3g}, {hi:.3g}] "
                        f"(Es/N0 {-10 * math.log10(hi):.1f} .. {-10 * math.log10(lo):.1f} dB): "
                        "clamped (reported once)")
        return n
