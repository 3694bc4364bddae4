/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// QA of the Ort::IoBinding helper (lib/ort_io_binding.h) on the CPU provider: the bound
// run matches Session::Run on the shipped 16-QAM model to 1e-6 for every batch size,
// rebinding when the size changes, and a "cuda" request on a session without a CudaPinned
// allocator falls back to pageable host buffers and says so. (No GPU here: the pinned path
// is the same code with another allocator.)

#include "ort_io_binding.h"
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace gr::diffusion;

namespace {
const std::string model16 = std::string(GR_DIFFUSION_MODELS_DIR) + "/16qam.onnx";

struct fixture {
    Ort::Env env{ ORT_LOGGING_LEVEL_WARNING, "qa_ort_io_binding" };
    Ort::SessionOptions opts;
    std::unique_ptr<Ort::Session> session;
    fixture()
    {
        opts.SetIntraOpNumThreads(1);
        session = std::make_unique<Ort::Session>(env, model16.c_str(), opts);
    }
    std::vector<float> run(const std::vector<float>& x, const std::vector<int64_t>& t)
    {
        const int64_t n = static_cast<int64_t>(t.size());
        const std::array<int64_t, 2> sx = { n, 2 };
        const std::array<int64_t, 1> st = { n };
        auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
        std::array<Ort::Value, 2> in = {
            Ort::Value::CreateTensor<float>(
                mem, const_cast<float*>(x.data()), x.size(), sx.data(), 2),
            Ort::Value::CreateTensor<int64_t>(
                mem, const_cast<int64_t*>(t.data()), t.size(), st.data(), 1)
        };
        const char* in_names[] = { "x", "t" };
        const char* out_names[] = { "eps" };
        auto out = session->Run(
            Ort::RunOptions{ nullptr }, in_names, in.data(), 2, out_names, 1);
        const float* e = out[0].GetTensorData<float>();
        return std::vector<float>(e, e + 2 * n);
    }
};

void inputs(int n, std::vector<float>& x, std::vector<int64_t>& t, unsigned seed)
{
    std::mt19937 g(seed);
    std::normal_distribution<float> nd(0.f, 0.8f);
    std::uniform_int_distribution<int> ud(1, 100);
    x.resize(2 * n);
    t.resize(n);
    for (auto& v : x)
        v = nd(g);
    for (auto& v : t)
        v = ud(g);
}
} // namespace

BOOST_AUTO_TEST_CASE(t_io_binding_matches_run_on_cpu)
{
    fixture f;
    ort_io_binding io(*f.session, "cpu", 0, 4096);
    BOOST_CHECK(!io.pinned());
    unsigned seed = 1;
    for (int n : { 1, 7, 4096, 300, 300, 1 }) { // sizes change: rebinding
        std::vector<float> x;
        std::vector<int64_t> t;
        inputs(n, x, t, seed++);
        const auto ref = f.run(x, t);
        std::copy(x.begin(), x.end(), io.x());
        std::copy(t.begin(), t.end(), io.t());
        io.run(n);
        double err = 0;
        for (int i = 0; i < 2 * n; i++)
            err = std::max(err, double(std::fabs(io.eps()[i] - ref[i])));
        BOOST_TEST_INFO("n = " << n);
        BOOST_CHECK_LE(err, 1e-6);
    }
    // predict(): more rows than max_batch, in slices
    std::vector<float> x, eps(2 * 10000);
    std::vector<int64_t> t;
    inputs(10000, x, t, 99);
    const auto ref = f.run(x, t);
    io.predict(x.data(), t.data(), 10000, eps.data());
    double err = 0;
    for (int i = 0; i < 20000; i++)
        err = std::max(err, double(std::fabs(eps[i] - ref[i])));
    BOOST_CHECK_LE(err, 1e-6);
    io.run(0); // no-op
    BOOST_CHECK_THROW(io.run(4097), std::invalid_argument);
    BOOST_CHECK_THROW(io.run(-1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(t_io_binding_cuda_request_without_gpu_falls_back)
{
    fixture f;
    ort_io_binding io(*f.session, "cuda", 0, 64);
    BOOST_CHECK(!io.pinned());
    BOOST_CHECK(io.note().find("pageable") != std::string::npos);
    std::vector<float> x, eps(2 * 64);
    std::vector<int64_t> t;
    inputs(64, x, t, 5);
    const auto ref = f.run(x, t);
    io.predict(x.data(), t.data(), 64, eps.data());
    for (int i = 0; i < 128; i++)
        BOOST_CHECK_SMALL(double(eps[i] - ref[i]), 1e-6);
}

BOOST_AUTO_TEST_CASE(t_io_binding_rejects_bad_arguments)
{
    fixture f;
    BOOST_CHECK_THROW(ort_io_binding(*f.session, "tpu", 0, 8), std::invalid_argument);
    BOOST_CHECK_THROW(ort_io_binding(*f.session, "cpu", 0, 0), std::invalid_argument);
    BOOST_CHECK_THROW(ort_io_binding(*f.session, "cuda", -1, 8), std::invalid_argument);
    BOOST_CHECK_EQUAL(ort_io_binding::device_for_provider("cuda"), "cuda");
    BOOST_CHECK_EQUAL(ort_io_binding::device_for_provider("tensorrt"), "cuda");
    BOOST_CHECK_EQUAL(ort_io_binding::device_for_provider("cpu"), "cpu");
}
