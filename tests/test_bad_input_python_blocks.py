"""Every Python block on degenerate streams, in real flowgraphs (issue 22, class 1).

An exception escaping a Python block's work() ends its thread and stalls the whole
flowgraph (the Python denoiser on all-zero input: ValueError in its input check, tb.run()
never returned). Each Python block with a work() / general_work() (and the hier blocks
built on them) is fed all-zero, constant, single-sample and empty streams; each run must
finish within a bound (a hang fails the test, it does not stall the suite), raise nothing
inside work() (work_errors() == 0: the arithmetic handles the input, the last-resort guard
of diffusion.work_guard is not what keeps it running) and give finite output of the
expected length. The guard itself is tested by making work() raise.
"""

import math

import numpy as np
import pmt
import pytest
from fg_util import run_bounded
from gnuradio import blocks, diffusion, gr
from gnuradio.diffusion import work_guard
from gnuradio.diffusion.link import framing

N = 3000  # > the denoisers' 1024-sample input check, a few of mi_probe's windows
TIMEOUT = 60.0  # s; each run takes well under a second when it does not hang

INPUTS = {
    "zeros": np.zeros(N, np.complex64),
    "constant": np.full(N, 0.6 - 0.3j, np.complex64),  # off every constellation point
    "on_point": np.full(N, (1 + 1j) / math.sqrt(2), np.complex64),  # a QPSK point, sigma2 0
    "single": np.array([0.3 + 0.1j], np.complex64),
    "empty": np.zeros(0, np.complex64),
}


def m16():
    return diffusion.shipped_model("16qam")


def py_denoiser(src="parameter", model="16qam", **kw):
    def make():
        return diffusion.ddpm_denoiser_py(
            diffusion.shipped_model(model), "tweedie", 1, src, 12.0, batch_size=1024, **kw
        )

    return make


# (name, factory, number of complex inputs, outputs: complex/float sink types, items out
# per item in: 1 = same count, None = not item-preserving)
SYNC_BLOCKS = [
    ("ddpm_denoiser_py", py_denoiser(), 1, "c", 1),
    ("ddpm_denoiser_py_blind", py_denoiser("blind"), 1, "c", 1),
    ("ddpm_denoiser_py_numpy", py_denoiser(engine="numpy"), 1, "c", 1),
    ("ddpm_denoiser_py_window", py_denoiser(model="qpsk_pn_w32"), 1, "c", None),
    (
        "dnn_receiver",
        lambda: diffusion.dnn_receiver("dnn_16qam_regression", "expected", 12.0, batch_size=512),
        1,
        "c",
        1,
    ),
    ("symbol_normalizer", lambda: diffusion.symbol_normalizer("16qam", 64), 1, "cf", 1),
    ("rms_agc", lambda: diffusion.rms_agc(64), 1, "c", 1),
]


def _run(blk, ins, sinks, mno=None):
    tb = gr.top_block()
    srcs = [blocks.vector_source_c(v.tolist()) for v in ins]
    for i, s in enumerate(srcs):
        tb.connect(s, (blk, i))
    snks = [blocks.vector_sink_c() if k == "c" else blocks.vector_sink_f() for k in sinks]
    for i, s in enumerate(snks):
        tb.connect((blk, i), s)
    finished = run_bounded(tb, TIMEOUT, max_noutput_items=mno)
    return finished, [np.array(s.data()) for s in snks], snks


def _no_guard_errors(blk):
    assert getattr(blk, "work_errors", lambda: 0)() == 0, "work() raised (see the log)"


@pytest.mark.parametrize("kind", list(INPUTS))
@pytest.mark.parametrize(
    "name,factory,nin,sinks,rate", SYNC_BLOCKS, ids=[b[0] for b in SYNC_BLOCKS]
)
def test_sync_blocks_finish_on_degenerate_input(name, factory, nin, sinks, rate, kind):
    y = INPUTS[kind]
    blk = factory()
    finished, outs, snks = _run(blk, [y] * nin, sinks)
    assert finished, f"{name} on {kind} input did not finish"
    _no_guard_errors(blk)
    if rate == 1:
        assert all(len(o) == len(y) for o in outs), (name, kind, [len(o) for o in outs])
    else:  # window model: whole hops only, delayed by the latency
        assert len(outs[0]) <= len(y)
    for o in outs:
        assert np.all(np.isfinite(o)), (name, kind)
    assert not any(pmt.symbol_to_string(t.key) == "work_error" for t in snks[0].tags())


@pytest.mark.parametrize("kind", list(INPUTS))
def test_no_signal_gate_finishes_on_degenerate_input(kind):
    """Three inputs (denoised, stock, sigma2): the same stream on both symbol inputs and
    sigma2 = 100 |y| (0 for zeros, the cap and above for the others)."""
    y = INPUTS[kind]
    blk = diffusion.no_signal_gate()
    tb = gr.top_block()
    tb.connect(blocks.vector_source_c(y.tolist()), (blk, 0))
    tb.connect(blocks.vector_source_c(y.tolist()), (blk, 1))
    tb.connect(blocks.vector_source_f((100.0 * np.abs(y)).tolist()), (blk, 2))
    snk = blocks.vector_sink_c()
    tb.connect(blk, snk)
    assert run_bounded(tb, TIMEOUT), kind
    _no_guard_errors(blk)
    np.testing.assert_array_equal(np.array(snk.data()), y)


def test_python_denoiser_all_zero_input_warns_once_like_the_cpp_block(capfd):
    """The issue's case: 20000 zeros through ddpm_denoiser_py (was: 0 items, no end). Both
    denoisers log the power warning once and output what the model makes of y = 0."""
    y = np.zeros(20000, np.complex64)
    D = diffusion.ddpm_denoiser
    outs = []
    for blk in (
        D(m16(), D.TWEEDIE, 1, D.NOISE_PARAMETER, 12.0, "cpu", 1, 4096, 0),
        diffusion.ddpm_denoiser_py(m16(), "tweedie", 1, "parameter", 12.0, batch_size=4096),
    ):
        finished, (out,), _ = _run(blk, [y], "c")
        assert finished and len(out) == len(y) and np.all(np.isfinite(out))
        outs.append(out)
    log = capfd.readouterr()
    log = log.out + log.err
    assert log.count("mean input power 0 is 0.00x") == 2, log  # once per block
    # same maths in both (tweedie, deterministic): the C++/Python parity tolerance
    np.testing.assert_allclose(outs[1], outs[0], atol=1e-5, rtol=0)


def test_python_denoiser_stream_sigma2_zero_constant_and_single():
    """noise_source 'stream': a sigma2 input of zeros (below the schedule: clamped, warned)
    with a zero signal."""
    for n in (N, 1, 0):
        tb = gr.top_block()
        blk = py_denoiser("stream")()
        y = blocks.vector_source_c([0j] * n)
        s2 = blocks.vector_source_f([0.0] * n)
        snk = blocks.vector_sink_c()
        tb.connect(y, (blk, 0))
        tb.connect(s2, (blk, 1))
        tb.connect(blk, snk)
        assert run_bounded(tb, TIMEOUT), n
        _no_guard_errors(blk)
        out = np.array(snk.data())
        assert len(out) == n and np.all(np.isfinite(out))


# ---------------------------------------------------------------- sinks
SINKS = [
    ("mi_probe", lambda: diffusion.mi_probe("16qam", None, "none", "parameter", 10.0, 1000, 500)),
    (
        "mi_probe_estimate",
        lambda: diffusion.mi_probe("16qam", None, "none", "estimate", 10.0, 1000, 500),
    ),
    (
        "mi_probe_symbols",
        lambda: diffusion.mi_probe("16qam", None, "symbols", "estimate", 10.0, 1000, 500),
    ),
    ("reconstruction_metrics", lambda: diffusion.reconstruction_metrics("16qam", 500, 1000)),
]


@pytest.mark.parametrize("kind", list(INPUTS))
@pytest.mark.parametrize("name,factory", SINKS, ids=[s[0] for s in SINKS])
def test_sinks_finish_on_degenerate_input(name, factory, kind):
    y = INPUTS[kind]
    blk = factory()
    nin = 1 if name in ("mi_probe", "mi_probe_estimate") else 2
    finished, _, _ = _run(blk, [y] * nin, "")
    assert finished, f"{name} on {kind} input did not finish"
    _no_guard_errors(blk)
    if name.startswith("mi_probe"):
        r = blk.results()
        assert r["n"] == len(y) if len(y) < 1000 else r["n"] == 1000
        if len(y) >= 2:  # an estimate in range (NaN below 2 samples, by definition)
            assert 0.0 <= r["mi_bits"] <= r["entropy_bits"] + 1e-9, r
    else:
        assert blk.num_pairs() == len(y)
        if len(y):
            assert blk.ser() == 0.0  # the reference is the estimate: no symbol error


def test_mi_probe_indices_all_zero():
    tb = gr.top_block()
    blk = diffusion.mi_probe("16qam", None, "indices", "estimate", 10.0, 1000, 500)
    tb.connect(blocks.vector_source_c([0j] * N), (blk, 0))
    tb.connect(blocks.vector_source_i([0] * N), (blk, 1))
    assert run_bounded(tb, TIMEOUT)
    _no_guard_errors(blk)
    r = blk.results()
    assert r["n"] == 1000 and math.isfinite(r["mi_bits"])


# ---------------------------------------------------------------- general blocks
@pytest.mark.parametrize("kind", ["zeros", "constant", "single", "empty"])
def test_pcs_mapper_and_demapper_finish_on_degenerate_input(kind):
    n = {"zeros": 2000, "constant": 2000, "single": 1, "empty": 0}[kind]
    val = 0 if kind == "zeros" else 0xA5
    m = diffusion.pcs_mapper("16qam", "maxwell_boltzmann", "", "tweedie", 10.0, 1024)
    dm = diffusion.pcs_demapper("16qam", "maxwell_boltzmann", "", "tweedie", 10.0, 1024)
    tb = gr.top_block()
    src, snk = blocks.vector_source_b([val] * n), blocks.vector_sink_b()
    tb.connect(src, m, dm, snk)
    assert run_bounded(tb, TIMEOUT), kind
    _no_guard_errors(m)
    _no_guard_errors(dm)
    whole = n // m.bytes_per_block() * m.bytes_per_block()  # a partial block waits
    np.testing.assert_array_equal(np.array(snk.data(), np.uint8), [val] * whole)
    # the demapper on degenerate symbols (not the mapper's): blocks decoded or flagged
    dm2 = diffusion.pcs_demapper("16qam", "maxwell_boltzmann", "", "tweedie", 10.0, 1024)
    y = INPUTS[kind] if kind != "constant" else INPUTS["constant"][:2048]
    tb = gr.top_block()
    snk2 = blocks.vector_sink_b()
    tb.connect(blocks.vector_source_c(y.tolist()), dm2, snk2)
    assert run_bounded(tb, TIMEOUT), kind
    _no_guard_errors(dm2)
    assert dm2.blocks_ok() + dm2.blocks_bad() == len(y) // 1024


@pytest.mark.parametrize("kind", list(INPUTS))
def test_preamble_sync_finishes_on_degenerate_input(kind):
    cfg = framing.LinkConfig(constellation="16qam")
    y = INPUTS[kind]
    if kind in ("zeros", "constant"):
        y = np.resize(y, 3 * cfg.frame_len)  # several search windows
    ps = diffusion.preamble_sync("16qam", cfg.preamble_len, cfg.payload_len)
    finished, outs, _ = _run(ps, [y], "cfc")
    assert finished, kind
    _no_guard_errors(ps)
    assert len(outs[0]) == ps.frames() * cfg.payload_len
    assert ps.frames() <= 1  # a constant has a flat metric: at most one false frame


@pytest.mark.parametrize("kind", ["zeros", "constant", "single", "empty"])
def test_pilot_phase_tracker_finishes_on_degenerate_input(kind):
    from gnuradio.diffusion.tx_impairment_chain import pilot_phase_tracker

    y = INPUTS[kind]
    blk = pilot_phase_tracker(64)
    finished, (out,), _ = _run(blk, [y, y], "c")  # a zero phase reference too
    assert finished, kind
    _no_guard_errors(blk)
    assert len(out) == max(0, (len(y) - 1) // 64 * 64) and np.all(np.isfinite(out))


# ---------------------------------------------------------------- hier blocks
@pytest.mark.parametrize("kind", ["zeros", "constant", "single", "empty"])
def test_link_rx_finishes_on_degenerate_input(kind):
    rx = diffusion.link_rx(constellation="16qam", mode="none", metrics=False)
    tb = gr.top_block()
    tb.connect(blocks.vector_source_c(INPUTS[kind].tolist()), rx)
    sinks = [blocks.vector_sink_c() for _ in range(4)] + [blocks.vector_sink_f()]
    for i, s in enumerate(sinks):
        tb.connect((rx, i), s)
    assert run_bounded(tb, TIMEOUT), kind
    assert rx.sync.frames() <= 1


@pytest.mark.parametrize("kind", ["zeros", "constant", "single", "empty", "nan_inf_bursts"])
@pytest.mark.parametrize("model", ["qpsk", "sdpsk_pn_w32"])
@pytest.mark.parametrize("front_end", ["acquisition", "fll"])
def test_psk_receiver_finishes_on_degenerate_input(kind, model, front_end):
    rx = diffusion.psk_receiver(model_path=diffusion.shipped_model(model), front_end=front_end)
    if kind == "nan_inf_bursts":  # NaN / Inf runs inside and after the acquisition window
        y = INPUTS["constant"].copy()
        y[100:110], y[1500:1520], y[2500] = np.nan, np.inf, complex(np.nan, 1.0)
    else:
        y = INPUTS[kind]
    tb = gr.top_block()
    tb.connect(blocks.vector_source_c(y.tolist()), rx)
    sinks = [blocks.vector_sink_c(), blocks.vector_sink_c(), blocks.vector_sink_f()]
    sinks.append(blocks.vector_sink_b())
    for i, s in enumerate(sinks):
        tb.connect((rx, i), s)
    assert run_bounded(tb, TIMEOUT), kind
    n = [len(s.data()) for s in sinks]
    # aligned outputs (1 and 2 delayed by the denoiser's latency, zeros first); a window
    # model's last hop of a finite stream stays in the denoiser; 2 samples a symbol
    assert n[0] == n[3] <= n[1] == n[2] <= len(y) // 2 + 1 + rx.latency, n
    assert np.all(np.isfinite(np.array(sinks[0].data())))
    if kind == "nan_inf_bursts":
        assert n[0] > 0.9 * len(y) // 2  # the stream went on past the erasures


@pytest.mark.parametrize("kind", ["zeros", "constant", "single", "empty"])
def test_impaired_link_and_tx_chain_finish_on_degenerate_input(kind):
    y = INPUTS[kind]
    chain = diffusion.tx_impairment_chain("16qam+rapp(ibo=0,p=2)+phase_noise(1e-4,block=32)+agc")
    link = diffusion.impaired_link()
    tb = gr.top_block()
    snk = blocks.vector_sink_c()
    sinks = [blocks.vector_sink_c() for _ in range(3)] + [blocks.vector_sink_f()]
    tb.connect(blocks.vector_source_c(y.tolist()), chain, snk)
    tb.connect(blocks.vector_source_c(y.tolist()), link)
    for i, s in enumerate(sinks):
        tb.connect((link, i), s)
    assert run_bounded(tb, TIMEOUT), kind
    assert len(snk.data()) <= len(y) and np.all(np.isfinite(np.array(snk.data())))
    assert all(len(s.data()) == len(y) for s in sinks)


def test_pcs_demapper_index_input_all_zero():
    dm = diffusion.pcs_demapper(
        "16qam", "maxwell_boltzmann", "", "tweedie", 10.0, 1024, input_type="index"
    )
    tb = gr.top_block()
    snk = blocks.vector_sink_b()
    tb.connect(blocks.vector_source_b([0] * 2500), dm, snk)
    assert run_bounded(tb, TIMEOUT)
    _no_guard_errors(dm)
    # an all-zero block does not have the composition: flagged, zero bytes
    assert dm.blocks_ok() == 0 and dm.blocks_bad() == 2
    assert len(snk.data()) == 2 * dm.bytes_per_block()


# ---------------------------------------------------------------- the guard
@pytest.mark.parametrize("model", ["16qam", "qpsk_pn_w32"])
def test_guard_passes_the_chunk_through_tagged_and_the_flowgraph_finishes(model, capfd):
    """A work() that raises (injected: the input check fails): the flowgraph finishes,
    every chunk goes out unprocessed (a window model's delayed by its latency, as its
    output would be), its first item tagged work_error, one logged error with the
    traceback, the count in work_errors()."""
    rng = np.random.default_rng(3)
    y = (rng.standard_normal(5000) + 1j * rng.standard_normal(5000)).astype(np.complex64)
    blk = diffusion.ddpm_denoiser_py(
        diffusion.shipped_model(model), "tweedie", 1, "parameter", 12.0, batch_size=1024
    )

    def broken(*_a):
        raise ZeroDivisionError("injected")

    blk._check_input = broken
    finished, (out,), (snk,) = _run(blk, [y], "c", mno=1000)
    assert finished
    d = blk.latency()
    assert len(out) > 4000
    np.testing.assert_array_equal(out[:d], 0)  # the history before the stream
    np.testing.assert_array_equal(out[d:], y[: len(out) - d])  # unprocessed, not altered
    tags = [t for t in snk.tags() if pmt.symbol_to_string(t.key) == "work_error"]
    assert len(tags) == blk.work_errors() >= 4  # one per chunk (max_noutput_items 1000)
    assert tags[0].offset == 0 and [pmt.to_uint64(t.value) for t in tags] == list(
        range(1, len(tags) + 1)
    )
    log = capfd.readouterr()
    log = log.out + log.err
    assert log.count("unexpected ZeroDivisionError in work(): injected") == 1
    assert "Traceback" in log


def test_guard_drops_the_chunk_of_a_general_block_and_clears_its_state(capfd):
    cfg = framing.LinkConfig(constellation="16qam")
    fr = framing.Framing(cfg).frames()
    y = np.concatenate([np.zeros(50), fr, fr, fr, np.zeros(50)]).astype(np.complex64)
    ps = diffusion.preamble_sync("16qam", cfg.preamble_len, cfg.payload_len)
    real_push = ps.sync.push
    calls = [0]

    def flaky(x):
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("injected")
        return real_push(x)

    ps.sync.push = flaky
    finished, outs, _ = _run(ps, [y], "cfc")
    assert finished and ps.work_errors() == 1
    assert len(outs[0]) == ps.frames() * cfg.payload_len  # whole frames only
    log = capfd.readouterr()
    assert "unexpected RuntimeError in work(): injected" in log.out + log.err


def test_guard_rejects_unknown_policies():
    with pytest.raises(ValueError, match="policy"):
        work_guard.guarded_work("ignore")


def _taps_tagged_symbols(y):
    """(items, source) of the degenerate samples y as 64-carrier OFDM symbols (zero-padded
    to whole symbols), the first tagged ofdm_sync_chan_taps with taps made of the same
    samples (all zero, constant, NaN, ...)."""
    n = -(-len(y) // 64) * 64
    v = np.zeros(n, np.complex64)
    v[: len(y)] = y
    tags = []
    if n:
        t = gr.tag_t()
        t.offset, t.key = 0, pmt.intern("ofdm_sync_chan_taps")
        t.value = pmt.init_c32vector(64, v[:64])
        tags.append(t)
    return n, blocks.vector_source_c(v.tolist(), False, 64, tags)


@pytest.mark.parametrize("pilots", ["all", "comb"])
@pytest.mark.parametrize("kind", list(INPUTS))
def test_ofdm_channel_denoiser_py_finishes_on_degenerate_input(kind, pilots):
    n, src = _taps_tagged_symbols(INPUTS[kind])
    tb = gr.top_block()
    blk = diffusion.ofdm_channel_denoiser_py("ofdm_mix", pilots=pilots)
    snk = blocks.vector_sink_c(64)
    tb.connect(src, blk, snk)
    assert run_bounded(tb, TIMEOUT), kind
    _no_guard_errors(blk)
    out = np.array(snk.data())
    assert len(out) == n and np.all(np.isfinite(out))
    for t in snk.tags():
        if pmt.symbol_to_string(t.key) == "ofdm_sync_chan_taps":
            assert np.all(np.isfinite(pmt.c32vector_elements(t.value)))


@pytest.mark.parametrize("kind", list(INPUTS))
def test_ofdm_taps_hold_finishes_on_degenerate_input(kind):
    n, src = _taps_tagged_symbols(INPUTS[kind])
    tb = gr.top_block()
    blk = diffusion.ofdm_taps_hold(64)
    snk = blocks.vector_sink_c(64)
    tb.connect(src, blk, snk)
    assert run_bounded(tb, TIMEOUT), kind
    _no_guard_errors(blk)
    out = np.array(snk.data())
    assert len(out) == n and np.all(np.isfinite(out))


@pytest.mark.parametrize("kind", list(INPUTS))
def test_genie_taps_finishes_on_degenerate_input(kind):
    # the link ceiling's instrument (flowgraphs.ofdm_link): true channels of 4 bursts
    from gnuradio.diffusion.flowgraphs.ofdm_link import genie_taps

    rng = np.random.default_rng(3)
    H = (rng.standard_normal((4, 52)) + 1j * rng.standard_normal((4, 52))) / np.sqrt(2)
    n, src = _taps_tagged_symbols(INPUTS[kind])
    tb = gr.top_block()
    blk = genie_taps(H)
    snk = blocks.vector_sink_c(64)
    tb.connect(src, blk, snk)
    assert run_bounded(tb, TIMEOUT), kind
    _no_guard_errors(blk)
    assert len(snk.data()) == n


@pytest.mark.parametrize("kind", list(INPUTS) + ["nan_burst"])
def test_carrier_acquisition_finishes_on_degenerate_input(kind):
    y = INPUTS["constant"].copy() if kind == "nan_burst" else INPUTS[kind]
    if kind == "nan_burst":
        y[100:110] = np.nan  # inside the acquisition window
    blk = diffusion.carrier_acquisition(sps=2, window=1024, hop=512)
    finished, (out,), _ = _run(blk, [y], "c")
    assert finished, kind
    _no_guard_errors(blk)
    # the first window is held until it is all in (documented): shorter streams give nothing
    assert len(out) == (len(y) if len(y) >= 1024 else 0), (kind, len(out))
    assert np.all(np.isfinite(blk.offset())) or len(y) < 1024
    finite_in = np.isfinite(y[: len(out)])
    assert np.all(np.isfinite(out[finite_in])), kind  # a NaN in stays a NaN, nothing spreads


def test_every_python_block_is_guarded():
    """Every Python block class of the package wraps its work() / general_work() in
    diffusion.work_guard (a new block that forgets it fails here), and each is exercised
    by a degenerate-input test above."""
    import importlib
    import inspect
    import pkgutil

    import gnuradio.diffusion as pkg

    found = {}
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf.startswith(("qa_", "train")) or ".training" in info.name:
            continue
        mod = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ != mod.__name__:
                continue
            if not issubclass(cls, (gr.sync_block, gr.basic_block)):
                continue
            for meth in ("work", "general_work"):
                fn = cls.__dict__.get(meth)
                if fn is not None:
                    found[cls.__name__] = hasattr(fn, "__wrapped__")
    assert found and all(found.values()), found
    tested = {
        "ddpm_denoiser_py",
        "dnn_receiver",
        "symbol_normalizer",
        "mi_probe",
        "reconstruction_metrics",
        "pcs_mapper",
        "pcs_demapper",
        "preamble_sync",
        "pilot_phase_tracker",
        "ofdm_channel_denoiser_py",
        "ofdm_taps_hold",
        "carrier_acquisition",
        "rms_agc",
        "no_signal_gate",
        "genie_taps",
    }
    assert set(found) == tested, set(found) ^ tested
