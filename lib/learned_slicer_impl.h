/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_LEARNED_SLICER_IMPL_H
#define INCLUDED_DIFFUSION_LEARNED_SLICER_IMPL_H

#include "label_mixture.h"
#include <gnuradio/diffusion/learned_slicer.h>
#include <gnuradio/thread/thread.h>
#include <pmt/pmt.h>

namespace gr {
namespace diffusion {

class learned_slicer_impl : public learned_slicer
{
private:
    label_mixture d_mix;
    bool d_sigma2_input;
    double d_sigma2;
    uint64_t d_erasures = 0;
    bool d_warned_nan = false, d_warned_s2 = false;
    mutable gr::thread::mutex d_mutex;
    pmt::pmt_t d_key_noise, d_key_erasure;

    static label_mixture build(const std::string& model_path,
                               const std::vector<gr_complex>& centroids,
                               const std::vector<float>& spread,
                               const std::vector<int>& labels);
    bool valid_s2(double v);

public:
    learned_slicer_impl(const std::string& model_path,
                        const std::vector<gr_complex>& centroids,
                        const std::vector<float>& spread,
                        const std::vector<int>& labels,
                        double sigma2,
                        bool sigma2_input,
                        bool max_log);

    void set_sigma2(double sigma2) override;
    double sigma2() const override;
    int bits_per_symbol() const override { return d_mix.bits_per_symbol(); }
    int order() const override { return d_mix.order(); }
    bool max_log() const override { return d_mix.max_log(); }
    std::vector<gr_complex> centroids() const override { return d_mix.centroids(); }
    uint64_t erasures() const override;

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_LEARNED_SLICER_IMPL_H */
