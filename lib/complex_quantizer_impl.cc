/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "complex_quantizer_impl.h"
#include <gnuradio/io_signature.h>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gr {
namespace diffusion {

complex_quantizer::sptr
complex_quantizer::make(int bits, double full_scale, quantizer_mode_t mode)
{
    return gnuradio::make_block_sptr<complex_quantizer_impl>(bits, full_scale, mode);
}

namespace {
void check_full_scale(double fs)
{
    if (!(fs > 0.0) || !std::isfinite(fs))
        throw std::invalid_argument(
            "complex_quantizer: full_scale must be finite and > 0, got " +
            std::to_string(fs));
}
} // namespace

complex_quantizer_impl::complex_quantizer_impl(int bits,
                                               double full_scale,
                                               quantizer_mode_t mode)
    : gr::sync_block("complex_quantizer",
                     gr::io_signature::make(1, 1, sizeof(gr_complex)),
                     gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_bits(bits),
      d_full_scale(full_scale),
      d_mode(mode)
{
    if (mode != QUANT_MID_RISE && mode != QUANT_MID_TREAD)
        throw std::invalid_argument(
            "complex_quantizer: mode must be QUANT_MID_RISE (0) or QUANT_MID_TREAD (1), "
            "got " +
            std::to_string(static_cast<int>(mode)));
    check_bits(bits);
    check_full_scale(full_scale);
}

complex_quantizer_impl::~complex_quantizer_impl() {}

void complex_quantizer_impl::check_bits(int bits) const
{
    const int lo = d_mode == QUANT_MID_TREAD ? 2 : 1;
    if (bits < lo || bits > 16)
        throw std::invalid_argument(
            "complex_quantizer: bits must be in " + std::to_string(lo) + "..16" +
            (d_mode == QUANT_MID_TREAD
                 ? " for mid-tread (1 bit leaves the single level 0)"
                 : "") +
            ", got " + std::to_string(bits));
}

int complex_quantizer_impl::levels_for(int bits) const
{
    return d_mode == QUANT_MID_TREAD ? (1 << bits) - 1 : (1 << bits);
}

void complex_quantizer_impl::set_bits(int bits)
{
    check_bits(bits);
    gr::thread::scoped_lock l(d_setlock);
    d_bits = bits;
}

int complex_quantizer_impl::bits() const
{
    gr::thread::scoped_lock l(setlock());
    return d_bits;
}

void complex_quantizer_impl::set_full_scale(double full_scale)
{
    check_full_scale(full_scale);
    gr::thread::scoped_lock l(d_setlock);
    d_full_scale = full_scale;
}

double complex_quantizer_impl::full_scale() const
{
    gr::thread::scoped_lock l(setlock());
    return d_full_scale;
}

int complex_quantizer_impl::levels() const
{
    gr::thread::scoped_lock l(setlock());
    return levels_for(d_bits);
}

double complex_quantizer_impl::step() const
{
    gr::thread::scoped_lock l(setlock());
    return 2.0 * d_full_scale / levels_for(d_bits);
}

int complex_quantizer_impl::work(int noutput_items,
                                 gr_vector_const_void_star& input_items,
                                 gr_vector_void_star& output_items)
{
    gr::thread::scoped_lock l(d_setlock);

    // Rails as plain float arrays: x[2i] = I, x[2i+1] = Q (std::complex layout).
    const auto x = static_cast<const float*>(input_items[0]);
    auto y = static_cast<float*>(output_items[0]);
    const int n = 2 * noutput_items;

    const double L = levels_for(d_bits);
    const double delta = 2.0 * d_full_scale / L;
    const double inv_delta = 1.0 / delta;
    const double half_L = 0.5 * L;
    const double kmax = L - 1.0;
    const double center = 0.5 * (L - 1.0);

    // k = clamp(floor(x / Delta + L/2), 0, L-1); q = (k - (L-1)/2) Delta.
    // Double precision keeps the cell decision exact to well below 1/1000 of a cell at
    // 16 bits; fmax/fmin (not std::max) also send a NaN rail to the lowest cell.
    for (int i = 0; i < n; i++) {
        double k = std::floor(static_cast<double>(x[i]) * inv_delta + half_L);
        k = std::fmin(std::fmax(k, 0.0), kmax);
        y[i] = static_cast<float>((k - center) * delta);
    }
    return noutput_items;
}

} /* namespace diffusion */
} /* namespace gr */
