"""Maths of diffusion.core.metrics (reconstruction metrics): exact cases, theory, windows."""

import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python")
)
from gnuradio.diffusion.core import constellations, metrics  # noqa: E402


def all_points(name, reps=10):
    """Every point of the constellation equally often: mean |ref|^2 = 1 exactly."""
    c = constellations.by_name(name)
    return c, np.tile(c.points, reps)


def q(x):
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def square_qam_theory(c, sigma2):
    """Exact SER and BER of nearest-point decisions for square Gray QAM in AWGN
    (independent rails; per rail: P(decide level j | sent i) from Q functions)."""
    m = int(round(math.sqrt(c.order)))
    k = int(math.log2(m))
    lev = np.unique(np.round(c.points.real, 12))  # ascending rail levels
    sd = math.sqrt(sigma2 / 2.0)  # per-rail noise std
    edges = np.concatenate(([-np.inf], (lev[:-1] + lev[1:]) / 2, [np.inf]))
    gray = np.arange(m) ^ (np.arange(m) >> 1)
    ps_rail, pb_rail = 0.0, 0.0
    for i in range(m):
        for j in range(m):
            lo = (edges[j] - lev[i]) / sd
            hi = (edges[j + 1] - lev[i]) / sd
            p = q(lo) - q(hi)
            if j != i:
                ps_rail += p / m
                pb_rail += p * bin(int(gray[i] ^ gray[j])).count("1") / m
    ser = 1.0 - (1.0 - ps_rail) ** 2
    ber = pb_rail / k  # k bits per rail, same per rail
    return ser, ber


def test_identity_is_perfect():
    c, ref = all_points("16qam")
    m = metrics.reconstruction_metrics(ref, ref.copy(), c)
    assert m["n"] == ref.size and m["invalid"] == 0
    assert m["mse"] == 0.0 and m["mse_db"] == -math.inf and m["nmse_db"] == -math.inf
    assert m["evm_percent"] == 0.0
    assert m["cosine_similarity"] == 1.0 and m["cosine_similarity_abs"] == 1.0
    assert m["ser"] == 0.0 and m["ber"] == 0.0 and m["symbol_errors"] == 0
    assert m["ref_off_grid"] == 0


def test_known_offset():
    # est = ref + d: MSE = |d|^2 exactly; reference power is exactly 1 (every point 10x).
    c, ref = all_points("64qam")
    d = 0.03 - 0.04j
    m = metrics.reconstruction_metrics(ref, ref + d, c)
    assert m["mse"] == pytest.approx(abs(d) ** 2, rel=1e-12)
    assert m["nmse_db"] == pytest.approx(10 * math.log10(abs(d) ** 2), abs=1e-9)
    assert m["evm_percent"] == pytest.approx(100 * abs(d), rel=1e-12)  # 5 %
    # |d| = 0.05 is below half the 64-QAM spacing (1/sqrt(42) = 0.154): no symbol errors
    assert m["ser"] == 0.0


def test_rotation_and_scaling_cosine():
    c, ref = all_points("16qam")
    th = 0.3
    m = metrics.reconstruction_metrics(ref, ref * np.exp(1j * th), None)
    assert m["cosine_similarity"] == pytest.approx(math.cos(th), abs=1e-12)
    assert m["cosine_similarity_abs"] == pytest.approx(1.0, abs=1e-12)
    assert m["mse"] == pytest.approx(2 - 2 * math.cos(th), rel=1e-12)  # |e^{j th} - 1|^2
    m = metrics.reconstruction_metrics(ref, 0.5 * ref, None)
    assert m["cosine_similarity"] == pytest.approx(1.0, abs=1e-12)
    assert m["mse"] == pytest.approx(0.25, rel=1e-12)
    m = metrics.reconstruction_metrics(ref, -ref, None)
    assert m["cosine_similarity"] == pytest.approx(-1.0, abs=1e-12)
    assert m["cosine_similarity_abs"] == pytest.approx(1.0, abs=1e-12)


def test_neighbour_errors_cost_one_gray_bit():
    # Move every 16-QAM point one spacing to the right where it has a right neighbour:
    # 12 of 16 points change symbol, each by one bit (Gray), 4 bits per symbol.
    c = constellations.by_name("16qam")
    step = 2 / math.sqrt(10)
    ref = c.points
    est = np.where(ref.real < ref.real.max() - 1e-9, ref + step, ref)
    m = metrics.reconstruction_metrics(ref, est, c)
    assert m["symbol_errors"] == 12 and m["bit_errors"] == 12
    assert m["ser"] == 12 / 16 and m["ber"] == 12 / 64


def test_ser_ber_mse_match_awgn_theory():
    # 16-QAM and QPSK at several Es/N0 with 200k symbols: the SER/BER estimates have binomial
    # std sqrt(p(1-p)/N); 4 sigma (+1e-6) bounds them.  E|n|^2 = sigma2 and the sample mean
    # of |n|^2 (exponential, std sigma2) has std sigma2/sqrt(N): 4 sigma relative 0.9 %.
    rng = np.random.default_rng(11)
    n = 200_000
    for name in ("qpsk", "16qam", "64qam"):
        c = constellations.by_name(name)
        for esn0 in (0.0, 6.0, 12.0):
            s2 = 10 ** (-esn0 / 10)
            ref = c.points[rng.integers(0, c.order, n)]
            est = ref + math.sqrt(s2 / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
            m = metrics.reconstruction_metrics(ref, est, c)
            ser, ber = square_qam_theory(c, s2)
            assert abs(m["ser"] - ser) < 4 * math.sqrt(ser * (1 - ser) / n) + 1e-6, (name, esn0)
            # bit errors within a symbol are correlated; with B the bit errors of one
            # symbol, var(BER estimate) = var(B)/(n k^2) <= E[B^2]/(n k^2) <= ber/n
            assert abs(m["ber"] - ber) < 4 * math.sqrt(ber / n) + 1e-6, (name, esn0)
            assert m["mse"] == pytest.approx(s2, rel=4 / math.sqrt(n))
            assert m["evm_percent"] == pytest.approx(
                100 * math.sqrt(m["mse"] / np.mean(np.abs(ref) ** 2)), rel=1e-9
            )


def test_invalid_pairs_are_skipped_and_counted():
    c, ref = all_points("qpsk")
    est = ref.copy()
    est[3] = np.nan
    ref2 = ref.copy()
    ref2[7] = complex(np.inf, 0)
    m = metrics.reconstruction_metrics(ref2, est, c)
    assert m["invalid"] == 2 and m["n"] == ref.size - 2
    assert m["mse"] == 0.0 and m["ser"] == 0.0


def test_no_constellation_gives_nan_ser():
    c, ref = all_points("qpsk")
    for cons in (None, "", "none"):
        m = metrics.reconstruction_metrics(ref, ref, cons)
        assert math.isnan(m["ser"]) and math.isnan(m["ber"]) and m["mse"] == 0.0


def test_off_grid_reference_is_flagged():
    c, ref = all_points("16qam", reps=1)
    ref = ref.copy()
    ref[:3] += 0.01  # > REF_GRID_TOL: not a clean symbol any more
    m = metrics.reconstruction_metrics(ref, ref, c)
    assert m["ref_off_grid"] == 3 and m["ser"] == 0.0


def test_empty_and_length_mismatch():
    m = metrics.reconstruction_metrics(np.zeros(0, complex), np.zeros(0, complex), "qpsk")
    assert m["n"] == 0 and math.isnan(m["mse"]) and math.isnan(m["ser"])
    with pytest.raises(ValueError):
        metrics.reconstruction_metrics(np.zeros(3, complex), np.zeros(4, complex))


@pytest.mark.parametrize("window", [0, 1, 7, 1000, 5000])
def test_accumulator_cumulative_and_window_independent_of_chunking(window):
    rng = np.random.default_rng(3)
    c = constellations.by_name("16qam")
    n = 12_345
    ref = c.points[rng.integers(0, 16, n)]
    est = ref + 0.2 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    full = metrics.reconstruction_metrics(ref, est, c)
    last = metrics.reconstruction_metrics(ref[-window:], est[-window:], c) if window else None
    for chunks in ([n], [1] * 50 + [n - 50], list(rng.integers(1, 3000, 40))):
        acc = metrics.MetricsAccumulator(c, window)
        s = 0
        for k in chunks:
            acc.update(ref[s : s + k], est[s : s + k])
            s += k
            if s >= n:
                break
        if s < n:
            acc.update(ref[s:], est[s:])
        got = acc.cumulative()
        for key in ("mse", "nmse_db", "cosine_similarity", "ser", "ber"):
            assert got[key] == pytest.approx(full[key], rel=1e-10, abs=1e-12), key
        assert got["n"] == n
        if window:
            w = acc.windowed()
            assert w["n"] == window
            for key in ("mse", "evm_percent", "cosine_similarity_abs", "ser", "ber"):
                assert w[key] == pytest.approx(last[key], rel=1e-10, abs=1e-12), key
        else:
            assert acc.windowed() is None


def test_accumulator_reset():
    c, ref = all_points("qpsk")
    acc = metrics.MetricsAccumulator(c, 16)
    acc.update(ref, -ref)
    assert acc.cumulative()["ser"] == 1.0
    acc.reset()
    assert acc.cumulative()["n"] == 0 and acc.windowed()["n"] == 0
    acc.update(ref, ref)
    assert acc.cumulative()["ser"] == 0.0 and acc.windowed()["ser"] == 0.0


def test_bit_error_table_is_gray():
    # nearest neighbours of a Gray-labelled QAM differ in exactly one bit
    c = constellations.by_name("64qam")
    t = metrics.bit_error_table(c)
    d = np.abs(c.points[:, None] - c.points[None, :])
    dmin = d[d > 0].min()
    assert np.all(t[np.isclose(d, dmin)] == 1)
    assert np.all(np.diag(t) == 0)


def test_point_file_labels_are_line_numbers(tmp_path):
    # 6 points from a file: labels 0..5 need 3 bits; swapping point 0 (000) with point 5
    # (101) costs 2 bits
    f = tmp_path / "six.txt"
    f.write_text("\n".join(f"{math.cos(a)} {math.sin(a)}" for a in np.arange(6) * math.pi / 3))
    c = constellations.by_name(str(f))
    assert metrics.bits_per_label(c) == 3
    ref = c.points[[0, 1, 2]]
    est = c.points[[5, 1, 2]]
    m = metrics.reconstruction_metrics(ref, est, c)
    assert m["symbol_errors"] == 1 and m["bit_errors"] == 2 and m["ber"] == 2 / 9


def test_reference_helpers_of_the_estimator_comparison():
    """reference.empirical_mmse over the constellation's points (one sample each: the uniform
    prior) is the exact MMSE estimate; bitwise_map_bit_errors equals a direct evaluation of
    the bit posteriors; metrics.paired_metrics of an estimate against its own squared errors
    has zero excess and the MSE's standard error."""
    from gnuradio.diffusion.core import constellations, metrics, reference

    c = constellations.by_name("16qam")
    rng = np.random.default_rng(5)
    idx = rng.integers(0, 16, 3000)
    s2 = 10 ** (-8 / 10)
    y = reference.awgn(c.points[idx], s2, rng)
    np.testing.assert_allclose(
        reference.empirical_mmse(y, c.points, s2), reference.mmse_estimate(y, c, s2), atol=1e-6
    )
    like = np.exp(-(np.abs(y[:, None] - c.points[None, :]) ** 2) / s2)  # [N, M]
    bits = c.bits(np.arange(16))
    p1 = (like @ bits) / like.sum(axis=1, keepdims=True)
    direct = np.sum((p1 > 0.5) != c.bits(idx), axis=1)
    got = reference.bitwise_map_bit_errors(y, c, s2, idx)
    assert np.array_equal(got, direct) and got.sum() > 0  # 8 dB: some errors to compare
    e2 = np.abs(y - c.points[idx]) ** 2
    m = metrics.paired_metrics(c.points[idx], y, c, mmse_err2=e2, idx=idx, map_bit_errors=got)
    # the same squared errors, up to rounding (|e|^2 here, re^2 + im^2 there)
    assert abs(m["excess_mmse"]) < 1e-15 and m["excess_mmse_se"] < 1e-15
    assert m["mse_se"] == pytest.approx(np.std(e2) / np.sqrt(len(e2)))
    hard = np.sum(c.bits(c.slice(y)) != c.bits(idx), axis=1)
    assert m["ber_excess_map"] == pytest.approx(np.mean(hard - got) / 4)


def test_wilson_interval():
    from gnuradio.diffusion.core.metrics import wilson_interval

    # 0 of 10: the Wilson upper limit is z^2 / (n + z^2) = 0.2776 at z = 1.96
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and abs(hi - 1.96**2 / (10 + 1.96**2)) < 1e-12
    # symmetric in k <-> n - k, contains k / n, and (0, 1) without data
    lo, hi = wilson_interval(30, 100)
    lo2, hi2 = wilson_interval(70, 100)
    assert abs(lo - (1 - hi2)) < 1e-12 and abs(hi - (1 - lo2)) < 1e-12 and lo < 0.3 < hi
    assert wilson_interval(0, 0) == (0.0, 1.0)
