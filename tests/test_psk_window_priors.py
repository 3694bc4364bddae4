#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Window priors for BPSK/DBPSK (issue 21, item 3): the simulated links of
diffusion.link.psk_signal (differential sequences have the coherent symbol law, which is why
one prior serves both), the BPSK training windows' orientation, psk_receiver's
orientation rule, and psk_receiver with models/bpsk_pn_w32.onnx in a GNU Radio flowgraph on
simulated BPSK and DBPSK: no more bit errors than without the prior, DBPSK decisions right."""

import math

import numpy as np
import pytest
from gnuradio import diffusion
from gnuradio.diffusion.core.constellations import by_name, psk
from gnuradio.diffusion.flowgraphs import psk_benchmark as pb
from gnuradio.diffusion.link import psk_signal
from gnuradio.diffusion.psk_receiver import orientation_offset

# chi-square with 15 degrees of freedom: P(X > 37.70) = 1e-3 (16 equiprobable patterns)
CHI2_15_P1E3 = 37.70


def pattern_chi2(codes, k):
    """Chi-square statistic of the k-ary codes' frequencies against uniform."""
    n = np.bincount(codes, minlength=k).astype(float)
    e = codes.size / k
    return float(np.sum((n - e) ** 2 / e))


@pytest.mark.parametrize("mod,ary,span", [("dbpsk", 2, 4), ("dqpsk", 4, 2)])
def test_differential_symbols_have_the_coherent_law(mod, ary, span):
    """Random bits differentially encoded: every run of `span` consecutive symbols takes its
    16 values equally often, as i.i.d. uniform BPSK / QPSK symbols do (training windows of
    bpsk+pn / qpsk+pn), so the coherent prior is the differential one."""
    rng = np.random.default_rng(21)
    x, _ = psk_signal.psk_symbols(mod, 64001, rng)
    coh = mod[1:]
    idx = psk_signal.hard_bits(x, coh).astype(np.int64)  # symbol index 0..ary-1
    codes = np.zeros(idx.size - span + 1, np.int64)
    for j in range(span):
        codes = codes * ary + idx[j : j + codes.size]
    assert pattern_chi2(codes, ary**span) < CHI2_15_P1E3
    # the lag-1 correlation of the symbols is zero (|r| < 4 / sqrt(n): 4 standard errors)
    r = np.mean(x[1:] * np.conj(x[:-1]))
    assert abs(r) < 4 / math.sqrt(x.size)


def test_bits_round_trip_and_ambiguity():
    rng = np.random.default_rng(3)
    for mod in psk_signal.MODULATIONS:
        x, d = psk_signal.psk_symbols(mod, 1000, rng)
        assert np.array_equal(psk_signal.hard_bits(x, mod), d)
        if mod.startswith("d"):
            # a differential rule does not see a constant rotation (a loop's ambiguity)
            rot = -1 if mod == "dbpsk" else 1j
            assert np.array_equal(psk_signal.hard_bits(rot * x, mod), d)
    x, d = psk_signal.psk_symbols("dbpsk", 1000, rng)
    y = x * np.exp(1j * 0.3 * np.arange(x.size) / x.size)  # a slow phase: detection copes
    assert np.array_equal(psk_signal.hard_bits(y, "dbpsk", coherent=False), d)
    # block_errors finds the lag and resolves a 180-degree flip per block
    b = psk_signal.hard_bits(x, "bpsk")
    dec = np.concatenate([[0, 1, 1], 1 - b])
    r = psk_signal.block_errors(dec, b, block=100, max_lag=8, ambiguity=2)
    assert r["lag"] == 3 and r["bit_errors"] == 0 and r["blocks"] == 10


def test_bpsk_orientation():
    """BPSK lies where a 2nd-order Costas loop puts it (the real axis), in the training
    windows and psk_receiver; a model with its points elsewhere gets the rotation."""
    c = by_name("bpsk")
    assert np.allclose(sorted(c.points.real), [-1, 1]) and np.allclose(c.points.imag, 0)
    assert orientation_offset(c.points, 2) == 0.0
    assert orientation_offset(by_name("qpsk").points, 4) == 0.0
    assert orientation_offset(psk(2).points, 2) == pytest.approx(math.pi / 2)
    from gnuradio.diffusion.training.ddpm import make_window_source

    src = make_window_source("bpsk+pn", 32, 1e-4, 3e-3, 0.01)
    assert src.name == "bpsk_pn" and src.constellation.name == "bpsk"


@pytest.fixture(scope="module")
def bpsk_prior():
    from gnuradio.diffusion.core.model_files import shipped_model

    return shipped_model("bpsk_pn_w32")


def test_receiver_takes_the_bpsk_prior(bpsk_prior):
    rx = diffusion.psk_receiver(modulation="dbpsk", model_path=bpsk_prior)
    assert rx.power_order == 2 and rx.rotation == 0.0 and rx.symbol_phase_rad == 0.0
    assert rx.constellation == "bpsk" and rx.decisions == "dbpsk"
    assert rx.latency == 8  # W = 32, hop 16
    # the default prior of BPSK is the window prior
    assert diffusion.psk_receiver(modulation="bpsk").model_path == bpsk_prior
    with pytest.raises(ValueError, match="modulation must be one of"):
        diffusion.psk_receiver(modulation="8psk")


# Es/N0 where coherent BPSK makes ~1e-2 bit errors (Q(sqrt(2 * 10^0.43)) = 1.0e-2)
ESN0_DB = 4.3
N_SYMBOLS = 12000


@pytest.mark.parametrize("lw", [1e-4, 1e-3])
@pytest.mark.parametrize("mod", ["bpsk", "dbpsk"])
def test_prior_gives_no_more_bit_errors(mod, lw, bpsk_prior):
    """Same noisy input (carrier offset, Wiener phase noise of linewidth x symbol time lw,
    AWGN), psk_receiver with and without the prior (default loop bandwidths): the prior-fed
    path makes no more bit errors than the stock one, within 3 binomial standard deviations
    of the stock count (sqrt(n p (1-p))). (Measured, bench/results_psk_window_priors.md: at
    lw 1e-4 the prior makes 3-9 % more errors than the stock loop, at lw 1e-3 20-28 % (BPSK)
    and 39-77 % (DBPSK) fewer.)"""
    r = pb.simulated_errors(
        mod,
        ESN0_DB,
        seed=7,
        model_path=bpsk_prior,
        receivers=("psk_receiver", "psk_receiver_prior"),
        n_symbols=N_SYMBOLS,
        lw=lw,
    )
    stock, prior = r["psk_receiver"], r["psk_receiver_prior"]
    assert stock["bits"] > 0.9 * (N_SYMBOLS - pb.SIM_SKIP)
    p = stock["bit_errors"] / stock["bits"]
    assert 2e-3 < p < 6e-2  # the level of the test (a broken receiver reads ~0.5)
    tol = 3 * math.sqrt(stock["bits"] * p * (1 - p))
    assert prior["bit_errors"] <= stock["bit_errors"] + tol, (prior, stock)


def test_dbpsk_decisions(bpsk_prior):
    """DBPSK at 12 dB (bit error rate ~1e-8): psk_receiver's decisions are the data, with the
    Costas loop (coherent + differential decoding) and without it (the prior tracks the
    phase, differential detection)."""
    r = pb.simulated_errors(
        "dbpsk",
        12.0,
        seed=8,
        model_path=bpsk_prior,
        receivers=("psk_receiver", "psk_receiver_prior", "psk_receiver_prior_nocostas"),
        n_symbols=4000,
    )
    for name, v in r.items():
        assert v["bits"] > 3000 and v["bit_errors"] == 0, (name, v)
