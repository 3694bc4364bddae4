/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "pa_nonlinearity_impl.h"
#include <gnuradio/io_signature.h>
#include <cmath>
#include <complex>
#include <limits>
#include <stdexcept>
#include <string>

namespace gr {
namespace diffusion {

namespace {
std::string num(double v) { return std::to_string(v); }
using lock_t = gr::thread::scoped_lock;
} // namespace

pa_nonlinearity::sptr pa_nonlinearity::make(model_t model,
                                            double ibo_db,
                                            double gain,
                                            double saturation,
                                            double smoothness,
                                            double alpha_a,
                                            double beta_a,
                                            double alpha_p,
                                            double beta_p,
                                            bool normalize_output)
{
    return gnuradio::make_block_sptr<pa_nonlinearity_impl>(model,
                                                           ibo_db,
                                                           gain,
                                                           saturation,
                                                           smoothness,
                                                           alpha_a,
                                                           beta_a,
                                                           alpha_p,
                                                           beta_p,
                                                           normalize_output);
}

// ---- parameter checks
// --------------------------------------------------------------------

void pa_nonlinearity_impl::check_model(int model)
{
    if (model != RAPP && model != SALEH)
        throw std::invalid_argument(
            "pa_nonlinearity: model must be RAPP(0) or SALEH(1), got " +
            std::to_string(model));
}
void pa_nonlinearity_impl::check_ibo(double v)
{
    if (!std::isfinite(v))
        throw std::invalid_argument("pa_nonlinearity: ibo_db must be finite (dB), got " +
                                    num(v));
}
void pa_nonlinearity_impl::check_rapp(double gain, double saturation, double smoothness)
{
    if (!(std::isfinite(gain) && gain > 0.0))
        throw std::invalid_argument("pa_nonlinearity: gain must be finite and > 0, got " +
                                    num(gain));
    if (!(std::isfinite(saturation) && saturation > 0.0))
        throw std::invalid_argument(
            "pa_nonlinearity: saturation must be finite and > 0, got " + num(saturation));
    if (!(std::isfinite(smoothness) && smoothness > 0.0))
        throw std::invalid_argument(
            "pa_nonlinearity: smoothness must be finite and > 0, got " + num(smoothness));
}
void pa_nonlinearity_impl::check_saleh(double aa, double ba, double ap, double bp)
{
    if (!(std::isfinite(aa) && aa > 0.0))
        throw std::invalid_argument(
            "pa_nonlinearity: alpha_a must be finite and > 0, got " + num(aa));
    if (!(std::isfinite(ba) && ba > 0.0))
        throw std::invalid_argument(
            "pa_nonlinearity: beta_a must be finite and > 0, got " + num(ba));
    if (!std::isfinite(ap))
        throw std::invalid_argument("pa_nonlinearity: alpha_p must be finite, got " +
                                    num(ap));
    if (!(std::isfinite(bp) && bp >= 0.0))
        throw std::invalid_argument(
            "pa_nonlinearity: beta_p must be finite and >= 0, got " + num(bp));
}

// ---- construction
// ------------------------------------------------------------------------

pa_nonlinearity_impl::pa_nonlinearity_impl(model_t model,
                                           double ibo_db,
                                           double gain,
                                           double saturation,
                                           double smoothness,
                                           double alpha_a,
                                           double beta_a,
                                           double alpha_p,
                                           double beta_p,
                                           bool normalize_output)
    : gr::sync_block("pa_nonlinearity",
                     gr::io_signature::make(1, 1, sizeof(gr_complex)),
                     gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_model(model),
      d_ibo_db(ibo_db),
      d_gain(gain),
      d_sat(saturation),
      d_p(smoothness),
      d_aa(alpha_a),
      d_ba(beta_a),
      d_ap(alpha_p),
      d_bp(beta_p),
      d_normalize(normalize_output)
{
    check_model(static_cast<int>(model));
    check_ibo(ibo_db);
    check_rapp(gain, saturation, smoothness);
    check_saleh(alpha_a, beta_a, alpha_p, beta_p);
    update_derived();
}

pa_nonlinearity_impl::~pa_nonlinearity_impl() {}

// ---- derived constants
// -------------------------------------------------------------------

double pa_nonlinearity_impl::mean_output_power_gaussian() const
{
    // E|F(k x)|^2 for x ~ CN(0,1): t = |x|^2 ~ Exp(1), so the mean is
    // int_0^inf e^{-t} F(k sqrt(t))^2 dt. Composite Simpson on [0, 60] (tail < 1e-26;
    // F is bounded). F^2 in closed form as a function of t (no square roots needed).
    const int n = 24000; // even
    const double T = 60.0;
    const double h = T / n;
    const double k2 = d_k * d_k;
    auto f2 = [&](double t) -> double {
        if (d_model == RAPP) {
            const double c = (d_gain * d_gain * k2) / (d_sat * d_sat);
            return d_gain * d_gain * k2 * t /
                   std::pow(1.0 + std::pow(c * t, d_p), 1.0 / d_p);
        }
        const double r2 = k2 * t;
        const double den = 1.0 + d_ba * r2;
        return d_aa * d_aa * r2 / (den * den);
    };
    double s = f2(0.0) + std::exp(-T) * f2(T);
    for (int i = 1; i < n; i++) {
        const double t = i * h;
        s += ((i & 1) ? 4.0 : 2.0) * std::exp(-t) * f2(t);
    }
    return s * h / 3.0;
}

void pa_nonlinearity_impl::update_derived()
{
    // Saturation input power of the model; the unit-power input sits ibo_db below it.
    const double p_sat_in =
        (d_model == RAPP) ? (d_sat / d_gain) * (d_sat / d_gain) : 1.0 / d_ba;
    d_k = std::sqrt(p_sat_in * std::pow(10.0, -d_ibo_db / 10.0));
    d_oscale = 1.0;
    if (d_normalize) {
        const double pout = mean_output_power_gaussian();
        d_oscale = (pout > 0.0) ? 1.0 / std::sqrt(pout) : 1.0;
    }

    // Rapp: g r / (1 + (g r/A)^(2p))^(1/(2p)) with r = k|x|: t = (g k / A)^2 |x|^2.
    const double gk = d_gain * d_k;
    d_rapp_lin = static_cast<float>(gk * d_oscale);
    d_rapp_c = static_cast<float>((gk / d_sat) * (gk / d_sat));
    d_rapp_p = static_cast<float>(d_p);
    d_rapp_expo = static_cast<float>(-1.0 / (2.0 * d_p));

    // Saleh.
    d_k2 = static_cast<float>(d_k * d_k);
    d_saleh_lin = static_cast<float>(d_aa * d_k * d_oscale);
    d_fba = static_cast<float>(d_ba);
    d_fap = static_cast<float>(d_ap);
    d_fbp = static_cast<float>(d_bp);
}

// ---- setters / getters
// -------------------------------------------------------------------

#define PA_LOCKED_GETTER(type, name, member)                 \
    type pa_nonlinearity_impl::name() const                  \
    {                                                        \
        lock_t l(const_cast<gr::thread::mutex&>(d_setlock)); \
        return member;                                       \
    }

PA_LOCKED_GETTER(pa_nonlinearity::model_t, model, d_model)
PA_LOCKED_GETTER(double, ibo_db, d_ibo_db)
PA_LOCKED_GETTER(double, gain, d_gain)
PA_LOCKED_GETTER(double, saturation, d_sat)
PA_LOCKED_GETTER(double, smoothness, d_p)
PA_LOCKED_GETTER(double, alpha_a, d_aa)
PA_LOCKED_GETTER(double, beta_a, d_ba)
PA_LOCKED_GETTER(double, alpha_p, d_ap)
PA_LOCKED_GETTER(double, beta_p, d_bp)
PA_LOCKED_GETTER(bool, normalize_output, d_normalize)
PA_LOCKED_GETTER(double, input_scale, d_k)
PA_LOCKED_GETTER(double, output_scale, d_oscale)

#undef PA_LOCKED_GETTER

void pa_nonlinearity_impl::set_model(model_t model)
{
    check_model(static_cast<int>(model));
    lock_t l(d_setlock);
    d_model = model;
    update_derived();
}

void pa_nonlinearity_impl::set_ibo_db(double ibo_db)
{
    check_ibo(ibo_db);
    lock_t l(d_setlock);
    d_ibo_db = ibo_db;
    update_derived();
}

void pa_nonlinearity_impl::set_rapp_params(double gain,
                                           double saturation,
                                           double smoothness)
{
    check_rapp(gain, saturation, smoothness);
    lock_t l(d_setlock);
    d_gain = gain;
    d_sat = saturation;
    d_p = smoothness;
    update_derived();
}

void pa_nonlinearity_impl::set_saleh_params(double alpha_a,
                                            double beta_a,
                                            double alpha_p,
                                            double beta_p)
{
    check_saleh(alpha_a, beta_a, alpha_p, beta_p);
    lock_t l(d_setlock);
    d_aa = alpha_a;
    d_ba = beta_a;
    d_ap = alpha_p;
    d_bp = beta_p;
    update_derived();
}

void pa_nonlinearity_impl::set_normalize_output(bool normalize_output)
{
    lock_t l(d_setlock);
    d_normalize = normalize_output;
    update_derived();
}

// ---- work
// --------------------------------------------------------------------------------

int pa_nonlinearity_impl::work(int noutput_items,
                               gr_vector_const_void_star& input_items,
                               gr_vector_void_star& output_items)
{
    const gr_complex* in = static_cast<const gr_complex*>(input_items[0]);
    gr_complex* out = static_cast<gr_complex*>(output_items[0]);

    lock_t l(d_setlock);

    // |x|^2 beyond float range (|x| > 1.8e19, finite): the same formula in double, where
    // |x|^2 <= 2.3e77 cannot overflow, so the output is the model's value (Rapp: A_sat in
    // the direction of x; Saleh: its amplitude aa r / (1 + ba r^2), phase -> ap / bp).
    const auto slow = [this](gr_complex x) -> gr_complex {
        const std::complex<double> xd(x.real(), x.imag());
        const double r2 = std::norm(xd);
        if (d_model == RAPP) {
            const double t = static_cast<double>(d_rapp_c) * r2;
            const double tp = std::pow(t, d_p);
            const double d = std::isfinite(tp) ? std::pow(1.0 + tp, -1.0 / (2.0 * d_p))
                                               : 1.0 / std::sqrt(t);
            const auto o = xd * (static_cast<double>(d_rapp_lin) * d);
            return gr_complex(static_cast<float>(o.real()), static_cast<float>(o.imag()));
        }
        const double q2 = static_cast<double>(d_k2) * r2;
        const double a = static_cast<double>(d_saleh_lin) / (1.0 + d_ba * q2);
        const double ph = d_ap * q2 / (1.0 + d_bp * q2);
        const auto o = xd * std::polar(a, ph);
        return gr_complex(static_cast<float>(o.real()), static_cast<float>(o.imag()));
    };
    constexpr float fmax = std::numeric_limits<float>::max();

    if (d_model == RAPP) {
        const float lin = d_rapp_lin, c = d_rapp_c, p = d_rapp_p, expo = d_rapp_expo;
        constexpr float inf = std::numeric_limits<float>::infinity();
        // (1 + t^p)^(-1/(2p)); for t^p overflowing float it equals t^(-1/2) to float
        // precision. p = 1 and p = 2 (common) avoid powf.
        if (p == 1.0f) {
            for (int i = 0; i < noutput_items; i++) {
                const float n2 = std::norm(in[i]);
                const float t = c * n2;
                out[i] = (n2 <= fmax) ? in[i] * (lin / std::sqrt(1.0f + t)) : slow(in[i]);
            }
        } else if (p == 2.0f) {
            for (int i = 0; i < noutput_items; i++) {
                const float n2 = std::norm(in[i]);
                const float t = c * n2;
                const float tp = t * t;
                const float d = (tp < inf) ? 1.0f / std::sqrt(std::sqrt(1.0f + tp))
                                           : 1.0f / std::sqrt(t);
                out[i] = (n2 <= fmax && t < inf) ? in[i] * (lin * d) : slow(in[i]);
            }
        } else {
            for (int i = 0; i < noutput_items; i++) {
                const float n2 = std::norm(in[i]);
                const float t = c * n2;
                const float tp = std::pow(t, p);
                const float d =
                    (tp < inf) ? std::pow(1.0f + tp, expo) : 1.0f / std::sqrt(t);
                out[i] = (n2 <= fmax && t < inf) ? in[i] * (lin * d) : slow(in[i]);
            }
        }
    } else { // SALEH
        const float k2 = d_k2, lin = d_saleh_lin, ba = d_fba, ap = d_fap, bp = d_fbp;
        for (int i = 0; i < noutput_items; i++) {
            const float n2 = std::norm(in[i]);
            const float r2 = k2 * n2;
            if (!(r2 <= fmax && ba * r2 <= fmax && bp * r2 <= fmax)) {
                out[i] = std::isnan(n2) ? in[i] : slow(in[i]);
                continue;
            }
            const float a = lin / (1.0f + ba * r2);
            const float ph = ap * r2 / (1.0f + bp * r2);
            float s, c;
            ::sincosf(ph, &s, &c);
            out[i] = in[i] * gr_complex(a * c, a * s);
        }
    }
    return noutput_items;
}

} /* namespace diffusion */
} /* namespace gr */
