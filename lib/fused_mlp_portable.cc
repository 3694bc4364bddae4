/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Portable instantiation of the fused MLP kernel: 8-lane arrays in plain C++ (the
// compiler vectorises them for the baseline ISA of the build, e.g. SSE2 on x86-64, NEON
// on arm64).

#include "fused_conv_kernel.h"
#include "fused_mlp_kernel.h"
#include <cmath>
#include <cstring>

namespace gr {
namespace diffusion {
namespace {

struct vp {
    static constexpr int width = 8;
    float v[8];
#define VP_MAP(expr)            \
    vp r;                       \
    for (int i = 0; i < 8; i++) \
        r.v[i] = (expr);        \
    return r
    static vp set1(float f) { VP_MAP(f); }
    static vp load(const float* p) { VP_MAP(p[i]); }
    static void store(float* p, vp a)
    {
        for (int i = 0; i < 8; i++)
            p[i] = a.v[i];
    }
    static vp add(vp a, vp b) { VP_MAP(a.v[i] + b.v[i]); }
    static vp sub(vp a, vp b) { VP_MAP(a.v[i] - b.v[i]); }
    static vp mul(vp a, vp b) { VP_MAP(a.v[i] * b.v[i]); }
    static vp fmadd(vp a, vp b, vp c) { VP_MAP(a.v[i] * b.v[i] + c.v[i]); }
    static vp max(vp a, vp b) { VP_MAP(a.v[i] > b.v[i] ? a.v[i] : b.v[i]); }
    static vp abs(vp a) { VP_MAP(a.v[i] < 0.0f ? -a.v[i] : a.v[i]); }
    static vp round(vp a) { VP_MAP(std::nearbyint(a.v[i])); }
    static vp pow2n(vp n)
    {
        vp r;
        for (int i = 0; i < 8; i++) {
            const int32_t b = (static_cast<int32_t>(n.v[i]) + 127) << 23;
            std::memcpy(&r.v[i], &b, 4);
        }
        return r;
    }
    static vp div(vp a, vp b) { VP_MAP(a.v[i] / b.v[i]); }
    static vp exp2_bits(vp t)
    {
        vp r;
        for (int i = 0; i < 8; i++) {
            uint32_t b;
            std::memcpy(&b, &t.v[i], 4);
            b <<= 23;
            std::memcpy(&r.v[i], &b, 4);
        }
        return r;
    }
    static vp gt(vp a, vp b) { VP_MAP(a.v[i] > b.v[i] ? 1.0f : 0.0f); }
    static vp select(vp m, vp a, vp b) { VP_MAP(m.v[i] != 0.0f ? a.v[i] : b.v[i]); }
    static float hsum(vp a)
    {
        float s = 0.0f;
        for (int i = 0; i < 8; i++)
            s += a.v[i];
        return s;
    }
#undef VP_MAP
};

#define FUSED_MLP_KERNEL_BODY
#include "fused_mlp_kernel.h"
#define FUSED_CONV_KERNEL_BODY
#include "fused_conv_kernel.h"

} // namespace

void fused_tile_portable(const mlp_view& m,
                         const float* x,
                         const int32_t* t,
                         int rows,
                         float* eps,
                         float* a,
                         float* b,
                         int32_t* tpad)
{
    fused_tile<vp>(m, x, t, rows, eps, a, b, tpad);
}

void fused_conv_portable(const conv_view& m,
                         const float* x,
                         const int32_t* t,
                         int nwin,
                         float* eps,
                         float* xbuf,
                         float* a,
                         float* b)
{
    fused_conv<vp>(m, x, t, nwin, eps, xbuf, a, b);
}

} // namespace diffusion
} // namespace gr
