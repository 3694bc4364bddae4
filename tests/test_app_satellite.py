#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""``gr-diffusion-link --rx psk --packets satellite`` (issue 21, item 5: the app and a GRC
example use the new receive path) on a shipped amateur-satellite recording
(../shared/recordings/satellites, 48 kHz audio): the app runs flowgraphs.satellite_app's
flowgraph (satellite_receiver's chain with the window prior into gr-satellites' deframer)
and gets at least the frames gr-satellites' own decoder gets; configuration errors exit
with status 2 and a message naming the cause; examples/satellite_bpsk_rx.grc (the Satellite
BPSK Receiver block) runs and decodes the same recording."""

import glob
import json
import os
import subprocess
import sys

import pytest
from link_app import APP, run_app
from shared_recordings import recording_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REC = recording_dir("satellites")
PICSAT = os.path.join(REC, "picsat_9k6.wav")
SAT = ["--rx", "psk", "--source", "file", "--packets", "satellite", "-q"]
PICSAT_ARGS = SAT + ["-i", PICSAT, "--satellite", "PicSat"]
PICSAT_ARGS += ["--transmitter", "9k6 BPSK downlink"]

pytestmark = [
    pytest.mark.skipif(
        not os.path.isfile(PICSAT),
        reason="../shared/recordings/satellites is absent (a clone without shared/)",
    ),
]


@pytest.fixture(scope="module")
def app():
    """The app script as a module (its main(argv) returns the exit status): configuration
    errors are checked in this process, without starting an interpreter for each."""
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.SourceFileLoader("gr_diffusion_link_app", APP)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def kiss_frames(data):
    """Data frames of a KISS byte string (FEND-delimited; control byte 0, escapes undone;
    gr-satellites' KISS file sink also writes timestamp frames, control byte 9)."""
    out = []
    for chunk in data.split(b"\xc0"):
        if chunk and chunk[0] == 0:
            out.append(chunk[1:].replace(b"\xdb\xdc", b"\xc0").replace(b"\xdb\xdd", b"\xdb"))
    return out


def test_app_decodes_picsat_with_the_window_prior(tmp_path):
    """PicSat's 9k6 downlink, clean (5.5 s, 57 distinct frames by gr-satellites and by the
    module's path with or without bpsk_pn_w32, bench/results_satellite_recordings.md): the
    app with the prior decodes at least as many distinct CRC-valid frames as gr-satellites'
    complete decoder on the same file (issue 21's target; its count is taken in this run,
    not a constant), prints them and writes them as KISS and JSON."""
    pytest.importorskip("satellites", reason="gr-satellites absent (scripts/install.sh)")
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode as gsd

    js, kiss = str(tmp_path / "r.json"), str(tmp_path / "frames.kiss")
    rc, out, err = run_app(
        *[a for a in PICSAT_ARGS if a != "-q"],
        "--model",
        "bpsk_pn_w32",
        "--json",
        js,
        "--frames-out",
        kiss,
    )
    assert rc == 0, err
    res = json.load(open(js))
    assert res["model"].endswith("bpsk_pn_w32.onnx") and res["latency_symbols"] == 8
    assert (res["transmitter"], res["baudrate"]) == ("9k6 BPSK downlink", 9600)
    theirs = set(gsd.decode_wav("PicSat", PICSAT))
    assert res["frames_distinct"] >= len(theirs) >= 50, (res["frames_distinct"], len(theirs))
    # printed: the count line and one hex line per distinct frame
    assert f"{res['frames']} ({res['frames_distinct']} distinct)" in out
    assert all(p in out for p in res["packets"])
    # the KISS file holds every frame in arrival order, as gr-satellites' --kiss_out would
    frames = kiss_frames(open(kiss, "rb").read())
    assert len(frames) == res["frames"]
    assert sorted(set(f.hex() for f in frames)) == sorted(res["packets"])


def test_app_decodes_iq(app, capsys, tmp_path):
    """--iq: a 2-channel WAV of IQ samples (I left, Q right, gr-satellites' --iq convention),
    here PicSat's audio moved from its 12 kHz subcarrier to 0 Hz (exact at fs / 4: the
    samples are +-x or 0), decodes at least the frames gr-satellites' decoder gets from the
    same IQ samples (measured: 57 both, as from the audio)."""
    pytest.importorskip("satellites", reason="gr-satellites absent (scripts/install.sh)")
    import wave

    import numpy as np
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode as gsd
    from gnuradio.diffusion.flowgraphs import satellite_receiver as sr

    x, rate = gsd.read_wav(PICSAT)
    z = x * np.exp(-2j * np.pi * 12000.0 * np.arange(x.size) / rate)
    iq_wav = str(tmp_path / "picsat_iq.wav")
    with wave.open(iq_wav, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(int(rate))
        w.writeframes(
            np.round(np.stack([z.real, z.imag], 1) * 32768)
            .clip(-32768, 32767)
            .astype("<i2")
            .tobytes()
        )
    js = str(tmp_path / "r.json")
    argv = SAT + ["-i", iq_wav, "--iq", "--satellite", "PicSat", "--json", js]
    assert app.main(argv + ["--transmitter", "9k6 BPSK downlink"]) == 0
    res = json.load(open(js))
    assert res["iq"] is True
    zi, _ = gsd.read_wav(iq_wav, iq=True)
    theirs = sr.distinct_frames("PicSat", zi, rate, "gr-satellites")
    assert res["frames_distinct"] >= len(theirs) >= 50, (res["frames_distinct"], len(theirs))
    # a mono WAV is not IQ
    assert app.main(PICSAT_ARGS + ["--iq"]) == 2
    assert "IQ needs 2 channels" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv,msg",
    [
        (SAT + ["-i", PICSAT], "needs --satellite"),
        (SAT + ["-i", "/nonexistent/rec.wav", "--satellite", "PicSat"], "no such file"),
        (SAT + ["-i", PICSAT, "--satellite", "NoSuchSat-9"], "not a satellite gr-satellites"),
        (SAT + ["-i", PICSAT, "--satellite", "/nonexistent/sat.yml"], "no such satyaml"),
        # PicSat has a 1k2 and a 9k6 BPSK transmitter: which one must be said
        (SAT + ["-i", PICSAT, "--satellite", "PicSat"], "BPSK transmitter, found 2"),
        (PICSAT_ARGS[:-1] + ["no such transmitter"], "no BPSK transmitter"),
        (PICSAT_ARGS + ["--modulation", "qpsk"], "BPSK soft symbols"),
        (PICSAT_ARGS + ["--model", "no_such_model"], "no_such_model"),
        (PICSAT_ARGS + ["--front-end", "fll"], "acquisition front end"),
    ],
)
def test_configuration_errors(app, capsys, argv, msg):
    pytest.importorskip("satellites", reason="gr-satellites absent (scripts/install.sh)")
    assert app.main(argv) == 2
    err = capsys.readouterr().err
    assert msg in err, err


def test_bad_recording(app, capsys, tmp_path):
    bad = tmp_path / "noise.wav"
    bad.write_bytes(b"not a RIFF header, just bytes" * 10)
    assert app.main(SAT + ["-i", str(bad), "--satellite", "PicSat"]) == 2
    assert "not a 16-bit PCM WAV" in capsys.readouterr().err


def test_missing_gr_satellites_is_named(app, capsys, monkeypatch):
    """Without gr-satellites (its modules made unimportable here) the app says what to
    install, exit status 2."""
    pytest.importorskip("satellites.core", reason="gr-satellites absent: nothing to hide")

    for name in [m for m in sys.modules if m == "satellites" or m.startswith("satellites.")]:
        monkeypatch.setitem(sys.modules, name, None)
    assert app.main(PICSAT_ARGS) == 2
    assert "gr-satellites is not installed" in capsys.readouterr().err


def test_grc_example_decodes_picsat(tmp_path, grc_env):
    """examples/satellite_bpsk_rx.grc compiled with grcc (this checkout's block definitions)
    and run on PicSat: the Satellite BPSK Receiver block with bpsk_pn_w32 prints and writes
    (KISS) at least 50 of the 57 frames. Bound: a plain run of a finite flowgraph drops PDUs
    still queued when it ends (satellite_receiver's module doc: 19-54 of 57 without the
    silence after the audio); the example's 2 s of silence give 57 in the runs measured
    here; 50 leaves room for scheduling without admitting that loss."""
    pytest.importorskip("satellites", reason="gr-satellites absent (scripts/install.sh)")
    r = subprocess.run(
        [sys.executable, "/usr/bin/grcc", "-o", str(tmp_path), "examples/satellite_bpsk_rx.grc"],
        capture_output=True,
        text=True,
        timeout=120,
        env=grc_env,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    (script,) = glob.glob(str(tmp_path / "satellite_bpsk_rx.py"))
    r = subprocess.run(
        [sys.executable, script, "--recording", PICSAT, "--frames-out", "f.kiss"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=str(tmp_path),
    )
    assert r.returncode == 0, r.stderr[-2000:]
    printed = r.stdout.count("PDU DEBUG PRINT")
    frames = kiss_frames(open(tmp_path / "f.kiss", "rb").read())
    assert printed == len(frames) >= 50, (printed, len(frames))
