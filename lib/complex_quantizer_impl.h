/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_COMPLEX_QUANTIZER_IMPL_H
#define INCLUDED_DIFFUSION_COMPLEX_QUANTIZER_IMPL_H

#include <gnuradio/diffusion/complex_quantizer.h>

namespace gr {
namespace diffusion {

class complex_quantizer_impl : public complex_quantizer
{
private:
    int d_bits;
    double d_full_scale;
    const quantizer_mode_t d_mode;

    gr::thread::mutex& setlock() const
    {
        return const_cast<gr::thread::mutex&>(d_setlock);
    }
    int levels_for(int bits) const;
    void check_bits(int bits) const;

public:
    complex_quantizer_impl(int bits, double full_scale, quantizer_mode_t mode);
    ~complex_quantizer_impl() override;

    void set_bits(int bits) override;
    int bits() const override;
    void set_full_scale(double full_scale) override;
    double full_scale() const override;
    quantizer_mode_t mode() const override { return d_mode; }
    int levels() const override;
    double step() const override;

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_COMPLEX_QUANTIZER_IMPL_H */
