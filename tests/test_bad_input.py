"""Bad-input corpus against every block in real flowgraphs (issue 16).

Generated here: bursts of NaN / +-Inf / 1e30 / denormal / zero samples; wrong PMT types and
absurd values on every message port; wrong tag value types; absurd constructor values and
parameters. Each case asserts a clear error (ValueError naming the parameter) or a warning
and a flowgraph that finishes (bounded: a hang fails the test), with the output outside the
burst equal to a clean run where the block is memoryless. Also: the blind noise estimate
(outliers, chunking), the Python denoiser under a message flood, scheduler constraints
(pcs_mapper, preamble_sync with max_noutput_items below their block lengths) and link_rx
through NaN / 1e30 bursts.
"""

import math
import threading
import time

import numpy as np
import pmt
import pytest
from fg_util import BURSTS, run_bounded, with_burst
from gnuradio import blocks, channels, diffusion, gr
from gnuradio.diffusion.link import framing

AN = diffusion.additive_noise
PA = diffusion.pa_nonlinearity
HW = diffusion.hardware_impairments
D = diffusion.ddpm_denoiser
N = 6000
B0, BL = 2500, 40  # burst start, length


def qam16(n, esn0_db, seed):
    rng = np.random.default_rng(seed)
    lv = np.array([-3, -1, 1, 3]) / math.sqrt(10.0)
    x = lv[rng.integers(0, 4, n)] + 1j * lv[rng.integers(0, 4, n)]
    s2 = 10.0 ** (-esn0_db / 10.0)
    w = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    return (x + math.sqrt(s2 / 2) * w).astype(np.complex64), s2


# (name, factory, number of complex inputs, exact) -- memoryless / input-independent-state
# blocks: outside the burst their output must equal the clean run's (exact, or to 1e-6 for
# the onnxruntime batches whose composition changes with the burst).
MEMORYLESS = [
    ("additive_noise", lambda: AN(10.0, AN.GAUSSIAN, 1.0, 0.0, 0.0, 1.0, 0.0, 3), 1, True),
    ("pa_rapp", lambda: PA(PA.RAPP), 1, True),
    ("pa_saleh", lambda: PA(PA.SALEH), 1, True),
    ("quantizer", lambda: diffusion.complex_quantizer(6, 1.5), 1, True),
    ("phase_noise", lambda: diffusion.phase_noise(1e-3, 4), 1, True),
    ("block_fading", lambda: diffusion.block_fading(64, 1.0, 5), 1, True),
    ("hw_nominal", lambda: HW(0.05, diffusion.POWER_NOMINAL, 1.0, 256, 6), 1, True),
    ("zf_equalizer", lambda: diffusion.zf_equalizer(0.01, 0.1, 1.0), 2, True),
    ("sample_guard", lambda: diffusion.sample_guard(1e6), 1, True),
    (
        "ddpm_denoiser",
        lambda: D(
            diffusion.shipped_model("16qam"),
            D.TWEEDIE,
            1,
            D.NOISE_PARAMETER,
            12.0,
            "cpu",
            1,
            1024,
            0,
        ),
        1,
        False,
    ),
    (
        "ddpm_denoiser_py",
        lambda: diffusion.ddpm_denoiser_py(
            diffusion.shipped_model("16qam"), "tweedie", 1, "parameter", 12.0, batch_size=1024
        ),
        1,
        False,
    ),
    (
        "dnn_receiver",
        lambda: diffusion.dnn_receiver("dnn_16qam_regression", "expected", 12.0, batch_size=1024),
        1,
        False,
    ),
]


def logged(capfd):
    """What the GNU Radio loggers wrote (stdout or stderr, by configuration)."""
    c = capfd.readouterr()
    return c.out + c.err


def run_block(factory, nin, inputs, **kw):
    tb = gr.top_block()
    blk = factory()
    srcs = [blocks.vector_source_c(v.tolist()) for v in inputs[:nin]]
    snk = blocks.vector_sink_c()
    for i, s in enumerate(srcs):
        tb.connect(s, (blk, i))
    tb.connect((blk, 0), snk)
    assert run_bounded(tb, 60, **kw), "flowgraph did not finish"
    return blk, np.array(snk.data(), dtype=np.complex64)


@pytest.mark.parametrize("name,factory,nin,exact", MEMORYLESS, ids=[m[0] for m in MEMORYLESS])
def test_bursts_memoryless_blocks(name, factory, nin, exact):
    y, _ = qam16(N, 12.0, 1)
    h = (0.8 + 0.3j) * np.ones(N, dtype=np.complex64)
    _, clean = run_block(factory, nin, [y, h])
    assert len(clean) == N
    keep = np.r_[0:B0, B0 + BL : N]
    for kind in BURSTS:
        for which in range(nin):  # the burst on each input in turn
            ins = [y, h]
            ins[which] = with_burst(ins[which], kind, B0, BL)
            _, out = run_block(factory, nin, ins)
            assert len(out) == N, (name, kind)
            if exact:
                np.testing.assert_array_equal(out[keep], clean[keep], err_msg=f"{name} {kind}")
            else:
                np.testing.assert_allclose(
                    out[keep], clean[keep], atol=1e-5, rtol=0, err_msg=f"{name} {kind}"
                )


def test_sample_guard_replaces_tags_and_counts():
    y, _ = qam16(N, 12.0, 2)
    z = with_burst(y, "nan", 100, 5)
    z = with_burst(z, "huge", 1000, 3)
    z = with_burst(z, "denormal", 2000, 4)
    tb = gr.top_block()
    g = diffusion.sample_guard(1e6)
    src, snk = blocks.vector_source_c(z.tolist()), blocks.vector_sink_c()
    tb.connect(src, g, snk)
    assert run_bounded(tb, 30)
    out = np.array(snk.data())
    assert g.replaced_count() == 8 and g.burst_count() == 2
    assert np.all(out[100:105] == 0) and np.all(out[1000:1003] == 0)
    assert np.all(out[2000:2004] == 0)  # subnormal rails flushed
    rest = np.r_[0:100, 105:1000, 1003:2000, 2004:N]
    np.testing.assert_array_equal(out[rest], z[rest])
    tags = [
        (t.offset, pmt.to_uint64(t.value))
        for t in snk.tags()
        if pmt.symbol_to_string(t.key) == "sample_guard"
    ]
    assert tags == [(100, 1), (1000, 6)]
    with pytest.raises(ValueError, match="max_magnitude"):
        diffusion.sample_guard(float("nan"))


def test_hardware_impairments_measured_power_survives_nan_and_inf(capfd):
    """One NaN/Inf no longer makes the power window non-finite: distortion continues and,
    W samples after the burst, the output equals the clean run exactly."""
    W = 256
    y, _ = qam16(N, 30.0, 3)

    def factory():
        return HW(0.05, diffusion.POWER_MEASURED, 1.0, W, 6)

    _, clean = run_block(factory, 1, [y])
    for kind in ("nan", "inf", "huge"):
        _, out = run_block(factory, 1, [with_burst(y, kind, B0, 3)])
        after = out[B0 + 3 :]
        assert np.all(np.isfinite(after)), kind
        d = after - y[B0 + 3 :]
        assert np.mean(np.abs(d) ** 2) == pytest.approx(0.05, rel=0.15), kind  # kappa * P
        tail = np.r_[B0 + 3 + 2 * W : N]
        np.testing.assert_array_equal(out[tail], clean[tail])
    assert "left out of the measured power" in logged(capfd)


def test_zf_equalizer_bad_h_is_an_erasure():
    n = 8
    y = np.ones(n, dtype=np.complex64)
    h = np.array([np.inf, np.nan, 0, 1e-20, complex(np.inf, 1), 1, 2j, 1e30], dtype=np.complex64)
    tb = gr.top_block()
    zf = diffusion.zf_equalizer(0.0, 0.1, 1.0)
    sy, sh = blocks.vector_source_c(y.tolist()), blocks.vector_source_c(h.tolist())
    z, s2 = blocks.vector_sink_c(), blocks.vector_sink_f()
    tb.connect(sy, (zf, 0))
    tb.connect(sh, (zf, 1))
    tb.connect((zf, 0), z)
    tb.connect((zf, 1), s2)
    assert run_bounded(tb, 30)
    z, s2 = np.array(z.data()), np.array(s2.data())
    assert np.all(np.isfinite(z))
    big = diffusion.zf_equalizer.SIGMA2_MAX
    np.testing.assert_array_equal(s2[:5], [big] * 5)
    np.testing.assert_array_equal(z[:5], 0)
    assert z[5] == 1 and abs(z[6] - (-0.5j)) < 1e-7 and s2[5] == pytest.approx(0.1)
    assert abs(z[7]) < 1e-29 and s2[7] == pytest.approx(0.0, abs=1e-30)


def test_pa_saturates_for_huge_finite_inputs():
    x = np.array([1e30, 1e30j, -3e25 + 4e25j, 1e19, 3e38], dtype=np.complex64)
    for model in (PA.RAPP, PA.SALEH):
        for p in (1.0, 2.0, 3.0):
            tb = gr.top_block()
            pa = PA(model, 3.0, 1.0, 1.0, p, 2.1587, 1.1517, 4.0033, 9.104, False)
            src, snk = blocks.vector_source_c(x.tolist()), blocks.vector_sink_c()
            tb.connect(src, pa, snk)
            assert run_bounded(tb, 30)
            out = np.array(snk.data())
            assert np.all(np.isfinite(out)), (model, p, out)
            if model == PA.RAPP:
                # A_sat = 1 (normalize off): |F(r)| -> A_sat as r -> inf, phase of x kept
                np.testing.assert_allclose(np.abs(out), 1.0, rtol=1e-5)
                np.testing.assert_allclose(np.angle(out), np.angle(x), atol=1e-5)
            else:
                assert np.all(np.abs(out) < 1e-15)  # Saleh's AM/AM falls as 1/r


def test_additive_noise_absurd_esn0_message_clamped_with_one_warning(capfd):
    y, _ = qam16(N, 30.0, 4)
    tb = gr.top_block()
    an = AN(10.0, AN.GAUSSIAN, 1.0, 0.0, 0.0, 1.0, 0.0, 3)
    src, snk = blocks.vector_source_c(y.tolist()), blocks.vector_sink_c()
    tb.connect(src, an, snk)
    bb = an.to_basic_block()
    port = pmt.intern("esn0_db")
    for v in (-1000.0, -1e300, -500.0):
        bb._post(port, pmt.from_double(v))
    assert run_bounded(tb, 30)
    out = np.array(snk.data())
    assert np.all(np.isfinite(out))
    assert an.esn0_db() == -100.0 and an.noise_var() == pytest.approx(1e10)
    assert logged(capfd).count("clamped to -100") == 1
    with pytest.raises(ValueError, match="esn0_db"):
        AN(-1000.0)
    with pytest.raises(ValueError, match="esn0_db"):
        an.set_esn0_db(-1000.0)
    with pytest.raises(ValueError, match="signal_power"):
        AN(10.0, AN.GAUSSIAN, 1e300)


# ---------------------------------------------------------------- message ports, tags
BAD_PMTS = [
    pmt.PMT_NIL,
    pmt.PMT_T,
    pmt.intern("ten"),
    pmt.from_complex(1 + 1j),
    pmt.init_f32vector(3, [1.0, 2.0, 3.0]),
    pmt.make_dict(),
    pmt.cons(pmt.intern("esn0_db"), pmt.intern("x")),
    pmt.make_tuple(pmt.from_long(1)),
    pmt.list2(pmt.from_long(1), pmt.from_long(2)),
    pmt.from_double(float("nan")),
    pmt.from_double(float("inf")),
    pmt.from_double(float("-inf")),
    pmt.dict_add(pmt.make_dict(), pmt.intern("noise_var"), pmt.from_double(-1.0)),
    pmt.dict_add(pmt.make_dict(), pmt.intern("esn0_db"), pmt.intern("x")),
    pmt.from_double(1e300),
    pmt.from_double(-1e300),
    pmt.from_long(-(1 << 62)),
]


def _msg_blocks():
    m16 = diffusion.shipped_model("16qam")
    return [
        ("additive_noise", "esn0_db", lambda: AN(10.0), 1),
        (
            "ddpm_denoiser",
            "noise",
            lambda: D(m16, D.TWEEDIE, 1, D.NOISE_PARAMETER, 12.0, "cpu", 1, 512, 0),
            1,
        ),
        (
            "ddpm_denoiser_py",
            "noise",
            lambda: diffusion.ddpm_denoiser_py(
                m16, "tweedie", 1, "parameter", 12.0, batch_size=512
            ),
            1,
        ),
        (
            "dnn_receiver",
            "noise",
            lambda: diffusion.dnn_receiver(
                "dnn_16qam_regression", "expected", 12.0, batch_size=512
            ),
            1,
        ),
        (
            "mi_probe",
            "noise",
            lambda: diffusion.mi_probe("16qam", None, "none", "parameter", 12.0, 2000, 1000),
            0,
        ),
        (
            "reconstruction_metrics",
            "reset",
            lambda: diffusion.reconstruction_metrics("16qam", 1000),
            0,
        ),
    ]


@pytest.mark.parametrize("name,port,factory,nout", _msg_blocks(), ids=[m[0] for m in _msg_blocks()])
def test_wrong_and_absurd_messages_never_stop_a_block(name, port, factory, nout):
    y, _ = qam16(4000, 12.0, 5)
    tb = gr.top_block()
    blk = factory()
    srcs = [blocks.vector_source_c(y.tolist())]
    if name == "reconstruction_metrics":
        srcs.append(blocks.vector_source_c(y.tolist()))
    for i, s in enumerate(srcs):
        tb.connect(s, (blk, i))
    snk = blocks.vector_sink_c()
    if nout:
        tb.connect(blk, snk)
    bb = blk.to_basic_block()
    for m in BAD_PMTS:
        bb._post(pmt.intern(port), m)
    assert run_bounded(tb, 60), name
    if nout:
        out = np.array(snk.data())
        assert len(out) == len(y)
        assert np.all(np.isfinite(out)), name
    if hasattr(blk, "noise_var"):
        v = blk.noise_var()
        assert math.isfinite(v) and v >= 0, (name, v)
    if name == "mi_probe":
        r = blk.results()
        assert 0.0 <= r["mi_bits"] <= r["entropy_bits"]


def test_wrong_tag_value_types_are_ignored_with_a_warning(capfd):
    y, _ = qam16(3000, 12.0, 6)
    bad = [
        pmt.intern("x"),
        pmt.from_complex(1j),
        pmt.make_dict(),
        pmt.PMT_NIL,
        pmt.from_double(float("nan")),
        pmt.init_u8vector(2, [1, 2]),
    ]
    tags = []
    for k, v in enumerate(bad):
        t = gr.tag_t()
        t.offset, t.key, t.value = 100 + 10 * k, pmt.intern(("snr_db", "noise_var")[k % 2]), v
        tags.append(t)
    m16 = diffusion.shipped_model("16qam")
    for factory in (
        lambda: D(m16, D.TWEEDIE, 1, D.NOISE_PARAMETER, 12.0, "cpu", 1, 512, 0),
        lambda: diffusion.ddpm_denoiser_py(m16, "tweedie", 1, "parameter", 12.0, batch_size=512),
    ):
        tb = gr.top_block()
        blk = factory()
        src, snk = blocks.vector_source_c(y.tolist(), False, 1, tags), blocks.vector_sink_c()
        tb.connect(src, blk, snk)
        assert run_bounded(tb, 60)
        out = np.array(snk.data())
        assert len(out) == len(y) and np.all(np.isfinite(out))
        assert blk.noise_var() == pytest.approx(10**-1.2)  # unchanged
    err = logged(capfd)
    assert "non-numeric" in err and "ignoring invalid" in err


# ---------------------------------------------------------------- constructor values
def test_absurd_constructor_values_are_clear_errors():
    m16 = diffusion.shipped_model("16qam")
    py = diffusion.ddpm_denoiser_py
    cases = [
        (lambda: py(m16, mode=7), "mode"),
        (lambda: py(m16, mode=-1), "mode"),
        (lambda: py(m16, mode="fast"), "mode"),
        (lambda: py(m16, noise_source=5), "noise_source"),
        (lambda: py(m16, noise_source=-1), "noise_source"),
        (lambda: py(m16, intra_op_threads=-1), "intra_op_threads"),
        (lambda: py(m16, intra_op_threads=10**6), "intra_op_threads"),
        (lambda: py(m16, batch_size=10**9), "batch_size"),
        (lambda: py(m16, batch_size=0), "batch_size"),
        (lambda: py(m16, mode="ddim", ddim_steps=10**6), "ddim_steps"),
        (lambda: D(m16, D.TWEEDIE, 1, D.NOISE_PARAMETER, 10.0, "cpu", 1, 10**9, 0), "batch_size"),
        (
            lambda: D(m16, D.TWEEDIE, 1, D.NOISE_PARAMETER, 10.0, "cpu", -1, 64, 0),
            "intra_op_threads",
        ),
        (lambda: D(m16, D.DDIM, 10**6, D.NOISE_PARAMETER, 10.0, "cpu", 1, 64, 0), "ddim_steps"),
        (lambda: AN(float("nan")), "esn0_db"),
        (lambda: AN(10.0, AN.GAUSSIAN, 0.0), "signal_power"),
        (lambda: diffusion.phase_noise(1e300), "linewidth_ts"),
        (lambda: diffusion.phase_noise(-1.0), "linewidth_ts"),
        (lambda: diffusion.block_fading(0), "coherence_length"),
        (lambda: diffusion.block_fading(64, float("inf")), "k_factor"),
        (lambda: diffusion.complex_quantizer(0), "bits"),
        (lambda: diffusion.complex_quantizer(8, float("nan")), "full_scale"),
        (lambda: HW(float("inf")), "kappa"),
        (lambda: HW(0.1, diffusion.POWER_MEASURED, 1.0, 0), "window"),
        (lambda: diffusion.zf_equalizer(0.0, -1.0), "noise_var"),
        (lambda: PA(PA.RAPP, float("nan")), "ibo_db"),
        (lambda: PA(PA.RAPP, 3.0, 1.0, 0.0), "saturation"),
        (lambda: diffusion.mi_probe("16qam", None, "none", "parameter", -1000.0), "esn0_db"),
        (lambda: diffusion.mi_probe("16qam", None, "none", "parameter", 10.0, 1), "window"),
        (lambda: diffusion.pcs_mapper("16qam", "uniform", n_synthetic=0), "n_synthetic"),
        (lambda: diffusion.pcs_mapper("16qam", "uniform", n_synthetic=-5), "n_synthetic"),
        (lambda: diffusion.pcs_mapper("16qam", "uniform", block_len=10**7), "block_len"),
        (lambda: diffusion.sample_guard(0.0), "max_magnitude"),
        (lambda: diffusion.link_rx(max_magnitude=float("inf")), "max_magnitude"),
    ]
    for fn, word in cases:
        t0 = time.monotonic()
        with pytest.raises((ValueError, RuntimeError)) as e:
            fn()
        assert word in str(e.value), (word, str(e.value))
        assert time.monotonic() - t0 < 20, word  # an error, not a long hang first


INT_MAX = (1 << 31) - 1


def test_size_parameters_out_of_range_name_the_parameter_and_range():
    """Every C++ block's size-like parameter (windows, lengths, batch sizes, thread counts,
    bit widths, steps, hops) at 2^31 - 1 and just past its documented range: a ValueError
    (std::invalid_argument) naming the parameter and the range, raised before anything is
    allocated (it was a bare MemoryError: std::bad_alloc for the measured-power window)."""
    m16 = diffusion.shipped_model("16qam")
    w32 = diffusion.shipped_model("qpsk_pn_w32")
    eng = diffusion.denoise_engine

    def den(batch=64, intra=1, threads=1, steps=1, hop=0, model=m16):
        return D(
            model,
            D.DDIM,
            steps,
            D.NOISE_PARAMETER,
            10.0,
            "cpu",
            intra,
            batch,
            0,
            "auto",
            threads,
            "",
            hop,
        )

    cases = [
        (lambda: HW(0.1, diffusion.POWER_MEASURED, 1.0, INT_MAX), "window", "[1, 16777216]"),
        (lambda: HW(0.1, diffusion.POWER_MEASURED, 1.0, (1 << 24) + 1), "window", "16777216"),
        (lambda: HW(0.1, diffusion.POWER_NOMINAL, 1.0, INT_MAX), "window", "16777216"),
        (lambda: HW(0.1, diffusion.POWER_MEASURED, 1.0, -5), "window", "[1, "),
        (lambda: diffusion.complex_quantizer(INT_MAX), "bits", "1..16"),
        (lambda: diffusion.complex_quantizer(17), "bits", "1..16"),
        (lambda: diffusion.block_fading(-INT_MAX), "coherence_length", ">= 1"),
        (lambda: den(batch=INT_MAX), "batch_size", "[1, 1048576]"),
        (lambda: den(batch=(1 << 20) + 1), "batch_size", "[1, 1048576]"),
        (lambda: den(intra=INT_MAX), "intra_op_threads", "[0, 256]"),
        (lambda: den(threads=INT_MAX), "threads", "[1, 256]"),
        (lambda: den(threads=0), "threads", "[1, 256]"),
        (lambda: den(steps=INT_MAX), "ddim_steps", "[1, T = "),
        (lambda: den(hop=INT_MAX, model=w32), "window_hop", "[0, W = 32]"),
        (lambda: den(hop=-1, model=w32), "window_hop", "[0, W = 32]"),
        (lambda: eng(m16, "auto", 1, INT_MAX), "max_batch", "[1, 1048576]"),
        (lambda: eng(m16, "auto", 1, 0), "max_batch", "[1, 1048576]"),
        (lambda: eng(m16, "auto", INT_MAX, 64), "threads", "[1, 256]"),
        (lambda: eng(m16, "auto", 1, 64, "cpu", INT_MAX), "intra_op_threads", "[0, 256]"),
        (lambda: eng(m16, "auto", 1, 64, "cpu", -1), "intra_op_threads", "[0, 256]"),
        (
            lambda: diffusion.learned_slicer("", [complex(k, 0) for k in range(257)]),
            "at most 256 labels",
            "",
        ),
        # the Python blocks' ring buffers, the same way (were a bare MemoryError)
        (
            lambda: diffusion.mi_probe("16qam", None, "none", "parameter", 10.0, INT_MAX),
            "window",
            "[2, 4194304]",
        ),
        (lambda: diffusion.reconstruction_metrics("16qam", 100, INT_MAX), "window", "[0, 4194304]"),
        (lambda: diffusion.reconstruction_metrics("16qam", 100, -1), "window", "[0, 4194304]"),
        (lambda: diffusion.preamble_sync("16qam", 64, INT_MAX), "payload_len", "16..65536"),
        (
            lambda: diffusion.preamble_sync("16qam", 64, 65536, n_payloads=4096),
            "n_payloads x payload_len",
            "4194304",
        ),
        (lambda: framing.LinkConfig(sps=INT_MAX), "sps", "2..256"),
    ]
    for fn, word, rng in cases:
        t0 = time.monotonic()
        with pytest.raises(ValueError) as e:
            fn()
        msg = str(e.value)
        assert word in msg and rng in msg, (word, rng, msg)
        assert time.monotonic() - t0 < 20, word
    # the top of each documented range is accepted (nothing allocated up front here)
    assert HW(0.1, diffusion.POWER_NOMINAL, 1.0, 1 << 24) is not None
    # coherence_length allocates nothing: any int >= 1 runs
    tb = gr.top_block()
    bf = diffusion.block_fading(INT_MAX, 0.0, 1)
    src, snk = blocks.vector_source_c([1 + 0j] * 100), blocks.vector_sink_c()
    tb.connect(src, bf, snk)
    assert run_bounded(tb, 30)
    out = np.array(snk.data())
    assert len(out) == 100 and np.all(out == out[0]) and bf.coherence_length() == INT_MAX


def test_pcs_mapper_reports_a_missing_model_file_by_its_name():
    with pytest.raises(FileNotFoundError) as e:
        diffusion.pcs_mapper("16qam", "ddpm", "does_not_exist.onnx")
    assert "does_not_exist.onnx" in str(e.value) and ".onnx.onnx" not in str(e.value)
    with pytest.raises(FileNotFoundError, match="no_such_dir/m.onnx"):
        diffusion.pcs_mapper("16qam", "ddpm", "no_such_dir/m.onnx")


# ---------------------------------------------------------------- scheduler constraints
@pytest.mark.parametrize("mno", [7, 1000, None])
def test_pcs_mapper_with_max_noutput_items_below_block_length(mno):
    m = diffusion.pcs_mapper("16qam", "maxwell_boltzmann", "", "tweedie", 10.0, 4096)
    bpb = m.bytes_per_block()
    data = np.random.default_rng(7).integers(0, 256, 3 * bpb, dtype=np.uint8)
    tb = gr.top_block()
    src, snk = blocks.vector_source_b(data.tolist()), blocks.vector_sink_c()
    tb.connect(src, m, snk)
    assert run_bounded(tb, 60, max_noutput_items=mno)
    out = np.array(snk.data())
    assert len(out) == 3 * 4096 and m.blocks_sent() == 3
    offs = sorted(t.offset for t in snk.tags() if pmt.symbol_to_string(t.key) == "pcs_block")
    assert offs == [0, 4096, 8192]


def _link_samples(frames=6, esn0_db=20.0, seed=1):
    tb = gr.top_block()
    tx = diffusion.link_tx(n_frames=frames, constellation="16qam")
    sps = tx.config.sps
    ch = channels.channel_model(math.sqrt(sps / 10 ** (esn0_db / 10)), 0.0, 1.0, [1.0], seed, False)
    snk = blocks.vector_sink_c()
    tb.connect(tx, ch, snk)
    tb.run()
    return tx.config, np.array(snk.data(), dtype=np.complex64)


@pytest.mark.parametrize("where", ["top_block", "block"])
@pytest.mark.parametrize("mno", [7, 100, 1000, None])
def test_preamble_sync_with_max_noutput_items_below_payload_length(mno, where):
    """max_noutput_items below payload_len (1024), on the top block or on the block itself
    (which used to stop it at one frame's worth of input: no frame, no end): every frame
    is found and emitted over several calls, the flowgraph finishes."""
    cfg = framing.LinkConfig(constellation="16qam")
    fr = framing.Framing(cfg).frames()
    nfr = 3 * len(fr) // cfg.frame_len
    # trailing padding >= preamble_len: the last frame's search window completes
    y = np.concatenate([np.zeros(50), fr, fr, fr, np.zeros(cfg.frame_len)]).astype(np.complex64)
    tb = gr.top_block()
    ps = diffusion.preamble_sync("16qam", cfg.preamble_len, cfg.payload_len)
    if where == "block" and mno is not None:
        ps.set_max_noutput_items(mno)
    src = blocks.vector_source_c(y.tolist())
    sinks = [blocks.vector_sink_c(), blocks.vector_sink_f(), blocks.vector_sink_c()]
    tb.connect(src, ps)
    for i, s in enumerate(sinks):
        tb.connect((ps, i), s)
    assert run_bounded(tb, 60, max_noutput_items=mno if where == "top_block" else None)
    assert ps.frames() == ps.frames_identified() == nfr
    out = np.array(sinks[0].data())
    assert len(out) == len(sinks[1].data()) == len(sinks[2].data()) == nfr * cfg.payload_len
    starts = [t.offset for t in sinks[0].tags() if pmt.symbol_to_string(t.key) == "frame_start"]
    assert starts == [k * cfg.payload_len for k in range(nfr)]
    ref = np.array(sinks[2].data()).reshape(nfr, cfg.payload_len)
    assert np.all(np.isfinite(ref))  # every frame matched a pool entry


# ---------------------------------------------------------------- blind noise estimate
def _blind(kind, y, mno=None, batch=1024):
    m16 = diffusion.shipped_model("16qam")
    if kind == "cpp":
        f = lambda: D(m16, D.TWEEDIE, 1, D.NOISE_BLIND, 10.0, "cpu", 1, batch, 0)  # noqa: E731
    else:
        f = lambda: diffusion.ddpm_denoiser_py(  # noqa: E731
            m16,
            "tweedie",
            1,
            "blind",
            10.0,
            batch_size=batch,
        )
    return run_block(f, 1, [y], max_noutput_items=mno)


@pytest.mark.parametrize("kind", ["cpp", "py"])
def test_blind_estimate_rejects_outliers_and_ignores_chunking(kind):
    y, s2 = qam16(12000, 8.0, 8)
    blk, ref = _blind(kind, y)
    est = blk.noise_var()
    assert abs(10 * math.log10(est / s2)) < 0.5
    for mno in (7, 1000):
        _, out = _blind(kind, y, mno)
        np.testing.assert_array_equal(out, ref, err_msg=f"max_noutput_items {mno}")
    _, again = _blind(kind, y)  # identical runs: identical output
    np.testing.assert_array_equal(again, ref)
    z = with_burst(y, "huge", 3000, 1)
    z = with_burst(z, "nan", 5000, 20)
    blk2, out = _blind(kind, z, 1000)
    v = blk2.noise_var()
    assert math.isfinite(v) and abs(10 * math.log10(v / est)) < 0.1  # one window lost
    np.testing.assert_array_equal(out[:3000], ref[:3000])  # windows before the outlier
    good = np.r_[3001:5000, 5020:12000]
    assert np.all(np.isfinite(out[good]))
    assert np.mean(np.abs(out[good] - ref[good]) ** 2) < 1e-4


# ---------------------------------------------------------------- message flood
def test_python_denoiser_makes_progress_under_a_message_flood():
    n = 50000
    y, _ = qam16(n, 12.0, 9)
    m16 = diffusion.shipped_model("16qam")
    blk = diffusion.ddpm_denoiser_py(m16, "tweedie", 1, "parameter", 12.0, batch_size=4096)
    tb = gr.top_block()
    src, snk = blocks.vector_source_c(y.tolist()), blocks.vector_sink_c()
    tb.connect(src, blk, snk)
    stop = threading.Event()
    posted = [0]

    def flood():
        bb, port = blk.to_basic_block(), pmt.intern("noise")
        while not stop.is_set():
            bb._post(port, pmt.from_double(12.0))
            posted[0] += 1

    th = threading.Thread(target=flood, daemon=True)
    th.start()
    try:
        finished = run_bounded(tb, 120)
    finally:
        stop.set()
        th.join()
    assert finished, f"{len(snk.data())} of {n} items with {posted[0]} messages posted"
    assert len(snk.data()) == n and posted[0] > 1000
    assert blk.noise_var() == pytest.approx(10**-1.2)


# ---------------------------------------------------------------- link_rx
@pytest.mark.parametrize("kind", ["nan", "inf", "huge"])
def test_link_rx_survives_bursts_and_recovers_frames(kind):
    cfg, y = _link_samples(frames=8)
    flen = cfg.frame_len * cfg.sps
    z = with_burst(y, kind, int(3.5 * flen), 64)  # inside frame 4
    counts = []
    for inp in (y, z):
        tb = gr.top_block()
        rx = diffusion.link_rx(constellation="16qam", mode="none", metrics=False)
        src = blocks.vector_source_c(inp.tolist())
        sinks = [blocks.vector_sink_c() for _ in range(4)] + [blocks.vector_sink_f()]
        tb.connect(src, rx)
        for i, s in enumerate(sinks):
            tb.connect((rx, i), s)
        assert run_bounded(tb, 120), kind
        counts.append((rx.sync.frames_identified(), rx.guard.replaced_count()))
    (clean, _), (burst, replaced) = counts
    assert clean >= 7
    assert replaced == (0 if kind == "denormal" else 64)
    assert burst >= clean - 1, f"{kind}: {burst} of {clean} frames after the burst"


@pytest.mark.parametrize("mno", [7, 1000, None])
def test_pcs_round_trip_with_max_noutput_items_below_block_and_byte_counts(mno):
    m = diffusion.pcs_mapper("16qam", "maxwell_boltzmann", "", "tweedie", 10.0, 4096)
    dm = diffusion.pcs_demapper("16qam", "maxwell_boltzmann", "", "tweedie", 10.0, 4096)
    bpb = m.bytes_per_block()
    data = np.random.default_rng(10).integers(0, 256, 3 * bpb, dtype=np.uint8)
    tb = gr.top_block()
    src, snk = blocks.vector_source_b(data.tolist()), blocks.vector_sink_b()
    tb.connect(src, m, dm, snk)
    bb = m.to_basic_block()
    for v in (pmt.from_double(-1e300), pmt.intern("x"), pmt.from_double(float("nan"))):
        bb._post(pmt.intern("esn0_db"), v)  # absurd / wrong: warned
    assert run_bounded(tb, 120, max_noutput_items=mno)
    np.testing.assert_array_equal(np.array(snk.data(), dtype=np.uint8), data)
    assert dm.blocks_ok() == 3 and dm.blocks_bad() == 0


def test_pcs_demapper_ignores_wrong_tag_value_types(capfd):
    m = diffusion.pcs_mapper("16qam", "maxwell_boltzmann", "", "tweedie", 10.0, 1024)
    bpb = m.bytes_per_block()
    data = np.random.default_rng(11).integers(0, 256, 2 * bpb, dtype=np.uint8)
    tb = gr.top_block()
    src, snk = blocks.vector_source_b(data.tolist()), blocks.vector_sink_c()
    tb.connect(src, m, snk)
    tb.run()
    sym = np.array(snk.data(), dtype=np.complex64)
    good = list(snk.tags())
    bad = []
    for k, v in enumerate(
        [
            pmt.intern("x"),
            pmt.from_double(1.0),
            pmt.make_dict(),
            pmt.dict_add(pmt.make_dict(), pmt.intern("n"), pmt.intern("y")),
        ]
    ):
        t = gr.tag_t()
        t.offset, t.key, t.value = 1024 + 100 + k, pmt.intern(("pcs_pmf", "pcs_block")[k % 2]), v
        bad.append(t)
    tb = gr.top_block()
    dm = diffusion.pcs_demapper("16qam", "maxwell_boltzmann", "", "tweedie", 10.0, 1024)
    src2, out = blocks.vector_source_c(sym.tolist(), False, 1, good + bad), blocks.vector_sink_b()
    tb.connect(src2, dm, out)
    assert run_bounded(tb, 60)
    got = np.array(out.data(), dtype=np.uint8)
    np.testing.assert_array_equal(got[:bpb], data[:bpb])  # the block before the bad tags
    assert "ignoring unusable pcs_pmf" in logged(capfd)


@pytest.mark.parametrize("esn0", [-200.0, 400.0, -100.0, 300.0])
def test_mi_probe_absurd_esn0_keeps_mi_in_range(esn0, capfd):
    y, _ = qam16(4000, 10.0, 12)
    blk = diffusion.mi_probe("16qam", None, "none", "parameter", 10.0, 4000, 4000)
    blk.set_esn0_db(esn0)
    tb = gr.top_block()
    src = blocks.vector_source_c(y.tolist())
    tb.connect(src, blk)
    assert run_bounded(tb, 60)
    r = blk.results()
    assert 0.0 <= r["mi_bits"] <= r["entropy_bits"] == pytest.approx(4.0)
    assert math.isfinite(r["sigma2"])
    if esn0 in (-200.0, 400.0):
        assert "clamped" in logged(capfd)
