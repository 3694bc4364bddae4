#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""What the denoiser blocks (C++ and Python) tell a user (issue 15, items 2, 3, 5), in real
flowgraphs: a warning, once, when the input does not look like the model's constellation
(QPSK on the axes instead of at 45 degrees; a badly scaled input), none for a correct input;
a warning, once, in PAPER mode on the shipped (wide-schedule) models; and GNU Radio's own
SNR estimators driving the noise level: digital.mpsk_snr_est_cc's "snr" tags and
digital.probe_mpsk_snr_est_c's "snr" messages (Es/N0 in dB per symbol).

Warnings go through GNU Radio's logger (console sink: stdout), read here with capfd.
"""

import numpy as np
import pmt
import pytest
from gnuradio import blocks, diffusion, digital, gr
from gnuradio.diffusion.core import constellations, reference

CPP = diffusion.ddpm_denoiser
KINDS = ("cpp", "py")
QPSK = constellations.by_name("qpsk")
N = 4096


def make(kind, model="qpsk", mode="tweedie", source="parameter", esn0_db=10.0):
    path = diffusion.shipped_model(model)
    if kind == "cpp":
        modes = {"tweedie": CPP.TWEEDIE, "paper": CPP.PAPER, "posterior": CPP.POSTERIOR}
        srcs = {"parameter": CPP.NOISE_PARAMETER, "blind": CPP.NOISE_BLIND}
        return CPP(path, modes[mode], 5, srcs[source], esn0_db, "cpu", 1, 1024, 0)
    return diffusion.ddpm_denoiser_py(path, mode, 5, source, esn0_db, batch_size=1024)


def qpsk(esn0_db, n=N, rotate_deg=0.0, gain=1.0, seed=1):
    rng = np.random.default_rng(seed)
    x = QPSK.points[rng.integers(0, 4, n)]
    s2 = 10.0 ** (-esn0_db / 10.0)
    y = gain * x * np.exp(1j * np.radians(rotate_deg)) + reference.awgn(np.zeros(n), s2, rng)
    return x, y.astype(np.complex64)


def logged(capfd):
    """What GNU Radio's logger printed (its console sink writes to stdout)."""
    o = capfd.readouterr()
    return o.out + o.err


def run(blk, y):
    tb = gr.top_block()
    src = blocks.vector_source_c(y.tolist())
    snk = blocks.vector_sink_c()
    tb.connect(src, blk, snk)
    tb.run()
    return np.array(snk.data())


@pytest.mark.parametrize("kind", KINDS)
def test_rotated_qpsk_warns_once(kind, capfd):
    for esn0 in (8.0, 15.0):
        blk = make(kind, esn0_db=esn0)
        run(blk, qpsk(esn0, rotate_deg=45.0)[1])
        err = logged(capfd)
        assert err.count("does not look like the model's constellation") == 1, err
        assert "Rotate the input by 45 degrees" in err
        assert "45, 135, 225, 315 degrees" in err  # the model's orientation
        assert "mean input power" not in err


@pytest.mark.parametrize("kind", KINDS)
def test_correct_input_no_warning(kind, capfd):
    # fit ratio of a correct input: 1.00-1.01 at 0..30 dB (threshold 1.5); power ratio
    # within 5 % at 1024 samples (threshold +-2 dB)
    for esn0 in (0.0, 5.0, 15.0, 25.0):
        for source in ("parameter", "blind"):
            run(make(kind, esn0_db=esn0, source=source), qpsk(esn0, seed=int(esn0) + 3)[1])
    err = logged(capfd)
    assert "does not look like" not in err and "mean input power" not in err, err


@pytest.mark.parametrize("kind", KINDS)
def test_badly_scaled_input_warns(kind, capfd):
    run(make(kind, esn0_db=15.0), qpsk(15.0, gain=2.0)[1])  # power x4, +6 dB
    err = logged(capfd)
    assert err.count("mean input power") == 1, err
    assert "Scale the input to unit signal power" in err


@pytest.mark.parametrize("kind", KINDS)
def test_paper_mode_warns_once(kind, capfd):
    blk = make(kind, mode="paper", esn0_db=10.0)
    out = run(blk, qpsk(10.0)[1])
    err = logged(capfd)
    assert err.count("mode PAPER runs the published Algorithm 2") == 1, err
    assert "-30.0 dB" in err and "Use TWEEDIE" in err
    # and what it says is what happens: most outputs land in a random quadrant
    x, y = qpsk(10.0)
    wrong = np.mean(np.sign(out.real) != np.sign(x.real)) + np.mean(
        np.sign(out.imag) != np.sign(x.imag)
    )
    assert wrong > 0.5, wrong  # per-rail errors ~0.5 each for prior samples; 0.002 Tweedie
    run(make(kind, mode="tweedie", esn0_db=10.0), y)
    assert "mode PAPER" not in logged(capfd)


@pytest.mark.parametrize("kind", KINDS)
def test_mpsk_snr_est_tags_set_noise_level(kind):
    """digital.mpsk_snr_est_cc -> denoiser: the "snr" tag (Es/N0 dB) replaces the wrong
    parameter (30 dB) from the tagged sample on."""
    esn0 = 8.0
    x, y = qpsk(esn0, n=30000, seed=5)
    tb = gr.top_block()
    src = blocks.vector_source_c(y.tolist())
    est = digital.mpsk_snr_est_cc(digital.SNR_EST_M2M4, 10000, 0.001)
    blk = make(kind, esn0_db=30.0)
    snk = blocks.vector_sink_c()
    tb.connect(src, est, blk, snk)
    tb.run()
    out = np.array(snk.data())[1:]  # mpsk_snr_est_cc delays by one sample (history 2)
    x, y = x[:-1], y[:-1]
    tags = [t for t in snk.tags() if str(t.key) == "snr"]
    assert [t.offset for t in tags] == [10000, 20000]  # tags propagate 1:1
    # M2M4 over 10000 QPSK symbols at 8 dB: spread ~0.1 dB; the block took the last tag
    last = pmt.to_double(tags[-1].value)
    assert abs(last - esn0) < 0.5
    assert blk.noise_var() == pytest.approx(10 ** (-last / 10), rel=1e-6)
    # after the first tag the denoiser works at ~8 dB, not 30 dB: near the exact MMSE
    s2 = 10 ** (-esn0 / 10)
    mmse = reference.mmse_estimate(y, QPSK, s2)
    after = slice(10000, None)  # tag at output 10000 = input sample 9999
    assert reference.mse_db(out[after], x[after]) < reference.mse_db(mmse[after], x[after]) + 0.3


@pytest.mark.parametrize("kind", KINDS)
def test_probe_mpsk_snr_messages_set_noise_level(kind):
    """digital.probe_mpsk_snr_est_c's "snr" port (a PMT double, Es/N0 dB) -> the denoiser's
    "noise" port."""
    esn0 = 12.0
    _, y = qpsk(esn0, n=60000, seed=6)
    tb = gr.top_block()
    src = blocks.vector_source_c(y.tolist())
    thr = blocks.throttle(gr.sizeof_gr_complex, 2e6)  # leave time to deliver the messages
    probe = digital.probe_mpsk_snr_est_c(digital.SNR_EST_M2M4, 2000, 0.001)
    blk = make(kind, esn0_db=30.0)
    snk = blocks.null_sink(gr.sizeof_gr_complex)
    tb.connect(src, thr, blk, snk)
    tb.connect(thr, probe)
    tb.msg_connect(probe, "snr", blk, "noise")
    tb.run()
    got = -10 * np.log10(blk.noise_var())
    assert abs(got - esn0) < 0.7, got  # M2M4 over 2000 symbols at 12 dB: std ~0.2 dB
