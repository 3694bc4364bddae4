#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""A real recording through the third-party receive path: the ORBCOMM downlink capture in
../shared/recordings/orbcomm (SDPSK, 4800 symbols/s, 2 samples/symbol, RRC roll-off 0.4, a
carrier offset of about -320 Hz, ~20 dB Es/N0; README there). psk_receiver runs in a real
flowgraph; packets come from differential decisions and are valid by their Fletcher-16 sums.

Measured (seeds below; issue 21's front end: carrier acquisition from the 4th-power line,
RRC, symbol_sync Gardner, Costas): psk_receiver without a model decodes all 49 reference
packets of the clean capture and 48-49 with noise at L = 6-9 dB; the per-symbol and window
models change that by at most a packet there. The levels that separate receivers are 3-4.5
dB (bench/orbcomm_receivers.py, bench/results_orbcomm_receivers.md): there psk_receiver
decodes as many packets as the textbook stock chain with a correct offset, and the SDPSK
window prior (sdpsk_pn_w32) adds 3-14 packets per seed; the textbook chain's own offset
estimate fails on 2-3 of 5 seeds. The regression test at the end asserts that on two inputs.
"""

import os

import numpy as np
import pytest
from gnuradio import blocks, diffusion, gr
from gnuradio.diffusion.link import orbcomm
from shared_recordings import recording_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REC = recording_dir("orbcomm")
IQ = os.path.join(REC, "iq_data_0.dat")
REF = os.path.join(REC, "orbdemod_packets_iq_0.txt")
SPS = 2

pytestmark = pytest.mark.skipif(
    not os.path.isfile(IQ),
    reason="../shared/recordings/orbcomm is absent (a clone without shared/; CI always has it)",
)


def receive(y, mode, model_path=""):
    """(decoded packets, normalised symbols, sigma2) of psk_receiver over y (+ a flush)."""
    tb = gr.top_block()
    y = np.concatenate([y, np.zeros(64 * SPS)]).astype(np.complex64)  # flush filters/loops
    src = blocks.vector_source_c(y.tolist())
    rx = diffusion.psk_receiver(
        sps=SPS, rolloff=0.4, constellation="qpsk", mode=mode, model_path=model_path
    )
    sinks = [blocks.vector_sink_c(), blocks.vector_sink_c(), blocks.vector_sink_f()]
    tb.connect(src, rx)
    for i, s in enumerate(sinks):
        tb.connect((rx, i), s)
    sizes = rx.output_signature().sizeof_stream_items()
    for i in range(len(sinks), rx.output_signature().max_streams()):  # further outputs unused
        tb.connect((rx, i), blocks.null_sink(sizes[min(i, len(sizes) - 1)]))
    tb.run()
    sym, raw, s2 = (np.array(s.data()) for s in sinks)
    return orbcomm.decode_packets(orbcomm.differential_bits(sym)), raw, s2


def with_noise(x, esn0_db, seed):
    """Add complex white noise of variance sigma2 = P / 10^(esn0_db / 10) per sample, P the
    recording's mean power per sample. Measured: the receiver's M2M4 estimate then reads
    Es/N0 = esn0_db (combined with the capture's own ~20 dB noise) to within 0.5 dB."""
    rng = np.random.default_rng(seed)
    s2 = np.mean(np.abs(x) ** 2) * 10 ** (-esn0_db / 10)
    return x + np.sqrt(s2 / 2) * (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))


@pytest.fixture(scope="module")
def capture():
    return (np.fromfile(IQ, dtype=np.complex64).astype(np.complex128), orbcomm.read_reference(REF))


def test_reference_packets_are_valid(capture):
    _, ref = capture
    assert len(ref) == 49 and all(orbcomm.fletcher16_ok(p) for p in ref)
    assert all(p[0] in orbcomm.HEADERS and len(p) == orbcomm.HEADERS[p[0]] for p in ref)


def test_stock_path_decodes_every_reference_packet(capture):
    x, ref = capture
    packets, raw, s2 = receive(x, "none")
    assert all(orbcomm.fletcher16_ok(p) for p in packets)
    assert [p for p in ref if p not in packets] == []
    # symbols at 45 degrees (the QPSK model's orientation) and unit signal power
    r = raw[200:4700]  # past the loops' start-up, before the flush
    assert abs(abs(np.angle(np.mean(r**4 / np.abs(r) ** 4))) - np.pi) < 0.2
    # the capture's own Es/N0 (M2M4 on the symbols): measured 31 dB with this front end (the
    # README's ~20 dB was the FLL front end's); at least 20 dB
    assert -10 * np.log10(np.median(s2[200:4700])) > 20.0


def test_denoised_path_on_the_clean_capture(capture):
    x, ref = capture
    packets, _, _ = receive(x, "tweedie")
    assert all(orbcomm.fletcher16_ok(p) for p in packets)
    # measured 49 of 49 (see the module doc); 46 leaves room for numerical changes
    assert sum(p in packets for p in ref) >= 46


@pytest.mark.parametrize("seed", [1, 2])
def test_added_noise_counts(capture, seed):
    x, ref = capture
    y = with_noise(x, 9.0, seed)
    stock, raw, s2 = receive(y, "none")
    n_stock = sum(p in stock for p in ref)
    # measured 48 and 49 of 49 at 9 dB for seeds 1 and 2: a packet of 96 bits survives
    # with probability ~(1 - BER)^96 at the differential BER of ~12 dB symbol Es/N0
    assert n_stock >= 45, n_stock
    # symbol Es/N0 = L + 10 log10(sps) after the matched filter (12.0 dB) combined with the
    # capture's own ~31 dB: measured 11.97 dB; the estimate within 1 dB
    est = -10 * np.log10(np.median(s2[200:4700]))
    assert abs(est - 12.0) < 1.0, est
    denoised, _, _ = receive(y, "tweedie")
    n_den = sum(p in denoised for p in ref)
    assert all(orbcomm.fletcher16_ok(p) for p in denoised)
    # measured 49 and 49: per-symbol snapping neither helps nor hurts much at this level
    assert abs(n_den - n_stock) <= 3, (n_den, n_stock)


@pytest.fixture(scope="module")
def window_model():
    from gnuradio.diffusion.core.model_files import shipped_model

    try:
        return shipped_model("qpsk_pn_w32")
    except FileNotFoundError:
        pytest.skip("window model qpsk_pn_w32.onnx absent (set GR_DIFFUSION_MODEL_DIR)")


def test_window_path_on_the_clean_capture(capture, window_model):
    x, ref = capture
    packets, _, _ = receive(x, "tweedie", window_model)
    assert all(orbcomm.fletcher16_ok(p) for p in packets)
    # measured 49 of 49 (output 0 only: the window model's latency D delays it, not the
    # differential decisions); 47 leaves room for the loops' start-up
    assert sum(p in packets for p in ref) >= 47


@pytest.mark.parametrize("seed,stock,window", [(1, 48, 48), (2, 49, 49)])
def test_window_path_added_noise_counts(capture, window_model, seed, stock, window):
    """Window model (qpsk_pn_w32, tweedie) after the Costas loop at L = 9 dB. Measured
    (issue 21's front end): 48 and 49 packets, as without the model. Margins: 3 packets
    each way around the measured counts (these runs are deterministic, the margin covers
    numerical changes)."""
    x, ref = capture
    y = with_noise(x, 9.0, seed)
    stock_pk, _, _ = receive(y, "none")
    win_pk, _, _ = receive(y, "tweedie", window_model)
    n_stock = sum(p in stock_pk for p in ref)
    n_win = sum(p in win_pk for p in ref)
    assert all(orbcomm.fletcher16_ok(p) for p in win_pk)
    assert abs(n_stock - stock) <= 3, n_stock
    assert abs(n_win - window) <= 3, n_win
    assert n_win >= n_stock - 3, (n_win, n_stock)


@pytest.fixture(scope="module")
def sdpsk_model():
    from gnuradio.diffusion.core.model_files import shipped_model

    try:
        return shipped_model("sdpsk_pn_w32")
    except FileNotFoundError:
        pytest.skip("window model sdpsk_pn_w32.onnx absent (set GR_DIFFUSION_MODEL_DIR)")


def receive_sdpsk(y, model_path, carrier):
    """Packets from psk_receiver's own SDPSK decisions (output 3) with the SDPSK window model."""
    tb = gr.top_block()
    y = np.concatenate([y, np.zeros(64 * SPS)]).astype(np.complex64)
    src = blocks.vector_source_c(y.tolist())
    rx = diffusion.psk_receiver(
        sps=SPS,
        rolloff=0.4,
        constellation="qpsk",
        mode="tweedie",
        model_path=model_path,
        carrier=carrier,
        decisions="sdpsk",
    )
    snk = blocks.vector_sink_b()
    tb.connect(src, rx)
    sizes = rx.output_signature().sizeof_stream_items()
    for i in range(3):
        tb.connect((rx, i), blocks.null_sink(sizes[i]))
    tb.connect((rx, 3), snk)
    tb.run()
    # output 3 is 1 where the phase advances from the previous symbol: the first is moot
    return orbcomm.decode_packets(np.array(snk.data(), dtype=np.uint8)[1:])


@pytest.mark.parametrize("carrier", ["costas", "none"])
def test_sdpsk_path_on_the_clean_capture(capture, sdpsk_model, carrier):
    x, ref = capture
    packets = receive_sdpsk(x, sdpsk_model, carrier)
    assert all(orbcomm.fletcher16_ok(p) for p in packets)
    # measured 49 of 49 with either carrier; 47 leaves room for the loops' start-up
    assert sum(p in packets for p in ref) >= 47


@pytest.mark.parametrize(
    "esn0,seed,stock,costas,none",
    [(6.0, 1, 48, 48, 48), (6.0, 2, 49, 49, 49), (9.0, 1, 48, 49, 49), (9.0, 2, 49, 49, 49)],
)
def test_sdpsk_path_added_noise_counts(capture, sdpsk_model, esn0, seed, stock, costas, none):
    """SDPSK window model (sdpsk_pn_w32: an SDPSK sequence prior, carrier offsets to +-0.07
    cycles/symbol) in psk_receiver, decisions from output 3 ('sdpsk'), carrier 'costas' and
    'none', at L = 6 and 9 dB where the front end alone decodes 48-49 of 49 (measured
    counts in the parameters). A fixed seed is deterministic, so the counts are asserted
    with a margin of 3 packets each way, which covers numerical changes (engine kernels
    flip single bits); the prior never costs more than one packet against the same
    receiver without it. Where the prior matters (3-4.5 dB): test_receiver_vs_textbook."""
    x, ref = capture
    y = with_noise(x, esn0, seed)
    stock_pk, _, _ = receive(y, "none")
    n_stock = sum(p in stock_pk for p in ref)
    counts = {}
    for carrier in ("costas", "none"):
        pk = receive_sdpsk(y, sdpsk_model, carrier)
        assert all(orbcomm.fletcher16_ok(p) for p in pk)
        counts[carrier] = sum(p in pk for p in ref)
    assert abs(n_stock - stock) <= 3, n_stock
    assert abs(counts["costas"] - costas) <= 3, counts
    assert abs(counts["none"] - none) <= 3, counts
    assert counts["costas"] >= n_stock - 1, (counts, n_stock)


@pytest.mark.parametrize("level,seed", [(3.0, 102), (4.5, 104)])
def test_receiver_vs_textbook(capture, sdpsk_model, level, seed):
    """psk_receiver against the textbook stock chain (flowgraphs.stock_psk) on the same noisy
    input (flowgraphs.psk_benchmark, the bench's noise model and counting). Measured
    (bench/results_orbcomm_receivers.md, seeds 101-105): at 3 dB textbook 0-29 packets
    (its 4th-power offset estimate fails on 3 of 5 seeds; 0 for seed 102), psk_receiver
    24-30 and with sdpsk_pn_w32 34-38 (since the timing-start fix; 21-29 and 33-38 before);
    at 4.5 dB (seed 104, an input where the textbook
    estimate is right) 42 / 42 / 45. Asserted: the receiver never decodes fewer than the
    textbook chain (one packet of slack, the issue's), the prior never fewer than the
    receiver alone (measured +3 to +14 packets at 3-4.5 dB over all 10 inputs); the
    receiver's own count within 4 packets of the measured one (its seed spread at these
    levels is 2-3 packets: the margin catches a broken front end, not noise)."""
    from gnuradio.diffusion.flowgraphs import psk_benchmark

    x, ref = capture
    c = psk_benchmark.orbcomm_counts(x, ref, level, seed, sdpsk_model)
    measured = {(3.0, 102): 27, (4.5, 104): 42}[(level, seed)]
    assert abs(c["psk_receiver"] - measured) <= 4, c
    assert c["psk_receiver"] >= c["textbook"] - 1, c
    assert c["psk_receiver_prior"] >= c["textbook"] - 1, c
    assert c["psk_receiver_prior"] >= c["psk_receiver"], c
