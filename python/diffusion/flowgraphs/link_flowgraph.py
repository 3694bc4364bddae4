#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The whole gr-diffusion link as one flowgraph (needs GNU Radio): TX (link_tx), a simulated
channel, a SigMF/cf32 recording or an SDR, and RX (link_rx); the ``gr-diffusion-link`` app
is argument parsing over :class:`LinkFlowgraph`.

Options are an ``argparse.Namespace`` with the attributes :func:`add_link_arguments` defines
(docs/app.md lists them); :func:`link_options` gives the defaults with overrides, e.g.
``LinkFlowgraph(link_options(source="sim", esn0=12.0, frames=20)).run()``.
"""

import argparse
import json
import math
import os
import sys

import numpy as np
from gnuradio import blocks, channels, gr

from ..link import sigmf as link_sigmf
from ..link.framing import LinkConfig, ser_theory
from ..link_rx import MODES, link_rx
from ..link_tx import link_tx

SOURCES = ("sim", "file", "uhd", "rtlsdr", "soapy", "none")
SINKS = ("null", "file", "uhd", "soapy")
RADIOS = ("uhd", "rtlsdr", "soapy")


class LinkError(RuntimeError):
    """A configuration or hardware problem, reported without a traceback."""


def add_link_arguments(ap):
    """Add the link's options (those LinkFlowgraph reads) to an argparse parser."""
    ap.add_argument("--source", choices=SOURCES, default="sim", help="RX input (default sim)")
    ap.add_argument("--sink", choices=SINKS, default="null", help="TX output / recording")
    ap.add_argument(
        "-i", "--input", default="", help="file source: SigMF base/meta/data or raw cf32"
    )
    ap.add_argument("-o", "--output", default="", help="file sink: SigMF base name")
    g = ap.add_argument_group("link (must match the transmitter; a SigMF input overrides)")
    g.add_argument("--constellation", default="16qam")
    g.add_argument("--sps", type=int, default=4, help="samples per symbol")
    g.add_argument("--rolloff", type=float, default=0.35)
    g.add_argument("--preamble-len", type=int, default=64)
    g.add_argument("--payload-len", type=int, default=1024)
    g.add_argument("--payload-seed", type=int, default=0)
    g.add_argument("--n-payloads", type=int, default=8, help="payload pool size (frames)")
    g.add_argument("--payload-file", default="", help="send this file's bytes")
    g.add_argument("--pilot-interval", type=int, default=128, help="0 = no pilots")
    g.add_argument("--pilot-len", type=int, default=8)
    g = ap.add_argument_group("simulated channel (--source sim)")
    g.add_argument(
        "--esn0", type=float, default=15.0, help="Es/N0 in dB (after the matched filter)"
    )
    g.add_argument("--cfo", type=float, default=0.0, help="frequency offset, cycles/sample")
    g.add_argument("--epsilon", type=float, default=1.0, help="sample clock ratio (1 = none)")
    g.add_argument("--phase", type=float, default=0.0, help="carrier phase offset, rad")
    g.add_argument("--delay", type=int, default=0, help="extra delay, samples")
    g.add_argument("--noise-seed", type=int, default=1)
    g = ap.add_argument_group("learned hardware (docs: core chain_spec, labelled_capture)")
    g.add_argument(
        "--tx-chain",
        default="",
        help="transmitter impairments applied to the TX waveform, a chain spec "
        "such as '16qam+rapp(ibo=0,p=2)+agc' (its 'agc' is calibrated on the "
        "TX waveform); '' = none",
    )
    g.add_argument("--tx-chain-seed", type=int, default=0, help="seed of the chain's noise")
    g.add_argument(
        "--capture-labels",
        default="",
        metavar="BASE",
        help="record the equalized payload symbols with the transmitted labels "
        "(labelled capture BASE.sigmf-meta/.sigmf-data/.labels) for "
        "python -m diffusion.train --data capture:BASE.sigmf-meta",
    )
    g = ap.add_argument_group("run")
    g.add_argument(
        "--frames",
        type=int,
        default=50,
        help="sim / TX-only file: frames sent; radios: stop after this many received",
    )
    g.add_argument("--duration", type=float, default=10.0, help="radios: seconds to run")
    g.add_argument("--report", type=float, default=2.0, help="radios: seconds between reports")
    g.add_argument("--json", default="", help="write the final metrics to this JSON file")
    g.add_argument("-q", "--quiet", action="store_true")
    g = ap.add_argument_group("radio")
    g.add_argument("--samp-rate", type=float, default=1e6, help="sample rate, S/s")
    g.add_argument(
        "--freq",
        type=float,
        default=915e6,
        help="centre frequency, Hz (also the nominal one of simulated recordings)",
    )
    g.add_argument("--rx-gain", type=float, default=30.0, help="dB")
    g.add_argument("--tx-gain", type=float, default=40.0, help="dB")
    g.add_argument(
        "--args", default="", help="device arguments (UHD: 'type=b200', soapy: 'driver=...')"
    )
    g.add_argument("--rx-antenna", default="")
    g.add_argument("--tx-antenna", default="")
    g.add_argument(
        "--tx-amplitude",
        type=float,
        default=None,
        help="TX RMS (default 1.0 simulated, 0.25 into a radio)",
    )
    g = ap.add_argument_group("receiver")
    g.add_argument(
        "--mode",
        default="tweedie",
        choices=list(MODES),
        help="DDPM sampler",
    )
    g.add_argument("--ddim-steps", type=int, default=5)
    g.add_argument("--model", default="", help="ONNX model ('' = shipped model)")
    g.add_argument("--provider", default="cpu", choices=["cpu", "cuda", "tensorrt"])
    g.add_argument(
        "--fll-bw",
        type=float,
        default=None,
        help="band-edge FLL bandwidth (default: 0 for simulated signals and TX "
        "recordings, 0.004 for radio signals)",
    )
    g.add_argument("--timing-bw", type=float, default=0.01)
    g.add_argument(
        "--agc-rate",
        type=float,
        default=1e-3,
        help="1 / time constant of the RMS AGC, samples (0 = off)",
    )
    g.add_argument("--threshold", type=float, default=0.3)
    return ap


def link_options(**overrides):
    """The link's default options (an argparse.Namespace) with ``overrides`` applied
    (Python names: payload_len, esn0, ...); unknown names raise TypeError."""
    ns = add_link_arguments(argparse.ArgumentParser(add_help=False)).parse_args([])
    for k, v in overrides.items():
        if not hasattr(ns, k):
            raise TypeError(f"unknown link option {k!r}")
        setattr(ns, k, v)
    return ns


def link_config(args):
    return LinkConfig(
        constellation=args.constellation,
        sps=args.sps,
        rolloff=args.rolloff,
        preamble_len=args.preamble_len,
        payload_len=args.payload_len,
        payload_seed=args.payload_seed,
        n_payloads=args.n_payloads,
        payload_file=args.payload_file,
        pilot_interval=args.pilot_interval,
        pilot_len=args.pilot_len,
    )


def tx_kwargs(cfg):
    return dict(
        constellation=cfg.constellation,
        sps=cfg.sps,
        rolloff=cfg.rolloff,
        preamble_len=cfg.preamble_len,
        payload_len=cfg.payload_len,
        payload_seed=cfg.payload_seed,
        n_payloads=cfg.n_payloads,
        payload_file=cfg.payload_file,
        pilot_interval=cfg.pilot_interval,
        pilot_len=cfg.pilot_len,
    )


# ---------------------------------------------------------------------- hardware (lazy)
def _import_uhd():
    try:
        from gnuradio import uhd
    except ImportError as e:
        raise LinkError(
            f"--source/--sink uhd needs gr-uhd (Debian: apt install gnuradio, "
            f"libuhd; 'from gnuradio import uhd' failed: {e})"
        ) from e
    return uhd


def _import_soapy():
    try:
        from gnuradio import soapy
    except ImportError as e:
        raise LinkError(
            f"--source/--sink soapy/rtlsdr needs gr-soapy (Debian: apt install "
            f"gnuradio soapysdr-module-all; 'from gnuradio import soapy' failed: "
            f"{e})"
        ) from e
    return soapy


def _try(what, fn):
    try:
        return fn()
    except LinkError:
        raise
    except Exception as e:  # noqa: BLE001 (driver errors come as RuntimeError, ValueError, ...)
        raise LinkError(f"{what} failed: {e}") from e


def make_radio_source(args):
    if args.source == "uhd":
        uhd = _import_uhd()

        def mk():
            src = uhd.usrp_source(args.args, uhd.stream_args(cpu_format="fc32", channels=[0]))
            src.set_samp_rate(args.samp_rate)
            src.set_center_freq(args.freq, 0)
            src.set_gain(args.rx_gain, 0)
            if args.rx_antenna:
                src.set_antenna(args.rx_antenna, 0)
            return src

        return _try("opening the USRP receiver (--args %r)" % args.args, mk), "UHD " + args.args
    if args.source == "rtlsdr":
        try:
            import osmosdr
        except ImportError:
            osmosdr = None
        if osmosdr is not None:

            def mk():
                src = osmosdr.source(args="numchan=1 " + (args.args or "rtl=0"))
                src.set_sample_rate(args.samp_rate)
                src.set_center_freq(args.freq, 0)
                src.set_gain_mode(False, 0)
                src.set_gain(args.rx_gain, 0)
                return src

            return _try("opening the RTL-SDR with gr-osmosdr", mk), "RTL-SDR (gr-osmosdr)"
        soapy = _import_soapy()
        dev = "driver=rtlsdr"

        def mk():
            src = soapy.source(dev, "fc32", 1, args.args, "", [""], [""])
            src.set_sample_rate(0, args.samp_rate)
            src.set_gain_mode(0, False)
            src.set_frequency(0, args.freq)
            src.set_gain(0, "TUNER", args.rx_gain)
            return src

        return _try(
            "opening the RTL-SDR with gr-soapy (driver=rtlsdr; is "
            "soapysdr-module-rtlsdr installed and the dongle plugged in?)",
            mk,
        ), "RTL-SDR (gr-soapy)"
    soapy = _import_soapy()
    dev = args.args if "driver=" in args.args else ""

    def mk():
        src = soapy.source(dev, "fc32", 1, "" if dev else args.args, "", [""], [""])
        src.set_sample_rate(0, args.samp_rate)
        src.set_frequency(0, args.freq)
        src.set_gain(0, args.rx_gain)
        if args.rx_antenna:
            src.set_antenna(0, args.rx_antenna)
        return src

    return _try(
        "opening the SoapySDR receiver (--args %r)" % args.args, mk
    ), "SoapySDR " + args.args


def make_radio_sink(args):
    if args.sink == "uhd":
        uhd = _import_uhd()

        def mk():
            snk = uhd.usrp_sink(args.args, uhd.stream_args(cpu_format="fc32", channels=[0]), "")
            snk.set_samp_rate(args.samp_rate)
            snk.set_center_freq(args.freq, 0)
            snk.set_gain(args.tx_gain, 0)
            if args.tx_antenna:
                snk.set_antenna(args.tx_antenna, 0)
            return snk

        return _try("opening the USRP transmitter (--args %r)" % args.args, mk)
    soapy = _import_soapy()
    dev = args.args if "driver=" in args.args else ""

    def mk():
        snk = soapy.sink(dev, "fc32", 1, "" if dev else args.args, "", [""], [""])
        snk.set_sample_rate(0, args.samp_rate)
        snk.set_frequency(0, args.freq)
        snk.set_gain(0, args.tx_gain)
        if args.tx_antenna:
            snk.set_antenna(0, args.tx_antenna)
        return snk

    return _try("opening the SoapySDR transmitter (--args %r)" % args.args, mk)


# ---------------------------------------------------------------------- flowgraph
def open_recording(input_path):
    """(SigMF metadata of link.sigmf.read_meta or None, data path, sample format, header
    bytes) of a recording given as a SigMF path (.sigmf-meta / -data / base name) or a raw
    cf32 file; LinkError when it is missing or its metadata is malformed."""
    if not input_path:
        raise LinkError("--source file needs -i/--input (SigMF recording or raw cf32 file)")
    _, meta_path = link_sigmf.sigmf_paths(input_path)
    if os.path.isfile(meta_path):
        try:
            meta = link_sigmf.read_meta(meta_path)
        except (ValueError, OSError, json.JSONDecodeError) as e:
            raise LinkError(str(e)) from e
        return meta, meta["data_path"], meta["format"], meta["header_bytes"]
    if os.path.isfile(input_path):
        return None, input_path, None, 0
    raise LinkError(f"{input_path}: no such recording (neither SigMF nor a raw cf32 file)")


def sigmf_file_source(path, fmt=None, header_bytes=0):
    """GNU Radio blocks reading a SigMF data file as unit-scale gr_complex, in order (the
    caller connects them in a chain; the last one outputs complex). fmt: the dict of
    link.sigmf.sample_format (None: raw native cf32). Supported: cf32_le/_be, ci16_le/_be,
    ci8, cu8 (rtl_sdr), scaled like the sigmf package; other types raise ValueError."""
    if fmt is None or (fmt["kind"] == "f" and fmt["bits"] == 32 and fmt["little_endian"]):
        item = gr.sizeof_gr_complex
        return [blocks.file_source(item, path, False, header_bytes // item, 0)]
    kind, bits, le = fmt["kind"], fmt["bits"], fmt["little_endian"]
    comp = bits // 8
    src = blocks.file_source(comp, path, False, header_bytes // comp, 0)
    if kind == "f" and bits == 32:  # big-endian float32: swap, then I/Q pairs to complex
        return [
            src,
            blocks.endian_swap(4),
            blocks.stream_to_vector(4, 2),
            blocks.vector_to_stream(gr.sizeof_gr_complex, 1),
        ]
    if kind == "i" and bits == 16:  # (the block's "swap" exchanges I and Q, not bytes)
        conv = blocks.interleaved_short_to_complex(False, False, 2.0**15)
        return [src, conv] if le else [src, blocks.endian_swap(2), conv]
    if kind == "i" and bits == 8:
        return [src, blocks.interleaved_char_to_complex(False, 2.0**7)]
    if kind == "u" and bits == 8:
        return [
            src,
            blocks.uchar_to_float(),
            blocks.add_const_ff(-128.0),
            blocks.multiply_const_ff(2.0**-7),
            blocks.stream_to_vector(4, 2),
            blocks.vector_to_stream(gr.sizeof_gr_complex, 1),
        ]
    raise ValueError(
        f"SigMF datatype {fmt['datatype']!r}: the link's file source reads cf32_le/"
        "cf32_be, ci16_le/ci16_be, ci8 and cu8 (convert other types, e.g. with "
        "sigmf's read_samples)"
    )


class LinkFlowgraph(gr.top_block):
    """TX / channel / file / radio -> RX, as chosen on the command line (module doc)."""

    def __init__(self, args):
        gr.top_block.__init__(self, "gr-diffusion-link")
        self.args = args
        self.cfg = link_config(args)
        self.samp_rate = args.samp_rate
        self.center_freq = args.freq  # nominal for a simulated channel
        self.channel_info = None
        self.hw = ""
        self.simulated = args.source == "sim"
        self.file_sink = self.meta_path = self.input_datatype = None
        self.recording_validated = False
        live = args.source in RADIOS or args.sink in RADIOS
        self.live = live
        self.capture_sinks = None

        rx_in = None
        if args.source == "file":
            rx_in = self._file_source(args)
        if args.source in ("sim", "none") or args.sink in ("uhd", "soapy"):
            amp = args.tx_amplitude
            if amp is None:
                amp = 0.25 if args.sink in RADIOS else 1.0
            self.tx_amplitude = amp
            self.tx = link_tx(
                amplitude=amp, n_frames=0 if live else args.frames, **tx_kwargs(self.cfg)
            )
            self.tx_out = self._tx_chain(args, amp) if args.tx_chain else self.tx
        if args.source == "sim":
            rx_in = self._channel(args)
        elif args.source in RADIOS:
            self.radio_src, self.hw = make_radio_source(args)
            rx_in = self.radio_src
        if args.sink in ("uhd", "soapy"):
            self.radio_snk = make_radio_sink(args)
            self.connect(self.tx_out, self.radio_snk)
            self.hw = (self.hw + ", TX " if self.hw else "TX ") + args.sink + " " + args.args

        if args.sink == "file":
            if not args.output:
                raise LinkError("--sink file needs -o/--output BASE (SigMF base name)")
            data_path, _ = link_sigmf.sigmf_paths(args.output)
            self.file_sink = blocks.file_sink(gr.sizeof_gr_complex, data_path, False)
            self.file_sink.set_unbuffered(False)
            self.connect(rx_in if rx_in is not None else self.tx_out, self.file_sink)
            self.meta_path = link_sigmf.write_meta(
                args.output,
                self.samp_rate,
                self.cfg,
                center_freq=self.center_freq,
                description=f"gr-diffusion link, source {args.source}",
                hw=self.hw,
                channel=self.channel_info,
                extra={"source": args.source},
            )
            self.data_path = data_path
        elif args.source == "none" and args.sink == "null":
            self.null_tx = blocks.null_sink(gr.sizeof_gr_complex)
            self.connect(self.tx_out, self.null_tx)

        self.rx = None
        if rx_in is not None:
            fll = args.fll_bw
            if fll is None:
                fll = 0.0 if self.simulated else 0.004
            self.rx = link_rx(
                agc_rate=args.agc_rate,
                fll_bw=fll,
                timing_bw=args.timing_bw,
                threshold=args.threshold,
                model=args.model,
                mode=args.mode,
                ddim_steps=args.ddim_steps,
                provider=args.provider,
                **tx_kwargs(self.cfg),
            )
            self.connect(rx_in, self.rx)
            self.rx_null = [blocks.null_sink(gr.sizeof_gr_complex) for _ in range(4)]
            self.rx_null.append(blocks.null_sink(gr.sizeof_float))
            if args.capture_labels:
                # equalized payload (1), its known reference (3), sigma2 (4)
                self.capture_sinks = {
                    1: blocks.vector_sink_c(),
                    3: blocks.vector_sink_c(),
                    4: blocks.vector_sink_f(),
                }
            for i, s in enumerate(self.rx_null):
                if self.capture_sinks and i in self.capture_sinks:
                    s = self.capture_sinks[i]
                self.connect((self.rx, i), s)
        elif args.capture_labels:
            raise LinkError("--capture-labels needs a receiver (--source sim, file or a radio)")

    def _tx_chain(self, args, amp):
        """tx_impairment_chain on the TX waveform, its agc calibrated on that waveform."""
        from ..tx_impairment_chain import tx_impairment_chain

        cfg = tx_kwargs(self.cfg)
        cal_tb = gr.top_block()
        cal_tx = link_tx(
            amplitude=amp, n_frames=4, **dict(cfg, payload_seed=self.cfg.payload_seed + 1_000_000)
        )
        cal_snk = blocks.vector_sink_c()
        cal_tb.connect(cal_tx, cal_snk)
        cal_tb.run()
        self.chain = tx_impairment_chain(
            args.tx_chain, seed=args.tx_chain_seed, cal_input=np.array(cal_snk.data())
        )
        self.connect(self.tx, self.chain)
        return self.chain

    def write_capture(self):
        """Write the labelled capture (--capture-labels) of what was received so far:
        symbols of frames that matched a known payload, labelled by the transmitted point
        index.  Returns dict(meta, symbols, frames_dropped_symbols) or None."""
        if not self.capture_sinks:
            return None
        from ..core import constellations as _const
        from ..core import labelled_capture as _cap

        eq = np.array(self.capture_sinks[1].data(), np.complex128)
        ref = np.array(self.capture_sinks[3].data(), np.complex128)
        s2 = np.array(self.capture_sinks[4].data(), np.float64)
        n = min(len(eq), len(ref), len(s2))
        eq, ref, s2 = eq[:n], ref[:n], s2[:n]
        ok = np.isfinite(ref) & np.isfinite(eq)
        if not ok.any():
            raise LinkError(
                "--capture-labels: no received frame matched a known payload: nothing to label"
            )
        const = _const.by_name(self.cfg.constellation)
        extra = {
            "diffusion:noise_var": float(np.median(s2[ok])),
            "diffusion:source": self.args.source,
            "diffusion:tx_chain": self.args.tx_chain or "none",
        }
        if self.channel_info and "esn0_db" in self.channel_info:
            extra["diffusion:esn0_db"] = float(self.channel_info["esn0_db"])
        meta = _cap.write(
            self.args.capture_labels,
            eq[ok],
            const.slice(ref[ok]),
            const,
            extra_global=extra,
            description="gr-diffusion-link labelled capture: equalized "
            "payload symbols, labels = transmitted point index",
        )
        return {"meta": meta, "symbols": int(ok.sum()), "dropped": int(n - ok.sum())}

    def _file_source(self, args):
        meta, path, fmt, header = open_recording(args.input)
        if meta is not None:
            if meta["config"] is not None:
                self.cfg = meta["config"]
            self.samp_rate = meta["sample_rate"]
            self.center_freq = meta["center_freq"]
            self.channel_info = meta["channel"]
            # simulated channel or TX output: no oscillator offsets to pull in with the FLL
            link = meta["meta"]["global"].get(link_sigmf.LINK_KEY, {})
            self.simulated = meta["channel"] is not None or link.get("source") == "none"
            self.input_datatype = meta["datatype"]
        self.input_path = path
        self.file_blocks = sigmf_file_source(path, fmt, header)
        for a, b in zip(self.file_blocks, self.file_blocks[1:]):
            self.connect(a, b)
        return self.file_blocks[-1]

    def finalize(self):
        """After the run: close the recording, add its SHA-512 and validate it (SigMF)."""
        if self.file_sink is not None and self.meta_path:
            self.file_sink.close()
            link_sigmf.finalize_meta(self.meta_path)
            link_sigmf.validate(self.meta_path)
            self.recording_validated = True

    def _channel(self, args):
        cfg = self.cfg
        sigma = self.tx_amplitude * math.sqrt(cfg.sps / 10.0 ** (args.esn0 / 10.0))
        self.channel = channels.channel_model(
            sigma,
            args.cfo,
            args.epsilon,
            [complex(np.exp(1j * args.phase))],
            args.noise_seed,
            False,
        )
        self.channel_info = {
            "model": "channels.channel_model",
            "esn0_db": args.esn0,
            "noise_voltage": sigma,
            "frequency_offset": args.cfo,
            "epsilon": args.epsilon,
            "phase_rad": args.phase,
            "delay_samples": args.delay,
            "noise_seed": args.noise_seed,
            "tx_amplitude": self.tx_amplitude,
        }
        head = self.tx_out
        if args.delay > 0:
            self.delay = blocks.delay(gr.sizeof_gr_complex, args.delay)
            self.connect(self.tx_out, self.delay)
            head = self.delay
        self.connect(head, self.channel)
        return self.channel

    # ------------------------------------------------------------------ results
    def results(self):
        out = {
            "source": self.args.source,
            "sink": self.args.sink,
            "link": self.cfg.to_dict(),
            "sample_rate": self.samp_rate,
        }
        if self.channel_info:
            out["channel"] = self.channel_info
            out["ser_theory"] = ser_theory(self.cfg.constellation, self.channel_info["esn0_db"])
        if self.rx is not None:
            m = self.rx.metrics()
            out.update(self.rx.sync.stats())
            for key in ("equalized", "denoised"):
                if key in m:
                    out[key] = {k: v for k, v in m[key].items()}
            if out.get("cfo") is not None:
                out["cfo_cycles_per_sample"] = out["cfo"] / (2 * math.pi * self.cfg.sps)
        if self.args.sink == "file":
            out["recording"] = {
                "meta": self.meta_path,
                "data": self.data_path,
                "sigmf_validated": self.recording_validated,
            }
        if self.input_datatype:
            out["input_datatype"] = self.input_datatype
        if self.args.tx_chain:
            out["tx_chain"] = str(self.chain.spec)
        return out


def _fmt(v, spec):
    return format(v, spec) if isinstance(v, (int, float)) and math.isfinite(v) else "-"


def report(res, final=True, stream=sys.stdout):
    w = stream.write
    if final:
        c = res["link"]
        w(
            f"gr-diffusion-link: source {res['source']}, sink {res['sink']}; {c['constellation']}, "
            f"sps {c['sps']}, rolloff {c['rolloff']}, preamble {c['preamble_len']}, payload "
            f"{c['payload_len']}, pilots {c['pilot_len']}/{c['pilot_interval']}\n"
        )
        if "channel" in res:
            ch = res["channel"]
            w(
                f"channel: Es/N0 {ch['esn0_db']:g} dB, "
                f"CFO {ch['frequency_offset']:g} cycles/sample, "
                f"epsilon {ch['epsilon']:g}, phase {ch['phase_rad']:g} rad; theoretical SER "
                f"{_fmt(res.get('ser_theory'), '.4g')}\n"
            )
    if "frames" not in res:
        if final and "recording" in res:
            w(f"recorded {res['recording']['data']} (+ .sigmf-meta)\n")
        return
    w(
        f"frames {res['frames']} (identified {res.get('frames_identified', 0)}), estimated Es/N0 "
        f"{_fmt(res.get('esn0_db'), '.2f')} dB, "
        f"CFO {_fmt(res.get('cfo_cycles_per_sample'), '.3g')} "
        f"cycles/sample\n"
    )
    for key, label in (("equalized", "equalized (hard)"), ("denoised", "DDPM denoised")):
        m = res.get(key)
        if m:
            w(
                f"  {label:17s} symbols {m.get('n', 0):8d}  SER {_fmt(m.get('ser'), '.4e')}  "
                f"BER {_fmt(m.get('ber'), '.4e')}  MSE {_fmt(m.get('mse_db'), '.2f')} dB\n"
            )
    if final and "recording" in res:
        w(f"recorded {res['recording']['data']} (+ .sigmf-meta)\n")
    stream.flush()
