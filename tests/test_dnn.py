"""DNN baseline receiver: PyTorch -> ONNX export / onnxruntime load parity, the training
CLI, and the accuracy of the shipped models against the exact MMSE estimator."""

import json
import os

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from gnuradio.diffusion.core import constellations, reference
from gnuradio.diffusion.core.dnn_model import (
    SHIPPED_DNN,
    DnnModel,
    shipped_dnn_model,
    snr_mixture_mmse,
)
from gnuradio.diffusion.training import dnn


def quick_net(head, snr_input, name="16qam", steps=30):
    cfg = dnn.DnnConfig(
        data=name, head=head, snr_input=snr_input, steps=steps, batch=256, seed=1, threads=1
    )
    return dnn.train_dnn(cfg, progress=False)


@pytest.mark.parametrize("head", dnn.HEADS)
@pytest.mark.parametrize("snr_input", [False, True])
def test_export_load_parity(tmp_path, head, snr_input):
    res = quick_net(head, snr_input)
    net, c = res["model"], res["constellation"]
    path = str(tmp_path / f"{head}.onnx")
    meta = dnn.export_dnn_onnx(net, path, c, training={"k": 1})
    m = DnnModel(path)
    assert m.head == head and m.snr_input == snr_input
    assert m.metadata["gr_diffusion_dnn_format"] == "1" and meta["head"] == head
    np.testing.assert_allclose(m.constellation.points, c.points, atol=1e-15)
    np.testing.assert_array_equal(m.constellation.labels, c.labels)
    rng = np.random.default_rng(0)
    n = 10_001  # > one onnxruntime chunk
    y = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * 0.8
    s2 = 10 ** (-rng.uniform(0, 20, n) / 10)
    with torch.no_grad():
        yt = torch.tensor(np.stack([y.real, y.imag], 1), dtype=torch.float32)
        ref = net(yt, torch.tensor(s2, dtype=torch.float32) if snr_input else None).numpy()
    got = m.raw(y, s2 if snr_input else None)
    # float32 network, same weights: only summation-order differences (~1e-6 relative)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
    soft = m.estimate(y, s2, "expected")
    hard = m.estimate(y, s2, "argmax")
    if head == "regression":
        np.testing.assert_allclose(soft, ref[:, 0] + 1j * ref[:, 1], atol=1e-5)
        np.testing.assert_array_equal(hard, c.points[c.slice(soft)].astype(np.complex64))
    else:
        p = torch.softmax(torch.tensor(ref, dtype=torch.float64), 1).numpy()
        np.testing.assert_allclose(soft, p @ c.points, atol=1e-5)
        np.testing.assert_array_equal(hard, c.points[np.argmax(ref, 1)].astype(np.complex64))
        np.testing.assert_array_equal(m.indices(y, s2), np.argmax(got, 1))
    if snr_input:
        with pytest.raises(ValueError, match="sigma2"):
            m.raw(y[:4])


def test_training_cli_writes_loadable_model(tmp_path):
    from gnuradio.diffusion import train_dnn

    out = str(tmp_path / "cli.onnx")
    log = str(tmp_path / "loss.csv")
    assert (
        train_dnn.main(
            [
                "--data",
                "qpsk",
                "--head",
                "classification",
                "--out",
                out,
                "--steps",
                "20",
                "--batch",
                "128",
                "--threads",
                "1",
                "--loss-log",
                log,
                "--no-progress",
            ]
        )
        == 0
    )
    m = DnnModel(out)
    assert m.head == "classification" and m.constellation.order == 4
    rec = json.loads(m.metadata["training"])
    assert rec["config"]["steps"] == 20 and "train_dnn" in rec["command"]
    assert open(log).readline().startswith("step,loss")


def test_rejects_non_dnn_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        DnnModel("/nonexistent/nothing.onnx")
    affine = os.path.join(ROOT, "tests", "data", "affine.onnx")  # an ONNX file, not ours
    with pytest.raises(ValueError, match="not a gr-diffusion DNN"):
        DnnModel(affine)
    garbage = tmp_path / "g.onnx"
    garbage.write_bytes(b"not onnx")
    with pytest.raises(ValueError, match="not a loadable ONNX"):
        DnnModel(str(garbage))
    with pytest.raises(ValueError, match="provider"):
        DnnModel(shipped_dnn_model("dnn_16qam_regression"), providers="NoSuchProvider")


@pytest.mark.parametrize("name", SHIPPED_DNN)
def test_shipped_models_accuracy(name):
    """The shipped (noise-level-blind) models vs the exact MMSE estimator and vs their own
    training target, E[x|y] with Es/N0 unknown over the training range (snr_mixture_mmse).

    Low/mid Es/N0: close to MMSE (the SNR mixture barely changes E[x|y] there) and to the
    target.  Hard decisions: the arg-max class targets the nearest point (ML), the nearest
    point to the regression output targets the sliced mixture estimate.  Bounds from
    bench/dnn_baseline.py (200k symbols) plus margin for the 20k-symbol spread here.
    """
    m = DnnModel(name)
    assert not m.snr_input
    assert m.training_esn0_range == (0.0, 20.0)
    c = m.constellation
    assert c.name == name.split("_")[1]
    rng = np.random.default_rng(7)
    n = 20_000
    for esn0, max_excess_db in ((0.0, 1.0), (5.0, 0.6), (10.0, 0.8)):
        idx = rng.integers(0, c.order, n)
        x = c.points[idx]
        s2 = 10 ** (-esn0 / 10)
        y = reference.awgn(x, s2, rng)
        target = snr_mixture_mmse(y, c, 0.0, 20.0)
        got = reference.mse_db(m.estimate(y, None, "expected"), x)
        best = reference.mse_db(reference.mmse_estimate(y, c, s2), x)
        assert got - best < max_excess_db, (name, esn0, got, best)
        # MSE estimates of two estimators on the same 20k symbols are strongly correlated;
        # 0.3 dB is ~5x the measured spread of the difference
        assert got - reference.mse_db(target, x) < 0.3, (name, esn0)
        want = c.slice(y) if m.head == "classification" else c.slice(target)
        ser = np.mean(m.indices(y) != idx)
        # binomial std of an SER difference over 20k symbols < 0.005; allow 0.015
        assert ser - np.mean(want != idx) < 0.015, (name, esn0, ser)


def test_snr_mixture_mmse_limits():
    # a degenerate Es/N0 range is the ordinary MMSE estimator at that Es/N0
    c = constellations.by_name("16qam")
    rng = np.random.default_rng(2)
    y = reference.awgn(c.points[rng.integers(0, 16, 3000)], 0.1, rng)
    np.testing.assert_allclose(
        snr_mixture_mmse(y, c, 10.0, 10.0, k=3), reference.mmse_estimate(y, c, 0.1), atol=1e-12
    )
