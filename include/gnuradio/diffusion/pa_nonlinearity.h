/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_PA_NONLINEARITY_H
#define INCLUDED_DIFFUSION_PA_NONLINEARITY_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>

namespace gr {
namespace diffusion {

/*!
 * \brief Memoryless power-amplifier nonlinearity (Rapp or Saleh) at a given input
 * back-off. \ingroup diffusion
 *
 * \details
 * Complex in, complex out, deterministic, no memory. Conventions (gr-diffusion):
 * unit-power constellations (the input is assumed to have mean power E|x|^2 = 1), Es/N0
 * and back-offs in dB, noise variance per complex sample (this block adds no noise).
 *
 * Input back-off. The input is first scaled by the real constant
 *   k = sqrt(P_sat,in * 10^(-ibo_db/10)),
 * so that a unit-power input has mean power exactly ibo_db dB below the saturation input
 * power P_sat,in of the model (ibo_db may be negative: overdrive). Then, with r = k|x|
 * and phi = arg(x), out = F(r) exp(j (phi + Phi(r))):
 *
 * - RAPP (solid-state PA, no AM/PM): F(r) = g r / (1 + (g r / A_sat)^(2p))^(1/(2p)),
 *   Phi = 0. g = gain (small-signal amplitude gain), A_sat = saturation (output
 *   saturation amplitude), p = smoothness (> 0; large p -> ideal clipper).
 *   P_sat,in = (A_sat/g)^2: the input power at which the linear gain reaches A_sat.
 * - SALEH (TWT amplifier): F(r) = alpha_a r / (1 + beta_a r^2),
 *   Phi(r) = alpha_p r^2 / (1 + beta_p r^2) (radians). Defaults are Saleh's classic
 *   (2.1587, 1.1517, 4.0033, 9.1040). P_sat,in = 1/beta_a: F peaks there, at
 *   alpha_a / (2 sqrt(beta_a)). gain, saturation and smoothness are not used.
 *
 * Output normalisation (normalize_output = true): the output is divided by
 * sqrt(E|F(k x)|^2) computed for a unit-power circularly-symmetric complex Gaussian
 * input x (numerical quadrature, recomputed when a parameter changes). The output then
 * has unit mean power for Gaussian-like (OFDM) input, and close to unit power for
 * dense constellations; it is a constant, so the block stays memoryless and
 * deterministic. With normalize_output = false the raw PA output is produced.
 *
 * Setters are thread-safe.
 */
class DIFFUSION_API pa_nonlinearity : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<pa_nonlinearity> sptr;

    //! PA models.
    enum model_t {
        RAPP = 0,
        SALEH = 1,
    };

    /*!
     * \brief Make a PA nonlinearity block.
     *
     * \param model RAPP or SALEH.
     * \param ibo_db input back-off in dB relative to the saturation input power (finite).
     * \param gain Rapp small-signal amplitude gain g (> 0).
     * \param saturation Rapp output saturation amplitude A_sat (> 0).
     * \param smoothness Rapp smoothness p (> 0).
     * \param alpha_a Saleh AM/AM alpha_a (> 0).
     * \param beta_a Saleh AM/AM beta_a (> 0).
     * \param alpha_p Saleh AM/PM alpha_p (radians, finite).
     * \param beta_p Saleh AM/PM beta_p (>= 0).
     * \param normalize_output scale the output to unit power (see above).
     *
     * Throws std::invalid_argument (ValueError in Python) naming the bad parameter.
     */
    static sptr make(model_t model = RAPP,
                     double ibo_db = 3.0,
                     double gain = 1.0,
                     double saturation = 1.0,
                     double smoothness = 2.0,
                     double alpha_a = 2.1587,
                     double beta_a = 1.1517,
                     double alpha_p = 4.0033,
                     double beta_p = 9.1040,
                     bool normalize_output = false);

    virtual void set_model(model_t model) = 0;
    virtual model_t model() const = 0;
    //! Input back-off in dB.
    virtual void set_ibo_db(double ibo_db) = 0;
    virtual double ibo_db() const = 0;
    //! Rapp parameters g, A_sat, p.
    virtual void set_rapp_params(double gain, double saturation, double smoothness) = 0;
    virtual double gain() const = 0;
    virtual double saturation() const = 0;
    virtual double smoothness() const = 0;
    //! Saleh parameters alpha_a, beta_a, alpha_p, beta_p.
    virtual void
    set_saleh_params(double alpha_a, double beta_a, double alpha_p, double beta_p) = 0;
    virtual double alpha_a() const = 0;
    virtual double beta_a() const = 0;
    virtual double alpha_p() const = 0;
    virtual double beta_p() const = 0;
    virtual void set_normalize_output(bool normalize_output) = 0;
    virtual bool normalize_output() const = 0;
    //! Input scale k currently applied (linear amplitude).
    virtual double input_scale() const = 0;
    //! Output scale currently applied (1 unless normalize_output).
    virtual double output_scale() const = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_PA_NONLINEARITY_H */
