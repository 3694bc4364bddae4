/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "learned_slicer_impl.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gr {
namespace diffusion {

using lock_t = gr::thread::scoped_lock;

learned_slicer::sptr learned_slicer::make(const std::string& model_path,
                                          const std::vector<gr_complex>& centroids,
                                          const std::vector<float>& spread,
                                          const std::vector<int>& labels,
                                          double sigma2,
                                          bool sigma2_input,
                                          bool max_log)
{
    return gnuradio::make_block_sptr<learned_slicer_impl>(
        model_path, centroids, spread, labels, sigma2, sigma2_input, max_log);
}

label_mixture learned_slicer_impl::build(const std::string& model_path,
                                         const std::vector<gr_complex>& centroids,
                                         const std::vector<float>& spread,
                                         const std::vector<int>& labels)
{
    if (!model_path.empty())
        return label_mixture::from_metadata(label_mixture::read_metadata(model_path),
                                            model_path);
    if (centroids.empty())
        throw std::invalid_argument(
            "learned_slicer: give a model_path or the label centroids");
    try {
        return label_mixture(
            centroids, std::vector<double>(spread.begin(), spread.end()), labels);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("learned_slicer: ") + e.what());
    }
}

learned_slicer_impl::learned_slicer_impl(const std::string& model_path,
                                         const std::vector<gr_complex>& centroids,
                                         const std::vector<float>& spread,
                                         const std::vector<int>& labels,
                                         double sigma2,
                                         bool sigma2_input,
                                         bool max_log)
    : gr::block("learned_slicer",
                gr::io_signature::makev(sigma2_input ? 2 : 1,
                                        sigma2_input ? 2 : 1,
                                        { sizeof(gr_complex), sizeof(float) }),
                gr::io_signature::makev(1, 2, { sizeof(uint8_t), sizeof(float) })),
      d_mix(build(model_path, centroids, spread, labels)),
      d_sigma2_input(sigma2_input),
      d_sigma2(sigma2),
      d_key_noise(pmt::intern("noise_var")),
      d_key_erasure(pmt::intern("erasure"))
{
    if (d_mix.order() > 256)
        throw std::invalid_argument(
            "learned_slicer: at most 256 labels (uint8 output), got " +
            std::to_string(d_mix.order()));
    if (!(std::isfinite(sigma2) && sigma2 >= 0.0))
        throw std::invalid_argument(
            "learned_slicer: sigma2 must be finite and >= 0, got " +
            std::to_string(sigma2));
    d_mix.set_max_log(max_log);
    set_output_multiple(d_mix.bits_per_symbol());
    set_tag_propagation_policy(TPP_DONT);
}

bool learned_slicer_impl::valid_s2(double v)
{
    if (std::isfinite(v) && v >= 0.0)
        return true;
    if (!d_warned_s2) {
        d_logger->warn("learned_slicer: invalid sigma2 {} (must be finite and >= 0): "
                       "keeping {} (warned once)",
                       v,
                       d_sigma2);
        d_warned_s2 = true;
    }
    return false;
}

void learned_slicer_impl::set_sigma2(double s2)
{
    lock_t l(d_mutex);
    if (valid_s2(s2))
        d_sigma2 = s2;
}

double learned_slicer_impl::sigma2() const
{
    lock_t l(d_mutex);
    return d_sigma2;
}

uint64_t learned_slicer_impl::erasures() const
{
    lock_t l(d_mutex);
    return d_erasures;
}

void learned_slicer_impl::forecast(int noutput_items,
                                   gr_vector_int& ninput_items_required)
{
    // noutput_items is bounded by the space of every connected output: the LLR output
    // needs k items per symbol, so at most noutput_items / k symbols (>= 1, output
    // multiple k) are produced.
    const int k = d_mix.bits_per_symbol();
    const int n = std::max(1, noutput_items / k);
    for (auto& r : ninput_items_required)
        r = n;
}

int learned_slicer_impl::general_work(int noutput_items,
                                      gr_vector_int& ninput_items,
                                      gr_vector_const_void_star& input_items,
                                      gr_vector_void_star& output_items)
{
    lock_t l(d_mutex);
    const int k = d_mix.bits_per_symbol();
    const bool have_llr = output_items.size() > 1;
    int n = *std::min_element(ninput_items.begin(), ninput_items.end());
    n = std::min(n, have_llr ? noutput_items / k : noutput_items);
    if (n <= 0)
        return 0;
    const auto* y = static_cast<const gr_complex*>(input_items[0]);
    const float* s2in =
        d_sigma2_input ? static_cast<const float*>(input_items[1]) : nullptr;
    auto* idx = static_cast<uint8_t*>(output_items[0]);
    float* llr = have_llr ? static_cast<float*>(output_items[1]) : nullptr;
    std::vector<float> scratch(have_llr ? 0 : k);

    std::vector<gr::tag_t> tags;
    const uint64_t base = nitems_read(0);
    get_tags_in_range(tags, 0, base, base + n, d_key_noise);
    std::sort(tags.begin(), tags.end(), gr::tag_t::offset_compare);
    size_t ti = 0;
    for (int i = 0; i < n; i++) {
        while (ti < tags.size() && tags[ti].offset <= base + i) {
            if (pmt::is_number(tags[ti].value)) {
                const double v = pmt::to_double(tags[ti].value);
                if (valid_s2(v))
                    d_sigma2 = v;
            }
            ti++;
        }
        double s2 = d_sigma2;
        if (s2in) {
            const double v = s2in[i];
            if (valid_s2(v))
                s2 = d_sigma2 = v;
        }
        float* out_llr = have_llr ? llr + static_cast<size_t>(i) * k : scratch.data();
        const int m = d_mix.process(y[i], s2, out_llr);
        if (m < 0) {
            idx[i] = 0;
            d_erasures++;
            if (!d_warned_nan) {
                d_logger->warn("learned_slicer: non-finite input symbol at item {}: "
                               "LLRs 0 (erasure), index 0, tag 'erasure' (warned once)",
                               base + i);
                d_warned_nan = true;
            }
            add_item_tag(0, nitems_written(0) + i, d_key_erasure, pmt::PMT_T);
            if (have_llr)
                add_item_tag(1,
                             nitems_written(1) + static_cast<uint64_t>(i) * k,
                             d_key_erasure,
                             pmt::PMT_T);
        } else {
            idx[i] = static_cast<uint8_t>(m);
        }
    }
    consume_each(n);
    produce(0, n);
    if (have_llr)
        produce(1, n * k);
    return WORK_CALLED_PRODUCE;
}

} // namespace diffusion
} // namespace gr
