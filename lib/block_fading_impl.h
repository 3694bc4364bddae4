/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_BLOCK_FADING_IMPL_H
#define INCLUDED_DIFFUSION_BLOCK_FADING_IMPL_H

#include "fast_rng.h"
#include <gnuradio/diffusion/block_fading.h>
#include <pmt/pmt.h>

namespace gr {
namespace diffusion {

class block_fading_impl : public block_fading
{
private:
    const int d_L;
    double d_k_factor;
    fast_rng d_rng;
    gr_complex d_h{ 0.0f, 0.0f }; // gain of the current block
    const pmt::pmt_t d_key;
    const pmt::pmt_t d_srcid;

    gr::thread::mutex& setlock() const
    {
        return const_cast<gr::thread::mutex&>(d_setlock);
    }

public:
    block_fading_impl(int coherence_length, double k_factor, int seed);
    ~block_fading_impl() override;

    void set_k_factor(double k_factor) override;
    double k_factor() const override;
    int coherence_length() const override { return d_L; }

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_BLOCK_FADING_IMPL_H */
