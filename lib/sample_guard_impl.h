/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_SAMPLE_GUARD_IMPL_H
#define INCLUDED_DIFFUSION_SAMPLE_GUARD_IMPL_H

#include <gnuradio/diffusion/sample_guard.h>
#include <atomic>

namespace gr {
namespace diffusion {

class sample_guard_impl : public sample_guard
{
private:
    double d_max_mag;
    float d_max2; // max_magnitude^2 as float (inf when it exceeds float range)
    std::atomic<uint64_t> d_replaced{ 0 };
    std::atomic<uint64_t> d_bursts{ 0 };
    bool d_in_burst = false;
    const pmt::pmt_t d_key;

    static void check(double v);

public:
    explicit sample_guard_impl(double max_magnitude);
    ~sample_guard_impl() override;

    void set_max_magnitude(double max_magnitude) override;
    double max_magnitude() const override;
    uint64_t replaced_count() const override { return d_replaced.load(); }
    uint64_t burst_count() const override { return d_bursts.load(); }

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_SAMPLE_GUARD_IMPL_H */
