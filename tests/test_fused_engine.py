#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The C++ inference engine (issue 14): fused kernel vs onnxruntime vs the NumPy samplers
(the reference), for every mode with per-sample sigma2; stochastic modes independent of how
the scheduler chunks the stream (counter RNG keyed by (seed, item, step)); the onnxruntime
fallback for a graph the fused kernel does not recognise; the engine/provider errors.

Tolerance 1e-5 relative (|a - b| <= 1e-5 max(1, |b|)), the engine's contract: the fused
kernel and onnxruntime differ by float32 rounding only (deterministic modes: measured <= 1e-6).
Stochastic modes draw identical noise, but a 100-step chain from x_T = y ('paper') amplifies
float32 differences for a few samples near a decision boundary: measured over 4 x 2000
samples, median 3e-8, >= 99.8 % of samples within 1e-5, max 1.1e-4. So there: 99 % of samples
within 1e-5 and all within 1e-3; a noise mismatch moves most samples by O(0.1).
"""

import os
import re

import numpy as np
import pytest
from gnuradio import blocks, diffusion, gr
from gnuradio.diffusion.core import reference, samplers
from gnuradio.diffusion.core.counter_rng import CounterRng
from gnuradio.diffusion.core.onnx_model import DdpmModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNFUSED = os.path.join(ROOT, "tests", "data", "16qam_matmul.onnx")
MODES = ("tweedie", "ddim", "posterior", "paper")
TOL = 1e-5


def model_path():
    return diffusion.shipped_model("16qam")


def rel(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


def close(a, b, mode):
    """The parity criterion of the module docstring."""
    r = np.abs(a - b) / np.maximum(1.0, np.abs(b))
    if mode in ("tweedie", "ddim"):
        return float(r.max()) < TOL
    return float(np.quantile(r, 0.99)) < TOL and float(r.max()) < 1e-3


@pytest.fixture(scope="module")
def data():
    m = DdpmModel(model_path())
    rng = np.random.default_rng(4)
    n = 500
    x = m.constellation.points[rng.integers(0, 16, n)]
    s2 = 10 ** (-rng.uniform(3, 25, n) / 10)  # per-sample noise levels
    y = reference.awgn(x, s2, rng).astype(np.complex64)
    return m, y, s2


@pytest.mark.parametrize("mode", MODES)
def test_fused_onnxruntime_numpy_parity(data, mode):
    m, y, s2 = data
    fused = diffusion.denoise_engine(model_path(), "fused")
    ort = diffusion.denoise_engine(model_path(), "onnxruntime")
    assert fused.engine_name().startswith("fused") and ort.engine_name() == "onnxruntime"
    t, _ = m.schedule.matched_step(s2)
    t = None if mode == "paper" else np.asarray(t, dtype=np.int32)
    items = np.arange(10**6, 10**6 + len(y), dtype=np.uint64)
    k = MODES.index(mode)
    a = fused.denoise(y, t, k, 5, 21, items)
    b = ort.denoise(y, t, k, 5, 21, items)
    ref = samplers.denoise(m, y, s2, mode=mode, steps=5, rng=CounterRng(21), items=items)
    assert close(a, b, mode)
    assert close(a, ref, mode)
    assert close(b, ref, mode)
    if mode in ("posterior", "paper"):
        # the noise is really keyed: another seed, or other item indices, differ by O(0.1)
        assert rel(fused.denoise(y, t, k, 5, 22, items), a) > 1e-2
        assert rel(fused.denoise(y, t, k, 5, 21, items + np.uint64(1)), a) > 1e-2


def test_network_parity_and_probe_note():
    fused = diffusion.denoise_engine(model_path(), "auto")
    assert fused.engine_name().startswith("fused")
    note = fused.engine_note()
    assert "probe check" in note
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((3000, 2)) * 2).astype(np.float32)
    t = rng.integers(1, 101, 3000)
    e_f = fused.predict_eps(x, t)
    e_o = fused.predict_eps(x, t, onnxruntime=True)
    assert rel(e_f, e_o) < TOL
    with pytest.raises((ValueError, IndexError)):
        fused.predict_eps(x[:2], np.array([0, 1]))


def run_block(blk, y, max_items):
    tb = gr.top_block()
    src = blocks.vector_source_c(y.tolist(), False)
    snk = blocks.vector_sink_c()
    if max_items:
        blk.set_max_noutput_items(max_items)
    tb.connect(src, blk, snk)
    tb.run()
    return np.array(snk.data(), dtype=np.complex64)


@pytest.mark.parametrize("mode", ["posterior", "paper"])
def test_stochastic_output_independent_of_chunking(mode):
    """max_noutput_items 7, 1000 and the default give identical outputs, C++ block and
    Python block alike, and both equal the NumPy samplers keyed by the same item indices."""
    rng = np.random.default_rng(8)
    m = DdpmModel(model_path())
    n = 1500 if mode == "posterior" else 600
    y = reference.awgn(m.constellation.points[rng.integers(0, 16, n)], 0.1, rng)
    y = y.astype(np.complex64)
    cpp = diffusion.ddpm_denoiser
    outs = {}
    for max_items in (7, 1000, None):
        c = cpp(
            model_path(),
            getattr(cpp, mode.upper()),
            5,
            cpp.NOISE_PARAMETER,
            10.0,
            "cpu",
            1,
            512,
            5,
            "auto",
            2,
        )
        outs[("cpp", max_items)] = run_block(c, y, max_items)
        p = diffusion.ddpm_denoiser_py(
            model_path(), mode, 5, "parameter", 10.0, "cpu", 1, 512, 5, "auto"
        )
        outs[("py", max_items)] = run_block(p, y, max_items)
    ref = outs[("cpp", None)]
    assert len(ref) == n
    for key, out in outs.items():
        np.testing.assert_array_equal(out, ref, err_msg=str(key))
    numpy_ref = samplers.denoise(m, y, 0.1, mode=mode, rng=CounterRng(5))
    assert close(ref, numpy_ref, mode)
    # the NumPy engine of the Python block, chunked finely, agrees too
    p = diffusion.ddpm_denoiser_py(
        model_path(), mode, 5, "parameter", 10.0, "cpu", 1, 512, 5, "numpy"
    )
    assert close(run_block(p, y, 7), ref, mode)


def test_unrecognised_graph_falls_back_or_refuses():
    eng = diffusion.denoise_engine(UNFUSED, "auto")
    assert eng.engine_name() == "onnxruntime"
    assert "fallback" in eng.engine_note() and "does not recognise" in eng.engine_note()
    blk = diffusion.ddpm_denoiser(UNFUSED)
    assert blk.engine_name() == "onnxruntime"
    # same function as the shipped model (output Gemm rewritten as MatMul + Add)
    rng = np.random.default_rng(2)
    y = (rng.standard_normal(300) + 1j * rng.standard_normal(300)).astype(np.complex64)
    fused = diffusion.denoise_engine(model_path(), "fused")
    t = np.full(300, 30, dtype=np.int32)
    assert rel(eng.denoise(y, t, 1, 4, 0, None), fused.denoise(y, t, 1, 4, 0, None)) < TOL
    for make in (
        lambda: diffusion.denoise_engine(UNFUSED, "fused"),
        lambda: diffusion.ddpm_denoiser(UNFUSED, engine="fused"),
        lambda: diffusion.ddpm_denoiser_py(UNFUSED, engine="fused"),
    ):
        with pytest.raises(ValueError, match="16qam_matmul.onnx.*fused"):
            make()


def test_engine_parameter_errors():
    with pytest.raises(ValueError, match="engine"):
        diffusion.ddpm_denoiser(model_path(), engine="gpu")
    with pytest.raises(ValueError, match="engine"):
        diffusion.ddpm_denoiser_py(model_path(), engine="gpu")
    with pytest.raises(ValueError, match="threads"):
        diffusion.ddpm_denoiser(model_path(), threads=0)
    with pytest.raises(ValueError, match="provider_options"):
        diffusion.ddpm_denoiser(model_path(), provider_options="device_id")
    with pytest.raises(ValueError, match="cpu provider takes none"):
        diffusion.ddpm_denoiser(model_path(), provider_options="device_id=0")
    import onnxruntime

    if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
        with pytest.raises(ValueError, match="installed: .*CPUExecutionProvider"):
            diffusion.ddpm_denoiser(model_path(), provider="cuda", provider_options="device_id=0")
        with pytest.raises(ValueError, match="installed: .*CPUExecutionProvider"):
            diffusion.denoise_engine(
                model_path(), "auto", 1, 64, "tensorrt", 1, "trt_fp16_enable=1"
            )


WINDOW_MODELS = ("sdpsk_pn_w32", "qpsk_pn_w32", "16qam_pn_w32")
_PROBE = re.compile(
    r"RMS ([0-9.e+-]+) \(onnxruntime ([0-9.e+-]+)\), max ([0-9.e+-]+) \(onnxruntime ([0-9.e+-]+)\)"
)


@pytest.mark.parametrize("name", WINDOW_MODELS)
def test_shipped_window_models_get_the_fused_window_kernel(name):
    """The window kernel's load-time probe (lib/ddpm_engine.cc) measures the kernel and
    onnxruntime against the float64 network, relative to the output RMS. sdpsk_pn_w32, the
    model recommended for ORBCOMM, fell back to onnxruntime under the old rule (max
    |v - r| / max(1, |r|): kernel 9.9e-05, onnxruntime 5.5e-05) though its error RMS is
    onnxruntime's. Here: every shipped window model runs on the kernel, the note gives the
    figures, and on a fresh batch the kernel agrees with onnxruntime to float32 rounding
    (both ~5e-7 of the RMS from float64, measured: so < 3e-6 between them), and both
    denoiser engines give the same tweedie output in a flowgraph (the engine contract,
    1e-5 relative)."""
    path = diffusion.shipped_model(name)
    eng = diffusion.denoise_engine(path, "auto")
    note = eng.engine_note()
    assert eng.engine_name().startswith("fused window"), note
    rms, rms_ort, mx, mx_ort = map(float, _PROBE.search(note).groups())
    assert 0 < rms < 1e-5 and 0 < rms_ort < 1e-5 and mx < 1e-4, note
    W, T = 32, eng.num_steps()
    rng = np.random.default_rng(8)
    nwin = 96
    x = (rng.standard_normal((nwin * W, 2)) * rng.choice([1.0, 3.0], (nwin * W, 1))).astype(
        np.float32
    )
    t = np.repeat(rng.integers(1, T + 1, nwin), W)
    e_f = np.asarray(eng.predict_eps(x, t))
    e_o = np.asarray(eng.predict_eps(x, t, onnxruntime=True))
    d = np.sqrt(np.mean((e_f - e_o) ** 2)) / np.sqrt(np.mean(e_o**2))
    assert d < 3e-6, d
    y = (
        np.exp(1j * (np.pi / 4 + np.pi / 2 * rng.integers(0, 4, 4000)))
        + 0.2 * (rng.standard_normal(4000) + 1j * rng.standard_normal(4000))
    ).astype(np.complex64)
    outs = []
    for engine in ("auto", "onnxruntime"):
        blk = diffusion.ddpm_denoiser(
            path, diffusion.ddpm_denoiser.TWEEDIE, 1, diffusion.ddpm_denoiser.NOISE_PARAMETER,
            14.0, "cpu", 1, 1024, 0, engine, 1, "", 0
        )  # fmt: skip
        outs.append(run_block(blk, y, None))
    assert len(outs[0]) == len(outs[1]) > 3000
    assert rel(outs[0], outs[1]) < TOL
