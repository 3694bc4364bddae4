/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_OFDM_CHANNEL_DENOISER_IMPL_H
#define INCLUDED_DIFFUSION_OFDM_CHANNEL_DENOISER_IMPL_H

#include "ofdm_channel_prior.h"
#include <gnuradio/diffusion/ofdm_channel_denoiser.h>
#include <atomic>
#include <limits>
#include <map>
#include <mutex>

namespace gr {
namespace diffusion {

// Thin over ofdm_channel_prior (lib/ofdm_channel_prior.h): tags in, tags out (and, on the
// optional output 1, the rewritten taps as a stream: one item per taps tag).
class ofdm_channel_denoiser_impl : public ofdm_channel_denoiser
{
private:
    ofdm_channel_prior d_prior;
    channel_power_tracker d_power;
    ofdm_channel_prior::mode_t d_mode;
    mutable std::mutex d_mutex;
    double d_noise_var;
    pmt::pmt_t d_taps_key, d_carr_key, d_noise_key; // d_noise_key: PMT_NIL (no tag)
    std::atomic<uint64_t> d_frames{ 0 }, d_rewritten{ 0 }, d_fallbacks{ 0 },
        d_untapped{ 0 }, d_bad_taps{ 0 }, d_bad_samples{ 0 }, d_noise_tags{ 0 },
        d_bad_noise_tags{ 0 };
    std::atomic<double> d_last_s2{ std::numeric_limits<double>::quiet_NaN() },
        d_last_p{ std::numeric_limits<double>::quiet_NaN() };
    bool d_warned_notaps = false, d_warned_taps = false, d_warned_samples = false,
         d_warned_misfit = false, d_warned_net = false, d_warned_taplen = false,
         d_warned_noise_tag = false;
    std::vector<gr_complex> d_taps;
    void handle_noise_msg(const pmt::pmt_t& msg);
    void apply_noise_tag(const gr::tag_t& t);
    // one frame (an item tagged taps_key): rewrites d_taps; false when the tag is not
    // fft_len complex taps (passed unchanged)
    bool denoise_tag(const gr::tag_t& t, const gr_complex* symbol, int carr_offset);

public:
    ofdm_channel_denoiser_impl(const std::string& model_path,
                               int fft_len,
                               int cp_len,
                               const std::vector<std::vector<int>>& occupied_carriers,
                               const std::vector<std::vector<int>>& pilot_carriers,
                               double noise_var,
                               double channel_power,
                               double power_alpha,
                               const std::string& mode,
                               const std::string& engine,
                               const std::string& taps_key,
                               const std::string& carr_offset_key,
                               const std::string& noise_tag_key);

    void set_noise_var(double noise_var) override;
    double noise_var() const override;
    uint64_t frames() const override { return d_frames; }
    uint64_t rewritten() const override { return d_rewritten; }
    uint64_t fallbacks() const override { return d_fallbacks; }
    uint64_t untapped_frames() const override { return d_untapped; }
    uint64_t nonfinite_taps() const override { return d_bad_taps; }
    uint64_t nonfinite_samples() const override { return d_bad_samples; }
    uint64_t noise_tags() const override { return d_noise_tags; }
    uint64_t bad_noise_tags() const override { return d_bad_noise_tags; }
    double last_noise_var() const override { return d_last_s2; }
    double last_channel_power() const override { return d_last_p; }
    std::string engine_name() const override { return d_prior.engine().engine_name(); }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_OFDM_CHANNEL_DENOISER_IMPL_H */
