/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "label_mixture.h"
#include <onnxruntime_cxx_api.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace gr {
namespace diffusion {

namespace {
constexpr double FLOOR = 1e-12; // rail-variance floor (noiseless input, zero spread)

std::vector<double> parse_list(const std::string& text, const std::string& what)
{
    std::vector<double> out;
    std::stringstream ss(text);
    std::string tok;
    while (std::getline(ss, tok, ',')) {
        const auto b = tok.find_first_not_of(" \t\n");
        if (b == std::string::npos)
            throw std::invalid_argument(what + ": empty entry");
        char* end = nullptr;
        const double v = std::strtod(tok.c_str() + b, &end);
        if (end == tok.c_str() + b)
            throw std::invalid_argument(what + ": '" + tok + "' is not a number");
        out.push_back(v);
    }
    return out;
}

} // namespace

label_mixture::label_mixture(const std::vector<gr_complex>& centroids,
                             const std::vector<double>& spread,
                             const std::vector<int>& labels)
    : d_mu(centroids)
{
    const size_t m = d_mu.size();
    if (m < 2)
        throw std::invalid_argument("label centroids: need at least 2 points, got " +
                                    std::to_string(m));
    for (const auto& c : d_mu)
        if (!std::isfinite(c.real()) || !std::isfinite(c.imag()))
            throw std::invalid_argument("label centroids: non-finite value");
    d_crr.assign(m, 0.0);
    d_cii.assign(m, 0.0);
    d_cri.assign(m, 0.0);
    if (spread.size() == 3 * m) {
        for (size_t i = 0; i < m; i++) {
            d_crr[i] = spread[3 * i];
            d_cii[i] = spread[3 * i + 1];
            d_cri[i] = spread[3 * i + 2];
        }
    } else if (spread.size() == m) {
        for (size_t i = 0; i < m; i++)
            d_crr[i] = d_cii[i] = 0.5 * spread[i];
    } else if (!spread.empty()) {
        throw std::invalid_argument("label spread: " + std::to_string(spread.size()) +
                                    " values for " + std::to_string(m) +
                                    " labels (need " + std::to_string(m) + " or " +
                                    std::to_string(3 * m) + ")");
    }
    for (size_t i = 0; i < m; i++) {
        if (!(std::isfinite(d_crr[i]) && std::isfinite(d_cii[i]) &&
              std::isfinite(d_cri[i])) ||
            d_crr[i] < 0 || d_cii[i] < 0 ||
            d_cri[i] * d_cri[i] > d_crr[i] * d_cii[i] * (1 + 1e-9) + 1e-300)
            throw std::invalid_argument("label spread of label " + std::to_string(i) +
                                        " is not a covariance matrix");
    }
    d_k = 1;
    while ((size_t(1) << d_k) < m)
        d_k++;
    if (labels.empty()) {
        for (size_t i = 0; i < m; i++)
            d_labels.push_back(static_cast<int>(i));
    } else {
        if (labels.size() != m)
            throw std::invalid_argument("labels: " + std::to_string(labels.size()) +
                                        " entries for " + std::to_string(m) +
                                        " centroids");
        for (int l : labels)
            if (l < 0 || l >= (1 << d_k))
                throw std::invalid_argument("labels: " + std::to_string(l) +
                                            " out of range [0, " +
                                            std::to_string(1 << d_k) + ")");
        d_labels = labels;
    }
    d_lg.resize(m);
}

std::map<std::string, std::string> label_mixture::read_metadata(const std::string& path)
{
    const std::string where = "learned slicer model '" + path + "': ";
    {
        std::ifstream f(path, std::ios::binary);
        if (!f)
            throw std::invalid_argument(where + "file not found or not readable");
    }
    Ort::Env env(ORT_LOGGING_LEVEL_ERROR, "gr-diffusion-slicer");
    Ort::SessionOptions opts;
    opts.SetIntraOpNumThreads(1);
    std::unique_ptr<Ort::Session> sess;
    try {
        sess = std::make_unique<Ort::Session>(env, path.c_str(), opts);
    } catch (const Ort::Exception& e) {
        throw std::invalid_argument(where + "not a loadable ONNX model (" + e.what() +
                                    ")");
    }
    Ort::AllocatorWithDefaultOptions alloc;
    std::map<std::string, std::string> meta;
    auto md = sess->GetModelMetadata();
    for (auto& key : md.GetCustomMetadataMapKeysAllocated(alloc)) {
        auto val = md.LookupCustomMetadataMapAllocated(key.get(), alloc);
        meta[key.get()] = val ? val.get() : "";
    }
    return meta;
}

label_mixture label_mixture::from_metadata(const std::map<std::string, std::string>& meta,
                                           const std::string& where)
{
    const std::string w = "learned slicer model '" + where + "': ";
    auto it = meta.find("label_centroids");
    if (it == meta.end() || it->second.find_first_not_of(" \t\n") == std::string::npos)
        throw std::invalid_argument(w +
                                    "no label_centroids in the metadata (train on "
                                    "labelled data: --data '<chain spec>' or capture:)");
    std::vector<double> flat;
    try {
        flat = parse_list(it->second, "label_centroids");
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(w + e.what());
    }
    if (flat.size() % 2 || flat.size() < 4)
        throw std::invalid_argument(w + "label_centroids needs re,im pairs, got " +
                                    std::to_string(flat.size()) + " values");
    std::vector<gr_complex> mu;
    for (size_t i = 0; i < flat.size(); i += 2)
        mu.emplace_back(static_cast<float>(flat[i]), static_cast<float>(flat[i + 1]));
    std::vector<double> spread;
    std::vector<int> labels;
    try {
        auto s = meta.find("label_spread");
        if (s != meta.end() && s->second.find_first_not_of(" \t\n") != std::string::npos)
            spread = parse_list(s->second, "label_spread");
        auto l = meta.find("constellation_labels");
        if (l == meta.end() || l->second.find_first_not_of(" \t\n") == std::string::npos)
            throw std::invalid_argument(
                "no constellation_labels (bit labels) in the model metadata: decisions "
                "and bit LLRs need them");
        for (double v : parse_list(l->second, "constellation_labels"))
            labels.push_back(static_cast<int>(v));
        return label_mixture(mu, spread, labels);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(w + e.what());
    }
}

int label_mixture::process(gr_complex y, double sigma2, float* llr) const
{
    const int m = order();
    if (!std::isfinite(y.real()) || !std::isfinite(y.imag())) {
        std::fill(llr, llr + d_k, 0.0f);
        return -1;
    }
    const double s = 0.5 * std::max(sigma2, 0.0);
    const double yr = y.real(), yi = y.imag();
    int best = 0;
    double* lg = d_lg.data();
    for (int i = 0; i < m; i++) {
        const double a = std::max(d_crr[i] + s, FLOOR);
        const double d = std::max(d_cii[i] + s, FLOOR);
        const double c = d_cri[i];
        const double det = std::max(a * d - c * c, FLOOR * FLOOR);
        const double u = yr - d_mu[i].real(), v = yi - d_mu[i].imag();
        lg[i] =
            -0.5 * std::log(det) - 0.5 * (d * u * u - 2 * c * u * v + a * v * v) / det;
        if (lg[i] > lg[best])
            best = i;
    }
    for (int b = 0; b < d_k; b++) {
        const int shift = d_k - 1 - b;
        double m1 = -std::numeric_limits<double>::infinity(), m0 = m1;
        for (int i = 0; i < m; i++) {
            if ((d_labels[i] >> shift) & 1)
                m1 = std::max(m1, lg[i]);
            else
                m0 = std::max(m0, lg[i]);
        }
        if (d_max_log) {
            // max-log: the best point with the bit = 1 against the best with it = 0
            double L;
            if (m1 == -std::numeric_limits<double>::infinity())
                L = -std::numeric_limits<float>::max();
            else if (m0 == -std::numeric_limits<double>::infinity())
                L = std::numeric_limits<float>::max();
            else
                L = m1 - m0;
            llr[b] = static_cast<float>(L);
            continue;
        }
        double s1 = 0.0, s0 = 0.0;
        for (int i = 0; i < m; i++) {
            if ((d_labels[i] >> shift) & 1)
                s1 += std::exp(lg[i] - m1);
            else
                s0 += std::exp(lg[i] - m0);
        }
        double L;
        if (s1 == 0.0) // no label has this bit = 1 (M not a power of 2)
            L = -std::numeric_limits<float>::max();
        else if (s0 == 0.0)
            L = std::numeric_limits<float>::max();
        else
            L = (m1 + std::log(s1)) - (m0 + std::log(s0));
        llr[b] = static_cast<float>(L);
    }
    return best;
}

} // namespace diffusion
} // namespace gr
