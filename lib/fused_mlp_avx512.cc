/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// AVX-512F instantiation of the fused MLP kernel (compiled with -mavx512f -mfma; only
// called after a run-time CPU check).

#include "fused_conv_kernel.h"
#include "fused_mlp_kernel.h"
#if defined(__AVX512F__) && defined(__FMA__)
#include <immintrin.h>

namespace gr {
namespace diffusion {
namespace {

struct v16 {
    static constexpr int width = 16;
    __m512 v;
    static v16 mk(__m512 x) { return v16{ x }; }
    static v16 set1(float f) { return mk(_mm512_set1_ps(f)); }
    static v16 load(const float* p) { return mk(_mm512_loadu_ps(p)); }
    static void store(float* p, v16 a) { _mm512_storeu_ps(p, a.v); }
    static v16 add(v16 a, v16 b) { return mk(_mm512_add_ps(a.v, b.v)); }
    static v16 sub(v16 a, v16 b) { return mk(_mm512_sub_ps(a.v, b.v)); }
    static v16 mul(v16 a, v16 b) { return mk(_mm512_mul_ps(a.v, b.v)); }
    static v16 fmadd(v16 a, v16 b, v16 c) { return mk(_mm512_fmadd_ps(a.v, b.v, c.v)); }
    static v16 max(v16 a, v16 b) { return mk(_mm512_max_ps(a.v, b.v)); }
    static v16 abs(v16 a)
    {
        return mk(_mm512_castsi512_ps(
            _mm512_and_si512(_mm512_castps_si512(a.v), _mm512_set1_epi32(0x7fffffff))));
    }
    static v16 round(v16 a)
    {
        return mk(
            _mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
    static v16 pow2n(v16 n)
    {
        const __m512i i = _mm512_cvtps_epi32(n.v);
        return mk(_mm512_castsi512_ps(
            _mm512_slli_epi32(_mm512_add_epi32(i, _mm512_set1_epi32(127)), 23)));
    }
    static v16 div(v16 a, v16 b) { return mk(_mm512_div_ps(a.v, b.v)); }
    static v16 exp2_bits(v16 t)
    {
        return mk(_mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(t.v), 23)));
    }
    // masks carried as all-ones / zero float lanes (same protocol as AVX2)
    static v16 gt(v16 a, v16 b)
    {
        const __mmask16 k = _mm512_cmp_ps_mask(a.v, b.v, _CMP_GT_OQ);
        return mk(_mm512_castsi512_ps(_mm512_maskz_set1_epi32(k, -1)));
    }
    static v16 select(v16 m, v16 a, v16 b)
    {
        const __mmask16 k =
            _mm512_test_epi32_mask(_mm512_castps_si512(m.v), _mm512_castps_si512(m.v));
        return mk(_mm512_mask_blend_ps(k, b.v, a.v));
    }
    static float hsum(v16 a) { return _mm512_reduce_add_ps(a.v); }
};

#define FUSED_MLP_KERNEL_BODY
#include "fused_mlp_kernel.h"
#define FUSED_CONV_KERNEL_BODY
#include "fused_conv_kernel.h"

} // namespace

void fused_tile_avx512(const mlp_view& m,
                       const float* x,
                       const int32_t* t,
                       int rows,
                       float* eps,
                       float* a,
                       float* b,
                       int32_t* tpad)
{
    fused_tile<v16>(m, x, t, rows, eps, a, b, tpad);
}

void fused_conv_avx512(const conv_view& m,
                       const float* x,
                       const int32_t* t,
                       int nwin,
                       float* eps,
                       float* xbuf,
                       float* a,
                       float* b)
{
    fused_conv<v16>(m, x, t, nwin, eps, xbuf, a, b);
}

} // namespace diffusion
} // namespace gr

#else // built without the ISA flags (non-x86 target): never selected at run time
#include <cstdlib>
void gr::diffusion::fused_tile_avx512(FUSED_TILE_ARGS) { std::abort(); }
void gr::diffusion::fused_conv_avx512(FUSED_CONV_ARGS) { std::abort(); }
#endif
