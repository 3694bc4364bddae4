#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Amateur-satellite frames from a recording through the module's receive path (needs GNU
Radio and Debian's gr-satellites): ``gr-diffusion-link --rx psk --packets satellite`` is
argument parsing over :class:`SatelliteAppFlowgraph`.

Input: a WAV recording of real audio (16-bit PCM, any rate and channel count, the first
channel used), an FM receiver's audio with the satellite's BPSK on an audio subcarrier, as
gr-satellites' own recordings and decoder take it; with ``--iq`` a 2-channel WAV of IQ
samples (I left, Q right; gr-satellites' --iq convention), the signal at the centre
(``--subcarrier`` where it is not). The chain is
:class:`.satellite_receiver.SatelliteReceiver` (subcarrier mixer, low-pass, RMS AGC,
psk_receiver BPSK with coherent decisions, then the transmitter's own gr-satellites
deframer), with the window prior given by ``--model`` (e.g. bpsk_pn_w32; psk_receiver's mode
'tweedie') or without a prior (``--mode none`` or no ``--model``: the prior is opt-in here,
bench/results_satellite_recordings.md has both). Frames are the deframer's PDUs, each one
passing its framing's check (AX.25 CRC-16, CCSDS Reed-Solomon, ...), counted by
:func:`.satellite_receiver.run_frames` (the audio followed by weak noise until every queued
PDU is out).

Options (an ``argparse.Namespace``; :func:`add_satellite_arguments`): satellite,
transmitter, satellite_options, subcarrier, frames_out, and the link's / third-party
receiver's input, model, mode, rolloff, carrier, modulation, front_end, json, quiet.
"""

import os
import sys
import wave

from .gr_satellites_decode import read_wav
from .link_flowgraph import LinkError
from .satellite_receiver import SatelliteFlowgraph, run_frames

#: suffix of a --frames-out file written as KISS (gr-satellites' --kiss_out format)
KISS_SUFFIX = ".kiss"


def add_satellite_arguments(ap):
    """The satellite options of ``--rx psk --packets satellite``."""
    g = ap.add_argument_group("amateur satellites (--rx psk --packets satellite; docs/app.md)")
    g.add_argument(
        "--satellite",
        default="",
        help="a satellite gr-satellites knows (e.g. PicSat, BY70-1) or a satyaml file (.yml)",
    )
    g.add_argument(
        "--transmitter",
        default="",
        help="its BPSK transmitter's satyaml name (e.g. '9k6 BPSK downlink'; needed where it "
        "has several)",
    )
    g.add_argument(
        "--satellite-options",
        default="",
        help="gr-satellites' own options, one string after '=' "
        "(--satellite-options='--costas_bw 150')",
    )
    g.add_argument(
        "--iq",
        action="store_true",
        help="the WAV holds IQ samples (2 channels: I, Q), as gr-satellites' --iq",
    )
    g.add_argument(
        "--subcarrier",
        type=float,
        default=None,
        help="audio subcarrier (Hz; default gr-satellites': 1500 up to 2400 baud, else 12000; "
        "with --iq 0)",
    )
    g.add_argument(
        "--frames-out",
        default="",
        help=f"write the frames: KISS (as gr-satellites' --kiss_out) where the name ends in "
        f"{KISS_SUFFIX}, else one hex line per frame",
    )
    return ap


def check_arguments(args):
    """LinkError for options the satellite path does not take (before reading anything)."""
    if not args.satellite:
        raise LinkError("--packets satellite needs --satellite NAME (or a satyaml file)")
    if args.source != "file" or not args.input:
        raise LinkError("--packets satellite reads a recording: --source file -i REC.wav")
    modulation = getattr(args, "modulation", "") or "bpsk"
    if modulation != "bpsk":
        raise LinkError(
            f"--packets satellite: gr-satellites' deframers take BPSK soft symbols "
            f"(--modulation bpsk), not {modulation}"
        )
    if getattr(args, "front_end", "acquisition") != "acquisition":
        raise LinkError("--packets satellite uses the acquisition front end (--front-end)")


def read_audio(path, iq=False):
    """(samples, sample rate) of a WAV recording of real audio (complex samples of a
    2-channel IQ WAV with ``iq``); LinkError naming the file where it is absent or not
    16-bit PCM WAV (with ``iq``: of 2 channels)."""
    if not os.path.isfile(path):
        raise LinkError(f"{path}: no such file (a WAV recording of the receiver's audio)")
    try:
        x, rate = read_wav(path, iq)
    except (EOFError, ValueError, wave.Error) as e:
        raise LinkError(f"{path}: not a 16-bit PCM WAV recording ({e})") from e
    if x.size == 0:
        raise LinkError(f"{path}: no samples")
    return x, rate


class SatelliteAppFlowgraph(SatelliteFlowgraph):
    """:class:`.satellite_receiver.SatelliteFlowgraph` ('module', or 'module+prior' with a
    model) over the recording ``args.input`` (module doc); run with :meth:`run_frames`."""

    def __init__(self, args):
        check_arguments(args)
        model = ""
        if args.model and args.mode != "none":
            from ..core.model_info import ModelFileError, resolve

            try:
                model = resolve(args.model)  # a path or a shipped name (bpsk_pn_w32)
            except ModelFileError as e:
                raise LinkError(str(e)) from e
        audio, rate = read_audio(args.input, getattr(args, "iq", False))
        self.args = args
        self.recording_s = audio.size / rate
        super().__init__(
            args.satellite,
            audio,
            rate,
            "module+prior" if model else "module",
            model_path=model,
            options=args.satellite_options,
            transmitter=args.transmitter or None,
            f_sub=args.subcarrier,
            rolloff=args.rolloff,
            carrier=args.carrier,
        )
        self.model = model
        self.frames = []

    def run_frames(self):
        """Runs the flowgraph until every frame is out (satellite_receiver.run_frames);
        returns the frames (list of bytes, in arrival order)."""
        self.frames = run_frames(self)
        return self.frames

    def results(self):
        distinct = list(dict.fromkeys(self.frames))
        return {
            "receiver": "satellite",
            "satellite": self.args.satellite,
            "transmitter": self.transmitter,
            "baudrate": self.receiver.baudrate,
            "iq": bool(getattr(self.args, "iq", False)),
            "model": self.model,
            "carrier": self.args.carrier,
            "latency_symbols": self.rx.latency,
            "recording_s": self.recording_s,
            "frames": len(self.frames),
            "frames_distinct": len(distinct),
            "packets": [f.hex() for f in distinct],
        }

    def write_frames(self, path):
        """Writes the frames (arrival order): KISS where ``path`` ends in
        :data:`KISS_SUFFIX` (gr-satellites' framing: FEND, control byte 0, the escaped
        frame, FEND), else one hex line per frame."""
        if path.endswith(KISS_SUFFIX):
            from satellites.kiss import FEND, kiss_escape

            with open(path, "wb") as f:
                for fr in self.frames:
                    f.write(bytes([FEND, 0]) + bytes(kiss_escape(fr)) + bytes([FEND]))
        else:
            with open(path, "w") as f:
                f.writelines(fr.hex() + "\n" for fr in self.frames)


def report(res, stream=None):
    w = (stream or sys.stdout).write
    model = os.path.basename(res["model"]) if res["model"] else "no prior"
    w(
        f"gr-diffusion-link --rx psk --packets satellite: {res['satellite']}, "
        f"{res['transmitter']} ({res['baudrate']:g} baud), {model}, carrier {res['carrier']}, "
        f"{res['recording_s']:.1f} s of {'IQ' if res['iq'] else 'audio'}\n"
    )
    w(f"frames with valid checks: {res['frames']} ({res['frames_distinct']} distinct)\n")
    for p in res["packets"]:
        w(f"  {p}\n")
