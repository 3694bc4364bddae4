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
#include <algorithm>
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
                            const std::string& carr_offset_key,
                            const std::string& noise_tag_key)
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
                                                                 carr_offset_key,
                                                                 noise_tag_key);
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
    const std::string& carr_offset_key,
    const std::string& noise_tag_key)
    : gr::block("ofdm_channel_denoiser",
                gr::io_signature::make(1, 1, sizeof(gr_complex) * std::max(1, fft_len)),
                // output 1 (optional): the taps stream, as ofdm_chanest_vcvc's output 1
                gr::io_signature::make(1, 2, sizeof(gr_complex) * std::max(1, fft_len))),
      d_prior(make_prior(model_path,
                         make_layout(fft_len, cp_len, occupied_carriers, pilot_carriers),
                         engine)),
      d_power(make_tracker(power_alpha, channel_power)),
      d_mode(parse_mode(mode)),
      d_noise_var(noise_var),
      d_taps_key(pmt::intern(taps_key)),
      d_carr_key(pmt::intern(carr_offset_key)),
      d_noise_key(noise_tag_key.empty() ? pmt::PMT_NIL : pmt::intern(noise_tag_key)),
      d_taps(fft_len)
{
    check_noise_var(noise_var);
    if (!noise_tag_key.empty() &&
        (noise_tag_key == taps_key || noise_tag_key == carr_offset_key))
        throw std::invalid_argument("ofdm_channel_denoiser: noise_tag_key '" +
                                    noise_tag_key +
                                    "' must differ from taps_key and carr_offset_key");
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

// a noise tag: a real number >= 0 (0: estimate) sets noise_var from its item on
void ofdm_channel_denoiser_impl::apply_noise_tag(const gr::tag_t& t)
{
    const bool num = pmt::is_real(t.value) || pmt::is_integer(t.value);
    const double v = num ? pmt::to_double(t.value) : 0.0;
    if (num && std::isfinite(v) && v >= 0.0) {
        std::lock_guard<std::mutex> lock(d_mutex);
        d_noise_var = v;
        d_noise_tags++;
        return;
    }
    d_bad_noise_tags++;
    if (!d_warned_noise_tag) {
        d_warned_noise_tag = true;
        d_logger->warn("ignoring tag {} = {}: expected a finite noise variance >= 0 "
                       "(0: estimate) (warned once; count: bad_noise_tags)",
                       pmt::symbol_to_string(t.key),
                       pmt::write_string(t.value));
    }
}

bool ofdm_channel_denoiser_impl::denoise_tag(const gr::tag_t& t,
                                             const gr_complex* symbol,
                                             int carr_offset)
{
    const int N = d_prior.layout().fft_len;
    d_frames++;
    if (!pmt::is_c32vector(t.value) || int(pmt::length(t.value)) != N) {
        if (!d_warned_taplen) {
            d_warned_taplen = true;
            d_logger->warn("{} is not a complex vector of fft_len {}: passed unchanged "
                           "(warned once)",
                           pmt::symbol_to_string(d_taps_key),
                           N);
        }
        return false;
    }
    size_t len = 0;
    const gr_complex* v = pmt::c32vector_elements(t.value, len);
    std::copy(v, v + N, d_taps.begin());
    double noise_var;
    {
        std::lock_guard<std::mutex> lock(d_mutex);
        noise_var = d_noise_var;
    }
    const auto rep = d_prior.denoise_frame(
        d_taps.data(), symbol, carr_offset, noise_var, d_power, d_mode);
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
        d_logger->warn("non-finite network output: passing the LS taps (warned once)");
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
    return true;
}

void ofdm_channel_denoiser_impl::forecast(int noutput_items,
                                          gr_vector_int& ninput_items_required)
{
    ninput_items_required[0] = noutput_items; // output 1 takes at most one item per input
}

int ofdm_channel_denoiser_impl::general_work(int noutput_items,
                                             gr_vector_int& ninput_items,
                                             gr_vector_const_void_star& input_items,
                                             gr_vector_void_star& output_items)
{
    const int N = d_prior.layout().fft_len;
    const int n = std::min(noutput_items, ninput_items[0]);
    const auto* in = static_cast<const gr_complex*>(input_items[0]);
    auto* out = static_cast<gr_complex*>(output_items[0]);
    // output 1 (when connected) has room for noutput_items >= n >= the frames here
    auto* taps_out =
        output_items.size() > 1 ? static_cast<gr_complex*>(output_items[1]) : nullptr;
    const size_t total = size_t(n) * N;
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
    get_tags_in_range(tags, 0, r0, r0 + n);
    // offset order; at one offset the noise tag first: it applies to the frame it is on
    const bool noise_tags = !pmt::is_null(d_noise_key);
    std::stable_sort(
        tags.begin(), tags.end(), [&](const gr::tag_t& a, const gr::tag_t& b) {
            if (a.offset != b.offset)
                return a.offset < b.offset;
            return noise_tags && pmt::eqv(a.key, d_noise_key) &&
                   !pmt::eqv(b.key, d_noise_key);
        });
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
    int n_taps = 0; // rows on output 1
    uint64_t last_taps_at = 0;
    for (const auto& t : tags) {
        if (noise_tags && pmt::eqv(t.key, d_noise_key))
            apply_noise_tag(t); // and passed on below
        if (!pmt::eqv(t.key, d_taps_key)) {
            add_item_tag(0, t.offset, t.key, t.value, t.srcid);
            continue;
        }
        const auto it = offsets.find(t.offset);
        const bool ok = denoise_tag(
            t, in + size_t(t.offset - r0) * N, it == offsets.end() ? 0 : it->second);
        add_item_tag(0,
                     t.offset,
                     t.key,
                     ok ? pmt::init_c32vector(N, d_taps.data()) : t.value,
                     t.srcid);
        if (taps_out) {
            // one row per tagged item (a second taps tag on an item overwrites its row)
            if (n_taps == 0 || t.offset != last_taps_at)
                n_taps++;
            last_taps_at = t.offset;
            gr_complex* row = taps_out + size_t(n_taps - 1) * N;
            if (ok)
                std::copy(d_taps.begin(), d_taps.end(), row);
            else
                std::fill(row, row + N, gr_complex(0.0f, 0.0f));
        }
    }
    if (taps_out)
        produce(1, n_taps);
    produce(0, n);
    consume(0, n);
    return WORK_CALLED_PRODUCE;
}

} // namespace diffusion
} // namespace gr
