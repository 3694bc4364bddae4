#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Amateur-satellite recordings (../shared/recordings/satellites, README there: 48 kHz WAV,
BPSK on an audio subcarrier) through gr-satellites' own complete decoders, in GNU Radio
flowgraphs, via flowgraphs.gr_satellites_decode and its compatibility layer for Debian's
gr-satellites 4.4.0 (built for GNU Radio 3.9) on GNU Radio 3.10. Frames are the decoder's
output PDUs, each valid by its framing's check (AX.25 CRC-16, CCSDS Reed-Solomon)."""

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

# (gr-satellites name, file, its options, the least frames: the README's lowest count of
# 4.4.0, except where runs here read fewer: BY70-1 10-20 (README: 13-20); PicSat read 19-54
# with a plain tb.run() (PDUs dropped at the end, more under load), 57 in every run since
# decode_audio runs through satellite_receiver.run_frames; BY70-1 still varies, 14-21
# (bench/results_satellite_recordings.md); the bounds catch a decoder that stops, not its
# variation)
RECORDINGS = [
    ("PicSat", "picsat_9k6.wav", "", 10),
    ("PW-Sat2", "pwsat2.wav", "", 4),
    ("BY70-1", "by701.wav", "", 8),
    ("Shaonian Xing", "shaonian_xing.wav", "--costas_bw 150", 4),
]


@pytest.fixture(scope="module")
def decode():
    pytest.importorskip("satellites", reason="gr-satellites absent (scripts/install.sh)")
    from gnuradio.diffusion.flowgraphs import gr_satellites_decode

    return gr_satellites_decode


def test_compat_layer_puts_back_the_moved_names(decode):
    from gnuradio import blocks, gr

    decode.install_compat()
    for name in decode.PDU_TYPES:
        assert getattr(blocks, name) == getattr(gr.types, name)
    assert callable(blocks.udp_sink)
    assert decode.install_compat() == []  # idempotent: nothing left to add


@pytest.mark.parametrize("name,path,options,least", RECORDINGS)
def test_gr_satellites_decodes_the_recording(decode, name, path, options, least):
    """Every recording decodes, BY70-1's CCSDS concatenated deframer included (it stops on
    blocks.byte_t without the compatibility layer); counts vary between runs (README):
    at least the bound of RECORDINGS."""
    frames = decode.decode_wav(name, os.path.join(REC, path), options)
    assert len(frames) >= least, (name, len(frames))
    assert all(len(f) > 0 for f in frames)


def test_added_noise_costs_frames(decode):
    """The noise model of the comparisons (real white noise at L dB per audio sample):
    measured PicSat 52 frames clean, 47 at 10 dB, 6 at 5 dB, 0 at 0 dB (seed 1); under ctest
    51 / 47 / 26 and 54 / 57 / 22 (frames, duplicates included): gr-satellites' counts vary
    between runs (README), most at 5 dB where frames are at the edge, so distinct frames
    are counted and only 5 dB < 10 dB and clean, 10 dB > half of clean asserted."""
    path = os.path.join(REC, "picsat_9k6.wav")
    clean = len(set(decode.decode_wav("PicSat", path)))  # distinct frames
    at10 = len(set(decode.decode_wav("PicSat", path, level_db=10.0, seed=1)))
    at5 = len(set(decode.decode_wav("PicSat", path, level_db=5.0, seed=1)))
    assert at5 < min(clean, at10) and at10 > clean // 2, (clean, at10, at5)
