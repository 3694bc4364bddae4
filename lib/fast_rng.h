/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_FAST_RNG_H
#define INCLUDED_DIFFUSION_FAST_RNG_H

// Small, fast, reproducible random numbers for the impairment blocks (internal header).
// xoshiro256+ (Blackman & Vigna) seeded through splitmix64; complex Gaussians by the
// Box-Muller transform (one complex sample from two uniforms, no rejection).

#include <cmath>
#include <complex>
#include <cstdint>

namespace gr {
namespace diffusion {

class fast_rng
{
public:
    explicit fast_rng(uint64_t seed = 0) { reseed(seed); }

    void reseed(uint64_t seed)
    {
        uint64_t z = seed;
        for (auto& s : d_s)
            s = splitmix64(z);
    }

    uint64_t next_u64()
    {
        const uint64_t result = d_s[0] + d_s[3];
        const uint64_t t = d_s[1] << 17;
        d_s[2] ^= d_s[0];
        d_s[3] ^= d_s[1];
        d_s[1] ^= d_s[2];
        d_s[0] ^= d_s[3];
        d_s[2] ^= t;
        d_s[3] = rotl(d_s[3], 45);
        return result;
    }

    //! uniform in [0, 1) with 53 random bits
    double uniform() { return (next_u64() >> 11) * 0x1.0p-53; }

    //! uniform in (0, 1]: safe argument for log()
    double uniform_open0() { return ((next_u64() >> 11) + 1) * 0x1.0p-53; }

    //! circularly-symmetric complex Gaussian with E|z|^2 = var (var/2 per rail)
    std::complex<float> complex_gaussian(double var = 1.0)
    {
        const double r = std::sqrt(-var * std::log(uniform_open0()));
        const double phi = 2.0 * M_PI * uniform();
        return { static_cast<float>(r * std::cos(phi)),
                 static_cast<float>(r * std::sin(phi)) };
    }

    //! real standard normal (uses one Box-Muller draw, discards the quadrature part)
    double gaussian()
    {
        const double r = std::sqrt(-2.0 * std::log(uniform_open0()));
        return r * std::cos(2.0 * M_PI * uniform());
    }

private:
    uint64_t d_s[4];

    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static uint64_t splitmix64(uint64_t& x)
    {
        uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_FAST_RNG_H */
