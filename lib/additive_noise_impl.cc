/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "additive_noise_impl.h"
#include "noise_samplers.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace gr {
namespace diffusion {

namespace {
// Poisson upper-tail mass below which the Middleton class A series is truncated.
constexpr double k_mca_tail = 1e-12;
constexpr double k_mca_max_a = 100.0;

std::string num(double v) { return std::to_string(v); }
} // namespace

additive_noise::sptr additive_noise::make(double esn0_db,
                                          noise_t noise_type,
                                          double signal_power,
                                          double impulse_prob,
                                          double impulse_ratio,
                                          double middleton_a,
                                          double middleton_gamma,
                                          int64_t seed)
{
    return gnuradio::make_block_sptr<additive_noise_impl>(esn0_db,
                                                          noise_type,
                                                          signal_power,
                                                          impulse_prob,
                                                          impulse_ratio,
                                                          middleton_a,
                                                          middleton_gamma,
                                                          seed);
}

// ---- parameter checks (std::invalid_argument naming the parameter) --------------------

void additive_noise_impl::check_esn0(double v)
{
    // +inf dB is allowed (noise-free); NaN, -inf and values outside the sane range are
    // not.
    if (std::isnan(v) || v == -std::numeric_limits<double>::infinity() ||
        (std::isfinite(v) && (v < min_esn0_db || v > max_esn0_db)))
        throw std::invalid_argument("additive_noise: esn0_db must be in [" +
                                    num(min_esn0_db) + ", " + num(max_esn0_db) +
                                    "] dB or +inf, got " + num(v));
}
void additive_noise_impl::check_signal_power(double v)
{
    // bounded so that signal_power / 10^(min_esn0_db / 10) stays a representable
    // noise_var
    if (!(std::isfinite(v) && v > 0.0 && v <= max_signal_power))
        throw std::invalid_argument("additive_noise: signal_power must be in (0, " +
                                    num(max_signal_power) + "], got " + num(v));
}
void additive_noise_impl::check_noise_var(double v)
{
    if (!(std::isfinite(v) && v >= 0.0 && v <= max_noise_var))
        throw std::invalid_argument("additive_noise: noise_var must be in [0, " +
                                    num(max_noise_var) + "], got " + num(v));
}
void additive_noise_impl::check_noise_type(int v)
{
    if (v < GAUSSIAN || v > MIDDLETON_CLASS_A)
        throw std::invalid_argument(
            "additive_noise: noise_type must be GAUSSIAN(0), LAPLACIAN(1), "
            "BERNOULLI_GAUSSIAN(2) or MIDDLETON_CLASS_A(3), got " +
            std::to_string(v));
}
void additive_noise_impl::check_impulse_prob(double v)
{
    if (!(v >= 0.0 && v <= 1.0))
        throw std::invalid_argument(
            "additive_noise: impulse_prob must be in [0, 1], got " + num(v));
}
void additive_noise_impl::check_impulse_ratio(double v)
{
    if (!(std::isfinite(v) && v >= 0.0))
        throw std::invalid_argument(
            "additive_noise: impulse_ratio must be finite and >= 0, got " + num(v));
}
void additive_noise_impl::check_middleton_a(double v)
{
    if (!(v > 0.0 && v <= k_mca_max_a))
        throw std::invalid_argument(
            "additive_noise: middleton_a must be in (0, 100], got " + num(v));
}
void additive_noise_impl::check_middleton_gamma(double v)
{
    if (!(std::isfinite(v) && v >= 0.0))
        throw std::invalid_argument(
            "additive_noise: middleton_gamma must be finite and >= 0, got " + num(v));
}

// ---- construction
// ----------------------------------------------------------------------

additive_noise_impl::additive_noise_impl(double esn0_db,
                                         noise_t noise_type,
                                         double signal_power,
                                         double impulse_prob,
                                         double impulse_ratio,
                                         double middleton_a,
                                         double middleton_gamma,
                                         int64_t seed)
    : gr::sync_block("additive_noise",
                     gr::io_signature::make(1, 1, sizeof(gr_complex)),
                     gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_esn0_db(esn0_db),
      d_signal_power(signal_power),
      d_noise_var(0.0),
      d_noise_type(noise_type),
      d_impulse_prob(impulse_prob),
      d_impulse_ratio(impulse_ratio),
      d_mca_a(middleton_a),
      d_mca_gamma(middleton_gamma),
      d_rng(static_cast<uint64_t>(seed)),
      d_tag_pending(true),
      d_port(pmt::mp("esn0_db")),
      d_tag_key(pmt::mp("noise_var"))
{
    check_esn0(esn0_db);
    check_noise_type(static_cast<int>(noise_type));
    check_signal_power(signal_power);
    check_impulse_prob(impulse_prob);
    check_impulse_ratio(impulse_ratio);
    check_middleton_a(middleton_a);
    check_middleton_gamma(middleton_gamma);
    if (seed < 0)
        throw std::invalid_argument("additive_noise: seed must be >= 0, got " +
                                    std::to_string(seed));

    d_noise_var = d_signal_power / std::pow(10.0, d_esn0_db / 10.0);
    update_derived();

    message_port_register_in(d_port);
    set_msg_handler(d_port, [this](const pmt::pmt_t& msg) { this->handle_msg(msg); });
}

additive_noise_impl::~additive_noise_impl() {}

// ---- derived constants
// -------------------------------------------------------------------

void additive_noise_impl::update_derived()
{
    const double var = d_noise_var;
    d_sigma = static_cast<float>(std::sqrt(var));
    // Laplace(b) has variance 2 b^2 per rail; sigma^2/2 per rail -> b = sigma / 2.
    d_lap_scale = static_cast<float>(0.5 * std::sqrt(var));
    const double bg = var / (1.0 + d_impulse_prob * d_impulse_ratio);
    d_bg_scale0 = static_cast<float>(std::sqrt(bg));
    d_bg_scale1 = static_cast<float>(std::sqrt(bg * (1.0 + d_impulse_ratio)));
    update_mca_table();
}

void additive_noise_impl::update_mca_table()
{
    // Truncated Poisson(A) CDF; the residual upper tail (< k_mca_tail) is lumped into the
    // last term so that the CDF ends at exactly 1 and the inversion always terminates.
    const double A = d_mca_a;
    const double G = d_mca_gamma;
    d_mca_cdf.clear();
    d_mca_scale.clear();
    double pmf = std::exp(-A);
    double cdf = 0.0;
    for (int m = 0;; ++m) {
        if (m > 0)
            pmf *= A / m;
        cdf += pmf;
        d_mca_cdf.push_back(cdf);
        d_mca_scale.push_back(
            static_cast<float>(std::sqrt(d_noise_var * (m / A + G) / (1.0 + G))));
        // stop past the mode once the remaining tail is negligible
        if (m >= A && 1.0 - cdf < k_mca_tail)
            break;
        if (m > 10000) // cannot happen for A <= 100; belt and braces
            break;
    }
    d_mca_cdf.back() = 1.0;
}

// ---- setters / getters
// -----------------------------------------------------------------

void additive_noise_impl::apply_esn0_locked(double esn0_db)
{
    const double old = d_noise_var;
    d_esn0_db = esn0_db;
    d_noise_var = d_signal_power / std::pow(10.0, esn0_db / 10.0);
    if (d_noise_var != old)
        d_tag_pending = true;
    update_derived();
}

void additive_noise_impl::set_esn0_db(double esn0_db)
{
    check_esn0(esn0_db);
    gr::thread::scoped_lock l(d_setlock);
    apply_esn0_locked(esn0_db);
}

double additive_noise_impl::esn0_db() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_esn0_db;
}

void additive_noise_impl::set_noise_var(double noise_var)
{
    check_noise_var(noise_var);
    gr::thread::scoped_lock l(d_setlock);
    if (noise_var != d_noise_var)
        d_tag_pending = true;
    d_noise_var = noise_var;
    d_esn0_db = (noise_var > 0.0) ? 10.0 * std::log10(d_signal_power / noise_var)
                                  : std::numeric_limits<double>::infinity();
    update_derived();
}

double additive_noise_impl::noise_var() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_noise_var;
}

void additive_noise_impl::set_signal_power(double signal_power)
{
    check_signal_power(signal_power);
    gr::thread::scoped_lock l(d_setlock);
    d_signal_power = signal_power;
    apply_esn0_locked(d_esn0_db);
}

double additive_noise_impl::signal_power() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_signal_power;
}

void additive_noise_impl::set_noise_type(noise_t noise_type)
{
    check_noise_type(static_cast<int>(noise_type));
    gr::thread::scoped_lock l(d_setlock);
    d_noise_type = noise_type;
}

additive_noise::noise_t additive_noise_impl::noise_type() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_noise_type;
}

void additive_noise_impl::set_impulse_prob(double impulse_prob)
{
    check_impulse_prob(impulse_prob);
    gr::thread::scoped_lock l(d_setlock);
    d_impulse_prob = impulse_prob;
    update_derived();
}

double additive_noise_impl::impulse_prob() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_impulse_prob;
}

void additive_noise_impl::set_impulse_ratio(double impulse_ratio)
{
    check_impulse_ratio(impulse_ratio);
    gr::thread::scoped_lock l(d_setlock);
    d_impulse_ratio = impulse_ratio;
    update_derived();
}

double additive_noise_impl::impulse_ratio() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_impulse_ratio;
}

void additive_noise_impl::set_middleton_a(double middleton_a)
{
    check_middleton_a(middleton_a);
    gr::thread::scoped_lock l(d_setlock);
    d_mca_a = middleton_a;
    update_derived();
}

double additive_noise_impl::middleton_a() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_mca_a;
}

void additive_noise_impl::set_middleton_gamma(double middleton_gamma)
{
    check_middleton_gamma(middleton_gamma);
    gr::thread::scoped_lock l(d_setlock);
    d_mca_gamma = middleton_gamma;
    update_derived();
}

double additive_noise_impl::middleton_gamma() const
{
    gr::thread::scoped_lock l(const_cast<gr::thread::mutex&>(d_setlock));
    return d_mca_gamma;
}

// ---- message port
// ------------------------------------------------------------------------

void additive_noise_impl::handle_msg(const pmt::pmt_t& msg)
{
    // Accepted: a number (Es/N0 in dB); a pair (key . value); a dict. Keys: "esn0_db"
    // (dB) or "noise_var" (sigma^2). Anything else: warning, ignored.
    auto as_number = [](const pmt::pmt_t& v, double& out) {
        if (pmt::is_integer(v) || pmt::is_real(v) || pmt::is_uint64(v)) {
            out = pmt::to_double(v);
            return true;
        }
        return false;
    };

    pmt::pmt_t key = pmt::PMT_NIL;
    pmt::pmt_t val = pmt::PMT_NIL;
    double x = 0.0;

    if (as_number(msg, x)) {
        key = pmt::mp("esn0_db");
        val = msg;
    } else if (pmt::is_pair(msg) && pmt::is_symbol(pmt::car(msg))) {
        key = pmt::car(msg);
        val = pmt::cdr(msg);
    } else if (pmt::is_dict(msg) && !pmt::is_null(msg)) {
        const pmt::pmt_t k_esn0 = pmt::mp("esn0_db");
        const pmt::pmt_t k_var = pmt::mp("noise_var");
        bool has_esn0 = false, has_var = false;
        try { // a malformed list (not an association list) throws in dict_has_key
            has_esn0 = pmt::dict_has_key(msg, k_esn0);
            has_var = pmt::dict_has_key(msg, k_var);
        } catch (const std::exception&) {
            has_esn0 = has_var = false;
        }
        if (has_esn0 && has_var) {
            d_logger->warn("additive_noise: message has both 'esn0_db' and 'noise_var', "
                           "ignored: {}",
                           pmt::write_string(msg));
            return;
        }
        if (has_esn0 || has_var) {
            key = has_esn0 ? k_esn0 : k_var;
            val = pmt::dict_ref(msg, key, pmt::PMT_NIL);
        }
    }

    if (pmt::is_null(key)) {
        d_logger->warn("additive_noise: ignoring message on port 'esn0_db' (expected a "
                       "number or a pair/dict with key 'esn0_db' or 'noise_var'): {}",
                       pmt::write_string(msg));
        return;
    }
    if (!as_number(val, x)) {
        d_logger->warn(
            "additive_noise: ignoring message, value of '{}' is not a number: {}",
            pmt::symbol_to_string(key),
            pmt::write_string(msg));
        return;
    }

    const std::string k = pmt::symbol_to_string(key);
    // A finite value outside the sane range is clamped to it (one warning per block);
    // NaN / -inf / negative noise_var are rejected below with a warning each.
    double lo = min_esn0_db, hi = max_esn0_db;
    if (k == "noise_var") {
        lo = 0.0;
        hi = max_noise_var;
    }
    if ((k == "esn0_db" || k == "noise_var") && std::isfinite(x) && (x < lo || x > hi) &&
        !(k == "noise_var" && x < 0.0)) {
        const double c = std::clamp(x, lo, hi);
        if (!d_warned_clamp) {
            d_warned_clamp = true;
            d_logger->warn(
                "additive_noise: message {} = {} outside [{}, {}], clamped to {} "
                "(reported once)",
                k,
                x,
                lo,
                hi,
                c);
        }
        x = c;
    }
    try {
        if (k == "esn0_db")
            set_esn0_db(x);
        else if (k == "noise_var")
            set_noise_var(x);
        else
            d_logger->warn("additive_noise: ignoring message with unknown key '{}' "
                           "(expected 'esn0_db' or 'noise_var')",
                           k);
    } catch (const std::invalid_argument& e) {
        d_logger->warn("{} (message ignored)", e.what());
    }
}

// ---- work
// --------------------------------------------------------------------------------

int additive_noise_impl::work(int noutput_items,
                              gr_vector_const_void_star& input_items,
                              gr_vector_void_star& output_items)
{
    const gr_complex* in = static_cast<const gr_complex*>(input_items[0]);
    gr_complex* out = static_cast<gr_complex*>(output_items[0]);

    gr::thread::scoped_lock l(d_setlock);

    if (d_tag_pending) {
        add_item_tag(0, nitems_written(0), d_tag_key, pmt::from_double(d_noise_var));
        d_tag_pending = false;
    }

    fast_rng& rng = d_rng;
    switch (d_noise_type) {
    case GAUSSIAN: {
        const float s = d_sigma;
        for (int i = 0; i < noutput_items; i++)
            out[i] = in[i] + s * noise::unit_complex_gaussian(rng);
        break;
    }
    case LAPLACIAN: {
        const float b = d_lap_scale;
        for (int i = 0; i < noutput_items; i++) {
            const float re = noise::unit_laplacian(rng);
            const float im = noise::unit_laplacian(rng);
            out[i] = in[i] + gr_complex(b * re, b * im);
        }
        break;
    }
    case BERNOULLI_GAUSSIAN: {
        const double p = d_impulse_prob;
        const float s0 = d_bg_scale0;
        const float s1 = d_bg_scale1;
        for (int i = 0; i < noutput_items; i++) {
            const float s = (rng.uniform() < p) ? s1 : s0;
            out[i] = in[i] + s * noise::unit_complex_gaussian(rng);
        }
        break;
    }
    case MIDDLETON_CLASS_A: {
        const double* cdf = d_mca_cdf.data();
        const size_t n = d_mca_cdf.size();
        const float* scale = d_mca_scale.data();
        const double p0 = cdf[0];
        for (int i = 0; i < noutput_items; i++) {
            const double u = rng.uniform();
            size_t m = 0;
            if (u >= p0)
                m = std::upper_bound(cdf + 1, cdf + n, u) - cdf;
            out[i] = in[i] + scale[m] * noise::unit_complex_gaussian(rng);
        }
        break;
    }
    }

    return noutput_items;
}

} /* namespace diffusion */
} /* namespace gr */
