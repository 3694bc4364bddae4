#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The OFDM channel denoiser's Python block (ofdm_channel_denoiser_py) in GNU Radio
flowgraphs: stock digital.ofdm_tx -> TDL fading -> ofdm_rx with the denoiser (docs/ofdm.md);
the tag rewritten, NMSE, bad input.  The C++ block: tests/test_ofdm_denoiser_cpp.py."""

import numpy as np
import pmt
import pytest
from gnuradio import blocks, diffusion, digital, gr
from gnuradio.diffusion.core.ofdm_carriers import DEFAULT_LAYOUT as LAY
from gnuradio.diffusion.flowgraphs import ofdm_link as lk

MODEL = "ofdm_mix"


def _nmse_db(est, truth):
    return 10 * np.log10(np.sum(np.abs(est - truth) ** 2) / np.sum(np.abs(truth) ** 2))


@pytest.fixture(scope="module")
def link_10db():
    # 24 packets of 48 bytes (4 OFDM data symbols each) through the mixed TDL family at a
    # per-carrier SNR of 10 dB, fixed seed; both receivers see the same samples.  Sync
    # threshold 0.7 for both: ofdm_rx's 0.9 misses most frames at this SNR (docs/ofdm.md)
    rng = np.random.default_rng(20240)
    pays = lk.random_payloads(24, 48, rng)
    sig, H = lk.fade(lk.transmit(pays), "mix", 10.0, rng)
    kw = dict(taps_probe=True, sync_threshold=0.7, implementation="python")
    den = lk.receive(sig, denoise=True, model=MODEL, **kw)
    stock = lk.receive(sig, denoise=False, **kw)
    return pays, H, den, stock


def test_tag_rewritten_on_every_frame(link_10db):
    pays, H, den, stock = link_10db
    ls, out = den["taps_ls"], den["taps_out"]
    # most frames found (measured 27 of 40 at this SNR and threshold), one tag each
    assert len(ls) == len(out) >= len(pays) // 2
    assert den["denoiser"].rewritten == len(ls)
    a = LAY.active_pos
    assert np.all(np.abs(out[:, a] - ls[:, a]) > 0)  # active carriers replaced
    assert np.array_equal(out[:, LAY.null_pos], ls[:, LAY.null_pos])  # the rest untouched
    assert np.all(np.isfinite(out))
    # the stock receiver's chanest sees the same samples: same LS taps
    assert np.allclose(stock["taps_ls"], ls)


def test_nmse_better_than_ls_at_10db(link_10db):
    pays, H, den, _ = link_10db
    truth, d, _ = lk.align_truth(den["taps_ls"], H)
    a = LAY.active_pos
    n_ls = _nmse_db(den["taps_ls"][:, a], truth)
    n_dn = _nmse_db(den["taps_out"][:, a], truth)
    # LS at 10 dB per carrier: -10 dB (+- ~0.4 dB over 24 x 52 carriers). The projection onto
    # the CP alone removes 36 of 52 noise dimensions (-5 dB); the prior must do better than
    # 3 dB over LS on these frames (measured with ofdm_mix: -15.5 vs -10.5 dB; robust LMMSE
    # over -4..19 alone: -13.8 dB).
    assert -11.0 < n_ls < -9.0
    assert n_dn < n_ls - 3.0, (n_ls, n_dn)
    # the estimated noise variance in FFT units is fft_len x the time-domain variance
    # fft_len / 10 (ofdm_link.fade); one frame's estimate has 48 dof (relative std 14 %):
    # the last frame's within 3 sigma
    s2_true = LAY.fft_len**2 / 10.0
    assert abs(den["denoiser"].last_sigma2 / s2_true - 1) < 0.45


def test_packets_decode_through_denoised_receiver(link_10db):
    pays, _, den, stock = link_10db
    got_d = len(set(den["payloads"]) & set(pays))
    got_s = len(set(stock["payloads"]) & set(pays))
    # CRC32-checked payloads only; the denoised receiver decodes at least as many packets
    # as the stock one on these frames, less one for a chance fade (measured: docs/ofdm.md)
    assert got_d >= max(1, got_s - 1), (got_d, got_s)


def _frame(offset_tag=True, taps=True, taps_value=None, n=3, bad_sample=False):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((n, 64)) + 1j * rng.standard_normal((n, 64))).astype(np.complex64)
    x[:, LAY.null_pos] *= 0.1
    if bad_sample:
        x[1, 10] = np.nan
        x[2, 20] = np.inf
    tags = []
    if offset_tag:
        t = gr.tag_t()
        t.offset, t.key, t.value = 0, pmt.intern("ofdm_sync_carr_offset"), pmt.from_long(0)
        tags.append(t)
    if taps:
        v = taps_value
        if v is None:
            v = np.zeros(64, dtype=np.complex64)
            v[LAY.active_pos] = x[0, LAY.active_pos]
        t = gr.tag_t()
        t.offset, t.key = 0, pmt.intern("ofdm_sync_chan_taps")
        t.value = pmt.init_c32vector(64, np.asarray(v, dtype=np.complex64))
        tags.append(t)
    return x, tags


def _run(x, tags, equalize=False, **kw):
    tb = gr.top_block()
    src = blocks.vector_source_c(x.reshape(-1).tolist(), False, 64, tags)
    den = diffusion.ofdm_channel_denoiser_py(MODEL, **kw)
    snk = blocks.vector_sink_c(64)
    if equalize:
        eq = digital.ofdm_equalizer_simpledfe(
            64,
            digital.constellation_bpsk().base(),
            ((list(LAY.occupied)),),
            ((list(LAY.pilots)),),
            ((1, 1, 1, -1),),
        )
        fe = digital.ofdm_frame_equalizer_vcvc(eq.base(), 16, "", False, x.shape[0])
        tb.connect(src, den, fe, snk)
    else:
        tb.connect(src, den, snk)
    tb.run()
    return np.array(snk.data()).reshape(-1, 64), snk.tags(), den


def test_frame_without_taps_passes_untouched_with_one_warning():
    x, tags = _frame(taps=False)
    y, out_tags, den = _run(x, tags)
    assert np.array_equal(y, x)
    assert [pmt.symbol_to_string(t.key) for t in out_tags] == ["ofdm_sync_carr_offset"]
    assert den.rewritten == 0 and "notaps" in den._warned


def test_nan_taps_and_samples_never_reach_the_equalizer_as_nan():
    x, tags = _frame(bad_sample=True)
    taps = np.zeros(64, dtype=np.complex64)
    taps[LAY.active_pos] = x[0, LAY.active_pos]
    taps[LAY.active_pos[5]] = np.nan
    taps[LAY.active_pos[9]] = np.inf
    x, tags = _frame(bad_sample=True, taps_value=taps)
    y, out_tags, den = _run(x, tags, equalize=True)
    assert np.all(np.isfinite(y)), "NaN/Inf reached the equalizer output"
    assert {"samples", "taps"} <= den._warned
    # all taps non-finite: taps of 1, still finite downstream
    x, tags = _frame(taps_value=np.full(64, np.nan, dtype=np.complex64))
    y, _, _ = _run(x, tags, equalize=True)
    assert np.all(np.isfinite(y))


def test_mode_off_passes_ls_taps():
    x, tags = _frame()
    y, out_tags, den = _run(x, tags, mode="off")
    t = [t for t in out_tags if pmt.symbol_to_string(t.key) == "ofdm_sync_chan_taps"][0]
    assert np.allclose(
        np.array(pmt.c32vector_elements(t.value))[LAY.active_pos], x[0, LAY.active_pos]
    )


def test_model_layout_mismatch_is_a_construction_error():
    with pytest.raises(ValueError, match=r"fft_len 64.*fft_len 128"):
        diffusion.ofdm_channel_denoiser_py(MODEL, 128, 32, [list(range(-50, 51))], [[]])
    with pytest.raises(ValueError, match="active carriers"):
        diffusion.ofdm_channel_denoiser_py(MODEL, 64, 16, [list(range(-20, 21))], [[]])
    with pytest.raises(ValueError, match="noise_var"):
        diffusion.ofdm_channel_denoiser_py(MODEL, noise_var=-1)
