#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""gr-diffusion-model export-sampler (core.sampler_graph; issue 25, item 1): the exported
graph run by onnxruntime equals the in-process NumPy sampler (core.samplers.denoise /
core.windowing) for per-symbol and window models, Tweedie and DDIM.

Tolerance 1e-6 absolute: both sides do the same float64 arithmetic in the same order around
the same float32 network kernels (onnxruntime), so they differ at most by the rounding of the
final float64 -> float32 cast and onnxruntime's float32 kernels on different batch shapes
(measured: <= 1 float32 ulp, 6e-8, on |x0| < 2); 1e-6 is ~16 ulps, far below any effect
(the denoising gain is ~1e-1)."""

import os
import subprocess
import sys

import numpy as np
import onnxruntime as ort
import pytest
from gnuradio.diffusion.core import model_files
from gnuradio.diffusion.core.onnx_model import DdpmModel
from gnuradio.diffusion.core.sampler_graph import build_sampler
from gnuradio.diffusion.core.samplers import denoise
from gnuradio.diffusion.core.windowing import denoise_windows

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "apps", "gr-diffusion-model")
TOL = 1e-6


def _model(name):
    return os.path.join(model_files.model_dirs()[0], name + ".onnx")


def _run(graph, y_rails, s2):
    s = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    return s.run(None, {"y": y_rails, "sigma2": s2})


def _noisy(rng, n, s2):
    pts = np.array([1 + 1j, -1 + 1j, -1 - 1j, 1 - 1j]) / np.sqrt(2)
    z = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    return (rng.choice(pts, n) + np.sqrt(s2 / 2) * z).astype(np.complex64)


@pytest.mark.parametrize("mode,steps", [("tweedie", 1), ("ddim", 5), ("ddim", 2)])
def test_per_symbol_sampler_equals_in_process(mode, steps):
    rng = np.random.default_rng(251)
    path = _model("qpsk")
    ref = DdpmModel(path)
    n = 3000
    # per-symbol sigma2 across and beyond the schedule (-35 .. +50 dB: clamped at both ends)
    s2 = 10.0 ** (-rng.uniform(-35, 50, n) / 10)
    y = _noisy(rng, n, s2)
    want = denoise(ref, y, s2, mode=mode, steps=steps)
    x0, abar, info = _run(build_sampler(path, mode, steps), np.stack([y.real, y.imag], 1), s2)
    got = x0[:, 0] + 1j * x0[:, 1]
    assert np.max(np.abs(got - want)) <= TOL
    assert np.array_equal(abar, ref.schedule.abar)
    assert info.tolist() == [0 if mode == "tweedie" else 1, steps, 1]
    # and it denoises: closer to the constellation than y at 5 dB (not a pass-through)
    assert np.mean(np.abs(np.abs(got.real) - 0.5**0.5)) < np.mean(np.abs(np.abs(y.real) - 0.5**0.5))


@pytest.mark.parametrize("mode,steps", [("tweedie", 1), ("ddim", 3)])
def test_window_sampler_equals_in_process(mode, steps):
    rng = np.random.default_rng(252)
    path = _model("qpsk_pn_w32")
    ref = DdpmModel(path)
    W = ref.window_length
    m = 40
    s2w = 10.0 ** (-rng.uniform(0, 20, m) / 10)  # one sigma2 per window
    y = _noisy(rng, m * W, np.repeat(s2w, W)).reshape(m, W)
    want = denoise(ref, y.reshape(-1), np.repeat(s2w, W), mode=mode, steps=steps).reshape(m, W)
    x0, _, info = _run(build_sampler(path, mode, steps), np.stack([y.real, y.imag], -1), s2w)
    assert x0.shape == (m, W, 2) and info.tolist()[2] == W
    assert np.max(np.abs((x0[..., 0] + 1j * x0[..., 1]) - want)) <= TOL
    # the blocks' tiling (core.windowing) built on these windows is therefore the same too
    assert denoise_windows(ref, y[0], s2w[0], mode=mode, steps=steps).shape == (W,)


def test_export_sampler_app(tmp_path):
    out = tmp_path / "qpsk_ddim4.onnx"
    env = dict(os.environ)
    r = subprocess.run(
        [
            sys.executable,
            APP,
            "export-sampler",
            "qpsk",
            "--mode",
            "ddim",
            "--steps",
            "4",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    s = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    meta = s.get_modelmeta().custom_metadata_map
    assert meta["sampler_mode"] == "ddim" and meta["sampler_steps"] == "4"
    assert meta["parameterization"] == "x0"  # not mistaken for an eps network
    with pytest.raises(ValueError, match="inputs must be named .x. and .t."):
        DdpmModel(str(out))
    # bad requests: a stochastic mode, steps > T, a missing file -> exit 2 with the reason
    for argv, want in (
        (["--mode", "posterior"], "invalid choice"),
        (["--mode", "ddim", "--steps", "1000"], "steps must be in [1, T = 100]"),
    ):
        r = subprocess.run(
            [sys.executable, APP, "export-sampler", "qpsk", "-o", str(out), *argv],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert r.returncode == 2 and want in r.stderr, r.stderr
    r = subprocess.run(
        [sys.executable, APP, "export-sampler", str(tmp_path / "no.onnx"), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 2 and "no.onnx" in r.stderr
