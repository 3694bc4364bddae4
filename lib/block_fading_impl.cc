/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "block_fading_impl.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gr {
namespace diffusion {

namespace {
void check_k(double k)
{
    if (!(k >= 0.0) || !std::isfinite(k))
        throw std::invalid_argument("block_fading: k_factor must be finite and >= 0 "
                                    "(linear, 0 = Rayleigh), got " +
                                    std::to_string(k));
}
} // namespace

block_fading::sptr block_fading::make(int coherence_length, double k_factor, int seed)
{
    return gnuradio::make_block_sptr<block_fading_impl>(coherence_length, k_factor, seed);
}

block_fading_impl::block_fading_impl(int coherence_length, double k_factor, int seed)
    : gr::sync_block("block_fading",
                     gr::io_signature::make(1, 1, sizeof(gr_complex)),
                     gr::io_signature::make(1, 2, sizeof(gr_complex))),
      d_L(coherence_length),
      d_k_factor(k_factor),
      d_rng(static_cast<uint64_t>(static_cast<int64_t>(seed))),
      d_key(pmt::intern("fading_block")),
      d_srcid(pmt::intern(alias()))
{
    if (coherence_length < 1)
        throw std::invalid_argument("block_fading: coherence_length must be >= 1, got " +
                                    std::to_string(coherence_length));
    check_k(k_factor);
}

block_fading_impl::~block_fading_impl() {}

void block_fading_impl::set_k_factor(double k_factor)
{
    check_k(k_factor);
    gr::thread::scoped_lock l(d_setlock);
    d_k_factor = k_factor;
}

double block_fading_impl::k_factor() const
{
    gr::thread::scoped_lock l(setlock());
    return d_k_factor;
}

int block_fading_impl::work(int noutput_items,
                            gr_vector_const_void_star& input_items,
                            gr_vector_void_star& output_items)
{
    gr::thread::scoped_lock l(d_setlock);

    const auto in = static_cast<const gr_complex*>(input_items[0]);
    auto out = static_cast<gr_complex*>(output_items[0]);
    gr_complex* hout =
        output_items.size() > 1 ? static_cast<gr_complex*>(output_items[1]) : nullptr;

    const uint64_t L = static_cast<uint64_t>(d_L);
    const float los = static_cast<float>(std::sqrt(d_k_factor / (d_k_factor + 1.0)));
    const double nlos_var = 1.0 / (d_k_factor + 1.0);

    uint64_t abs = nitems_written(0);
    int i = 0;
    while (i < noutput_items) {
        const uint64_t pos = abs % L;
        if (pos == 0) {
            // First sample of block abs / L: draw its gain and mark it on every output.
            d_h = gr_complex(los, 0.0f) + d_rng.complex_gaussian(nlos_var);
            const pmt::pmt_t value = pmt::from_uint64(abs / L);
            for (size_t p = 0; p < output_items.size(); p++)
                add_item_tag(p, abs, d_key, value, d_srcid);
        }
        const int n = static_cast<int>(std::min<uint64_t>(L - pos, noutput_items - i));
        const float hr = d_h.real(), hi = d_h.imag();
        for (int k = i; k < i + n; k++) {
            const float xr = in[k].real(), xi = in[k].imag();
            out[k] = gr_complex(hr * xr - hi * xi, hr * xi + hi * xr);
        }
        if (hout)
            std::fill(hout + i, hout + i + n, d_h);
        i += n;
        abs += n;
    }
    return noutput_items;
}

} /* namespace diffusion */
} /* namespace gr */
