/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_PHASE_NOISE_IMPL_H
#define INCLUDED_DIFFUSION_PHASE_NOISE_IMPL_H

#include "fast_rng.h"
#include <gnuradio/diffusion/phase_noise.h>

namespace gr {
namespace diffusion {

class phase_noise_impl : public phase_noise
{
private:
    double d_linewidth_ts;
    double d_step_std; // sqrt(2 pi linewidth_ts)
    double d_theta;    // phase of the next output sample, in [-pi, pi)
    fast_rng d_rng;
    bool d_have_spare; // Box-Muller gives two normals: the second one is kept here
    float d_spare;

    static void check_linewidth(double v);

public:
    phase_noise_impl(double linewidth_ts, int64_t seed);
    ~phase_noise_impl() override;

    void set_linewidth_ts(double linewidth_ts) override;
    double linewidth_ts() const override;
    double phase() const override;

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_PHASE_NOISE_IMPL_H */
