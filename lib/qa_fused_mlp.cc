/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// C++ QA of the fused MLP kernel: the ONNX wire-format reader, graph recognition, and
// parity with onnxruntime (1e-5) for every kernel this CPU runs.

#include "fused_mlp.h"
#include <onnxruntime_cxx_api.h>
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

using namespace gr::diffusion;

namespace {
const std::string MODELS = GR_DIFFUSION_MODELS_DIR;
const std::string TEST_DATA = std::string(GR_DIFFUSION_MODELS_DIR) + "/../tests/data";

std::vector<float> ort_eps(const std::string& path,
                           const std::vector<float>& x,
                           const std::vector<int64_t>& t)
{
    static Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "qa_fused_mlp");
    Ort::SessionOptions opts;
    opts.SetIntraOpNumThreads(1);
    Ort::Session s(env, path.c_str(), opts);
    auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    const int64_t n = int64_t(t.size());
    std::array<int64_t, 2> xs = { n, 2 };
    std::array<int64_t, 1> ts = { n };
    Ort::Value in[2] = {
        Ort::Value::CreateTensor<float>(
            mem, const_cast<float*>(x.data()), x.size(), xs.data(), 2),
        Ort::Value::CreateTensor<int64_t>(
            mem, const_cast<int64_t*>(t.data()), t.size(), ts.data(), 1)
    };
    const char* in_names[] = { "x", "t" };
    const char* out_names[] = { "eps" };
    auto out = s.Run(Ort::RunOptions{ nullptr }, in_names, in, 2, out_names, 1);
    const float* e = out[0].GetTensorData<float>();
    return std::vector<float>(e, e + 2 * n);
}
} // namespace

BOOST_AUTO_TEST_CASE(t_wire_reader_shipped_model)
{
    const auto g = onnx_wire::load_model(MODELS + "/16qam.onnx");
    BOOST_CHECK_EQUAL(g.nodes.size(), 34u);
    BOOST_CHECK_EQUAL(g.initializers.size(), 11u);
    BOOST_REQUIRE(g.initializers.count("layers.1.lin.weight"));
    const auto& w = g.initializers.at("layers.1.lin.weight");
    BOOST_CHECK_EQUAL(w.dims.size(), 2u);
    BOOST_CHECK_EQUAL(w.dims[0], 128);
    BOOST_CHECK_EQUAL(w.f.size(), 128u * 128u);
    BOOST_CHECK_EQUAL(g.initializers.at("layers.0.embed.weight").dims[0], 101);
    BOOST_REQUIRE_EQUAL(g.inputs.size(), 2u);
    BOOST_CHECK_EQUAL(g.inputs[0], "x");
    BOOST_CHECK_EQUAL(g.inputs[1], "t");
    BOOST_CHECK_EQUAL(g.outputs.at(0), "eps");
    BOOST_CHECK_EQUAL(g.nodes.back().op_type, "Gemm");
    BOOST_CHECK_EQUAL(g.nodes.back().attr("transB")->i, 1);
}

BOOST_AUTO_TEST_CASE(t_wire_reader_rejects_garbage)
{
    BOOST_CHECK_THROW(onnx_wire::load_model("/nonexistent.onnx"), std::runtime_error);
    // truncated length-delimited field
    BOOST_CHECK_THROW(onnx_wire::parse_model(std::string("\x3a\x7f\x01", 3)),
                      std::runtime_error);
    // no graph at all
    BOOST_CHECK_THROW(onnx_wire::parse_model(std::string("\x08\x08", 2)),
                      std::runtime_error);
    // unterminated varint
    BOOST_CHECK_THROW(onnx_wire::parse_model(std::string("\x08\xff\xff", 3)),
                      std::runtime_error);
}

BOOST_AUTO_TEST_CASE(t_unrecognised_graphs)
{
    // not a gr-diffusion graph, a DNN receiver (no t), and the 16-QAM net with its output
    // Gemm rewritten as MatMul + Add: all refused with a reason
    for (const std::string& p : { TEST_DATA + "/affine.onnx",
                                  MODELS + "/dnn_16qam_regression.onnx",
                                  TEST_DATA + "/16qam_matmul.onnx" }) {
        BOOST_CHECK_THROW(fused_mlp f(p), fused_mlp::unrecognised);
    }
    try {
        fused_mlp f(TEST_DATA + "/16qam_matmul.onnx");
    } catch (const fused_mlp::unrecognised& e) {
        BOOST_TEST_MESSAGE("16qam_matmul: " << e.what());
        BOOST_CHECK(std::string(e.what()).find("Gemm") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(t_parity_with_onnxruntime_all_kernels)
{
    // every step t in [1, T], inputs over the range the samplers feed (|x| up to ~4) plus
    // large ones that drive the softplus into both tails; n not a multiple of the tile
    std::mt19937 gen(11);
    std::normal_distribution<float> g(0.f, 1.5f);
    for (const char* model : { "16qam", "64qam", "qpsk" }) {
        const std::string path = MODELS + "/" + model + ".onnx";
        const int n = 1001;
        std::vector<float> x(2 * n);
        std::vector<int64_t> t64(n);
        std::vector<int32_t> t32(n);
        for (int i = 0; i < n; i++) {
            x[2 * i] = g(gen) * (i % 97 == 0 ? 20.f : 1.f);
            x[2 * i + 1] = g(gen);
            t32[i] = 1 + i % 100;
            t64[i] = t32[i];
        }
        const auto ref = ort_eps(path, x, t64);
        for (int isa : { fused_mlp::PORTABLE, fused_mlp::AVX2, fused_mlp::AVX512 }) {
            if (!fused_mlp::isa_supported(isa)) {
                BOOST_TEST_MESSAGE("kernel " << fused_mlp::isa_name(isa)
                                             << " not on this CPU");
                continue;
            }
            fused_mlp f(path, isa);
            BOOST_CHECK_EQUAL(f.T(), 100);
            BOOST_CHECK_EQUAL(f.hidden(), 128);
            BOOST_CHECK_EQUAL(f.depth(), 3);
            fused_mlp::workspace ws;
            std::vector<float> eps(2 * n);
            f.predict(x.data(), t32.data(), n, eps.data(), ws);
            double worst = 0;
            for (int i = 0; i < 2 * n; i++)
                worst =
                    std::max(worst, std::abs(eps[i] - ref[i]) / (1.0 + std::abs(ref[i])));
            BOOST_TEST_MESSAGE(model << " " << fused_mlp::isa_name(isa)
                                     << " max |fused - ort| / (1 + |ort|) = " << worst);
            BOOST_CHECK_LT(worst, 1e-5);
            // row results do not depend on the batch they are computed in
            std::vector<float> one(2);
            f.predict(x.data() + 2 * 500, t32.data() + 500, 1, one.data(), ws);
            BOOST_CHECK_EQUAL(one[0], eps[1000]);
            BOOST_CHECK_EQUAL(one[1], eps[1001]);
        }
    }
}

BOOST_AUTO_TEST_CASE(t_step_out_of_range)
{
    fused_mlp f(MODELS + "/16qam.onnx");
    fused_mlp::workspace ws;
    float x[2] = { 0.f, 0.f }, e[2];
    int32_t t = 101;
    BOOST_CHECK_THROW(f.predict(x, &t, 1, e, ws), std::out_of_range);
    t = -1;
    BOOST_CHECK_THROW(f.predict(x, &t, 1, e, ws), std::out_of_range);
}
