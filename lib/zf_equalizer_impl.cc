/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "zf_equalizer_impl.h"
#include <gnuradio/io_signature.h>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gr {
namespace diffusion {

namespace {
// |h|^2 below this (or NaN) is an erasure.
constexpr double MIN_GAIN2 = 1e-30;

void check_var(double v, const char* name)
{
    if (!(v >= 0.0) || !std::isfinite(v))
        throw std::invalid_argument(std::string("zf_equalizer: ") + name +
                                    " must be finite and >= 0, got " + std::to_string(v));
}

void check_scale(double s)
{
    if (!(s > 0.0) || !std::isfinite(s))
        throw std::invalid_argument("zf_equalizer: scale must be finite and > 0, got " +
                                    std::to_string(s));
}
} // namespace

zf_equalizer::sptr
zf_equalizer::make(double distortion_var, double noise_var, double scale)
{
    return gnuradio::make_block_sptr<zf_equalizer_impl>(distortion_var, noise_var, scale);
}

zf_equalizer_impl::zf_equalizer_impl(double distortion_var,
                                     double noise_var,
                                     double scale)
    : gr::sync_block("zf_equalizer",
                     gr::io_signature::make(2, 2, sizeof(gr_complex)),
                     gr::io_signature::makev(
                         1, 2, std::vector<int>{ sizeof(gr_complex), sizeof(float) })),
      d_distortion_var(distortion_var),
      d_noise_var(noise_var),
      d_scale(scale)
{
    check_var(distortion_var, "distortion_var");
    check_var(noise_var, "noise_var");
    check_scale(scale);
}

zf_equalizer_impl::~zf_equalizer_impl() {}

void zf_equalizer_impl::set_distortion_var(double distortion_var)
{
    check_var(distortion_var, "distortion_var");
    gr::thread::scoped_lock l(d_setlock);
    d_distortion_var = distortion_var;
}

double zf_equalizer_impl::distortion_var() const
{
    gr::thread::scoped_lock l(setlock());
    return d_distortion_var;
}

void zf_equalizer_impl::set_noise_var(double noise_var)
{
    check_var(noise_var, "noise_var");
    gr::thread::scoped_lock l(d_setlock);
    d_noise_var = noise_var;
}

double zf_equalizer_impl::noise_var() const
{
    gr::thread::scoped_lock l(setlock());
    return d_noise_var;
}

void zf_equalizer_impl::set_scale(double scale)
{
    check_scale(scale);
    gr::thread::scoped_lock l(d_setlock);
    d_scale = scale;
}

double zf_equalizer_impl::scale() const
{
    gr::thread::scoped_lock l(setlock());
    return d_scale;
}

int zf_equalizer_impl::work(int noutput_items,
                            gr_vector_const_void_star& input_items,
                            gr_vector_void_star& output_items)
{
    gr::thread::scoped_lock l(d_setlock);

    const auto y = static_cast<const gr_complex*>(input_items[0]);
    const auto h = static_cast<const gr_complex*>(input_items[1]);
    auto z = static_cast<gr_complex*>(output_items[0]);
    float* s2 = output_items.size() > 1 ? static_cast<float*>(output_items[1]) : nullptr;

    const double dvar = d_distortion_var;
    const double nvar = d_noise_var;
    const double scale = d_scale;
    const double smax = SIGMA2_MAX;

    // Double precision: y / h for |h| down to 1e-15 neither under- nor overflows here.
    for (int i = 0; i < noutput_items; i++) {
        const double hr = h[i].real(), hi = h[i].imag();
        const double g2 = hr * hr + hi * hi;
        const double c = scale / g2;
        const double yr = y[i].real(), yi = y[i].imag();
        // y / h = y conj(h) / |h|^2
        const float zr = static_cast<float>(c * (yr * hr + yi * hi));
        const float zi = static_cast<float>(c * (yi * hr - yr * hi));
        // erasure: |h| tiny, h or y not finite (NaN, Inf) or a quotient beyond float
        // range
        if (!(g2 >= MIN_GAIN2) || !std::isfinite(g2) || !std::isfinite(zr) ||
            !std::isfinite(zi)) {
            z[i] = gr_complex(0.0f, 0.0f);
            if (s2)
                s2[i] = SIGMA2_MAX;
            continue;
        }
        z[i] = gr_complex(zr, zi);
        if (s2)
            s2[i] = static_cast<float>(std::fmin(dvar + nvar / g2, smax));
    }
    return noutput_items;
}

} /* namespace diffusion */
} /* namespace gr */
