/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_FUSED_MLP_H
#define INCLUDED_DIFFUSION_FUSED_MLP_H

// Internal: a fused CPU inference kernel for the module's per-symbol eps-MLP
// (python/diffusion/training/network.py, exported by training.export.export_onnx):
//
//   h_0 = x                                   x = [Re, Im] of x_t, float32 [N, 2]
//   h_l = softplus(E_l[t] * (W_l h_{l-1} + b_l))   l = 1..depth, E_l = embedding [T+1, H]
//   eps = W_out h_depth + b_out               float32 [N, 2]
//
// The weights are read from the ONNX file's initializers by a minimal protobuf
// wire-format reader (onnx_wire below: no protobuf/onnx library needed, only the fields
// the graph uses). The graph is recognised by walking it back from 'eps'; any other graph
// is refused with fused_mlp::unrecognised (the engine then falls back to onnxruntime).
// The layer chain runs over tiles of rows: GEMM micro-kernel, bias, embedding multiply
// and softplus in one register pass per 6 x (2 vector widths) block; ISA chosen at run
// time (AVX-512F, AVX2+FMA, portable C++).

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace gr {
namespace diffusion {

namespace onnx_wire {

struct tensor {
    std::string name;
    std::vector<int64_t> dims;
    int32_t data_type = 0; // TensorProto.DataType: 1 float, 7 int64
    std::vector<float> f;  // float data (raw_data or float_data)
    std::vector<int64_t> i64;
    bool external = false; // data_location = EXTERNAL (not supported by the kernel)
    int64_t numel() const;
};

struct attribute {
    std::string name;
    int32_t type = 0;
    float f = 0.0f;
    int64_t i = 0;
    std::string s;
    std::vector<int64_t> ints; // repeated int64 (Conv dilations, pads, kernel_shape)
    bool has_t = false;
    tensor t;
};

struct node {
    std::string op_type, domain, name;
    std::vector<std::string> inputs, outputs;
    std::vector<attribute> attrs;
    const attribute* attr(const std::string& name) const;
};

struct graph {
    std::vector<node> nodes;
    std::map<std::string, tensor> initializers;
    std::vector<std::string> inputs, outputs; // graph input / output names
};

//! Parse a serialized ModelProto; throws std::runtime_error on malformed data.
graph parse_model(const std::string& bytes);
//! Read and parse a file; throws std::runtime_error naming the file.
graph load_model(const std::string& path);

} // namespace onnx_wire

class fused_mlp
{
public:
    enum isa_t { PORTABLE = 0, AVX2 = 1, AVX512 = 2 };

    //! the graph is not the per-symbol MLP this kernel implements; what() says why
    struct unrecognised : std::runtime_error {
        using std::runtime_error::runtime_error;
    };

    //! Per-thread scratch (tile buffers); one per concurrent caller.
    class workspace
    {
        friend class fused_mlp;
        std::vector<float> a, b, x;
        std::vector<int32_t> t;
    };

    /*!
     * Build from an ONNX file. isa = -1: best the CPU supports; else that kernel (must be
     * supported: std::invalid_argument otherwise). Throws unrecognised for other graphs,
     * std::runtime_error for unreadable files.
     */
    explicit fused_mlp(const std::string& onnx_path, int isa = -1);
    explicit fused_mlp(const onnx_wire::graph& g, int isa = -1);

    int T() const { return d_T; } //!< embedding rows - 1 (steps 0..T valid)
    int hidden() const { return d_H; }
    int depth() const { return d_depth; }
    isa_t isa() const { return d_isa; }
    static const char* isa_name(int isa);
    static isa_t best_isa(); //!< best kernel this CPU runs
    static bool isa_supported(int isa);
    //! isa < 0: $GR_DIFFUSION_FUSED_ISA or the best; std::invalid_argument when unsupported
    static isa_t resolve_isa(int isa, const char* who);
    static constexpr int tile_rows = 48; //!< rows per fused tile (multiple of 6)

    //! FLOPs of one evaluation (multiply-add = 2), for the FLOP ceiling in benches
    double flops_per_row() const;

    /*!
     * eps for n rows: x [n, 2] float, t [n] steps in [0, T] (checked: std::out_of_range),
     * eps [n, 2]. Thread-safe with one workspace per thread.
     */
    void
    predict(const float* x, const int32_t* t, int n, float* eps, workspace& ws) const;

private:
    int d_T = 0, d_H = 0, d_depth = 0;
    isa_t d_isa = PORTABLE;
    // plain weights as in the file (row-major [out, in])
    std::vector<std::vector<float>> d_W, d_b, d_E;
    std::vector<float> d_Wout, d_bout;
    // packed for the kernel: layer 0 columns, hidden panels [p][k][NR], embeddings
    std::vector<float> d_w0c0, d_w0c1;
    std::vector<std::vector<float>> d_panels;
    int d_nr = 16;

    void build(const onnx_wire::graph& g, int isa);
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_FUSED_MLP_H */
