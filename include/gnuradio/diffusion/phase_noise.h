/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_PHASE_NOISE_H
#define INCLUDED_DIFFUSION_PHASE_NOISE_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>
#include <cstdint>

namespace gr {
namespace diffusion {

/*!
 * \brief Wiener (random-walk) oscillator phase noise.
 * \ingroup diffusion
 *
 * \details
 * out[n] = in[n] exp(j theta[n]), theta[0] = 0,
 * theta[n] = theta[n-1] + w[n], w[n] ~ N(0, 2 pi linewidth_ts) i.i.d. (radians^2).
 *
 * linewidth_ts = beta Ts is the two-sided 3-dB linewidth beta (Hz) of the Lorentzian
 * oscillator spectrum times the sample period Ts (s), i.e. beta / sample_rate. Hence
 * Var(theta[n+L] - theta[n]) = 2 pi beta Ts L. Example: beta = 100 kHz at 10 Msamples/s
 * gives linewidth_ts = 0.01.
 *
 * Conventions (gr-diffusion): unit-power constellations, Es/N0 in dB, noise variance
 * per complex sample. This block adds no noise power: |out| = |in| exactly (up to float
 * rounding), it changes phases only, so unit-power constellations stay unit-power. The
 * phase is kept in double precision and wrapped to [-pi, pi).
 *
 * Reproducible: the same seed gives the same output (independent of how the scheduler
 * splits the stream). Setters are thread-safe; a new linewidth applies to the increments
 * that follow, the phase stays continuous.
 */
class DIFFUSION_API phase_noise : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<phase_noise> sptr;

    /*!
     * \brief Make a Wiener phase-noise block.
     *
     * \param linewidth_ts 3-dB linewidth times sample period, beta Ts (finite, >= 0).
     * \param seed RNG seed (>= 0); the same seed reproduces the same phase trajectory.
     *
     * Throws std::invalid_argument (ValueError in Python) naming the bad parameter.
     */
    static sptr make(double linewidth_ts = 1e-4, int64_t seed = 0);

    //! Set beta Ts (increment variance 2 pi beta Ts).
    virtual void set_linewidth_ts(double linewidth_ts) = 0;
    virtual double linewidth_ts() const = 0;
    //! Phase (radians, wrapped to [-pi, pi)) that the next output sample will get.
    virtual double phase() const = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_PHASE_NOISE_H */
