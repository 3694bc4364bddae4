/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_ADDITIVE_NOISE_H
#define INCLUDED_DIFFUSION_ADDITIVE_NOISE_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>
#include <cstdint>

namespace gr {
namespace diffusion {

/*!
 * \brief Additive noise at a given Es/N0: Gaussian, Laplacian or impulsive.
 * \ingroup diffusion
 *
 * \details
 * out[n] = in[n] + w[n], complex in and out.
 *
 * Conventions (gr-diffusion): constellations have unit average power; Es/N0 is in dB;
 * the noise variance is per complex sample,
 *   sigma^2 = E|w|^2 = signal_power / 10^(esn0_db/10),
 * i.e. sigma^2/2 per real rail. With the default signal_power = 1, Es/N0 = 1/sigma^2.
 * Every noise type has the same total variance sigma^2, only the distribution differs:
 *
 * - GAUSSIAN: circularly-symmetric CN(0, sigma^2).
 * - LAPLACIAN: independent real Laplacian on I and Q, each with variance sigma^2/2
 *   (scale b = sigma/2, excess kurtosis 3 per rail). Not circularly symmetric: this
 *   is the "per-rail" choice, which keeps rails independent like the Gaussian case.
 * - BERNOULLI_GAUSSIAN: impulsive. Each sample independently carries, with
 *   probability impulse_prob = p, an impulse of variance impulse_ratio = R times the
 *   background variance on top of the background. Background variance
 *   sigma_b^2 = sigma^2 / (1 + p R), so that the total variance is sigma^2; impulsive
 *   samples are CN(0, (1 + R) sigma_b^2), the others CN(0, sigma_b^2).
 * - MIDDLETON_CLASS_A: impulsive index A = middleton_a, Gaussian-to-impulsive power
 *   ratio Gamma = middleton_gamma. Per sample, m ~ Poisson(A) interferers are active
 *   and w ~ CN(0, sigma^2 (m/A + Gamma) / (1 + Gamma)); total variance sigma^2. The
 *   Poisson series is truncated at the first m whose upper tail is below 1e-12 (the
 *   remaining mass goes to that last term); 0 < A <= 100, Gamma >= 0.
 *
 * Run-time control: message port "esn0_db" takes a number (new Es/N0 in dB), or a
 * pair/dict with key "esn0_db" (Es/N0 in dB) or key "noise_var" (sigma^2 directly,
 * >= 0). Invalid messages are logged as warnings and ignored.
 *
 * Output tags: key "noise_var", value sigma^2 (pmt double), on the first output sample
 * and on the first sample produced with a new noise variance after every change.
 *
 * Reproducible: the same seed gives the same output for the same input (independent of
 * how the scheduler splits the stream). Setters are thread-safe.
 */
class DIFFUSION_API additive_noise : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<additive_noise> sptr;

    //! Noise distributions (all with total variance sigma^2 per complex sample).
    enum noise_t {
        GAUSSIAN = 0,
        LAPLACIAN = 1,
        BERNOULLI_GAUSSIAN = 2,
        MIDDLETON_CLASS_A = 3,
    };

    /*!
     * \brief Make an additive noise block.
     *
     * \param esn0_db Es/N0 in dB (finite).
     * \param noise_type noise distribution, see noise_t.
     * \param signal_power Es, mean input power per complex sample (> 0, default 1).
     * \param impulse_prob Bernoulli-Gaussian impulse probability p, in [0, 1].
     * \param impulse_ratio Bernoulli-Gaussian impulse-to-background ratio R (>= 0).
     * \param middleton_a Middleton class A impulsive index A, in (0, 100].
     * \param middleton_gamma Middleton class A Gaussian-to-impulsive power ratio (>= 0).
     * \param seed RNG seed (>= 0); the same seed reproduces the same noise.
     *
     * Throws std::invalid_argument (ValueError in Python) naming the bad parameter.
     */
    static sptr make(double esn0_db = 10.0,
                     noise_t noise_type = GAUSSIAN,
                     double signal_power = 1.0,
                     double impulse_prob = 0.01,
                     double impulse_ratio = 100.0,
                     double middleton_a = 0.1,
                     double middleton_gamma = 0.01,
                     int64_t seed = 0);

    //! Set Es/N0 in dB (sigma^2 = signal_power / 10^(esn0_db/10)).
    virtual void set_esn0_db(double esn0_db) = 0;
    virtual double esn0_db() const = 0;
    //! Set sigma^2 (per complex sample) directly; Es/N0 follows (+inf dB for 0).
    virtual void set_noise_var(double noise_var) = 0;
    //! Current sigma^2 per complex sample.
    virtual double noise_var() const = 0;
    //! Set Es (keeps Es/N0, so sigma^2 scales with it).
    virtual void set_signal_power(double signal_power) = 0;
    virtual double signal_power() const = 0;
    virtual void set_noise_type(noise_t noise_type) = 0;
    virtual noise_t noise_type() const = 0;
    virtual void set_impulse_prob(double impulse_prob) = 0;
    virtual double impulse_prob() const = 0;
    virtual void set_impulse_ratio(double impulse_ratio) = 0;
    virtual double impulse_ratio() const = 0;
    virtual void set_middleton_a(double middleton_a) = 0;
    virtual double middleton_a() const = 0;
    virtual void set_middleton_gamma(double middleton_gamma) = 0;
    virtual double middleton_gamma() const = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_ADDITIVE_NOISE_H */
