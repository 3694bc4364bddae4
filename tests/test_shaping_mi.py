"""diffusion.core.information_rate: AWGN mutual information of shaped constellations and the
Monte Carlo (mismatched-decoding) estimator for impairment chains."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python")
)
from gnuradio.diffusion.core import constellations as C  # noqa: E402
from gnuradio.diffusion.core import information_rate as ir  # noqa: E402


def random_pmf(m, seed, zeros=3):
    p = np.random.default_rng(seed).random(m)
    p[:zeros] = 0.0
    return p / p.sum()


def pam_mi_numeric(levels, q, s2):
    """Per-rail MI by brute-force trapezoid integration over y (independent of the
    Gauss-Hermite code): rail noise N(0, s2/2)."""
    v = s2 / 2
    y = np.linspace(levels.min() - 12 * np.sqrt(v), levels.max() + 12 * np.sqrt(v), 200001)
    lik = np.exp(-((y[None, :] - levels[:, None]) ** 2) / (2 * v)) / np.sqrt(2 * np.pi * v)
    py = q @ lik
    with np.errstate(divide="ignore", invalid="ignore"):
        integrand = np.where(lik > 0, lik * np.log2(lik / py[None, :]), 0.0)
    return float(np.sum(q * np.trapz(integrand, y, axis=1)))


@pytest.mark.parametrize("snr", [-5.0, 0.0, 10.0, 20.0])
def test_uniform_16qam_matches_independent_integration(snr):
    # square 16-QAM, uniform: MI = 2 x MI of the 4-PAM rail; the trapezoid rule on a
    # 2e5-point grid is exact to ~1e-9 bit.  32 Gauss-Hermite nodes per rail: measured
    # error <= 2e-6 bit here (5e-5 for 64-QAM at 20 dB); 1e-4 is far inside the 0.01 bit
    # the comparisons need.
    c = C.by_name("16qam")
    s2 = 10 ** (-snr / 10)
    lev = np.unique(np.round(c.points.real, 12))
    ref = 2 * pam_mi_numeric(lev, np.full(4, 0.25), s2)
    assert ir.mi_awgn(c, esn0_db=snr) == pytest.approx(ref, abs=1e-4)


@pytest.mark.parametrize("name", ["16qam", "64qam"])
@pytest.mark.parametrize("snr", [-10.0, 0.0, 5.0, 10.0, 20.0, 30.0])
def test_gauss_hermite_converged_and_separable_path(name, snr):
    # 32 vs 128 nodes per rail: measured worst difference 5e-5 bit (64-QAM, 20 dB), so
    # 1e-4; the 2-D product rule and the separable per-rail path agree to rounding.
    c = C.by_name(name)
    a = ir.mi_awgn(c, esn0_db=snr, order=32)
    assert a == pytest.approx(ir.mi_awgn(c, esn0_db=snr, order=128), abs=1e-4)
    jitter = c.points + 1e-10 * np.arange(c.order)  # defeats the separable path
    assert a == pytest.approx(ir.mi_awgn(jitter, esn0_db=snr), abs=1e-6)


@pytest.mark.parametrize("snr", [0.0, 5.0, 10.0])
def test_gauss_hermite_vs_monte_carlo_nonseparable_pmf(snr):
    # Random PMF with zeros (not a product PMF: the 2-D rule).  The Monte Carlo estimate
    # with 4e5 common noise samples has a measured spread (20 seeds) of 1.5e-3 bit at
    # 2e5 samples, i.e. ~1e-3 at 4e5: 0.006 bit is > 5 sigma and inside the 0.01 bit the
    # table needs.
    c = C.by_name("16qam")
    p = random_pmf(16, 3)
    gh = ir.mi_awgn(c, p, esn0_db=snr)
    mc = ir.mi_awgn(c, p, esn0_db=snr, method="mc", n_mc=400_000, seed=11)
    assert gh == pytest.approx(mc, abs=0.006)


def test_zero_probability_points_no_nan_and_reduce_to_subset():
    # 16-QAM with only the 4 inner points used is QPSK after rescaling to unit power.
    c = C.by_name("16qam")
    e = np.abs(c.points) ** 2
    p = (e == e.min()).astype(float)
    q = C.by_name("qpsk")
    for snr in (-10.0, 0.0, 10.0, 30.0):
        a = ir.mi_awgn(c, p, esn0_db=snr)
        assert np.isfinite(a)
        assert a == pytest.approx(ir.mi_awgn(q, esn0_db=snr), abs=1e-9)
        assert ir.mi_awgn(c, p, esn0_db=snr, method="mc", n_mc=20000) == pytest.approx(
            ir.mi_awgn(q, esn0_db=snr, method="mc", n_mc=20000), abs=1e-9
        )
    # one point only: zero information, no NaN
    one = np.zeros(16)
    one[5] = 1.0
    assert ir.mi_awgn(c, one, esn0_db=10.0) == pytest.approx(0.0, abs=1e-12)


def test_bounds_capacity_entropy():
    # I(X;Y) <= min(H(X), log2(1 + Es/N0)) for any unit-power input; high SNR -> H(X).
    for name in ("qpsk", "16qam", "64qam"):
        c = C.by_name(name)
        for seed in range(3):
            p = random_pmf(c.order, seed, zeros=1)
            h = ir.entropy_bits(p)
            for snr in (-10.0, 0.0, 10.0, 20.0):
                mi = ir.mi_awgn(c, p, esn0_db=snr)
                assert -1e-9 <= mi <= min(h, ir.capacity_awgn(snr)) + 1e-9
    assert ir.mi_awgn(C.by_name("qpsk"), esn0_db=40.0) == pytest.approx(2.0, abs=1e-9)


def test_entropy_and_unit_power():
    assert ir.entropy_bits(np.full(64, 1 / 64)) == pytest.approx(6.0)
    assert ir.entropy_bits([0.5, 0.5, 0.0]) == pytest.approx(1.0)
    c = C.by_name("64qam")
    p = random_pmf(64, 1)
    pts = ir.unit_power(c.points, p)
    assert np.sum(p * np.abs(pts) ** 2) == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError):
        ir.mi_awgn(c, np.ones(3), esn0_db=0.0)
    with pytest.raises(ValueError):
        ir.mi_awgn(c, None)


def awgn_samples(points, p, n, snr, seed):
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(points), n, p=p)
    x = ir.unit_power(points, p)[idx]
    s2 = 10 ** (-snr / 10)
    y = x + np.sqrt(s2 / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    return idx, y, s2


@pytest.mark.parametrize("aux", ["awgn", "gaussian", "per_point"])
def test_mi_samples_awgn_matches_theory(aux):
    # In AWGN the auxiliary channel is (asymptotically) exact, so the estimate is the MI;
    # with 2e5 samples the Monte Carlo spread is ~2e-3 bit (per-sample std <~ 1 bit):
    # 0.01 bit is 5 sigma.
    c = C.by_name("16qam")
    p = random_pmf(16, 7)
    for snr in (0.0, 10.0):
        idx, y, s2 = awgn_samples(c.points, p, 200_000, snr, seed=int(snr) + 1)
        est = ir.mi_samples(idx, y, c.points, p, aux=aux, sigma2=s2)
        assert est == pytest.approx(ir.mi_awgn(c, p, esn0_db=snr), abs=0.01)


def test_mi_samples_stderr():
    """stderr=True returns the same rate and its Monte Carlo standard error: over 20
    independent runs the rates spread by that error (the ratio of the observed spread to the
    mean reported error is within 0.6 .. 1.5: 20 runs give the spread to ~16 %, 3 sigma)."""
    c = C.by_name("16qam")
    p = random_pmf(16, 3)
    rates, errs = [], []
    for seed in range(20):
        idx, y, s2 = awgn_samples(c.points, p, 4000, 6.0, seed=100 + seed)
        mi, se = ir.mi_samples(idx, y, c.points, p, aux="awgn", sigma2=s2, stderr=True)
        assert mi == ir.mi_samples(idx, y, c.points, p, aux="awgn", sigma2=s2)
        rates.append(mi)
        errs.append(se)
    ratio = np.std(rates, ddof=1) / np.mean(errs)
    assert 0.6 < ratio < 1.5, ratio


def test_mi_samples_is_lower_bound_under_impairment():
    # A memoryless compression (Rapp-like AM/AM) + AWGN: per-point Gaussian fit is a
    # better auxiliary channel than one gain + noise, and both stay below the MI of the
    # same points sent without compression (data processing can only lose information).
    c = C.by_name("64qam")
    p = np.full(64, 1 / 64)
    idx, _, s2 = awgn_samples(c.points, p, 200_000, 20.0, seed=5)
    x = c.points[idx]
    a = np.abs(x)
    comp = x / (1 + (a / 1.1) ** 6) ** (1 / 6)
    rng = np.random.default_rng(6)
    y = comp + np.sqrt(s2 / 2) * (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))
    g = ir.mi_samples(idx, y, c.points, p, aux="gaussian")
    pp = ir.mi_samples(idx, y, c.points, p, aux="per_point")
    assert pp > g + 0.05
    assert pp < ir.mi_awgn(c, esn0_db=20.0) + 0.01


def test_mi_samples_zero_probability_and_validation():
    c = C.by_name("16qam")
    p = random_pmf(16, 2, zeros=4)
    idx, y, s2 = awgn_samples(c.points, p, 20000, 5.0, seed=9)
    v = ir.mi_samples(idx, y, c.points, p, aux="per_point")
    assert np.isfinite(v)
    bad = idx.copy()
    bad[0] = 0  # a point of probability 0
    with pytest.raises(ValueError):
        ir.mi_samples(bad, y, c.points, p)
    with pytest.raises(ValueError):
        ir.mi_samples(idx, y, c.points, p, aux="awgn")  # needs sigma2
    y2 = y.copy()
    y2[:10] = np.nan  # non-finite samples are skipped
    assert np.isfinite(ir.mi_samples(idx, y2, c.points, p))


def test_hard_decision_mi_exact_vs_monte_carlo():
    # Exact per-rail erfc path vs the Monte Carlo path (jittered points defeat the grid
    # detection): 25k samples per point give a plug-in spread/bias of ~2e-3 bit for
    # 16-QAM (measured), so 0.01.  Hard decisions lose information: <= soft MI.
    c = C.by_name("16qam")
    p = random_pmf(16, 4, zeros=2)
    for snr in (-5.0, 5.0, 15.0):
        h = ir.mi_hard_decision(c, p, esn0_db=snr)
        mc = ir.mi_hard_decision(
            c.points + 1e-9 * np.arange(16), p, esn0_db=snr, n_mc=400_000, seed=2
        )
        assert h == pytest.approx(mc, abs=0.01)
        assert 0 <= h <= ir.mi_awgn(c, p, esn0_db=snr) + 1e-9
    assert ir.mi_hard_decision(C.by_name("qpsk"), esn0_db=40.0) == pytest.approx(2.0, abs=1e-9)
