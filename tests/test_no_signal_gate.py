#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The no-signal gate (issue 21, PW-Sat2 with the window prior): where the symbol
normaliser's sigma2 is at its cap (no signal found, e.g. a burst's first symbols after
silence) psk_receiver's output 0 is the stock symbol (output 1), elsewhere the denoised
one; a non-finite stock symbol never replaces a finite denoised one. The NumPy function,
the block in a flowgraph, psk_receiver on a BPSK burst after silence, and the back end on
symbols with NaN/Inf."""

import numpy as np
import pytest
from fg_util import run_bounded
from gnuradio import blocks, diffusion, filter, gr
from gnuradio.diffusion.core.snr_estimation import (
    CAPPED_FRACTION,
    SIGMA2_CAP,
    stock_where_no_signal,
)

SPS = 4
N_SILENCE, N_BURST, N_TAIL = 1200, 2500, 300  # symbols


def test_stock_where_no_signal():
    den = np.array([1, 2, 3, 4, 5, 6, np.nan], np.complex64)
    stock = np.array([10, 20, np.nan, np.inf, 50, 60, 70], np.complex64)
    s2 = np.array([1.0, SIGMA2_CAP, SIGMA2_CAP, SIGMA2_CAP, np.nan, 99.95, 100.0], np.float32)
    out, gated = stock_where_no_signal(den, stock, s2)
    # 99.95 >= 0.999 * 100 (float32 rounding of N/S); NaN sigma2 is not capped; a NaN/Inf
    # stock symbol is not taken; a NaN denoised symbol is replaced where capped
    np.testing.assert_array_equal(gated, [0, 1, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(out, np.array([1, 20, 3, 4, 5, 60, 70], np.complex64))
    assert CAPPED_FRACTION * SIGMA2_CAP < SIGMA2_CAP
    out, gated = stock_where_no_signal(den[:0], stock[:0], s2[:0])
    assert out.size == 0 and not gated.any()


def test_block_in_a_flowgraph():
    rng = np.random.default_rng(1)
    n = 5000
    den = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)
    stock = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)
    s2 = np.where(rng.random(n) < 0.3, SIGMA2_CAP, rng.uniform(0.01, 99.8, n)).astype(np.float32)
    stock[::97] = np.nan
    stock[::101] = np.inf
    den[::89] = np.nan
    gate = diffusion.no_signal_gate()
    tb = gr.top_block()
    snk = blocks.vector_sink_c()
    tb.connect(blocks.vector_source_c(den.tolist()), (gate, 0))
    tb.connect(blocks.vector_source_c(stock.tolist()), (gate, 1))
    tb.connect(blocks.vector_source_f(s2.tolist()), (gate, 2))
    tb.connect(gate, snk)
    assert run_bounded(tb, 60)
    out = np.array(snk.data())
    take = (s2 >= CAPPED_FRACTION * SIGMA2_CAP) & np.isfinite(stock)
    np.testing.assert_array_equal(out, np.where(take, stock, den))
    assert gate.gated_symbols() == np.count_nonzero(take) > 0
    assert gate.work_errors() == 0
    # no NaN/Inf out where the denoised symbol was finite
    assert np.all(np.isfinite(out[np.isfinite(den)]))
    with pytest.raises(ValueError, match="sigma2_cap"):
        diffusion.no_signal_gate(0.0)


def burst_after_silence(seed=1, esn0_db=12.0, cfo=5e-3):
    """Noise alone (N_SILENCE symbols), a BPSK burst (RRC 0.35 at SPS samples/symbol, Es/N0
    esn0_db, carrier offset cfo cycles/sample: the Costas loop pulls in during the burst's
    first symbols while the normaliser's window still holds the noise), noise again."""
    rng = np.random.default_rng(seed)
    up = np.zeros(N_BURST * SPS, complex)
    up[::SPS] = rng.choice([-1.0, 1.0], N_BURST)
    taps = np.array(filter.firdes.root_raised_cosine(SPS, SPS, 1.0, 0.35, 11 * SPS))
    x = np.convolve(up, taps)[: up.size] / np.sqrt(np.sum(taps**2) / SPS)
    x = np.concatenate([np.zeros(N_SILENCE * SPS), x, np.zeros(N_TAIL * SPS)])
    x = x * np.exp(2j * np.pi * (cfo * np.arange(x.size) + 0.3))
    var = 10 ** (-esn0_db / 10) / SPS  # per sample: Es/N0 after the unit-gain RRC filter
    w = np.sqrt(var / 2) * (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))
    return (x + w).astype(np.complex64)


def test_psk_receiver_takes_the_stock_symbol_where_sigma2_is_capped():
    """Output 0 equals output 1 exactly wherever output 2 is at the cap (the silence and the
    burst's first symbols), and the denoiser's own output elsewhere (a sink on rx.denoiser,
    flattened into the same flowgraph); the decisions are those of output 0 (coherent BPSK:
    the sign of Re). In the capped burst symbols the prior's posterior mean at sigma2 = 100
    is what the gate avoids: for BPSK E[x|y] = tanh(2 Re y / sigma2), |Re y| ~ 10 (the
    normaliser's scale at the cap) gives ~0.2 against the stock symbol's ~10."""
    rx = diffusion.psk_receiver(
        sps=SPS,
        modulation="bpsk",
        mode="tweedie",
        model_path="bpsk_pn_w32",
        noise_estimator="quadrature",
    )
    tb = gr.top_block()
    sinks = [blocks.vector_sink_c(), blocks.vector_sink_c(), blocks.vector_sink_f()]
    sinks.append(blocks.vector_sink_b())
    tb.connect(blocks.vector_source_c(burst_after_silence().tolist()), rx)
    for i, s in enumerate(sinks):
        tb.connect((rx, i), s)
    dn_sink = blocks.vector_sink_c()
    tb.connect((rx.denoiser, 0), dn_sink)
    assert run_bounded(tb, 60)
    den, raw, s2, bits = (np.array(s.data()) for s in sinks)
    dn = np.array(dn_sink.data())
    n = len(den)
    assert n == len(dn) == len(bits) > 0.95 * (N_SILENCE + N_BURST) and len(raw) >= n
    raw, s2 = raw[:n], s2[:n]
    cap = s2 >= CAPPED_FRACTION * SIGMA2_CAP
    np.testing.assert_array_equal(den[cap], raw[cap])
    np.testing.assert_array_equal(den[~cap], dn[~cap])
    assert rx.gated_symbols() == np.count_nonzero(cap)
    # capped: most of the silence, and burst symbols (its start is past N_SILENCE + the
    # loops' ~10 symbols + the latency); the burst's bulk is denoised
    burst = np.arange(n) >= N_SILENCE + 20
    assert np.count_nonzero(cap[:N_SILENCE]) > N_SILENCE // 2
    in_burst = cap & burst
    assert np.count_nonzero(in_burst) > 20
    assert not cap[N_SILENCE + 1000 : N_SILENCE + N_BURST - 100].any()
    assert np.median(np.abs(dn[in_burst].real)) < 0.1 * np.median(np.abs(raw[in_burst].real))
    np.testing.assert_array_equal(
        bits, (den.real < 0).astype(np.uint8) ^ (bits[0] ^ (den[0].real < 0))
    )


def test_back_end_with_nan_symbols():
    """psk_receiver's back end (symbol_normalizer, the C++ denoiser with its latency on the
    stock symbols and sigma2, the gate) on symbols with NaN/Inf in the silence and in the
    burst: output 0 is finite wherever the denoiser's was (it sanitises non-finite input;
    the normaliser passes it through), and the stock symbol where capped and finite.
    (Non-finite baseband into psk_receiver itself stops GNU Radio's symbol_sync_cc:
    'mmse_fir_interpolator_cc: imu out of bounds', a stall before this gate.)"""
    rng = np.random.default_rng(2)
    y = np.concatenate(
        [
            0.1 * (rng.standard_normal(800) + 1j * rng.standard_normal(800)),
            rng.choice([-1.0, 1.0], 2000) + 0.1 * rng.standard_normal(2000),
        ]
    ).astype(np.complex64)
    bad = np.array([100, 500, 801, 805, 820, 1500, 2500])
    y[bad[::2]] = np.nan
    y[bad[1::2]] = np.inf
    norm = diffusion.symbol_normalizer("bpsk", 256, "quadrature")
    path = diffusion.shipped_model("bpsk_pn_w32")
    dnb = diffusion.ddpm_denoiser
    den = dnb(path, mode=dnb.TWEEDIE, ddim_steps=5, noise_source=dnb.NOISE_STREAM)
    lat = int(den.latency())
    gate = diffusion.no_signal_gate()
    d_sym = blocks.delay(gr.sizeof_gr_complex, lat)
    d_s2 = blocks.delay(gr.sizeof_float, lat)
    tb = gr.top_block()
    out, dn, raw, s2 = (
        blocks.vector_sink_c(),
        blocks.vector_sink_c(),
        blocks.vector_sink_c(),
        blocks.vector_sink_f(),
    )
    tb.connect(blocks.vector_source_c(y.tolist()), norm)
    tb.connect((norm, 0), (den, 0))
    tb.connect((norm, 1), (den, 1))
    tb.connect((norm, 0), d_sym, raw)
    tb.connect((norm, 1), d_s2, s2)
    tb.connect(den, (gate, 0))
    tb.connect(d_sym, (gate, 1))
    tb.connect(d_s2, (gate, 2))
    tb.connect(gate, out)
    tb.connect(den, dn)
    assert run_bounded(tb, 60)
    o, d = np.array(out.data()), np.array(dn.data())
    n = len(o)
    assert n == len(d) > 0.9 * len(y)
    r, s = np.array(raw.data())[:n], np.array(s2.data())[:n]
    assert not np.all(np.isfinite(r)), "the normaliser passes the NaN/Inf through"
    assert np.all(np.isfinite(o[np.isfinite(d)]))
    take = (s >= CAPPED_FRACTION * SIGMA2_CAP) & np.isfinite(r)
    assert take.any() and (~take).any()
    np.testing.assert_array_equal(o, np.where(take, r, d))
