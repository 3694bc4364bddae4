#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The module's BPSK receive path feeding gr-satellites' own deframers (needs GNU Radio and
Debian's gr-satellites), beside gr-satellites' own complete decoder, over real audio.

Receivers (names used in tables, bench/satellite_recordings.py):
  gr-satellites   gr_satellites_flowgraph (grc_block=True): gr-satellites' complete decoder,
                  all the satellite's transmitters, its bpsk_demodulator (xlating filter,
                  RMS AGC, band-edge FLL, symbol_sync ML TED + PFB MF, Costas order 2) and
                  deframers, with its own ``options`` (e.g. '--costas_bw 150')
  module          real audio -> :func:`audio_to_baseband` (the subcarrier to 0 Hz, low-pass,
                  ``sps`` integer samples/symbol, RMS AGC) -> :class:`diffusion.psk_receiver`
                  (carrier acquisition M = 2, RRC, symbol_sync Gardner, Costas order 2,
                  symbol_normalizer with sigma2 from the quadrature rail; mode 'none') ->
                  real part -> the transmitter's gr-satellites deframer
                  (:func:`make_deframer`: the class and options that
                  gr_satellites_flowgraph builds from the satyaml)
  module+prior    the same with psk_receiver mode 'tweedie' and a window prior
                  (``model_path``, e.g. bpsk_pn_w32): the C++ ddpm_denoiser on the symbols

Frames: the deframer's output PDUs; gr-satellites emits only frames passing the framing's
check (AX.25 CRC-16, CCSDS Reed-Solomon), counted as distinct byte strings.

Counting (:func:`run_frames`): GNU Radio drops PDUs still queued between message blocks
when a finite stream ends (the counts of a plain ``tb.run()`` vary with the load: PicSat
19-54 frames clean). Here the audio is followed by weak noise (:data:`TAIL_LEVEL_DB` below
the audio) that never ends; the flowgraph is stopped only once the input has gone a tail
past the audio (:data:`TAIL_S` seconds or :data:`TAIL_SYMBOLS` symbols, the longer) and no
PDU has arrived over a further tail of input.

Repeatability: the module's path gives bit-identical symbols in every run (its mixer is
sig_source_c's fixed-point phase, and carrier_acquisition does not depend on the
scheduler's chunking), so its counts repeat. gr-satellites' decoder does not: its
freq_xlating_fir_filter's rotator differs between runs at the 1e-7 level (measured on the
same block here) and its loops amplify that near threshold (BY70-1 clean: 14-19 frames over
runs of the same array), so its points are run several times (bench --runs).
"""

import argparse
import gc
import os
import shlex
import time
from fractions import Fraction
from math import pi

import numpy as np
from gnuradio import analog, blocks, filter, gr

from ..psk_receiver import psk_receiver
from ..rms_agc import rms_agc
from .gr_satellites_decode import install_compat

RECEIVERS = ("gr-satellites", "module", "module+prior")
#: the tail after the audio (s of input) before the PDU count may be final, and the quiet
#: span (s of input without a new PDU) after which it is
TAIL_S = 1.0
#: the same in symbols of the slowest transmitter, where that is longer: the deframers' bit
#: streams lag the input by up to a few of their buffers (8192 items and more), 0.85 s at
#: 9600 baud but 6.8 s at 1200 baud (a 1 s tail lost PW-Sat2's 1k2 frames in some runs)
TAIL_SYMBOLS = 8192
#: level of the tail's noise below the audio's mean power (dB)
TAIL_LEVEL_DB = 20.0
#: deframer options gr_satellites_flowgraph takes from a satyaml transmitter (its names)
DEFRAME_OPTIONS = {
    "frame size": "frame_size",
    "precoding": "precoding",
    "RS basis": "rs_basis",
    "RS interleaving": "rs_interleaving",
    "convolutional": "convolutional",
    "scrambler": "scrambler",
}
#: AGC rate per baseband sample (time constant 1000 samples, 200 symbols at 5 samples/symbol)
AGC_RATE = 1e-3
#: AGC kinds of :func:`audio_to_baseband`
AGCS = ("agc2", "rms")
#: time constant of the 'rms' AGC's power average (symbols): 1000 samples at 5
#: samples/symbol, agc2_cc's time constant at unit level (1 / AGC_RATE), the one the loops
#: were set up with (gr-satellites' 50 symbols: BY70-1 at 3 dB seed 2 9 frames, not 23)
RMS_AGC_SYMBOLS = 200.0
#: psk_receiver's noise estimator here: BPSK behind the Costas loop, sigma2 from the
#: quadrature rail; M2M4 (the default elsewhere) collapsed to S = 0 for 1000-2000 symbols
#: into each of PW-Sat2's bursts (the AGC's start-up transient and the recording's envelope
#: in its fourth moment): the prior's input scaled by up to 1e6 (bench/
#: results_satellite_recordings.md, section "The normaliser on bursts")
NOISE_ESTIMATOR = "quadrature"
#: gr-satellites' Costas bandwidth default (Hz, bpsk_demodulator's --costas_bw)
GR_SATELLITES_COSTAS_HZ = 50.0
#: the symbol-rate tolerance of a downlink (fraction of the nominal symbol period): the
#: Gardner loop's average period is held within SYMBOL_RATE_TOLERANCE * sps samples of
#: sps (psk_receiver's timing_max_dev; its default, 1.5 samples, is 30 % at 5
#: samples/symbol, and in noise the loop wandered 0.6-1 % off and slipped symbols). The
#: baseband's sps is exact (the resampler's ratio is rational), so the period moves only by
#: Doppler (LEO |v/c| <= 2.5e-5), the transmitter's baud clock (a crystal: 1e-4; baud rates
#: divided down from a CPU clock: up to a few 1e-3) and the recording's sample clock (a
#: sound card or an SDR's resampling: up to a few 1e-3; measured, bench/
#: results_satellite_recordings.md "The clock bound": PicSat and PW-Sat2 +0.31 %, BY70-1
#: -0.005 %). The value is gr-satellites' bpsk_demodulator's clock limit (its --clk_limit
#: default): the reference decoder's bound for the same downlinks, not set on these
#: recordings.
SYMBOL_RATE_TOLERANCE = 0.004


def subcarrier_hz(baudrate):
    """Audio subcarrier (Hz) of a BPSK downlink in real audio: gr-satellites'
    bpsk_demodulator's default f_offset (1500 Hz up to 2400 baud, else 12000 Hz)."""
    return 1500.0 if float(baudrate) <= 2400 else 12000.0


def gr_satellites_flowgraph_class():
    """gr-satellites' ``gr_satellites_flowgraph`` class (its satyaml loader and complete
    decoder); ImportError saying how to install gr-satellites where it is absent."""
    install_compat()  # before gr-satellites' modules import the names it adds
    try:
        from satellites.core import gr_satellites_flowgraph
    except ImportError as e:
        raise ImportError(
            f"gr-satellites is not installed ({e}): Debian's gr-satellites package "
            "(apt-get install gr-satellites; scripts/install.sh installs it)"
        ) from e
    return gr_satellites_flowgraph


def satyaml_source(satellite):
    """(name, file) as gr-satellites' open_satyaml takes them: a path ending in .yml is a
    satyaml file (FileNotFoundError where it is absent), anything else a satellite name."""
    s = os.fspath(satellite)
    if s.endswith((".yml", ".yaml")):
        if not os.path.isfile(s):
            raise FileNotFoundError(f"{s}: no such satyaml file")
        return None, s
    return s, None


def open_satellite(satellite):
    """gr-satellites' satyaml data (a dict) of ``satellite``, a name gr-satellites knows
    (e.g. 'PicSat', 'BY70-1') or a satyaml file; ValueError naming it where gr-satellites
    has no such satellite."""
    name, path = satyaml_source(satellite)
    try:
        return gr_satellites_flowgraph_class().open_satyaml(path, name, None)
    except ValueError as e:
        raise ValueError(f"{satellite}: not a satellite gr-satellites knows ({e})") from e


def satellite_options(satellite, options=""):
    """gr-satellites' argparse options for ``satellite`` from an option string (as
    gr_satellites_flowgraph parses it)."""
    name, path = satyaml_source(satellite)
    p = argparse.ArgumentParser(prog="gr_satellites_flowgraph", conflict_handler="resolve")
    gr_satellites_flowgraph_class().add_options(p, path, name, None)
    return p.parse_args(shlex.split(options))


def bpsk_transmitter(satellite, baudrate=None, transmitter=None):
    """(key, satyaml entry) of the satellite's BPSK transmitter: the one named
    ``transmitter`` (its satyaml key, e.g. '9k6 BPSK downlink'), else the one at
    ``baudrate`` where it has several; ValueError if there is none or the choice is
    ambiguous."""
    sat = open_satellite(satellite)
    have = {k: (t["modulation"], t["baudrate"]) for k, t in sat["transmitters"].items()}
    if transmitter:
        tx = sat["transmitters"].get(transmitter)
        if tx is None or tx["modulation"] != "BPSK":
            raise ValueError(f"{satellite}: no BPSK transmitter {transmitter!r}: {have}")
        return transmitter, tx
    txs = [
        (k, t)
        for k, t in sat["transmitters"].items()
        if t["modulation"] == "BPSK" and (baudrate is None or t["baudrate"] == baudrate)
    ]
    if len(txs) != 1:
        at = f" at {baudrate:g} baud" if baudrate else ""
        raise ValueError(
            f"{satellite}: need exactly one BPSK transmitter{at}, found {len(txs)}; name it "
            f"(its satyaml key): {have}"
        )
    return txs[0]


def make_deframer(satellite, transmitter, options=""):
    """gr-satellites' deframer for a satyaml transmitter entry: the class of its framing and
    the options gr_satellites_flowgraph passes (float soft symbols in, PDUs on 'out')."""
    install_compat()
    hook = gr_satellites_flowgraph_class()._deframer_hooks[transmitter["framing"]]
    extra = {DEFRAME_OPTIONS[k]: v for k, v in transmitter.items() if k in DEFRAME_OPTIONS}
    return hook(options=satellite_options(satellite, options), **extra)


def baseband_sps(samp_rate, baudrate, max_sps=8):
    """Integer samples/symbol of the baseband: samp_rate/baudrate where that is an integer
    <= max_sps, else 4."""
    r = Fraction(samp_rate).limit_denominator(1000) / Fraction(baudrate).limit_denominator(1000)
    return int(r) if r.denominator == 1 and 2 <= r <= max_sps else 4


class SubcarrierMixer(gr.hier_block2):
    """Real audio (or complex IQ samples, ``iq``) -> complex, the audio subcarrier ``f_sub``
    (Hz) moved to 0 Hz: the input times exp(-j 2 pi f_sub n / samp_rate) from
    analog.sig_source_c, whose phase is a fixed-point accumulator: the same samples however
    the scheduler splits the stream (freq_xlating_fir_filter's rotator is not: its output
    differs between runs at 1e-7, which the loops turn into different frame counts near
    threshold, measured on BY70-1)."""

    def __init__(self, samp_rate, f_sub, iq=False):
        gr.hier_block2.__init__(
            self,
            "subcarrier_mixer",
            gr.io_signature(1, 1, gr.sizeof_gr_complex if iq else gr.sizeof_float),
            gr.io_signature(1, 1, gr.sizeof_gr_complex),
        )
        self.lo = analog.sig_source_c(float(samp_rate), analog.GR_COS_WAVE, -float(f_sub), 1.0)
        self.mix = blocks.multiply_cc(1)
        if iq:
            self.connect(self, (self.mix, 0))
        else:
            self.to_complex = blocks.float_to_complex(1)
            self.connect(self, self.to_complex, (self.mix, 0))
        self.connect(self.lo, (self.mix, 1))
        self.connect(self.mix, self)


def audio_to_baseband(
    samp_rate, baudrate, f_sub, sps, rolloff=0.35, agc_rate=AGC_RATE, agc="rms", iq=False
):
    """Blocks (a list to connect in order) from real audio at ``samp_rate`` to complex
    baseband at ``sps`` samples/symbol and unit amplitude: :class:`SubcarrierMixer` moves
    ``f_sub`` (Hz) to 0 Hz; fir_filter_ccf, a low-pass of cutoff (1 + rolloff) baudrate / 2 +
    baudrate / 2 (room for a residual offset of half the baud rate), transition
    baudrate / 5; a rational_resampler_ccc where samp_rate / baudrate is not ``sps``; then
    the AGC, ``agc`` 'rms' (default): :class:`diffusion.rms_agc`, unit mean power, time
    constant :data:`RMS_AGC_SYMBOLS` symbols; 'agc2':
    analog.agc2_cc (attack = decay = ``agc_rate`` per sample, reference amplitude 1), the
    earlier front end: its gain rises by at most ``agc_rate`` per sample, so weak audio at
    a low baseband rate stays below unit amplitude for seconds (PW-Sat2's 1k2 bursts at
    0.35-0.5: the Gardner loop's gain, which scales with the power, too low to follow the
    0.3 % symbol-rate offset; symbol slips). psk_receiver's loops (Gardner, Costas) have
    gains proportional to the signal power and assume about unit power (audio at -20 dBFS
    without an AGC: the Costas loop never locks, no frame decodes). ``iq``: complex IQ
    samples in instead of real audio (the signal at ``f_sub`` Hz, 0 for IQ at the carrier)."""
    cutoff = (1.0 + rolloff) * baudrate / 2 + baudrate / 2
    taps = filter.firdes.low_pass(1.0, samp_rate, cutoff, baudrate / 5)
    chain = [SubcarrierMixer(samp_rate, f_sub, iq), filter.fir_filter_ccf(1, taps)]
    ratio = Fraction(int(sps) * Fraction(baudrate).limit_denominator(1000)) / Fraction(
        samp_rate
    ).limit_denominator(1000)
    if ratio != 1:
        chain.append(filter.rational_resampler_ccc(ratio.numerator, ratio.denominator))
    if agc == "rms":
        chain.append(rms_agc(RMS_AGC_SYMBOLS * int(sps)))
    elif agc == "agc2":
        chain.append(analog.agc2_cc(float(agc_rate), float(agc_rate), 1.0, 1.0))
    else:
        raise ValueError(f"agc must be one of {AGCS}, got {agc!r}")
    return chain


def costas_bw_rad(options_ns, baudrate):
    """Costas loop bandwidth (rad/symbol) from gr-satellites' --costas_bw (Hz), as its
    bpsk_demodulator converts it."""
    hz = getattr(options_ns, "costas_bw", None) or GR_SATELLITES_COSTAS_HZ
    return 2 * pi * float(hz) / float(baudrate)


class SatelliteReceiver(gr.hier_block2):
    """The module's receive path as one block: real audio (float, ``samp_rate`` Hz) in ->
    :func:`audio_to_baseband` -> :class:`diffusion.psk_receiver` (BPSK, coherent decisions,
    carrier acquisition M = 2) -> real part -> the transmitter's gr-satellites deframer
    (:func:`make_deframer`) -> valid frames as PDUs on the message port 'out'.

    ``satellite``: a name gr-satellites knows or a satyaml file; ``transmitter`` its BPSK
    transmitter's satyaml key, or ``baudrate`` to pick it (:func:`bpsk_transmitter`);
    ``model_path``: a window prior (path or shipped name, e.g. 'bpsk_pn_w32') for
    psk_receiver's mode 'tweedie', '' for mode 'none'; ``options``: gr-satellites' option
    string (its --costas_bw sets the Costas bandwidth); ``f_sub`` the subcarrier (Hz;
    default :func:`subcarrier_hz`); ``timing_bw`` psk_receiver's Gardner loop bandwidth
    (None: its default); ``carrier`` its carrier loop ('costas', or 'none': the window
    prior tracks the phase); ``symbol_rate_tolerance`` the largest relative offset of the
    symbol period the Gardner loop may follow (default :data:`SYMBOL_RATE_TOLERANCE`;
    psk_receiver's timing_max_dev = tolerance * sps samples); ``agc`` the front end's AGC
    (:data:`AGCS`); ``iq``: complex
    IQ samples in instead of real audio (as gr-satellites' --iq; ``f_sub`` then defaults to
    0 Hz, the signal at the centre, as gr-satellites' bpsk_demodulator takes it). The parts are
    attributes: ``front`` (list), ``rx``, ``deframer``; ``transmitter`` (key) and
    ``baudrate`` (symbols/s) say what was picked."""

    def __init__(
        self,
        satellite,
        samp_rate,
        model_path="",
        options="",
        baudrate=None,
        transmitter=None,
        f_sub=None,
        timing_bw=None,
        rolloff=0.35,
        carrier="costas",
        agc="rms",
        iq=False,
        symbol_rate_tolerance=SYMBOL_RATE_TOLERANCE,
    ):
        gr.hier_block2.__init__(
            self,
            "satellite_receiver",
            gr.io_signature(1, 1, gr.sizeof_gr_complex if iq else gr.sizeof_float),
            gr.io_signature(0, 0, 0),
        )
        self.message_port_register_hier_out("out")
        install_compat()
        key, tx = bpsk_transmitter(satellite, baudrate or None, transmitter or None)
        baud = float(tx["baudrate"])
        samp_rate = float(samp_rate)
        sps = baseband_sps(samp_rate, baud)
        if f_sub is None:
            f_sub = 0.0 if iq else subcarrier_hz(baud)
        opts = satellite_options(satellite, options)
        self.transmitter, self.baudrate = key, baud
        self.front = audio_to_baseband(samp_rate, baud, float(f_sub), sps, rolloff, agc=agc, iq=iq)
        timing = {} if timing_bw is None else {"timing_bw": float(timing_bw)}
        self.rx = psk_receiver(
            **timing,
            timing_max_dev=float(symbol_rate_tolerance) * sps,
            sps=sps,
            rolloff=rolloff,
            constellation="bpsk",
            mode="tweedie" if model_path else "none",
            model_path=model_path or "",
            costas_bw=costas_bw_rad(opts, baud),
            carrier=carrier,
            decisions="coherent",
            front_end="acquisition",
            power_order=2,
            # the quadrature rail needs the Costas loop (points on the real axis)
            noise_estimator=NOISE_ESTIMATOR if carrier == "costas" else "m2m4",
        )
        self.deframer = make_deframer(satellite, tx, options)
        self.to_real = blocks.complex_to_real(1)
        self.connect(self, *self.front, self.rx)
        self.connect((self.rx, 0), self.to_real, self.deframer)
        self.connect((self.rx, 1), blocks.null_sink(gr.sizeof_gr_complex))
        self.connect((self.rx, 2), blocks.null_sink(gr.sizeof_float))
        self.connect((self.rx, 3), blocks.null_sink(1))
        self.msg_connect((self.deframer, "out"), (self, "out"))


class SatelliteFlowgraph(gr.top_block):
    """Real audio (array, ``samp_rate`` Hz; a complex array: IQ samples, gr-satellites'
    --iq) -> a receiver of :data:`RECEIVERS` -> PDUs in
    ``self.frames_sink`` (a message_debug). 'module' and 'module+prior' are
    :class:`SatelliteReceiver` (``self.receiver``; its ``rx``, ``front``, ``deframer`` and
    ``transmitter`` are attributes here too) with ``model_path`` for 'module+prior';
    ``options``: gr-satellites' option string; ``baudrate`` / ``transmitter`` pick the
    transmitter; ``f_sub``, ``timing_bw``, ``rolloff``, ``carrier``, ``agc``,
    ``symbol_rate_tolerance``: as
    :class:`SatelliteReceiver`. Run with :func:`run_frames`."""

    def __init__(
        self,
        satellite,
        audio,
        samp_rate,
        receiver="module",
        model_path="",
        options="",
        baudrate=None,
        f_sub=None,
        timing_bw=None,
        rolloff=0.35,
        carrier="costas",
        tail_seed=12345,
        agc="rms",
        transmitter=None,
        symbol_rate_tolerance=SYMBOL_RATE_TOLERANCE,
    ):
        gr.top_block.__init__(self, "satellite_receiver")
        if receiver not in RECEIVERS:
            raise ValueError(f"receiver must be one of {RECEIVERS}, got {receiver!r}")
        if receiver == "module+prior" and not model_path:
            raise ValueError("receiver 'module+prior' needs model_path")
        install_compat()
        iq = bool(np.iscomplexobj(audio))
        audio = np.asarray(audio, np.complex64 if iq else np.float32)
        if audio.ndim != 1 or audio.size == 0 or not np.all(np.isfinite(audio)):
            raise ValueError("audio must be a non-empty 1-D array of finite samples")
        self.n_audio = audio.size
        self.samp_rate = float(samp_rate)
        rms = float(np.sqrt(np.mean(np.abs(audio.astype(np.complex128)) ** 2))) or 1.0
        level, seed = rms * 10 ** (-TAIL_LEVEL_DB / 20), int(tail_seed)
        if iq:
            src = blocks.vector_source_c(audio.tolist(), False)
            tail = analog.noise_source_c(analog.GR_GAUSSIAN, level, seed)
        else:
            src = blocks.vector_source_f(audio.tolist(), False)
            tail = analog.noise_source_f(analog.GR_GAUSSIAN, level, seed)
        # the audio, then the tail for ever (stream_mux's second length: 2^31 - 1 samples)
        item = gr.sizeof_gr_complex if iq else gr.sizeof_float
        self.mux = blocks.stream_mux(item, [audio.size, 2**31 - 1])
        self.connect(src, (self.mux, 0))
        self.connect(tail, (self.mux, 1))
        self.frames_sink = blocks.message_debug()
        if receiver == "gr-satellites":
            sat = open_satellite(satellite)
            slowest = min(float(t["baudrate"]) for t in sat["transmitters"].values())
            self.tail = self.samp_rate * max(TAIL_S, TAIL_SYMBOLS / slowest)
            name, path = satyaml_source(satellite)
            dec = gr_satellites_flowgraph_class()(
                file=path,
                name=name,
                samp_rate=self.samp_rate,
                iq=iq,
                grc_block=True,
                options=options,
            )
            self.connect(self.mux, dec)
            self.msg_connect((dec, "out"), (self.frames_sink, "store"))
            self.decoder = dec
            return
        self.receiver = SatelliteReceiver(
            satellite,
            self.samp_rate,
            model_path=model_path if receiver == "module+prior" else "",
            options=options,
            baudrate=baudrate,
            transmitter=transmitter,
            f_sub=f_sub,
            timing_bw=timing_bw,
            rolloff=rolloff,
            carrier=carrier,
            agc=agc,
            iq=iq,
            symbol_rate_tolerance=symbol_rate_tolerance,
        )
        r = self.receiver
        self.transmitter, self.front, self.rx, self.deframer = (
            r.transmitter,
            r.front,
            r.rx,
            r.deframer,
        )
        self.tail = self.samp_rate * max(TAIL_S, TAIL_SYMBOLS / r.baudrate)
        self.connect(self.mux, r)
        self.msg_connect((r, "out"), (self.frames_sink, "store"))


def run_frames(tb, poll_s=0.05, stall_s=60.0):
    """Runs a :class:`SatelliteFlowgraph` until every frame of its audio is out (module
    doc: determinism); returns the frames (list of bytes, in arrival order). A flowgraph
    whose input stops advancing for ``stall_s`` seconds (a block died or stalled) is
    stopped and TimeoutError raised, so a test or a sweep never waits forever."""
    import pmt

    def advancing():
        """Items through the input mux; raises once they stop moving for stall_s."""
        n = tb.mux.nitems_written(0)
        if n != state["n"]:
            state["n"], state["t"] = n, time.monotonic()
        elif time.monotonic() - state["t"] > stall_s:
            raise TimeoutError(
                f"satellite flowgraph stalled: no input consumed for {stall_s:.0f} s "
                f"({n} of {tb.n_audio} audio samples)"
            )
        return n

    state = {"n": -1, "t": time.monotonic()}
    tb.start()
    try:
        target = tb.n_audio + tb.tail
        while advancing() < target:
            time.sleep(poll_s)
        count, mark = tb.frames_sink.num_messages(), advancing()
        while True:
            time.sleep(poll_s)
            now = tb.frames_sink.num_messages()
            if now != count:
                count, mark = now, advancing()
            elif advancing() - mark >= tb.tail:
                break
    finally:
        tb.stop()
        tb.wait()
    sink = tb.frames_sink
    return [
        bytes(pmt.u8vector_elements(pmt.cdr(sink.get_message(i))))
        for i in range(sink.num_messages())
    ]


def distinct_frames(satellite, audio, samp_rate, receiver="module", **kw):
    """Distinct valid frames (a set of bytes) of ``receiver`` over real audio; ``kw`` go to
    :class:`SatelliteFlowgraph`. The flowgraph is released before returning (its buffers are
    System V shared memory: a process that keeps hundreds of flowgraphs runs out of them)."""
    tb = SatelliteFlowgraph(satellite, audio, samp_rate, receiver, **kw)
    try:
        return set(run_frames(tb))
    finally:
        tb.disconnect_all()
        del tb
        gc.collect()
