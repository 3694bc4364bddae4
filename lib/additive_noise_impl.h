/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_ADDITIVE_NOISE_IMPL_H
#define INCLUDED_DIFFUSION_ADDITIVE_NOISE_IMPL_H

#include "fast_rng.h"
#include <gnuradio/diffusion/additive_noise.h>
#include <pmt/pmt.h>
#include <vector>

namespace gr {
namespace diffusion {

class additive_noise_impl : public additive_noise
{
private:
    double d_esn0_db;
    double d_signal_power;
    double d_noise_var; // sigma^2, derived from d_esn0_db and d_signal_power
    noise_t d_noise_type;
    double d_impulse_prob;
    double d_impulse_ratio;
    double d_mca_a;
    double d_mca_gamma;
    fast_rng d_rng;
    bool d_tag_pending; // tag "noise_var" on the next output sample

    // Derived per-type constants (recomputed by update_derived(), under d_setlock).
    float d_sigma;                  // Gaussian: sqrt(sigma^2)
    float d_lap_scale;              // Laplacian: b = sigma / 2 per rail
    float d_bg_scale0;              // Bernoulli-Gaussian: background std
    float d_bg_scale1;              // Bernoulli-Gaussian: background+impulse std
    std::vector<double> d_mca_cdf;  // Middleton class A: truncated Poisson(A) CDF
    std::vector<float> d_mca_scale; // std of the complex noise given m active

    const pmt::pmt_t d_port;
    const pmt::pmt_t d_tag_key;

    void update_derived();
    void update_mca_table();
    void apply_esn0_locked(double esn0_db);
    void handle_msg(const pmt::pmt_t& msg);

    bool d_warned_clamp = false;
    static constexpr double min_esn0_db = -100.0; // noise 1e10 x the signal power
    static constexpr double max_esn0_db = 300.0;  // noise-free to any float precision
    static constexpr double max_signal_power = 1e20;
    static constexpr double max_noise_var = 1e30; // sigma still a finite float
    static void check_esn0(double v);
    static void check_signal_power(double v);
    static void check_noise_var(double v);
    static void check_noise_type(int v);
    static void check_impulse_prob(double v);
    static void check_impulse_ratio(double v);
    static void check_middleton_a(double v);
    static void check_middleton_gamma(double v);

public:
    additive_noise_impl(double esn0_db,
                        noise_t noise_type,
                        double signal_power,
                        double impulse_prob,
                        double impulse_ratio,
                        double middleton_a,
                        double middleton_gamma,
                        int64_t seed);
    ~additive_noise_impl() override;

    void set_esn0_db(double esn0_db) override;
    double esn0_db() const override;
    void set_noise_var(double noise_var) override;
    double noise_var() const override;
    void set_signal_power(double signal_power) override;
    double signal_power() const override;
    void set_noise_type(noise_t noise_type) override;
    noise_t noise_type() const override;
    void set_impulse_prob(double impulse_prob) override;
    double impulse_prob() const override;
    void set_impulse_ratio(double impulse_ratio) override;
    double impulse_ratio() const override;
    void set_middleton_a(double middleton_a) override;
    double middleton_a() const override;
    void set_middleton_gamma(double middleton_gamma) override;
    double middleton_gamma() const override;

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_ADDITIVE_NOISE_IMPL_H */
