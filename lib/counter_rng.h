/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_COUNTER_RNG_H
#define INCLUDED_DIFFUSION_COUNTER_RNG_H

// Counter-based random numbers for the stochastic samplers (internal header): the noise
// drawn for stream item `item` at reverse step `step` is a pure function of
// (seed, item, step), so a block's output does not depend on how the scheduler chunks the
// stream, how batches are split across threads, or which engine runs the network.
// Bit-exact twin: python/diffusion/core/counter_rng.py (NumPy).
//
//   k    = mix(mix(mix(seed + G) ^ item) ^ (step + G2))     mix = splitmix64 finaliser
//   a, b = mix(k + G), mix(k + 2 G)
//   u1   = ((a >> 11) + 1) 2^-53  in (0, 1],  u2 = (b >> 11) 2^-53  in [0, 1)
//   z    = sqrt(-ln u1) (cos 2 pi u2 + i sin 2 pi u2)       complex, E|z|^2 = 1

#include <cmath>
#include <complex>
#include <cstdint>

namespace gr {
namespace diffusion {
namespace counter_rng {

constexpr uint64_t G = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t G2 = 0xd1b54a32d192ed03ULL;

inline uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

//! per-seed key (hoist out of loops)
inline uint64_t seed_key(uint64_t seed) { return mix(seed + G); }

inline std::complex<double>
complex_gaussian_k(uint64_t skey, uint64_t item, uint64_t step)
{
    const uint64_t k = mix(mix(skey ^ item) ^ (step + G2));
    const uint64_t a = mix(k + G), b = mix(k + 2 * G);
    const double u1 = double((a >> 11) + 1) * 0x1.0p-53;
    const double u2 = double(b >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-std::log(u1));
    const double phi = 2.0 * M_PI * u2;
    return { r * std::cos(phi), r * std::sin(phi) };
}

//! circularly-symmetric complex Gaussian, E|z|^2 = 1, for (seed, item, step)
inline std::complex<double> complex_gaussian(uint64_t seed, uint64_t item, uint64_t step)
{
    return complex_gaussian_k(seed_key(seed), item, step);
}

} // namespace counter_rng
} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_COUNTER_RNG_H */
