/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// AVX2 + FMA instantiation of the fused MLP kernel (this file is compiled with -mavx2
// -mfma; it is only called after a run-time CPU check).

#include "fused_conv_kernel.h"
#include "fused_mlp_kernel.h"
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace gr {
namespace diffusion {
namespace {

struct v8 {
    static constexpr int width = 8;
    __m256 v;
    static v8 mk(__m256 x) { return v8{ x }; }
    static v8 set1(float f) { return mk(_mm256_set1_ps(f)); }
    static v8 load(const float* p) { return mk(_mm256_loadu_ps(p)); }
    static void store(float* p, v8 a) { _mm256_storeu_ps(p, a.v); }
    static v8 add(v8 a, v8 b) { return mk(_mm256_add_ps(a.v, b.v)); }
    static v8 sub(v8 a, v8 b) { return mk(_mm256_sub_ps(a.v, b.v)); }
    static v8 mul(v8 a, v8 b) { return mk(_mm256_mul_ps(a.v, b.v)); }
    static v8 fmadd(v8 a, v8 b, v8 c) { return mk(_mm256_fmadd_ps(a.v, b.v, c.v)); }
    static v8 max(v8 a, v8 b) { return mk(_mm256_max_ps(a.v, b.v)); }
    static v8 abs(v8 a) { return mk(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), a.v)); }
    static v8 round(v8 a)
    {
        return mk(_mm256_round_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
    static v8 pow2n(v8 n) // 2^n for integral n in [-126, 127]
    {
        const __m256i i = _mm256_cvtps_epi32(n.v);
        return mk(_mm256_castsi256_ps(
            _mm256_slli_epi32(_mm256_add_epi32(i, _mm256_set1_epi32(127)), 23)));
    }
    static v8 div(v8 a, v8 b) { return mk(_mm256_div_ps(a.v, b.v)); }
    //! 2^n from t = n + 127 + 1.5 * 2^23 (the shift trick): the low mantissa bits of t
    static v8 exp2_bits(v8 t)
    {
        return mk(_mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t.v), 23)));
    }
    static v8 gt(v8 a, v8 b) { return mk(_mm256_cmp_ps(a.v, b.v, _CMP_GT_OQ)); }
    static v8 select(v8 m, v8 a, v8 b) { return mk(_mm256_blendv_ps(b.v, a.v, m.v)); }
    static float hsum(v8 a)
    {
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(a.v), _mm256_extractf128_ps(a.v, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        s = _mm_add_ss(s, _mm_movehdup_ps(s));
        return _mm_cvtss_f32(s);
    }
};

#define FUSED_MLP_KERNEL_BODY
#include "fused_mlp_kernel.h"
#define FUSED_CONV_KERNEL_BODY
#include "fused_conv_kernel.h"

} // namespace

void fused_tile_avx2(const mlp_view& m,
                     const float* x,
                     const int32_t* t,
                     int rows,
                     float* eps,
                     float* a,
                     float* b,
                     int32_t* tpad)
{
    fused_tile<v8>(m, x, t, rows, eps, a, b, tpad);
}

void fused_conv_avx2(const conv_view& m,
                     const float* x,
                     const int32_t* t,
                     int nwin,
                     float* eps,
                     float* xbuf,
                     float* a,
                     float* b)
{
    fused_conv<v8>(m, x, t, nwin, eps, xbuf, a, b);
}

} // namespace diffusion
} // namespace gr

#else // built without the ISA flags (non-x86 target): never selected at run time
#include <cstdlib>
void gr::diffusion::fused_tile_avx2(FUSED_TILE_ARGS) { std::abort(); }
void gr::diffusion::fused_conv_avx2(FUSED_CONV_ARGS) { std::abort(); }
#endif
