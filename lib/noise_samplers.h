/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_NOISE_SAMPLERS_H
#define INCLUDED_DIFFUSION_NOISE_SAMPLERS_H

// Fast single-precision samplers on top of fast_rng (internal header of the impairment
// blocks additive_noise and phase_noise). One 64-bit draw per complex Gaussian: the
// Box-Muller radius uses 37 bits (Rayleigh tail truncated at P < 1e-11), the phase 24
// bits; the 3 low (weakest) bits of xoshiro256+ are discarded.

#include "fast_rng.h"
#include <cmath>
#include <complex>
#include <cstdint>

namespace gr {
namespace diffusion {
namespace noise {

constexpr float k_two_pi = 6.28318530717958647692f;

//! circularly-symmetric complex Gaussian with E|z|^2 = 1 (1/2 per rail)
inline std::complex<float> unit_complex_gaussian(fast_rng& rng)
{
    const uint64_t u = rng.next_u64();
    const float u1 = static_cast<float>(static_cast<int64_t>((u >> 27) + 1)) * 0x1.0p-37f;
    const float phi = static_cast<float>(static_cast<int32_t>((u >> 3) & 0xffffff)) *
                      (k_two_pi * 0x1.0p-24f);
    const float r = std::sqrt(-std::log(u1));
    float s, c;
    ::sincosf(phi, &s, &c);
    return { r * c, r * s };
}

//! standard Laplacian (scale b = 1, variance 2) from one 64-bit draw (60-bit magnitude)
inline float unit_laplacian(fast_rng& rng)
{
    const uint64_t u = rng.next_u64();
    const float v = static_cast<float>(static_cast<int64_t>(
                        ((u >> 3) & ((uint64_t(1) << 60) - 1)) + 1)) *
                    0x1.0p-60f;
    const float mag = -std::log(v);
    return (u >> 63) ? -mag : mag;
}

} // namespace noise
} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_NOISE_SAMPLERS_H */
