/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_DDPM_ENGINE_H
#define INCLUDED_DIFFUSION_DDPM_ENGINE_H

// Internal: the C++ twin of python/diffusion/{onnx_model,samplers}.py.
// Loads a gr-diffusion ONNX eps-network with onnxruntime, reads the schedule and the
// constellation from the model's metadata and runs the samplers on batches of symbols.
// Conventions (see python/diffusion/schedules.py): unit-power symbols, sigma2 = noise
// variance per complex sample, 1-based steps, complex eps with E|eps|^2 = 1, matched step
// = nearest to log(sigma2) on the grid log((1 - abar_t) / abar_t).

#include "fast_rng.h"
#include <gnuradio/gr_complex.h>
#include <onnxruntime_cxx_api.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gr {
namespace diffusion {

class ddpm_engine
{
public:
    enum sampler { TWEEDIE = 0, DDIM = 1, POSTERIOR = 2, PAPER = 3 };

    //! Throws std::invalid_argument / std::runtime_error naming the file on any problem.
    ddpm_engine(const std::string& model_path,
                const std::string& provider,
                int intra_op_threads,
                int max_batch);

    int T() const { return static_cast<int>(d_abar.size()); }
    const std::vector<double>& abar() const { return d_abar; }
    const std::vector<gr_complex>& constellation() const { return d_points; }
    const std::map<std::string, std::string>& metadata() const { return d_meta; }
    int max_batch() const { return d_max_batch; }

    //! range of sigma2 the schedule represents, [sigma2(1), sigma2(T)]
    double sigma2_min() const;
    double sigma2_max() const;

    //! 1-based matched step; *clamped set when sigma2 lies outside the schedule
    int matched_step(double sigma2, bool* clamped) const;

    //! eps-network on n <= max_batch inputs: x, eps are [n, 2] float, t is [n]
    void predict_eps(const float* x, const int64_t* t, int n, float* eps);

    /*!
     * Denoise n <= max_batch samples y (unit-power units) with per-sample steps t
     * (1-based, from matched_step; ignored by PAPER) into out.
     */
    void
    denoise(const gr_complex* y, const int* t, int n, sampler mode, int steps, fast_rng& rng,
            gr_complex* out);

    //! names of the execution providers this onnxruntime offers
    static std::vector<std::string> available_providers();

private:
    std::string d_path;
    Ort::Env d_env;
    std::unique_ptr<Ort::Session> d_session;
    Ort::MemoryInfo d_mem;
    std::map<std::string, std::string> d_meta;
    std::vector<double> d_alphas, d_abar, d_log_sigma2;
    std::vector<gr_complex> d_points;
    int d_max_batch;

    // work buffers (max_batch sized; no allocation per call)
    std::vector<float> d_x, d_eps;
    std::vector<int64_t> d_t;
    std::vector<std::complex<double>> d_state, d_x0;
    std::vector<int> d_tcur, d_idx;

    void probe(const std::string& where);
    double abar_at(int t) const { return t <= 0 ? 1.0 : d_abar[t - 1]; }
    void eps_for(const std::vector<int>& idx, int m); // d_state[idx] at d_tcur[idx] -> d_eps
    void ancestral(int n, bool paper, fast_rng& rng);
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_DDPM_ENGINE_H */
