/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "noise_samplers.h"
#include "phase_noise_impl.h"
#include <gnuradio/io_signature.h>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gr {
namespace diffusion {

phase_noise::sptr phase_noise::make(double linewidth_ts, int64_t seed)
{
    return gnuradio::make_block_sptr<phase_noise_impl>(linewidth_ts, seed);
}

void phase_noise_impl::check_linewidth(double v)
{
    // beta Ts beyond ~1 already makes the phase uniform from one sample to the next; the
    // bound keeps the random-walk step (sqrt(2 pi beta Ts)) far inside float phase range.
    if (!(std::isfinite(v) && v >= 0.0 && v <= 1e6))
        throw std::invalid_argument(
            "phase_noise: linewidth_ts must be in [0, 1e6], got " + std::to_string(v));
}

phase_noise_impl::phase_noise_impl(double linewidth_ts, int64_t seed)
    : gr::sync_block("phase_noise",
                     gr::io_signature::make(1, 1, sizeof(gr_complex)),
                     gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_linewidth_ts(linewidth_ts),
      d_step_std(0.0),
      d_theta(0.0),
      d_rng(static_cast<uint64_t>(seed)),
      d_have_spare(false),
      d_spare(0.0f)
{
    check_linewidth(linewidth_ts);
    if (seed < 0)
        throw std::invalid_argument("phase_noise: seed must be >= 0, got " +
                                    std::to_string(seed));
    d_step_std = std::sqrt(2.0 * M_PI * linewidth_ts);
}

phase_noise_impl::~phase_noise_impl() {}

void phase_noise_impl::set_linewidth_ts(double linewidth_ts)
{
    check_linewidth(linewidth_ts);
    gr::thread::scoped_lock l(d_setlock);
    d_linewidth_ts = linewidth_ts;
    d_step_std = std::sqrt(2.0 * M_PI * linewidth_ts);
}

double phase_noise_impl::linewidth_ts() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_linewidth_ts;
}

double phase_noise_impl::phase() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_theta;
}

int phase_noise_impl::work(int noutput_items,
                           gr_vector_const_void_star& input_items,
                           gr_vector_void_star& output_items)
{
    const gr_complex* in = static_cast<const gr_complex*>(input_items[0]);
    gr_complex* out = static_cast<gr_complex*>(output_items[0]);

    gr::thread::scoped_lock l(d_setlock);

    // Standard normals come in pairs from one complex Gaussian (E|z|^2 = 1, so each rail
    // times sqrt(2) is N(0,1)); the spare survives across work() calls, keeping the
    // output independent of how the stream is split.
    const double step = d_step_std * M_SQRT2;
    double theta = d_theta;
    bool have_spare = d_have_spare;
    float spare = d_spare;
    constexpr double pi = M_PI;
    constexpr double two_pi = 2.0 * M_PI;

    for (int i = 0; i < noutput_items; i++) {
        float s, c;
        ::sincosf(static_cast<float>(theta), &s, &c);
        out[i] = in[i] * gr_complex(c, s);

        float w;
        if (have_spare) {
            w = spare;
            have_spare = false;
        } else {
            const gr_complex z = noise::unit_complex_gaussian(d_rng);
            w = z.real();
            spare = z.imag();
            have_spare = true;
        }
        theta += step * w;
        if (theta >= pi || theta < -pi) {
            theta -= two_pi * std::floor((theta + pi) / two_pi);
        }
    }

    d_theta = theta;
    d_have_spare = have_spare;
    d_spare = spare;
    return noutput_items;
}

} /* namespace diffusion */
} /* namespace gr */
