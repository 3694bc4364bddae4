/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// C++ QA of the kernels behind the C++ denoiser: the random numbers, the blind EM noise
// estimator and the onnxruntime engine with the shipped 16-QAM model.

#include "ddpm_engine.h"
#include "em_noise_estimator.h"
#include "fast_rng.h"
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

using namespace gr::diffusion;

namespace {
std::vector<gr_complex> qam16()
{
    std::vector<gr_complex> p;
    for (int i = -3; i <= 3; i += 2)
        for (int q = -3; q <= 3; q += 2)
            p.emplace_back(i / std::sqrt(10.0), q / std::sqrt(10.0));
    return p;
}
} // namespace

BOOST_AUTO_TEST_CASE(t_fast_rng_complex_gaussian_moments)
{
    // 1e6 draws: E|z|^2 = 2 has standard error 2e-3 (|z|^2 is exponential, std = mean);
    // the mean of each rail has standard error 1e-3.
    fast_rng rng(7);
    const int n = 1000000;
    double p = 0, re = 0, im = 0;
    for (int i = 0; i < n; i++) {
        const gr_complex z = rng.complex_gaussian(2.0);
        p += std::norm(z);
        re += z.real();
        im += z.imag();
    }
    BOOST_CHECK_CLOSE(p / n, 2.0, 0.5);
    BOOST_CHECK_SMALL(re / n, 5e-3);
    BOOST_CHECK_SMALL(im / n, 5e-3);
    fast_rng a(1), b(1);
    for (int i = 0; i < 100; i++)
        BOOST_REQUIRE_EQUAL(a.next_u64(), b.next_u64());
}

BOOST_AUTO_TEST_CASE(t_em_noise_estimator_within_1db)
{
    // 16-QAM, 8192 samples per Es/N0; measured max error of one window ~0.45 dB at 5 dB
    // (noise_estimation.py twin), so 1 dB bounds it with margin.
    const auto pts = qam16();
    for (double esn0 : { 0.0, 10.0, 20.0, 30.0 }) {
        const double s2 = std::pow(10.0, -esn0 / 10.0);
        fast_rng rng(3);
        std::vector<gr_complex> y(8192);
        for (auto& v : y)
            v = pts[rng.next_u64() % 16] + rng.complex_gaussian(s2);
        em_noise_estimator em(pts, em_noise_estimator::outlier_bound(pts, 1000.0), 1.0);
        em.update(y.data(), 4096);
        const double est = em.update(y.data() + 4096, 4096);
        BOOST_CHECK_SMALL(10.0 * std::log10(est / s2), 1.0);
    }
}

BOOST_AUTO_TEST_CASE(t_em_tracker_chunking_and_outliers)
{
    // The per-sample estimates are a function of the samples alone (windows on the
    // absolute index), whatever the chunks; a burst of 1e30 / NaN / Inf samples is
    // rejected (counted) and leaves the estimate where the clean stream puts it.
    const auto pts = qam16();
    const double s2 = 0.05;
    fast_rng rng(11);
    const int n = 20000;
    std::vector<gr_complex> y(n);
    for (auto& v : y)
        v = pts[rng.next_u64() % 16] + rng.complex_gaussian(s2);
    const double bound = em_noise_estimator::outlier_bound(pts, 1000.0);
    auto run = [&](const std::vector<gr_complex>& in, int chunk, uint64_t* rej) {
        em_noise_estimator em(pts, bound, 0.5);
        std::vector<double> out(in.size());
        for (size_t s = 0; s < in.size(); s += chunk) {
            const int m = static_cast<int>(std::min<size_t>(chunk, in.size() - s));
            em.track(in.data() + s, m, out.data() + s);
        }
        if (rej)
            *rej = em.rejected();
        return out;
    };
    const auto ref = run(y, n, nullptr);
    for (int chunk : { 1, 7, 1000, 4096 })
        BOOST_REQUIRE(run(y, chunk, nullptr) == ref);
    BOOST_CHECK_EQUAL(ref[0], 0.5); // initial value before a window
    BOOST_CHECK_SMALL(10.0 * std::log10(ref[n - 1] / s2), 0.5); // 19000+ samples
    auto bad = y;
    const float huge = 1e30f;
    for (int i = 5000; i < 5032; i++)
        bad[i] = (i % 3 == 0)   ? gr_complex(huge, huge)
                 : (i % 3 == 1) ? gr_complex(NAN, 0.0f)
                                : gr_complex(INFINITY, -INFINITY);
    uint64_t rej = 0;
    const auto got = run(bad, 7, &rej);
    BOOST_CHECK_EQUAL(rej, 32u);
    for (double v : got)
        BOOST_REQUIRE(std::isfinite(v) && v > 0.0);
    // 32 of ~1000 samples of one window missing: the estimate moves by far less than its
    // own window-to-window spread (~0.2 dB)
    BOOST_CHECK_SMALL(10.0 * std::log10(got[n - 1] / ref[n - 1]), 0.1);
}

BOOST_AUTO_TEST_CASE(t_engine_shipped_model)
{
    ddpm_engine eng(std::string(GR_DIFFUSION_MODELS_DIR) + "/16qam.onnx", "cpu", 1, 4096);
    BOOST_REQUIRE_EQUAL(eng.T(), 100);
    BOOST_REQUIRE_EQUAL(eng.constellation().size(), 16u);
    // matched step: abar(t) ~ 1/(1 + sigma2), nearest in dB; clamping outside the schedule
    bool clamped = true;
    const int t = eng.matched_step(0.1, &clamped);
    BOOST_CHECK(!clamped);
    const double s2t = (1.0 - eng.abar()[t - 1]) / eng.abar()[t - 1];
    BOOST_CHECK_SMALL(10.0 * std::log10(s2t / 0.1), 0.4); // half a 0.76 dB step
    eng.matched_step(1e-9, &clamped);
    BOOST_CHECK(clamped);

    // Tweedie at 15 dB on noisy 16-QAM: MSE well below the input noise (MMSE is -22.7 dB)
    const double s2 = std::pow(10.0, -1.5);
    fast_rng rng(5);
    const int n = 4096;
    std::vector<gr_complex> x(n), y(n), out(n);
    std::vector<int> steps(n, eng.matched_step(s2, &clamped));
    for (int i = 0; i < n; i++) {
        x[i] = eng.constellation()[rng.next_u64() % 16];
        y[i] = x[i] + rng.complex_gaussian(s2);
    }
    eng.denoise(y.data(), steps.data(), n, ddpm_engine::TWEEDIE, 1, rng, out.data());
    double e_in = 0, e_out = 0;
    for (int i = 0; i < n; i++) {
        e_in += std::norm(y[i] - x[i]);
        e_out += std::norm(out[i] - x[i]);
    }
    BOOST_CHECK_LT(10 * std::log10(e_out / n), 10 * std::log10(e_in / n) - 5.0);
    // DDIM with one step is Tweedie exactly
    std::vector<gr_complex> out1(n);
    eng.denoise(y.data(), steps.data(), n, ddpm_engine::DDIM, 1, rng, out1.data());
    for (int i = 0; i < n; i++)
        BOOST_REQUIRE_EQUAL(out1[i], out[i]);
}

BOOST_AUTO_TEST_CASE(t_engine_rejects_bad_files)
{
    BOOST_CHECK_THROW(ddpm_engine("/nonexistent.onnx", "cpu", 1, 16), std::invalid_argument);
    // a valid ONNX model that is not a gr-diffusion eps-network
    BOOST_CHECK_THROW(ddpm_engine(GR_DIFFUSION_TEST_MODEL, "cpu", 1, 16), std::invalid_argument);
    BOOST_CHECK_THROW(ddpm_engine(std::string(GR_DIFFUSION_MODELS_DIR) + "/16qam.onnx",
                                  "no-such-provider", 1, 16),
                      std::invalid_argument);
}
