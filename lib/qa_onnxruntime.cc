/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Proves the build links the onnxruntime C++ API and can run a model:
// tests/data/affine.onnx computes y = x @ [[1, 2], [3, 4]] + [0.5, -0.5].

#include <onnxruntime_cxx_api.h>
#include <boost/test/unit_test.hpp>
#include <array>
#include <vector>

BOOST_AUTO_TEST_CASE(t_onnxruntime_runs_affine_model)
{
    Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "qa_onnxruntime");
    Ort::SessionOptions opts;
    opts.SetIntraOpNumThreads(1);
    Ort::Session session(env, GR_DIFFUSION_TEST_MODEL, opts);

    BOOST_REQUIRE_EQUAL(session.GetInputCount(), 1u);
    Ort::AllocatorWithDefaultOptions alloc;
    BOOST_CHECK_EQUAL(std::string(session.GetInputNameAllocated(0, alloc).get()), "x");

    std::vector<float> x = { 1.0f, 0.0f, 0.0f, 1.0f, 2.0f, -1.0f };
    std::array<int64_t, 2> shape = { 3, 2 };
    auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    Ort::Value in =
        Ort::Value::CreateTensor<float>(mem, x.data(), x.size(), shape.data(), 2);
    const char* in_names[] = { "x" };
    const char* out_names[] = { "y" };
    auto out = session.Run(Ort::RunOptions{ nullptr }, in_names, &in, 1, out_names, 1);
    const float* y = out[0].GetTensorData<float>();
    const float expect[] = { 1.5f, 1.5f, 3.5f, 3.5f, -0.5f, -0.5f };
    for (int i = 0; i < 6; i++)
        BOOST_CHECK_CLOSE(y[i], expect[i], 1e-4);
}
