/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// C++ QA of the OFDM channel prior (lib/ofdm_channel_prior.h): GNU Radio's layout, the
// model/layout check, the noise-variance estimate (exact on a channel inside the delay
// window, unbiased on noise), the robust LMMSE against its defining equation, the
// posterior mean (power equivariance; better than LS) and the frame logic (NaN/Inf taps,
// carrier offset of the null carriers, mode off, the tap floor).

#include "ofdm_channel_prior.h"
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace gr::diffusion;

namespace {
const std::string MODEL = std::string(GR_DIFFUSION_MODELS_DIR) + "/ofdm/ofdm_mix.onnx";

// H on the active carriers of a sum of paths (delay in samples, complex gain)
std::vector<cdouble> channel(const ofdm_layout& lay,
                             const std::vector<std::pair<double, cdouble>>& paths)
{
    std::vector<cdouble> H(lay.n_active(), 0.0);
    for (int i = 0; i < lay.n_active(); i++)
        for (const auto& p : paths)
            H[i] += p.second *
                    std::polar(1.0, -2 * M_PI * lay.active[i] * p.first / lay.fft_len);
    return H;
}

cdouble cnoise(std::mt19937& g, double s2)
{
    std::normal_distribution<double> n(0.0, std::sqrt(s2 / 2));
    return cdouble(n(g), n(g));
}

bool throws_with(const std::function<void()>& f, const std::vector<std::string>& parts)
{
    try {
        f();
    } catch (const std::invalid_argument& e) {
        const std::string w = e.what();
        for (const auto& p : parts)
            if (w.find(p) == std::string::npos) {
                BOOST_TEST_MESSAGE("message lacks '" << p << "': " << w);
                return false;
            }
        return true;
    }
    return false;
}
} // namespace

BOOST_AUTO_TEST_CASE(t_layout_is_gnuradios)
{
    const auto lay = ofdm_layout::gnuradio_default();
    BOOST_REQUIRE_EQUAL(lay.n_active(), 52);
    BOOST_CHECK_EQUAL(lay.null_pos.size(), 12u);
    BOOST_CHECK_EQUAL(lay.active.front(), -26);
    BOOST_CHECK_EQUAL(lay.active_pos.front(), 6); // (-26 + 32) % 64
    BOOST_CHECK_EQUAL(lay.active_pos[26], 33);    // carrier 1
    BOOST_CHECK_EQUAL(lay.null_pos[6], 32);       // DC
    BOOST_CHECK(throws_with([] { ofdm_layout(63, 16, { 1 }, {}); }, { "fft_len" }));
    BOOST_CHECK(throws_with([] { ofdm_layout(64, 64, { 1 }, {}); }, { "cp_len" }));
    BOOST_CHECK(throws_with([] { ofdm_layout(64, 16, { 1, 40 }, {}); }, { "[-32, 31]" }));
    BOOST_CHECK(throws_with([] { ofdm_layout(64, 16, { 1, 2 }, { 2 }); }, { "overlap" }));
}

BOOST_AUTO_TEST_CASE(t_model_layout_mismatch_names_both)
{
    std::vector<int> occ;
    for (int k = -50; k <= 50; k++)
        occ.push_back(k);
    BOOST_CHECK(
        throws_with([&] { ofdm_channel_prior(MODEL, ofdm_layout(128, 32, occ, {})); },
                    { "fft_len 64", "fft_len 128" }));
    std::vector<int> occ2;
    for (int k = -20; k <= 20; k++)
        occ2.push_back(k);
    BOOST_CHECK(
        throws_with([&] { ofdm_channel_prior(MODEL, ofdm_layout(64, 16, occ2, {})); },
                    { "active carriers", "52: -26, -25, ... 25, 26", "41: -20" }));
    BOOST_CHECK(throws_with(
        [&] {
            ofdm_channel_prior(std::string(GR_DIFFUSION_MODELS_DIR) + "/qpsk.onnx",
                               ofdm_layout::gnuradio_default());
        },
        { "not an OFDM channel model" }));
}

BOOST_AUTO_TEST_CASE(t_noise_variance)
{
    ofdm_channel_prior prior(MODEL, ofdm_layout::gnuradio_default());
    const auto& lay = prior.layout();
    BOOST_CHECK_EQUAL(prior.noise_dof(), 52 - 24);
    // a channel on delays -4 .. 19 and no noise: no residual at all
    const auto H =
        channel(lay, { { -3.0, { 0.8, 0.1 } }, { 7.0, { -0.3, 0.4 } }, { 19.0, 0.2 } });
    BOOST_CHECK_SMALL(prior.noise_variance(H.data(), nullptr, 0), 1e-20);
    // + noise: unbiased; 2000 frames x 28 dof (+ 12 nulls): relative std 0.4 % / 0.35 %
    std::mt19937 g(5);
    double acc = 0, acc_n = 0;
    const double s2 = 0.05;
    const int frames = 2000;
    std::vector<cdouble> y(52), nulls(12);
    for (int f = 0; f < frames; f++) {
        for (int i = 0; i < 52; i++)
            y[i] = H[i] + cnoise(g, s2);
        for (auto& v : nulls)
            v = cnoise(g, s2);
        acc += prior.noise_variance(y.data(), nullptr, 0);
        acc_n += prior.noise_variance(y.data(), nulls.data(), 12);
    }
    BOOST_CHECK_CLOSE(acc / frames, s2, 2.0); // 5 sigma
    BOOST_CHECK_CLOSE(acc_n / frames, s2, 2.0);
}

BOOST_AUTO_TEST_CASE(t_robust_lmmse_solves_its_equation)
{
    // h = R (R + s2 I)^-1 y  <=>  u = (y - h) / s2 satisfies (R + s2 I) u = y,
    // R = A A^H / L over delays -4 .. 19 (L = 24), checked in double
    ofdm_channel_prior prior(MODEL, ofdm_layout::gnuradio_default());
    const auto& lay = prior.layout();
    const int n = 52, L = 24;
    std::mt19937 g(9);
    std::vector<cdouble> y(n), h(n);
    for (auto& v : y)
        v = cnoise(g, 1.0);
    for (double s2 : { 1e-3, 0.1, 3.0 }) {
        prior.robust_lmmse(y.data(), s2, h.data());
        double err = 0, ref = 0;
        for (int i = 0; i < n; i++) {
            cdouble Ru = 0.0;
            for (int j = 0; j < n; j++) {
                cdouble r = 0.0;
                for (int d = -4; d < L - 4; d++)
                    r += std::polar(
                        1.0, -2 * M_PI * (lay.active[i] - lay.active[j]) * d / 64.0);
                Ru += r / double(L) * (y[j] - h[j]) / s2;
            }
            err += std::norm(Ru + (y[i] - h[i]) - y[i]);
            ref += std::norm(y[i]);
        }
        // double rounding through a 24 x 24 Cholesky of condition <= ~2e3: ~1e-12 rms
        BOOST_CHECK_SMALL(err / ref, 1e-16);
    }
}

BOOST_AUTO_TEST_CASE(t_posterior_mean)
{
    ofdm_channel_prior prior(MODEL, ofdm_layout::gnuradio_default());
    const auto& lay = prior.layout();
    std::mt19937 g(21);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const int frames = 64, n = 52;
    const double s2 = 0.1; // 10 dB per carrier: LS NMSE -10 dB
    std::vector<cdouble> H(frames * n), y(frames * n), out(frames * n), out2(frames * n);
    for (int f = 0; f < frames; f++) {
        // two Rayleigh paths inside the trained delays (unit power)
        const double d0 = 4 * u(g), d1 = d0 + 1 + 3 * u(g);
        const auto Hf = channel(lay, { { d0, cnoise(g, 0.7) }, { d1, cnoise(g, 0.3) } });
        for (int i = 0; i < n; i++) {
            H[f * n + i] = Hf[i];
            y[f * n + i] = Hf[i] + cnoise(g, s2);
        }
    }
    std::vector<double> s2v(frames, s2), p(frames, 1.0);
    prior.posterior_mean(y.data(), s2v.data(), p.data(), frames, out.data());
    double e_ls = 0, e_tw = 0, pw = 0;
    for (int i = 0; i < frames * n; i++) {
        e_ls += std::norm(y[i] - H[i]);
        e_tw += std::norm(out[i] - H[i]);
        pw += std::norm(H[i]);
    }
    const double ls_db = 10 * std::log10(e_ls / pw), tw_db = 10 * std::log10(e_tw / pw);
    BOOST_TEST_MESSAGE("LS " << ls_db << " dB, Tweedie " << tw_db << " dB");
    // 2 paths in 24 delays: even the projection on the delays gains 10 log10(52/24) =
    // 3.4 dB; the prior must gain more than that
    BOOST_CHECK_LT(tw_db, ls_db - 3.4);
    // power equivariance: y c, s2 c^2, power c^2 -> out c (float32 rounding)
    const double c = 37.0;
    std::vector<cdouble> yc(y);
    for (auto& v : yc)
        v *= c;
    std::vector<double> s2c(frames, s2 * c * c), pc(frames, c * c);
    prior.posterior_mean(yc.data(), s2c.data(), pc.data(), frames, out2.data());
    double d = 0;
    for (int i = 0; i < frames * n; i++)
        d = std::max(d, std::abs(out2[i] / c - out[i]));
    BOOST_CHECK_SMALL(d, 1e-5);
}

BOOST_AUTO_TEST_CASE(t_frame_logic)
{
    ofdm_channel_prior prior(MODEL, ofdm_layout::gnuradio_default());
    const auto& lay = prior.layout();
    const auto H = channel(lay, { { 2.0, { 0.9, 0.2 } }, { 5.0, { 0.1, -0.3 } } });
    std::vector<gr_complex> taps(64, 0.0f), sym(64, 100.0f);
    auto fill = [&] {
        std::fill(taps.begin(), taps.end(), gr_complex(0.0f));
        for (int i = 0; i < 52; i++)
            taps[lay.active_pos[i]] = gr_complex(H[i].real(), H[i].imag());
    };
    // noise estimate from the null carriers shifted by the carrier offset (2): the taps
    // have no residual, the shifted nulls carry power 2, the rest 1e4
    int cnt = 0;
    for (int p : lay.null_pos)
        if (p + 2 < 64) {
            sym[p + 2] = gr_complex(1.0f, 1.0f);
            cnt++;
        }
    fill();
    channel_power_tracker pw(0.05, 0.0);
    auto rep = prior.denoise_frame(taps.data(), sym.data(), 2, 0.0, pw);
    BOOST_CHECK_CLOSE(rep.sigma2, 2.0 * cnt / (28 + cnt), 1e-3);
    BOOST_CHECK_EQUAL(rep.bad_taps, 0);
    for (int p : lay.null_pos)
        BOOST_CHECK_EQUAL(taps[p], gr_complex(0.0f));
    // a given noise variance is used as is; the channel power tracked from the taps
    fill();
    channel_power_tracker pw2(0.05, 0.0);
    rep = prior.denoise_frame(taps.data(), nullptr, 0, 0.01, pw2);
    BOOST_CHECK_EQUAL(rep.sigma2, 0.01);
    double m = 0;
    for (auto v : H)
        m += std::norm(v) / 52;
    BOOST_CHECK_CLOSE(rep.power, m - 0.01, 1e-4); // percent: float32 taps
    // NaN / Inf taps: estimated from the others, nothing non-finite leaves
    fill();
    taps[lay.active_pos[3]] = gr_complex(NAN, 0.0f);
    taps[lay.active_pos[7]] = gr_complex(0.0f, INFINITY);
    taps[lay.null_pos[0]] = gr_complex(NAN, NAN);
    channel_power_tracker pw3(0.05, 0.0);
    rep = prior.denoise_frame(taps.data(), nullptr, 0, 0.0, pw3); // taps alone
    BOOST_CHECK_EQUAL(rep.bad_taps, 2);
    for (auto v : taps)
        BOOST_CHECK(std::isfinite(v.real()) && std::isfinite(v.imag()));
    // bad taps enter as the linear interpolation of their finite neighbours: the frame
    // stays close to the channel (noiseless smooth taps: NMSE below -10 dB)
    double e = 0, ph = 0;
    for (int i = 0; i < 52; i++) {
        e += std::norm(cdouble(taps[lay.active_pos[i]]) - H[i]);
        ph += std::norm(H[i]);
    }
    BOOST_CHECK_LT(e / ph, 0.1);
    // all non-finite: taps of 1
    std::fill(taps.begin(), taps.end(), gr_complex(NAN, NAN));
    rep = prior.denoise_frame(taps.data(), sym.data(), 0, 0.0, pw);
    BOOST_CHECK_EQUAL(rep.bad_taps, 52);
    for (int p : lay.active_pos)
        BOOST_CHECK_EQUAL(taps[p], gr_complex(1.0f));
    // mode off: the LS taps
    fill();
    rep =
        prior.denoise_frame(taps.data(), sym.data(), 0, 0.0, pw, ofdm_channel_prior::OFF);
    for (int i = 0; i < 52; i++)
        BOOST_CHECK_EQUAL(taps[lay.active_pos[i]], gr_complex(H[i].real(), H[i].imag()));
    // all-zero taps: no zero tap leaves (the equalizer divides by them)
    std::fill(taps.begin(), taps.end(), gr_complex(0.0f));
    rep = prior.denoise_frame(taps.data(), sym.data(), 0, 0.0, pw);
    for (int p : lay.active_pos)
        BOOST_CHECK_GT(std::abs(taps[p]), 0.0f);
}

BOOST_AUTO_TEST_CASE(t_misfit_threshold)
{
    ofdm_channel_prior prior(MODEL, ofdm_layout::gnuradio_default());
    std::vector<cdouble> y(52, 1.0), h(52, 1.0);
    h[0] = 1.0 + std::sqrt(2.0 * 52 * 0.1) * 0.99; // mean residual 0.99 x 2 sigma2
    BOOST_CHECK(!prior.misfit(y.data(), h.data(), 0.1));
    h[0] = 1.0 + std::sqrt(2.0 * 52 * 0.1) * 1.01;
    BOOST_CHECK(prior.misfit(y.data(), h.data(), 0.1));
}
