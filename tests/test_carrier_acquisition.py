#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Carrier-offset acquisition: the NumPy estimator (core.carrier_acquisition, no GNU Radio)
on simulated BPSK / QPSK / SDPSK over the whole range +-1/(2 sps) cycles/sample, and the
streaming block (diffusion.carrier_acquisition) in a flowgraph."""

import math

import numpy as np
import pytest
from gnuradio.diffusion.core.carrier_acquisition import (
    PowerLineOffsetEstimator,
    power_order,
    wrap_offset,
)
from gnuradio.diffusion.link.framing import rrc_taps

ROLLOFF = 0.4


def psk_signal(kind, nsym, offset, snr_db, seed, sps=2):
    """RRC-shaped symbols (unit power per symbol) at ``offset`` cycles/sample, a random
    phase, + complex white noise at ``snr_db`` per sample (the issue's noise model)."""
    rng = np.random.default_rng(seed)
    if kind == "bpsk":
        s = 1.0 - 2.0 * rng.integers(0, 2, nsym)
    elif kind == "qpsk":
        s = np.exp(1j * (np.pi / 2 * rng.integers(0, 4, nsym) + np.pi / 4))
    else:  # sdpsk: +-90 degrees per symbol
        s = np.exp(1j * np.pi / 2 * np.cumsum(2 * rng.integers(0, 2, nsym) - 1))
    up = np.zeros(nsym * sps, complex)
    up[::sps] = s
    n = np.arange(up.size)
    y = np.convolve(up, rrc_taps(sps, ROLLOFF, 11), "same")
    y = y * np.exp(1j * (2 * np.pi * offset * n + rng.uniform(0, 2 * np.pi)))
    p = np.mean(np.abs(y) ** 2) * 10 ** (-snr_db / 10)
    return y + np.sqrt(p / 2) * (rng.standard_normal(y.size) + 1j * rng.standard_normal(y.size))


def bin_width(est, nsamples):
    """The M-th power periodogram's bin in f (cycles/sample): parabolic interpolation puts
    the line within half a bin of the truth when the line dominates its neighbours; one bin
    is the tolerance (it is ~1e-5 cycles/sample here, far inside a Costas loop's pull-in)."""
    nfft = est.sps * 2 ** math.ceil(math.log2(est.pad * nsamples / est.sps))
    return 1.0 / (est.order * nfft)


@pytest.mark.parametrize("kind", ["bpsk", "qpsk", "sdpsk"])
@pytest.mark.parametrize("sps", [2, 4])
def test_offsets_over_the_whole_range(kind, sps):
    est = PowerLineOffsetEstimator(sps, ROLLOFF, power_order(kind))
    nsym = 2048
    for i, f in enumerate(np.linspace(-0.5 / sps, 0.5 / sps, 7)[1:-1]):
        y = psk_signal(kind, nsym, f, 3.0, 10 * sps + i, sps)
        got = est.estimate(y)
        assert abs(wrap_offset(got - f)) < bin_width(est, y.size), (kind, sps, f, got)


def test_range_edge_and_aliasing():
    """At +-1/(2 sps) the band wraps around the sample rate; the estimate is right modulo
    the edge (+0.25 and -0.25 cycles/sample are the same signal at 2 sps)."""
    est = PowerLineOffsetEstimator(2, ROLLOFF, 4)
    for f in (0.249, -0.249):
        y = psk_signal("qpsk", 2048, f, 6.0, 3)
        assert abs(wrap_offset(est.estimate(y) - f)) < bin_width(est, y.size)


def test_sdpsk_beats_the_unfolded_line():
    """SDPSK's 4th power puts most power at 4f +- 1/sps (module doc): the highest bin of
    FFT(y^4) / 4 is off by 1/(4 sps); the folded estimate is not."""
    from gnuradio.diffusion.flowgraphs.stock_psk import textbook_offset

    f = -0.035
    y = psk_signal("sdpsk", 4096, f, 20.0, 5)
    n = 4 * y.size
    spec = np.abs(np.fft.fft(y**4, n))
    naive = np.fft.fftfreq(n)[np.argmax(spec)] / 4
    assert abs(abs(naive - f) - 0.125) < 1e-3
    est = PowerLineOffsetEstimator(2, ROLLOFF, 4)
    assert abs(est.estimate(y) - f) < bin_width(est, y.size)
    # the textbook estimator searches |4 f| < 1/(2 sps) only: right at high SNR
    assert abs(textbook_offset(y, 2, 4) - f) < 1.0 / n


def test_tracking_picks_the_candidate_near_the_current_offset():
    est = PowerLineOffsetEstimator(2, ROLLOFF, 4)
    y = psk_signal("qpsk", 2048, 0.02, 3.0, 9)
    assert abs(est.estimate(y, near=0.02 + 0.05) - 0.02) < bin_width(est, y.size)
    # the candidates are 1/(M sps) apart: near a wrong alias, that alias is returned
    assert abs(est.estimate(y, near=0.02 + 0.125) - (0.02 + 0.125)) < bin_width(est, y.size)


def test_non_finite_samples_and_bad_parameters():
    est = PowerLineOffsetEstimator(2, ROLLOFF, 4)
    y = psk_signal("qpsk", 2048, 0.01, 6.0, 1)
    y[100:110] = np.nan
    y[500] = np.inf
    assert abs(est.estimate(y) - 0.01) < bin_width(est, y.size)
    with pytest.raises(ValueError):
        est.estimate(y[:10])
    for bad in (dict(sps=1), dict(sps=2.5), dict(sps=2, rolloff=0), dict(sps=2, order=0)):
        with pytest.raises(ValueError):
            PowerLineOffsetEstimator(**bad)
    with pytest.raises(ValueError):
        power_order("16qam")
    assert [power_order(m) for m in ("bpsk", "dbpsk", "qpsk", "sdpsk", "8psk")] == [2, 2, 4, 4, 8]


def test_line_significance_rejects_noise_and_silence():
    """p_false = 1e-3: windows of complex white noise alone (no line) give None in all but a
    few of 300 (the bound allows 0.3 expected; 3 leaves room for the union bound's slack),
    silence gives None, and BPSK windows at -3 dB per sample (8192 samples, far above the
    threshold) are all detected, at the offset of the estimate without the test."""
    from gnuradio.diffusion.core.carrier_acquisition import gamma_tail, line_threshold

    assert abs(gamma_tail(1, 2.0) - math.exp(-2.0)) < 1e-12
    assert abs(gamma_tail(3, 2.0) - math.exp(-2.0) * (1 + 2 + 2)) < 1e-12
    # exponential bins: threshold = ln(B / p) / ln 2 times the median
    assert abs(line_threshold(1, 1000, 1e-3) - math.log(1e6) / math.log(2)) < 1e-6
    rng = np.random.default_rng(5)
    for sps in (2, 5):
        est = PowerLineOffsetEstimator(sps, ROLLOFF, 2)
        false = sum(
            est.estimate(rng.standard_normal(8192) + 1j * rng.standard_normal(8192), p_false=1e-3)
            is not None
            for _ in range(150)
        )
        assert false <= 3, (sps, false)
        assert est.estimate(np.zeros(8192, complex), p_false=1e-3) is None
        for seed in range(5):
            y = psk_signal("bpsk", 8192 // sps, 0.01, -3.0, seed, sps=sps)
            f = est.estimate(y, p_false=1e-3)
            assert f is not None and f == est.estimate(y)


# ---------------------------------------------------------------- the streaming block


def run_block(y, max_noutput_items=0, **kw):
    from gnuradio import blocks, diffusion, gr

    tb = gr.top_block()
    src = blocks.vector_source_c(y.astype(np.complex64).tolist())
    acq = diffusion.carrier_acquisition(**kw)
    snk = blocks.vector_sink_c()
    tb.connect(src, acq, snk)
    if max_noutput_items:
        tb.run(max_noutput_items)
    else:
        tb.run()
    return np.array(snk.data()), snk.tags(), acq


def residual_offset(z):
    """Offset left in a QPSK/SDPSK stream (cycles/sample) from its 4th power's phase slope."""
    ph = np.unwrap(np.angle(np.convolve(z**4, np.ones(256), "valid")))
    return np.polyfit(np.arange(ph.size), ph, 1)[0] / (2 * np.pi * 4)


def test_block_removes_the_offset_and_tags_it():
    f = 0.061
    y = psk_signal("qpsk", 6000, f, 6.0, 21)
    z, tags, acq = run_block(y, sps=2, rolloff=ROLLOFF, order=4, window=4096, hop=1024)
    assert z.size == y.size  # held during acquisition, then every sample out
    assert abs(acq.offset() - f) < 1e-4
    assert abs(residual_offset(z)) < 1e-4
    keys = [str(t.key) for t in tags]
    assert keys and set(keys) == {"carrier_offset"} and tags[0].offset == 0
    # the output is the input rotated: magnitudes unchanged
    np.testing.assert_allclose(np.abs(z), np.abs(y.astype(np.complex64)), rtol=1e-4, atol=1e-6)


def test_block_tracks_a_drifting_offset():
    """An offset that moves by 2e-3 cycles/sample over the stream (Doppler): the sliding
    window follows it (the residual in the last quarter is well under the drift)."""
    y = psk_signal("sdpsk", 20000, 0.0, 8.0, 31)
    n = np.arange(y.size)
    drift = 2e-3 * n / y.size
    y = y * np.exp(2j * np.pi * np.cumsum(0.02 + drift))
    z, tags, acq = run_block(
        y, sps=2, rolloff=ROLLOFF, order=4, window=2048, hop=1024, track_window=4096
    )
    assert len(tags) > 3
    # the last estimate is over the last 4096 samples: the offset at their centre
    assert abs(acq.offset() - (0.02 + 2e-3 * (1 - 2048 / y.size))) < 3e-4
    assert abs(residual_offset(z[-y.size // 4 :])) < 5e-4


def test_block_output_does_not_depend_on_the_chunking():
    """Estimates fall every ``hop`` samples after the first window whatever the work calls
    hold (the input held during acquisition was a whole buffer, ~8192 samples, and the
    schedule started after it: a first re-estimate at 8703 here, and elsewhere where the
    scheduler split differently, which the loops after it turned into different frame
    counts between runs); two runs with different output chunking: bit-identical."""
    y = psk_signal("bpsk", 12000, 0.013, 3.0, 41)
    kw = dict(sps=2, rolloff=ROLLOFF, order=2, window=1024, hop=512, track_window=4096)
    z1, t1, _ = run_block(y, 61, **kw)
    z2, t2, _ = run_block(y, **kw)
    assert z1.size == z2.size == y.size
    np.testing.assert_array_equal(z1, z2)
    offsets = [t.offset for t in t1]
    assert len(offsets) > 3 and offsets[:2] == [0, 1024 + 512]
    assert all((o - 1024) % 512 == 0 for o in offsets[1:])
    assert [(t.offset, pmt_float(t.value)) for t in t1] == [
        (t.offset, pmt_float(t.value)) for t in t2
    ]


def pmt_float(v):
    import pmt

    return pmt.to_double(v)


def test_block_holds_the_offset_through_a_gap():
    """A burst, a gap of noise 20 dB below it, a burst: the tracking estimates over windows
    of noise are not significant, so the offset of the first burst is held through the gap
    (every tagged offset within 1e-3 of the truth) instead of jumping to a noise peak."""
    f = 0.02
    a = psk_signal("bpsk", 6000, f, 10.0, 51)
    rng = np.random.default_rng(52)
    gap = 0.1 * (rng.standard_normal(30000) + 1j * rng.standard_normal(30000)) / np.sqrt(2)
    b = psk_signal("bpsk", 6000, f, 10.0, 53) * np.exp(1j * 2 * np.pi * f * (a.size + gap.size))
    y = np.concatenate([a, gap, b])
    z, tags, acq = run_block(
        y, sps=2, rolloff=ROLLOFF, order=2, window=1024, hop=512, track_window=4096
    )
    offsets = [pmt_float(t.value) for t in tags]
    assert len(offsets) > 3
    assert max(abs(o - f) for o in offsets) < 1e-3, offsets


def test_block_starts_at_zero_offset_on_noise_before_a_burst():
    """Noise first (a gap before the first burst), then a burst at offset f: the first
    window's line is not significant, so the block starts uncorrected (f = 0, tagged at
    sample 0) instead of at a noise peak's offset, and moves to f once the burst's line is
    significant (every tagged offset is 0 or within 1e-3 of f; the last one within 1e-3)."""
    f = -0.01
    rng = np.random.default_rng(71)
    gap = 0.1 * (rng.standard_normal(8000) + 1j * rng.standard_normal(8000)) / np.sqrt(2)
    b = psk_signal("bpsk", 6000, f, 10.0, 72)
    y = np.concatenate([gap, b])
    z, tags, acq = run_block(
        y, sps=2, rolloff=ROLLOFF, order=2, window=1024, hop=512, track_window=4096
    )
    offsets = [(t.offset, pmt_float(t.value)) for t in tags]
    assert offsets[0] == (0, 0.0)
    assert all(o == 0.0 or abs(o - f) < 1e-3 for _, o in offsets), offsets
    assert abs(acq.offset() - f) < 1e-3
    # it moved to f within the burst's first 4096 samples (the tracking window)
    assert min(n for n, o in offsets if o != 0.0) <= gap.size + 4096


def test_block_bad_parameters():
    from gnuradio import diffusion

    with pytest.raises(ValueError):
        diffusion.carrier_acquisition(sps=2, window=8)
    with pytest.raises(ValueError):
        diffusion.carrier_acquisition(sps=2, hop=0)
