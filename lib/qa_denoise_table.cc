/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// C++ QA of the table engine (lib/denoise_table.h) on analytic maps: exactness on
// biquadratics, the interpolation error bound on the exact 16-QAM MMSE map, misses
// (outside the grid, NaN, levels not built yet), the background builder and the memory
// bound. The engine on the shipped models: qa_ddpm_engine.cc, tests/test_table_engine.py.

#include "denoise_table.h"
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cmath>
#include <random>
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

// schedule: sigma2 of step t, log-uniform from 45 dB to -30 dB Es/N0 (the shipped 'wide')
std::vector<double> wide_sigma2(int T = 100)
{
    std::vector<double> s(T);
    for (int t = 1; t <= T; t++)
        s[t - 1] = std::pow(10.0, -(45.0 - 75.0 * (t - 1) / (T - 1)) / 10.0);
    return s;
}

// exact MMSE of one 4-PAM rail (levels +-1, +-3 over sqrt 10) at rail variance v
double pam4_mmse(double y, double v)
{
    const double a[4] = { -3 / std::sqrt(10.0),
                          -1 / std::sqrt(10.0),
                          1 / std::sqrt(10.0),
                          3 / std::sqrt(10.0) };
    double lmax = -INFINITY, l[4];
    for (int k = 0; k < 4; k++) {
        l[k] = -(y - a[k]) * (y - a[k]) / (2 * v);
        lmax = std::max(lmax, l[k]);
    }
    double num = 0, den = 0;
    for (int k = 0; k < 4; k++) {
        const double w = std::exp(l[k] - lmax);
        num += w * a[k];
        den += w;
    }
    return num / den;
}
} // namespace

BOOST_AUTO_TEST_CASE(t_table_exact_on_biquadratic)
{
    // Catmull-Rom reproduces quadratics, so a map quadratic in I and in Q is interpolated
    // exactly up to float32 rounding of the grid and weights (values ~10: 1e-4 margin).
    const auto s2 = wide_sigma2();
    auto fn = [](const gr_complex* y, int n, const denoise_table::key&, gr_complex* out) {
        for (int i = 0; i < n; i++) {
            const float a = y[i].real(), b = y[i].imag();
            out[i] = gr_complex(1 + a - 2 * a * a + 3 * a * b * b, b * b - a * b + 0.5f);
        }
    };
    denoise_table::options o;
    o.grid = 64;
    o.background = false;
    o.jump = 1e9; // steep but smooth: no cell is a jump
    denoise_table tab(qam16(), s2, fn, o);
    std::mt19937 rng(20261207);
    std::uniform_real_distribution<float> u(-1.2f, 1.2f);
    const int n = 10000;
    std::vector<gr_complex> y(n), out(n), ref(n);
    std::vector<int> t(n, 40), miss(n);
    for (auto& v : y)
        v = gr_complex(u(rng), u(rng));
    const int nm = tab.lookup(y.data(), t.data(), n, 0, 1, out.data(), miss.data());
    BOOST_CHECK_EQUAL(nm, 0); // t = 40 is 14.8 dB: the grid spans +-1.2 with 5 sigma
    fn(y.data(), n, denoise_table::key{}, ref.data());
    double worst = 0;
    for (int i = 0; i < n; i++)
        worst = std::max(worst, double(std::abs(out[i] - ref[i])));
    BOOST_CHECK_LT(worst, 1e-4);
    BOOST_CHECK_EQUAL(tab.levels(), 1);
    BOOST_CHECK_EQUAL(tab.builds(), 1u);
}

BOOST_AUTO_TEST_CASE(t_table_error_within_bound_on_mmse_map)
{
    // The exact 16-QAM MMSE map at Es/N0 0, 10, 20 dB (its transitions are sigma^2 / d
    // wide). Check the measured max error against the bilinear bound h^2 max|f''| / 8
    // (Catmull-Rom, O(h^3) on smooth maps, must do no worse), f'' measured by finite
    // differences on a 4x finer line, and the MSE within 0.01 dB of the map's.
    const auto s2 = wide_sigma2();
    for (int t : { 61, 48, 35 }) {      // steps matched to ~0, ~10, ~20 dB
        const double v = s2[t - 1] / 2; // per rail
        auto fn =
            [v](const gr_complex* y, int n, const denoise_table::key&, gr_complex* out) {
                for (int i = 0; i < n; i++)
                    out[i] = gr_complex(float(pam4_mmse(y[i].real(), v)),
                                        float(pam4_mmse(y[i].imag(), v)));
            };
        denoise_table::options o;
        o.background = false;
        o.jump = 1e9; // the interpolation error itself (jumps: t_table_jumps_are_misses)
        denoise_table tab(qam16(), s2, fn, o);
        const double h = tab.spacing(t).first;
        double d2 = 0;
        const double hf = h / 4;
        for (double y = -2.5; y < 2.5; y += hf)
            d2 = std::max(d2,
                          std::abs(pam4_mmse(y + hf, v) - 2 * pam4_mmse(y, v) +
                                   pam4_mmse(y - hf, v)) /
                              (hf * hf));
        const double bound = h * h * d2 / 8 + 1e-6; // + float32 rounding of the map
        std::mt19937 rng(7 + t);
        std::normal_distribution<double> g(0.0, std::sqrt(v));
        const auto pts = qam16();
        const int n = 200000;
        std::vector<gr_complex> x(n), y(n), out(n), ref(n);
        std::vector<int> tt(n, t), miss(n);
        for (int i = 0; i < n; i++) {
            x[i] = pts[i % 16];
            y[i] = x[i] + gr_complex(float(g(rng)), float(g(rng)));
        }
        const int nm = tab.lookup(y.data(), tt.data(), n, 0, 1, out.data(), miss.data());
        // misses (beyond 5 sigma of the outer points) keep the map: P ~ 1e-12 per rail
        BOOST_CHECK_LE(nm, 2);
        fn(y.data(), n, denoise_table::key{}, ref.data());
        for (int k = 0; k < nm; k++)
            out[miss[k]] = ref[miss[k]];
        double worst = 0, e_tab = 0, e_ref = 0;
        for (int i = 0; i < n; i++) {
            worst = std::max(worst, double(std::abs(out[i] - ref[i])));
            e_tab += std::norm(out[i] - x[i]);
            e_ref += std::norm(ref[i] - x[i]);
        }
        BOOST_TEST_MESSAGE("t " << t << " h " << h << " max|f''| " << d2 << " bound "
                                << bound << " measured " << worst);
        BOOST_CHECK_LE(worst, bound);
        BOOST_CHECK_SMALL(10 * std::log10(e_tab / e_ref), 0.01);
    }
}

BOOST_AUTO_TEST_CASE(t_table_misses_and_background_builds)
{
    const auto s2 = wide_sigma2();
    auto fn =
        [](const gr_complex* y, int n, const denoise_table::key& k, gr_complex* out) {
            for (int i = 0; i < n; i++)
                out[i] = y[i] * float(k.t);
        };
    denoise_table::options o;
    o.grid = 32;
    o.jump = 1e9;
    denoise_table tab(qam16(), s2, fn, o); // background builder
    const int n = 6;
    const float nan = std::nanf("");
    std::vector<gr_complex> y = { { 0.1f, 0.2f },  { 50.0f, 0.0f },    { nan, 0.0f },
                                  { 0.3f, -0.3f }, { 0.0f, INFINITY }, { -0.5f, 0.5f } };
    std::vector<int> t = { 40, 40, 40, 41, 40, 40 }, miss(n);
    std::vector<gr_complex> out(n, gr_complex(-7, -7));
    // nothing built yet: every sample is a miss, out untouched, builds requested
    BOOST_CHECK_EQUAL(tab.lookup(y.data(), t.data(), n, 0, 1, out.data(), miss.data()),
                      n);
    for (int i = 0; i < n; i++) {
        BOOST_CHECK_EQUAL(miss[i], i);
        BOOST_CHECK(out[i] == gr_complex(-7, -7));
    }
    tab.wait_idle();
    BOOST_CHECK_EQUAL(tab.levels(), 2);
    const int nm = tab.lookup(y.data(), t.data(), n, 0, 1, out.data(), miss.data());
    BOOST_REQUIRE_EQUAL(nm, 3); // beyond the grid, NaN, Inf
    BOOST_CHECK_EQUAL(miss[0], 1);
    BOOST_CHECK_EQUAL(miss[1], 2);
    BOOST_CHECK_EQUAL(miss[2], 4);
    // a linear map is reproduced exactly (to float rounding)
    BOOST_CHECK_SMALL(std::abs(out[0] - y[0] * 40.0f), 1e-4f);
    BOOST_CHECK_SMALL(std::abs(out[3] - y[3] * 41.0f), 1e-4f);
    BOOST_CHECK_SMALL(std::abs(out[5] - y[5] * 40.0f), 1e-4f);
    // another mode / step count is another table
    BOOST_CHECK_EQUAL(tab.lookup(y.data(), t.data(), 1, 1, 5, out.data(), miss.data()),
                      1);
    BOOST_CHECK_THROW(
        tab.lookup(
            y.data(), std::vector<int>{ 0 }.data(), 1, 0, 1, out.data(), miss.data()),
        std::out_of_range);
}

BOOST_AUTO_TEST_CASE(t_table_memory_bound_lru)
{
    const auto s2 = wide_sigma2();
    auto fn = [](const gr_complex* y, int n, const denoise_table::key&, gr_complex* out) {
        std::copy(y, y + n, out);
    };
    denoise_table::options o;
    o.grid = 64;
    o.background = false;
    o.max_bytes = 3 * size_t(64) * 64 * (sizeof(gr_complex) + 1) + 100; // three levels
    denoise_table tab(qam16(), s2, fn, o);
    gr_complex y(0.1f, 0.1f), out;
    int miss;
    for (int t : { 10, 20, 30, 10, 40, 50 }) {
        BOOST_CHECK_EQUAL(tab.lookup(&y, &t, 1, 0, 1, &out, &miss), 0);
        BOOST_CHECK_LE(tab.bytes(), o.max_bytes);
    }
    BOOST_CHECK_EQUAL(tab.levels(), 3);
    // 10 was used after 20 and 30: 20, 30 went first (LRU), so 10 is still cached
    const auto builds = tab.builds();
    int t10 = 10;
    BOOST_CHECK_EQUAL(tab.lookup(&y, &t10, 1, 0, 1, &out, &miss), 0);
    BOOST_CHECK_EQUAL(tab.builds(), builds);
}

BOOST_AUTO_TEST_CASE(t_table_jumps_are_misses)
{
    // A map with a jump along I = 0.05 (ddim at low SNR has such basin boundaries): the
    // cells across it are misses (the network runs them), every other sample is exact.
    const auto s2 = wide_sigma2();
    auto fn = [](const gr_complex* y, int n, const denoise_table::key&, gr_complex* out) {
        for (int i = 0; i < n; i++)
            out[i] = gr_complex(y[i].real() < 0.05f ? -0.3f : 0.3f, 0.1f);
    };
    denoise_table::options o;
    o.grid = 128;
    o.background = false;
    o.refine = 0; // rough cells to the network (refinement: t_table_jumps_refined)
    denoise_table tab(qam16(), s2, fn, o);
    const int t = 40;
    const double h = tab.spacing(t).first;
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const int n = 20000;
    std::vector<gr_complex> y(n), out(n);
    std::vector<int> tt(n, t), miss(n);
    for (auto& v : y)
        v = gr_complex(u(rng), u(rng));
    const int nm = tab.lookup(y.data(), tt.data(), n, 0, 1, out.data(), miss.data());
    std::vector<char> is_miss(n, 0);
    for (int k = 0; k < nm; k++) {
        is_miss[miss[k]] = 1;
        // only samples whose 4 x 4 stencil straddles the jump
        BOOST_CHECK_LT(std::abs(y[miss[k]].real() - 0.05), 3 * h);
    }
    for (int i = 0; i < n; i++)
        if (!is_miss[i])
            BOOST_REQUIRE_SMALL(
                std::abs(out[i] - gr_complex(y[i].real() < 0.05f ? -0.3f : 0.3f, 0.1f)),
                1e-5f);
    // the band is 3-4 cells wide, holding ~h / 2 of the uniform samples on [-1, 1] per cell
    BOOST_CHECK_GT(nm, 0);
    BOOST_CHECK_LT(double(nm) / n, 2.5 * h);
    BOOST_CHECK_GT(tab.rough_fraction({ 0, 1, t }), 0.0);
}

BOOST_AUTO_TEST_CASE(t_table_jumps_refined)
{
    // A jump along I = 0.05 on a quadratic: rough cells are refined 8 x 8 (bilinear), so
    // only samples in a sub-cell across the jump are misses (a band of ~1-2 sub-cells,
    // 1/8 of a cell), and every other sample is within the bilinear bound
    // h_sub^2 / 8 (|f_II| + |f_QQ|) of the map (Catmull-Rom reproduces the quadratic).
    const auto s2 = wide_sigma2();
    auto fn = [](const gr_complex* y, int n, const denoise_table::key&, gr_complex* out) {
        for (int i = 0; i < n; i++) {
            const float a = y[i].real(), b = y[i].imag();
            out[i] = gr_complex((a < 0.05f ? -0.3f : 0.3f) + 0.5f * a * a, 0.5f * b * b);
        }
    };
    denoise_table::options o;
    o.grid = 128;
    o.background = false;
    o.refine = 8;
    denoise_table tab(qam16(), s2, fn, o);
    const int t = 40;
    const double h = tab.spacing(t).first, hq = tab.spacing(t).second;
    const double hs = std::max(h, hq) / o.refine;
    std::mt19937 rng(12);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const int n = 40000;
    std::vector<gr_complex> y(n), out(n), ref(n);
    std::vector<int> tt(n, t), miss(n);
    for (auto& v : y)
        v = gr_complex(u(rng), u(rng));
    const int nm = tab.lookup(y.data(), tt.data(), n, 0, 1, out.data(), miss.data());
    fn(y.data(), n, denoise_table::key{}, ref.data());
    std::vector<char> is_miss(n, 0);
    for (int k = 0; k < nm; k++) {
        is_miss[miss[k]] = 1;
        // only samples in a sub-cell that straddles the jump
        BOOST_CHECK_LT(std::abs(y[miss[k]].real() - 0.05), 1.01 * hs);
    }
    const double bound = hs * hs / 8 * 2 + 1e-5; // + float32 rounding (values < 1)
    double worst = 0;
    for (int i = 0; i < n; i++)
        if (!is_miss[i])
            worst = std::max(worst, double(std::abs(out[i] - ref[i])));
    BOOST_TEST_MESSAGE("refined: h " << h << " misses " << nm << "/" << n << " worst "
                                     << worst << " bound " << bound);
    BOOST_CHECK_LE(worst, bound);
    // the miss band is 1 sub-cell (2 where the jump sits on a sub-grid node) wide, each
    // holding ~h_sub / 2 of the uniform samples on [-1, 1]
    BOOST_CHECK_GT(nm, 0);
    BOOST_CHECK_LT(double(nm) / n, 1.5 * hs);
    const denoise_table::key k{ 0, 1, t };
    BOOST_CHECK_GT(tab.rough_subcell_fraction(k), 0.0);
    BOOST_CHECK_LT(tab.rough_subcell_fraction(k), 0.25); // 1-2 of 8 sub-columns
    BOOST_CHECK_GT(tab.level_bytes(k), tab.level_bytes());
    BOOST_CHECK_EQUAL(tab.bytes(), tab.level_bytes(k));
    // a memory limit without room for the refinement keeps the coarse level
    o.max_bytes = tab.level_bytes() + 16;
    denoise_table coarse(qam16(), s2, fn, o);
    const int nc = coarse.lookup(y.data(), tt.data(), n, 0, 1, out.data(), miss.data());
    BOOST_CHECK_GT(nc, 4 * nm);
    BOOST_CHECK_EQUAL(coarse.rough_subcell_fraction(k), -1.0);
    BOOST_CHECK_LE(coarse.bytes(), o.max_bytes);
    // room for the refined level alone: refined while alone; a refinement never evicts
    // another step, so the next step stays coarse beside it
    o.max_bytes = tab.level_bytes(k) + tab.level_bytes() + 16;
    denoise_table two(qam16(), s2, fn, o);
    std::vector<int> t41(n, 41);
    two.lookup(y.data(), tt.data(), n, 0, 1, out.data(), miss.data());
    BOOST_CHECK_GT(two.rough_subcell_fraction(k), 0.0);
    two.lookup(y.data(), t41.data(), n, 0, 1, out.data(), miss.data());
    BOOST_CHECK_EQUAL(two.levels(), 2);
    BOOST_CHECK_GT(two.rough_subcell_fraction(k), 0.0);
    BOOST_CHECK_EQUAL(two.rough_subcell_fraction({ 0, 1, 41 }), -1.0);
    BOOST_CHECK_LE(two.bytes(), o.max_bytes);
}

BOOST_AUTO_TEST_CASE(t_table_bad_options)
{
    const auto s2 = wide_sigma2();
    auto fn = [](const gr_complex*, int, const denoise_table::key&, gr_complex*) {};
    denoise_table::options o;
    o.grid = 4;
    BOOST_CHECK_THROW(denoise_table(qam16(), s2, fn, o), std::invalid_argument);
    o.grid = 512;
    o.max_bytes = 1 << 20; // one 512 x 512 level is 2 MiB
    BOOST_CHECK_THROW(denoise_table(qam16(), s2, fn, o), std::invalid_argument);
    o.max_bytes = 16 << 20;
    BOOST_CHECK_THROW(denoise_table({}, s2, fn, o), std::invalid_argument);
    o.refine = -1;
    BOOST_CHECK_THROW(denoise_table(qam16(), s2, fn, o), std::invalid_argument);
}
