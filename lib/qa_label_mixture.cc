/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// C++ QA of the learned slicer's kernel (label_mixture): exact decisions on noiseless
// input, LLRs against a direct (non-log-domain) mixture sum, erasures, metadata errors.

#include "label_mixture.h"
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <random>
#include <vector>

using namespace gr::diffusion;

namespace {
std::vector<gr_complex> qam16(std::vector<int>& labels)
{
    // same order and Gray labels as diffusion.constellations.qam(16)
    std::vector<gr_complex> p;
    labels.clear();
    const int gray[4] = { 0, 1, 3, 2 };
    for (int i = 0; i < 4; i++)
        for (int q = 0; q < 4; q++) {
            p.emplace_back((2 * i - 3) / std::sqrt(10.0), (2 * q - 3) / std::sqrt(10.0));
            labels.push_back((gray[i] << 2) | gray[q]);
        }
    return p;
}
} // namespace

BOOST_AUTO_TEST_CASE(t_noiseless_exact_and_llr_signs)
{
    std::vector<int> lab;
    auto pts = qam16(lab);
    // compressed, rotated points with an anisotropic spread: the "hardware" version
    std::vector<gr_complex> mu;
    std::vector<double> sp;
    for (auto p : pts) {
        const float r = std::abs(p), a = std::arg(p);
        mu.push_back(std::polar(std::tanh(1.3f * r), a + 0.1f * r));
        sp.insert(sp.end(), { 1e-4, 4e-4, 1e-4 });
    }
    label_mixture mix(mu, sp, lab);
    BOOST_REQUIRE_EQUAL(mix.bits_per_symbol(), 4);
    std::vector<float> llr(4);
    for (int m = 0; m < 16; m++) {
        BOOST_CHECK_EQUAL(mix.process(mu[m], 0.0, llr.data()), m);
        for (int b = 0; b < 4; b++) {
            const bool bit = (lab[m] >> (3 - b)) & 1;
            BOOST_CHECK(bit ? llr[b] > 5.0f : llr[b] < -5.0f);
        }
    }
}

BOOST_AUTO_TEST_CASE(t_llr_matches_direct_sum)
{
    // Direct evaluation in double of log(sum_{b=1} p(y|m)) - log(sum_{b=0} p(y|m)) at
    // moderate SNR (no underflow), fresh random points: agreement to 1e-4 relative.
    std::vector<int> lab;
    auto pts = qam16(lab);
    std::vector<double> sp;
    std::mt19937 g(11);
    std::uniform_real_distribution<double> u(0.0, 0.01);
    for (int m = 0; m < 16; m++) {
        const double a = u(g), d = u(g), c = 0.5 * std::sqrt(a * d);
        sp.insert(sp.end(), { a, d, c });
    }
    label_mixture mix(pts, sp, lab);
    std::normal_distribution<double> n(0.0, 0.3);
    std::vector<float> llr(4);
    const double s2 = 0.05, s = s2 / 2;
    for (int it = 0; it < 2000; it++) {
        const gr_complex y(n(g), n(g));
        const int best = mix.process(y, s2, llr.data());
        double num[4] = { 0 }, den[4] = { 0 }, pbest = -1;
        int ibest = -1;
        for (int m = 0; m < 16; m++) {
            const double A = sp[3 * m] + s, D = sp[3 * m + 1] + s, C = sp[3 * m + 2];
            const double det = A * D - C * C;
            const double x = y.real() - pts[m].real(), z = y.imag() - pts[m].imag();
            const double p =
                std::exp(-0.5 * (D * x * x - 2 * C * x * z + A * z * z) / det) /
                std::sqrt(det);
            if (p > pbest) {
                pbest = p;
                ibest = m;
            }
            for (int b = 0; b < 4; b++)
                ((lab[m] >> (3 - b)) & 1 ? num[b] : den[b]) += p;
        }
        BOOST_CHECK_EQUAL(best, ibest);
        for (int b = 0; b < 4; b++) {
            const double ref = std::log(num[b]) - std::log(den[b]);
            BOOST_CHECK_SMALL(llr[b] - ref, 1e-4 * (1.0 + std::abs(ref)));
        }
    }
}

BOOST_AUTO_TEST_CASE(t_erasure_and_bad_arguments)
{
    std::vector<int> lab;
    auto pts = qam16(lab);
    label_mixture mix(pts, {}, lab);
    std::vector<float> llr(4, 9.0f);
    BOOST_CHECK_EQUAL(mix.process(gr_complex(NAN, 0.0f), 0.1, llr.data()), -1);
    for (float v : llr)
        BOOST_CHECK_EQUAL(v, 0.0f);
    BOOST_CHECK_THROW(label_mixture(pts, { 1.0, 2.0 }, lab), std::invalid_argument);
    BOOST_CHECK_THROW(label_mixture({ gr_complex(1, 0) }, {}, {}), std::invalid_argument);
    std::vector<double> neg(16, -1.0);
    BOOST_CHECK_THROW(label_mixture(pts, neg, lab), std::invalid_argument);
    // metadata: missing label_centroids names the file
    std::map<std::string, std::string> meta{ { "constellation", "16qam" } };
    try {
        label_mixture::from_metadata(meta, "models/x.onnx");
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        const std::string w = e.what();
        BOOST_CHECK(w.find("models/x.onnx") != std::string::npos);
        BOOST_CHECK(w.find("label_centroids") != std::string::npos);
    }
    meta["label_centroids"] = "0.1,0.2,abc,0.3";
    BOOST_CHECK_THROW(label_mixture::from_metadata(meta, "m"), std::invalid_argument);
    meta["label_centroids"] = "1,0,-1,0";
    meta["label_spread"] = "0.01,0.02";
    // bit labels are required: decisions and LLRs are meaningless without them
    BOOST_CHECK_THROW(label_mixture::from_metadata(meta, "m"), std::invalid_argument);
    meta["constellation_labels"] = "0,1";
    auto m2 = label_mixture::from_metadata(meta, "m");
    BOOST_CHECK_EQUAL(m2.order(), 2);
    BOOST_CHECK_EQUAL(m2.bits_per_symbol(), 1);
    BOOST_CHECK_THROW(label_mixture::read_metadata("/nonexistent/model.onnx"),
                      std::invalid_argument);
}
