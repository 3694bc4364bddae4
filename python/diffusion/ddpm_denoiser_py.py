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
from .core.remote_inference import (
    POLICY_FALLBACK,
    POLICY_PASSTHROUGH,
    TAG_GAP,
    TAG_RESUMED,
    RemoteSampler,
    ServedModel,
)
from .core.sampler_graph import SAMPLER_MODES
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
# input_buffer = 0 with the table engine: GNU Radio's buffer in front holds >= 2 x this many
# items (1 MiB of complex64), so a work() call gets up to ~this many (a full call is ~2-7 ms of
# table work) instead of the default buffer's <= 4096-8192
TABLE_INPUT_BUFFER = 65536
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


ENGINES = ("auto", "table", "fused", "onnxruntime", "numpy")


def _cpp_engine(model_path, engine, threads, batch, provider, intra_op_threads, table_mb=16.0):
    """The C++ engine for engine != 'numpy' (None for 'numpy')."""
    eng = str(engine).lower()
    if eng not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if int(threads) < 1:
        raise ValueError(f"threads must be >= 1, got {threads!r}")
    if eng == "numpy":
        return None
    from .diffusion_python import denoise_engine

    if isinstance(table_mb, bool) or not (0.0 < float(table_mb) <= 65536.0):
        raise ValueError(f"table_mb must be in (0, 65536] MiB, got {table_mb!r}")
    return denoise_engine(
        str(model_path),
        eng,
        int(threads),
        int(batch),
        provider,
        int(intra_op_threads),
        "",
        float(table_mb),
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
    engine: 'auto' | 'table' | 'fused' | 'onnxruntime' run the samplers in the C++ engine
    of the C++ block (diffusion.denoise_engine, same output; 'auto' = the table engine for
    tweedie/ddim on per-symbol models, the network otherwise, as the C++ block);
    'numpy' runs diffusion.core.samplers (the reference). threads: C++ engine workers.
    table_mb: memory of the table engine's cached steps (MiB). Stochastic modes draw
    their noise from (seed, item index, step) in every engine, so the output does not
    depend on chunking.
    input_buffer: per-symbol models: items the buffer in front of the block holds at least
    (x 2; obtained with set_history, the block ignores the history), i.e. the most items
    one work() call can get; 0 = auto: 65536 while the table engine runs tweedie/ddim at
    construction (a Python work() call costs ~0.1-0.2 ms however few items it gets), else
    1 = GNU Radio's default buffer (32 KiB). A larger buffer adds latency only where the
    block cannot keep up (it then queues up to 2 x input_buffer items): docs/blocks.md.
    window_hop: window models only (metadata window_length W > 1): hop between
    overlapping windows, 1..W, 0 = W // 2; the centre of each window is kept, output n is
    input n - D with latency D = W - H - (W - H) // 2 samples (tags move by D), and each
    window runs at the step of the mean sigma2 of its H newest samples
    (diffusion.core.windowing). batch_size must hold at least one window.
    server_url / served_model: remote inference (docs/deployment.md) -- an Open Inference
    Protocol (KServe v2) server, e.g. 'http://127.0.0.1:8000', serving a sampler graph
    (gr-diffusion-model export-sampler) under the name served_model; mode and ddim_steps must
    be the served sampler's (tweedie or ddim). Requests of at most batch_size symbols, in_flight
    (1 or 2) outstanding, request_timeout s per socket operation, `retries` retries. Server
    absent at start, or serving another schedule / window / sampler than model_path's: error
    at construction. Server gone mid-stream: logged, the samples tagged "remote_gap" (value
    "local_fallback": denoised by model_path in process; "passthrough" when model_path is
    empty: passed through not denoised) and "remote_resumed" (value: samples in the gap) at
    the first sample the server denoises again (it is asked once per second meanwhile).
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
        table_mb=16.0,
        server_url="",
        served_model="",
        request_timeout=2.0,
        in_flight=2,
        retries=1,
        input_buffer=0,
    ):
        src = _source_name(noise_source)
        batch_size = _int_in(batch_size, 1, MAX_BATCH, "batch_size")
        input_buffer = _int_in(input_buffer, 0, MAX_BATCH, "input_buffer (0 = auto)")
        intra_op_threads = _int_in(
            intra_op_threads, 0, MAX_THREADS, "intra_op_threads (0 = onnxruntime default)"
        )
        _mode_name(mode)  # before the model loads
        ins = [np.complex64, np.float32] if src == "stream" else [np.complex64]
        gr.sync_block.__init__(self, name="ddpm_denoiser_py", in_sig=ins, out_sig=[np.complex64])
        prov = str(provider).lower()
        if prov not in PROVIDERS:
            raise ValueError(f"unknown execution provider {provider!r}: use cpu, cuda or tensorrt")
        self._remote = None
        remote = (server_url, served_model, request_timeout, in_flight, retries, batch_size)
        if str(server_url).strip() and not str(model_path).strip():
            self._remote = self._connect(remote, None, mode, ddim_steps)
            self.model = ServedModel(self._remote)
        else:
            self.model = DdpmModel(
                model_path, providers=[PROVIDERS[prov]], intra_op_threads=int(intra_op_threads)
            )
        if str(server_url).strip() and self._remote is None:
            self._remote = self._connect(remote, self.model, mode, ddim_steps)
        self._gap = 0  # samples since the server went away (0: up)
        self._source = src
        if src == "blind" and self.model.constellation is None:
            raise ValueError(
                f"{model_path}: blind noise estimation needs a model with "
                f"constellation_points metadata"
            )
        self.set_mode(mode, ddim_steps)
        self._batch = int(batch_size)
        self._rng = CounterRng(int(seed))
        self._cpp = None
        if not isinstance(self.model, ServedModel):
            self._cpp = _cpp_engine(
                model_path, engine, threads, self._batch, prov, intra_op_threads, table_mb
            )
        if self._cpp is not None:
            self.logger.info(self._cpp.engine_note())
            self._prefetch(10.0 ** (-float(esn0_db) / 10.0))
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
        # per-symbol models: a history of input_buffer items makes GNU Radio size the buffer
        # in front >= 2 x input_buffer (flat_flowgraph); work() skips the _skip old items
        self._skip = 0
        if W == 1:
            if input_buffer == 0:
                table = self._cpp is not None and self._cpp.table_active()
                input_buffer = TABLE_INPUT_BUFFER if table and self._mode in SAMPLER_MODES else 1
            if input_buffer > 1:
                self.set_history(input_buffer)
                self._skip = input_buffer - 1
        self._init_noise_level(esn0_db)

    # ------------------------------------------------------------------ remote inference
    def _connect(self, remote, local, mode, steps):
        """The server's sampler (core.remote_inference), checked against the local model's
        schedule and window and the block's mode / steps."""
        url, name, timeout, in_flight, retries, batch = remote
        mode = _mode_name(mode)
        if mode not in SAMPLER_MODES:
            raise ValueError(
                f"remote inference runs the deterministic samplers (tweedie, ddim), "
                f"not mode {mode!r}"
            )
        expect = {"mode": mode, "steps": int(steps) if mode == "ddim" else None}
        if local is not None:
            expect.update(abar=local.schedule.abar, window_length=local.window_length)
        levels = {"info": self.logger.info, "warn": self.logger.warn, "error": self.logger.error}
        return RemoteSampler(
            url,
            name,
            timeout=timeout,
            retries=retries,
            in_flight=in_flight,
            batch_size=batch,
            expect=expect,
            log=lambda lvl, msg: levels[lvl](msg),
        )

    def _remote_rows(self, rails, s2, offsets):
        """Remote x0 of rows (rails [R, 2] or [R, W, 2], s2 [R]) with the gap / resume tags
        at ``offsets`` (absolute output offset of each row's first sample): (x0, served)."""
        x0, served = self._remote.run(rails, s2)
        if self._gap == 0 and served.all():  # the steady state: no tags
            return x0, served
        per = 1 if rails.ndim == 2 else self._geom.hop
        fallback = POLICY_PASSTHROUGH if isinstance(self.model, ServedModel) else POLICY_FALLBACK
        for k in range(len(served)):
            if served[k] and self._gap:
                tag = (TAG_RESUMED, pmt.from_uint64(int(self._gap)))
                self._gap = 0
            elif not served[k] and not self._gap:
                tag = (TAG_GAP, pmt.intern(fallback))
            else:
                self._gap += 0 if served[k] else per
                continue
            self.add_item_tag(0, int(offsets[k]), pmt.intern(tag[0]), tag[1])
            self._gap += 0 if served[k] else per
        return x0, served

    def _remote_symbols(self, y, s2, ok, out):
        """Per-symbol models: every valid sample through the server; True where done."""
        done = np.zeros(len(out), dtype=bool)
        idx = np.flatnonzero(ok)
        if idx.size == 0:
            return done
        yv = y[idx]
        rails = np.stack([yv.real, yv.imag], 1).astype(np.float32)
        x0, served = self._remote_rows(rails, s2[idx], self.nitems_written(0) + idx)
        out[idx[served]] = x0[served, 0] + 1j * x0[served, 1]
        if isinstance(self.model, ServedModel):  # no local model: pass through
            out[idx[~served]] = yv[~served]
            served[:] = True
        done[idx[served]] = True
        return done

    def _remote_tiles(self, tile_out0):
        """Window models: a denoise_tiles engine sending whole windows to the server
        (fallback: the local engine on the windows it did not serve, or pass-through)."""
        W, H = self._geom.W, self._geom.hop

        def run(yv, sv, items):
            win = np.asarray(yv).reshape(-1, W)
            rails = np.stack([win.real, win.imag], -1).astype(np.float32)
            x0, served = self._remote_rows(rails, sv[::W], tile_out0 + H * np.arange(len(win)))
            den = (x0[..., 0] + 1j * x0[..., 1]).astype(np.complex128)
            miss = np.flatnonzero(~served)
            if miss.size and isinstance(self.model, ServedModel):
                den[miss] = win[miss]
            elif miss.size:
                rows = (miss[:, None] * W + np.arange(W)).reshape(-1)
                if self._cpp is not None:
                    loc = self._cpp_denoise(yv[rows], sv[rows], items[rows], {})
                else:
                    loc = denoise(self.model, yv[rows], sv[rows], self._mode, self._steps)
                den[miss] = np.asarray(loc).reshape(-1, W)
            return den.reshape(-1)

        return run

    def remote_up(self):
        """True when no server is set or the server answers."""
        return self._remote is None or self._remote.up

    def stop(self):
        if self._remote is not None:
            self._remote.disconnect()  # reconnects on the next request (a restarted flowgraph)
        return True

    # ------------------------------------------------------------------ control
    def set_mode(self, mode, ddim_steps=5):
        name = _mode_name(mode)
        steps = _int_in(ddim_steps, 1, self.model.T, f"ddim_steps (T = {self.model.T})")
        r = getattr(self, "_remote", None)
        if r is not None and (name != r.mode or (name == "ddim" and steps != r.steps)):
            raise ValueError(
                f"the server at {r.url} runs {r.mode} ({r.steps} steps): "
                f"mode {name!r} with {steps} steps differs"
            )
        self._mode, self._steps = name, steps
        if getattr(self, "_cpp", None) is not None:
            self._prefetch(self._sigma2)

    def _prefetch(self, sigma2):
        """Start building the table step of sigma2 (tweedie/ddim; one sample through the
        engine requests it, the network answers that sample meanwhile)."""
        if self._mode in ("tweedie", "ddim") and self._cpp.table_active():
            self._cpp.denoise_sigma2(
                np.zeros(1, np.complex64), float(sigma2), MODES.index(self._mode), self._steps
            )

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
        y = input_items[0][self._skip :]
        out = output_items[0]
        n = len(out)
        if self._source == "parameter":
            s2 = self._tag_sigma2(n, scalar=self._cpp is not None)
            if isinstance(s2, float):
                # fast path: one sigma2 for the call (no noise tag in it), all samples
                # finite: the C++ engine straight on GNU Radio's buffers, no arrays here
                if np.isfinite(y[:n]).all():
                    return self._work_cpp_scalar(y, s2, out, n)
                s2 = np.full(n, s2)
        elif self._source == "stream":
            self._drain_noise()
            s2 = input_items[1][self._skip : self._skip + n].astype(np.float64)
        else:  # blind: windows on the absolute sample index
            self._drain_noise()
            self._em.initial = self._sigma2
            s2 = self._em.track(y[:n])
        ok = np.isfinite(y[:n])
        if s2 is not None:
            ok &= ~np.isnan(s2)
        if self._cpp is not None and ok.all():
            return self._work_cpp(y, s2, out, n)
        bad = np.flatnonzero(~ok)
        if bad.size:
            out[bad] = y[bad]
            w0 = self.nitems_written(0)
            key = pmt.intern("invalid_sample")
            for k, i in enumerate(bad):
                self.add_item_tag(0, w0 + int(i), key, pmt.from_uint64(self._invalid + k + 1))
            self._invalid += bad.size
        done = self._remote_symbols(y, s2, ok, out) if self._remote is not None else ok & False
        for s in range(0, n, self._batch):
            e = min(n, s + self._batch)
            idx = np.flatnonzero(ok[s:e] & ~done[s:e]) + s
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

    def _work_cpp_scalar(self, y, s2, out, n):
        """All samples finite, one sigma2 (a float) for the call: whole batches in place."""
        k = MODES.index(self._mode)
        det = self._mode in ("tweedie", "ddim")
        w0 = self.nitems_written(0)
        seed = self._rng.seed % (1 << 64)
        for s in range(0, n, self._batch):
            e = min(n, s + self._batch)
            if (self._check is not None and not self._check.done) or (
                self._mode == "paper" and not self._warned_paper
            ):
                self._check_input(y[s:e], np.full(e - s, s2))
            items = None if det else np.arange(w0 + s, w0 + e, dtype=np.uint64)
            _, clamped = self._cpp.denoise_sigma2(y[s:e], s2, k, self._steps, seed, items, out[s:e])
            if clamped:
                self._note_clamped({"clamped": int(clamped)})
        return n

    def _work_cpp(self, y, s2, out, n):
        """All samples valid, C++ engine: whole batches, steps matched in C++."""
        k = MODES.index(self._mode)
        det = self._mode in ("tweedie", "ddim")
        w0 = self.nitems_written(0)
        for s in range(0, n, self._batch):
            e = min(n, s + self._batch)
            sv = s2[s:e]
            self._check_input(y[s:e], sv)
            # one sigma2 for the whole batch (parameter mode without tags): a number
            same = sv[0] == sv[-1] and np.all(sv == sv[0])
            arg = float(sv[0]) if same else sv.astype(np.float32)
            items = None if det else np.arange(w0 + s, w0 + e, dtype=np.uint64)
            _, clamped = self._cpp.denoise_sigma2(
                y[s:e], arg, k, self._steps, self._rng.seed % (1 << 64), items, out[s:e]
            )
            self._note_clamped({"clamped": int(clamped)})
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
            if self._remote is not None:
                eng = self._remote_tiles(w0 + a * H)
            elif self._cpp is not None:

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
