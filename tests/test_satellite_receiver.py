#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The module's receive path feeding gr-satellites' own deframers (flowgraphs.
satellite_receiver), as a real GNU Radio flowgraph over a satellite recording
(../shared/recordings/satellites, 48 kHz audio, BPSK on an audio subcarrier). Frames are
the deframer's PDUs, valid by their AX.25 CRC-16."""

import os

import pytest
from shared_recordings import recording_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REC = recording_dir("satellites")

pytestmark = [
    pytest.mark.skipif(
        not os.path.isdir(REC),
        reason="../shared/recordings/satellites is absent (a clone without shared/)",
    ),
]


@pytest.fixture(scope="module")
def sr():
    pytest.importorskip("satellites", reason="gr-satellites absent (scripts/install.sh)")
    from gnuradio.diffusion.flowgraphs import satellite_receiver

    return satellite_receiver


def test_deframer_is_gr_satellites_own(sr):
    """The deframer is the class and options gr_satellites_flowgraph builds from the satyaml:
    BY70-1's CCSDS concatenated with differential precoding and frame size 114."""
    from satellites.components.deframers import ccsds_concatenated_deframer

    key, tx = sr.bpsk_transmitter("BY70-1")
    assert (key, tx["framing"], tx["frame size"]) == (
        "9k6 BPSK downlink",
        "CCSDS Concatenated",
        114,
    )
    d = sr.make_deframer("BY70-1", tx)
    assert isinstance(d, ccsds_concatenated_deframer)
    with pytest.raises(ValueError):
        sr.bpsk_transmitter("PicSat")  # two BPSK transmitters (1k2, 9k6): baud rate needed
    assert sr.bpsk_transmitter("PicSat", 9600)[0] == "9k6 BPSK downlink"


def test_baseband_rates(sr):
    assert sr.baseband_sps(48000, 9600) == 5  # 48 kHz / 9600 baud: integer, no resampler
    assert sr.baseband_sps(48000, 1200) == 4  # 40 samples/symbol: resampled to 4
    assert len(sr.audio_to_baseband(48000, 9600, 12000, 5)) == 3  # mixer, low-pass, AGC
    assert len(sr.audio_to_baseband(48000, 1200, 1500, 4)) == 4  # + resampler
    assert isinstance(sr.audio_to_baseband(48000, 9600, 12000, 5)[-1], sr.rms_agc)
    with pytest.raises(ValueError):
        sr.audio_to_baseband(48000, 9600, 12000, 5, agc="nonsense")
    assert sr.subcarrier_hz(9600) == 12000 and sr.subcarrier_hz(1200) == 1500


def test_bad_arguments(sr):
    with pytest.raises(ValueError):
        sr.SatelliteFlowgraph("PicSat", [0.0, float("nan")], 48000, "module", baudrate=9600)
    with pytest.raises(ValueError):
        sr.SatelliteFlowgraph("PicSat", [0.1] * 100, 48000, "module+prior", baudrate=9600)
    with pytest.raises(ValueError):
        sr.SatelliteFlowgraph("PicSat", [0.1] * 100, 48000, "nonsense", baudrate=9600)


def _model(name):
    path = os.path.join(
        os.environ.get("GR_DIFFUSION_MODEL_DIR") or os.path.join(ROOT, "models"), name + ".onnx"
    )
    return path if os.path.isfile(path) else ""


def test_module_path_decodes_picsat_in_noise(sr):
    """PicSat 9k6 with real white noise at L = 5 dB (seed 1), where gr-satellites' own
    decoder gets about half the frames: the module's path into gr-satellites' AX.25 deframer
    decodes at least as many distinct CRC-valid frames as gr-satellites' complete decoder on
    the same array (issue 21's target), and the run is repeatable (bit-identical symbols:
    run_frames and the module's deterministic path). Measured
    (bench/results_satellite_recordings.md): gr-satellites 26 (seeds 2, 3: 39, 27), module 32
    (40, 33), module + bpsk_pn_w32 34 (35, 29); gr-satellites' count on this point was the
    same in every run; the bound is gr-satellites' count, the issue's target, not the
    measured 32."""
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode as gsd

    x, rate = gsd.read_wav(os.path.join(REC, "picsat_9k6.wav"))
    y = gsd.add_real_noise(x, 5.0, 1)
    theirs = sr.distinct_frames("PicSat", y, rate, "gr-satellites")
    ours = sr.distinct_frames("PicSat", y, rate, "module", baudrate=9600)
    assert len(ours) >= len(theirs) >= 10, (len(ours), len(theirs))
    assert sr.distinct_frames("PicSat", y, rate, "module", baudrate=9600) == ours
    prior = _model("bpsk_pn_w32")
    if prior:
        with_prior = sr.distinct_frames(
            "PicSat", y, rate, "module+prior", baudrate=9600, model_path=prior
        )
        assert len(with_prior) >= len(theirs), (len(with_prior), len(theirs))


def test_module_path_feeds_the_ccsds_concatenated_deframer(sr):
    """BY70-1 (CCSDS concatenated: Viterbi + Reed-Solomon, differential precoding) through
    the module's path and gr-satellites' own deframer (which needs the compatibility layer
    on GNU Radio 3.10): measured 27 distinct RS-valid frames clean, in every run; gr-satellites'
    complete decoder 14-21 (varies between runs, README 13-20). Bound: 20, the README's
    highest count of gr-satellites (a path that decodes fewer than gr-satellites at its best
    is broken)."""
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode as gsd

    x, rate = gsd.read_wav(os.path.join(REC, "by701.wav"))
    frames = sr.distinct_frames("BY70-1", x, rate, "module")
    assert len(frames) >= 20, len(frames)
    assert all(len(f) == 114 for f in frames)  # the satyaml's frame size, RS parity removed


def test_clock_bound_keeps_by70_1_at_1_db(sr):
    """BY70-1 at L = 1 dB, seed 2 (bench/results_satellite_recordings.md, "The clock
    bound"): with psk_receiver's Gardner loop free to move its average period by 1.5 samples
    (30 % at 5 samples/symbol) it ran 0.6 % off the symbol period and slipped a symbol every
    ~150 symbols: 0 frames, every Reed-Solomon decode failed (seed 1: 19). With the period
    held within SYMBOL_RATE_TOLERANCE (gr-satellites' 0.4 %) of the nominal one: 14 frames,
    deterministically. Bound: 2, gr-satellites' own decoder's best run at this point (1 and
    2 frames over its runs; issue 21's target is at least as many)."""
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode as gsd

    x, rate = gsd.read_wav(os.path.join(REC, "by701.wav"))
    y = gsd.add_real_noise(x, 1.0, 2)
    ours = sr.distinct_frames("BY70-1", y, rate, "module")
    assert len(ours) >= 2, len(ours)


def test_module_path_decodes_every_burst_of_pw_sat2(sr):
    """PW-Sat2's 1k2 downlink (pwsat2.wav: three bursts, 1.5-3 s each, with 1-4 s silent gaps
    30 dB below them) at L = 5 dB (seed 1): the module's path decodes a frame in every burst,
    as many as gr-satellites' complete decoder (3 at every point measured: clean, 10 and 5
    dB, seeds 1-2, bench/results_satellite_recordings.md; the module 3 at all of them, its
    path repeating bit-identically, so the bound is gr-satellites' count). Before the
    burst-mode fixes it decoded 1 (agc2_cc's gain still ramping up: bursts at 0.35-0.5 of
    unit amplitude, the Gardner loop too slow to follow the 0.3 % symbol-rate offset, symbol
    slips; and the first window's noise setting the carrier offset to +582 Hz)."""
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode as gsd

    x, rate = gsd.read_wav(os.path.join(REC, "pwsat2.wav"))
    y = gsd.add_real_noise(x, 5.0, 1)
    ours = sr.distinct_frames("PW-Sat2", y, rate, "module", baudrate=1200)
    assert len(ours) >= 3, len(ours)


def test_window_prior_decodes_every_burst_of_pw_sat2(sr):
    """PW-Sat2 (three bursts with silent gaps) at L = 10 dB seed 2 through the module's path
    with the window prior bpsk_pn_w32: every burst's frame, as without the prior and as
    gr-satellites (3 at every point measured). Before the normaliser's fix the prior got 1
    of 3 at every point: M2M4's S collapsed to its 1e-12 M2 floor for 1000-2000 symbols into
    each burst (the AGC's start-up transient and the burst's envelope in its fourth moment),
    so the denoiser got symbols scaled by ~1e6 at sigma2 1e12, and its windows straddling
    those and the correctly scaled ones came out garbled (sign flips in runs of 20-30
    symbols); with sigma2 from the quadrature rail (envelope-free) 2 of 3 at this point (the
    Costas loop not yet locked at burst 3's start: S = 0 there too), with the cap
    SIGMA2_CAP as well 3 (bench/results_satellite_recordings.md, "The normaliser on
    bursts")."""
    prior = _model("bpsk_pn_w32")
    if not prior:
        pytest.skip("models/bpsk_pn_w32.onnx absent")
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode as gsd

    x, rate = gsd.read_wav(os.path.join(REC, "pwsat2.wav"))
    y = gsd.add_real_noise(x, 10.0, 2)
    ours = sr.distinct_frames("PW-Sat2", y, rate, "module+prior", baudrate=1200, model_path=prior)
    assert len(ours) >= 3, len(ours)
    assert ours == sr.distinct_frames("PW-Sat2", y, rate, "module", baudrate=1200)


def test_module_path_decodes_both_frames_of_shaonian_xing(sr):
    """Shaonian Xing (shaonian_xing.wav: one 0.4 s burst of two frames in 2.1 s of noise,
    gr-satellites with --costas_bw 150, the module with the same Costas bandwidth), clean:
    both frames, as gr-satellites (2 in every run). Measured with the module: 2 clean, 2 / 2
    at L = 10 dB and 5 dB (seeds 1, 2; bench/results_satellite_recordings.md); before the
    burst-mode fixes 1 clean (the first frame lost at the burst's start)."""
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode as gsd

    x, rate = gsd.read_wav(os.path.join(REC, "shaonian_xing.wav"))
    ours = sr.distinct_frames("Shaonian Xing", x, rate, "module", options="--costas_bw 150")
    assert len(ours) >= 2, len(ours)
