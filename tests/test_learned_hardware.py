"""Learned hardware end to end: training from a chain spec and from a labelled loopback
capture (the gr-diffusion-link flowgraph with a TX chain the receiver does not know), the
label metadata contract, and the learned slicer block reading the trained model."""

import json
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from gnuradio import blocks, diffusion, gr  # noqa: E402
from gnuradio.diffusion import train as train_cli  # noqa: E402
from gnuradio.diffusion.core import labelled_capture as cap  # noqa: E402
from gnuradio.diffusion.core.label_mixture import LabelMixture, estimate  # noqa: E402
from gnuradio.diffusion.core.onnx_model import DdpmModel  # noqa: E402
from gnuradio.diffusion.flowgraphs import loopback  # noqa: E402
from gnuradio.diffusion.tx_impairment_chain import generate  # noqa: E402

CHAIN = "16qam+rapp(ibo=0,p=2)+agc"
HIDDEN = "16qam+iq(0.5dB,3deg)+dc(0.02,-0.01)+rapp(ibo=1,p=2)+agc"


def train(data, out, *extra):
    argv = [
        "--data",
        data,
        "--out",
        str(out),
        "--steps",
        "5",
        "--batch",
        "64",
        "--threads",
        "1",
        "--no-progress",
        "--seed",
        "3",
        *extra,
    ]
    assert train_cli.main(argv) == 0
    return DdpmModel(str(out))


def slicer_decisions(model_path, y, sigma2):
    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(y, np.complex64).tolist(), False)
    sl = diffusion.learned_slicer(model_path, [], [], [], sigma2, False)
    snk = blocks.vector_sink_b()
    tb.connect(src, sl, snk)
    tb.run()
    return np.array(snk.data(), np.int64)


def test_train_from_chain_spec_records_labels(tmp_path):
    m = train(CHAIN, tmp_path / "hw.onnx", "--train-symbols", "4096")
    meta = m.metadata
    assert meta["chain_spec"] == "16qam+rapp(ibo=0.0,p=2.0,gain=1.0,sat=1.0)+agc"
    assert json.loads(meta["training"])["train_symbols"] == 4096
    # the stored centroids/spread are those of the same symbols through the same flowgraph
    z, idx, _ = generate(CHAIN, 4096, 3)
    mu, sp, cnt = estimate(z, idx, 16)
    mix = LabelMixture.from_metadata(meta, "hw.onnx")
    np.testing.assert_allclose(mix.centroids, mu, atol=1e-12)
    np.testing.assert_allclose(mix.spread, sp, atol=1e-15)
    assert mix.counts.tolist() == cnt.tolist()
    # deterministic chain: zero spread; compressed outer corner
    assert np.max(mix.spread) < 1e-10
    assert np.abs(mix.centroids).max() < np.abs(m.constellation.points).max() * 0.97
    # nominal points and bit labels stay the constellation's
    assert m.constellation.name == "16qam_hw"
    assert len(m.constellation.points) == 16
    # the C++ slicer reads the same centroids
    dec = slicer_decisions(str(tmp_path / "hw.onnx"), mu, 0.0)
    assert dec.tolist() == list(range(16))


def test_bad_data_specs_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown stage 'rap'"):
        train_cli.main(["--data", "16qam+rap(0)", "--out", str(tmp_path / "x.onnx")])
    base = tmp_path / "nolabels"
    cap.write(base, np.ones(64), np.zeros(64, int), "qpsk")
    os.remove(str(base) + ".labels")
    with pytest.raises(ValueError, match="label file"):
        train_cli.main(["--data", f"capture:{base}.sigmf-meta", "--out", str(tmp_path / "y")])


def test_loopback_capture_train_and_slice(tmp_path):
    """Simulated loopback (waveform-level IQ imbalance, LO leakage, Rapp PA at 1 dB IBO,
    hidden from the receiver): capture at 35 dB with labels, train, and decide a fresh
    loopback run at 20 dB with the C++ learned slicer reading the model. Measured
    (32768 symbols): nominal hard decisions SER 2.7e-3 (~90 errors), learned slicer 3e-4
    (~10): the assertion (learned < nominal / 3) has a wide margin on both counts."""
    base = str(tmp_path / "loop")
    meta_path = loopback.capture(
        base, HIDDEN, esn0_db=35.0, frames=16, payload_seed=11, noise_seed=12
    )
    z, lab, const, meta = cap.read(meta_path)
    assert len(z) == 16 * 1024
    assert meta["global"]["diffusion:tx_chain"] == HIDDEN
    m = train(f"capture:{meta_path}", tmp_path / "loop.onnx")
    assert json.loads(m.metadata["training"])["train_symbols"] == len(z)
    mix = LabelMixture.from_model(str(tmp_path / "loop.onnx"))
    assert mix.order == 16
    test = loopback.run_loopback(HIDDEN, 20.0, 32, payload_seed=21, noise_seed=22)
    assert test["ok"].all()
    y, truth = test["eq"], test["labels"]
    nominal = np.mean(const.slice(y) != truth)
    learned = np.mean(slicer_decisions(str(tmp_path / "loop.onnx"), y, 0.01) != truth)
    assert nominal > 1e-3
    assert learned < nominal / 3


# shipped learned-hardware models: (model, chain spec, Es/N0 dB, max tweedie MSE excess over
# the model's own data-aided mixture MMSE in dB (for a deterministic chain that mixture is
# the exact points, i.e. the oracle), max SER ratio DDPM / data-aided ML). Measured by
# bench/learned_hardware.py (model cards, 131072 symbols) at 14 dB: 16qam_rapp +0.07 dB,
# SER ratio 1.01; 64qam_rapp +0.0 dB, 1.01; 16qam_rapp_pn +0.1 dB, 1.01. The margins cover
# the 20000-symbol sample here (SER ~5e-2 at 14 dB: ~1000 errors, relative SE ~3 %).
SHIPPED_HW = [
    ("16qam_rapp", "16qam+rapp(ibo=0,p=2)+agc", 14.0, 0.3, 1.15),
    ("64qam_rapp", "64qam+rapp(ibo=0,p=2)+agc", 14.0, 0.3, 1.15),
    ("16qam_rapp_pn", "16qam+rapp(ibo=0,p=2)+phase_noise(1e-4,block=32)+agc", 14.0, 0.3, 1.15),
]


@pytest.mark.parametrize("name, spec, esn0, max_excess, max_ratio", SHIPPED_HW)
def test_shipped_hardware_models(name, spec, esn0, max_excess, max_ratio):
    from gnuradio.diffusion.core import reference, samplers
    from gnuradio.diffusion.core.chain_spec import parse
    from gnuradio.diffusion.tx_impairment_chain import noiseless_points

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "models", f"{name}.onnx")
    m = DdpmModel(path)
    meta = m.metadata
    sp = parse(spec)
    assert meta["chain_spec"] == str(sp)
    tr = json.loads(meta["training"])
    assert "python -m diffusion.train" in tr["command"] and tr["train_symbols"] >= 1 << 16
    card = os.path.join(root, "models", f"{name}.md")
    assert os.path.isfile(card) and "python -m diffusion.train" in open(card).read()
    mix = LabelMixture.from_model(path)
    if not sp.is_random:
        np.testing.assert_allclose(mix.centroids, noiseless_points(spec), atol=1e-6)
    z, idx, _ = generate(spec, 20000, 424242)
    rng = np.random.default_rng(5)
    s2 = 10 ** (-esn0 / 10)
    y = z + np.sqrt(s2 / 2) * (rng.standard_normal(len(z)) + 1j * rng.standard_normal(len(z)))
    xt = samplers.denoise(m, y, s2, "tweedie").astype(np.complex128)
    excess = reference.mse_db(xt, z) - reference.mse_db(mix.mmse(y, s2), z)
    assert excess < max_excess
    ser_ddpm = np.mean(mix.decide(xt, s2) != idx)
    ser_da = np.mean(mix.decide(y, s2) != idx)
    ser_nominal = np.mean(m.constellation.slice(y) != idx)
    assert ser_ddpm < max_ratio * ser_da
    assert ser_ddpm < ser_nominal


def test_shipped_loopback_model():
    """models/16qam_loopback.onnx: trained from a simulated labelled loopback capture
    (card: the capture command); carries the label metadata; on a fresh loopback run at
    20 dB its learned slicer beats nominal hard decisions (measured in the card)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "models", "16qam_loopback.onnx")
    m = DdpmModel(path)
    tr = json.loads(m.metadata["training"])
    assert "--data capture:" in tr["command"]
    assert os.path.isfile(os.path.join(root, "models", "16qam_loopback.md"))
    mix = LabelMixture.from_model(path)
    assert mix.order == 16 and mix.counts.sum() == tr["train_symbols"]
    test = loopback.run_loopback(HIDDEN, 20.0, 32, payload_seed=31, noise_seed=32)
    y, truth = test["eq"][test["ok"]], test["labels"][test["ok"]]
    nominal = np.mean(m.constellation.slice(y) != truth)
    learned = np.mean(slicer_decisions(path, y, 0.01) != truth)
    assert learned < nominal / 3
