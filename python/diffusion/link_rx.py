#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Receiver of the gr-diffusion over-the-air link, as one hierarchical block.

    complex baseband (sps samples/symbol; simulated channel, SigMF/raw file or an SDR)
      -> RMS AGC: x / RMS(x) (one-pole average of |x|^2, start-up bias removed)
                                                      blocks.rms_cf, ...
      -> coarse frequency correction (optional)       digital.fll_band_edge_cc
      -> matched filter + symbol timing recovery      digital.pfb_clock_sync_ccf (RRC bank)
      -> frame sync by preamble correlation, CFO/phase/gain from the preamble (no phase
         ambiguity), pilot-aided (+ decision-directed) phase tracking, one-tap
         equalization to unit power, noise level per frame
                                                      diffusion.preamble_sync (Python)
      -> DDPM denoiser, sigma2 per frame as a stream  diffusion.ddpm_denoiser (C++)
      -> hard decisions                               digital.constellation_decoder_cb +
                                                      digital.chunks_to_symbols_bc

Outputs (payload symbols only, 1 sample/symbol): 0 denoised (DDPM), 1 equalized (before
the denoiser), 2 hard decisions of the denoised symbols (constellation points), 3 the known
reference payload of each frame (NaN where a frame matches no pool entry), 4 sigma2 (float).
With ``metrics`` on, two reconstruction-metrics probes (reference vs equalized, reference vs
denoised; diffusion.reconstruction_metrics) run inside; read them with metrics().
"""

import math

from gnuradio import blocks, digital, filter, gr

from .core.samplers import MODES as SAMPLER_MODES
from .link.framing import RRC_SPAN, LinkConfig
from .preamble_sync import preamble_sync
from .reconstruction_metrics import reconstruction_metrics

MODES = SAMPLER_MODES + ("none",)  # the denoiser's modes, or none
PFB_FILTERS = 32


def _cpp():
    from . import diffusion_python

    return diffusion_python


class link_rx(gr.hier_block2):
    """gr-diffusion link receiver: AGC, FLL, matched filter + timing recovery, preamble
    sync/carrier recovery/equalization/noise estimation, DDPM denoiser, hard decisions.

    Link parameters (must match the transmitter, see diffusion.link.framing.LinkConfig):
    constellation, sps, rolloff, preamble_len, payload_len, payload_seed, n_payloads,
    payload_file, pilot_interval, pilot_len.

    Receiver: agc_rate (1 / time constant of the RMS AGC, in samples; 0 = no AGC); fll_bw
    (loop bandwidth of the band-edge FLL, rad/sample; 0 = off: the preamble sync alone
    handles offsets up to ~1 % of the sample rate; ~0.004 for radios whose oscillators
    differ more); timing_bw
    (loop bandwidth of the clock sync); threshold (preamble detection, normalised
    correlation); dd_block (decision-directed phase refinement block, symbols; 0 = off);
    noise_est ('em', or 'preamble': from the known symbols only).

    Denoiser: model ('' = the shipped model of the constellation), mode ('tweedie', 'ddim',
    'posterior', 'paper' or 'none' = bypass), ddim_steps, provider ('cpu', 'cuda',
    'tensorrt'), threads, batch_size. metrics: run the two metric probes. max_magnitude:
    input samples with |x| above it (or NaN/Inf) are replaced by 0 before anything else
    (diffusion.sample_guard; input units).
    """

    def __init__(
        self,
        constellation="16qam",
        sps=4,
        rolloff=0.35,
        preamble_len=64,
        payload_len=1024,
        payload_seed=0,
        n_payloads=8,
        payload_file="",
        pilot_interval=128,
        pilot_len=8,
        agc_rate=1e-3,
        fll_bw=0.0,
        timing_bw=0.01,
        threshold=0.3,
        dd_block=32,
        noise_est="em",
        model="",
        mode="tweedie",
        ddim_steps=5,
        provider="cpu",
        threads=1,
        batch_size=4096,
        metrics=True,
        max_magnitude=1e6,
    ):
        gr.hier_block2.__init__(
            self,
            "link_rx",
            gr.io_signature(1, 1, gr.sizeof_gr_complex),
            gr.io_signaturev(5, 5, [gr.sizeof_gr_complex] * 4 + [gr.sizeof_float]),
        )
        self.config = LinkConfig(
            constellation=constellation,
            sps=sps,
            rolloff=rolloff,
            preamble_len=preamble_len,
            payload_len=payload_len,
            payload_seed=payload_seed,
            n_payloads=n_payloads,
            payload_file=payload_file,
            pilot_interval=pilot_interval,
            pilot_len=pilot_len,
        )
        mode = str(mode).lower()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        for name, v in (("agc_rate", agc_rate), ("fll_bw", fll_bw)):
            if not (v >= 0 and math.isfinite(v)):
                raise ValueError(f"{name} must be >= 0, got {v}")
        if not timing_bw > 0:
            raise ValueError(f"timing_bw must be > 0, got {timing_bw}")
        c = self.config
        if not (max_magnitude > 0 and math.isfinite(max_magnitude)):
            raise ValueError(f"max_magnitude must be finite and > 0, got {max_magnitude}")
        # First of all, the input guard: NaN/Inf or |x| > max_magnitude samples become 0
        # (tagged, logged per burst). pfb_clock_sync_ccf crashes on NaN/Inf (in VOLK) and an
        # AGC or loop filter fed 1e30 stays poisoned long after the burst.
        self.guard = _cpp().sample_guard(float(max_magnitude))
        self.connect(self, self.guard)
        inp = self.guard
        chain = []
        self.agc = None
        if agc_rate > 0:
            # RMS AGC: x * R1 / (Rx + floor), Rx the RMS of x from a one-pole average of |x|^2
            # (time constant 1/agc_rate samples), R1 the same filter on a stream of ones that
            # starts with x, which removes the start-up bias of the average: right from the
            # first samples, at any input level. The slow average leaves the QAM amplitudes
            # alone; the preamble sync then sets the exact gain of every frame.
            a = float(agc_rate)
            self.agc_rms = blocks.rms_cf(a)
            self.agc_floor = blocks.add_const_ff(1e-20)
            self.agc_zero = blocks.multiply_const_cc(0.0)
            self.agc_one = blocks.add_const_cc(1.0)
            self.agc_rms1 = blocks.rms_cf(a)
            self.agc_ratio = blocks.divide_ff()
            self.agc_f2c = blocks.float_to_complex()
            self.agc = blocks.multiply_cc()
            self.connect(inp, self.agc_rms, self.agc_floor, (self.agc_ratio, 1))
            self.connect(inp, self.agc_zero, self.agc_one, self.agc_rms1, (self.agc_ratio, 0))
            self.connect(self.agc_ratio, self.agc_f2c, (self.agc, 1))
            self.connect(inp, (self.agc, 0))
        self.fll = None
        if fll_bw > 0:
            self.fll = digital.fll_band_edge_cc(c.sps, c.rolloff, 16 * c.sps + 1, float(fll_bw))
            chain.append(self.fll)
        nf = PFB_FILTERS
        taps = filter.firdes.root_raised_cosine(
            nf, nf, 1.0 / c.sps, c.rolloff, RRC_SPAN * c.sps * nf + 1
        )
        self.clock_sync = digital.pfb_clock_sync_ccf(
            c.sps, float(timing_bw), taps, nf, nf // 2, 1.5, 1
        )
        chain.append(self.clock_sync)
        self.sync = preamble_sync(
            c.constellation,
            c.preamble_len,
            c.payload_len,
            c.payload_seed,
            c.n_payloads,
            c.payload_file,
            c.pilot_interval,
            c.pilot_len,
            threshold,
            dd_block,
            noise_est,
        )
        chain.append(self.sync)
        if self.agc is not None:
            self.connect(self.agc, *chain)
        else:
            self.connect(inp, *chain)
        self.constellation = self.sync.const

        eq, s2, ref = (self.sync, 0), (self.sync, 1), (self.sync, 2)
        self.denoiser = None
        if mode == "none":
            den = eq
        else:
            cpp = _cpp()
            if not model:
                from .core.model_files import shipped_model

                model = shipped_model(c.constellation)
            self.model = model
            self.denoiser = cpp.ddpm_denoiser(
                model,
                cpp.ddpm_denoiser.mode_t(SAMPLER_MODES.index(mode)),
                int(ddim_steps),
                cpp.ddpm_denoiser.NOISE_STREAM,
                15.0,
                str(provider),
                int(threads),
                int(batch_size),
                0,
            )
            self.connect(eq, (self.denoiser, 0))
            self.connect(s2, (self.denoiser, 1))
            den = self.denoiser
        pts = [complex(p) for p in self.constellation.points]
        self._dconst = digital.constellation_calcdist(
            pts, list(range(len(pts))), 4, 1, digital.constellation.NO_NORMALIZATION
        )
        self.decoder = digital.constellation_decoder_cb(self._dconst.base())
        self.mapper = digital.chunks_to_symbols_bc(pts, 1)
        self.connect(den, self.decoder, self.mapper)

        outs = (den, eq, self.mapper, ref, s2)
        for i, src in enumerate(outs):
            self.connect(src, (self, i))
        # every output also feeds a null sink, so that outputs left unconnected outside
        # (optional in GRC) leave no internal block without a reader
        self.nulls = [
            blocks.null_sink(gr.sizeof_float if i == 4 else gr.sizeof_gr_complex)
            for i in range(len(outs))
        ]
        for src, n in zip(outs, self.nulls):
            self.connect(src, n)

        self.probe_eq = self.probe_den = None
        if metrics:
            probe = reconstruction_metrics
            self.probe_eq = probe(c.constellation, 1 << 30, 0, False)
            self.probe_den = probe(c.constellation, 1 << 30, 0, False)
            self.connect(ref, (self.probe_eq, 0))
            self.connect(eq, (self.probe_eq, 1))
            self.connect(ref, (self.probe_den, 0))
            self.connect(den, (self.probe_den, 1))

    # ------------------------------------------------------------------ run time
    def metrics(self):
        """{'equalized': {...}, 'denoised': {...}, 'frames', 'frames_identified', 'last_frame'}
        (metric dicts as diffusion.core.metrics; empty without the probes)."""
        out = {
            "frames": self.sync.frames(),
            "frames_identified": self.sync.frames_identified(),
            "last_frame": self.sync.last_info(),
        }
        if self.probe_eq is not None:
            out["equalized"] = self.probe_eq.metrics()
            out["denoised"] = self.probe_den.metrics()
        return out

    def summary(self):
        """One line: frames, estimated Es/N0, SER/BER/MSE of the equalized and the denoised
        symbols against the known payload (for a print or a Function Probe)."""
        st = self.sync.stats()
        if not st.get("frames"):
            return "link_rx: no frame yet"
        parts = [
            f"frames {st['frames']} (identified {st['frames_identified']}), "
            f"Es/N0 {st['esn0_db']:.2f} dB"
        ]
        m = self.metrics()
        for key in ("equalized", "denoised"):
            d = m.get(key)
            if d and d.get("n"):
                parts.append(
                    f"{key}: SER {d['ser']:.3e} BER {d['ber']:.3e} MSE {d['mse_db']:.2f} dB"
                )
        return "; ".join(parts)

    def set_mode(self, mode, ddim_steps=5):
        """Switch the denoiser's sampler at run time ('tweedie', 'ddim', 'posterior',
        'paper'). A receiver built without a denoiser (mode 'none') cannot get one at run
        time, nor can the denoiser be bypassed at run time: both only log a warning."""
        mode = str(mode).lower()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if self.denoiser is None or mode == "none":
            if (self.denoiser is None) != (mode == "none"):
                gr.log.warn(
                    "link_rx: the denoiser is chosen at construction (mode 'none' "
                    "or not); ignoring the run-time change to " + repr(mode)
                )
            return
        cpp = _cpp()
        self.denoiser.set_mode(cpp.ddpm_denoiser.mode_t(SAMPLER_MODES.index(mode)), int(ddim_steps))

    def set_timing_bw(self, bw):
        self.clock_sync.set_loop_bandwidth(float(bw))

    def set_fll_bw(self, bw):
        if self.fll is not None:
            self.fll.set_loop_bandwidth(float(bw))
