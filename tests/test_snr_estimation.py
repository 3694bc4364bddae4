#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""core.snr_estimation: the M2M4 estimator against known signal and noise powers, the running
form's independence of chunking, and its handling of zeros and non-finite samples."""

import numpy as np
import pytest
from gnuradio.diffusion.core import constellations
from gnuradio.diffusion.core import snr_estimation as se


def noisy(name, n, esn0_db, gain, rng):
    c = constellations.by_name(name)
    x = c.points[rng.integers(0, c.order, n)]
    s2 = 10 ** (-esn0_db / 10)
    w = np.sqrt(s2 / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    return gain * (x + w), c


@pytest.mark.parametrize(
    "name, kurt", [("qpsk", 1.0), ("8psk", 1.0), ("16qam", 1.32), ("64qam", 1.381)]
)
def test_kurtosis(name, kurt):
    assert se.kurtosis(constellations.by_name(name).points) == pytest.approx(kurt, abs=1e-3)


# 16-QAM is left out at 20 dB: there N is the small difference of two moments whose sampling
# error (~0.3 % of M4 at 2e5 samples) is a third of N itself, ~1.5 dB; PSK has |x| = 1, no such
# error.
@pytest.mark.parametrize(
    "name, esn0_db",
    [("qpsk", 3.0), ("qpsk", 10.0), ("qpsk", 20.0), ("16qam", 3.0), ("16qam", 10.0)],
)
def test_block_estimate(name, esn0_db):
    rng = np.random.default_rng(int(esn0_db) + len(name))
    y, c = noisy(name, 200_000, esn0_db, 1.7, rng)
    s, n = se.m2m4(y, se.kurtosis(c.points))
    # signal power 1.7^2; the M2M4 estimate's relative std at 2e5 samples is well under 1 %
    assert s == pytest.approx(1.7**2, rel=0.02)
    assert 10 * np.log10(s / n) == pytest.approx(esn0_db, abs=0.3)


def test_running_estimate_is_chunking_independent():
    rng = np.random.default_rng(3)
    y, c = noisy("qpsk", 20_000, 8.0, 0.3, rng)
    whole = se.RunningM2M4(256).update(y)
    est = se.RunningM2M4(256)
    parts = [est.update(y[i : i + k]) for i, k in zip(range(0, y.size, 7), [7] * y.size)]
    for a, b in zip(
        whole, (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    ):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    s, n = whole
    assert 10 * np.log10(np.median(s[2000:] / n[2000:])) == pytest.approx(8.0, abs=0.5)


def test_running_estimate_skips_zeros_and_non_finite():
    rng = np.random.default_rng(4)
    y, _ = noisy("qpsk", 4000, 15.0, 1.0, rng)
    bad = np.concatenate([np.zeros(50), y[:2000], [np.nan, np.inf, 1e30 * 0 + np.nan], y[2000:]])
    s, n = se.RunningM2M4(128).update(bad)
    assert np.all(np.isnan(s[:50]))  # nothing seen yet
    assert np.all(np.isfinite(s[50:])) and np.all(np.isfinite(n[50:]))
    assert s[-1] == pytest.approx(1.0, rel=0.1)


def test_bad_parameters():
    with pytest.raises(ValueError, match="time_constant"):
        se.RunningM2M4(0.5)
    with pytest.raises(ValueError, match="kurtosis"):
        se.RunningM2M4(10, kurt=2.0)
