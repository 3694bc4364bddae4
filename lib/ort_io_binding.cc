/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ort_io_binding.h"
#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace diffusion {

std::string ort_io_binding::device_for_provider(const std::string& provider)
{
    return (provider == "cuda" || provider == "tensorrt") ? "cuda" : "cpu";
}

ort_io_binding::ort_io_binding(Ort::Session& session,
                               const std::string& device,
                               int device_id,
                               int max_batch)
    : d_session(session), d_binding(session), d_max_batch(max_batch)
{
    if (max_batch < 1)
        throw std::invalid_argument("ort_io_binding: max_batch must be >= 1, got " +
                                    std::to_string(max_batch));
    if (device != "cpu" && device != "cuda")
        throw std::invalid_argument(
            "ort_io_binding: device must be 'cpu' or 'cuda', got '" + device + "'");
    if (device_id < 0)
        throw std::invalid_argument("ort_io_binding: device_id must be >= 0");
    d_gpu = device == "cuda";
    if (d_gpu) {
        try {
            Ort::MemoryInfo pinned(
                "CudaPinned", OrtDeviceAllocator, device_id, OrtMemTypeCPUOutput);
            d_alloc = std::make_unique<Ort::Allocator>(session, pinned);
            d_mem = std::move(pinned);
            d_pinned = true;
            d_note = "io binding: page-locked (CudaPinned) host buffers, device " +
                     std::to_string(device_id);
        } catch (const Ort::Exception& e) {
            d_alloc.reset();
            d_note = std::string("io binding: pageable host buffers (the session has no "
                                 "CudaPinned allocator: ") +
                     e.what() + ")";
        }
    } else {
        d_note = "io binding: host buffers (cpu)";
    }
    if (!d_pinned)
        d_mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    const size_t n = static_cast<size_t>(max_batch);
    try {
        d_x = static_cast<float*>(alloc(sizeof(float) * 2 * n));
        d_t = static_cast<int64_t*>(alloc(sizeof(int64_t) * n));
        d_eps = static_cast<float*>(alloc(sizeof(float) * 2 * n));
    } catch (...) {
        release(d_x);
        release(d_t);
        release(d_eps);
        throw;
    }
    std::fill(d_t, d_t + n, int64_t(1));
    std::fill(d_x, d_x + 2 * n, 0.f);
}

ort_io_binding::~ort_io_binding()
{
    d_binding.ClearBoundInputs();
    d_binding.ClearBoundOutputs();
    release(d_x);
    release(d_t);
    release(d_eps);
}

void* ort_io_binding::alloc(size_t bytes)
{
    bytes = std::max<size_t>(64, (bytes + 63) / 64 * 64);
    void* p = d_alloc ? d_alloc->Alloc(bytes) : std::aligned_alloc(64, bytes);
    if (!p)
        throw std::bad_alloc();
    return p;
}

void ort_io_binding::release(void* p)
{
    if (!p)
        return;
    if (d_alloc)
        d_alloc->Free(p);
    else
        std::free(p);
}

void ort_io_binding::bind(int n)
{
    const std::array<int64_t, 2> sx = { n, 2 };
    const std::array<int64_t, 1> st = { n };
    Ort::Value xv =
        Ort::Value::CreateTensor<float>(d_mem, d_x, size_t(2) * n, sx.data(), 2);
    Ort::Value tv =
        Ort::Value::CreateTensor<int64_t>(d_mem, d_t, size_t(n), st.data(), 1);
    Ort::Value ev =
        Ort::Value::CreateTensor<float>(d_mem, d_eps, size_t(2) * n, sx.data(), 2);
    d_binding.ClearBoundInputs();
    d_binding.ClearBoundOutputs();
    d_binding.BindInput("x", xv);
    d_binding.BindInput("t", tv);
    d_binding.BindOutput("eps", ev);
    d_bound_n = n;
}

void ort_io_binding::run(int n)
{
    if (n < 0 || n > d_max_batch)
        throw std::invalid_argument("ort_io_binding::run: n = " + std::to_string(n) +
                                    " outside [0, " + std::to_string(d_max_batch) + "]");
    if (n == 0)
        return;
    if (n != d_bound_n)
        bind(n);
    if (d_gpu)
        d_binding.SynchronizeInputs();
    d_session.Run(Ort::RunOptions{ nullptr }, d_binding);
    if (d_gpu)
        d_binding.SynchronizeOutputs(); // eps() is complete on return
}

void ort_io_binding::predict(const float* x, const int64_t* t, int n, float* eps)
{
    for (int s = 0; s < n; s += d_max_batch) {
        const int m = std::min(d_max_batch, n - s);
        std::memcpy(d_x, x + 2 * size_t(s), sizeof(float) * 2 * m);
        std::memcpy(d_t, t + s, sizeof(int64_t) * m);
        run(m);
        std::memcpy(eps + 2 * size_t(s), d_eps, sizeof(float) * 2 * m);
    }
}

} // namespace diffusion
} // namespace gr
