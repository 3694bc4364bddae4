#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Transmitter impairment-chain specs (pure Python, no GNU Radio, no torch).

A chain spec names a constellation followed by the transmitter impairments, applied left
to right, joined by ``+``::

    16qam+rapp(ibo=0,p=2)+phase_noise(1e-4,block=32)+iq(0.5dB,2deg)+dc(0.01)+kappa(0.01)
        +dac(8)+agc

Grammar (whitespace ignored, names case-insensitive)::

    spec  := const ('+' stage)*
    const := qpsk | <M>qam | <M>psk | bpsk          (see diffusion constellations.by_name)
    stage := name [ '(' [arg (',' arg)*] ')' ]
    arg   := [key '='] number [unit]                 unit: dB | deg | rad

Stages (positional arguments in the order listed; defaults in brackets). Signal
conventions of gr-diffusion: the constellation has unit average power E|x|^2 = 1 (signal
power, not signal plus noise), QPSK points at 45 degrees; all levels below are amplitudes
relative to that unit-power input.

``rapp(ibo[0], p[2], gain[1], sat[1])``
    diffusion.pa_nonlinearity, Rapp model (AM/AM only) at input back-off ``ibo`` dB from
    the saturation input power, smoothness ``p``; raw PA output (normalize_output off).
``saleh(ibo[0], aa[2.1587], ba[1.1517], ap[4.0033], bp[9.1040])``
    diffusion.pa_nonlinearity, Saleh TWT model (AM/AM and AM/PM).
``phase_noise(lw[1e-4], block[32])``
    diffusion.phase_noise: Wiener phase noise, increment variance 2 pi lw rad^2 per symbol
    (lw = 3-dB linewidth x symbol period).  The receiver's pilot tracker is modelled as
    ideal anchors every ``block`` symbols: the phase at n = 0, block, 2 block, ... is
    removed exactly and linearly interpolated in between (what the link's pilot-aided
    tracker does with noiseless pilots), leaving a Brownian-bridge residual of mean
    variance 2 pi lw block / 6 rad^2.  ``block=0``: no tracking (the raw random walk).
``iq(gain_db[0], phase_deg[0])``
    gr-channels iqbal_gen in transmitter mode: amplitude imbalance (dB) and phase skew
    (degrees) between the I and Q branches.
``dc(re[0], im[0])``
    carrier (LO) leakage: the constant re + j im is added (amplitude units).
``kappa(k[0.01])``
    diffusion.hardware_impairments, transmitter distortion noise CN(0, k) per complex
    symbol (nominal power 1, i.e. k = EVM^2 of a unit-power signal).
``dac(bits[8], fs[1])``
    diffusion.complex_quantizer: uniform mid-rise quantizer per rail, ``bits`` bits,
    clipping at +-fs.
``agc``
    fixed gain that gives the chain output (up to this stage) unit mean power E|z|^2 = 1,
    set once from a calibration run of the chain (every label equally often, 65536
    symbols, fixed seed; exact for memoryless deterministic chains).  A fixed gain rather
    than a running AGC: a running AGC would modulate the points with the data.

Errors: :class:`ChainSpecError` (a ValueError) naming the text that does not parse.
"""

import math
import re
from dataclasses import dataclass, field

from . import constellations as _const


class ChainSpecError(ValueError):
    """A chain spec that does not parse (the message names the offending part)."""


# Saleh's classic TWT parameters (alpha_a, beta_a, alpha_p, beta_p; Saleh 1981): the saleh
# stage's defaults, as the C++ pa_nonlinearity's (tests/test_twin_constants.py)
SALEH_CLASSIC = {"aa": 2.1587, "ba": 1.1517, "ap": 4.0033, "bp": 9.1040}

# name -> ordered (key, default, allowed units) ; units None: plain number
_STAGES = {
    "rapp": (("ibo", 0.0, "db"), ("p", 2.0, None), ("gain", 1.0, None), ("sat", 1.0, None)),
    "saleh": (
        ("ibo", 0.0, "db"),
        *((k, v, None) for k, v in SALEH_CLASSIC.items()),
    ),
    "phase_noise": (("lw", 1e-4, None), ("block", 32, None)),
    "iq": (("gain_db", 0.0, "db"), ("phase_deg", 0.0, "deg")),
    "dc": (("re", 0.0, None), ("im", 0.0, None)),
    "kappa": (("k", 0.01, None),),
    "dac": (("bits", 8, None), ("fs", 1.0, None)),
    "agc": (),
}
_ALIASES = {
    "pn": "phase_noise",
    "phasenoise": "phase_noise",
    "iqbal": "iq",
    "iq_imbalance": "iq",
    "quant": "dac",
    "pa": "rapp",
}
_NUM = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)$")
_STAGE = re.compile(r"^([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:\((.*)\))?$", re.DOTALL)


@dataclass(frozen=True)
class Stage:
    name: str
    params: dict = field(default_factory=dict)

    def __str__(self):
        keys = [k for k, _, _ in _STAGES[self.name]]
        if not keys:
            return self.name
        parts = []
        for k in keys:
            v = self.params[k]
            parts.append(f"{k}={_fmt(v)}")
        return f"{self.name}({','.join(parts)})"


@dataclass(frozen=True)
class ChainSpec:
    constellation: str
    stages: tuple = ()
    text: str = field(default="", compare=False)

    def __str__(self):
        """Canonical form (every parameter explicit): parse(str(spec)) == spec."""
        return "+".join([self.constellation] + [str(s) for s in self.stages])

    @property
    def is_random(self):
        """True if a stage draws random numbers (phase noise, kappa)."""
        return any(s.name in ("phase_noise", "kappa") for s in self.stages)

    def get_constellation(self):
        return _const.by_name(self.constellation)


def _fmt(v):
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


def _split_top(text, sep, where):
    """Split at sep outside parentheses; ChainSpecError on unbalanced parentheses."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise ChainSpecError(f"chain spec {where!r}: unbalanced ')'")
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if depth:
        raise ChainSpecError(f"chain spec {where!r}: unbalanced '('")
    out.append("".join(cur))
    return out


def _value(tok, key, unit, stage, spec):
    m = _NUM.match(tok.strip())
    if not m:
        raise ChainSpecError(
            f"chain spec {spec!r}: stage {stage!r}: {key} = {tok.strip()!r} is not a number"
        )
    v = float(m.group(1))
    u = m.group(2).lower()
    if u:
        if u == "rad" and unit == "deg":
            v = v * 180.0 / 3.141592653589793
        elif u != unit:
            want = f"'{unit}' or none" if unit else "none"
            raise ChainSpecError(
                f"chain spec {spec!r}: stage {stage!r}: {key} has unit "
                f"{m.group(2)!r} (allowed: {want})"
            )
    if not math.isfinite(v):
        raise ChainSpecError(f"chain spec {spec!r}: stage {stage!r}: {key} must be finite")
    return v


def _check(name, p, spec):
    def bad(msg):
        raise ChainSpecError(f"chain spec {spec!r}: stage {name!r}: {msg}")

    if name == "rapp":
        if p["p"] <= 0 or p["gain"] <= 0 or p["sat"] <= 0:
            bad("p, gain and sat must be > 0")
    elif name == "saleh":
        if p["aa"] <= 0 or p["ba"] <= 0 or p["bp"] < 0:
            bad("aa, ba must be > 0 and bp >= 0")
    elif name == "phase_noise":
        if p["lw"] < 0:
            bad(f"lw must be >= 0, got {p['lw']}")
        if p["block"] < 0 or p["block"] != int(p["block"]):
            bad(f"block must be an integer >= 0, got {p['block']}")
        p["block"] = int(p["block"])
    elif name == "kappa":
        if p["k"] < 0:
            bad(f"k must be >= 0, got {p['k']}")
    elif name == "dac":
        if p["bits"] != int(p["bits"]) or not 1 <= p["bits"] <= 16:
            bad(f"bits must be an integer in 1..16, got {p['bits']}")
        p["bits"] = int(p["bits"])
        if p["fs"] <= 0:
            bad(f"fs must be > 0, got {p['fs']}")


def parse(text):
    """ChainSpec of a spec string (see module docstring); ChainSpecError if it does not parse."""
    if isinstance(text, ChainSpec):
        return text
    if not isinstance(text, str) or not text.strip():
        raise ChainSpecError(f"chain spec must be a non-empty string, got {text!r}")
    spec = text.strip()
    parts = [s.strip() for s in _split_top(spec, "+", spec)]
    if any(not s for s in parts):
        raise ChainSpecError(
            f"chain spec {spec!r}: empty stage (two '+' in a row or a trailing '+')"
        )
    try:
        const = _const.by_name(parts[0])
    except ValueError as e:
        raise ChainSpecError(
            f"chain spec {spec!r}: first item {parts[0]!r} is not a constellation ({e})"
        ) from None
    stages = []
    for part in parts[1:]:
        m = _STAGE.match(part)
        if not m:
            raise ChainSpecError(
                f"chain spec {spec!r}: cannot parse stage {part!r} (expected name or name(args))"
            )
        name = m.group(1).lower()
        name = _ALIASES.get(name, name)
        if name not in _STAGES:
            raise ChainSpecError(
                f"chain spec {spec!r}: unknown stage {m.group(1)!r} (known: {', '.join(_STAGES)})"
            )
        fields = _STAGES[name]
        keys = [k for k, _, _ in fields]
        params = {k: d for k, d, _ in fields}
        given = set()
        argtext = (m.group(2) or "").strip()
        args = [a.strip() for a in _split_top(argtext, ",", spec)] if argtext else []
        pos = 0
        for a in args:
            if not a:
                raise ChainSpecError(f"chain spec {spec!r}: stage {name!r}: empty argument")
            if "=" in a:
                k, v = (s.strip() for s in a.split("=", 1))
                k = k.lower()
                if k not in keys:
                    raise ChainSpecError(
                        f"chain spec {spec!r}: stage {name!r}: unknown "
                        f"parameter {k!r} (known: {', '.join(keys) or 'none'})"
                    )
            else:
                if pos >= len(keys):
                    raise ChainSpecError(
                        f"chain spec {spec!r}: stage {name!r}: too many "
                        f"positional arguments (takes {len(keys)})"
                    )
                k, v = keys[pos], a
                pos += 1
            if k in given:
                raise ChainSpecError(f"chain spec {spec!r}: stage {name!r}: {k} given twice")
            given.add(k)
            unit = {kk: u for kk, _, u in fields}[k]
            params[k] = _value(v, k, unit, name, spec)
        _check(name, params, spec)
        for k, d, _ in fields:
            if isinstance(d, int) and not isinstance(params[k], int):
                params[k] = int(params[k])
        stages.append(Stage(name, params))
    return ChainSpec(const.name, tuple(stages), spec)


def looks_like_chain(text):
    """True if text is meant as a chain spec (contains '+'), i.e. parse() errors apply."""
    return isinstance(text, str) and "+" in text
