#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""core.ofdm_carriers / ofdm_channels / ofdm_estimators (NumPy): GNU Radio's carrier layout,
the TDL channels, the estimators."""

import numpy as np
import pytest
from gnuradio.diffusion.core import ofdm_channels as ch
from gnuradio.diffusion.core import ofdm_estimators as est
from gnuradio.diffusion.core.ofdm_carriers import DEFAULT_LAYOUT as LAY
from gnuradio.diffusion.core.ofdm_carriers import OfdmLayout


def test_layout_matches_gnuradio_defaults():
    from gnuradio.digital import ofdm_txrx as tx

    occ, pil = tx._def_occupied_carriers[0], tx._def_pilot_carriers[0]
    assert LAY.fft_len == tx._def_fft_len and LAY.cp_len == tx._def_cp_len
    assert list(LAY.active) == sorted(list(occ) + list(pil)) and LAY.n_active == 52
    sw2 = np.asarray(tx._make_sync_word2(64, (occ,), (pil,)), dtype=complex)
    assert np.array_equal(LAY.sync_word2(), sw2)
    # the shifted positions carry exactly the nonzero sync-word carriers
    assert np.array_equal(np.flatnonzero(sw2), np.sort(LAY.active_pos))
    assert LAY.null_pos.size == 12 and 32 in LAY.null_pos  # DC in the middle


def test_layout_rejects_bad_carriers():
    with pytest.raises(ValueError, match="overlap"):
        OfdmLayout(64, 16, (1, 2, 3), (3,))
    with pytest.raises(ValueError, match="lie in"):
        OfdmLayout(64, 16, (1, 40), ())


def test_tap_tables_and_k_factors():
    for name in ch.PROFILE_NAMES:
        d, p, los = ch.tdl_table(name)
        assert abs(p.sum() - 1) < 1e-12 and d.min() == 0
    for name, k_db in (("D", 13.3), ("E", 22.0)):
        d, p, los = ch.tdl_table(name)
        assert los[0] and not los[1:].any() and d[1] == 0
        assert abs(10 * np.log10(p[0] / p[1]) - k_db) < 1e-9  # TR 38.901: K of tap 1
    with pytest.raises(ValueError):
        ch.tdl_table("F")


def test_ensemble_power_is_one():
    # E sum_n |h[n]|^2 = 1 per draw: the mean of 4000 draws within 4 standard errors
    rng = np.random.default_rng(5)
    for fam in ("mix", "tdlc", "los"):
        d = ch.family(fam).draw(4000, rng)
        h = ch.impulse_responses(d, rng)[:, 0, :]
        e = np.sum(np.abs(h) ** 2, axis=1)
        assert abs(e.mean() - 1) < 4 * e.std() / np.sqrt(e.size), fam


def test_covariance_matches_sample_covariance():
    # one fixed profile: the sample covariance of n draws -> covariance(); the Frobenius
    # error of a sample covariance of n Gaussian vectors is ~ ||R|| / sqrt(n) (3x margin)
    rng = np.random.default_rng(6)
    n = 20000
    H, d = ch.sample("tdlc", n, rng)
    R = ch.covariance(d.subset(slice(0, 1)))[0]
    S = H.T @ H.conj() / n
    assert np.linalg.norm(S - R) < 3 * np.linalg.norm(R) / np.sqrt(n)
    assert abs(np.trace(R).real / LAY.n_active - np.mean(np.abs(H) ** 2)) < 0.03


def test_doppler_evolution_keeps_power_and_decorrelates():
    rng = np.random.default_rng(7)
    fam = ch.ChannelFamily("fast", ("A",), 1.0, 1.0, 0, 0, doppler_max=0.0)
    d = fam.draw(3000, rng)
    d.doppler[:] = 0.05
    h = ch.impulse_responses(d, rng, n_symbols=20)
    p = np.sum(np.abs(h) ** 2, axis=2)
    assert abs(p.mean() - 1) < 0.05
    c0 = np.mean(np.sum(h[:, 0] * h[:, 0].conj(), 1)).real
    c19 = abs(np.mean(np.sum(h[:, 19] * h[:, 0].conj(), 1)))
    assert c19 < 0.6 * c0  # J0(2 pi 0.05 19) ~ 0.07: far from the static 1


def test_ls_estimate_is_chanest_division():
    sw = LAY.sync_word2()
    rng = np.random.default_rng(8)
    Y = rng.standard_normal(64) + 1j * rng.standard_normal(64)
    t = est.ls_estimate(Y, sw)
    assert np.allclose(t[sw != 0], Y[sw != 0] / sw[sw != 0]) and np.all(t[sw == 0] == 0)


def test_dft_projection_keeps_cp_channels():
    rng = np.random.default_rng(9)
    H, _ = ch.sample("mix", 50, rng)  # impulse responses live in 0 .. cp_len - 1
    dft = est.DftEstimator()
    assert np.allclose(dft(H), H, atol=1e-9)
    assert np.allclose(dft.P @ dft.P, dft.P, atol=1e-9) and dft.rank == 16


def test_lmmse_estimators_and_theory():
    # genie LMMSE on one fixed Gaussian profile: empirical MSE = tr(R - R (R + s2)^-1 R) / n
    # (relative standard error ~ 1/sqrt(frames x effective dof); 10 % margin at 3000 frames)
    rng = np.random.default_rng(10)
    H, d = ch.sample("tdlc", 3000, rng)
    R = ch.covariance(d.subset(slice(0, 1)))[0]
    s2 = 0.1
    y = ch.add_noise(H, s2, rng)
    g = est.genie_lmmse(y, s2, np.broadcast_to(R, (len(H),) + R.shape))
    mse = np.mean(np.abs(g - H) ** 2)
    theory = np.trace(R - R @ np.linalg.solve(R + s2 * np.eye(52), R)).real / 52
    assert abs(mse / theory - 1) < 0.1
    # the same estimate through LmmseEstimator with the true R
    assert np.allclose(est.LmmseEstimator(R)(y, s2), g, atol=1e-9)
    # ordering on this Gaussian family: genie <= sample-cov < robust < DFT < LS (in MSE)
    Htr, _ = ch.sample("tdlc", 20000, rng)
    sc = est.LmmseEstimator.from_samples(Htr)(y, s2)
    rob = est.LmmseEstimator.robust()(y, s2)
    dft = est.DftEstimator()(y)
    m = [np.mean(np.abs(e - H) ** 2) for e in (g, sc, rob, dft, y)]
    assert m[0] <= m[1] * 1.01 and m[1] < m[2] < m[3] < m[4]


def test_noise_variance_estimate_unbiased():
    # estimate_noise_variance: E = sigma2; 2000 frames x 36 dof -> std of the mean ~0.4 %
    rng = np.random.default_rng(11)
    H, _ = ch.sample("mix", 2000, rng)
    for s2 in (1.0, 0.01):
        y = ch.add_noise(H, s2, rng)
        nulls = (rng.standard_normal((2000, 12)) + 1j * rng.standard_normal((2000, 12))) * np.sqrt(
            s2 / 2
        )
        for e in (est.estimate_noise_variance(y), est.estimate_noise_variance(y, nulls)):
            assert abs(np.mean(e) / s2 - 1) < 0.02, s2


def test_power_tracker():
    tr = est.ChannelPowerTracker(alpha=0.25)
    assert tr.update(np.full(52, 2.0), 0.0) == pytest.approx(4.0)
    assert tr.update(np.full(52, 1.0), 0.0) == pytest.approx(2.5)  # mean of 2 frames
    assert tr.update(np.full(52, 1.0), 0.5) == pytest.approx(2.5 * 2 / 3 + 0.5 / 3)
    for _ in range(3):  # then weight alpha
        tr.update(np.full(52, 1.0), 0.0)
    p = tr.power
    assert tr.update(np.full(52, 3.0), 0.0) == pytest.approx(0.75 * p + 0.25 * 9.0)
    assert est.ChannelPowerTracker(fixed=3.0).update(np.ones(52), 0.0) == 3.0
    with pytest.raises(ValueError):
        est.ChannelPowerTracker(alpha=0)


def test_model_layout_check_names_both():
    meta = dict(LAY.metadata())
    est.check_model_layout(meta, LAY)
    with pytest.raises(ValueError, match="fft_len 64.*fft_len 128"):
        est.check_model_layout(meta, OfdmLayout(128, 32, range(-50, 51)[::2], ()))
    with pytest.raises(ValueError, match="active carriers"):
        est.check_model_layout(meta, OfdmLayout(64, 16, range(-20, 21)[::2], ()))
    with pytest.raises(ValueError, match="not an OFDM channel model"):
        est.check_model_layout({}, LAY)
