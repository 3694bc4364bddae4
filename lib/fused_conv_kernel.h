/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Internal: the fused window-network kernel (fused_conv1d.h), a template over the SIMD
// wrapper V of the fused_mlp_{portable,avx2,avx512}.cc translation units (included there
// inside the anonymous namespace after the MLP kernel, whose softplus it uses).
//
// Buffers hold windows one after the other, each as S = P + Wp + P rows of `cin` floats:
// P zero rows (P >= the largest tap offset), the W symbols, zero rows up to Wp (W rounded
// up to the register block MR) and P zero rows; so a dilated tap never reads a neighbour
// window, and every layer reads its zero padding from the buffer itself.

#ifndef INCLUDED_DIFFUSION_FUSED_CONV_KERNEL_VIEW_H
#define INCLUDED_DIFFUSION_FUSED_CONV_KERNEL_VIEW_H
#include <cstdint>
namespace gr {
namespace diffusion {
//! raw view of the packed window-network weights handed to a kernel
struct conv_view {
    static constexpr int max_layers = 8;
    int C, L, K, W, Wp, P, S; // channels, layers, kernel, window, rows, pad, stride
    int cin[max_layers], dil[max_layers];
    const float* panel[max_layers]; // [C / NR][K][cin][NR]
    const float* b[max_layers];     // [C]
    const float* E[max_layers];     // [(T + 1) * C]
    const float* wout;              // [2][C]
    float bout0, bout1;
};
// (view, x [nwin * W, 2], t [nwin] (one step per window), nwin, eps [nwin * W, 2], x buffer
// [nwin * S * 2], bufA, bufB [nwin * S * C], all padding rows zero on entry)
#define FUSED_CONV_ARGS \
    const conv_view&, const float*, const int32_t*, int, float*, float*, float*, float*
using conv_fn = void (*)(FUSED_CONV_ARGS);
void fused_conv_portable(FUSED_CONV_ARGS);
void fused_conv_avx2(FUSED_CONV_ARGS);
void fused_conv_avx512(FUSED_CONV_ARGS);
} // namespace diffusion
} // namespace gr
#endif

#ifdef FUSED_CONV_KERNEL_BODY

// One conditional dilated conv layer over nwin windows: out = [in +] softplus(E[t] *
// (conv(in) + b)), rows P .. P + Wp of each window (then rows W .. Wp zeroed again).
template <class V>
inline void conv_layer(const conv_view& m,
                       int l,
                       const float* in,
                       const int32_t* t,
                       int nwin,
                       float* out,
                       bool residual)
{
    constexpr int VW = V::width;
    const int C = m.C, NR = 2 * VW, cin = m.cin[l], K = m.K, d = m.dil[l];
    const int S = m.S, P = m.P, c0 = (K - 1) / 2;
    const float* pan = m.panel[l];
    for (int p = 0; p < C / NR; p++) {
        const int j0 = p * NR;
        const V b0 = V::load(m.b[l] + j0), b1 = V::load(m.b[l] + j0 + VW);
        const float* wp = pan + size_t(p) * K * cin * NR;
        for (int w = 0; w < nwin; w++) {
            const float* e = m.E[l] + size_t(t[w]) * C + j0;
            const V e0 = V::load(e), e1 = V::load(e + VW);
            const float* inw = in + size_t(w) * S * cin;
            float* outw = out + size_t(w) * S * C;
            for (int rb = 0; rb < m.Wp; rb += MR) {
                V acc0[MR], acc1[MR];
#pragma GCC unroll 6
                for (int i = 0; i < MR; i++) {
                    acc0[i] = b0;
                    acc1[i] = b1;
                }
                for (int k = 0; k < K; k++) {
                    const float* h = inw + size_t(P + rb + (k - c0) * d) * cin;
                    const float* wk = wp + size_t(k) * cin * NR;
#pragma GCC unroll 4
                    for (int ci = 0; ci < cin; ci++) {
                        const V w0 = V::load(wk + ci * NR),
                                w1 = V::load(wk + ci * NR + VW);
#pragma GCC unroll 6
                        for (int i = 0; i < MR; i++) {
                            const V a = V::set1(h[i * cin + ci]);
                            acc0[i] = V::fmadd(a, w0, acc0[i]);
                            acc1[i] = V::fmadd(a, w1, acc1[i]);
                        }
                    }
                }
                V z[2 * MR];
#pragma GCC unroll 6
                for (int i = 0; i < MR; i++) {
                    z[2 * i] = V::mul(acc0[i], e0);
                    z[2 * i + 1] = V::mul(acc1[i], e1);
                }
                v_softplus_n<V, 4>(z);
                v_softplus_n<V, 4>(z + 4);
                v_softplus_n<V, 4>(z + 8);
#pragma GCC unroll 6
                for (int i = 0; i < MR; i++) {
                    float* o = outw + size_t(P + rb + i) * C + j0;
                    if (residual) {
                        const float* r = inw + size_t(P + rb + i) * cin + j0;
                        z[2 * i] = V::add(z[2 * i], V::load(r));
                        z[2 * i + 1] = V::add(z[2 * i + 1], V::load(r + VW));
                    }
                    V::store(o, z[2 * i]);
                    V::store(o + VW, z[2 * i + 1]);
                }
            }
        }
    }
    // rows W .. Wp are outside the window: zero, as the next layer's padding
    for (int w = 0; w < nwin; w++)
        for (int r = m.W; r < m.Wp; r++) {
            float* o = out + (size_t(w) * S + P + r) * C;
            for (int c = 0; c < C; c++)
                o[c] = 0.0f;
        }
}

template <class V>
inline void fused_conv(const conv_view& m,
                       const float* x,
                       const int32_t* t,
                       int nwin,
                       float* eps,
                       float* xbuf,
                       float* bufA,
                       float* bufB)
{
    constexpr int VW = V::width;
    const int C = m.C, S = m.S, P = m.P, W = m.W;
    for (int w = 0; w < nwin; w++)
        for (int r = 0; r < W; r++) {
            xbuf[(size_t(w) * S + P + r) * 2] = x[(size_t(w) * W + r) * 2];
            xbuf[(size_t(w) * S + P + r) * 2 + 1] = x[(size_t(w) * W + r) * 2 + 1];
        }
    conv_layer<V>(m, 0, xbuf, t, nwin, bufA, false);
    float* cur = bufA;
    float* nxt = bufB;
    for (int l = 1; l < m.L; l++) {
        conv_layer<V>(m, l, cur, t, nwin, nxt, true);
        float* s = cur;
        cur = nxt;
        nxt = s;
    }
    // output: 1x1 conv C -> 2
    for (int w = 0; w < nwin; w++)
        for (int r = 0; r < W; r++) {
            const float* h = cur + (size_t(w) * S + P + r) * C;
            V s0 = V::set1(0.0f), s1 = V::set1(0.0f);
            for (int k = 0; k < C; k += VW) {
                const V hv = V::load(h + k);
                s0 = V::fmadd(hv, V::load(m.wout + k), s0);
                s1 = V::fmadd(hv, V::load(m.wout + C + k), s1);
            }
            eps[(size_t(w) * W + r) * 2] = V::hsum(s0) + m.bout0;
            eps[(size_t(w) * W + r) * 2 + 1] = V::hsum(s1) + m.bout1;
        }
}

#endif // FUSED_CONV_KERNEL_BODY
