#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""SigMF through the sigmf package (issue 15, item 7): what the module writes is valid
SigMF (schema and SHA-512), round trips, and recordings written by the sigmf library itself
in other datatypes (ci16, cu8, ci8, cf32 big-endian; with their sample rate and centre
frequency) are read by link.sigmf and by the link's GNU Radio file source, including the
gr-diffusion-link app end to end on a cu8 recording."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import sigmf
from gnuradio import blocks, diffusion, gr
from gnuradio.diffusion.flowgraphs import link_flowgraph as flowgraph
from gnuradio.diffusion.link import framing
from gnuradio.diffusion.link import sigmf as link_sigmf
from sigmf import sigmffile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "apps", "gr-diffusion-link")
# the app runs in a subprocess: give it this build tree's module
BUILD = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(diffusion.__file__))))
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([BUILD, os.environ.get("PYTHONPATH", "")]))
CFG = framing.LinkConfig(constellation="qpsk", sps=8, rolloff=0.25, payload_seed=9)


def other_tool_recording(base, samples, datatype, rate=2.048e6, freq=433.92e6):
    """A recording as another tool writes it, through the sigmf library: samples complex,
    |I|, |Q| < 1, quantized to the datatype the way sigmf's reader scales it back."""
    fmt = link_sigmf.sample_format(datatype)
    iq = np.stack([samples.real, samples.imag], 1).reshape(-1)
    if fmt["kind"] == "f":
        raw = iq.astype(("<" if fmt["little_endian"] else ">") + "f4")
    else:
        q = np.round(iq / fmt["scale"] + fmt["offset"])
        info = np.iinfo(np.dtype(f"{fmt['kind']}{fmt['bits'] // 8}"))
        q = np.clip(q, info.min, info.max)
        end = "<" if fmt["little_endian"] else ">"
        raw = q.astype(f"{end}{fmt['kind']}{fmt['bits'] // 8}")
    raw.tofile(base + ".sigmf-data")
    meta = sigmffile.SigMFFile(
        data_file=base + ".sigmf-data",
        global_info={
            sigmf.DATATYPE_KEY: datatype,
            sigmf.SAMPLE_RATE_KEY: rate,
            sigmf.VERSION_KEY: sigmf.__specification__,
            sigmf.RECORDER_KEY: "other-tool",
        },
    )
    meta.add_capture(0, metadata={sigmf.FREQUENCY_KEY: freq})
    meta.add_annotation(0, 100, metadata={sigmf.LABEL_KEY: "burst"})
    meta.tofile(base + ".sigmf-meta")
    return base


def test_write_validate_roundtrip(tmp_path):
    base = str(tmp_path / "r")
    meta_path = link_sigmf.write_meta(
        base, 2e6, CFG, center_freq=433.9e6, channel={"esn0_db": 7.0}, hw="test"
    )
    # the metadata alone (before the data exists) is valid SigMF
    with open(meta_path) as f:
        md = json.load(f)
    sigmf.validate.validate(md)
    x = (np.exp(2j * np.pi * np.arange(1000) / 37) * 0.5).astype(np.complex64)
    x.tofile(base + ".sigmf-data")
    link_sigmf.finalize_meta(base)
    link_sigmf.validate(base)
    md = json.load(open(meta_path))
    assert len(md["global"]["core:sha512"]) == 128
    assert md["global"]["core:version"] == sigmf.__specification__
    for p in (base, base + ".sigmf-meta", base + ".sigmf-data"):
        m = link_sigmf.read_meta(p)
        assert m["config"] == CFG and m["sample_rate"] == 2e6 and m["center_freq"] == 433.9e6
        assert m["channel"] == {"esn0_db": 7.0} and m["data_path"] == base + ".sigmf-data"
        assert m["datatype"] == "cf32_le" and m["num_samples"] == 1000
    np.testing.assert_array_equal(link_sigmf.read_samples(base), x)
    # a changed data file no longer matches its SHA-512
    y = x.copy()
    y[10] = 0
    y.tofile(base + ".sigmf-data")
    with pytest.raises(ValueError, match="r.sigmf-meta"):
        link_sigmf.validate(base)


def test_invalid_recordings_raise(tmp_path):
    base = str(tmp_path / "bad")
    np.zeros(8, np.complex64).tofile(base + ".sigmf-data")
    link_sigmf.write_meta(base, 1e6, CFG)
    md = json.load(open(base + ".sigmf-meta"))
    md["global"]["core:datatype"] = "cf33_le"
    json.dump(md, open(base + ".sigmf-meta", "w"))
    with pytest.raises(ValueError, match="bad.sigmf-meta"):
        link_sigmf.read_meta(base)
    md["global"]["core:datatype"] = "rf32_le"  # valid SigMF, but real-valued
    json.dump(md, open(base + ".sigmf-meta", "w"))
    with pytest.raises(ValueError, match="real-valued"):
        link_sigmf.read_meta(base)
    os.remove(base + ".sigmf-data")
    with pytest.raises(ValueError, match="missing"):
        link_sigmf.read_meta(base)
    with pytest.raises(ValueError, match="no such"):
        link_sigmf.validate(str(tmp_path / "none"))


def run_file_source(meta):
    tb = gr.top_block()
    chain = flowgraph.sigmf_file_source(meta["data_path"], meta["format"], meta["header_bytes"])
    snk = blocks.vector_sink_c()
    for a, b in zip(chain, chain[1:]):
        tb.connect(a, b)
    tb.connect(chain[-1], snk)
    tb.run()
    return np.array(snk.data())


@pytest.mark.parametrize("datatype", ["ci16_le", "ci16_be", "cu8", "ci8", "cf32_be", "cf32_le"])
def test_other_tools_recordings(tmp_path, datatype):
    rng = np.random.default_rng(3)
    z = 0.3 * (rng.standard_normal(5000) + 1j * rng.standard_normal(5000))
    z = np.clip(z.real, -0.99, 0.99) + 1j * np.clip(z.imag, -0.99, 0.99)
    base = other_tool_recording(str(tmp_path / datatype), z, datatype)
    m = link_sigmf.read_meta(base)
    assert m["sample_rate"] == 2.048e6 and m["center_freq"] == 433.92e6
    assert m["config"] is None and m["num_samples"] == 5000 and m["datatype"] == datatype
    ref = link_sigmf.read_samples(base)  # the sigmf library's own reading and scaling
    step = m["format"]["scale"] if m["format"]["kind"] != "f" else 1e-7
    assert np.max(np.abs(ref - z)) <= step  # quantization: half a step per rail
    got = run_file_source(m)  # what the link's GNU Radio file source delivers
    assert len(got) == 5000
    np.testing.assert_allclose(got, ref, atol=1e-6)


def test_unsupported_datatype_in_file_source(tmp_path):
    base = other_tool_recording(str(tmp_path / "u16"), np.zeros(10, complex), "cu16_le")
    m = link_sigmf.read_meta(base)
    with pytest.raises(ValueError, match="cu16_le"):
        flowgraph.sigmf_file_source(m["data_path"], m["format"])


def test_app_replays_a_cu8_recording(tmp_path):
    """TX output recorded by the app (validated), converted to an rtl_sdr-style cu8 SigMF
    recording by the sigmf library (no gr-diffusion section: the link parameters are the
    app's defaults), replayed through the whole receiver."""
    rec = str(tmp_path / "tx")
    r = subprocess.run(
        [
            sys.executable,
            APP,
            "--source",
            "none",
            "--sink",
            "file",
            "-o",
            rec,
            "--frames",
            "12",
            "--samp-rate",
            "2.048e6",
            "--freq",
            "433.92e6",
            "--json",
            str(tmp_path / "tx.json"),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    tx = json.load(open(tmp_path / "tx.json"))
    assert tx["recording"]["sigmf_validated"]
    link_sigmf.validate(rec)
    z = link_sigmf.read_samples(rec)
    z = z / np.max(np.abs(np.concatenate([z.real, z.imag]))) * 0.9  # into cu8's range
    rng = np.random.default_rng(4)
    z = z + 0.01 * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))
    cu8 = other_tool_recording(str(tmp_path / "rtl"), z, "cu8")
    r = subprocess.run(
        [
            sys.executable,
            APP,
            "--source",
            "file",
            "-i",
            cu8 + ".sigmf-meta",
            "--mode",
            "tweedie",
            "--json",
            str(tmp_path / "rx.json"),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=ENV,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    rx = json.load(open(tmp_path / "rx.json"))
    assert rx["input_datatype"] == "cu8" and rx["sample_rate"] == 2.048e6
    assert rx["frames"] >= 11 and rx["frames_identified"] >= 11, rx
    # 8-bit quantization of a 0.9-full-scale RRC signal: ~40 dB SNR, a clean link
    assert rx["equalized"]["ser"] < 1e-3 and rx["denoised"]["ser"] < 1e-3, rx
