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

from .core.counter_rng import CounterRng
from .core.input_check import PAPER_WIDE_RATIO, InputChecker, paper_mode_warning
from .core.noise_estimation import EmNoiseTracker, outlier_bound
from .core.onnx_model import DdpmModel
from .core.samplers import MODES, denoise
from .core.windowing import WindowGeometry, denoise_tiles
from .noise_level import NoiseLevelControl
from .work_guard import WorkGuard, guarded_work

NOISE_SOURCES = ("parameter", "stream", "blind")
PROVIDERS = {
    "cpu": "CPUExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "tensorrt": "TensorrtExecutionProvider",
}


MAX_BATCH = 1 << 20  # as the C++ block (16 MiB output buffer)
MAX_THREADS = 256


def _choice(value, names, what):
    """A name (case-insensitive) or its index 0..len-1 (an int or the C++ enum) -> the name;
    anything else: ValueError naming the parameter."""
    if isinstance(value, str):
        name = value.lower()
        if name in names:
            return name
    elif not isinstance(value, (bool, float)):
        try:
            i = int(value)
        except (TypeError, ValueError):
            i = -1
        if 0 <= i < len(names):
            return names[i]
    raise ValueError(f"{what} must be one of {names} or 0..{len(names) - 1}, got {value!r}")


def _mode_name(mode):
    """Accept 'tweedie', 0..3 or the C++ enum."""
    return _choice(mode, MODES, "mode")


def _source_name(src):
    return _choice(src, NOISE_SOURCES, "noise_source")


def _int_in(value, lo, hi, what):
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not (lo <= int(value) <= hi)
    ):
        raise ValueError(f"{what} must be an integer in [{lo}, {hi}], got {value!r}")
    return int(value)


ENGINES = ("auto", "fused", "onnxruntime", "numpy")


def _cpp_engine(model_path, engine, threads, batch, provider, intra_op_threads):
    """The C++ engine for engine != 'numpy' (None for 'numpy')."""
    eng = str(engine).lower()
    if eng not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if int(threads) < 1:
        raise ValueError(f"threads must be >= 1, got {threads!r}")
    if eng == "numpy":
        return None
    from .diffusion_python import denoise_engine

    return denoise_engine(
        str(model_path), eng, int(threads), int(batch), provider, int(intra_op_threads)
    )


class ddpm_denoiser_py(WorkGuard, NoiseLevelControl, gr.sync_block):
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
    input: sigma2 per sample) or 'blind'
    (EM estimate over the model's constellation on windows fixed on the absolute sample
    index; samples before the first window completes use esn0_db; outliers rejected).
    provider: 'cpu' | 'cuda' | 'tensorrt'. batch_size: items per inference call (1..2^20);
    intra_op_threads 0..256; ddim_steps 1..T. Latency 0 samples. NaN/Inf samples pass
    through unchanged, tagged "invalid_sample"; sigma2 outside the schedule is clamped
    (warned once); an all-zero input is warned once (mean power far from 1 + sigma2) and
    denoised as any other. An unexpected error inside work() is logged and the chunk passed
    through unprocessed, tagged "work_error" (diffusion.work_guard; work_errors()).
    engine: 'auto' | 'fused' | 'onnxruntime' run the samplers in the C++ engine of the C++
    block (diffusion.denoise_engine, same output); 'numpy' runs diffusion.core.samplers
    (the reference). threads: C++ engine workers. Stochastic modes draw their noise from
    (seed, item index, step) in every engine, so the output does not depend on chunking.
    window_hop: window models only (metadata window_length W > 1): hop between
    overlapping windows, 1..W, 0 = W // 2; the centre of each window is kept, output n is
    input n - D with latency D = W - H - (W - H) // 2 samples (tags move by D), and each
    window runs at the step of the mean sigma2 of its H newest samples
    (diffusion.core.windowing). batch_size must hold at least one window.
    """

    def __init__(
        self,
        model_path,
        mode="tweedie",
        ddim_steps=5,
        noise_source="parameter",
        esn0_db=10.0,
        provider="cpu",
        intra_op_threads=1,
        batch_size=8192,
        seed=0,
        engine="auto",
        threads=1,
        window_hop=0,
    ):
        src = _source_name(noise_source)
        batch_size = _int_in(batch_size, 1, MAX_BATCH, "batch_size")
        intra_op_threads = _int_in(
            intra_op_threads, 0, MAX_THREADS, "intra_op_threads (0 = onnxruntime default)"
        )
        _mode_name(mode)  # before the model loads
        ins = [np.complex64, np.float32] if src == "stream" else [np.complex64]
        gr.sync_block.__init__(self, name="ddpm_denoiser_py", in_sig=ins, out_sig=[np.complex64])
        prov = str(provider).lower()
        if prov not in PROVIDERS:
            raise ValueError(f"unknown execution provider {provider!r}: use cpu, cuda or tensorrt")
        self.model = DdpmModel(
            model_path, providers=[PROVIDERS[prov]], intra_op_threads=int(intra_op_threads)
        )
        self._source = src
        if src == "blind" and self.model.constellation is None:
            raise ValueError(
                f"{model_path}: blind noise estimation needs a model with "
                f"constellation_points metadata"
            )
        self.set_mode(mode, ddim_steps)
        self._batch = int(batch_size)
        self._rng = CounterRng(int(seed))
        self._cpp = _cpp_engine(model_path, engine, threads, self._batch, prov, intra_op_threads)
        if self._cpp is not None:
            self.logger.info(self._cpp.engine_note())
        self._em = None
        if src == "blind":
            pts = self.model.constellation.points
            self._em = EmNoiseTracker(
                pts,
                max_power=outlier_bound(pts, float(self.model.schedule.sigma2[-1])),
                initial=10.0 ** (-float(esn0_db) / 10.0),
            )
        self._invalid = 0
        self._clamped = 0
        self._warned_clamp = False
        self._warned_paper = False
        pts = self.model.constellation
        self._check = InputChecker(pts.points) if pts is not None else None
        sched = self.model.schedule
        self._s2_range = (float(sched.sigma2[0]), float(sched.sigma2[-1]))
        W = self.model.window_length
        self._geom = WindowGeometry(W, _int_in(window_hop, 0, W, f"window_hop (W = {W})"))
        if W > 1:
            if self._batch < W:
                raise ValueError(
                    f"{model_path}: window_length {W} exceeds batch_size {self._batch} "
                    "(a batch holds whole windows)"
                )
            self.set_history(self._geom.history + 1)
            self.set_output_multiple(self._geom.hop)
            self.set_tag_propagation_policy(gr.TPP_DONT)
        self.set_min_output_buffer(0, 2 * max(self._batch, self._geom.W))
        self._init_noise_level(esn0_db)

    # ------------------------------------------------------------------ control
    def set_mode(self, mode, ddim_steps=5):
        name = _mode_name(mode)
        steps = _int_in(ddim_steps, 1, self.model.T, f"ddim_steps (T = {self.model.T})")
        self._mode, self._steps = name, steps

    def mode(self):
        return self._mode

    def window_length(self):
        return self._geom.W

    def window_hop(self):
        return self._geom.hop

    def latency(self):
        """Samples between an input symbol and its denoised output (0 for W = 1)."""
        return self._geom.latency

    def engine_name(self):
        return self._cpp.engine_name() if self._cpp is not None else "numpy"

    def _cpp_denoise(self, yv, sv, items, info):
        """The C++ engine on one batch (same maths as core.samplers.denoise)."""
        k = MODES.index(self._mode)
        n = len(yv)
        t = None
        if self._mode != "paper":
            t, clamped = self.model.schedule.matched_step(sv)
            info["clamped"] = int(np.count_nonzero(np.broadcast_to(clamped, (n,))))
            t = np.broadcast_to(np.asarray(t, dtype=np.int32), (n,))
        return self._cpp.denoise(
            np.ascontiguousarray(yv, dtype=np.complex64),
            t,
            k,
            self._steps,
            self._rng.seed % (1 << 64),
            items,
        )

    def noise_var(self):
        if self._em is not None:
            return self._em.current()
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
    @guarded_work("pass")
    def work(self, input_items, output_items):
        if self._geom.W > 1:
            return self._work_windows(input_items, output_items)
        y = input_items[0]
        out = output_items[0]
        n = len(out)
        self._drain_noise()
        if self._source == "stream":
            s2 = input_items[1][:n].astype(np.float64)
        elif self._source == "parameter":
            s2 = self._tag_sigma2(n)
        else:  # blind: windows on the absolute sample index
            self._em.initial = self._sigma2
            s2 = self._em.track(y[:n])
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
            sv = s2[idx]
            self._check_input(yv, sv)
            info = {}
            items = self.nitems_written(0) + idx.astype(np.uint64)
            if self._cpp is not None:
                out[idx] = self._cpp_denoise(yv, sv, items, info)
            else:
                out[idx] = denoise(
                    self.model,
                    yv,
                    sv,
                    mode=self._mode,
                    steps=self._steps,
                    rng=self._rng,
                    info=info,
                    items=items,
                )
            self._note_clamped(info)
        return n

    def _note_clamped(self, info):
        if info.get("clamped"):
            self._clamped += info["clamped"]
            if not self._warned_clamp:
                self._warned_clamp = True
                lo, hi = self._s2_range
                self.logger.warn(
                    f"noise variance outside the model's schedule [{lo:.3g}, {hi:.3g}] "
                    f"(Es/N0 {-10 * math.log10(hi):.1f} .. {-10 * math.log10(lo):.1f} dB): "
                    "clamped (reported once)"
                )

    def _work_windows(self, input_items, output_items):
        """Window models: tiles of H outputs on the absolute grid (core.windowing)."""
        g = self._geom
        W, H, D = g.W, g.hop, g.latency
        out = output_items[0]
        n = len(out) - len(out) % H
        if n == 0:
            return 0
        ext = input_items[0][: n + g.history]
        new = ext[g.history :]
        self._drain_noise()
        if self._source == "stream":
            s2 = input_items[1][g.history : g.history + n].astype(np.float64)
        elif self._source == "parameter":
            s2 = self._tag_sigma2(n)
        else:
            self._em.initial = self._sigma2
            s2 = self._em.track(new)
        ok = np.isfinite(new.real) & np.isfinite(new.imag) & ~np.isnan(s2)
        w0 = self.nitems_written(0)
        r0 = self.nitems_read(0)
        for tag in self.get_tags_in_window(0, 0, n):  # tags move with their symbol
            self.add_item_tag(0, tag.offset + D, tag.key, tag.value, tag.srcid)
        if np.any(~ok):
            key = pmt.intern("invalid_sample")
            for i in np.flatnonzero(~ok):
                self._invalid += 1
                self.add_item_tag(0, r0 + int(i) + D, key, pmt.from_uint64(self._invalid))
        if np.any(ok):
            self._check_input(new[ok], s2[ok])
        s2 = np.where(ok, s2, np.nan)
        per = max(1, self._batch // W)
        tiles = n // H
        st_all = g.tile_sigma2(s2, tiles, self._sigma2)
        tile_abs = w0 // H
        for a in range(0, tiles, per):
            b = min(tiles, a + per)
            seg = ext[a * H : b * H + g.history]
            st = st_all[a:b]
            info = {}
            eng = None
            if self._cpp is not None:

                def eng(yv, sv, items, info=info):
                    return self._cpp_denoise(yv, sv, items, info)

            out[a * H : b * H] = denoise_tiles(
                self.model,
                g,
                seg,
                st,
                self._mode,
                self._steps,
                self._rng,
                tile_abs + a,
                info=info,
                engine=eng,
            )
            self._note_clamped(info)
        return n
