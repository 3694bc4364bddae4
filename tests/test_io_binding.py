"""DdpmModel's I/O-binding path (OrtValues on the provider's device, the CUDA / TensorRT
route), exercised on the CPU with device 'cpu': the same code as on a GPU but for the
device string. Parity with run() to 1e-6, buffer reuse across chunk sizes, the OrtValue API
and argument errors. (No GPU in CI: the 'cuda' device itself is not run here.)"""

import os

import numpy as np
import pytest
from gnuradio.diffusion.core import onnx_model
from gnuradio.diffusion.core.onnx_model import DdpmModel

ort = pytest.importorskip("onnxruntime")
MODEL = os.path.join(os.path.dirname(__file__), "..", "models", "16qam.onnx")


def inputs(n, seed, T):
    rng = np.random.default_rng(seed)
    x = (0.8 * rng.standard_normal((n, 2))).astype(np.float32)
    t = rng.integers(1, T + 1, n).astype(np.int64)
    return x, t


@pytest.fixture(scope="module")
def models():
    plain = DdpmModel(MODEL)
    bound = DdpmModel(MODEL)
    bound.bind_device("cpu", 0)
    return plain, bound


def test_cpu_provider_uses_run_by_default(models):
    plain, _ = models
    assert plain.io_device is None


@pytest.mark.parametrize("n", [1, 5, 4096, 4096 + 17, 3 * 4096 + 1000])
def test_bound_matches_run(models, n):
    plain, bound = models
    assert bound.io_device == ("cpu", 0)
    x, t = inputs(n, n, plain.T)
    ref = plain.predict_eps(x, t)
    got = bound.predict_eps(x, t)
    assert got.shape == (n, 2) and got.dtype == np.float32
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6)


def test_buffers_are_reused_and_bounded(models):
    _, bound = models
    x, t = inputs(4096 + 17, 3, bound.T)
    bound.predict_eps(x, t)
    first = {n: b[0].data_ptr() for n, b in bound._io["bufs"].items()}
    y, u = inputs(4096 + 17, 4, bound.T)
    bound.predict_eps(y, u)  # same sizes: same device buffers, refilled in place
    assert {n: b[0].data_ptr() for n, b in bound._io["bufs"].items()} == first
    for n in (11, 12, 13, 14, 15):
        bound.predict_eps(*inputs(n, n, bound.T))
    assert len(bound._io["bufs"]) <= 4


def test_ortvalue_api_matches_run(models):
    plain, bound = models
    x, t = inputs(300, 9, plain.T)
    ref = plain.predict_eps(x, t)
    xv, tv = bound.ortvalue(x), bound.ortvalue(t)
    ev = bound.predict_eps_ortvalue(xv, tv)
    assert ev.device_name().lower() == "cpu"
    np.testing.assert_allclose(ev.numpy(), ref, rtol=0, atol=1e-6)
    out = ort.OrtValue.ortvalue_from_shape_and_type([300, 2], np.float32, "cpu", 0)
    assert bound.predict_eps_ortvalue(xv, tv, out) is out
    np.testing.assert_allclose(out.numpy(), ref, rtol=0, atol=1e-6)


def test_bind_device_errors_and_reset():
    m = DdpmModel(MODEL)
    with pytest.raises(ValueError, match="device must be"):
        m.bind_device("tpu")
    with pytest.raises(ValueError, match="device_id"):
        m.bind_device("cpu", -1)
    m.bind_device("cpu")
    m.bind_device(None)
    assert m.io_device is None


def test_gpu_providers_select_the_device_path():
    assert onnx_model._GPU_DEVICES == {
        "CUDAExecutionProvider": "cuda",
        "TensorrtExecutionProvider": "cuda",
    }
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        pytest.skip("no CUDA provider in this onnxruntime (the 'cuda' device is not run here)")
    m = DdpmModel(MODEL, providers=["CUDAExecutionProvider"])
    assert m.io_device == ("cuda", 0)
    x, t = inputs(5000, 1, m.T)
    np.testing.assert_allclose(m.predict_eps(x, t), DdpmModel(MODEL).predict_eps(x, t), atol=1e-5)
