/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_ZF_EQUALIZER_H
#define INCLUDED_DIFFUSION_ZF_EQUALIZER_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>

namespace gr {
namespace diffusion {

/*!
 * \brief Zero-forcing equalizer with known channel gain, also giving the effective noise
 * variance of every equalized sample.
 * \ingroup diffusion
 *
 * Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
 * noise variance per complex sample (E|n|^2).
 *
 * Inputs: 0 = y (received samples), 1 = h (complex channel gain, e.g. output 1 of
 * diffusion.block_fading). Outputs: 0 = z (complex), 1 = sigma2_eff (float):
 *   z[n]          = scale * y[n] / h[n]
 *   sigma2_eff[n] = distortion_var + noise_var / |h[n]|^2
 * Both variances are in units of the equalized symbols z, i.e. already multiplied by
 * scale^2: distortion_var is the part that scales with the signal (transceiver
 * distortion, does not depend on h after equalization), noise_var the part that does
 * not (thermal noise, enhanced by 1/|h|^2).
 *
 * For the link y = h (sqrt(p) s + eta_t) + eta_r + n with eta_t ~ CN(0, kappa_t p),
 * eta_r ~ CN(0, kappa_r p |h|^2), n ~ CN(0, sigma_n^2):
 *   scale = 1/sqrt(p),  distortion_var = kappa_t + kappa_r,  noise_var = sigma_n^2 / p
 * so that z = s + e with E|e|^2 = sigma2_eff. With E|h|^2 = 1, noise_var = 1/(Es/N0)
 * = 10^(-EsN0_dB/10).
 *
 * Deep fades: if |h[n]|^2 < 1e-30 (or h is NaN) the sample is declared erased:
 * z = 0 and sigma2_eff = 1e30. sigma2_eff is capped at 1e30 in all cases, a finite
 * stand-in for "infinite" that keeps downstream soft demappers (LLR ~ 1/sigma2) finite.
 */
class DIFFUSION_API zf_equalizer : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<zf_equalizer> sptr;

    //! Largest sigma2_eff output, and the value for an erased sample (|h|^2 < 1e-30).
    static constexpr float SIGMA2_MAX = 1e30f;

    /*!
     * \param distortion_var signal-proportional variance after equalization (>= 0),
     *        e.g. kappa_t + kappa_r
     * \param noise_var noise variance in equalized-symbol units before the 1/|h|^2
     *        enhancement (>= 0), e.g. sigma_n^2 / p
     * \param scale real factor applied to z (> 0), e.g. 1/sqrt(p)
     * \throws std::invalid_argument naming the offending parameter
     */
    static sptr
    make(double distortion_var = 0.0, double noise_var = 0.0, double scale = 1.0);

    //! Thread-safe setters (same limits as make); new values apply from the next work
    //! call.
    virtual void set_distortion_var(double distortion_var) = 0;
    virtual double distortion_var() const = 0;
    virtual void set_noise_var(double noise_var) = 0;
    virtual double noise_var() const = 0;
    virtual void set_scale(double scale) = 0;
    virtual double scale() const = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_ZF_EQUALIZER_H */
