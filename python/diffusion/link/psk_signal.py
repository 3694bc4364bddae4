#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Simulated satellite-style PSK links and their bit rules (NumPy; no GNU Radio): the test
signal of tests/test_psk_window_priors.py and bench/psk_window_priors.py.

Modulations (random bits; the symbol of bit 1 / of a phase change as GNU Radio's
constellation_bpsk and diff_encoder_bb conventions):
  bpsk   x_k = +1 for bit 1, -1 for bit 0 (n bits, n symbols)
  dbpsk  x_0 = +1, x_k = x_(k-1) * (-1)^(b_k): bit 1 turns the phase by 180 degrees (n
         symbols carry n - 1 bits)
  qpsk   x_k = exp(j (pi/4 + k_k pi/2)), k_k in 0..3 (n symbols, n quarter-turn indices)
  dqpsk  x_0 = exp(j pi/4), x_k = x_(k-1) * j^(d_k), d_k in 0..3 (n - 1 quarter turns)
  pi4dqpsk  x_0 = exp(j pi/4), x_k = x_(k-1) * exp(j dphi_k), dphi_k in {+-pi/4, +-3pi/4}
         from the dibit (b1 b2) = data value 2 b1 + b2 by the IS-54 / TETRA Gray table
         (:data:`PI4DQPSK_PHASE_STEPS`: 00 +pi/4, 01 +3pi/4, 11 -3pi/4, 10 -pi/4; n - 1
         dibits): the symbols alternate between QPSK at 45 degrees (even k) and QPSK on
         the axes (odd k); x_k exp(-j k pi/4) is plain QPSK stepping by q_k quarter turns,
         dphi_k = pi/4 + q_k pi/2 (:data:`PI4DQPSK_DIBIT_OF_QUARTER_TURNS`)

With uniformly random bits the differential sequences have exactly the symbol law of the
coherent ones (x_k uniform and independent of x_(k-1) .. x_0), which is why one window prior
serves BPSK and DBPSK, another QPSK and DQPSK.

:func:`psk_baseband`: RRC-shaped at ``sps`` samples/symbol (link.framing.rrc_taps, unit
energy: unit-power symbols leave the filter at 1/sps per sample), a carrier offset (cycles/
sample), Wiener phase noise of linewidth x symbol time ``lw`` (increment variance
2 pi lw / sps rad^2 per sample), a uniform initial phase, and complex white noise of
variance sigma2 = 10^(-Es/N0 / 10) per sample: Es/N0 per symbol after the matched filter.
"""

import math

import numpy as np

from .framing import rrc_taps

MODULATIONS = ("bpsk", "dbpsk", "qpsk", "dqpsk", "pi4dqpsk")
#: pi/4-DQPSK, IS-54 / TETRA Gray table: dibit value 2 b1 + b2 -> phase step (rad)
PI4DQPSK_PHASE_STEPS = {0: math.pi / 4, 1: 3 * math.pi / 4, 3: -3 * math.pi / 4, 2: -math.pi / 4}
#: pi/4-DQPSK after the k pi/4 derotation: quarter turns q (step pi/4 + q pi/2) -> dibit value
PI4DQPSK_DIBIT_OF_QUARTER_TURNS = (0, 1, 3, 2)


def psk_symbols(modulation, n, rng):
    """(symbols complex128 [n], data uint8) of ``modulation`` (module doc): bits [n] (bpsk),
    [n - 1] (dbpsk); quarter-turn indices [n] (qpsk), [n - 1] (dqpsk); dibit values 2 b1 + b2
    [n - 1] (pi4dqpsk)."""
    n = int(n)
    if modulation == "bpsk":
        bits = rng.integers(0, 2, n).astype(np.uint8)
        return 2.0 * bits - 1.0 + 0j, bits
    if modulation == "dbpsk":
        bits = rng.integers(0, 2, n - 1).astype(np.uint8)
        flips = np.concatenate([[0], np.cumsum(bits)]) % 2
        return 1.0 - 2.0 * flips + 0j, bits
    if modulation == "qpsk":
        k = rng.integers(0, 4, n).astype(np.uint8)
        return np.exp(1j * (math.pi / 4 + math.pi / 2 * k)), k
    if modulation == "dqpsk":
        d = rng.integers(0, 4, n - 1).astype(np.uint8)
        q = np.concatenate([[0], np.cumsum(d)]) % 4
        return np.exp(1j * (math.pi / 4 + math.pi / 2 * q)), d
    if modulation == "pi4dqpsk":
        dibits = rng.integers(0, 4, n - 1).astype(np.uint8)
        steps = np.array([PI4DQPSK_PHASE_STEPS[v] for v in range(4)])[dibits]
        return np.exp(1j * (math.pi / 4 + np.concatenate([[0.0], np.cumsum(steps)]))), dibits
    raise ValueError(f"modulation must be one of {MODULATIONS}, got {modulation!r}")


def psk_baseband(symbols, sps=2, rolloff=0.4, offset=0.0, lw=0.0, esn0_db=None, rng=None):
    """Complex baseband (complex128 [len(symbols) * sps]) of ``symbols`` (module doc):
    ``offset`` cycles/sample, linewidth x symbol time ``lw``, Es/N0 ``esn0_db`` per symbol
    (None: no noise), ``rng`` a numpy Generator (phases and noise)."""
    rng = np.random.default_rng() if rng is None else rng
    sps = int(sps)
    s = np.asarray(symbols, np.complex128)
    up = np.zeros(s.size * sps, np.complex128)
    up[::sps] = s
    y = np.convolve(up, rrc_taps(sps, rolloff), "same")
    inc = rng.standard_normal(y.size) * math.sqrt(2 * math.pi * float(lw) / sps)
    n = np.arange(y.size)
    theta = rng.uniform(0, 2 * math.pi) + 2 * math.pi * float(offset) * n + np.cumsum(inc)
    y = y * np.exp(1j * theta)
    if esn0_db is not None:
        s2 = 10.0 ** (-float(esn0_db) / 10.0)
        y = y + math.sqrt(s2 / 2) * (rng.standard_normal(y.size) + 1j * rng.standard_normal(y.size))
    return y


def hard_bits(z, modulation, coherent=True):
    """Decided data of symbols ``z`` (one per symbol) as :func:`psk_symbols` gives them:
    bpsk Re > 0; dbpsk coherent: Re > 0 differentially decoded (1 where the decision flips;
    the 180-degree ambiguity cancels), coherent=False: Re(z_k z*_(k-1)) < 0 (differential
    detection); qpsk: quadrant index of the points at 45 degrees; dqpsk: quarter turns of
    z_k z*_(k-1); pi4dqpsk: the dibits of the phase steps of z_k z*_(k-1) (differential
    detection, :func:`pi4dqpsk_dibits`). Differential rules give len(z) - 1 values."""
    z = np.asarray(z, np.complex128)
    if modulation == "bpsk":
        return (z.real > 0).astype(np.uint8)
    if modulation == "dbpsk":
        if coherent:
            c = (z.real > 0).astype(np.uint8)
            return c[1:] ^ c[:-1]
        return ((z[1:] * np.conj(z[:-1])).real < 0).astype(np.uint8)
    if modulation == "pi4dqpsk":
        return pi4dqpsk_dibits(z[1:] * np.conj(z[:-1]))
    if modulation in ("qpsk", "dqpsk"):
        q = np.mod(np.round((np.angle(z) - math.pi / 4) / (math.pi / 2)), 4).astype(np.uint8)
        if modulation == "qpsk":
            return q
        return np.mod(q[1:].astype(int) - q[:-1], 4).astype(np.uint8)
    raise ValueError(f"modulation must be one of {MODULATIONS}, got {modulation!r}")


def pi4dqpsk_dibits(d, derotated=False):
    """Dibit values (uint8, 2 b1 + b2, :data:`PI4DQPSK_PHASE_STEPS`) of pi/4-DQPSK phase
    steps d = z_k z*_(k-1): the step nearest pi/4 + q pi/2; ``derotated``: steps of symbols
    already derotated by k pi/4 (nearest q pi/2)."""
    a = np.angle(np.asarray(d, np.complex128)) - (0.0 if derotated else math.pi / 4)
    q = np.mod(np.round(a / (math.pi / 2)), 4).astype(np.int64)
    return np.asarray(PI4DQPSK_DIBIT_OF_QUARTER_TURNS, np.uint8)[q]


def dibit_bits(values):
    """Bits (uint8, b1 then b2 per value) of dibit values 2 b1 + b2 (:func:`pi4dqpsk_dibits`)."""
    v = np.asarray(values, np.uint8)
    return np.stack([(v >> 1) & 1, v & 1], axis=1).reshape(-1)


def pi4dqpsk_ber_differential(esn0_db):
    """Bit error probability of pi/4-DQPSK (as DQPSK) with Gray dibits and differential
    detection in AWGN at Es/N0 ``esn0_db`` (dB per symbol): Q1(a, b) - I0(ab) exp(-(a^2 +
    b^2) / 2) / 2, a, b = sqrt(2 gb (1 -+ 1/sqrt 2)), gb = Eb/N0 = Es/N0 / 2 (Proakis,
    Digital Communications: DQPSK with differential detection, Gray mapping)."""
    from scipy.special import i0e
    from scipy.stats import ncx2

    gb = 10.0 ** (float(esn0_db) / 10.0) / 2.0
    a = math.sqrt(2 * gb * (1 - 1 / math.sqrt(2)))
    b = math.sqrt(2 * gb * (1 + 1 / math.sqrt(2)))
    q1 = float(ncx2.sf(b * b, 2, a * a))  # Marcum Q1(a, b)
    return q1 - 0.5 * float(i0e(a * b)) * math.exp(a * b - (a * a + b * b) / 2)


def block_errors(decided, truth, block=256, max_lag=64, ambiguity=1, skip=0):
    """Errors of ``decided`` against ``truth`` (both per symbol, the same rule):
    dict(lag, bit_errors, bits, block_errors, blocks). The lag (-min(skip, max_lag) .. max_lag: the
    receiver's delay, decided[i + lag] ~ truth[i]) is the one with the fewest errors over
    the whole overlap; ``skip`` first values of truth are left out (loop start-up); the overlap is
    cut into blocks of ``block`` values (the rest dropped), and ``ambiguity`` > 1 (2: BPSK,
    4: QPSK indices) resolves the carrier loop's ambiguity per block, as a sync word would:
    each block is compared with the rotation (value + r) mod ambiguity that fits it best.
    Bit errors count differing values (symbols for QPSK indices); a block is in error when
    any of its values is."""
    d = np.asarray(decided).astype(np.int64)
    t = np.asarray(truth).astype(np.int64)[int(skip) :]
    best = None
    for lag in range(-min(int(skip), int(max_lag)), int(max_lag) + 1):
        a = d[int(skip) + lag :]
        m = min(a.size, t.size) // block * block
        if m == 0:
            break
        a, b = a[:m].reshape(-1, block), t[:m].reshape(-1, block)
        if ambiguity > 1:
            rot = [np.sum((a + r) % ambiguity != b, axis=1) for r in range(ambiguity)]
            per_block = np.min(rot, axis=0)
        else:
            per_block = np.sum(a != b, axis=1)
        total = int(per_block.sum())
        if best is None or total < best["bit_errors"]:
            best = dict(
                lag=lag,
                bit_errors=total,
                bits=int(m),
                block_errors=int(np.sum(per_block > 0)),
                blocks=int(per_block.size),
            )
    if best is None:
        raise ValueError(f"too few decisions ({d.size}) for a block of {block}")
    return best
