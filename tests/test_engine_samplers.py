"""Engine: samplers against the exact MMSE reference, with a perfect (oracle) eps-network.

The oracle computes eps from the forward convention x_t = sqrt(abar) x0 + sqrt(1-abar) eps,
E|eps|^2 = 1; the reference estimator from y = x + n, E|n|^2 = sigma2 per complex sample.
Tweedie at the matched step must then reproduce E[x|y] to ~1e-6.  A per-rail / per-complex
slip (a factor 2 = 3 dB in sigma2 anywhere in the chain) breaks that by orders of magnitude,
which test_tweedie_detects_a_3db_slip demonstrates.
"""

import numpy as np
import pytest
from gnuradio.diffusion.core import constellations, reference, samplers
from gnuradio.diffusion.core.reference import OracleEpsModel, mmse_estimate
from gnuradio.diffusion.core.schedules import make_schedule


def symbols(const, n, seed):
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, const.order, n)
    return idx, const.points[idx], rng


@pytest.mark.parametrize("cname", ["qpsk", "16qam", "64qam", "8psk"])
@pytest.mark.parametrize("sched", ["wide", "paper"])
def test_oracle_tweedie_equals_exact_mmse(cname, sched):
    c = constellations.by_name(cname)
    s = make_schedule(sched)
    oracle = OracleEpsModel(c, s)
    _, x, rng = symbols(c, 4000, 1)
    # (t <= 80: below ~-15 dB |y| >> 1 and float32 rounding of the network input, ~6e-8 |y|,
    # alone exceeds 1e-6)
    for t in (3, 20, 45, 65, 80):
        s2 = s.sigma2[t - 1]  # exactly on the step grid
        y = reference.awgn(x, s2, rng)
        info = {}
        est = samplers.denoise(oracle, y, s2, "tweedie", info=info)
        assert est.dtype == np.complex64 and est.shape == y.shape
        assert info["calls"] == 1 and info["clamped"] == 0 and np.all(info["t"] == t)
        np.testing.assert_allclose(est, mmse_estimate(y, c, s2), rtol=0, atol=1e-6)


def test_oracle_tweedie_per_sample_sigma2():
    c = constellations.by_name("16qam")
    s = make_schedule("wide")
    oracle = OracleEpsModel(c, s)
    _, x, rng = symbols(c, 6000, 2)
    t = rng.integers(20, 80, len(x))  # Es/N0 from ~+30 to -15 dB
    s2 = s.sigma2[t - 1]
    y = reference.awgn(x, s2, rng)
    info = {}
    est = samplers.denoise(oracle, y, s2, "tweedie", info=info)
    assert info["calls"] == 1  # one batched call, per-sample t
    np.testing.assert_array_equal(info["t"], t)
    np.testing.assert_allclose(est, mmse_estimate(y, c, s2), rtol=0, atol=1e-6)


def test_tweedie_detects_a_3db_slip():
    """The equality above is sharp: E[x|y] evaluated with sigma2/2 or 2 sigma2 (the per-rail
    vs per-complex confusion) is far from the tweedie output."""
    c = constellations.by_name("16qam")
    s = make_schedule("wide")
    _, x, rng = symbols(c, 4000, 3)
    s2 = s.sigma2[45]  # ~ +10.5 dB
    y = reference.awgn(x, s2, rng)
    est = samplers.denoise(OracleEpsModel(c, s), y, s2, "tweedie")
    for wrong in (s2 / 2, 2 * s2):
        assert np.max(np.abs(est - mmse_estimate(y, c, wrong))) > 1e-2


def test_off_grid_sigma2_is_close_to_mmse():
    """Between grid points the nearest step is used: <= 0.05 dB MSE loss on the wide grid."""
    c = constellations.by_name("16qam")
    s = make_schedule("wide")
    oracle = OracleEpsModel(c, s)
    idx, x, rng = symbols(c, 40000, 4)
    for snr in (0.0, 5.0, 10.0, 15.0):
        s2 = 10 ** (-snr / 10)
        y = reference.awgn(x, s2, rng)
        est = samplers.denoise(oracle, y, s2)
        m = mmse_estimate(y, c, s2)
        assert reference.mse_db(est, x) - reference.mse_db(m, x) < 0.05


def test_forward_noise_convention():
    """Training's forward process: E|eps|^2 = 1 (1/2 per rail) and x_t/sqrt(abar) - x0 has
    complex variance (1 - abar)/abar = the schedule's sigma2, the variance matched_step uses."""
    torch = pytest.importorskip("torch")
    from gnuradio.diffusion.training import ddpm as training

    s = make_schedule("wide")
    g = torch.Generator().manual_seed(0)
    n = 100000
    eps = training.complex_eps(n, g)
    assert abs(float((eps**2).sum(1).mean()) - 1.0) < 0.01
    assert abs(float((eps[:, 0] ** 2).mean()) - 0.5) < 0.01
    sa = torch.tensor(np.sqrt(np.r_[1.0, s.abar]), dtype=torch.float64)[:, None]
    s1 = torch.tensor(np.sqrt(1 - np.r_[1.0, s.abar]), dtype=torch.float64)[:, None]
    src = training.ConstellationSource(constellations.by_name("16qam"))
    x0 = src.sample(n, g).double()
    assert abs(float((x0**2).sum(1).mean()) - 1.0) < 0.01
    t = torch.full((n,), 50, dtype=torch.int64)
    xt = training.q_sample(x0, t, eps.double(), sa, s1)
    err = xt / sa[50] - x0
    assert abs(float((err**2).sum(1).mean()) / s.sigma2[49] - 1) < 0.02


def test_ddim_one_step_is_tweedie_and_modes_are_deterministic():
    c = constellations.by_name("qpsk")
    oracle = OracleEpsModel(c, make_schedule("wide"))
    _, x, rng = symbols(c, 3000, 5)
    y = reference.awgn(x, 0.2, rng)
    tw = samplers.denoise(oracle, y, 0.2)
    np.testing.assert_array_equal(samplers.denoise(oracle, y, 0.2, "ddim", steps=1), tw)
    info = {}
    d5 = samplers.denoise(oracle, y, 0.2, "ddim", info=info)  # default k = 5
    assert info["calls"] == samplers.DEFAULT_DDIM_STEPS == 5
    np.testing.assert_array_equal(d5, samplers.denoise(oracle, y, 0.2, "ddim", steps=5))


def test_ddim_handles_fewer_steps_than_k():
    c = constellations.by_name("qpsk")
    s = make_schedule("wide")
    oracle = OracleEpsModel(c, s)
    y = np.array([0.7 + 0.7j, -0.6 + 0.8j])
    s2 = np.array([s.sigma2[1], s.sigma2[40]])  # t* = 2 and 41
    info = {}
    out = samplers.denoise(oracle, y, s2, "ddim", steps=10, info=info)
    assert np.all(np.isfinite(out)) and info["calls"] == 10


def test_posterior_is_a_posterior_sample():
    """Ancestral sampling from t* with the perfect network: reproducible with a seeded rng,
    and its MSE is ~ 2 x MMSE (a sample of p(x|y), not its mean)."""
    c = constellations.by_name("16qam")
    s = make_schedule("wide")
    oracle = OracleEpsModel(c, s, dtype=np.float32)
    _, x, rng = symbols(c, 4000, 6)
    s2 = 10 ** (-0.8)  # 8 dB
    y = reference.awgn(x, s2, rng)
    info = {}
    a = samplers.denoise(oracle, y, s2, "posterior", rng=np.random.default_rng(9), info=info)
    b = samplers.denoise(oracle, y, s2, "posterior", rng=np.random.default_rng(9))
    np.testing.assert_array_equal(a, b)
    assert info["calls"] == s.matched_step(s2)[0]
    gap = reference.mse_db(a, x) - reference.mse_db(mmse_estimate(y, c, s2), x)
    assert 1.5 < gap < 4.5, gap


def test_paper_mode_ignores_sigma2_and_runs_T_steps():
    c = constellations.by_name("qpsk")
    s = make_schedule("paper")
    oracle = OracleEpsModel(c, s, dtype=np.float32)
    _, x, rng = symbols(c, 500, 7)
    y = reference.awgn(x, 0.1, rng)
    info = {}
    a = samplers.denoise(oracle, y, 0.1, "paper", rng=np.random.default_rng(1), info=info)
    b = samplers.denoise(oracle, y, 5.0, "paper", rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert info["calls"] == s.T


def test_denoise_argument_errors_and_shapes():
    c = constellations.by_name("qpsk")
    oracle = OracleEpsModel(c, make_schedule("wide"))
    with pytest.raises(ValueError, match="unknown mode"):
        samplers.denoise(oracle, np.ones(3), 0.1, "bogus")
    with pytest.raises(ValueError, match="sigma2"):
        samplers.denoise(oracle, np.ones(3), np.ones(2) * 0.1)
    assert samplers.denoise(oracle, np.zeros(0, np.complex64), 0.1).shape == (0,)
    out = samplers.denoise(oracle, np.ones((2, 3), np.complex64), 0.1)
    assert out.shape == (2, 3) and out.dtype == np.complex64
    assert set(samplers.MODES) == {"tweedie", "ddim", "posterior", "paper"}
    info = {}
    samplers.denoise(oracle, np.ones(4), 1e-8, info=info)  # +80 dB: clamped
    assert info["clamped"] == 4


# ----------------------------------------------------------------------- reference module
def test_reference_separable_path_equals_generic():
    c = constellations.by_name("64qam")
    _, x, rng = symbols(c, 3000, 8)
    s2 = rng.uniform(0.01, 1.0, len(x))
    y = reference.awgn(x, s2, rng)
    fast = mmse_estimate(y, c, s2)  # per-rail path
    generic = mmse_estimate(y, c, s2, pmf=np.ones(c.order))  # [N, M] path
    np.testing.assert_allclose(fast, generic, rtol=0, atol=1e-12)


def test_reference_stable_at_extreme_snr_and_pmf():
    c = constellations.by_name("16qam")
    idx, x, rng = symbols(c, 2000, 9)
    y = reference.awgn(x, 1e-3, rng)
    est = mmse_estimate(y, c, 1e-9)  # absurdly small sigma2
    assert np.all(np.isfinite(est))
    np.testing.assert_allclose(est, reference.hard_decision(y, c), atol=1e-12)
    assert reference.ser(est, idx, c) == 0.0
    # a prior concentrated on one point pulls every estimate to it at low SNR
    pmf = np.full(c.order, 1e-6)
    pmf[3] = 1.0
    est = mmse_estimate(y, c, 10.0, pmf=pmf)
    assert np.max(np.abs(est - c.points[3])) < 0.05
    assert np.all(reference.map_indices(y, c, 10.0, pmf) == 3)
    with pytest.raises(ValueError):
        mmse_estimate(y, c, 0.0)
