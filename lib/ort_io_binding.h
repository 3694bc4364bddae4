/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_ORT_IO_BINDING_H
#define INCLUDED_DIFFUSION_ORT_IO_BINDING_H

// Internal: the eps-network ("x" float32 [n, 2], "t" int64 [n] -> "eps" float32 [n, 2])
// through Ort::IoBinding, for the GPU execution providers (CUDA, TensorRT).
//
// Session::Run with host tensors makes onnxruntime allocate the output and copy between
// pageable host memory and the device on every call. Here the three host buffers are
// allocated once, max_batch rows each, from the provider's pinned-memory allocator
// ("CudaPinned": page-locked, DMA-able, so the copies do not go through a bounce buffer),
// bound once per batch size, and the output is written by onnxruntime straight into the
// bound eps buffer (no allocation, no copy out of an Ort::Value). With the CPU provider
// (or a GPU provider without a pinned allocator) the buffers are plain 64-byte aligned
// host memory: the same code path, testable without a GPU.
//
// The ORT C API of this build (ORT_API_VERSION 21) has no public host<->device copy
// (CopyTensors came later), so device-resident inputs cannot be filled from C++ without
// linking the CUDA runtime; binding page-locked host tensors lets onnxruntime do that copy
// with its own stream, which is what the C++ engine needs (its samplers run on the host).

#include <onnxruntime_cxx_api.h>
#include <cstdint>
#include <memory>
#include <string>

namespace gr {
namespace diffusion {

class ort_io_binding
{
public:
    /*!
     * session: an open eps-network session (outlives this object).
     * device: "cpu", or "cuda" for the CUDA and TensorRT providers (pinned staging when
     * the session offers a CudaPinned allocator, else pageable host memory, see note()).
     * device_id: the provider's device_id. max_batch: rows per run() (>= 1).
     * Throws std::invalid_argument on a bad device / max_batch.
     */
    ort_io_binding(Ort::Session& session,
                   const std::string& device,
                   int device_id,
                   int max_batch);
    ~ort_io_binding();
    ort_io_binding(const ort_io_binding&) = delete;
    ort_io_binding& operator=(const ort_io_binding&) = delete;

    //! host staging buffers, max_batch rows: x [n, 2], t [n], eps [n, 2]
    float* x() { return d_x; }
    int64_t* t() { return d_t; }
    const float* eps() const { return d_eps; }
    int max_batch() const { return d_max_batch; }
    //! true when the buffers are page-locked (CudaPinned)
    bool pinned() const { return d_pinned; }
    //! one line: the staging memory in use and, when not pinned, why
    const std::string& note() const { return d_note; }

    //! run the network on the first n rows of x() / t() into eps(); 0 <= n <= max_batch
    void run(int n);
    //! copy in, run(n), copy out; n rows may exceed max_batch (run in slices)
    void predict(const float* x, const int64_t* t, int n, float* eps);

    //! "cuda" for the CUDA / TensorRT providers, else "cpu" (engine's provider names)
    static std::string device_for_provider(const std::string& provider);

private:
    Ort::Session& d_session;
    Ort::IoBinding d_binding;
    Ort::MemoryInfo d_mem{ nullptr };
    std::unique_ptr<Ort::Allocator> d_alloc; // pinned allocator, else null
    float* d_x = nullptr;
    int64_t* d_t = nullptr;
    float* d_eps = nullptr;
    int d_max_batch;
    int d_bound_n = -1;
    bool d_pinned = false;
    bool d_gpu = false;
    std::string d_note;

    void* alloc(size_t bytes);
    void release(void* p);
    void bind(int n);
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_ORT_IO_BINDING_H */
