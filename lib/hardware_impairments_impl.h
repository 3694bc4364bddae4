/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_IMPL_H
#define INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_IMPL_H

#include "fast_rng.h"
#include <gnuradio/diffusion/hardware_impairments.h>
#include <vector>

namespace gr {
namespace diffusion {

class hardware_impairments_impl : public hardware_impairments
{
public:
    static constexpr int max_window = 1 << 24; //!< POWER_MEASURED ring: 151 MB at most

private:
    double d_kappa;
    const power_mode_t d_power_mode;
    double d_nominal_power;
    const int d_window;
    fast_rng d_rng;

    // POWER_MEASURED state: ring of the last d_window values of |in|^2 (0 where the
    // sample was not finite or absurd), their validity, sum and number of valid entries.
    std::vector<double> d_ring;
    std::vector<uint8_t> d_valid;
    double d_ring_sum = 0.0;
    int d_ring_idx = 0;
    int d_ring_valid = 0;
    bool d_warned = false;
    static constexpr double max_power = 1e30; // |x|^2 above this: left out (absurd)

    gr::thread::mutex& setlock() const
    {
        return const_cast<gr::thread::mutex&>(d_setlock);
    }

public:
    hardware_impairments_impl(double kappa,
                              power_mode_t power_mode,
                              double nominal_power,
                              int window,
                              int seed);
    ~hardware_impairments_impl() override;

    void set_kappa(double kappa) override;
    double kappa() const override;
    void set_nominal_power(double nominal_power) override;
    double nominal_power() const override;
    power_mode_t power_mode() const override { return d_power_mode; }
    int window() const override { return d_window; }

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_IMPL_H */
