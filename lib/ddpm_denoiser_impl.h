/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_DDPM_DENOISER_IMPL_H
#define INCLUDED_DIFFUSION_DDPM_DENOISER_IMPL_H

#include "ddpm_engine.h"
#include "em_noise_estimator.h"
#include "fast_rng.h"
#include "input_check.h"
#include "remote_engine.h"
#include "schedule_grid.h"
#include <gnuradio/diffusion/ddpm_denoiser.h>
#include <memory>

namespace gr {
namespace diffusion {

class ddpm_denoiser_impl : public ddpm_denoiser
{
private:
    std::unique_ptr<ddpm_engine> d_engine; // the local model (nullptr: served model only)
    schedule_grid d_grid;                  // its schedule, or the served sampler's
    std::vector<gr_complex> d_points;      // its constellation (none when served only)
    mode_t d_mode;
    int d_ddim_steps;
    noise_source_t d_source;
    double d_sigma2;
    int d_batch;
    uint64_t d_seed;
    std::unique_ptr<em_noise_estimator> d_em;
    uint64_t d_invalid = 0;
    uint64_t d_clamped = 0;
    bool d_warned_clamp = false;
    bool d_warned_paper = false;
    std::unique_ptr<input_checker> d_check;
    std::vector<float> d_s2buf;
    // cache of the last sigma2 -> matched step
    double d_last_s2 = -1.0;
    int d_last_t = 1;
    bool d_last_clamped = false;

    std::vector<gr_complex> d_y, d_out;
    std::vector<int> d_t, d_pos;
    std::vector<double> d_s2;
    std::vector<uint64_t> d_items; // absolute item index of each batch sample (RNG key)
    // window models: W, hop H, lead (W - H) / 2, latency D = W - H - lead
    int d_W = 1, d_hop = 1, d_lead = 0, d_latency = 0;
    std::vector<double> d_s2new; // sigma2 of each new sample of a work() call
    std::vector<char> d_ok;      // its validity
    // remote inference (lib/remote_engine.h): sigma2 per row, rails, x0, served flags
    std::unique_ptr<remote_engine> d_remote;
    std::vector<double> d_row_s2;
    std::vector<uint64_t> d_row_off; // absolute output offset of each row's first sample
    std::vector<float> d_rails, d_x0;
    std::vector<char> d_served;
    uint64_t d_gap = 0; // samples since the server went away (0: up)
    void denoise_batch(int count, int rows);
    void connect_remote(const std::string& url,
                        const std::string& served_model,
                        double request_timeout,
                        int in_flight,
                        int retries,
                        int batch_size,
                        mode_t mode,
                        int ddim_steps);

    void handle_noise_msg(const pmt::pmt_t& msg);
    void check_mode(mode_t mode, int ddim_steps) const;
    void set_sigma2_locked(double s2, const char* what);
    int step_for(double s2);
    void apply_noise_tag(const gr::tag_t& t);
    void check_input(int m, const float* s2in);
    void warn_paper(double sigma2);
    void process(const gr_complex* in,
                 const float* s2in,
                 gr_complex* out,
                 int n,
                 uint64_t out_offset);
    int work_windows(int noutput_items,
                     const gr_complex* in,
                     const float* s2in,
                     gr_complex* out);

public:
    static constexpr int max_batch_size = 1 << 20; // 16 MiB output buffer
    static constexpr int max_threads = 256;

    ddpm_denoiser_impl(const std::string& model_path,
                       mode_t mode,
                       int ddim_steps,
                       noise_source_t noise_source,
                       double esn0_db,
                       const std::string& provider,
                       int intra_op_threads,
                       int batch_size,
                       int seed,
                       const std::string& engine,
                       int threads,
                       const std::string& provider_options,
                       int window_hop,
                       double table_mb,
                       const std::string& server_url,
                       const std::string& served_model,
                       double request_timeout,
                       int in_flight,
                       int retries);
    ~ddpm_denoiser_impl() override;

    void set_esn0_db(double esn0_db) override;
    void set_noise_var(double noise_var) override;
    double noise_var() const override;
    void set_mode(mode_t mode, int ddim_steps) override;
    mode_t mode() const override { return d_mode; }
    uint64_t invalid_count() const override { return d_invalid; }
    uint64_t clamped_count() const override { return d_clamped; }
    int num_steps() const override { return d_grid.T(); }
    double noise_var_min() const override { return d_grid.sigma2_min(); }
    double noise_var_max() const override { return d_grid.sigma2_max(); }
    std::string engine_name() const override
    {
        return d_engine ? d_engine->engine_name() : "remote (no local model)";
    }
    int table_levels() const override
    {
        return d_engine && d_engine->table() ? d_engine->table()->levels() : 0;
    }
    void table_wait() override
    {
        if (d_engine && d_engine->table())
            d_engine->table()->wait_idle();
    }
    int window_length() const override { return d_W; }
    int window_hop() const override { return d_hop; }
    int latency() const override { return d_latency; }
    bool remote_up() const override { return !d_remote || d_remote->up(); }

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_DDPM_DENOISER_IMPL_H */
