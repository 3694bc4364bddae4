#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Receiving a PSK signal the module did not transmit (needs GNU Radio): a recording (raw
cf32 or SigMF) or an SDR -> :class:`diffusion.psk_receiver` -> denoised symbols, decisions
and, for a known protocol, packets. ``gr-diffusion-link --rx psk`` is argument parsing over
:class:`ThirdPartyFlowgraph`.

Options (an ``argparse.Namespace``; :func:`add_third_party_arguments` adds the ones the link
does not have): source / input / radio options, sps, rolloff, constellation, mode, model,
ddim_steps (the link's), and carrier, decisions, modulation (psk_receiver's
shorthand: sets constellation and decisions), window_hop, packets, flush.
``--packets orbcomm`` decodes ORBCOMM downlink packets (SDPSK, :mod:`diffusion.link.orbcomm`)
from the decisions and reports those with valid Fletcher-16 sums.
"""

import os

import numpy as np
from gnuradio import blocks, gr

from ..link import orbcomm
from ..link import sigmf as link_sigmf
from ..psk_receiver import CARRIERS, DECISIONS, FRONT_ENDS, MODULATIONS, psk_receiver
from .link_flowgraph import RADIOS, LinkError, make_radio_source, sigmf_file_source

#: packet decoders: ORBCOMM (here), amateur satellites (flowgraphs.satellite_app)
PACKETS = ("none", "orbcomm", "satellite")


def add_third_party_arguments(ap):
    """The third-party receiver's own options (the rest are the link's)."""
    g = ap.add_argument_group("third-party receiver (--rx psk; docs/app.md)")
    g.add_argument(
        "--rx",
        choices=("link", "psk"),
        default="link",
        help="link: this module's frames (default); psk: a third-party PSK signal",
    )
    g.add_argument("--carrier", choices=CARRIERS, default="costas", help="carrier phase loop")
    g.add_argument(
        "--front-end",
        choices=FRONT_ENDS,
        default="acquisition",
        help="acquisition: carrier offset from the M-th power line + Gardner + Costas "
        "(default); fll: band-edge FLL + polyphase clock sync + Costas",
    )
    g.add_argument(
        "--acquisition-window",
        type=int,
        default=1024,
        help="samples of the carrier-offset estimate (held at the start; a shorter file is "
        "padded with zeros)",
    )
    g.add_argument("--decisions", choices=DECISIONS, default="sdpsk")
    g.add_argument(
        "--modulation",
        choices=sorted(MODULATIONS),
        default="",
        help="psk_receiver's shorthand for --constellation and --decisions (e.g. bpsk: "
        "coherent BPSK, dqpsk, sdpsk); overrides both",
    )
    g.add_argument("--window-hop", type=int, default=0, help="window models: hop (0 = W/2)")
    g.add_argument("--packets", choices=PACKETS, default="none", help="packet decoder")
    g.add_argument(
        "--flush", type=int, default=64, help="zero symbols appended to a file (loops, windows)"
    )
    return ap


class ThirdPartyFlowgraph(gr.top_block):
    """source -> psk_receiver -> sinks (denoised symbols to -o BASE as SigMF cf32, decisions,
    sigma2) for ``--rx psk`` (module doc)."""

    def __init__(self, args):
        gr.top_block.__init__(self, "gr-diffusion third-party receiver")
        self.args = args
        if args.source not in ("file",) + RADIOS:
            raise LinkError("--rx psk needs --source file (-i) or an SDR source")
        modulation = getattr(args, "modulation", "") or ""
        if modulation:
            args.constellation, args.decisions = MODULATIONS[modulation]
        if args.packets == "satellite":
            raise LinkError("--packets satellite runs flowgraphs.satellite_app, not this one")
        if args.packets == "orbcomm" and args.decisions != "sdpsk":
            raise LinkError("--packets orbcomm needs --decisions sdpsk (or --modulation sdpsk)")
        self.live = args.source in RADIOS
        model = ""
        if args.model:
            from ..core.model_info import ModelFileError, resolve

            try:
                model = resolve(args.model)  # a path or a shipped name (qpsk_pn_w32)
            except ModelFileError as e:
                raise LinkError(str(e)) from e
        self.rx = psk_receiver(
            sps=args.sps,
            rolloff=args.rolloff,
            constellation=args.constellation,
            mode=args.mode,
            model_path=model,
            carrier=args.carrier,
            decisions=args.decisions,
            window_hop=args.window_hop,
            front_end=getattr(args, "front_end", "acquisition"),
            acquisition_window=getattr(args, "acquisition_window", 1024),
        )
        if self.live:
            self.src, self.hw = make_radio_source(args)
            head = self.src
        else:
            head = self._file_source(args)
        self.connect(head, self.rx)
        self.sym_sink = blocks.vector_sink_c()
        self.dec_sink = blocks.vector_sink_b()
        self.s2_sink = blocks.vector_sink_f()
        self.connect((self.rx, 0), self.sym_sink)
        self.connect((self.rx, 2), self.s2_sink)
        self.connect((self.rx, 3), self.dec_sink)
        self.connect((self.rx, 1), blocks.null_sink(gr.sizeof_gr_complex))
        self.file_sink = None
        if args.output:
            data_path, _ = link_sigmf.sigmf_paths(args.output)
            self.file_sink = blocks.file_sink(gr.sizeof_gr_complex, data_path, False)
            self.file_sink.set_unbuffered(False)
            self.connect((self.rx, 0), self.file_sink)

    def _file_source(self, args):
        if not args.input:
            raise LinkError("--source file needs -i/--input (raw cf32 or SigMF)")
        path, fmt, header = args.input, None, 0
        data_path, meta_path = link_sigmf.sigmf_paths(path)
        self.sample_rate = None
        is_sigmf = path.endswith((".sigmf-meta", ".sigmf-data", ".sigmf")) or (
            not os.path.isfile(path) and os.path.isfile(meta_path)
        )
        if is_sigmf:
            info = link_sigmf.read_meta(meta_path)  # ValueError naming the file
            fmt, header, path = info["format"], info["header_bytes"], info["data_path"]
            self.sample_rate = info["sample_rate"]
            n = info["num_samples"]
        elif os.path.isfile(path):
            n = os.path.getsize(path) // gr.sizeof_gr_complex  # raw cf32
        else:
            raise LinkError(f"{path}: no such file (raw cf32 or a SigMF recording)")
        chain = sigmf_file_source(path, fmt, header)
        nflush = max(0, int(args.flush)) * int(args.sps)
        if getattr(args, "front_end", "acquisition") == "acquisition":  # holds its 1st window
            nflush += max(0, int(getattr(args, "acquisition_window", 1024)) - int(n))
        if len(chain) > 1:
            self.connect(*chain)
        if nflush == 0:
            return chain[-1]
        # the file, then zeros that push the last symbols through the loops and windows
        flush = blocks.vector_source_c([0j] * nflush, False)
        cat = blocks.stream_mux(gr.sizeof_gr_complex, [int(n), nflush])
        self.connect(chain[-1], (cat, 0))
        self.connect(flush, (cat, 1))
        return cat

    def finalize(self):
        """Close the -o recording and write its SigMF metadata (symbol-rate cf32)."""
        if self.file_sink is None:
            return None
        self.file_sink.close()
        rate = (self.sample_rate or self.args.samp_rate) / self.args.sps
        meta = link_sigmf.build(
            rate,
            description=(
                f"gr-diffusion third-party receiver: denoised {self.args.constellation} "
                f"symbols, unit signal power, mode {self.args.mode}"
            ),
            recorder="gr-diffusion-link --rx psk",
        )
        _, meta_path = link_sigmf.sigmf_paths(self.args.output)
        meta.tofile(meta_path, overwrite=True)
        return link_sigmf.finalize_meta(self.args.output)

    def results(self):
        sym = np.array(self.sym_sink.data())
        dec = np.array(self.dec_sink.data(), dtype=np.uint8)
        s2 = np.array(self.s2_sink.data())
        res = {
            "receiver": "psk",
            "source": self.args.source,
            "constellation": self.args.constellation,
            "mode": self.args.mode,
            "model": self.rx.model_path,
            "carrier": self.args.carrier,
            "decisions": self.args.decisions,
            "latency_symbols": self.rx.latency,
            "symbols": int(sym.size),
        }
        ok = s2[np.isfinite(s2) & (s2 > 0)]
        if ok.size:
            res["esn0_db"] = float(-10.0 * np.log10(np.median(ok[ok.size // 10 :])))
        if self.args.packets == "orbcomm":
            pk = orbcomm.decode_packets(dec[1:])
            res["packets"] = [p.hex() for p in pk]
            res["packets_valid"] = len(pk)
        return res


def report(res, stream=None):
    import sys

    w = (stream or sys.stdout).write
    w(
        f"gr-diffusion-link --rx psk: {res['constellation']}, mode {res['mode']}, carrier "
        f"{res['carrier']}, decisions {res['decisions']}, latency {res['latency_symbols']} "
        f"symbols\n"
    )
    est = res.get("esn0_db")
    w(f"symbols {res['symbols']}, estimated Es/N0 {est:.2f} dB\n" if est is not None else "")
    if "packets" in res:
        w(f"packets with valid checksums: {res['packets_valid']}\n")
        for p in res["packets"]:
            w(f"  {p}\n")
