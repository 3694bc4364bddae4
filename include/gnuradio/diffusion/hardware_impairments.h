/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_H
#define INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>

namespace gr {
namespace diffusion {

//! Where hardware_impairments takes the signal power P from.
enum power_mode_t {
    POWER_NOMINAL = 0,  //!< P = the nominal_power parameter (the paper's model)
    POWER_MEASURED = 1, //!< P = moving average of |in|^2 over the last `window` samples
};

/*!
 * \brief Aggregate transceiver hardware impairments (Bjornson et al.): additive
 * distortion proportional to the signal power.
 * \ingroup diffusion
 *
 * Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
 * noise/distortion variance given per complex sample (E|eta|^2, i.e. half per rail).
 *
 * One input (transmitter side, or any side with h = 1):
 *   out[n] = in[n] + eta[n],          eta[n] ~ CN(0, kappa * P)
 *
 * Two inputs (in = x, the signal before the channel; in1 = h, the complex channel gain,
 * e.g. output 1 of diffusion.block_fading): the block applies the channel and the
 * receiver distortion,
 *   out[n] = h[n] x[n] + eta_r[n],    eta_r[n] ~ CN(0, kappa * |h[n]|^2 * P)
 * i.e. y = h x + eta_r with eta_r ~ CN(0, kappa_r |h|^2 P_x). P is always the power of
 * input 0 (x, unscaled by h). Whether input 1 is connected is detected at flowgraph
 * start.
 *
 * kappa is the distortion-to-signal power ratio: kappa = E|eta|^2 / P = EVM^2
 * (kappa = 0.05 <=> EVM = sqrt(0.05) = 22.4 %; kappa = 0.15 <=> EVM = 38.7 %).
 * Papers that write the variance as kappa^2 P (kappa = EVM) need kappa_here = kappa^2.
 * The published link y = h (sqrt(p) s + eta_t) + eta_r + n with kappa_t = 0.05 and
 * kappa_r = 0.15 is built as: TX block with kappa = 0.05, nominal_power = p (one input);
 * then RX block with kappa = 0.15, nominal_power = p, input 0 = the TX block's output,
 * input 1 = h. (With POWER_MEASURED the RX block measures P_x = p (1 + kappa_t), which
 * adds the second-order term kappa_r kappa_t p |h|^2.)
 *
 * POWER_MEASURED: P[n] = mean of |in[m]|^2 over m = n-window+1 .. n (the current sample
 * included; over the samples seen so far during the first window-1 samples).
 *
 * The noise uses one complex Gaussian draw per sample from a generator seeded by `seed`:
 * the output depends only on the input and the seed, never on how the scheduler splits
 * the stream.
 */
class DIFFUSION_API hardware_impairments : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<hardware_impairments> sptr;

    /*!
     * \param kappa distortion-to-signal power ratio (linear, >= 0; EVM^2)
     * \param power_mode POWER_NOMINAL (0) or POWER_MEASURED (1)
     * \param nominal_power P for POWER_NOMINAL (linear, >= 0; 1 for unit-power symbols)
     * \param window moving-average length in samples for POWER_MEASURED, 1 .. 2^24
     *        (16777216; the ring of past powers is allocated up front)
     * \param seed random seed (same seed and input -> same output)
     * \throws std::invalid_argument on a negative/non-finite kappa or nominal_power,
     *         window outside 1 .. 2^24, or an unknown power_mode
     */
    static sptr make(double kappa = 0.05,
                     power_mode_t power_mode = POWER_NOMINAL,
                     double nominal_power = 1.0,
                     int window = 1024,
                     int seed = 0);

    //! Set kappa (linear distortion-to-signal power ratio, >= 0). Thread-safe.
    virtual void set_kappa(double kappa) = 0;
    virtual double kappa() const = 0;

    //! Set the nominal signal power P used by POWER_NOMINAL (>= 0). Thread-safe.
    virtual void set_nominal_power(double nominal_power) = 0;
    virtual double nominal_power() const = 0;

    virtual power_mode_t power_mode() const = 0;
    virtual int window() const = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_H */
