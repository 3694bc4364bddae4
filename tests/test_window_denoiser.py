#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Window models in both denoiser blocks (issue 12): the tiling of core.windowing (hop,
centre kept, latency D, tags moved by D), the C++ block, the Python block (NumPy samplers
and C++ engine) and the offline reference agreeing on window models, every mode, and the
construction errors (window longer than a batch, bad hop).

The window model here is a small hand-made ONNX graph (tests/bad_models.window_model) that
mixes symbols across its window and depends on the step, so a window cut in the wrong place,
a wrong step or a reordered batch changes the output by O(0.1). Tolerances as
tests/test_fused_engine.py: deterministic modes 1e-5 relative; stochastic modes 99 % of
samples within 1e-5 and all within 1e-3 (float32 differences through a chain of steps).
"""

import bad_models
import numpy as np
import pytest
from gnuradio import blocks, diffusion, gr
from gnuradio.diffusion.core import reference, samplers
from gnuradio.diffusion.core.counter_rng import CounterRng
from gnuradio.diffusion.core.onnx_model import DdpmModel
from gnuradio.diffusion.core.schedules import make_schedule
from gnuradio.diffusion.core.windowing import WindowGeometry, denoise_windows

MODES = ("tweedie", "ddim", "posterior", "paper")
CPP = diffusion.ddpm_denoiser
W = 8


def rel(a, b):
    return np.abs(a - b) / np.maximum(1.0, np.abs(b))


def close(a, b, mode):
    r = rel(a, b)
    if mode in ("tweedie", "ddim"):
        return float(r.max()) < 1e-5
    return float(np.quantile(r, 0.99)) < 1e-5 and float(r.max()) < 1e-3


@pytest.fixture(scope="module")
def window_path(tmp_path_factory):
    p = tmp_path_factory.mktemp("window") / "window8.onnx"
    m = bad_models.window_model(W, bad_models.window_meta(W=W))
    p.write_bytes(m.SerializeToString())
    return str(p)


@pytest.fixture(scope="module")
def signal():
    rng = np.random.default_rng(12)
    pts = (np.array([1 + 1j, -1 + 1j, -1 - 1j, 1 - 1j]) / np.sqrt(2)).astype(np.complex128)
    n = 1203  # not a multiple of any hop
    theta = np.cumsum(rng.normal(0.0, 0.05, n))
    y = reference.awgn(pts[rng.integers(0, 4, n)] * np.exp(1j * theta), 0.1, rng)
    return y.astype(np.complex64)


def cpp_block(path, mode, hop=0, batch=64, seed=3, engine="auto", threads=1, source=None):
    return CPP(
        path,
        getattr(CPP, mode.upper()),
        3,
        source if source is not None else CPP.NOISE_PARAMETER,
        10.0,
        "cpu",
        1,
        batch,
        seed,
        engine,
        threads,
        "",
        hop,
    )


def py_block(path, mode, hop=0, batch=64, seed=3, engine="numpy"):
    return diffusion.ddpm_denoiser_py(
        path, mode, 3, "parameter", 10.0, "cpu", 1, batch, seed, engine, 1, hop
    )


def run(blk, y, max_items=None, tags=()):
    tb = gr.top_block()
    src = blocks.vector_source_c(y.tolist(), False, 1, list(tags))
    snk = blocks.vector_sink_c()
    if max_items:
        blk.set_max_noutput_items(max_items)
    tb.connect(src, blk, snk)
    tb.run()
    return np.array(snk.data(), dtype=np.complex64), snk.tags()


# ---------------------------------------------------------------------------- geometry
@pytest.mark.parametrize(
    "Wl,hop,lead,lat", [(8, 0, 2, 2), (8, 1, 3, 4), (8, 8, 0, 0), (9, 4, 2, 3)]
)
def test_geometry(Wl, hop, lead, lat):
    g = WindowGeometry(Wl, hop)
    assert (g.lead, g.latency) == (lead, lat)
    assert g.lead + g.hop + g.latency == Wl
    ext = np.arange(g.history + 5 * g.hop)
    win = g.windows(ext, 5)
    kept = g.kept(win)
    # the kept symbols of consecutive tiles are consecutive: each input symbol exactly once
    assert np.array_equal(kept, np.arange(g.lead, g.lead + 5 * g.hop))
    with pytest.raises(ValueError, match="window_hop"):
        WindowGeometry(Wl, Wl + 1)


def test_offline_tiling_of_a_per_symbol_oracle_is_per_symbol_denoising(signal):
    """A window model that treats symbols independently must give per-symbol denoising
    whatever the tiling: every symbol kept exactly once, at its own sigma2's step."""

    class Windowed(reference.OracleEpsModel):
        window_length = 8

    sched = make_schedule("wide", 100)
    pts = np.array([1 + 1j, -1 + 1j, -1 - 1j, 1 - 1j]) / np.sqrt(2)
    m = Windowed(pts, sched)
    per = samplers.denoise(m, signal, 0.1)
    for hop in (0, 1, 3, 8):
        out = denoise_windows(m, signal, 0.1, hop=hop)
        assert out.shape == signal.shape
        assert float(rel(out, per).max()) < 1e-6, hop


# ---------------------------------------------------------------------------- parity
@pytest.mark.parametrize("mode", MODES)
def test_blocks_and_offline_agree_on_a_window_model(window_path, signal, mode):
    model = DdpmModel(window_path)
    assert model.window_length == W
    c = cpp_block(window_path, mode)
    assert (c.window_length(), c.window_hop(), c.latency()) == (8, 4, 2)
    D = c.latency()
    out_c, _ = run(c, signal)
    out_p, _ = run(py_block(window_path, mode), signal)
    out_e, _ = run(py_block(window_path, mode, engine="onnxruntime"), signal)
    n = len(signal)
    # whole hops only; the last D symbols need D more samples
    assert len(out_c) == len(out_p) == len(out_e) == n - n % 4
    ref = denoise_windows(model, signal, 0.1, mode=mode, steps=3, rng=CounterRng(3))
    m = len(out_c) - D
    assert close(out_c[D:], ref[:m], mode)
    assert close(out_p[D:], ref[:m], mode)
    assert close(out_e[D:], ref[:m], mode)
    # the first D outputs come from zero history: the denoised window start, finite
    assert np.all(np.isfinite(out_c[:D]))
    if mode != "paper":
        # the window model really denoises with context: not the per-symbol identity
        assert float(np.mean(np.abs(out_c[D:] - signal[:m]))) > 1e-2


@pytest.mark.parametrize("mode", ["tweedie", "posterior"])
def test_output_independent_of_chunking_hop_and_threads(window_path, signal, mode):
    ref, _ = run(cpp_block(window_path, mode), signal)
    for max_items in (4, 12, 1000):
        out, _ = run(cpp_block(window_path, mode), signal, max_items)
        assert close(out, ref, mode), max_items
        out, _ = run(py_block(window_path, mode), signal, max_items)
        assert close(out, ref, mode), max_items
    out, _ = run(cpp_block(window_path, mode, batch=4096, threads=2), signal)
    assert close(out, ref, mode)
    # another hop: other windows, another latency, same offline reference
    model = DdpmModel(window_path)
    for hop in (1, 8):
        c = cpp_block(window_path, mode, hop=hop)
        out, _ = run(c, signal)
        D = c.latency()
        off = denoise_windows(model, signal, 0.1, mode=mode, hop=hop, steps=3, rng=CounterRng(3))
        assert close(out[D:], off[: len(out) - D], mode), hop


def test_tags_move_with_their_symbol(window_path, signal):
    tags = []
    for k in (0, 5, 333, 1000):
        t = gr.tag_t()
        t.offset = k
        t.key = gr.pmt.intern("marker")
        t.value = gr.pmt.from_long(k)
        tags.append(t)
    for blk in (cpp_block(window_path, "tweedie"), py_block(window_path, "tweedie")):
        D = blk.latency()
        _, got = run(blk, signal, tags=tags)
        offs = sorted(
            (t.offset, gr.pmt.to_long(t.value))
            for t in got
            if gr.pmt.symbol_to_string(t.key) == "marker"
        )
        assert offs == [(k + D, k) for k in (0, 5, 333, 1000)]


def test_noise_tag_changes_the_step_from_its_window_on(window_path, signal):
    t = gr.tag_t()
    t.offset = 600
    t.key = gr.pmt.intern("esn0_db")
    t.value = gr.pmt.from_double(0.0)
    c = cpp_block(window_path, "tweedie")
    D = c.latency()
    out_c, _ = run(c, signal, tags=[t])
    out_p, _ = run(py_block(window_path, "tweedie"), signal, tags=[t])
    assert close(out_c, out_p, "tweedie")
    s2 = np.where(np.arange(len(signal)) >= 600, 1.0, 0.1)
    ref = denoise_windows(DdpmModel(window_path), signal, s2, fallback_sigma2=0.1)
    m = len(out_c) - D
    assert close(out_c[D:], ref[:m], "tweedie")
    plain, _ = run(cpp_block(window_path, "tweedie"), signal)
    assert float(rel(plain[700:], out_c[700:]).max()) > 1e-2  # the tag had an effect


def test_nan_samples_pass_through_tagged_and_spare_their_neighbours(window_path, signal):
    y = signal.copy()
    y[[100, 101, 640]] = np.nan
    ok, _ = run(cpp_block(window_path, "tweedie"), signal)
    for blk in (cpp_block(window_path, "tweedie"), py_block(window_path, "tweedie")):
        D = blk.latency()
        out, tags = run(blk, y)
        inv = sorted(t.offset for t in tags if gr.pmt.symbol_to_string(t.key) == "invalid_sample")
        assert inv == [100 + D, 101 + D, 640 + D]
        assert np.all(np.isnan(out[[100 + D, 101 + D, 640 + D]]))
        finite = np.isfinite(out)
        assert finite.sum() == len(out) - 3
        # windows without a bad sample are untouched
        far = np.ones(len(out), bool)
        for b in (100, 101, 640):
            far[max(0, b + D - 2 * W) : b + D + 2 * W] = False
        assert float(rel(out[far], ok[far]).max()) < 1e-5


def test_window_construction_errors(window_path):
    with pytest.raises(
        ValueError, match=r"window8\.onnx.*window_length 8 exceeds the batch size 4"
    ):
        cpp_block(window_path, "tweedie", batch=4)
    with pytest.raises(ValueError, match=r"window8\.onnx.*window_length 8 exceeds batch_size 4"):
        py_block(window_path, "tweedie", batch=4)
    with pytest.raises(ValueError, match=r"window_hop must be in \[0, W = 8\]"):
        cpp_block(window_path, "tweedie", hop=9)
    with pytest.raises(ValueError, match=r"window_hop"):
        py_block(window_path, "tweedie", hop=9)
    with pytest.raises(ValueError, match=r"engine 'fused' unavailable: window model"):
        cpp_block(window_path, "tweedie", engine="fused")
    # the engine note says why the fused kernel does not run it
    assert cpp_block(window_path, "tweedie").engine_name() == "onnxruntime"


def test_per_symbol_models_are_unchanged_by_the_window_path():
    c = CPP(diffusion.shipped_model("qpsk"))
    assert (c.window_length(), c.window_hop(), c.latency()) == (1, 1, 0)
    p = diffusion.ddpm_denoiser_py(diffusion.shipped_model("qpsk"))
    assert (p.window_length(), p.window_hop(), p.latency()) == (1, 1, 0)
