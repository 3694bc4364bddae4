"""The gr-diffusion OTA link: TX and RX chains, the gr-diffusion-link app and the OTA flowgraphs.

* framing (NumPy): preamble autocorrelation, frame layout, bytes <-> symbols, identification;
* the full RX chain (AGC, matched filter + clock sync, preamble sync, carrier recovery,
  equalizer, noise estimation, DDPM denoiser) recovers the payload through
  channels.channel_model with noise, carrier frequency offset, clock offset and phase
  offset, at the SER of theory for the Es/N0 (plus a small implementation margin);
* the app: --source sim recorded to SigMF with --sink file, replayed with --source file,
  gives the same metrics; hardware sources fail with a clear message on this machine;
* the USRP / RTL-SDR flowgraphs exactly as grcc generates them, with the radio blocks replaced
  by a recording (TX side) and a simulated channel fed from it (RX side).

Uses the installed module (gnuradio.diffusion: run scripts/install.sh after changes) and the
shipped 16-QAM model where present (the denoiser parts are skipped without it). Bounded sample
counts, fixed seeds.
"""

import importlib.util
import json
import math
import os
import subprocess
import sys

import numpy as np
import pmt
import pytest
from gnuradio import blocks, channels, gr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from gnuradio import diffusion
from gnuradio.diffusion.link import framing as link_framing
from gnuradio.diffusion.link import sigmf as link_sigmf
from link_app import run_app


# ---------------------------------------------------------------------------------- framing
def test_preamble_autocorrelation():
    for n in (31, 64, 127):
        p = link_framing.preamble_symbols(n)
        assert np.all(np.abs(p) == 1)
        ac = np.abs(np.correlate(p, p, "full"))
        assert ac.max() == n
        assert np.sort(ac)[-2] <= 0.2 * n


def test_frame_layout_and_bytes():
    f = link_framing.Framing(
        link_framing.LinkConfig(payload_len=1000, pilot_interval=128, pilot_len=8)
    )
    c = f.config
    assert c.n_pilot_blocks == 7 and c.frame_len == 64 + 1000 + 56
    fr = f.frames().reshape(c.n_payloads, c.frame_len)
    assert np.allclose(fr[:, :64], f.preamble)
    assert np.allclose(fr[:, f.payload_pos], f.payload_symbols)
    assert np.allclose(np.mean(np.abs(fr) ** 2), 1.0, atol=0.05)
    data = bytes(range(256)) * 3
    idx = link_framing.bytes_to_indices(data, f.constellation)
    assert link_framing.indices_to_bytes(idx, f.constellation, len(data)) == data
    rng = np.random.default_rng(0)
    y = f.payload_symbols[5] + 0.7 * (rng.standard_normal(1000) + 1j * rng.standard_normal(1000))
    assert f.identify(y)[0] == 5  # ~0 dB: soft match still works
    assert f.identify(rng.standard_normal(1000) + 0j)[0] == -1


def test_ser_theory_16qam():
    assert link_framing.ser_theory("16qam", 15.0) == pytest.approx(0.01778, rel=1e-3)
    assert link_framing.ser_theory("qpsk", 10.0) == pytest.approx(1.565e-3, rel=1e-2)


def test_sigmf_meta_roundtrip(tmp_path):
    cfg = link_framing.LinkConfig(constellation="qpsk", sps=8, rolloff=0.25, payload_seed=9)
    base = str(tmp_path / "r")
    np.zeros(16, dtype=np.complex64).tofile(base + ".sigmf-data")
    link_sigmf.write_meta(base, 2e6, cfg, center_freq=433.9e6, channel={"esn0_db": 7.0})
    for p in (base, base + ".sigmf-meta", base + ".sigmf-data"):
        m = link_sigmf.read_meta(p)
        assert m["config"] == cfg and m["sample_rate"] == 2e6 and m["center_freq"] == 433.9e6
        assert m["channel"] == {"esn0_db": 7.0} and m["data_path"] == base + ".sigmf-data"
    # other complex datatypes are read (tests/test_sigmf.py), real-valued ones refused
    meta = json.load(open(base + ".sigmf-meta"))
    meta["global"]["core:datatype"] = "ci16_le"
    json.dump(meta, open(base + ".sigmf-meta", "w"))
    m = link_sigmf.read_meta(base)
    assert m["datatype"] == "ci16_le" and m["num_samples"] == 32  # 128 bytes, 4 per sample
    meta["global"]["core:datatype"] = "rf32_le"
    json.dump(meta, open(base + ".sigmf-meta", "w"))
    with pytest.raises(ValueError, match="real-valued"):
        link_sigmf.read_meta(base)


# ---------------------------------------------------------------------------------- RX chain
def run_link(
    esn0_db, cfo=0.0, epsilon=1.0, phase=0.0, delay=0, frames=30, mode="none", seed=1, **cfg
):
    """TX -> delay -> channel_model -> RX; returns (rx, dict of output arrays)."""
    tb = gr.top_block()
    tx = diffusion.link_tx(n_frames=frames, **cfg)
    sps = tx.config.sps
    sigma = math.sqrt(sps / 10.0 ** (esn0_db / 10.0))
    ch = channels.channel_model(sigma, cfo, epsilon, [complex(np.exp(1j * phase))], seed, False)
    rx = diffusion.link_rx(mode=mode, **cfg)
    dl = blocks.delay(gr.sizeof_gr_complex, delay)
    sinks = [blocks.vector_sink_c() for _ in range(4)] + [blocks.vector_sink_f()]
    tb.connect(tx, dl, ch, rx)
    for i, s in enumerate(sinks):
        tb.connect((rx, i), s)
    tb.run()
    out = {k: np.array(s.data()) for k, s in zip(("den", "eq", "hard", "ref", "s2"), sinks)}
    out["tags"] = sinks[1].tags()
    return rx, out


def ser_ber(rx, est, ref):
    c = rx.constellation
    ok = np.isfinite(ref)
    ie, ir = c.slice(est[ok]), c.slice(ref[ok])
    bits = np.count_nonzero(c.bits(ie) != c.bits(ir))
    return np.mean(ie != ir), bits / (ie.size * c.bits_per_symbol)


def test_rx_recovers_payload_at_15db_with_cfo_timing_and_phase_offsets():
    esn0, cfo, phase = 15.0, 0.002, 1.0
    rx, out = run_link(esn0, cfo=cfo, epsilon=1.0001, phase=phase, delay=3, frames=40)
    st = rx.sync.stats()
    # every frame is found; the first one comes while the AGC settles (time constant 1000
    # samples) and may not be recovered
    assert st["frames"] == 40 and st["frames_identified"] >= 39
    n = 40 * 1024
    assert out["eq"].size == n
    assert np.count_nonzero(np.isfinite(out["ref"])) == 1024 * st["frames_identified"]
    ser, ber = ser_ber(rx, out["eq"], out["ref"])
    theory = link_framing.ser_theory("16qam", esn0)
    print(
        f"15 dB, CFO {cfo}, epsilon 1.0001, phase {phase}: SER {ser:.4f} (theory "
        f"{theory:.4f}), BER {ber:.5f}, est. Es/N0 {st['esn0_db']:.2f} dB"
    )
    assert ser < theory + 0.004  # ~6 sigma of the estimate, < 0.3 dB loss
    assert ber < theory / 4 + 0.0015  # Gray: ~1 bit per symbol error
    assert abs(st["esn0_db"] - esn0) < 0.5
    assert st["cfo"] == pytest.approx(2 * math.pi * cfo * 4, rel=0.05)
    # the metric probes inside link_rx agree with the numbers computed here
    m = rx.metrics()["equalized"]
    assert m["n"] == 1024 * st["frames_identified"] and m["ser"] == pytest.approx(ser)
    # frame tags and hard decisions
    keys = {t.key for t in out["tags"]}
    assert {"frame_start", "noise_var", "payload_index", "cfo"} <= {str(k) for k in keys}
    assert np.allclose(out["hard"][:5000], rx.constellation.hard_decision(out["eq"][:5000]))


@pytest.mark.parametrize("phase", [2.3, -2.0, 3.1])
def test_phase_ambiguity_resolved_by_preamble(phase):
    # rotations by more than 45 degrees would flip a 4-fold ambiguous carrier recovery
    rx, out = run_link(15.0, cfo=-0.001, phase=phase, frames=8, seed=4)
    st = rx.sync.stats()
    assert st["frames"] == 8 and st["frames_identified"] >= 7
    assert ser_ber(rx, out["eq"], out["ref"])[0] < 0.03


def test_low_snr_pilot_tracking():
    # 5 dB: decision-directed tracking of 16-QAM would slip; pilots keep every frame
    rx, out = run_link(5.0, cfo=0.003, epsilon=0.9999, phase=0.5, frames=12, seed=2)
    st = rx.sync.stats()
    assert st["frames"] == 12 and st["frames_identified"] >= 11
    ser, _ = ser_ber(rx, out["eq"], out["ref"])
    assert ser < link_framing.ser_theory("16qam", 5.0) + 0.03
    assert abs(st["esn0_db"] - 5.0) < 0.6


def test_payload_file_roundtrip(tmp_path):
    data = np.random.default_rng(3).integers(0, 256, 1500, dtype=np.uint8).tobytes()
    path = tmp_path / "payload.bin"
    path.write_bytes(data)
    cfg = dict(payload_file=str(path), payload_len=512)
    f = link_framing.Framing(link_framing.LinkConfig(**cfg))
    assert f.n_payloads == 6  # 3000 symbols in 6 frames of 512
    rx, out = run_link(22.0, cfo=0.001, phase=-1.0, frames=8, **cfg)
    # reassemble the file from the frames (payload_index tags), whatever the first one did
    starts = {
        t.offset: int(pmt.to_python(t.value)) for t in out["tags"] if str(t.key) == "payload_index"
    }
    got = {}
    for off, k in starts.items():
        if k >= 0:
            got[k] = rx.constellation.slice(out["eq"][off : off + 512])
    assert sorted(got) == list(range(6))
    idx = np.concatenate([got[k] for k in range(6)])
    assert link_framing.indices_to_bytes(idx, rx.constellation, len(data)) == data


def test_ddpm_denoiser_in_chain():
    rx, out = run_link(10.0, cfo=0.002, epsilon=1.0001, phase=1.0, frames=10, mode="tweedie")
    m = rx.metrics()
    assert m["denoised"]["n"] == 1024 * rx.sync.frames_identified() >= 9 * 1024
    assert out["den"].size == 10 * 1024 and np.all(np.isfinite(out["den"]))
    # Tweedie is the MMSE estimate: lower MSE than the equalized samples
    assert m["denoised"]["mse_db"] < m["equalized"]["mse_db"]
    s2 = out["s2"]
    assert np.all(s2 > 0) and abs(10 * np.log10(1 / np.mean(s2)) - 10.0) < 0.6


# ---------------------------------------------------------------------------------- the app


def test_app_sim_record_and_replay(tmp_path):
    mode = "tweedie"
    base = str(tmp_path / "rec")
    common = ["--mode", mode, "-q"]
    r = run_app(
        "--source",
        "sim",
        "--esn0",
        "15",
        "--cfo",
        "0.002",
        "--epsilon",
        "1.0001",
        "--phase",
        "1.0",
        "--delay",
        "5",
        "--frames",
        "20",
        "--sink",
        "file",
        "-o",
        base,
        "--json",
        str(tmp_path / "sim.json"),
        *common,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    sim = json.load(open(tmp_path / "sim.json"))
    meta = json.load(open(base + ".sigmf-meta"))
    g = meta["global"]
    assert g["core:datatype"] == "cf32_le" and g["core:sample_rate"] == 1e6
    assert meta["captures"][0]["core:frequency"] == 915e6
    link = g["gr-diffusion:link"]
    assert (
        link["constellation"],
        link["sps"],
        link["rolloff"],
        link["preamble_len"],
        link["payload_seed"],
    ) == ("16qam", 4, 0.35, 64, 0)
    size = os.path.getsize(base + ".sigmf-data")
    assert size % 8 == 0 and size >= 20 * 1144 * 4 * 8
    assert sim["frames"] == 20 and sim["frames_identified"] >= 19
    assert sim["equalized"]["ser"] < sim["ser_theory"] + 0.006

    r = run_app(
        "--source",
        "file",
        "-i",
        base + ".sigmf-meta",
        "--json",
        str(tmp_path / "file.json"),
        *common,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    rep = json.load(open(tmp_path / "file.json"))
    assert rep["link"] == sim["link"] and rep["channel"] == sim["channel"]
    assert rep["frames"] == sim["frames"]
    for key in ("equalized", "denoised"):
        for m in ("ser", "ber", "mse_db"):
            assert rep[key][m] == pytest.approx(sim[key][m], abs=2e-3), (key, m)

    # the printed report of a replay names the source and the metrics
    r = run_app("--source", "file", "-i", base, "--mode", "none")
    assert r.returncode == 0 and "frames 20 (identified" in r.stdout, r.stdout + r.stderr
    assert "SER" in r.stdout and "BER" in r.stdout


def test_app_tx_only_recording_decodes(tmp_path):
    # --source none --sink file: the TX output alone (what a radio would send)
    base = str(tmp_path / "tx")
    r = run_app(
        "--source",
        "none",
        "--sink",
        "file",
        "-o",
        base,
        "--frames",
        "6",
        "--constellation",
        "qpsk",
        "--payload-seed",
        "7",
        "-q",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    r = run_app(
        "--source", "file", "-i", base, "--mode", "none", "--json", str(tmp_path / "j.json"), "-q"
    )
    assert r.returncode == 0, r.stdout + r.stderr
    j = json.load(open(tmp_path / "j.json"))
    assert j["link"]["constellation"] == "qpsk" and j["link"]["payload_seed"] == 7
    assert j["frames"] == 6 and j["frames_identified"] >= 5 and j["equalized"]["ser"] == 0.0


@pytest.mark.parametrize("source", ["uhd", "rtlsdr", "soapy"])
def test_app_hardware_absent_is_a_clear_error(source):
    r = run_app(
        "--source",
        source,
        "--duration",
        "1",
        "--args",
        "driver=nonexistent_gr_diffusion_test" if source == "soapy" else "",
        timeout=60,
    )
    assert r.returncode == 2, r.stdout + r.stderr
    assert "gr-diffusion-link:" in r.stderr and "Traceback" not in r.stderr


def test_app_usage_errors():
    assert run_app("--source", "file").returncode == 2
    assert run_app("--source", "sim", "--sink", "file").returncode == 2
    assert run_app("--source", "none").returncode == 2


# ---------------------------------------------------------------------------------- flowgraphs
def grcc_module(name, tmp_path, env):
    """Compile examples/<name>.grc with grcc (the checkout's block definitions) and import
    the generated module."""
    r = subprocess.run(
        [
            sys.executable,
            "/usr/bin/grcc",
            "-o",
            str(tmp_path),
            os.path.join(ROOT, "examples", name + ".grc"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    path = os.path.join(str(tmp_path), name + ".py")
    spec = importlib.util.spec_from_file_location(name + "_generated", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _radio_getattr(self, name):
    """Accept (and ignore) the radio set_*() calls of the generated flowgraphs."""
    if name.startswith("set_"):
        return lambda *a, **k: None
    return gr.hier_block2.__getattr__(self, name)


class fake_radio_sink(gr.hier_block2):
    """Stands in for uhd.usrp_sink: records the first n samples into a file, then ends."""

    def __init__(self, path, n):
        gr.hier_block2.__init__(
            self,
            "fake_radio_sink",
            gr.io_signature(1, 1, gr.sizeof_gr_complex),
            gr.io_signature(0, 0, 0),
        )
        self.head = blocks.head(gr.sizeof_gr_complex, n)
        self.sink = blocks.file_sink(gr.sizeof_gr_complex, path, False)
        self.connect(self, self.head, self.sink)

    __getattr__ = _radio_getattr


class fake_radio_source(gr.hier_block2):
    """Stands in for an SDR source: a recording through a channel_model (noise, CFO, clock
    offset, phase), like the air between two radios."""

    def __init__(self, path, esn0_db, cfo, epsilon, phase, amplitude):
        gr.hier_block2.__init__(
            self,
            "fake_radio_source",
            gr.io_signature(0, 0, 0),
            gr.io_signature(1, 1, gr.sizeof_gr_complex),
        )
        self.src = blocks.file_source(gr.sizeof_gr_complex, path, False)
        sigma = amplitude * math.sqrt(4 / 10.0 ** (esn0_db / 10.0))
        self.ch = channels.channel_model(
            sigma, cfo, epsilon, [complex(np.exp(1j * phase))], 5, False
        )
        self.gain = blocks.multiply_const_cc(0.05)  # arbitrary receive level: AGC
        self.connect(self.src, self.ch, self.gain, self)

    __getattr__ = _radio_getattr


def test_sim_link_flowgraph_runs(tmp_path, grc_env):
    mod = grcc_module("sim_link", tmp_path, grc_env)
    tb = mod.sim_link()
    tb.run()
    st = tb.rx.sync.stats()
    assert st["frames"] == 100 and st["frames_identified"] >= 99
    assert tb.rx.metrics()["equalized"]["ser"] < link_framing.ser_theory("16qam", 15) + 0.004
    assert "frames 100" in tb.rx.summary()


@pytest.fixture(scope="module")
def tx_recording(tmp_path_factory, grc_env):
    """ota_tx_uhd as generated, its USRP sink replaced by a 12-frame recording."""
    tmp = tmp_path_factory.mktemp("ota_tx")
    mod = grcc_module("ota_tx_uhd", tmp, grc_env)
    path = str(tmp / "tx.cf32")
    n = 12 * 1144 * 4 + 2000
    orig = mod.uhd.usrp_sink
    mod.uhd.usrp_sink = lambda *a, **k: fake_radio_sink(path, n)
    try:
        tb = mod.ota_tx_uhd()
    finally:
        mod.uhd.usrp_sink = orig
    tb.run()  # ends when the recording is complete
    assert os.path.getsize(path) == 8 * n
    y = np.fromfile(path, dtype=np.complex64)
    assert abs(np.sqrt(np.mean(np.abs(y) ** 2)) - tb.amplitude) < 0.02
    return path, tb.amplitude


def _run_qt_rx(mod, cls_name):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt5 import Qt

    app = Qt.QApplication.instance() or Qt.QApplication(["test"])  # noqa: F841
    tb = getattr(mod, cls_name)()
    tb.start()
    tb.wait()  # the recording ends the flowgraph
    return tb


@pytest.mark.parametrize(
    "name,patch", [("ota_rx_uhd", "uhd.usrp_source"), ("ota_rx_rtlsdr", "soapy.source")]
)
def test_ota_rx_flowgraph_on_recorded_tx(name, patch, tx_recording, tmp_path, grc_env):
    path, amplitude = tx_recording
    mod = grcc_module(name, tmp_path, grc_env)
    modname, attr = patch.split(".")
    radio = getattr(mod, modname)
    orig = getattr(radio, attr)
    setattr(
        radio, attr, lambda *a, **k: fake_radio_source(path, 15.0, 0.004, 1.0002, 2.0, amplitude)
    )
    try:
        tb = _run_qt_rx(mod, name)
    finally:
        setattr(radio, attr, orig)
    st = tb.rx.sync.stats()
    # the FLL of the OTA receivers (for real oscillators) costs the first frame or two
    assert st["frames"] >= 10 and st["frames_identified"] >= 10, st
    m = tb.rx.metrics()["equalized"]
    assert m["ser"] < 0.06, m
