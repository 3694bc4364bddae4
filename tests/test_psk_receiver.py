#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""psk_receiver (issue 12, the receive path for third-party signals) on a simulated QPSK
signal at 2 samples per symbol with a carrier offset: outputs aligned whatever the
denoiser's latency (a window model delays outputs 1 and 2 by its D as well), decisions
(SDPSK, DQPSK, coherent) equal to the same rule applied in NumPy to output 0, the path
without a Costas loop, and parameter errors."""

import bad_models
import numpy as np
import pytest
from gnuradio import blocks, diffusion, filter, gr
from gnuradio.diffusion.link import orbcomm

SPS = 2
N_SYM = 3000
TRUTH = np.zeros(N_SYM, np.uint8)  # the transmitted SDPSK bits (1 = +90 degrees)


def agreement(bits):
    """Best fraction of decided bits equal to the transmitted ones over the lags the
    receiver's filters and loops can introduce (past the loops' start-up)."""
    best = 0.0
    for lag in range(0, 40):
        a = bits[300 + lag : 2500 + lag]
        best = max(best, float(np.mean(a == TRUTH[300:2500])))
    return best


@pytest.fixture(scope="module")
def baseband():
    """SDPSK-like QPSK (random +-90 degree steps) through RRC at 2 sps, CFO 1e-3 cycles/sample,
    Es/N0 15 dB."""
    rng = np.random.default_rng(5)
    steps = rng.choice([1j, -1j], N_SYM)
    sym = np.exp(1j * np.pi / 4) * np.cumprod(steps)
    TRUTH[:] = (steps == 1j).astype(np.uint8)
    up = np.zeros(N_SYM * SPS, complex)
    up[::SPS] = sym
    taps = np.array(filter.firdes.root_raised_cosine(SPS, SPS, 1.0, 0.4, 11 * SPS))
    x = np.convolve(up, taps)[: up.size] / np.sqrt(np.sum(taps**2) / SPS)
    x = x * np.exp(2j * np.pi * 1e-3 * np.arange(x.size))
    s2 = np.mean(np.abs(x) ** 2) * 10 ** (-15 / 10)
    x = x + np.sqrt(s2 / 2) * (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))
    return np.concatenate([x, np.zeros(64 * SPS)]).astype(np.complex64)


@pytest.fixture(scope="module")
def window_path(tmp_path_factory):
    p = tmp_path_factory.mktemp("rx") / "window8.onnx"
    p.write_bytes(bad_models.window_model(8, bad_models.window_meta(W=8)).SerializeToString())
    return str(p)


def run(rx, y):
    tb = gr.top_block()
    src = blocks.vector_source_c(y.tolist())
    sinks = [blocks.vector_sink_c(), blocks.vector_sink_c(), blocks.vector_sink_f()]
    sinks.append(blocks.vector_sink_b())
    tb.connect(src, rx)
    for i, s in enumerate(sinks):
        tb.connect((rx, i), s)
    tb.run()
    return [np.array(s.data()) for s in sinks]


def test_stock_path_decisions(baseband):
    rx = diffusion.psk_receiver(sps=SPS, mode="none", decisions="sdpsk")
    den, raw, s2, bits = run(rx, baseband)
    assert len(den) == len(raw) == len(s2) == len(bits) > 0.95 * N_SYM
    assert np.array_equal(den, raw) and rx.latency == 0
    # the block's decisions are orbcomm.differential_bits of output 0 (first one: no previous)
    assert np.array_equal(bits[1:], orbcomm.differential_bits(den))
    # and the signal is decoded: at 15 dB the differential BER is ~1e-4
    assert agreement(bits) > 0.995


def test_window_model_keeps_outputs_aligned(baseband, window_path):
    stock = run(diffusion.psk_receiver(sps=SPS, mode="none"), baseband)
    rx = diffusion.psk_receiver(sps=SPS, model_path=window_path, decisions="dqpsk")
    assert rx.latency == 2  # W = 8, hop 4
    den, raw, s2, k = run(rx, baseband)
    D = rx.latency
    n = len(den)
    # at the end of the stream the denoiser holds back its last D symbols and a partial hop
    assert len(k) == n and len(raw) == len(s2) and 0 <= len(raw) - n <= D + 3
    # outputs 1, 2 are the stock chain's, delayed by D (zeros first)
    assert np.allclose(raw[D:n], stock[1][: n - D], atol=1e-6)
    assert np.allclose(s2[D:n], stock[2][: n - D], atol=1e-6)
    assert np.all(raw[:D] == 0)
    # output 0 at index i is the denoised symbol of output 1 at index i (aligned)
    # (a misalignment by one symbol would put the +-90 degree steps between them)
    d = den[100 : n - 100] * np.conj(raw[100 : n - 100])
    assert np.mean(np.abs(np.angle(d)) < np.pi / 4) > 0.99
    # DQPSK decisions with the Costas loop: the quadrants of output 0 (QPSK at 45 degrees,
    # counterclockwise) differentially decoded, the phase change in quarter turns
    quad = np.mod(np.round((np.angle(den) - np.pi / 4) / (np.pi / 2)), 4).astype(int)
    q = np.mod(quad[1:] - quad[:-1], 4)
    # (past the start-up, where near-zero symbols make float32 and float64 angles differ)
    # and before the end of the stream (the denoiser's last, partial hop: the same window
    # as the alignment check above; measured mismatches 40 symbols from the end under ctest)
    assert np.array_equal(k[1:][100:-100], q[100:-100])


def test_coherent_decisions_and_no_carrier_loop(baseband):
    rx = diffusion.psk_receiver(sps=SPS, mode="tweedie", decisions="coherent", carrier="none")
    assert rx.costas is None
    den, raw, s2, idx = run(rx, baseband)
    pts = np.array(diffusion.core.onnx_model.DdpmModel(rx.model_path).constellation.points)
    want = np.argmin(np.abs(den[:, None] - pts[None, :]), axis=1)
    assert np.array_equal(idx, want)
    # without a carrier loop the residual offset makes the points rotate: all four indices
    assert len(np.unique(idx[200:-200])) == 4


@pytest.mark.parametrize(
    "kw,msg",
    [
        ({"carrier": "pll"}, "carrier must be one of"),
        ({"decisions": "soft"}, "decisions must be one of"),
        ({"sps": 1}, "sps must be >= 2"),
        ({"window_hop": 99, "model_path": "WINDOW"}, "window_hop must be in"),
        ({"noise_estimator": "quadrature"}, "needs constellation 'bpsk' and carrier 'costas'"),
        (
            {"noise_estimator": "quadrature", "constellation": "bpsk", "carrier": "none"},
            "needs constellation 'bpsk'",
        ),
        ({"noise_estimator": "em"}, "estimator must be one of"),
        ({"timing_max_dev": 0.0}, "timing_max_dev must be in"),
        ({"timing_max_dev": 2.0}, "timing_max_dev must be in"),  # sps 2
    ],
)
def test_parameter_errors(kw, msg, window_path):
    if kw.get("model_path") == "WINDOW":
        kw = dict(kw, model_path=window_path)
    with pytest.raises(ValueError, match=msg):
        diffusion.psk_receiver(**kw)
