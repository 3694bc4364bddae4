"""Engine: the training CLI end to end (a few steps), data sources, loss weights."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from gnuradio.diffusion import train as train_cli  # noqa: E402
from gnuradio.diffusion.core.onnx_model import DdpmModel  # noqa: E402
from gnuradio.diffusion.core.schedules import make_schedule  # noqa: E402
from gnuradio.diffusion.training import ddpm as training  # noqa: E402


def _train(tmp_path, data, *extra):
    out = str(tmp_path / "m.onnx")
    log = str(tmp_path / "loss.csv")
    rc = train_cli.main(
        [
            "--data",
            data,
            "--out",
            out,
            "--steps",
            "6",
            "--batch",
            "64",
            "--T",
            "10",
            "--hidden",
            "16",
            "--no-progress",
            "--loss-log",
            log,
            "--seed",
            "3",
            *extra,
        ]
    )
    assert rc == 0
    return DdpmModel(out), log


def test_cli_constellation(tmp_path):
    m, log = _train(tmp_path, "16qam", "--schedule", "paper")
    assert m.T == 10 and m.schedule.name == "paper" and m.constellation.name == "16qam"
    tr = m.training
    assert tr["config"]["steps"] == 6 and "--data 16qam" in tr["command"]
    assert m.metadata["training_parameterization"] == "eps"
    rows = open(log).read().strip().splitlines()
    assert rows[0] == "step,loss,lr,seconds" and len(rows) >= 2
    assert m.predict_eps(np.zeros((3, 2), np.float32), np.array([1, 5, 10])).shape == (3, 2)


def test_cli_is_deterministic_with_seed(tmp_path):
    a, _ = _train(tmp_path / "a", "qpsk")
    b, _ = _train(tmp_path / "b", "qpsk")
    x = np.random.default_rng(0).standard_normal((50, 2)).astype(np.float32)
    t = np.arange(50) % 10 + 1
    np.testing.assert_array_equal(a.predict_eps(x, t), b.predict_eps(x, t))


def test_cli_published_recipe_and_v(tmp_path):
    m, _ = _train(tmp_path, "8psk", "--published", "--parameterization", "v")
    cfg = m.training["config"]
    assert cfg["beta"] == 1.0 and cfg["emb_init"] == "uniform" and cfg["lr"] == 1e-3
    assert m.metadata["parameterization"] == "eps"  # graph output
    assert m.metadata["training_parameterization"] == "v"


def test_cli_swissroll_and_recordings(tmp_path):
    m, _ = _train(tmp_path / "s", "swissroll")
    assert m.constellation is None and float(m.metadata["data_scale"]) > 0
    rng = np.random.default_rng(1)
    z = (3.0 * (rng.standard_normal(500) + 1j * rng.standard_normal(500))).astype(np.complex64)
    raw = tmp_path / "rec.cf32"
    z.tofile(raw)
    src = training.make_source(str(raw))
    assert abs(float((src.data**2).sum(1).mean()) - 1.0) < 1e-4  # unit power
    m, _ = _train(tmp_path / "r", str(raw))
    assert m.metadata["constellation"] == "rec"
    # SigMF ci16_le
    base = tmp_path / "cap"
    iq = np.round(rng.standard_normal(1000) * 1000).astype("<i2")
    iq.tofile(str(base) + ".sigmf-data")
    with open(str(base) + ".sigmf-meta", "w") as f:
        json.dump({"global": {"core:datatype": "ci16_le"}, "captures": [], "annotations": []}, f)
    src = training.make_source(str(base) + ".sigmf-meta")
    assert len(src) == 500 and abs(float((src.data**2).sum(1).mean()) - 1.0) < 1e-4
    with open(str(base) + ".sigmf-meta", "w") as f:
        json.dump({"global": {"core:datatype": "rf32_le"}}, f)
    with pytest.raises(ValueError, match="unsupported SigMF datatype"):
        training.make_source(str(base) + ".sigmf-meta")


def test_loss_factors():
    s = make_schedule("wide")
    f = training.loss_factors(s.abar, "eps", "native")
    np.testing.assert_allclose(f.numpy()[1:], 1.0)
    snr = s.abar / (1 - s.abar)
    f = training.loss_factors(s.abar, "x0", "minsnr", 1000.0).numpy()[1:]
    w = np.minimum(snr, 1000.0)
    np.testing.assert_allclose(f, w / w.mean(), rtol=1e-5)
    with pytest.raises(ValueError):
        training.loss_factors(s.abar, "eps", "bogus")


def test_sample_t_stratified():
    g = torch.Generator().manual_seed(0)
    t = training.sample_t(1000, 100, "uniform", g, "cpu")
    assert t.min() == 1 and t.max() == 100
    assert np.all(np.bincount(t.numpy(), minlength=101)[1:] == 10)
    t = training.sample_t(1000, 100, "highsnr", g, "cpu")
    assert (t <= 50).float().mean() == pytest.approx(0.75, abs=0.01)
