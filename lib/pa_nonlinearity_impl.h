/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_PA_NONLINEARITY_IMPL_H
#define INCLUDED_DIFFUSION_PA_NONLINEARITY_IMPL_H

#include <gnuradio/diffusion/pa_nonlinearity.h>

namespace gr {
namespace diffusion {

class pa_nonlinearity_impl : public pa_nonlinearity
{
private:
    model_t d_model;
    double d_ibo_db;
    double d_gain, d_sat, d_p;
    double d_aa, d_ba, d_ap, d_bp;
    bool d_normalize;

    // Derived (update_derived(), under d_setlock).
    double d_k;      // input scale
    double d_oscale; // output scale
    // Rapp: out = x * d_rapp_lin * (1 + t^p)^(-1/(2p)), t = d_rapp_c |x|^2
    float d_rapp_lin, d_rapp_c, d_rapp_p, d_rapp_expo;
    // Saleh: r2 = d_k2 |x|^2; out = x * d_saleh_lin / (1 + beta_a r2) * e^{j Phi(r2)}
    float d_k2, d_saleh_lin, d_fba, d_fap, d_fbp;

    void update_derived();
    double mean_output_power_gaussian() const; // E|F(k x)|^2, x ~ CN(0, 1)

    static void check_model(int model);
    static void check_ibo(double v);
    static void check_rapp(double gain, double saturation, double smoothness);
    static void check_saleh(double aa, double ba, double ap, double bp);

public:
    pa_nonlinearity_impl(model_t model,
                         double ibo_db,
                         double gain,
                         double saturation,
                         double smoothness,
                         double alpha_a,
                         double beta_a,
                         double alpha_p,
                         double beta_p,
                         bool normalize_output);
    ~pa_nonlinearity_impl() override;

    void set_model(model_t model) override;
    model_t model() const override;
    void set_ibo_db(double ibo_db) override;
    double ibo_db() const override;
    void set_rapp_params(double gain, double saturation, double smoothness) override;
    double gain() const override;
    double saturation() const override;
    double smoothness() const override;
    void set_saleh_params(double alpha_a,
                          double beta_a,
                          double alpha_p,
                          double beta_p) override;
    double alpha_a() const override;
    double beta_a() const override;
    double alpha_p() const override;
    double beta_p() const override;
    void set_normalize_output(bool normalize_output) override;
    bool normalize_output() const override;
    double input_scale() const override;
    double output_scale() const override;

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_PA_NONLINEARITY_IMPL_H */
