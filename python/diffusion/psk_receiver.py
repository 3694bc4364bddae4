#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Receive path for third-party PSK signals (hierarchical block): complex baseband at ``sps``
samples per symbol in, denoised symbols and decisions out. The carrier offset is acquired
feed-forward from the signal's M-th power spectral line (:class:`carrier_acquisition`); GNU
Radio's own blocks do what they do well: matched filter (RRC), timing (symbol_sync, Gardner
detector), carrier phase (Costas loop, or none for window models that track the phase
themselves); then :class:`symbol_normalizer` scales to unit signal power with sigma2 per
symbol, the C++ DDPM denoiser denoises with that sigma2, and decisions are taken on the
denoised symbols (coherent, or differential where the phase is ambiguous). The earlier front
end (band-edge FLL + polyphase clock sync) stays available as ``front_end='fll'``: it needs
thousands of symbols to pull in an offset of a few hundred Hz at low SNR (docs: issue 21's
measurements in bench/results_orbcomm_receivers.md)."""

import cmath
import math

from gnuradio import blocks, digital, filter, gr

from . import diffusion_python as _cpp
from .carrier_acquisition import carrier_acquisition
from .core.carrier_acquisition import power_line_offset as _power_line_offset
from .core.carrier_acquisition import power_order as _power_order
from .core.samplers import MODES as _MODES
from .link.psk_signal import PI4DQPSK_DIBIT_OF_QUARTER_TURNS as _PI4_DIBITS
from .no_signal_gate import no_signal_gate
from .symbol_normalizer import symbol_normalizer

DECISIONS = ("sdpsk", "dqpsk", "dbpsk", "coherent", "pi4dqpsk")
CARRIERS = ("costas", "none")
CONSTELLATIONS = ("qpsk", "bpsk")
#: modulation -> (constellation, decisions): the shorthand of psk_receiver(modulation=...)
MODULATIONS = {
    "bpsk": ("bpsk", "coherent"),
    "dbpsk": ("bpsk", "dbpsk"),
    "qpsk": ("qpsk", "coherent"),
    "dqpsk": ("qpsk", "dqpsk"),
    "sdpsk": ("qpsk", "sdpsk"),
    "pi4dqpsk": ("qpsk", "pi4dqpsk"),
}
#: the ``modulation`` names, in order (the app's --modulation choices)
MODULATION_NAMES = tuple(MODULATIONS)
#: pi/4-DQPSK: rotation per symbol (rad) applied after symbol_sync, exp(j n PI4_DEROTATION)
#: on symbol n (blocks.rotator_cc), so that the Costas loop, the normaliser and the QPSK
#: priors see plain QPSK; its sign fixes the dibit table (link.psk_signal)
PI4_DEROTATION = -math.pi / 4
#: the prior psk_receiver loads for a constellation when model_path is empty: the window
#: prior for BPSK (models/bpsk_pn_w32.md; it serves DBPSK as well: differentially encoded
#: random bits give the same symbol law), the per-symbol model for QPSK
DEFAULT_PRIORS = {"qpsk": "qpsk", "bpsk": "bpsk_pn_w32"}
#: where a Costas loop of order M puts the points (rad): BPSK on the real axis, QPSK at 45
#: degrees (GNU Radio's costas_loop_cc phase detectors)
COSTAS_LOCK_PHASE = {2: 0.0, 4: math.pi / 4}
FRONT_ENDS = ("acquisition", "fll")
#: symbol_sync_cc's settings (Gardner detector): damping, TED gain, max deviation (samples)
TIMING_DAMPING, TIMING_TED_GAIN, TIMING_MAX_DEV = 1.0, 1.0, 1.5
#: symbol_sync_cc (Gardner, MMSE 8-tap) starts cleanest for symbol instants at its input
#: sample SYMBOL_SYNC_START modulo sps: measured with GNU Radio 3.10.5 on noise-free DQPSK
#: delayed in steps of 0.25-1 sample over a symbol at 2, 3, 4, 5 and 8 samples/symbol: the
#: loop locks within ~40 symbols there and hangs ~150 symbols for instants half a symbol away
#: (tests/test_psk_receiver_timing_start.py)
SYMBOL_SYNC_START = 3.0


def timing_start_phase(sps):
    """Where psk_receiver's carrier_acquisition puts the symbol instants (samples modulo
    ``sps``, its ``timing_target``): the input sample that the RRC matched filter of
    :func:`rrc_matched_filter` (delay (ntaps - 1) / 2) takes to :data:`SYMBOL_SYNC_START`."""
    sps = int(sps)
    ntaps = len(filter.firdes.root_raised_cosine(1.0, sps, 1.0, 0.35, 11 * sps))
    return float((SYMBOL_SYNC_START - (ntaps - 1) / 2) % sps)


def rrc_matched_filter(sps, rolloff):
    """GNU Radio RRC matched filter at ``sps`` samples/symbol (11 symbols, unit gain at DC)."""
    return filter.fir_filter_ccf(
        1, filter.firdes.root_raised_cosine(1.0, sps, 1.0, float(rolloff), 11 * sps)
    )


def gardner_symbol_sync(sps, loop_bw, max_dev=TIMING_MAX_DEV):
    """digital.symbol_sync_cc with the Gardner detector, MMSE 8-tap interpolator, 1 sample
    per symbol out (the settings of psk_receiver and of the textbook baseline); ``max_dev``
    the largest deviation (samples) of the loop's average symbol period from ``sps``."""
    return digital.symbol_sync_cc(
        digital.TED_GARDNER,
        float(sps),
        float(loop_bw),
        TIMING_DAMPING,
        TIMING_TED_GAIN,
        float(max_dev),
        1,
        digital.constellation_qpsk().base(),
        digital.IR_MMSE_8TAP,
        128,
        [],
    )


def orientation_offset(points, order):
    """Angle (rad, in [-pi/M, pi/M)) of a constellation's points modulo its M-fold symmetry
    relative to where a Costas loop of order M puts them (:data:`COSTAS_LOCK_PHASE`): the
    rotation that takes the loop's output to the points (0 for BPSK on the real axis and
    QPSK at 45 degrees)."""
    import numpy as np

    m = int(order)
    p = np.asarray(points, np.complex128)
    lock = COSTAS_LOCK_PHASE.get(m, 0.0)
    rot = (np.angle(np.mean(p**m) * np.exp(-1j * m * lock))) / m
    return float(rot) if abs(rot) > 1e-6 else 0.0


def decision_order(constellation, decisions):
    """M of the M-th power carrier acquisition for a constellation and decision rule."""
    if decisions in ("sdpsk", "pi4dqpsk"):
        return _power_order(decisions)
    return _power_order(constellation)


class psk_receiver(gr.hier_block2):
    """PSK receive path with the DDPM denoiser.

    psk_receiver(sps=2, rolloff=0.4, constellation='qpsk', mode='tweedie', model_path='',
    fll_bw=0.01, timing_bw=0.02, costas_bw=0.02, time_constant=256, carrier='costas',
    decisions='sdpsk', window_hop=0, front_end='acquisition', acquisition_window=1024,
    power_order=0, modulation='', noise_estimator='m2m4', timing_max_dev=1.5)

    ``modulation`` (shorthand, :data:`MODULATIONS`; overrides ``constellation`` and
    ``decisions``): 'bpsk' (coherent), 'dbpsk', 'qpsk' (coherent), 'dqpsk', 'sdpsk',
    'pi4dqpsk' (pi/4-DQPSK: the symbols out of symbol_sync are derotated by
    exp(-j n pi/4), :data:`PI4_DEROTATION`, so the Costas loop of order 4, the normaliser and
    the QPSK priors such as qpsk_pn_w32 see plain QPSK; the carrier acquisition uses the 4th
    power line at 4 f + 1/(2 sps) (core.carrier_acquisition.power_line_offset; the 8th power,
    ``power_order=8``, strips the modulation too but amplifies the noise more: its line was
    not significant in the 1024-sample window at Es/N0 8 dB, the 4th's was from 4-6 dB); an
    unknown start n0 of the count is a constant rotation by n0 pi/4, which the Costas loop
    removes and differential decisions do not see; a symbol slip of the timing loop shifts
    n0 by one: a 45-degree step, on the decision boundary for that one dibit, after which
    the Costas loop relocks on the next quarter turn).
    ``constellation`` 'qpsk' or 'bpsk': the Costas loop's order (4 or 2), the M of the
    carrier acquisition, and the prior loaded when ``model_path`` is empty
    (:data:`DEFAULT_PRIORS`: bpsk_pn_w32 for BPSK, the per-symbol qpsk model for QPSK).

    Input: complex baseband, ``sps`` samples per symbol, root-raised-cosine pulses of roll-off
    ``rolloff``, any carrier offset within +-1/(2 sps) cycles/sample; NaN / Inf / |x| > 1e6
    samples are erased to 0 first (``self.guard``, the C++ sample_guard: tagged, warned per
    burst), since they would stop GNU Radio's symbol_sync and with it the flowgraph.
    Front end ``'acquisition'`` (default): :class:`carrier_acquisition` removes the carrier
    offset estimated from the M-th power line (M = ``power_order``, 0: from the decisions /
    constellation, 4 for SDPSK and QPSK, 2 for BPSK) of the first ``acquisition_window``
    samples, then re-estimated every window/2 samples over the last 8 windows (its latency:
    the window, at the start only; a stream shorter than it gives no output); it also drops
    the first 0 .. sps - 1 samples so that symbol_sync starts near the symbol instants
    estimated on that window (:func:`timing_start_phase`; started half a symbol off, the
    Gardner loop needed ~150 symbols at 12 dB on ORBCOMM and lost a packet), then RRC
    matched filter, symbol_sync_cc (Gardner, loop bandwidth ``timing_bw``, its average
    symbol period held within ``timing_max_dev`` samples of ``sps``: default
    :data:`TIMING_MAX_DEV`, 1.5; where the symbol rate is known to a fraction of a percent a
    bound of that fraction times ``sps`` keeps the loop from wandering off the period in
    noise, as flowgraphs.satellite_receiver sets it), Costas loop (``costas_bw``).
    ``'fll'``: the earlier band-edge FLL (``fll_bw``) + polyphase clock sync
    (``timing_bw``; ``timing_max_dev`` does not apply) + Costas.
    Output 0: denoised symbols (one per symbol, unit signal power, the model's orientation:
    QPSK points at 45 degrees and BPSK on the real axis, which is where 4th- and 2nd-order
    Costas loops put them; a model whose points lie elsewhere, e.g. BPSK at +-j, gets the
    loop's output rotated to them: ``self.rotation`` rad); output 1: the
    symbols before the denoiser (the stock GNU Radio chain's output, normalised); output 2:
    sigma2 per symbol; output 3: decisions (uint8 per symbol) on output 0:
      'sdpsk'    1 where the phase advances from the previous symbol (Im(s[n] s*[n-1]) > 0),
                 ORBCOMM's SDPSK (diffusion.link.orbcomm); phase-ambiguity free
      'dqpsk'    k: the phase change from s[n-1] to s[n] in quarter turns (0..3): with the
                 Costas loop, coherent decisions differentially decoded; with carrier 'none',
                 the k where s[n] s*[n-1] is nearest k * 90 degrees
      'dbpsk'    1 where the phase turns by 180 degrees (GNU Radio's diff_decoder_bb(2)
                 convention; NRZ-I as in AX.25 is its inverse): with the Costas loop,
                 coherent decisions on the model's points differentially decoded (the
                 textbook DBPSK detector, ~1 dB better than differential detection at
                 BER 1e-2); with carrier 'none', Re(s[n] s*[n-1]) < 0 (differential detection)
      'pi4dqpsk' dibit value 2 b1 + b2 (IS-54 / TETRA Gray table, link.psk_signal:
                 phase step +pi/4 -> 00, +3pi/4 -> 01, -3pi/4 -> 11, -pi/4 -> 10) of the
                 step q pi/2 between derotated symbols (q = 0..3 -> 0, 1, 3, 2): coherent
                 decisions differentially decoded with the Costas loop, the nearest
                 q * 90 degrees of s[n] s*[n-1] without it (differential detection)
      'coherent' index of the nearest point of the model's constellation (keeps the carrier
                 loop's 90-degree ambiguity: resolve it with pilots)
    ``noise_estimator``: the normaliser's estimate of S and sigma2 (symbol_normalizer's
    ``estimator``): 'm2m4' (data-blind) or 'quadrature' (BPSK with carrier 'costas' only:
    sigma2 from the quadrature rail, unaffected by amplitude changes within its window, e.g.
    an AGC settling at each burst's start; flowgraphs.satellite_receiver uses it).
    ``mode`` 'none' bypasses the denoiser (output 0 = output 1). No-signal gate: where
    sigma2 (output 2) is at the normaliser's cap (symbol_normalizer's SIGMA2_CAP, 100:
    Es/N0 -20 dB, no signal found, e.g. for the first few hundred symbols of a burst after
    silence while the normaliser's window still holds the noise) output 0 and the decisions
    take the stock symbol (output 1) instead of the denoised one: a prior at sigma2 = 100
    has no valid noise level and shrinks even strong symbols to ~0 with an arbitrary sign
    (PW-Sat2, bench/results_satellite_recordings.md); a NaN/Inf stock symbol never replaces
    a denoised one (:class:`no_signal_gate`; counted: ``gated_symbols()``).
    ``carrier`` 'none' leaves out the Costas loop: for window models (metadata
    window_length > 1, e.g. qpsk_pn_w32) trained on a wandering carrier phase, with
    differential decisions. For ORBCOMM's SDPSK:
    model_path = sdpsk_pn_w32 (an SDPSK sequence prior), carrier 'costas' or 'none'. For
    BPSK and DBPSK: bpsk_pn_w32; QPSK and DQPSK: qpsk_pn_w32 (random bits differentially
    encoded have the same symbol law as uncoded ones, so one prior serves both).
    All outputs are aligned: the denoiser's latency (a window model's D samples,
    ``self.latency``) delays outputs 1 and 2 by the same amount. Latency of the whole path:
    the matched filter's and the loops' (about 10 symbols) plus ``self.latency``.
    """

    def __init__(
        self,
        sps=2,
        rolloff=0.4,
        constellation="qpsk",
        mode="tweedie",
        model_path="",
        fll_bw=0.01,
        timing_bw=0.02,
        costas_bw=0.02,
        time_constant=256,
        carrier="costas",
        decisions="sdpsk",
        window_hop=0,
        front_end="acquisition",
        acquisition_window=1024,
        power_order=0,
        modulation="",
        noise_estimator="m2m4",
        timing_max_dev=TIMING_MAX_DEV,
    ):
        gr.hier_block2.__init__(
            self,
            "psk_receiver",
            gr.io_signature(1, 1, 8),
            gr.io_signature.makev(4, 4, [8, 8, 4, 1]),
        )
        if int(sps) < 2:
            raise ValueError(f"sps must be >= 2 samples per symbol, got {sps}")
        if not 0.0 < float(rolloff) <= 1.0:
            raise ValueError(f"rolloff must be in (0, 1], got {rolloff}")
        mode = str(mode).lower()
        if mode not in _MODES and mode != "none":
            raise ValueError(f"mode must be one of {sorted(_MODES)} or 'none', got {mode!r}")
        for name, bw in (("fll_bw", fll_bw), ("timing_bw", timing_bw), ("costas_bw", costas_bw)):
            if not 0.0 <= float(bw) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {bw}")
        if not 0.0 < float(timing_max_dev) < float(sps):
            raise ValueError(
                f"timing_max_dev must be in (0, sps) samples, got {timing_max_dev} (sps {sps})"
            )
        if modulation:
            key = str(modulation).lower()
            if key not in MODULATIONS:
                raise ValueError(
                    f"modulation must be one of {sorted(MODULATIONS)} or empty, got {modulation!r}"
                )
            constellation, decisions = MODULATIONS[key]
        constellation = str(constellation).lower()
        if constellation not in CONSTELLATIONS:
            raise ValueError(
                f"constellation must be one of {CONSTELLATIONS}, got {constellation!r}"
            )
        carrier = str(carrier).lower()
        if carrier not in CARRIERS:
            raise ValueError(f"carrier must be one of {CARRIERS}, got {carrier!r}")
        decisions = str(decisions).lower()
        if decisions not in DECISIONS:
            raise ValueError(f"decisions must be one of {DECISIONS}, got {decisions!r}")
        front_end = str(front_end).lower()
        if front_end not in FRONT_ENDS:
            raise ValueError(f"front_end must be one of {FRONT_ENDS}, got {front_end!r}")
        if decisions == "pi4dqpsk" and constellation != "qpsk":
            raise ValueError("decisions 'pi4dqpsk' need constellation 'qpsk' (derotated)")
        sps = int(sps)
        order = int(power_order) or decision_order(str(constellation).lower(), decisions)
        # the Costas loop's order: M, except for pi/4-DQPSK (plain QPSK after the derotation,
        # whatever M the acquisition uses: 4 with its line moved by half the symbol rate, or 8)
        loop_order = _power_order(constellation) if decisions == "pi4dqpsk" else order
        if front_end == "acquisition":
            self.acquisition = carrier_acquisition(
                sps,
                float(rolloff),
                order,
                int(acquisition_window),
                max(1, int(acquisition_window) // 2),
                0.0,
                8 * int(acquisition_window),
                timing_start_phase(sps),
                _power_line_offset(decisions, order),
            )
            self.fll = None
            self.matched = rrc_matched_filter(sps, rolloff)
            self.clock = gardner_symbol_sync(sps, timing_bw, timing_max_dev)
            sync = [self.acquisition, self.matched, self.clock]
        else:
            nfilts = 32
            rrc = filter.firdes.root_raised_cosine(
                nfilts, nfilts, 1.0, float(rolloff), 11 * sps * nfilts
            )
            self.acquisition = None
            self.fll = digital.fll_band_edge_cc(
                sps, float(rolloff), 2 * sps * 11 + 1, float(fll_bw)
            )
            self.clock = digital.pfb_clock_sync_ccf(
                sps, float(timing_bw), rrc, nfilts, nfilts // 2, 1.5, 1
            )
            sync = [self.fll, self.clock]
        # NaN / Inf / absurd samples (a radio, a file) stop GNU Radio's symbol_sync_cc
        # ("imu out of bounds") and with it the flowgraph: erased to 0, tagged and warned
        # first, as link_rx does (sample_guard, default threshold 1e6)
        self.guard = _cpp.sample_guard()
        sync.insert(0, self.guard)
        self.pi4_derotator = None
        if decisions == "pi4dqpsk":
            # exp(j n PI4_DEROTATION) on symbol n: the 8PSK points of pi/4-DQPSK to QPSK
            self.pi4_derotator = blocks.rotator_cc(PI4_DEROTATION)
            sync.append(self.pi4_derotator)
        if str(noise_estimator).lower() == "quadrature" and (
            constellation != "bpsk" or carrier != "costas"
        ):
            raise ValueError(
                "noise_estimator 'quadrature' needs constellation 'bpsk' and carrier 'costas' "
                f"(the points on the real axis), got {constellation!r}, {carrier!r}"
            )
        self.norm = symbol_normalizer(constellation, time_constant, noise_estimator)
        path = ""
        if mode != "none":
            from .core.model_info import resolve

            # a path or a shipped model's name (sdpsk_pn_w32, bpsk_pn_w32, ...)
            path = resolve(model_path or DEFAULT_PRIORS[constellation])
        self.rotation = 0.0
        if carrier == "costas":
            self.costas = digital.costas_loop_cc(float(costas_bw), loop_order, False)
            chain = [self.costas]
            if path:
                from .core.onnx_model import DdpmModel

                own = DdpmModel(path).constellation
                if own is not None and loop_order in COSTAS_LOCK_PHASE:
                    self.rotation = orientation_offset(own.points, loop_order)
            if self.rotation:
                self._rotate = blocks.multiply_const_cc(complex(cmath.exp(1j * self.rotation)))
                chain.append(self._rotate)
            self.connect(self, *sync, *chain, self.norm)
        else:
            self.costas = None
            self.connect(self, *sync, self.norm)
        self.front_end = front_end
        self.power_order = order
        self.latency = 0
        self.model_path = ""
        self.gate = None
        if mode == "none":
            self.denoiser = None
            denoised = (self.norm, 0)
            self.connect((self.norm, 0), (self, 1))
            self.connect((self.norm, 1), (self, 2))
        else:
            self.model_path = path
            dn = _cpp.ddpm_denoiser
            self.denoiser = dn(
                path,
                mode=getattr(dn, mode.upper()),
                ddim_steps=5,
                noise_source=dn.NOISE_STREAM,
                window_hop=int(window_hop),
            )
            self.connect((self.norm, 0), (self.denoiser, 0))
            self.connect((self.norm, 1), (self.denoiser, 1))
            self.latency = int(self.denoiser.latency())
            if self.latency:
                # outputs 1 and 2 wait for the denoiser's window (output n = input n - D)
                self._delay_sym = blocks.delay(gr.sizeof_gr_complex, self.latency)
                self._delay_s2 = blocks.delay(gr.sizeof_float, self.latency)
                self.connect((self.norm, 0), self._delay_sym)
                self.connect((self.norm, 1), self._delay_s2)
                stock, sigma2 = (self._delay_sym, 0), (self._delay_s2, 0)
            else:
                stock, sigma2 = (self.norm, 0), (self.norm, 1)
            self.connect(stock, (self, 1))
            self.connect(sigma2, (self, 2))
            # where sigma2 is at the normaliser's cap (no signal found) the prior has no
            # valid noise level: the stock symbol instead of the denoised one
            self.gate = no_signal_gate()
            self.connect((self.denoiser, 0), (self.gate, 0))
            self.connect(stock, (self.gate, 1))
            self.connect(sigma2, (self.gate, 2))
            denoised = (self.gate, 0)
        self.connect(denoised, (self, 0))
        self._decide(denoised, decisions, constellation, carrier)
        self.sps = sps
        self.constellation = constellation
        self.decisions = decisions
        self.carrier = carrier
        # where the Costas loop puts the points (QPSK at 45 degrees, BPSK on the real axis)
        self.symbol_phase_rad = COSTAS_LOCK_PHASE.get(loop_order, 0.0) + self.rotation

    def gated_symbols(self):
        """Symbols so far put out undenoised because sigma2 was at the normaliser's cap
        (output 0 = output 1 there; :class:`no_signal_gate`); 0 with mode 'none'."""
        return self.gate.gated_symbols() if self.gate is not None else 0

    def _decide(self, src, decisions, constellation, carrier):
        # with the Costas loop, differential data come from coherent decisions differentially
        # decoded (the textbook DBPSK / DQPSK detector); without it, differential detection
        decoded = decisions in ("dbpsk", "dqpsk", "pi4dqpsk") and carrier == "costas"
        if decisions == "coherent" or decoded:
            from .core.constellations import by_name

            pts = by_name(constellation)
            if self.model_path:
                from .core.onnx_model import DdpmModel  # the model's own points

                own = DdpmModel(self.model_path).constellation
                pts = own if own is not None else pts
            points = [complex(p) for p in pts.points]
            if decoded:
                m = {"dbpsk": 2, "dqpsk": 4, "pi4dqpsk": 4}[decisions]
                if len(points) != m:
                    raise ValueError(f"decisions {decisions!r} need a {m}-point constellation")
                # indices in counterclockwise order: (index[n] - index[n-1]) mod M is the
                # phase change in 1/M turns (DBPSK: 1 where the symbol flips)
                points = sorted(points, key=lambda p: cmath.phase(p) % (2 * math.pi))
            const = digital.constellation_calcdist(points, list(range(len(points))), 4, 1).base()
            chain = [digital.constellation_decoder_cb(const)]
            if decoded:
                chain.append(digital.diff_decoder_bb(len(points)))
            if decisions == "pi4dqpsk":
                chain.append(digital.map_bb(list(_PI4_DIBITS)))
        else:
            diff = digital.diff_phasor_cc()
            if decisions == "sdpsk":
                # 1 where Im > 0 (orbcomm.differential_bits): NOT(-Im >= 0) as (b + 1) & 1
                chain = [
                    diff,
                    blocks.complex_to_imag(),
                    blocks.multiply_const_ff(-1.0),
                    digital.binary_slicer_fb(),
                    blocks.add_const_bb(1),
                    blocks.and_const_bb(1),
                ]
            elif decisions == "dbpsk":
                # 1 where Re < 0: NOT(Re >= 0) as (b + 1) & 1
                chain = [
                    diff,
                    blocks.complex_to_real(),
                    digital.binary_slicer_fb(),
                    blocks.add_const_bb(1),
                    blocks.and_const_bb(1),
                ]
            else:
                const = digital.constellation_calcdist([1, 1j, -1, -1j], [0, 1, 2, 3], 4, 1)
                chain = [diff, digital.constellation_decoder_cb(const.base())]
                if decisions == "pi4dqpsk":
                    chain.append(digital.map_bb(list(_PI4_DIBITS)))
        self._decider = chain
        # a null sink beside output 3, so a flowgraph may leave the decisions unconnected
        self._decisions_null = blocks.null_sink(1)
        self.connect(src, *chain)
        self.connect(chain[-1], (self, 3))
        self.connect(chain[-1], self._decisions_null)
