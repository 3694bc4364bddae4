/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "hardware_impairments_impl.h"
#include <gnuradio/io_signature.h>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gr {
namespace diffusion {

namespace {
// Unit-variance circularly-symmetric complex Gaussian (E|g|^2 = 1) by Box-Muller in
// single precision from ONE 64-bit draw: 40 bits for the radius, 24 for the phase.
// About twice as fast as fast_rng::complex_gaussian (double math, two draws). The
// radius is truncated at |g|^2 = 40 ln 2 = 27.7, i.e. P(|g|^2 > 27.7) = e^-27.7 ~ 1e-12
// of the probability mass is missing: far below anything a simulation can resolve.
inline gr_complex unit_cgauss(fast_rng& rng)
{
    const uint64_t u = rng.next_u64();
    const float u1 = static_cast<float>(static_cast<double>((u >> 24) + 1) * 0x1.0p-40);
    const float u2 = static_cast<float>(u & 0xFFFFFFu) * 0x1.0p-24f;
    const float r = std::sqrt(-std::log(u1));
    float s, c;
    ::sincosf(6.28318530717958647692f * u2, &s, &c);
    return gr_complex(r * c, r * s);
}

void check_nonneg(double v, const char* name)
{
    if (!(v >= 0.0) || !std::isfinite(v))
        throw std::invalid_argument(std::string("hardware_impairments: ") + name +
                                    " must be finite and >= 0, got " + std::to_string(v));
}
} // namespace

hardware_impairments::sptr hardware_impairments::make(
    double kappa, power_mode_t power_mode, double nominal_power, int window, int seed)
{
    return gnuradio::make_block_sptr<hardware_impairments_impl>(
        kappa, power_mode, nominal_power, window, seed);
}

hardware_impairments_impl::hardware_impairments_impl(
    double kappa, power_mode_t power_mode, double nominal_power, int window, int seed)
    : gr::sync_block("hardware_impairments",
                     gr::io_signature::make(1, 2, sizeof(gr_complex)),
                     gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_kappa(kappa),
      d_power_mode(power_mode),
      d_nominal_power(nominal_power),
      d_window(window),
      d_rng(static_cast<uint64_t>(static_cast<int64_t>(seed)))
{
    check_nonneg(kappa, "kappa");
    check_nonneg(nominal_power, "nominal_power");
    if (power_mode != POWER_NOMINAL && power_mode != POWER_MEASURED)
        throw std::invalid_argument(
            "hardware_impairments: power_mode must be POWER_NOMINAL (0) or "
            "POWER_MEASURED (1), got " +
            std::to_string(static_cast<int>(power_mode)));
    // the measured-power ring holds window doubles + flags (9 bytes a sample): 2^24
    // samples (151 MB) at most, checked before anything is allocated
    if (window < 1 || window > max_window)
        throw std::invalid_argument("hardware_impairments: window must be in [1, " +
                                    std::to_string(max_window) + "] samples, got " +
                                    std::to_string(window));
    if (d_power_mode == POWER_MEASURED) {
        d_ring.assign(d_window, 0.0);
        d_valid.assign(d_window, 0);
    }
}

hardware_impairments_impl::~hardware_impairments_impl() {}

void hardware_impairments_impl::set_kappa(double kappa)
{
    check_nonneg(kappa, "kappa");
    gr::thread::scoped_lock l(d_setlock);
    d_kappa = kappa;
}

double hardware_impairments_impl::kappa() const
{
    gr::thread::scoped_lock l(setlock());
    return d_kappa;
}

void hardware_impairments_impl::set_nominal_power(double nominal_power)
{
    check_nonneg(nominal_power, "nominal_power");
    gr::thread::scoped_lock l(d_setlock);
    d_nominal_power = nominal_power;
}

double hardware_impairments_impl::nominal_power() const
{
    gr::thread::scoped_lock l(setlock());
    return d_nominal_power;
}

int hardware_impairments_impl::work(int noutput_items,
                                    gr_vector_const_void_star& input_items,
                                    gr_vector_void_star& output_items)
{
    gr::thread::scoped_lock l(d_setlock);

    const auto in = static_cast<const gr_complex*>(input_items[0]);
    const gr_complex* h =
        input_items.size() > 1 ? static_cast<const gr_complex*>(input_items[1]) : nullptr;
    auto out = static_cast<gr_complex*>(output_items[0]);
    const double kappa = d_kappa;

    if (d_power_mode == POWER_NOMINAL) {
        const double var = kappa * d_nominal_power;
        if (!h) {
            const float sd = static_cast<float>(std::sqrt(var));
            for (int i = 0; i < noutput_items; i++)
                out[i] = in[i] + sd * unit_cgauss(d_rng);
        } else {
            const float sd = static_cast<float>(std::sqrt(var));
            for (int i = 0; i < noutput_items; i++) {
                const gr_complex g = unit_cgauss(d_rng);
                const float hr = h[i].real(), hi = h[i].imag();
                const float xr = in[i].real(), xi = in[i].imag();
                const float a = sd * std::sqrt(hr * hr + hi * hi);
                out[i] = gr_complex(hr * xr - hi * xi + a * g.real(),
                                    hr * xi + hi * xr + a * g.imag());
            }
        }
        return noutput_items;
    }

    // POWER_MEASURED: causal moving average of |in|^2 over the finite samples among the
    // last d_window ones (a NaN/Inf or absurd sample, |x|^2 > max_power, is left out of
    // the estimate instead of poisoning the whole window).
    double* ring = d_ring.data();
    uint8_t* valid = d_valid.data();
    const int W = d_window;
    for (int i = 0; i < noutput_items; i++) {
        const float xr = in[i].real(), xi = in[i].imag();
        const double pd = static_cast<double>(xr) * xr + static_cast<double>(xi) * xi;
        const bool ok = pd <= max_power; // false for NaN too
        const double p = ok ? pd : 0.0;
        d_ring_sum += p - ring[d_ring_idx];
        d_ring_valid += int(ok) - int(valid[d_ring_idx]);
        ring[d_ring_idx] = p;
        valid[d_ring_idx] = ok;
        if (++d_ring_idx == W) {
            d_ring_idx = 0;
            // Recompute the sum exactly once per window: no drift from the running
            // update.
            double s = 0.0;
            for (int k = 0; k < W; k++)
                s += ring[k];
            d_ring_sum = s;
        }
        if (!ok && !d_warned) {
            d_warned = true;
            d_logger->warn(
                "non-finite or absurd input sample ({}, {}) at item {}: left out "
                "of the measured power (reported once)",
                xr,
                xi,
                nitems_read(0) + i);
        }
        const double P =
            (d_ring_valid > 0 && d_ring_sum > 0.0) ? d_ring_sum / d_ring_valid : 0.0;
        double var = kappa * P;
        gr_complex y = in[i];
        if (h) {
            const float hr = h[i].real(), hi = h[i].imag();
            var *= static_cast<double>(hr) * hr + static_cast<double>(hi) * hi;
            y = gr_complex(hr * xr - hi * xi, hr * xi + hi * xr);
        }
        out[i] = y + static_cast<float>(std::sqrt(var)) * unit_cgauss(d_rng);
    }
    return noutput_items;
}

} /* namespace diffusion */
} /* namespace gr */
