#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""DDPM denoiser, Python block: a thin shell over diffusion.samplers.denoise.

Same parameters and behaviour as the C++ block ``diffusion.ddpm_denoiser``; for the
deterministic modes (tweedie, ddim) both agree to 1e-5 on the same input.
"""
import math

import numpy as np
import pmt
from gnuradio import gr

from .noise_estimation import EmNoiseTracker
from .onnx_model import DdpmModel
from .samplers import MODES, denoise

NOISE_SOURCES = ("parameter", "stream", "blind")
PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider",
             "tensorrt": "TensorrtExecutionProvider"}
_NOISE_TAGS = ("snr_db", "esn0_db", "noise_var")


def _mode_name(mode):
    """Accept 'tweedie', 0..3 or the C++ enum."""
    if isinstance(mode, str):
        return mode.lower()
    return MODES[int(mode)]


def _source_name(src):
    if isinstance(src, str):
        return src.lower()
    return NOISE_SOURCES[int(src)]


class ddpm_denoiser_py(gr.sync_block):
    """DDPM denoiser (receiver), Python: complex symbols in, denoised symbols out.

    Unit-power constellations; sigma2 = noise variance per complex sample = 1/(Es/N0).
    model_path: gr-diffusion ONNX model. mode: 'tweedie' | 'ddim' | 'posterior' | 'paper'.
    noise_source: 'parameter' (esn0_db; also the "noise" message port and input tags
    snr_db/esn0_db/noise_var), 'stream' (second float input: sigma2 per sample) or 'blind'
    (EM estimate over the model's constellation per batch). provider: 'cpu' | 'cuda' |
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
        if not math.isfinite(float(esn0_db)):
            raise ValueError("esn0_db must be finite")
        self.model = DdpmModel(model_path, providers=[PROVIDERS[prov]],
                               intra_op_threads=int(intra_op_threads))
        self._source = src
        if src == "blind" and self.model.constellation is None:
            raise ValueError(f"{model_path}: blind noise estimation needs a model with "
                             f"constellation_points metadata")
        self.set_mode(mode, ddim_steps)
        self._sigma2 = 10.0 ** (-float(esn0_db) / 10.0)
        self._batch = int(batch_size)
        self._rng = np.random.default_rng(int(seed))
        self._em = EmNoiseTracker(self.model.constellation.points) if src == "blind" else None
        self._invalid = 0
        self._clamped = 0
        self._warned_clamp = False
        sched = self.model.schedule
        self._s2_range = (float(sched.sigma2[0]), float(sched.sigma2[-1]))
        self.set_min_output_buffer(0, 2 * self._batch)
        self.message_port_register_in(pmt.intern("noise"))
        self.set_msg_handler(pmt.intern("noise"), self._handle_noise_msg)

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

    def _set_sigma2(self, s2, what):
        if not (math.isfinite(s2) and s2 >= 0):
            self.logger.warn(f"ignoring invalid {what} (noise variance {s2})")
            return
        self._sigma2 = float(s2)

    def set_esn0_db(self, esn0_db):
        self._set_sigma2(10.0 ** (-float(esn0_db) / 10.0), "Es/N0")

    def set_noise_var(self, noise_var):
        self._set_sigma2(float(noise_var), "noise_var")

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

    def _apply(self, key, value, what):
        v = float(value)
        if key == "noise_var":
            self._set_sigma2(v, what)
        else:
            self._set_sigma2(10.0 ** (-v / 10.0), what)

    def _handle_noise_msg(self, msg):
        try:
            if pmt.is_number(msg) and not pmt.is_complex(msg):
                return self._apply("esn0_db", pmt.to_double(msg), "Es/N0 message")
            py = pmt.to_python(msg)
            if isinstance(py, tuple) and len(py) == 2 and isinstance(py[0], str):
                py = {py[0]: py[1]}
            if isinstance(py, dict):
                for key in ("esn0_db", "snr_db", "noise_var"):
                    v = py.get(key)
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        return self._apply(key, v, f"{key} message")
        except Exception:  # noqa: BLE001 (malformed PMTs must not stop the flowgraph)
            pass
        self.logger.warn("ignoring message on port 'noise': expected a number (Es/N0 dB) "
                         f"or a dict with esn0_db, snr_db or noise_var, got {msg}")

    # ------------------------------------------------------------------ work
    def _tag_sigma2(self, n):
        """Per-sample sigma2 for this call, honouring noise tags at their offsets."""
        s2 = np.full(n, self._sigma2)
        r0 = self.nitems_read(0)
        tags = [t for t in self.get_tags_in_window(0, 0, n)
                if pmt.symbol_to_string(t.key) in _NOISE_TAGS]
        for t in sorted(tags, key=lambda t: t.offset):
            key = pmt.symbol_to_string(t.key)
            if not (pmt.is_number(t.value) and not pmt.is_complex(t.value)):
                self.logger.warn(f"ignoring tag {key} with non-numeric value {t.value}")
                continue
            self._apply(key, pmt.to_double(t.value), f"{key} tag")
            s2[t.offset - r0:] = self._sigma2
        return s2

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
