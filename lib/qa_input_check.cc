/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// C++ QA of lib/input_check.h, the denoiser's "does the input look like the model's
// constellation" check (twin of python/diffusion/core/input_check.py).

#include "fast_rng.h"
#include "input_check.h"
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

using namespace gr::diffusion;

namespace {
const double S = 1.0 / std::sqrt(2.0);
std::vector<gr_complex> qpsk() { return { { S, S }, { -S, S }, { -S, -S }, { S, -S } }; }
std::vector<gr_complex> qam16()
{
    std::vector<gr_complex> p;
    for (int i = -3; i <= 3; i += 2)
        for (int q = -3; q <= 3; q += 2)
            p.emplace_back(i / std::sqrt(10.0), q / std::sqrt(10.0));
    return p;
}
// n symbols of pts rotated by deg, scaled by gain, plus noise of variance s2
std::vector<gr_complex> received(const std::vector<gr_complex>& pts,
                                 double deg,
                                 double s2,
                                 uint64_t seed,
                                 double gain = 1.0,
                                 int n = 1024)
{
    fast_rng rng(seed);
    const gr_complex w(std::polar(gain, deg * M_PI / 180.0));
    std::vector<gr_complex> y(n);
    for (int i = 0; i < n; i++)
        y[i] = pts[rng.next_u64() % pts.size()] * w + rng.complex_gaussian(s2);
    return y;
}
input_check_result
run(const std::vector<gr_complex>& pts, const std::vector<gr_complex>& y, double s2)
{
    input_checker c(pts, static_cast<int>(y.size()));
    BOOST_REQUIRE(c.feed(y.data(), nullptr, s2, static_cast<int>(y.size())));
    BOOST_REQUIRE(c.done());
    return c.result();
}
} // namespace

BOOST_AUTO_TEST_CASE(t_input_check_rotated_qpsk_flagged)
{
    // QPSK on the axes (turned 45 degrees from the model's points): measured fit ratio
    // 1.9-2.1 at 5 dB, > 5 at 10 dB (threshold 1.5)
    for (double esn0 : { 5.0, 10.0, 15.0, 20.0 }) {
        const double s2 = std::pow(10.0, -esn0 / 10.0);
        for (uint64_t seed : { 1, 2, 3 }) {
            const auto r = run(qpsk(), received(qpsk(), 45.0, s2, seed), s2);
            BOOST_TEST_INFO("Es/N0 " << esn0 << " dB, seed " << seed);
            BOOST_CHECK(r.rotated);
            BOOST_CHECK_CLOSE(r.rotation_deg, 45.0, 1e-9);
            BOOST_CHECK(!r.power_off);
            const auto msg = input_checker::messages(r, input_checker::describe(qpsk()));
            BOOST_REQUIRE_EQUAL(msg.size(), 1u);
            BOOST_CHECK(msg[0].find("Rotate the input by 45 degrees") !=
                        std::string::npos);
            BOOST_CHECK(msg[0].find("45, 135, 225, 315") != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(t_input_check_correct_input_not_flagged)
{
    // measured fit ratio 1.00-1.01 for a correct input at every Es/N0; power ratio within
    // +-7 % (threshold +-2 dB = x0.63..1.58)
    for (const auto& pts : { qpsk(), qam16() }) {
        for (double esn0 : { 0.0, 3.0, 5.0, 10.0, 20.0, 30.0 }) {
            const double s2 = std::pow(10.0, -esn0 / 10.0);
            for (uint64_t seed : { 4, 5, 6 }) {
                const auto r = run(pts, received(pts, 0.0, s2, seed), s2);
                BOOST_TEST_INFO("M " << pts.size() << " Es/N0 " << esn0 << " seed "
                                     << seed);
                BOOST_CHECK(!r.rotated);
                BOOST_CHECK_LT(r.fit_ratio, 1.1);
                BOOST_CHECK(!r.power_off);
                BOOST_CHECK_CLOSE(r.power_ratio, 1.0, 10.0);
                BOOST_CHECK(input_checker::messages(r, "").empty());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(t_input_check_rotated_16qam_flagged)
{
    for (double esn0 : { 10.0, 20.0 }) {
        const double s2 = std::pow(10.0, -esn0 / 10.0);
        const auto r = run(qam16(), received(qam16(), 45.0, s2, 9), s2);
        BOOST_CHECK(r.rotated);
        BOOST_CHECK_CLOSE(r.rotation_deg, 45.0, 1e-9);
    }
}

BOOST_AUTO_TEST_CASE(t_input_check_power)
{
    // amplitude x2 (power x4 = +6 dB) and x0.5 (-6 dB): flagged; the right scale at a
    // wrong sigma2 (0 dB real, 20 dB assumed: 2 / 1.01) too
    const double s2 = 0.1;
    for (double g : { 2.0, 0.5 }) {
        const auto r = run(qam16(), received(qam16(), 0.0, s2, 11, g), s2);
        BOOST_CHECK(r.power_off);
        BOOST_CHECK_CLOSE(
            r.power_ratio, (g * g + s2) / (1.0 + s2), 10.0); // noise unscaled
        const auto msg = input_checker::messages(r, "");
        BOOST_REQUIRE(!msg.empty());
        BOOST_CHECK(msg.back().find("Scale the input") != std::string::npos);
    }
    const auto r = run(qam16(), received(qam16(), 0.0, 1.0, 12), 0.01);
    BOOST_CHECK(r.power_off);
}

BOOST_AUTO_TEST_CASE(t_input_check_feeds_once)
{
    // collects 1024 finite samples over several calls, skipping NaN, then reports once
    const auto y = received(qpsk(), 45.0, 0.1, 13, 1.0, 1500);
    input_checker c(qpsk());
    std::vector<gr_complex> nan(10, gr_complex(NAN, 0.0f));
    BOOST_CHECK(!c.feed(nan.data(), nullptr, 0.1, 10));
    BOOST_CHECK_EQUAL(c.wanted(), 1024);
    BOOST_CHECK(!c.feed(y.data(), nullptr, 0.1, 1000));
    BOOST_CHECK_EQUAL(c.wanted(), 24);
    BOOST_CHECK(c.feed(y.data() + 1000, nullptr, 0.1, 500));
    BOOST_CHECK(c.result().rotated);
    BOOST_CHECK(!c.feed(y.data(), nullptr, 0.1, 500)); // once only
    BOOST_CHECK_EQUAL(input_checker::describe(qam16()),
                      "16 points, a square grid aligned with the I/Q axes");
    BOOST_CHECK_EQUAL(input_checker::describe(qpsk()),
                      "4 points at 45, 135, 225, 315 degrees");
}

BOOST_AUTO_TEST_CASE(t_paper_mode_warning_text)
{
    const auto w = paper_mode_warning(100, 1000.0, 0.1);
    BOOST_CHECK(w.find("-30.0 dB") != std::string::npos);
    BOOST_CHECK(w.find("10.0 dB") != std::string::npos);
    BOOST_CHECK(w.find("Use TWEEDIE") != std::string::npos);
}
