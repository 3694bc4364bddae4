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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REC = os.path.join(
    os.environ.get("GR_DIFFUSION_SHARED") or os.path.join(ROOT, "..", "shared"),
    "recordings",
    "satellites",
)

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
    assert len(sr.audio_to_baseband(48000, 9600, 12000, 5)) == 2  # xlating filter, AGC
    assert len(sr.audio_to_baseband(48000, 1200, 1500, 4)) == 3  # + resampler
    assert sr.subcarrier_hz(9600) == 12000 and sr.subcarrier_hz(1200) == 1500


def test_bad_arguments(sr):
    with pytest.raises(ValueError):
        sr.SatelliteFlowgraph("PicSat", [0.0, float("nan")], 48000, "module", baudrate=9600)
    with pytest.raises(ValueError):
        sr.SatelliteFlowgraph("PicSat", [0.1] * 100, 48000, "module+prior", baudrate=9600)
    with pytest.raises(ValueError):
        sr.SatelliteFlowgraph("PicSat", [0.1] * 100, 48000, "nonsense", baudrate=9600)
