/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Internal: the fused MLP tile kernel, a template over a SIMD wrapper V (see the
// fused_mlp_{portable,avx2,avx512}.cc translation units, each compiled with its own ISA
// flags). Included inside an anonymous namespace there, so every instantiation has
// internal linkage (no ODR mixing of ISAs); uses no standard-library templates.

#ifndef INCLUDED_DIFFUSION_FUSED_MLP_KERNEL_VIEW_H
#define INCLUDED_DIFFUSION_FUSED_MLP_KERNEL_VIEW_H
#include <cstdint>
namespace gr {
namespace diffusion {
//! raw view of the packed weights handed to a kernel
struct mlp_view {
    static constexpr int max_depth = 8;
    int H, depth, nr;
    const float* w0c0;             // layer 1, column 0 of W [H]
    const float* w0c1;             // layer 1, column 1 of W [H]
    const float* b[max_depth];     // biases [H]
    const float* E[max_depth];     // embeddings [(T+1) * H]
    const float* panel[max_depth]; // layer l >= 2: W packed [H/nr][H_in][nr]
    const float* wout;             // [2][H]
    float bout0, bout1;
};
// (view, x [rows, 2], t [rows], rows, eps [rows, 2], bufA, bufB [rows_pad * H], tpad
// [rows_pad])
#define FUSED_TILE_ARGS \
    const mlp_view&, const float*, const int32_t*, int, float*, float*, float*, int32_t*
using tile_fn = void (*)(FUSED_TILE_ARGS);
void fused_tile_portable(FUSED_TILE_ARGS);
void fused_tile_avx2(FUSED_TILE_ARGS);
void fused_tile_avx512(FUSED_TILE_ARGS);
} // namespace diffusion
} // namespace gr
#endif

#ifdef FUSED_MLP_KERNEL_BODY

// ---- softplus(z) = max(z, 0) + log1p(exp(-|z|)) on N vectors at once, stage by stage,
// so the N dependency chains interleave (one chain alone is latency-bound).
//   exp(-a), a >= 0: n = round(-a log2 e) by the 1.5 * 2^23 shift trick, Cody-Waite
//     reduction, degree-5 polynomial (Cephes expf coefficients), scale by 2^n from the
//     bits.
//   log1p(u), u in (0, 1]: 2 atanh(s), s = u / (2 + u) in (0, 1/3]: odd series to s^13
//     (truncation < 2e-8 relative); no 1 + u is formed, so tiny u stay exact.
// Max error of softplus against float64: ~2 ulp of the result (checked in qa_fused_mlp).
template <class V, int N>
inline void v_softplus_n(V* z)
{
    V a[N], u[N], f[N];
#pragma GCC unroll 8
    for (int i = 0; i < N; i++) {
        a[i] = V::max(V::sub(V::set1(0.0f), V::abs(z[i])), V::set1(-87.0f)); // -|z|
        // t = round(a log2 e) + 1.5 * 2^23 + 127: low mantissa bits hold n + 127
        u[i] = V::fmadd(a[i], V::set1(1.44269504088896341f), V::set1(12583039.0f));
    }
#pragma GCC unroll 8
    for (int i = 0; i < N; i++) {
        f[i] = V::sub(u[i], V::set1(12583039.0f)); // n
        a[i] = V::fmadd(f[i], V::set1(-0.693359375f), a[i]);
        a[i] = V::fmadd(f[i], V::set1(2.12194440e-4f), a[i]); // r in [-ln2/2, ln2/2]
    }
#pragma GCC unroll 8
    for (int i = 0; i < N; i++) {
        V y = V::fmadd(V::set1(1.9875691500E-4f), a[i], V::set1(1.3981999507E-3f));
        y = V::fmadd(y, a[i], V::set1(8.3334519073E-3f));
        y = V::fmadd(y, a[i], V::set1(4.1665795894E-2f));
        y = V::fmadd(y, a[i], V::set1(1.6666665459E-1f));
        y = V::fmadd(y, a[i], V::set1(5.0000001201E-1f));
        y = V::fmadd(y, V::mul(a[i], a[i]), V::add(a[i], V::set1(1.0f)));
        u[i] = V::mul(y, V::exp2_bits(u[i])); // u = exp(-|z|)
    }
#pragma GCC unroll 8
    for (int i = 0; i < N; i++)
        f[i] = V::div(u[i], V::add(u[i], V::set1(2.0f))); // s
#pragma GCC unroll 8
    for (int i = 0; i < N; i++) {
        const V s2 = V::mul(f[i], f[i]);
        V p = V::fmadd(s2, V::set1(2.0f / 13.0f), V::set1(2.0f / 11.0f));
        p = V::fmadd(p, s2, V::set1(2.0f / 9.0f));
        p = V::fmadd(p, s2, V::set1(2.0f / 7.0f));
        p = V::fmadd(p, s2, V::set1(2.0f / 5.0f));
        p = V::fmadd(p, s2, V::set1(2.0f / 3.0f));
        p = V::fmadd(p, s2, V::set1(2.0f));
        z[i] = V::fmadd(p, f[i], V::max(z[i], V::set1(0.0f)));
    }
}

template <class V>
inline V v_softplus(V z)
{
    v_softplus_n<V, 1>(&z);
    return z;
}

constexpr int MR = 6; // rows per register block

// One hidden layer over rows_pad (multiple of MR) rows: out = softplus(E[t] * (in W^T +
// b)).
template <class V>
inline void hidden_layer(
    const mlp_view& m, int l, const float* in, const int32_t* t, int rows_pad, float* out)
{
    constexpr int W = V::width;
    const int H = m.H, NR = 2 * W;
    const float* pan = m.panel[l];
    const float* bias = m.b[l];
    const float* E = m.E[l];
    for (int p = 0; p < H / NR; p++) {
        const float* wp = pan + p * H * NR;
        const int j0 = p * NR;
        const V b0 = V::load(bias + j0), b1 = V::load(bias + j0 + W);
        for (int rb = 0; rb < rows_pad; rb += MR) {
            V acc0[MR], acc1[MR];
#pragma GCC unroll 6
            for (int i = 0; i < MR; i++) {
                acc0[i] = b0;
                acc1[i] = b1;
            }
            const float* h = in + rb * H;
#pragma GCC unroll 4
            for (int k = 0; k < H; k++) {
                const V w0 = V::load(wp + k * NR), w1 = V::load(wp + k * NR + W);
#pragma GCC unroll 6
                for (int i = 0; i < MR; i++) {
                    const V a = V::set1(h[i * H + k]);
                    acc0[i] = V::fmadd(a, w0, acc0[i]);
                    acc1[i] = V::fmadd(a, w1, acc1[i]);
                }
            }
            // epilogue in registers: embedding multiply, softplus (4 chains at a time)
            V z[2 * MR];
#pragma GCC unroll 6
            for (int i = 0; i < MR; i++) {
                const float* e = E + t[rb + i] * H + j0;
                z[2 * i] = V::mul(acc0[i], V::load(e));
                z[2 * i + 1] = V::mul(acc1[i], V::load(e + W));
            }
            v_softplus_n<V, 4>(z);
            v_softplus_n<V, 4>(z + 4);
            v_softplus_n<V, 4>(z + 8);
#pragma GCC unroll 6
            for (int i = 0; i < MR; i++) {
                float* o = out + (rb + i) * H + j0;
                V::store(o, z[2 * i]);
                V::store(o + W, z[2 * i + 1]);
            }
        }
    }
}

// rows <= tile rows; x [rows, 2], t [rows], eps [rows, 2]; bufA/bufB [rows_pad * H]
template <class V>
inline void fused_tile(const mlp_view& m,
                       const float* x,
                       const int32_t* t_in,
                       int rows,
                       float* eps,
                       float* bufA,
                       float* bufB,
                       int32_t* tpad)
{
    constexpr int W = V::width;
    const int H = m.H;
    const int rows_pad = (rows + MR - 1) / MR * MR;
    for (int r = 0; r < rows_pad; r++)
        tpad[r] = r < rows ? t_in[r] : 0;
    // layer 1: 2 -> H (outer product), embedding multiply, softplus
    for (int r = 0; r < rows_pad; r++) {
        const V x0 = V::set1(r < rows ? x[2 * r] : 0.0f);
        const V x1 = V::set1(r < rows ? x[2 * r + 1] : 0.0f);
        const float* e = m.E[0] + tpad[r] * H;
        float* o = bufA + r * H;
        for (int j = 0; j < H; j += 4 * W) { // H is a multiple of 32
            V z[4];
#pragma GCC unroll 4
            for (int q = 0; q < 4; q++) {
                const int jj = j + q * W;
                z[q] = V::fmadd(V::load(m.w0c0 + jj), x0, V::load(m.b[0] + jj));
                z[q] = V::mul(V::fmadd(V::load(m.w0c1 + jj), x1, z[q]), V::load(e + jj));
            }
            v_softplus_n<V, 4>(z);
#pragma GCC unroll 4
            for (int q = 0; q < 4; q++)
                V::store(o + j + q * W, z[q]);
        }
    }
    float* cur = bufA;
    float* nxt = bufB;
    for (int l = 1; l < m.depth; l++) {
        hidden_layer<V>(m, l, cur, tpad, rows_pad, nxt);
        float* s = cur;
        cur = nxt;
        nxt = s;
    }
    // output layer: H -> 2
    for (int r = 0; r < rows; r++) {
        const float* h = cur + r * H;
        V s0 = V::set1(0.0f), s1 = V::set1(0.0f);
        for (int k = 0; k < H; k += W) {
            const V hv = V::load(h + k);
            s0 = V::fmadd(hv, V::load(m.wout + k), s0);
            s1 = V::fmadd(hv, V::load(m.wout + H + k), s1);
        }
        eps[2 * r] = V::hsum(s0) + m.bout0;
        eps[2 * r + 1] = V::hsum(s1) + m.bout1;
    }
}

#endif // FUSED_MLP_KERNEL_BODY
