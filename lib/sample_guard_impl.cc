/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "sample_guard_impl.h"
#include <gnuradio/io_signature.h>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace gr {
namespace diffusion {

sample_guard::sptr sample_guard::make(double max_magnitude)
{
    return gnuradio::make_block_sptr<sample_guard_impl>(max_magnitude);
}

void sample_guard_impl::check(double v)
{
    if (!(std::isfinite(v) && v > 0.0))
        throw std::invalid_argument(
            "sample_guard: max_magnitude must be finite and > 0, got " +
            std::to_string(v));
}

sample_guard_impl::sample_guard_impl(double max_magnitude)
    : gr::sync_block("sample_guard",
                     gr::io_signature::make(1, 1, sizeof(gr_complex)),
                     gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_key(pmt::mp("sample_guard"))
{
    check(max_magnitude);
    d_max_mag = max_magnitude;
    d_max2 = static_cast<float>(
        std::fmin(max_magnitude * max_magnitude, std::numeric_limits<double>::max()));
}

sample_guard_impl::~sample_guard_impl() {}

void sample_guard_impl::set_max_magnitude(double max_magnitude)
{
    check(max_magnitude);
    gr::thread::scoped_lock l(d_setlock);
    d_max_mag = max_magnitude;
    d_max2 = static_cast<float>(
        std::fmin(max_magnitude * max_magnitude, std::numeric_limits<double>::max()));
}

double sample_guard_impl::max_magnitude() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_max_mag;
}

int sample_guard_impl::work(int noutput_items,
                            gr_vector_const_void_star& input_items,
                            gr_vector_void_star& output_items)
{
    gr::thread::scoped_lock l(d_setlock);
    const auto in = static_cast<const gr_complex*>(input_items[0]);
    auto out = static_cast<gr_complex*>(output_items[0]);
    const float max2 = d_max2;
    constexpr float tiny = std::numeric_limits<float>::min();
    const uint64_t w0 = nitems_written(0);
    for (int i = 0; i < noutput_items; i++) {
        float re = in[i].real(), im = in[i].imag();
        // |x|^2 in double: finite for every finite float pair, NaN/Inf otherwise
        const double p = static_cast<double>(re) * re + static_cast<double>(im) * im;
        if (!(p <= static_cast<double>(max2))) {
            out[i] = gr_complex(0.0f, 0.0f);
            const uint64_t n = ++d_replaced;
            if (!d_in_burst) {
                d_in_burst = true;
                const uint64_t b = ++d_bursts;
                add_item_tag(0, w0 + i, d_key, pmt::from_uint64(n));
                if (b <= 10 || b % 1000 == 0)
                    d_logger->warn(
                        "burst {} of non-finite or absurd samples (|x| > {}) from "
                        "item {}: replaced by 0{}",
                        b,
                        d_max_mag,
                        w0 + i,
                        b == 10 ? " (further bursts: every 1000th logged)" : "");
            }
            continue;
        }
        d_in_burst = false;
        if (std::abs(re) < tiny)
            re = 0.0f;
        if (std::abs(im) < tiny)
            im = 0.0f;
        out[i] = gr_complex(re, im);
    }
    return noutput_items;
}

} // namespace diffusion
} // namespace gr
