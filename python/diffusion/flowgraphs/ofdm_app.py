#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""``gr-diffusion-link --waveform ofdm`` (needs GNU Radio): GNU Radio's OFDM packets through a
simulated TDL channel, a recording or an SDR into two receivers side by side, the stock one
(``ofdm_denoised_rx(denoise=False)``: exactly ``digital.ofdm_rx``'s chain) and the one with the
learned channel prior (``ofdm_denoised_rx``); both count the packets that pass their CRC32
(docs/ofdm.md, docs/app.md).

Sources (``args.source``):

- ``sim``: ``digital.ofdm_tx`` (one flowgraph over ``--frames`` random packets) -> per-packet
  TDL block fading of ``--ofdm-family`` + AWGN at the per-carrier SNR ``--esn0`` (NumPy,
  :func:`flowgraphs.ofdm_link.fade`: the channel of the tests and the benchmark) -> a second
  flowgraph: a vector source feeding both receivers.
- ``file``: a SigMF recording (cf32/ci16/ci8/cu8; a "gr-diffusion:ofdm" section gives the sent
  packets so the app also counts correct payloads) or raw cf32 -> both receivers.
- ``uhd`` / ``rtlsdr`` / ``soapy``: an SDR (imported only when asked for) -> both receivers,
  for ``--duration`` s.

``--sink file -o BASE`` records what the receivers get (SigMF cf32, validated); ``--sink
uhd|soapy`` with ``--source none`` transmits the packets over the air in a loop.
"""

import os

import numpy as np
import pmt
from gnuradio import blocks, digital, gr

from ..core import ofdm_channels as _ch
from ..core.ofdm_carriers import DEFAULT_LAYOUT
from ..link import sigmf as link_sigmf
from ..ofdm_denoised_rx import ofdm_denoised_rx
from . import ofdm_link
from .link_flowgraph import RADIOS, LinkError, make_radio_sink, make_radio_source, open_recording
from .link_flowgraph import sigmf_file_source as _file_chain

OFDM_KEY = "gr-diffusion:ofdm"  # SigMF global section of an OFDM recording
MODES = {"tweedie": "tweedie", "none": "off"}  # --mode -> ofdm_channel_denoiser's mode
FLUSH = 4 * ofdm_link.GAP  # zero samples after a file: the receivers' delays drain


def add_ofdm_arguments(ap):
    """The OFDM mode's own options (source, sink, --esn0, --frames, --model, --mode, radio
    options are the link's)."""
    g = ap.add_argument_group("OFDM (--waveform ofdm; docs/ofdm.md)")
    g.add_argument(
        "--waveform",
        choices=("link", "ofdm"),
        default="link",
        help="link: this module's single-carrier frames (default); ofdm: GNU Radio's "
        "ofdm_tx packets, stock ofdm_rx and ofdm_denoised_rx side by side",
    )
    g.add_argument(
        "--ofdm-family",
        default="mix",
        help="sim: TDL channel family (mix, nlos, los, tdla..tdle); --esn0 is the SNR "
        "per active carrier after the receiver's FFT, dB",
    )
    g.add_argument("--ofdm-packet-len", type=int, default=96, help="payload bytes per packet")
    g.add_argument(
        "--ofdm-bps", type=int, choices=(1, 2, 3), default=1, help="payload bits per carrier"
    )
    g.add_argument(
        "--sync-threshold",
        type=float,
        default=0.7,
        help="Schmidl & Cox threshold of both receivers (ofdm_rx: 0.9; 0.7 finds frames "
        "down to ~5 dB)",
    )
    return ap


class OfdmAppFlowgraph(gr.top_block):
    """source -> stock and denoised OFDM receivers -> byte sinks (module doc)."""

    def __init__(self, args):
        gr.top_block.__init__(self, "gr-diffusion-link --waveform ofdm")
        self.args = args
        if args.mode not in MODES:
            raise LinkError(
                f"--waveform ofdm: --mode {args.mode!r}: the channel denoiser has modes "
                f"{', '.join(MODES)} (tweedie: the posterior mean; none: stock taps)"
            )
        if args.ofdm_packet_len < 1 or args.ofdm_packet_len > 4095:
            raise LinkError("--ofdm-packet-len must be 1..4095 bytes (ofdm_tx's header)")
        self.live = args.source in RADIOS or args.sink in RADIOS
        self.samp_rate = args.samp_rate
        self.hw = ""
        self.sent = None  # the payloads sent (bytes), when known
        self.channel_info = None
        self.input_datatype = None
        self.file_sink = self.meta_path = None
        self.recording_validated = False
        self.rx = {}
        if args.source == "none":
            if args.sink not in RADIOS:
                raise LinkError("--waveform ofdm --source none needs --sink uhd or soapy")
            self._radio_tx(args)
            return
        if args.sink in RADIOS:
            raise LinkError("--waveform ofdm: transmit with --source none --sink uhd|soapy")
        if args.source == "sim":
            head = self._sim(args)
        elif args.source == "file":
            head = self._file(args)
        else:
            self.radio_src, self.hw = make_radio_source(args)
            head = self.radio_src
        model = args.model or "ofdm_mix"
        for name, denoise in (("stock", False), ("denoised", True)):
            try:
                rx = ofdm_denoised_rx(
                    model,
                    denoise=denoise,
                    mode=MODES[args.mode],
                    bps_payload=args.ofdm_bps,
                    packet_length_tag_key=ofdm_link.LEN_KEY,
                    sync_threshold=args.sync_threshold,
                )
            except (ValueError, FileNotFoundError) as e:
                raise LinkError(f"--model {model!r}: {e}") from e
            snk = blocks.vector_sink_b()
            self.connect(head, rx, snk)
            self.rx[name] = (rx, snk)
        if args.sink == "file":
            self._record(args, head)

    # ------------------------------------------------------------------ sources
    def _payloads(self, args):
        rng = np.random.default_rng(args.payload_seed)
        return ofdm_link.random_payloads(args.frames, args.ofdm_packet_len, rng)

    def _sim(self, args):
        if args.frames < 1:
            raise LinkError("--waveform ofdm --source sim needs --frames >= 1 (packets)")
        try:
            _ch.family(args.ofdm_family)
        except (KeyError, ValueError) as e:
            raise LinkError(f"--ofdm-family {args.ofdm_family!r}: {e}") from e
        self.sent = self._payloads(args)
        bursts = ofdm_link.transmit(self.sent, args.ofdm_bps)
        rng = np.random.default_rng(args.noise_seed)
        sig, _ = ofdm_link.fade(bursts, args.ofdm_family, args.esn0, rng)
        self.channel_info = {
            "model": "TDL block fading (diffusion.core.ofdm_channels) + AWGN",
            "family": args.ofdm_family,
            "snr_db_per_carrier": float(args.esn0),
            "noise_seed": int(args.noise_seed),
        }
        self.n_samples = sig.size
        self.src = blocks.vector_source_c(sig.tolist(), False)
        return self.src

    def _file(self, args):
        info, path, fmt, header = open_recording(args.input)
        if info is not None:
            glob = info["meta"]["global"]
            if info["config"] is not None:
                raise LinkError(
                    f"{info['data_path']}: a single-carrier link recording; replay it without "
                    "--waveform ofdm"
                )
            ofdm = glob.get(OFDM_KEY)
            if ofdm:
                self._apply_recorded(args, ofdm)
            self.channel_info = info["channel"]
            self.samp_rate = info["sample_rate"]
            self.input_datatype = info["datatype"]
            n = info["num_samples"]
        else:
            n = os.path.getsize(path) // gr.sizeof_gr_complex
        try:
            chain = _file_chain(path, fmt, header)
        except ValueError as e:
            raise LinkError(str(e)) from e
        if len(chain) > 1:
            self.connect(*chain)
        self.n_samples = int(n)
        flush = blocks.vector_source_c([0j] * FLUSH, False)
        self.cat = blocks.stream_mux(gr.sizeof_gr_complex, [int(n), FLUSH])
        self.connect(chain[-1], (self.cat, 0))
        self.connect(flush, (self.cat, 1))
        self._keep = chain + [flush]
        return self.cat

    def _apply_recorded(self, args, ofdm):
        """A recording made by this app: its packets' parameters replace the options."""
        try:
            args.ofdm_packet_len = int(ofdm["packet_len"])
            args.ofdm_bps = int(ofdm["bps_payload"])
            args.payload_seed = int(ofdm["payload_seed"])
            args.frames = int(ofdm["packets"])
        except (KeyError, TypeError, ValueError) as e:
            raise LinkError(f"malformed {OFDM_KEY} section: {e}") from e
        self.sent = self._payloads(args)

    def _radio_tx(self, args):
        """--source none --sink uhd|soapy: the packets through ofdm_tx, repeated forever."""
        amp = 0.25 if args.tx_amplitude is None else args.tx_amplitude
        payloads = self._payloads(args) if args.frames > 0 else []
        if not payloads:
            raise LinkError("--waveform ofdm transmit: --frames >= 1 packets")
        data, tags = ofdm_link.tagged_packet_bytes(payloads)
        self.tx_src = blocks.vector_source_b(data, True, 1, tags)
        self.tx = digital.ofdm_tx(
            packet_length_tag_key=ofdm_link.LEN_KEY, bps_payload=args.ofdm_bps
        )
        # ofdm_tx's IFFT is unnormalised: RMS ~sqrt(52) (52 unit carriers); scale to amp
        self.tx_gain = blocks.multiply_const_cc(amp / np.sqrt(DEFAULT_LAYOUT.n_active))
        self.radio_snk = make_radio_sink(args)
        self.connect(self.tx_src, self.tx, self.tx_gain, self.radio_snk)
        self.hw = "TX " + args.sink + " " + args.args

    def _record(self, args, head):
        if not args.output:
            raise LinkError("--sink file needs -o/--output BASE (SigMF base name)")
        data_path, meta_path = link_sigmf.sigmf_paths(args.output)
        self.file_sink = blocks.file_sink(gr.sizeof_gr_complex, data_path, False)
        self.file_sink.set_unbuffered(False)
        self.connect(head, self.file_sink)
        meta = link_sigmf.build(
            self.samp_rate,
            center_freq=args.freq,
            description=f"gr-diffusion-link --waveform ofdm, source {args.source}",
            hw=self.hw,
            channel=self.channel_info,
        )
        if self.sent is not None:
            meta.set_global_field(
                OFDM_KEY,
                {
                    "transmitter": "digital.ofdm_tx (fft_len 64, cp 16, defaults)",
                    "packet_len": int(args.ofdm_packet_len),
                    "bps_payload": int(args.ofdm_bps),
                    "payload_seed": int(args.payload_seed),
                    "packets": len(self.sent),
                    "length_tag_key": ofdm_link.LEN_KEY,
                },
            )
        meta.tofile(meta_path, overwrite=True)
        self.meta_path, self.data_path = meta_path, data_path

    def finalize(self):
        """After the run: close the recording, add its SHA-512, validate it (SigMF)."""
        if self.file_sink is not None:
            self.file_sink.close()
            link_sigmf.finalize_meta(self.meta_path)
            link_sigmf.validate(self.meta_path)
            self.recording_validated = True

    # ------------------------------------------------------------------ results
    def results(self):
        out = {"waveform": "ofdm", "source": self.args.source, "sink": self.args.sink}
        out["packet_len"] = int(self.args.ofdm_packet_len)
        out["bps_payload"] = int(self.args.ofdm_bps)
        out["sync_threshold"] = float(self.args.sync_threshold)
        if self.channel_info:
            out["channel"] = self.channel_info
        if self.sent is not None:
            out["packets_sent"] = len(self.sent)
        sent = set(self.sent or [])
        for name, (rx, snk) in self.rx.items():
            data = bytes(bytearray(snk.data()))
            lens = sorted(
                (t.offset, pmt.to_long(t.value))
                for t in snk.tags()
                if pmt.symbol_to_string(t.key) == ofdm_link.LEN_KEY
            )
            got = [data[o : o + n] for o, n in lens]
            r = {"crc_ok": len(got)}
            if self.sent is not None:
                r["correct"] = sum(p in sent for p in got)
                r["success_rate"] = r["crc_ok"] / max(1, len(self.sent))
            if rx.denoiser is not None:
                fb = getattr(rx.denoiser, "fallbacks", None)  # attribute (Python) or method
                fb = fb() if callable(fb) else fb
                if fb is not None:
                    r["fallbacks"] = int(fb)
            out[name] = r
        if self.file_sink is not None:
            out["recording"] = {
                "meta": self.meta_path,
                "data": self.data_path,
                "sigmf_validated": self.recording_validated,
            }
        if self.input_datatype:
            out["input_datatype"] = self.input_datatype
        return out


def report(res, stream=None):
    import sys

    w = (stream or sys.stdout).write
    w(
        f"gr-diffusion-link --waveform ofdm: source {res['source']}, sink {res['sink']}; "
        f"{res['packet_len']}-byte packets, {res['bps_payload']} bit(s)/carrier, sync "
        f"threshold {res['sync_threshold']:g}\n"
    )
    ch = res.get("channel")
    if ch and "family" in ch:
        w(
            f"channel: TDL {ch['family']} block fading, "
            f"SNR {ch['snr_db_per_carrier']:g} dB/carrier\n"
        )
    n = res.get("packets_sent")
    for name, label in (("stock", "stock ofdm_rx (LS)"), ("denoised", "ofdm_denoised_rx")):
        r = res.get(name)
        if r is None:
            continue
        line = f"  {label:20s} packets with CRC32 ok {r['crc_ok']:6d}"
        if n is not None:
            line += f" of {n} sent ({r['success_rate']:.3f}), correct payloads {r['correct']}"
        if "fallbacks" in r:
            line += f", prior fallbacks {r['fallbacks']}"
        w(line + "\n")
    if "recording" in res:
        w(f"recorded {res['recording']['data']} (+ .sigmf-meta)\n")
