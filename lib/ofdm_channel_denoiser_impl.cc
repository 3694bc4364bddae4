/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "ofdm_channel_denoiser_impl.h"
#include <gnuradio/io_signature.h>
#include <cmath>
#include <set>
#include <stdexcept>

namespace gr {
namespace diffusion {

namespace {
const pmt::pmt_t PORT_NOISE = pmt::mp("noise");
const pmt::pmt_t KEY_NOISE_VAR = pmt::mp("noise_var");

ofdm_layout make_layout(int fft_len,
                        int cp_len,
                        const std::vector<std::vector<int>>& occ,
                        const std::vector<std::vector<int>>& pil)
{
    const ofdm_layout def = ofdm_layout::gnuradio_default();
    // GNU Radio's carrier argument: one list per symbol (cycled); the sync symbol's first
    try {
        return ofdm_layout(fft_len,
                           cp_len,
                           occ.empty() ? def.occupied : occ.front(),
                           pil.empty() ? def.pilots : pil.front());
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("ofdm_channel_denoiser: ") + e.what());
    }
}

ofdm_channel_prior::mode_t parse_mode(const std::string& m)
{
    if (m == "tweedie")
        return ofdm_channel_prior::TWEEDIE;
    if (m == "off")
        return ofdm_channel_prior::OFF;
    throw std::invalid_argument(
        "ofdm_channel_denoiser: mode must be 'tweedie' or 'off', got '" + m + "'");
}

void check_noise_var(double v)
{
    if (!(v >= 0.0) || !std::isfinite(v))
        throw std::invalid_argument("ofdm_channel_denoiser: noise_var must be finite and "
                                    ">= 0 (0: estimate), got " +
                                    std::to_string(v));
}

channel_power_tracker make_tracker(double alpha, double fixed)
{
    try {
        return channel_power_tracker(alpha, fixed);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("ofdm_channel_denoiser: ") + e.what());
    }
}

ofdm_channel_prior
make_prior(const std::string& path, const ofdm_layout& lay, const std::string& engine)
{
    try {
        return ofdm_channel_prior(path, lay, engine);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("ofdm_channel_denoiser: ") + e.what());
    }
}
} // namespace

ofdm_channel_denoiser::sptr
ofdm_channel_denoiser::make(const std::string& model_path,
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
                            const std::string& carr_offset_key)
{
    return gnuradio::make_block_sptr<ofdm_channel_denoiser_impl>(model_path,
                                                                 fft_len,
                                                                 cp_len,
                                                                 occupied_carriers,
                                                                 pilot_carriers,
                                                                 noise_var,
                                                                 channel_power,
                                                                 power_alpha,
                                                                 mode,
                                                                 engine,
                                                                 taps_key,
                                                                 carr_offset_key);
}

ofdm_channel_denoiser_impl::ofdm_channel_denoiser_impl(
    const std::string& model_path,
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
    const std::string& carr_offset_key)
    : gr::sync_block(
          "ofdm_channel_denoiser",
          gr::io_signature::make(1, 1, sizeof(gr_complex) * std::max(1, fft_len)),
          gr::io_signature::make(1, 1, sizeof(gr_complex) * std::max(1, fft_len))),
      d_prior(make_prior(model_path,
                         make_layout(fft_len, cp_len, occupied_carriers, pilot_carriers),
                         engine)),
      d_power(make_tracker(power_alpha, channel_power)),
      d_mode(parse_mode(mode)),
      d_noise_var(noise_var),
      d_taps_key(pmt::intern(taps_key)),
      d_carr_key(pmt::intern(carr_offset_key)),
      d_taps(fft_len)
{
    check_noise_var(noise_var);
    set_tag_propagation_policy(TPP_DONT);
    d_logger->info("{}", d_prior.engine().engine_note());
    message_port_register_in(PORT_NOISE);
    set_msg_handler(PORT_NOISE, [this](const pmt::pmt_t& msg) { handle_noise_msg(msg); });
}

void ofdm_channel_denoiser_impl::handle_noise_msg(const pmt::pmt_t& msg)
{
    // ('noise_var' . v) or a dict with noise_var: per carrier, FFT output units (0:
    // estimate); a bare number is refused (the DDPM denoiser's port reads it as Es/N0)
    pmt::pmt_t v = pmt::PMT_NIL;
    if (pmt::is_dict(msg))
        v = pmt::dict_ref(msg, KEY_NOISE_VAR, pmt::PMT_NIL);
    else if (pmt::is_pair(msg) && pmt::eqv(pmt::car(msg), KEY_NOISE_VAR))
        v = pmt::cdr(msg);
    if (pmt::is_real(v) || pmt::is_integer(v)) {
        const double d = pmt::to_double(v);
        if (std::isfinite(d) && d >= 0.0) {
            std::lock_guard<std::mutex> lock(d_mutex);
            d_noise_var = d;
            return;
        }
    }
    d_logger->warn(
        "ignoring message on port 'noise': expected ('noise_var' . v) or a dict "
        "with noise_var, v finite and >= 0 (0: estimate), got {}",
        pmt::write_string(msg));
}

void ofdm_channel_denoiser_impl::set_noise_var(double noise_var)
{
    check_noise_var(noise_var);
    std::lock_guard<std::mutex> lock(d_mutex);
    d_noise_var = noise_var;
}

double ofdm_channel_denoiser_impl::noise_var() const
{
    std::lock_guard<std::mutex> lock(d_mutex);
    return d_noise_var;
}

int ofdm_channel_denoiser_impl::work(int noutput_items,
                                     gr_vector_const_void_star& input_items,
                                     gr_vector_void_star& output_items)
{
    const int N = d_prior.layout().fft_len;
    const auto* in = static_cast<const gr_complex*>(input_items[0]);
    auto* out = static_cast<gr_complex*>(output_items[0]);
    const size_t total = size_t(noutput_items) * N;
    size_t bad = 0;
    for (size_t i = 0; i < total; i++) {
        const gr_complex v = in[i];
        const bool ok = std::isfinite(v.real()) && std::isfinite(v.imag());
        out[i] = ok ? v : gr_complex(0.0f, 0.0f);
        bad += !ok;
    }
    if (bad) {
        d_bad_samples += bad;
        if (!d_warned_samples) {
            d_warned_samples = true;
            d_logger->warn("NaN/Inf samples replaced by 0 (warned once; count: "
                           "nonfinite_samples)");
        }
    }
    const uint64_t r0 = nitems_read(0);
    std::vector<gr::tag_t> tags;
    get_tags_in_range(tags, 0, r0, r0 + noutput_items);
    std::set<uint64_t> taps_at;
    std::map<uint64_t, int> offsets;
    for (const auto& t : tags) {
        if (pmt::eqv(t.key, d_taps_key))
            taps_at.insert(t.offset);
        else if (pmt::eqv(t.key, d_carr_key))
            offsets[t.offset] =
                pmt::is_integer(t.value) ? static_cast<int>(pmt::to_long(t.value)) : 0;
    }
    for (const auto& kv : offsets)
        if (!taps_at.count(kv.first)) {
            d_untapped++;
            if (!d_warned_notaps) {
                d_warned_notaps = true;
                d_logger->warn("a frame (tag {}) without {}: passed through untouched "
                               "(warned once; count: untapped_frames)",
                               pmt::symbol_to_string(d_carr_key),
                               pmt::symbol_to_string(d_taps_key));
            }
        }
    double noise_var;
    {
        std::lock_guard<std::mutex> lock(d_mutex);
        noise_var = d_noise_var;
    }
    for (const auto& t : tags) {
        if (!pmt::eqv(t.key, d_taps_key)) {
            add_item_tag(0, t.offset, t.key, t.value, t.srcid);
            continue;
        }
        d_frames++;
        if (!pmt::is_c32vector(t.value) || int(pmt::length(t.value)) != N) {
            if (!d_warned_taplen) {
                d_warned_taplen = true;
                d_logger->warn(
                    "{} is not a complex vector of fft_len {}: passed unchanged "
                    "(warned once)",
                    pmt::symbol_to_string(d_taps_key),
                    N);
            }
            add_item_tag(0, t.offset, t.key, t.value, t.srcid);
            continue;
        }
        size_t len = 0;
        const gr_complex* v = pmt::c32vector_elements(t.value, len);
        std::copy(v, v + N, d_taps.begin());
        const auto it = offsets.find(t.offset);
        const auto rep = d_prior.denoise_frame(d_taps.data(),
                                               in + size_t(t.offset - r0) * N,
                                               it == offsets.end() ? 0 : it->second,
                                               noise_var,
                                               d_power,
                                               d_mode);
        if (rep.bad_taps) {
            d_bad_taps++;
            if (!d_warned_taps) {
                d_warned_taps = true;
                d_logger->warn("non-finite LS taps: estimated from the finite carriers "
                               "(warned once; count: nonfinite_taps)");
            }
        }
        if (rep.net_fault && !d_warned_net) {
            d_warned_net = true;
            d_logger->warn(
                "non-finite network output: passing the LS taps (warned once)");
        }
        if (rep.fallback) {
            d_fallbacks++;
            if (!d_warned_misfit) {
                d_warned_misfit = true;
                d_logger->warn("a frame's LS taps lie outside the model's channel law "
                               "(residual > 2 sigma2 per carrier): robust LMMSE used for "
                               "such frames (warned once; count: fallbacks)");
            }
        }
        if (rep.power > 0) {
            d_last_s2 = rep.sigma2;
            d_last_p = rep.power;
        }
        d_rewritten++;
        add_item_tag(0, t.offset, t.key, pmt::init_c32vector(N, d_taps.data()), t.srcid);
    }
    return noutput_items;
}

} // namespace diffusion
} // namespace gr
