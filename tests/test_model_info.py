#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""gr-diffusion-model (apps/gr-diffusion-model over core.model_info; issue 15, item 8) on
every shipped model and on bad files."""

import glob
import json
import os
import subprocess
import sys

import pytest
from gnuradio import diffusion
from gnuradio.diffusion.core import model_info

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "apps", "gr-diffusion-model")
MODELS = sorted(glob.glob(os.path.join(ROOT, "models", "*.onnx")))
BUILD = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(diffusion.__file__))))
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([BUILD, os.environ.get("PYTHONPATH", "")]))


def run(*argv):
    return subprocess.run(
        [sys.executable, APP, *argv], capture_output=True, text=True, timeout=120, env=ENV
    )


@pytest.fixture(scope="module")
def all_models(tmp_path_factory):
    out = tmp_path_factory.mktemp("mi") / "all.json"
    r = run(*MODELS, "--json", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout, {os.path.basename(d["path"]): d for d in json.load(open(out))}


def test_every_shipped_model(all_models):
    text, info = all_models
    assert len(MODELS) >= 14 and set(info) == {os.path.basename(m) for m in MODELS}
    for name, d in info.items():
        window = "window" in d
        assert d["network"].startswith("window_conv1d" if window else "mlp"), name
        assert d["training"]["command"].startswith("python -m diffusion.train"), name
        chk = d["self_check"]
        assert chk["ok"] and len(chk["rows"]) == 2, (name, chk)
        if d["kind"] == "ddpm":
            s = d["schedule"]
            assert s["T"] == 100 and s["esn0_db_t1"] == pytest.approx(45.0, abs=0.6)
            if name == "16qam_sigmoid.onnx":  # the published schedule: abar_T ~ 0.6
                assert s["esn0_db_tT"] == pytest.approx(1.85, abs=0.05) and s["paper_mode_ok"]
            else:
                assert s["esn0_db_tT"] == pytest.approx(-30.0, abs=0.01)
                assert not s["paper_mode_ok"]
        if d["constellation"] is not None:
            c = d["constellation"]
            assert c["power"] == pytest.approx(1.0, abs=1e-6)
            assert sorted(p["label"] for p in c["points"]) == list(range(c["order"]))
            for r in chk["rows"]:
                if window and c["name"].startswith("sdpsk"):
                    # an SDPSK sequence prior may beat the per-symbol known-phase MMSE
                    assert r["model_db"] < r["noisy_db"] - 1.0
                elif window:  # phase-noisy windows: a gain, below the known-phase bound
                    assert (
                        r["model_db"] < r["noisy_db"] and r["known_phase_mmse_db"] < r["model_db"]
                    )
                else:  # measured excess over the exact MMSE: <= 0.32 dB
                    assert r["excess_db"] < 1.0
        else:
            assert name == "swissroll.onnx" and all(r["gain_db"] > 1.0 for r in chk["rows"])
    # the text report: orientation, labels, Es/N0 range, what PAPER does
    assert "qpsk: 4 points at 45, 135, 225, 315 degrees" in text
    assert "16qam: 16 points, a square grid aligned with the I/Q axes" in text
    assert "45.0 dB (t = 1) .. -30.0 dB (t = T)" in text
    assert "returns prior samples" in text and "PASS" in text and "FAIL" not in text
    # window models: W, hop and latency in the report and the JSON
    w = info["qpsk_pn_w32.onnx"]["window"]
    assert (w["length"], w["default_hop"], w["latency_samples"]) == (32, 16, 8)
    assert "latency 8 samples" in text


def test_qpsk_points_and_labels():
    d = model_info.describe(model_info.resolve("qpsk"))
    pts = {(round(p["i"], 4), round(p["q"], 4)): p["bits"] for p in d["constellation"]["points"]}
    assert pts == {
        (-0.7071, -0.7071): "00",
        (-0.7071, 0.7071): "01",
        (0.7071, -0.7071): "10",
        (0.7071, 0.7071): "11",
    }


def test_shipped_name_and_dnn():
    r = run("dnn_16qam_regression", "--no-check")
    assert r.returncode == 0, r.stderr
    assert "DNN receiver" in r.stdout and "trained on Es/N0 0 .. 20 dB" in r.stdout
    assert "self-check" not in r.stdout


def test_one_model_lookup(tmp_path):
    """core.model_files.find_model is the lookup behind model_info.resolve, shipped_model and
    shipped_dnn_model: a path as given, a name normalised ('16QAM', '4-QAM', '16qam.onnx'),
    a clear error naming the directories searched."""
    from gnuradio.diffusion.core import dnn_model, model_files

    ref = model_files.shipped_model("16qam")
    for name in ("16QAM", "16qam.onnx", ref):
        assert model_files.find_model(name) == ref
        assert model_info.resolve(name) == ref
    assert model_files.find_model("4-QAM") == model_files.shipped_model("qpsk")
    assert dnn_model.shipped_dnn_model("dnn_16qam_regression") == model_files.find_model(
        "dnn_16qam_regression"
    )
    missing = str(tmp_path / "nope.onnx")
    assert model_files.find_model(missing) == missing  # a path: the loader reports it
    with pytest.raises(FileNotFoundError, match="no shipped model 'nope'"):
        model_files.find_model("nope")
    with pytest.raises(model_info.ModelFileError, match="nope"):
        model_info.resolve("nope")


@pytest.mark.parametrize("case", ["text", "missing", "foreign_onnx", "truncated"])
def test_bad_files(tmp_path, case):
    if case == "text":
        p = tmp_path / "notes.onnx"
        p.write_text("not a model\n")
        want = "not an ONNX model"
    elif case == "missing":
        p = tmp_path / "nothing.onnx"
        want = "no such file"
    elif case == "foreign_onnx":
        p = os.path.join(ROOT, "tests", "data", "affine.onnx")
        want = "not a gr-diffusion one"
    else:
        p = tmp_path / "cut.onnx"
        p.write_bytes(open(MODELS[0], "rb").read()[:5000])
        want = "not an ONNX model"
    r = run(str(p), "qpsk", "--no-check")
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"gr-diffusion-model: error: {p}" in r.stderr and want in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert "qpsk: 4 points" in r.stdout  # the good one is still reported


def test_usage_errors():
    r = run()
    assert r.returncode == 2 and "give a model file" in r.stderr
