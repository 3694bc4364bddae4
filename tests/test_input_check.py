#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""core.input_check: does a denoiser's input look like the model's constellation?
(issue 15, item 2; the C++ twin lib/input_check.h has the same cases in
lib/qa_input_check.cc.)"""

import numpy as np
import pytest
from gnuradio.diffusion.core import constellations, input_check, reference

QPSK = constellations.by_name("qpsk")
QAM16 = constellations.by_name("16qam")


def received(const, esn0_db, rotate_deg=0.0, gain=1.0, n=1024, seed=0):
    rng = np.random.default_rng(seed)
    s2 = 10.0 ** (-esn0_db / 10.0)
    x = const.points[rng.integers(0, const.order, n)]
    return gain * x * np.exp(1j * np.radians(rotate_deg)) + reference.awgn(np.zeros(n), s2, rng), s2


@pytest.mark.parametrize("esn0", [5.0, 10.0, 15.0, 20.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_qpsk_on_the_axes_is_flagged(esn0, seed):
    # measured fit ratio 1.9-2.1 at 5 dB, 5.5-5.9 at 10 dB, 58-62 at 20 dB (threshold 1.5)
    y, s2 = received(QPSK, esn0, rotate_deg=45.0, seed=seed)
    r = input_check.check_input(y, QPSK.points, s2)
    assert r.rotated and r.rotation_deg == 45.0 and not r.power_off, r
    msg = input_check.messages(r, input_check.describe(QPSK.points))
    assert len(msg) == 1 and "Rotate the input by 45 degrees" in msg[0]
    assert "4 points at 45, 135, 225, 315 degrees" in msg[0]


@pytest.mark.parametrize("const", [QPSK, QAM16], ids=["qpsk", "16qam"])
@pytest.mark.parametrize("esn0", [0.0, 3.0, 5.0, 10.0, 20.0, 30.0])
def test_correct_input_is_not_flagged(const, esn0):
    # measured fit ratio 1.00-1.01 at every Es/N0; power ratio within 7 % (threshold 2 dB)
    for seed in (4, 5, 6):
        y, s2 = received(const, esn0, seed=seed)
        r = input_check.check_input(y, const.points, s2)
        assert r.ok and r.fit_ratio < 1.1 and abs(r.power_ratio - 1) < 0.1, r
        assert input_check.messages(r, "") == []


def test_rotated_16qam_is_flagged():
    for esn0 in (10.0, 20.0):
        y, s2 = received(QAM16, esn0, rotate_deg=45.0, seed=9)
        r = input_check.check_input(y, QAM16.points, s2)
        assert r.rotated and r.rotation_deg == 45.0


@pytest.mark.parametrize("gain", [2.0, 0.5])
def test_badly_scaled_input_is_flagged(gain):
    y, s2 = received(QAM16, 10.0, gain=gain, seed=11)
    r = input_check.check_input(y, QAM16.points, s2)
    # noise is not scaled: ratio (g^2 + s2) / (1 + s2)
    assert r.power_off and r.power_ratio == pytest.approx((gain**2 + s2) / (1 + s2), rel=0.1)
    assert "Scale the input to unit signal power" in input_check.messages(r, "")[-1]
    # the right scale but a wrong sigma2 (real 0 dB, assumed 20 dB): 2 / 1.01
    y, _ = received(QAM16, 0.0, seed=12)
    assert input_check.check_input(y, QAM16.points, 0.01).power_off


def test_per_sample_sigma2_and_deep_fades():
    # stream mode: sigma2 per sample; a quarter of the samples in deep fades (sigma2 = 10)
    # must not hide the rotation of the rest, nor upset the normalised power
    rng = np.random.default_rng(13)
    n = 1024
    s2 = np.where(rng.random(n) < 0.25, 10.0, 0.05)
    x = QPSK.points[rng.integers(0, 4, n)] * np.exp(1j * np.pi / 4)
    y = x + np.sqrt(s2 / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    r = input_check.check_input(y, QPSK.points, s2)
    assert r.rotated and not r.power_off, r
    r = input_check.check_input(y * np.exp(-1j * np.pi / 4), QPSK.points, s2)
    assert r.ok, r


def test_checker_collects_then_reports_once():
    y, s2 = received(QPSK, 10.0, rotate_deg=45.0, n=1500, seed=14)
    c = input_check.InputChecker(QPSK.points)
    assert c.feed(np.full(10, np.nan + 0j), s2) is None  # NaN skipped
    assert c.feed(y[:1000], s2) is None and not c.done
    msgs = c.feed(y[1000:], s2)
    assert c.done and len(msgs) == 1 and c.result.rotated
    assert c.feed(y, s2) is None  # once only


def test_describe_and_paper_text():
    grid = "16 points, a square grid aligned with the I/Q axes"
    assert input_check.describe(QAM16.points) == grid
    pts8 = np.exp(1j * np.radians(45.0 * np.arange(8)))
    want = "8 points at 0, 45, 90, 135, 180, 225, 270, 315 degrees"
    assert input_check.describe(pts8) == want
    w = input_check.paper_mode_warning(100, 1000.0, 0.1)
    assert "-30.0 dB" in w and "10.0 dB" in w and "Use TWEEDIE" in w


@pytest.mark.parametrize("const", [QPSK, QAM16], ids=["qpsk", "16qam"])
def test_all_zero_input_is_a_power_warning_not_an_exception(const):
    # a squelched radio or zero padding: mean power 0 (-inf dB) is flagged like any power
    # far off, as the C++ twin does (log10(0) = -inf there); it used to raise ValueError
    # (math domain error) in the Python denoiser's work()
    r = input_check.check_input(np.zeros(1024, np.complex64), const.points, 0.1)
    assert r.power_off and r.power == 0.0 and r.power_ratio == 0.0
    msg = input_check.messages(r, "")
    assert len(msg) == 1 and "mean input power 0 " in msg[0]
    chk = input_check.InputChecker(const.points, n=64)
    assert chk.feed(np.zeros(64), 0.1) == msg
