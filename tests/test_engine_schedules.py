"""Engine: noise schedules and the sigma^2 -> matched-step map."""

import numpy as np
import pytest
from gnuradio.diffusion.core import schedules
from gnuradio.diffusion.core.schedules import Schedule, make_schedule, sigmoid_schedule


def test_paper_schedule_values():
    s = sigmoid_schedule()
    assert s.name == "paper" and s.T == 100
    assert s.alphas.dtype == np.float64 and s.alphas.shape == (100,)
    # published: alpha sigmoid-interpolated from ~0.99999 (t=1) to ~0.99 (t=T)
    assert 0.99995 < s.alphas[0] < 1.0
    assert abs(s.alphas[-1] - 0.99) < 5e-5
    assert np.all(np.diff(s.alphas) < 0)
    np.testing.assert_allclose(s.betas, 1 - s.alphas, rtol=0, atol=0)
    np.testing.assert_allclose(s.abar, np.cumprod(s.alphas), rtol=1e-15)
    assert 0.55 < s.abar[-1] < 0.65  # abar_T ~ 0.6
    # ... so it cannot represent Es/N0 below ~ +2 dB
    assert 1.5 < s.snr_db[-1] < 2.5


@pytest.mark.parametrize("name", ["wide", "cosine"])
def test_wide_schedules_reach_pure_noise(name):
    s = make_schedule(name)
    assert s.T == 100
    assert s.abar[-1] <= 1e-3
    assert np.all(np.diff(s.abar) < 0) and np.all(s.alphas > 0) and np.all(s.alphas <= 1)


def test_wide_schedule_is_uniform_in_db():
    s = make_schedule("wide")
    d = np.diff(s.snr_db)
    np.testing.assert_allclose(d, d[0], rtol=1e-9)
    assert s.snr_db[0] >= 40 and s.snr_db[-1] <= -29.9


def test_unknown_schedule():
    with pytest.raises(ValueError, match="unknown schedule"):
        make_schedule("nope")


def test_abar_at_and_sigma2():
    s = make_schedule("paper")
    assert s.abar_at(0) == 1.0
    assert s.abar_at(1) == s.abar[0] and s.abar_at(100) == s.abar[-1]
    np.testing.assert_allclose(s.sigma2, (1 - s.abar) / s.abar)


@pytest.mark.parametrize("name", ["paper", "wide", "cosine"])
def test_matched_step_on_grid(name):
    s = make_schedule(name)
    t, cl = s.matched_step(s.sigma2)
    np.testing.assert_array_equal(t, np.arange(1, s.T + 1))
    assert not cl.any()
    # the defining relation: abar(t*) = 1 / (1 + sigma2)
    np.testing.assert_allclose(s.abar[t - 1], 1 / (1 + s.sigma2), rtol=1e-12)


def test_matched_step_nearest_in_db_and_scalar():
    s = make_schedule("wide")
    lo, hi = s.sigma2[40], s.sigma2[41]  # steps 41, 42
    mid = np.sqrt(lo * hi)  # geometric midpoint
    assert s.matched_step(mid * 0.999) == (41, False)
    assert s.matched_step(mid * 1.001) == (42, False)
    t, cl = s.matched_step(0.1)
    assert isinstance(t, int) and isinstance(cl, bool)
    assert abs(s.snr_db[t - 1] - 10.0) <= 0.5 * abs(s.snr_db[1] - s.snr_db[0]) + 1e-9
    ts, _ = s.matched_step(np.logspace(-4, 2, 200))  # monotone in sigma2
    assert np.all(np.diff(ts) >= 0)


def test_matched_step_clamps_and_reports():
    s = make_schedule("paper")
    t, cl = s.matched_step(np.array([0.0, 1e-9, 0.1, 1.0, 100.0]))
    np.testing.assert_array_equal(t, [1, 1, t[2], 100, 100])
    np.testing.assert_array_equal(cl, [True, True, False, True, True])
    # Es/N0 = 0 dB (sigma2 = 1) is below what the paper schedule represents
    assert s.matched_step(1.0) == (100, True)
    assert make_schedule("wide").matched_step(1.0)[1] is False
    with pytest.raises(ValueError):
        s.matched_step(np.nan)


def test_from_alphas_validation_and_immutability():
    with pytest.raises(ValueError):
        Schedule.from_alphas("bad", [0.5, 1.5])
    s = Schedule.from_alphas("x", [0.9, 0.8])
    np.testing.assert_allclose(s.abar, [0.9, 0.72])
    with pytest.raises(ValueError):
        s.alphas[0] = 0.1
    assert set(schedules.SCHEDULES) >= {"paper", "wide", "cosine"}
