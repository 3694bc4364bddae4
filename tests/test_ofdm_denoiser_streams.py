#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The OFDM channel denoisers (C++ ``ofdm_channel_denoiser`` and its Python twin
``ofdm_channel_denoiser_py``) behind ``digital.ofdm_chanest_vcvc`` in GNU Radio flowgraphs:
the optional taps-stream output (chanest's output 1, rewritten) and the noise variance
from a stream tag (docs/ofdm.md, issue 24 item 3)."""

import numpy as np
import pmt
import pytest
from gnuradio import blocks, diffusion, gr
from gnuradio.diffusion.core import ofdm_channels as ch
from gnuradio.diffusion.core.model_files import find_model
from gnuradio.diffusion.core.ofdm_carriers import DEFAULT_LAYOUT as LAY
from gnuradio.diffusion.flowgraphs import ofdm_chanest as ce

MODEL = find_model("ofdm_mix")
A = LAY.active_pos
N_DATA = 2  # data symbols a frame: the taps stream has one item a frame, output 0 two
# parity of the twins: tests/test_ofdm_denoiser_cpp.py (1e-4 of the taps' rms with the
# fused kernel: its load-time probe bound against onnxruntime, times a 10x margin)
PARITY = 1e-4


def _make(impl, **kw):
    if impl == "cpp":
        return diffusion.ofdm_channel_denoiser(MODEL, **kw)
    return diffusion.ofdm_channel_denoiser_py(MODEL, **kw)


def _count(blk, name):
    v = getattr(blk, name)
    return v() if callable(v) else v


def _frames(n, snr_db, seed):
    rng = np.random.default_rng(seed)
    H, _ = ch.sample("mix", n, rng)
    return ce.frames(H, 10 ** (-snr_db / 10), rng, n_data=N_DATA), H


def _tag(offset, key, value):
    t = gr.tag_t()
    t.offset, t.key, t.value = offset, pmt.intern(key), value
    return t


def _run(fr, dens, src_tags=(), taps_stream=True):
    """frames (with tags on their first sync symbol: chanest moves them to the frame's
    first data symbol) -> chanest -> each denoiser; chanest's output 1 and each
    denoiser's output 1 to sinks.  Returns (LS tags, LS stream, [tags, stream, symbols]
    per denoiser)."""
    fl = LAY.fft_len
    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(fr).reshape(-1).tolist(), False, fl, list(src_tags))
    est = ce.chanest(N_DATA)
    ls_sym, ls_taps = blocks.vector_sink_c(fl), blocks.vector_sink_c(fl)
    tb.connect(src, est, ls_sym)
    tb.connect((est, 1), ls_taps)
    outs = []
    for d in dens:
        sym = blocks.vector_sink_c(fl)
        tb.connect(est, d, sym)
        taps = None
        if taps_stream:
            taps = blocks.vector_sink_c(fl)
            tb.connect((d, 1), taps)
        outs.append((sym, taps))
    tb.run()
    rows = lambda s: np.array(s.data()).reshape(-1, fl)  # noqa: E731
    return (
        ce.taps_of(ls_sym),
        rows(ls_taps),
        [(ce.taps_of(s), None if t is None else rows(t), rows(s)) for s, t in outs],
    )


@pytest.mark.parametrize("impl", ["cpp", "python"])
def test_taps_stream_equals_the_rewritten_tag(impl):
    # 24 mixed-family frames at 10 dB through chanest with its taps output connected
    fr, H = _frames(24, 10.0, seed=41)
    den = _make(impl)
    ls_tags, ls_stream, [(tags, stream, sym)] = _run(fr, [den])
    # GNU Radio's convention, checked: chanest's output 1 is its tag's value, one a frame
    assert ls_tags.shape == ls_stream.shape == (24, LAY.fft_len)
    assert np.array_equal(ls_stream, ls_tags)
    # the denoiser's output 1: one vector a frame, exactly the value on the rewritten tag
    assert stream.shape == tags.shape == (24, LAY.fft_len)
    assert np.array_equal(stream, tags)
    assert _count(den, "rewritten") == 24
    assert np.all(np.abs(stream[:, A] - ls_stream[:, A]) > 0)  # active carriers replaced
    assert np.array_equal(stream[:, LAY.null_pos], ls_stream[:, LAY.null_pos])
    assert len(sym) == 24 * N_DATA  # the symbols pass (two a frame)
    # and it is the better estimate (LS -10 dB; > 3 dB gain as in the receiver tests)
    nmse = lambda e: 10 * np.log10(np.sum(np.abs(e - H) ** 2) / np.sum(np.abs(H) ** 2))  # noqa: E731
    assert nmse(stream[:, A]) < nmse(ls_stream[:, A]) - 3.0


def test_twins_give_the_same_taps_stream():
    # both blocks on the same chanest outputs, known noise variance and channel power
    fr, _ = _frames(30, 15.0, seed=42)
    kw = dict(noise_var=10 ** (-1.5), channel_power=1.0)
    cpp, py = _make("cpp", **kw), _make("python", **kw)
    _, _, [(tc, sc, _), (tp, sp, _)] = _run(fr, [cpp, py])
    assert sc.shape == sp.shape == (30, LAY.fft_len)
    rms = np.sqrt(np.mean(np.abs(sp[:, A]) ** 2))
    assert np.max(np.abs(sc - sp)) < PARITY * rms
    assert np.array_equal(sc, tc) and np.array_equal(sp, tp)


@pytest.mark.parametrize("impl", ["cpp", "python"])
def test_taps_stream_rows_for_malformed_and_missing_taps(impl):
    # synthetic tagged symbols (no chanest): a malformed taps tag gives a row of zeros,
    # an item without taps no row, a second taps tag on one item overwrites its row
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((4, 64)) + 1j * rng.standard_normal((4, 64))).astype(np.complex64)
    x[:, LAY.null_pos] *= 0.1
    good = np.zeros(64, np.complex64)
    good[A] = x[0, A]
    tags = [
        _tag(0, "ofdm_sync_chan_taps", pmt.init_c32vector(64, good)),
        _tag(1, "ofdm_sync_chan_taps", pmt.intern("not taps")),
        _tag(2, "ofdm_sync_carr_offset", pmt.from_long(0)),  # a frame without taps
        _tag(3, "ofdm_sync_chan_taps", pmt.intern("not taps")),
        _tag(3, "ofdm_sync_chan_taps", pmt.init_c32vector(64, good)),
    ]
    tb = gr.top_block()
    src = blocks.vector_source_c(x.reshape(-1).tolist(), False, 64, tags)
    den = _make(impl)
    sym, taps = blocks.vector_sink_c(64), blocks.vector_sink_c(64)
    tb.connect(src, den, sym)
    tb.connect((den, 1), taps)
    tb.run()
    rows = np.array(taps.data()).reshape(-1, 64)
    assert rows.shape == (3, 64)  # items 0, 1, 3
    assert np.array_equal(rows[1], np.zeros(64))
    out = {
        t.offset: np.array(pmt.c32vector_elements(t.value))
        for t in sym.tags()
        if pmt.symbol_to_string(t.key) == "ofdm_sync_chan_taps" and pmt.is_c32vector(t.value)
    }
    assert np.array_equal(rows[0], out[0]) and np.array_equal(rows[2], out[3])
    assert np.all(np.isfinite(rows)) and np.all(np.abs(rows[0, A]) > 0)
    assert np.array_equal(np.array(sym.data()).reshape(-1, 64), x)


@pytest.mark.parametrize("impl", ["cpp", "python"])
def test_noise_variance_from_a_tag(impl, capfd):
    # 20 frames at 20 dB; noise_var tags on the first sync symbol of frames (chanest moves
    # them onto the frame's first data symbol): frame 5 sets 0.1 (10 dB above the truth:
    # a visibly different estimate), frame 9 carries three bad values (ignored), frame 14
    # sets 0 (back to the per-frame estimate).  References on the same chanest output:
    # the block with noise_var 0 (estimate) and 0.1, both reading no tag
    fr, _ = _frames(20, 20.0, seed=43)
    per = 2 + N_DATA
    key = "ofdm_noise_var"  # the blocks' default noise_tag_key (noise_level.OFDM_NOISE_VAR_KEY)
    src_tags = [
        _tag(5 * per, key, pmt.from_double(0.1)),
        _tag(9 * per, key, pmt.from_double(float("nan"))),
        _tag(9 * per + 1, key, pmt.from_double(-1.0)),  # a sync symbol too: same frame
        _tag(9 * per, key, pmt.intern("loud")),
        _tag(14 * per, key, pmt.from_long(0)),
    ]
    kw = dict(channel_power=1.0)  # no power tracking: frames independent
    tagged = _make(impl, **kw)
    est0 = _make(impl, noise_tag_key="", **kw)
    fixed = _make(impl, noise_var=0.1, noise_tag_key="", **kw)
    _, _, outs = _run(fr, [tagged, est0, fixed], src_tags, taps_stream=False)
    t, e, f = (o[0] for o in outs)
    assert t.shape == e.shape == f.shape == (20, LAY.fft_len)
    assert not np.allclose(e[5:14], f[5:14])  # the tag's value changes the estimate
    assert np.array_equal(t[:5], e[:5])
    assert np.array_equal(t[5:14], f[5:14])  # from the tagged frame on, bad values ignored
    assert np.array_equal(t[14:], e[14:])  # 0: the estimate again
    assert _count(tagged, "noise_tags") == 2 and _count(tagged, "bad_noise_tags") == 3
    log = capfd.readouterr()
    assert (log.out + log.err).count("ignoring tag ofdm_noise_var") == 1


@pytest.mark.parametrize("impl", ["cpp", "python"])
def test_noise_tag_passes_on_and_a_custom_key(impl):
    # a tag named by noise_tag_key sets sigma2 (last noise variance used) and passes on
    x = np.zeros((2, 64), np.complex64)
    x[:, A] = 1.0
    x[:, LAY.null_pos] = 0.01
    taps = np.zeros(64, np.complex64)
    taps[A] = 1.0
    tags = [
        _tag(0, "ofdm_sync_chan_taps", pmt.init_c32vector(64, taps)),
        _tag(1, "chan_noise", pmt.from_double(0.04)),
        _tag(1, "ofdm_sync_chan_taps", pmt.init_c32vector(64, taps)),
        _tag(1, "ofdm_noise_var", pmt.from_double(5.0)),  # the default key: not read here
    ]
    tb = gr.top_block()
    src = blocks.vector_source_c(x.reshape(-1).tolist(), False, 64, tags)
    den = _make(impl, noise_tag_key="chan_noise", channel_power=1.0)
    snk = blocks.vector_sink_c(64)
    tb.connect(src, den, snk)
    tb.run()
    last = den.last_noise_var() if impl == "cpp" else den.last_sigma2
    assert last == pytest.approx(0.04)
    keys = sorted((t.offset, pmt.symbol_to_string(t.key)) for t in snk.tags())
    assert (1, "chan_noise") in keys and (1, "ofdm_noise_var") in keys
    with pytest.raises(ValueError, match="noise_tag_key"):
        _make(impl, noise_tag_key="ofdm_sync_chan_taps")


def test_guard_passes_a_chunk_through_a_general_block(capfd):
    # the Python twin is a general block: a work() that raises (injected) passes the
    # symbols through on output 0, tagged work_error, and nothing on the taps stream
    fr, _ = _frames(3, 10.0, seed=44)
    den = _make("python")

    def boom(*a, **k):
        raise RuntimeError("injected")

    den.denoise_taps = boom
    ls_tags, _, [(tags, stream, sym)] = _run(fr, [den])
    assert sym.shape == (3 * N_DATA, LAY.fft_len) and len(stream) == 0
    assert den.work_errors() >= 1 and len(tags) == 0  # the chunk's taps tags: not rewritten
    assert "injected" in "".join(capfd.readouterr())


@pytest.mark.parametrize("impl", ["cpp", "python"])
def test_receiver_ignores_time_domain_noise_tags(impl):
    # "noise_var" tags on the received samples (as additive_noise writes them: per time
    # sample, fft_len times smaller than per carrier) reach the denoiser through ofdm_rx's
    # header_payload_demux; the denoiser's key (ofdm_noise_var, per carrier) is another
    from gnuradio.diffusion import ofdm_denoised_rx
    from gnuradio.diffusion.flowgraphs import ofdm_link as lk

    rng = np.random.default_rng(45)
    sig, _ = lk.fade(lk.transmit(lk.random_payloads(4, 48, rng)), "mix", 20.0, rng)
    tags = [_tag(o, "noise_var", pmt.from_double(1e-3)) for o in range(0, len(sig), 500)]
    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(sig).tolist(), False, 1, tags)
    rx = ofdm_denoised_rx(implementation=impl, sync_threshold=0.7)
    probe = blocks.vector_sink_c(LAY.fft_len)
    tb.connect(src, rx, blocks.null_sink(1))
    tb.connect(rx.denoiser, probe)
    tb.run()
    seen = [t for t in probe.tags() if pmt.symbol_to_string(t.key) == "noise_var"]
    assert seen, "no noise_var tag reached the denoiser: the guard is untested"
    assert _count(rx.denoiser, "frames") >= 2 and _count(rx.denoiser, "noise_tags") == 0
    last = rx.denoiser.last_noise_var() if impl == "cpp" else rx.denoiser.last_sigma2
    # the per-frame estimate (20 dB per carrier in FFT units: fft_len^2 / 100 = 41), not 1e-3
    assert 10.0 < last < 200.0
