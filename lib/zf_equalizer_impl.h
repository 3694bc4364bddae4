/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_ZF_EQUALIZER_IMPL_H
#define INCLUDED_DIFFUSION_ZF_EQUALIZER_IMPL_H

#include <gnuradio/diffusion/zf_equalizer.h>

namespace gr {
namespace diffusion {

class zf_equalizer_impl : public zf_equalizer
{
private:
    double d_distortion_var;
    double d_noise_var;
    double d_scale;

    gr::thread::mutex& setlock() const
    {
        return const_cast<gr::thread::mutex&>(d_setlock);
    }

public:
    zf_equalizer_impl(double distortion_var, double noise_var, double scale);
    ~zf_equalizer_impl() override;

    void set_distortion_var(double distortion_var) override;
    double distortion_var() const override;
    void set_noise_var(double noise_var) override;
    double noise_var() const override;
    void set_scale(double scale) override;
    double scale() const override;

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_ZF_EQUALIZER_IMPL_H */
