/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fused_conv1d.h"
#include "fused_conv_kernel.h"
#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace gr {
namespace diffusion {

namespace {
constexpr int MR = 6; // register block rows (fused_mlp_kernel.h)

fused_mlp::unrecognised unrec(const std::string& why)
{
    return fused_mlp::unrecognised("window network: " + why);
}

const onnx_wire::tensor* init(const onnx_wire::graph& g, const std::string& name)
{
    const auto it = g.initializers.find(name);
    if (it == g.initializers.end())
        return nullptr;
    if (it->second.external || it->second.data_type != 1 ||
        int64_t(it->second.f.size()) != it->second.numel())
        throw unrec("initializer '" + name + "' is not inline float32 data");
    return &it->second;
}

} // namespace

fused_conv1d::fused_conv1d(const std::string& onnx_path, int window_length, int isa)
{
    d_isa = fused_mlp::resolve_isa(isa, "fused_conv1d");
    const int VW = d_isa == fused_mlp::AVX512 ? 16 : 8, NR = 2 * VW;
    const onnx_wire::graph g = onnx_wire::load_model(onnx_path);
    if (window_length < 2)
        throw unrec("window_length " + std::to_string(window_length) + " (not a window)");
    d_W = window_length;

    // operators: the exported WindowEpsNetwork uses these and no others
    static const std::set<std::string> ops = {
        "Transpose", "Gather", "Constant", "Unsqueeze", "Conv", "Mul",     "Relu",
        "Abs",       "Neg",    "Exp",      "Add",       "Log",  "Softplus"
    };
    std::map<std::string, const onnx_wire::node*> conv_by_weight;
    for (const auto& n : g.nodes) {
        if (!n.domain.empty() && n.domain != "ai.onnx")
            throw unrec("operator domain '" + n.domain + "'");
        if (!ops.count(n.op_type))
            throw unrec("operator " + n.op_type);
        if (n.op_type == "Conv" && n.inputs.size() >= 2)
            conv_by_weight[n.inputs[1]] = &n;
    }
    for (int l = 0;; l++) {
        const std::string pre = "layers." + std::to_string(l) + ".";
        const auto* w = init(g, pre + "conv.weight");
        if (!w)
            break;
        const auto* b = init(g, pre + "conv.bias");
        const auto* e = init(g, pre + "embed.weight");
        if (!b || !e)
            throw unrec(pre + "conv.bias / embed.weight missing");
        if (w->dims.size() != 3 || b->dims.size() != 1 || e->dims.size() != 2)
            throw unrec(pre + " weights of unexpected rank");
        const int C = int(w->dims[0]), cin = int(w->dims[1]), K = int(w->dims[2]);
        if (l == 0) {
            d_C = C;
            d_K = K;
            d_T = int(e->dims[0]) - 1;
            if (cin != 2)
                throw unrec("first layer takes " + std::to_string(cin) +
                            " channels, not 2");
        } else if (cin != d_C) {
            throw unrec(pre + "conv takes " + std::to_string(cin) + " channels");
        }
        if (C != d_C || K != d_K || b->dims[0] != C || e->dims[1] != C ||
            e->dims[0] != d_T + 1)
            throw unrec(pre + " shapes differ from layer 0's");
        if (C > 4096)
            throw unrec("channels " + std::to_string(C) + " > 4096");
        if (K % 2 == 0)
            throw unrec("even kernel " + std::to_string(K));
        const auto it = conv_by_weight.find(pre + "conv.weight");
        if (it == conv_by_weight.end())
            throw unrec("no Conv node uses " + pre + "conv.weight");
        const auto* n = it->second;
        int dil = 1;
        for (const auto& a : n->attrs) {
            if (a.name == "dilations")
                dil = a.ints.size() == 1 ? int(a.ints[0]) : -1;
            else if (a.name == "group" && a.i != 1)
                throw unrec("grouped Conv");
            else if (a.name == "strides" && !(a.ints.size() == 1 && a.ints[0] == 1))
                throw unrec("strided Conv");
            else if (a.name == "kernel_shape" && !(a.ints.size() == 1 && a.ints[0] == K))
                throw unrec("Conv kernel_shape differs from the weight");
            else if (a.name == "auto_pad" && a.s != "NOTSET")
                throw unrec("Conv auto_pad " + a.s);
        }
        if (dil < 1)
            throw unrec("Conv dilations");
        int pads_ok = 0;
        for (const auto& a : n->attrs)
            if (a.name == "pads")
                pads_ok = a.ints.size() == 2 && a.ints[0] == a.ints[1] &&
                                  a.ints[0] == int64_t(dil) * (K - 1) / 2
                              ? 1
                              : -1;
        if (pads_ok != 1)
            throw unrec("Conv pads are not 'same'");
        if (l >= conv_view::max_layers)
            throw unrec("more than " + std::to_string(conv_view::max_layers) + " layers");
        // channels zero-padded to Cp, a multiple of the kernel's panel width NR: a padded
        // channel's activation (softplus(0) = log 2, its own bias and weights being 0) is
        // read by no weight (zero input columns in the next layer and the output), so the
        // padded network computes exactly the file's
        const int Cp = (C + NR - 1) / NR * NR, cinp = l == 0 ? cin : Cp;
        std::vector<float> wp(size_t(Cp) * cinp * K, 0.0f), bp(Cp, 0.0f),
            ep(size_t(d_T + 1) * Cp, 0.0f);
        for (int c = 0; c < C; c++) {
            bp[c] = b->f[c];
            for (int ci = 0; ci < cin; ci++)
                for (int k = 0; k < K; k++)
                    wp[(size_t(c) * cinp + ci) * K + k] =
                        w->f[(size_t(c) * cin + ci) * K + k];
        }
        for (int s = 0; s <= d_T; s++)
            for (int c = 0; c < C; c++)
                ep[size_t(s) * Cp + c] = e->f[size_t(s) * C + c];
        d_cin.push_back(cinp);
        d_dil.push_back(dil);
        // panel [Cp / NR][K][cin][NR] of W[c][ci][k]
        std::vector<float> pan(size_t(Cp) * K * cinp);
        for (int p = 0; p < Cp / NR; p++)
            for (int k = 0; k < K; k++)
                for (int ci = 0; ci < cinp; ci++)
                    for (int j = 0; j < NR; j++)
                        pan[((size_t(p) * K + k) * cinp + ci) * NR + j] =
                            wp[(size_t(p * NR + j) * cinp + ci) * K + k];
        d_w.push_back(std::move(wp));
        d_panels.push_back(std::move(pan));
        d_b.push_back(std::move(bp));
        d_E.push_back(std::move(ep));
    }
    d_L = int(d_cin.size());
    if (d_L == 0)
        throw unrec("no layers.<l>.conv.weight initializers");
    if (int(conv_by_weight.size()) != d_L + 1)
        throw unrec(std::to_string(conv_by_weight.size()) + " Conv nodes for " +
                    std::to_string(d_L) + " layers + output");
    const auto* wo = init(g, "out.weight");
    const auto* bo = init(g, "out.bias");
    if (!wo || !bo || wo->dims.size() != 3 || wo->dims[0] != 2 || wo->dims[1] != d_C ||
        wo->dims[2] != 1 || bo->numel() != 2 || !conv_by_weight.count("out.weight"))
        throw unrec("output Conv out.weight [2, C, 1] / out.bias [2] missing");
    const int Cf = d_C;
    d_C = (Cf + NR - 1) / NR * NR;        // the padded width from here on
    d_wout.assign(size_t(2) * d_C, 0.0f); // [2][Cp], zero on the padded channels
    for (int o = 0; o < 2; o++)
        for (int c = 0; c < Cf; c++)
            d_wout[size_t(o) * d_C + c] = wo->f[size_t(o) * Cf + c];
    d_bout[0] = bo->f[0];
    d_bout[1] = bo->f[1];
    // v-parameterised models (training --parameterization v) export eps =
    // sqrt_1mabar[t] x + sqrt_abar[t] net(x) (python/diffusion/training/export.py): the
    // two tables, gathered by t, and a Mul on the graph input x
    const auto* va = init(g, "sqrt_abar");
    const auto* vb = init(g, "sqrt_1mabar");
    if (va || vb) {
        bool mul_x = false;
        for (const auto& n : g.nodes)
            if (n.op_type == "Mul")
                for (const auto& in : n.inputs)
                    mul_x = mul_x || in == "x";
        if (!va || !vb || va->numel() != d_T + 1 || vb->numel() != d_T + 1 || !mul_x)
            throw unrec("v-parameterisation head (sqrt_abar, sqrt_1mabar, Mul by x) "
                        "not as exported");
        d_va = va->f;
        d_vb = vb->f;
    }
    int maxd = 1;
    for (int d : d_dil)
        maxd = std::max(maxd, d);
    d_P = maxd * (d_K - 1) / 2;
    d_Wp = (d_W + MR - 1) / MR * MR;
    d_S = d_P + d_Wp + d_P;
}

void fused_conv1d::predict_reference(const float* x,
                                     const int32_t* t,
                                     int n,
                                     double* eps) const
{
    const int W = d_W, C = d_C, K = d_K, c0 = (K - 1) / 2;
    std::vector<double> h(size_t(W) * C), a(size_t(W) * C), in(size_t(W) * 2);
    for (int s = 0; s + W <= n; s += W) {
        const int32_t tw = t[s];
        for (int r = 0; r < 2 * W; r++)
            in[r] = x[size_t(s) * 2 + r];
        for (int l = 0; l < d_L; l++) {
            const int cin = d_cin[l], d = d_dil[l];
            const double* src = l == 0 ? in.data() : h.data();
            const float* w = d_w[l].data();
            const float* E = d_E[l].data() + size_t(tw) * C;
            for (int r = 0; r < W; r++)
                for (int c = 0; c < C; c++) {
                    double z = d_b[l][c];
                    for (int k = 0; k < K; k++) {
                        const int q = r + (k - c0) * d;
                        if (q < 0 || q >= W)
                            continue;
                        for (int ci = 0; ci < cin; ci++)
                            z += double(w[(size_t(c) * cin + ci) * K + k]) *
                                 src[size_t(q) * cin + ci];
                    }
                    z *= E[c];
                    a[size_t(r) * C + c] =
                        std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
                }
            for (size_t i = 0; i < h.size(); i++)
                h[i] = l == 0 ? a[i] : h[i] + a[i];
        }
        for (int r = 0; r < W; r++)
            for (int o = 0; o < 2; o++) {
                double e = d_bout[o];
                for (int c = 0; c < C; c++)
                    e += double(d_wout[size_t(o) * C + c]) * h[size_t(r) * C + c];
                eps[(size_t(s) + r) * 2 + o] =
                    d_va.empty() ? e
                                 : double(d_vb[tw]) * x[(size_t(s) + r) * 2 + o] +
                                       double(d_va[tw]) * e;
            }
    }
}

double fused_conv1d::flops_per_window() const
{
    double f = 0.0;
    for (int c : d_cin)
        f += 2.0 * d_C * c * d_K * d_W;
    return f + 2.0 * 2 * d_C * d_W;
}

void fused_conv1d::predict(
    const float* x, const int32_t* t, int n, float* eps, workspace& ws) const
{
    if (n % d_W)
        throw std::logic_error("fused_conv1d: rows must be whole windows of " +
                               std::to_string(d_W));
    const int nwin = n / d_W;
    constexpr int R = tile_windows;
    const size_t per = size_t(d_S) * d_C;
    if (ws.a.size() < R * per) {
        ws.a.assign(R * per,
                    0.0f); // padding rows stay zero: the kernel never writes them
        ws.b.assign(R * per, 0.0f);
        ws.x.assign(size_t(R) * d_S * 2, 0.0f);
    }
    std::vector<int32_t> tw(R);
    conv_view v{};
    v.C = d_C;
    v.L = d_L;
    v.K = d_K;
    v.W = d_W;
    v.Wp = d_Wp;
    v.P = d_P;
    v.S = d_S;
    for (int l = 0; l < d_L; l++) {
        v.cin[l] = d_cin[l];
        v.dil[l] = d_dil[l];
        v.panel[l] = d_panels[l].data();
        v.b[l] = d_b[l].data();
        v.E[l] = d_E[l].data();
    }
    v.wout = d_wout.data();
    v.bout0 = d_bout[0];
    v.bout1 = d_bout[1];
    const conv_fn fn = d_isa == fused_mlp::AVX512 ? fused_conv_avx512
                       : d_isa == fused_mlp::AVX2 ? fused_conv_avx2
                                                  : fused_conv_portable;
    for (int s = 0; s < nwin; s += R) {
        const int m = std::min(R, nwin - s);
        for (int k = 0; k < m; k++) {
            const int32_t tk = t[size_t(s + k) * d_W];
            if (tk < 0 || tk > d_T)
                throw std::out_of_range("fused_conv1d: step " + std::to_string(tk) +
                                        " outside [0, " + std::to_string(d_T) + "]");
            tw[k] = tk;
        }
        fn(v,
           x + size_t(s) * d_W * 2,
           tw.data(),
           m,
           eps + size_t(s) * d_W * 2,
           ws.x.data(),
           ws.a.data(),
           ws.b.data());
        if (!d_va.empty()) // v head: eps = sqrt(1 - abar) x + sqrt(abar) net(x)
            for (int k = 0; k < m; k++) {
                const float a = d_va[tw[k]], b = d_vb[tw[k]];
                const size_t o = size_t(s + k) * d_W * 2;
                for (int i = 0; i < 2 * d_W; i++)
                    eps[o + i] = b * x[o + i] + a * eps[o + i];
            }
    }
}

} // namespace diffusion
} // namespace gr
