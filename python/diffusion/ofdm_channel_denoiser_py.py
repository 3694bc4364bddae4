#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""OFDM channel denoiser, Python block: the posterior mean of the channel under a learned
prior, in place of GNU Radio's LS taps (docs/ofdm.md).

Sits between ``digital.ofdm_chanest_vcvc`` and ``digital.ofdm_frame_equalizer_vcvc``: items
are OFDM symbols (fft_len complex, FFT-shifted as GNU Radio's OFDM blocks carry them).  On
every item tagged ``ofdm_sync_chan_taps`` the LS taps are replaced by
E[H | LS taps, sigma2] (:class:`diffusion.core.ofdm_estimators.DiffusionEstimator`, Tweedie: one
network call per frame), all other items and tags pass unchanged.  Output 1 (optional, as
chanest's output 1): the rewritten taps as a stream, one vector per frame.  A thin shell over
:mod:`diffusion.core.ofdm_estimators`; the C++ block ``diffusion.ofdm_channel_denoiser``
(lib/ofdm_channel_prior.h, the fused window kernel) is its twin: same estimates to float32
rounding on the same frames (tests/test_ofdm_denoiser_cpp.py).  Sparse pilots
(``pilots='comb'``: only a comb of the LS taps observed, the rest from pilot-guided posterior
sampling, :mod:`diffusion.core.ofdm_sparse_pilots`) exist in this twin only.
"""

import numpy as np
import pmt
from gnuradio import gr

from .core import ofdm_sparse_pilots as sparse
from .core.model_files import find_model
from .core.ofdm_carriers import OfdmLayout
from .core.ofdm_estimators import (
    ChannelPowerTracker,
    DiffusionEstimator,
    LmmseEstimator,
    estimate_noise_variance,
    prior_misfit,
)
from .noise_level import NOISE_VAR_KEY, OFDM_NOISE_VAR_KEY
from .pmt_convert import drain_messages
from .work_guard import WorkGuard, guarded_work

TAPS_KEY = "ofdm_sync_chan_taps"
CARR_OFFSET_KEY = "ofdm_sync_carr_offset"
# the noise estimate leaves delays -4 .. cp_len + 3 to the channel (the sync's backoff)
NOISE_GUARD_DELAYS = 4
PILOT_MODES = ("all", "comb")
NOISE_PORT = "noise"


def first_carrier_set(carriers, what):
    """GNU Radio's carrier argument: a tuple of tuples (one per symbol, cycled) or a flat
    list; the layout uses the first set (the sync symbol's allocation)."""
    c = list(carriers)
    if c and isinstance(c[0], (list, tuple, np.ndarray)):
        c = list(c[0])
    try:
        return [int(k) for k in c]
    except (TypeError, ValueError):
        raise ValueError(f"{what}: integer carrier indices, got {carriers!r}") from None


def resolve_model(model):
    """A model path, or a shipped OFDM model's name ('ofdm_mix': models/ofdm/ofdm_mix.onnx
    in the checkout or share/gr-diffusion/models/ofdm when installed): core.model_files."""
    return find_model(model)


class ofdm_channel_denoiser_py(WorkGuard, gr.basic_block):
    """Replace the LS channel taps on ``ofdm_sync_chan_taps`` by their posterior mean.

    Args:
      model: ONNX channel prior (a path or a shipped name, e.g. 'ofdm_mix'); its metadata
        must state this fft_len and these active carriers (else ValueError naming both).
      fft_len, cp_len, occupied_carriers, pilot_carriers: as ``digital.ofdm_rx``.
      noise_var: noise variance per carrier after the FFT, in the units of the FFT output
        (the LS taps' noise variance with GNU Radio's +-1 sync word); 0 (default): estimated
        per frame from the LS taps' energy outside delays -4 .. cp_len + 3 pooled with the null
        carriers of the tagged symbol (docs/ofdm.md).
      channel_power: the channel's mean power |H|^2 in the same units (the prior's scale);
        0 (default): tracked over frames (exponential average, weight power_alpha).
      taps_key, carr_offset_key: tag names (GNU Radio's defaults).
      mode: 'tweedie' (the posterior mean; default) or 'off' (pass the LS taps: a bypass
        for A/B comparisons).
      noise_tag_key: a tag on input 0 whose value (a real number, the units of noise_var)
        sets noise_var from its item on: on a frame's first symbol, that frame and the
        following ones until changed; a value that is not a finite number >= 0 is ignored
        (warned once; ``bad_noise_tags`` counts them); 0 returns to the estimate. Default
        the OFDM noise tag "ofdm_noise_var" (``noise_level.OFDM_NOISE_VAR_KEY``: per
        carrier after the FFT, not the module's per-sample "noise_var"); "" reads no tag.
      pilots: which LS taps are observed. 'all' (default): every active carrier (GNU
        Radio's sync word). 'comb': only every pilot_spacing-th active carrier plus the
        pilot carriers (``core.ofdm_sparse_pilots.comb_pilots``; a transmitter whose second
        sync word is known only there, or its emulation); the taps on all active carriers
        are then the mean of K posterior samples of pilot-guided DDIM
        (``PilotGuidedSampler.with_robust_error``) with the steps / guidance / eta / K
        chosen on validation frames for this model (``<model>.sparse.json``,
        ``validated_config``; ValueError if the model has none).  The noise variance, when
        estimated, comes from the null carriers of the tagged symbol only (the other
        carriers carry no known symbol); the misfit fallback is the robust pilot LMMSE;
        mode 'off' gives the comb's linear interpolation.  31-35 frames per CPU-second
        (4 x 40 network calls a frame): docs/ofdm.md.
      pilot_spacing: the comb's spacing in active carriers (>= 1; default 4,
        ``ofdm_sparse_pilots.DEFAULT_SPACING``, the spacing the configuration was validated at).
      seed: the sampler's random seed (integer >= 0): one generator for the block's life,
        so a run over the same frames repeats exactly.
    Noise variance at run time (as the C++ twin): ``set_noise_var(v)`` (ValueError unless
    finite and >= 0; 0: estimate), ``noise_var()``, and the "noise" message port:
    ``('noise_var' . v)`` or a dict with ``noise_var`` (per carrier after the FFT), applied
    from the next frame the block handles (the newest valid one queued wins); anything else
    is ignored with a warning (counted: ``bad_noise_msgs``).  A tag, the setter and a
    message set the same value: the latest wins.
    Output 1 (optional: connect it or not, as ``ofdm_chanest_vcvc``'s output 1): one
    fft_len vector per item tagged taps_key (one per frame), the value written on that tag
    (a tag that is not fft_len complex taps passes unchanged and gives zeros), untagged.
    A frame whose LS taps the prior does not explain (residual above 2 sigma2 per carrier:
    e.g. paths beyond the trained delays) gets a robust LMMSE estimate instead (uniform
    delay profile over delays -4 .. cp_len + 3), counted in ``fallbacks``.
    Bad input: a frame (an item tagged carr_offset_key) without taps passes through with
    one warning; NaN/Inf samples leave as 0 and NaN/Inf taps enter as the linear
    interpolation of their finite neighbours (all non-finite: taps of 1), each warned once,
    so no NaN reaches the equalizer.
    """

    def __init__(
        self,
        model="ofdm_mix",
        fft_len=64,
        cp_len=16,
        occupied_carriers=None,
        pilot_carriers=None,
        noise_var=0.0,
        channel_power=0.0,
        power_alpha=0.05,
        taps_key=TAPS_KEY,
        carr_offset_key=CARR_OFFSET_KEY,
        mode="tweedie",
        noise_tag_key=OFDM_NOISE_VAR_KEY,
        pilots="all",
        pilot_spacing=sparse.DEFAULT_SPACING,
        seed=0,
    ):
        from gnuradio.digital import ofdm_txrx

        occ = ofdm_txrx._def_occupied_carriers if occupied_carriers is None else occupied_carriers
        pil = ofdm_txrx._def_pilot_carriers if pilot_carriers is None else pilot_carriers
        self.layout = OfdmLayout(
            fft_len,
            cp_len,
            first_carrier_set(occ, "occupied_carriers"),
            first_carrier_set(pil, "pilot_carriers"),
        )
        vec = (np.complex64, self.layout.fft_len)
        gr.basic_block.__init__(
            self,
            name="ofdm_channel_denoiser_py",
            in_sig=[vec],
            out_sig=gr.py_io_signature(1, 2, [vec, vec]),  # output 1: the taps stream
        )
        self._noise_var = _checked_noise_var(noise_var)
        if mode not in ("tweedie", "off"):
            raise ValueError(f"mode must be 'tweedie' or 'off', got {mode!r}")
        if pilots not in PILOT_MODES:
            raise ValueError(f"pilots must be one of {PILOT_MODES}, got {pilots!r}")
        pilot_spacing = _int_param("pilot_spacing", pilot_spacing, 1)
        seed = _int_param("seed", seed, 0)
        self.mode = mode
        self.pilots = pilots
        self.pilot_spacing = int(pilot_spacing)
        self.seed = int(seed)
        self.power = ChannelPowerTracker(power_alpha, channel_power)
        path = resolve_model(model)
        try:
            self.estimator = DiffusionEstimator(path, self.layout)
        except ValueError as e:
            raise ValueError(f"ofdm_channel_denoiser_py: {e}") from None
        # frames the prior does not explain fall back to a robust LMMSE over the same wide
        # delay window as the noise estimate
        self.fallback = LmmseEstimator.robust(
            self.layout, self.layout.cp_len + 2 * NOISE_GUARD_DELAYS, -NOISE_GUARD_DELAYS
        )
        self.fallbacks = 0
        if pilots == "comb":
            if self.layout.null_pos.size == 0:
                raise ValueError(
                    "pilots='comb' needs null carriers (its noise estimate); this layout has none"
                )
            self.observed = sparse.comb_pilots(self.layout, self.pilot_spacing)
            try:
                self.sparse_config = sparse.validated_config(path)
            except ValueError as e:
                raise ValueError(f"ofdm_channel_denoiser_py(pilots='comb'): {e}") from None
            self.sampler = sparse.PilotGuidedSampler.with_robust_error(
                self.estimator.model, self.observed, self.layout
            )
            self.comb_fallback = sparse.PilotLmmse.robust(self.observed, self.layout)
            self._rng = np.random.default_rng(self.seed)
        else:
            self.observed = np.arange(self.layout.n_active)
            self.sparse_config = None
        self.taps_key = str(taps_key)
        self.carr_offset_key = str(carr_offset_key)
        self.noise_tag_key = str(noise_tag_key)
        if self.noise_tag_key in (self.taps_key, self.carr_offset_key):
            raise ValueError(
                f"noise_tag_key {self.noise_tag_key!r} must differ from taps_key and "
                "carr_offset_key"
            )
        self.noise_tags = 0
        self.bad_noise_tags = 0
        self.noise_msgs = 0
        self.bad_noise_msgs = 0
        self._noise_port = pmt.intern(NOISE_PORT)
        self.message_port_register_in(self._noise_port)  # drained in work: pmt_convert
        self._taps_pmt = pmt.intern(self.taps_key)
        self.set_tag_propagation_policy(gr.TPP_DONT)
        self.frames = 0
        self.rewritten = 0
        self.last_sigma2 = float("nan")
        self._warned = set()

    def _warn_once(self, what, msg):
        if what not in self._warned:
            self._warned.add(what)
            self.logger.warn(msg)

    def denoise_taps(self, taps, symbol, carr_offset=0):
        """Denoised fft_len taps from the LS taps (fft_len) and the tagged symbol."""
        lay = self.layout
        comb = self.pilots == "comb"
        taps = np.asarray(taps, dtype=np.complex128).copy()
        y = taps[lay.active_pos][self.observed]  # the observed carriers (all or the comb)
        bad = ~np.isfinite(y)
        if bad.any():
            self._warn_once(
                "taps", "non-finite LS taps: estimated from the finite carriers (warned once)"
            )
            if bad.all():
                taps[lay.active_pos] = 1.0
                return taps
            # linear interpolation between the nearest finite carriers (ends: held)
            i = np.arange(y.size)
            y[bad] = np.interp(i[bad], i[~bad], y[~bad].real) + 1j * np.interp(
                i[bad], i[~bad], y[~bad].imag
            )
        if self.mode == "off":
            if comb:  # the comb's LS taps, linear interpolation over the carriers
                taps[lay.active_pos] = sparse.linear_interpolation(y, self.observed, lay)
            else:
                taps[lay.active_pos] = y if bad.any() else taps[lay.active_pos]
            return taps
        if self._noise_var > 0:
            s2 = self._noise_var
        else:
            pos = lay.null_pos + int(carr_offset)
            pos = pos[(pos >= 0) & (pos < lay.fft_len)]
            pos = np.setdiff1d(pos, lay.active_pos + int(carr_offset))
            nulls = np.asarray(symbol)[pos]
            nulls = nulls[np.isfinite(nulls)]
            if comb:  # only the null carriers carry no unknown symbol
                if nulls.size:
                    s2 = float(np.mean(np.abs(nulls) ** 2))
                else:  # all shifted out or non-finite: the previous frame's
                    self._warn_once(
                        "nonulls",
                        "no finite null carrier to estimate the noise: the previous frame's "
                        "estimate used (warned once)",
                    )
                    s2 = self.last_sigma2 if np.isfinite(self.last_sigma2) else 0.0
            else:
                s2 = estimate_noise_variance(
                    y[None],
                    nulls[None] if nulls.size else None,
                    lay,
                    n_delays=lay.cp_len + 2 * NOISE_GUARD_DELAYS,
                    first=-NOISE_GUARD_DELAYS,
                )[0]
            if bad.any():  # the interpolated taps carry less noise
                s2 *= y.size / max(1, y.size - int(bad.sum()))
            s2 = max(float(s2), 1e-12 * max(float(np.mean(np.abs(y) ** 2)), 1e-30))
        self.last_sigma2 = s2
        p = self.power.update(y, s2)
        if comb:
            h = self.sampler(y[None], s2, rng=self._rng, power=p, **self.sparse_config)[0]
        else:
            h = self.estimator(y[None], s2, power=p)[0]
        if not np.all(np.isfinite(h)):  # a network fault must not reach the equalizer
            self._warn_once("net", "non-finite network output: passing the LS taps")
            h = sparse.linear_interpolation(y, self.observed, lay) if comb else y
        elif prior_misfit(y[None], h[self.observed][None], s2)[0]:
            self.fallbacks += 1
            self._warn_once(
                "misfit",
                "a frame's LS taps lie outside the model's channel law (residual > 2 sigma2 "
                "per carrier): robust LMMSE used for such frames (warned once; count: "
                "fallbacks)",
            )
            fb = self.comb_fallback if comb else self.fallback
            h = fb(y[None] / np.sqrt(p), s2 / p)[0] * np.sqrt(p)
        floor = 1e-6 * np.sqrt(p)
        small = np.abs(h) < floor
        h[small] = floor  # never divide by a zero tap downstream
        taps[lay.active_pos] = h
        return taps

    def _apply_noise_tag(self, value):
        v = None
        if pmt.is_real(value) or pmt.is_integer(value):
            v = pmt.to_double(value)
        if v is not None and np.isfinite(v) and v >= 0:
            self._noise_var = float(v)
            self.noise_tags += 1
            return
        self.bad_noise_tags += 1
        self._warn_once(
            "noisetag",
            f"ignoring tag {self.noise_tag_key} = {value}: expected a finite noise variance "
            ">= 0 (0: estimate) (warned once)",
        )

    def set_noise_var(self, noise_var):
        """Noise variance per carrier after the FFT (FFT output units); 0: estimate per
        frame.  ValueError unless finite and >= 0.  Applies from the next frame."""
        self._noise_var = _checked_noise_var(noise_var)

    def noise_var(self):
        """The noise variance in use (0: estimated per frame; see ``last_sigma2``)."""
        return self._noise_var

    def _noise_msg_value(self, msg):
        """The value of ('noise_var' . v) or a dict with noise_var, else None."""
        key = pmt.intern(NOISE_VAR_KEY)
        try:
            if pmt.is_pair(msg) and pmt.is_symbol(pmt.car(msg)):
                v = pmt.cdr(msg) if pmt.eqv(pmt.car(msg), key) else pmt.PMT_NIL
            elif pmt.is_dict(msg):
                v = pmt.dict_ref(msg, key, pmt.PMT_NIL)
            else:
                return None
            if pmt.is_real(v) or pmt.is_integer(v):
                d = pmt.to_double(v)
                if np.isfinite(d) and d >= 0:
                    return d
        except (RuntimeError, TypeError, ValueError):  # a malformed PMT
            pass
        return None

    def _drain_noise_messages(self):
        """Apply the newest valid message queued on the "noise" port; warn on the others
        (the first 10 and every 1000th are logged)."""
        applied = False
        for msg in reversed(drain_messages(self, self._noise_port)):
            v = self._noise_msg_value(msg)
            if v is not None:
                if not applied:
                    self._noise_var, applied = v, True
                    self.noise_msgs += 1
                continue
            self.bad_noise_msgs += 1
            k = self.bad_noise_msgs
            if k <= 10 or k % 1000 == 0:
                self.logger.warn(
                    "ignoring message on port 'noise': expected ('noise_var' . v) or a dict "
                    f"with noise_var, v finite and >= 0 (0: estimate), got {msg} ({k} "
                    "ignored so far; the first 10 and every 1000th are logged)"
                )

    def forecast(self, noutput_items, ninputs):
        return [noutput_items]  # output 1 takes at most one item per input item

    @guarded_work("pass")
    def general_work(self, input_items, output_items):
        self._drain_noise_messages()
        x = input_items[0]
        out = output_items[0]
        n = min(len(out), len(x))
        taps_out = output_items[1] if len(output_items) > 1 else None
        out[:n] = x[:n]
        bad = ~np.isfinite(out[:n])
        if bad.any():
            out[:n][bad] = 0
            self._warn_once("samples", "NaN/Inf samples replaced by 0 (warned once)")
        r0 = self.nitems_read(0)
        nkey = self.noise_tag_key
        # offset order; at one offset the noise tag first: it applies to the frame it is on
        tags = sorted(
            self.get_tags_in_window(0, 0, n),
            key=lambda t: (t.offset, pmt.symbol_to_string(t.key) != nkey),
        )
        taps_at = {t.offset for t in tags if pmt.symbol_to_string(t.key) == self.taps_key}
        offsets = {}
        for t in tags:
            if pmt.symbol_to_string(t.key) == self.carr_offset_key:
                offsets[t.offset] = pmt.to_long(t.value) if pmt.is_integer(t.value) else 0
        for off in offsets:
            if off not in taps_at:
                self._warn_once(
                    "notaps",
                    f"a frame (tag {self.carr_offset_key}) without {self.taps_key}: passed "
                    f"through untouched (warned once)",
                )
        rows, last = 0, None  # output 1: one row per tagged item
        for t in tags:
            key = pmt.symbol_to_string(t.key)
            if nkey and key == nkey:
                self._apply_noise_tag(t.value)  # and passed on below
            if key != self.taps_key:
                self.add_item_tag(0, t.offset, t.key, t.value, t.srcid)
                continue
            self.frames += 1
            try:
                taps = np.asarray(pmt.c32vector_elements(t.value), dtype=np.complex128)
            except (RuntimeError, TypeError, ValueError):
                taps = None
            new = None
            if taps is None or taps.size != self.layout.fft_len:
                self._warn_once(
                    "taplen",
                    f"{self.taps_key} is not a complex vector of fft_len "
                    f"{self.layout.fft_len}: passed unchanged",
                )
                self.add_item_tag(0, t.offset, t.key, t.value, t.srcid)
            else:
                i = int(t.offset - r0)
                new = self.denoise_taps(taps, x[i], offsets.get(t.offset, 0)).astype(np.complex64)
                self.rewritten += 1
                self.add_item_tag(0, t.offset, t.key, pmt.init_c32vector(len(new), new), t.srcid)
            if taps_out is not None:
                if rows == 0 or t.offset != last:
                    rows += 1
                last = t.offset
                taps_out[rows - 1] = 0 if new is None else new
        if taps_out is not None:
            self.produce(1, rows)
        self.produce(0, n)
        self.consume(0, n)
        return gr.WORK_CALLED_PRODUCE


def _checked_noise_var(noise_var):
    v = float(noise_var)
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"noise_var must be finite and >= 0 (0: estimate), got {noise_var}")
    return v


def _int_param(name, value, lowest):
    """An integer parameter >= lowest, else ValueError naming it."""
    try:
        ok = not isinstance(value, bool) and int(value) == value
    except (TypeError, ValueError):
        ok = False
    if not ok or value < lowest:
        raise ValueError(f"{name} must be an integer >= {lowest}, got {value!r}")
    return int(value)
