"""Maths of diffusion.core.mi_window: blind MI estimator and the sliding-window dispatcher
(the estimators it wraps are diffusion.core.information_rate)."""

import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python")
)
from gnuradio.diffusion.core import constellations, information_rate  # noqa: E402
from gnuradio.diffusion.core import mi_window as mi_probe_core


def awgn_link(name, esn0, n, seed):
    c = constellations.by_name(name)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, c.order, n)
    s2 = 10 ** (-esn0 / 10)
    y = c.points[idx] + math.sqrt(s2 / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    return c, idx, y, s2


@pytest.mark.parametrize(
    "name,esn0", [("qpsk", 0.0), ("16qam", 10.0), ("64qam", 15.0), ("8psk", 8.0)]
)
def test_blind_estimate_matches_awgn_theory(name, esn0):
    # 100k samples; the returned standard error is the Monte Carlo std of the mean; 4 of
    # them plus 2e-5 (the Gauss-Hermite error of the reference) bound the deviation.
    c, _, y, s2 = awgn_link(name, esn0, 100_000, seed=int(esn0) + 1)
    th = information_rate.mi_awgn(c, sigma2=s2)
    r = mi_probe_core.mi_blind(y, c, sigma2=s2)
    assert r["n"] == y.size and r["sigma2"] == s2
    assert abs(r["mi_bits"] - th) < 4 * r["stderr_bits"] + 2e-5, (r, th)
    # EM noise estimate: within 3 % of the true variance at 100k samples, and then the MI
    # estimate within 0.03 bit (measured deviations are < 1/3 of both).
    r = mi_probe_core.mi_blind(y, c)
    assert r["sigma2"] == pytest.approx(s2, rel=0.03)
    assert r["mi_bits"] == pytest.approx(th, abs=0.03)


@pytest.mark.parametrize("reference", ["none", "indices", "symbols"])
@pytest.mark.parametrize("noise", ["parameter", "estimate"])
def test_window_estimates_near_theory(reference, noise):
    c, idx, y, s2 = awgn_link("16qam", 10.0, 60_000, seed=5)
    th = information_rate.mi_awgn(c, sigma2=s2)
    w = mi_probe_core.MiWindow("16qam", None, 50_000, reference, noise, s2)
    tx = {"none": None, "indices": idx, "symbols": c.points[idx].astype(np.complex64)}[reference]
    for s in range(0, y.size, 4321):
        w.update(y[s : s + 4321], None if tx is None else tx[s : s + 4321])
    r = w.estimate()
    assert r["n"] == 50_000 and r["total"] == 60_000
    assert r["entropy_bits"] == pytest.approx(4.0)
    assert r["mi_awgn_bits"] == pytest.approx(
        information_rate.mi_awgn(c, sigma2=r["sigma2"]), abs=1e-3
    )  # theory cached at 4 significant digits
    # 50k samples at 10 dB: per-sample terms have std ~1.1 bit -> MC std 0.005 bit; 0.025
    # is 5 sigma.  Estimated sigma2 within 3 % (sample variance std 0.45 % at 50k).
    assert r["mi_bits"] == pytest.approx(th, abs=0.025)
    if noise == "estimate":
        assert r["sigma2"] == pytest.approx(s2, rel=0.03)
    else:
        assert r["sigma2"] == s2


def test_window_uses_only_the_last_samples():
    # First 30k samples at 0 dB, then 20k at 15 dB: a 20k window sees only the latter.
    c, idx0, y0, _ = awgn_link("16qam", 0.0, 30_000, seed=1)
    _, idx1, y1, s2 = awgn_link("16qam", 15.0, 20_000, seed=2)
    w = mi_probe_core.MiWindow(c, None, 20_000, "indices", "parameter", s2)
    w.update(y0, idx0)
    for s in range(0, 20_000, 3000):
        w.update(y1[s : s + 3000], idx1[s : s + 3000])
    direct = information_rate.mi_samples(
        idx1, y1, c.points, np.full(16, 1 / 16), aux="awgn", sigma2=s2, normalize=False
    )
    assert w.estimate()["mi_bits"] == pytest.approx(direct, abs=1e-12)


def test_bad_indices_and_nan_are_dropped():
    c, idx, y, s2 = awgn_link("qpsk", 5.0, 1000, seed=3)
    idx = idx.copy()
    y = y.copy()
    idx[:10] = 7  # out of range for QPSK
    y[10:15] = np.nan
    w = mi_probe_core.MiWindow(c, None, 1000, "indices", "parameter", s2)
    w.update(y, idx)
    r = w.estimate()
    assert r["n"] == 985 and r["bad_indices"] == 10
    direct = information_rate.mi_samples(
        idx[15:], y[15:], c.points, np.full(4, 0.25), aux="awgn", sigma2=s2, normalize=False
    )
    assert r["mi_bits"] == pytest.approx(direct, abs=1e-12)


def test_pmf_parsing_and_shaped_points():
    assert mi_probe_core.parse_pmf(None, 4) is None
    assert mi_probe_core.parse_pmf("", 4) is None
    assert mi_probe_core.parse_pmf([], 4) is None
    np.testing.assert_allclose(mi_probe_core.parse_pmf("1, 1 2 4", 4), [0.125, 0.125, 0.25, 0.5])
    with pytest.raises(ValueError):
        mi_probe_core.parse_pmf([1, 2], 4)
    with pytest.raises(ValueError):
        mi_probe_core.parse_pmf([1, -1, 1, 1], 4)
    # shaped: points rescaled to unit power under the PMF; entropy H(p)
    c = constellations.by_name("16qam")
    p = np.exp(-1.0 * np.abs(c.points) ** 2)
    w = mi_probe_core.MiWindow(c, p, 100, "none", "parameter", 0.1)
    pn = p / p.sum()
    assert np.sum(pn * np.abs(w.points) ** 2) == pytest.approx(1.0, rel=1e-12)
    assert w.entropy_bits == pytest.approx(information_rate.entropy_bits(pn))


def test_empty_window_is_nan():
    w = mi_probe_core.MiWindow("qpsk", window=10)
    r = w.estimate()
    assert r["n"] == 0 and math.isnan(r["mi_bits"])


def test_bad_arguments():
    with pytest.raises(ValueError):
        mi_probe_core.MiWindow("qpsk", reference="bogus")
    with pytest.raises(ValueError):
        mi_probe_core.MiWindow("qpsk", noise="bogus")
    with pytest.raises(ValueError):
        mi_probe_core.MiWindow("qpsk", window=1)
    with pytest.raises(ValueError):
        mi_probe_core.MiWindow("qpsk", sigma2=0.0)
    w = mi_probe_core.MiWindow("qpsk", reference="indices", window=10)
    with pytest.raises(ValueError):
        w.update(np.zeros(3, complex), np.zeros(2, int))
