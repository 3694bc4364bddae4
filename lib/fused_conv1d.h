/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_FUSED_CONV1D_H
#define INCLUDED_DIFFUSION_FUSED_CONV1D_H

// Internal: a fused CPU inference kernel for the module's window eps-network
// (python/diffusion/training/network.py WindowEpsNetwork, metadata network
// "window_conv1d"), over windows of W symbols:
//
//   h_0 = x                                        [W, 2] per window
//   a_l = softplus(E_l[t] * (conv_l(h_{l-1}) + b_l))   dilated Conv1d, kernel K, 'same'
//   h_1 = a_1,  h_l = h_{l-1} + a_l (l >= 2)        zero padding inside the window
//   eps = W_out h_L + b_out                         [W, 2]
//   (v-parameterised models: eps = sqrt(1 - abar_t) x + sqrt(abar_t) (W_out h_L + b_out))
//
// Weights come from the ONNX file's initializers (layers.<l>.conv.weight / .bias,
// layers.<l>.embed.weight, out.weight / .bias) and the Conv nodes' attributes; a graph
// with other operators or shapes is refused with fused_mlp::unrecognised. The engine runs
// this kernel only after it matches onnxruntime on a probe batch (lib/ddpm_engine.cc).
// Same ISA dispatch as fused_mlp (AVX-512F, AVX2+FMA, portable).

#include "fused_mlp.h"
#include <string>
#include <vector>

namespace gr {
namespace diffusion {

class fused_conv1d
{
public:
    class workspace
    {
        friend class fused_conv1d;
        std::vector<float> x, a, b;
    };

    //! window_length W (from the metadata); isa as fused_mlp (-1: best / env)
    fused_conv1d(const std::string& onnx_path, int window_length, int isa = -1);

    int T() const { return d_T; }
    int window_length() const { return d_W; }
    //! channels the kernel runs: the file's, zero-padded to its panel width (16 or 32)
    int channels() const { return d_C; }
    fused_mlp::isa_t isa() const { return d_isa; }
    static constexpr int tile_windows = 8; //!< windows per kernel call (cache-sized)

    //! FLOPs of one window evaluation (multiply-add = 2)
    double flops_per_window() const;

    /*!
     * eps for n rows = n / W whole windows: x [n, 2], t [n] (one step per window, steps in
     * [0, T]), eps [n, 2]. Thread-safe with one workspace per thread.
     */
    void
    predict(const float* x, const int32_t* t, int n, float* eps, workspace& ws) const;

    /*!
     * The same network in float64, scalar (slow; the engine's load-time check measures
     * onnxruntime's and the kernel's float32 error against it).
     */
    void predict_reference(const float* x, const int32_t* t, int n, double* eps) const;

private:
    std::vector<std::vector<float>> d_w; // conv weights as in the file [C][cin][K]
    int d_T = 0, d_W = 0, d_C = 0, d_L = 0, d_K = 0, d_Wp = 0, d_P = 0, d_S = 0;
    fused_mlp::isa_t d_isa = fused_mlp::PORTABLE;
    std::vector<int> d_cin, d_dil;
    std::vector<std::vector<float>> d_panels, d_b, d_E;
    std::vector<float> d_wout;
    std::vector<float> d_va,
        d_vb; // v head: sqrt(abar[t]), sqrt(1 - abar[t]); empty: none
    float d_bout[2] = { 0.0f, 0.0f };
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_FUSED_CONV1D_H */
