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
// Conventions (see python/diffusion/core/schedules.py): unit-power symbols, sigma2 =
// noise variance per complex sample, 1-based steps, complex eps with E|eps|^2 = 1,
// matched step = nearest to log(sigma2) on the grid log((1 - abar_t) / abar_t).

#include "denoise_table.h"
#include "fused_conv1d.h"
#include "fused_mlp.h"
#include "ort_io_binding.h"
#include "schedule_grid.h"
#if __has_include(<gnuradio/gr_complex.h>)
#include <gnuradio/gr_complex.h>
#else // built without GNU Radio (bench/bench_engine.cc): the same typedef
#include <complex>
typedef std::complex<float> gr_complex;
#endif
#include <onnxruntime_cxx_api.h>
#include <complex>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gr {
namespace diffusion {

class ddpm_engine
{
public:
    enum sampler { TWEEDIE = 0, DDIM = 1, POSTERIOR = 2, PAPER = 3 };

    /*!
     * Throws std::invalid_argument / std::runtime_error naming the file on any problem.
     * engine: "auto" (fused kernel when the graph is recognised and passes the probe
     * check, else onnxruntime; and for per-symbol models with constellation points the
     * table engine, lib/denoise_table.h, in front of it for the deterministic modes when
     * it passes its probe), "table" (the same, an error when the table cannot run),
     * "fused" (error otherwise) or "onnxruntime".
     * table_bytes: memory of the table engine's cached levels.
     * threads: workers a large batch is split across (>= 1).
     * provider_options: "key=value;key=value" for the cuda / tensorrt provider.
     */
    ddpm_engine(const std::string& model_path,
                const std::string& provider,
                int intra_op_threads,
                int max_batch,
                const std::string& engine = "auto",
                int threads = 1,
                const std::string& provider_options = "",
                size_t table_bytes = size_t(16) << 20);
    ~ddpm_engine();

    int T() const { return static_cast<int>(d_abar.size()); }
    const std::vector<double>& abar() const { return d_abar; }
    const std::vector<gr_complex>& constellation() const { return d_points; }
    const std::map<std::string, std::string>& metadata() const { return d_meta; }
    int max_batch() const { return d_max_batch; }
    //! symbols per network input (metadata window_length; 1 for per-symbol models)
    int window_length() const { return d_window; }

    //! range of sigma2 the schedule represents, [sigma2(1), sigma2(T)]
    double sigma2_min() const;
    double sigma2_max() const;

    //! 1-based matched step; *clamped set when sigma2 lies outside the schedule
    int matched_step(double sigma2, bool* clamped) const;

    //! eps-network (the engine in use) on n inputs: x, eps are [n, 2] float, t is [n];
    //! window models: n a multiple of window_length, rows whole windows, t constant
    //! within each window
    void predict_eps(const float* x, const int64_t* t, int n, float* eps);
    //! the same through onnxruntime whatever the engine (self-check, benches)
    void predict_eps_onnxruntime(const float* x, const int64_t* t, int n, float* eps);

    /*!
     * Denoise n <= max_batch samples y (unit-power units) with per-sample steps t
     * (1-based, from matched_step; ignored by PAPER) into out. Stochastic modes draw the
     * noise of sample i at step s from counter_rng(seed, items[i], s) (items = nullptr:
     * 0..n-1), so results do not depend on batching or threads. Window models: n is a
     * multiple of window_length, each window of consecutive samples shares one step.
     */
    void denoise(const gr_complex* y,
                 const int* t,
                 int n,
                 sampler mode,
                 int steps,
                 uint64_t seed,
                 const uint64_t* items,
                 gr_complex* out);

    //! true when the fused kernel runs the network
    bool fused() const { return d_fused || d_fconv; }
    //! "fused (avx2)" or "onnxruntime"; "table over fused (avx2)" when the table runs
    std::string engine_name() const;
    //! the table engine (deterministic modes of per-symbol models) or nullptr
    denoise_table* table() const { return d_table.get(); }
    //! start building the table step of (mode, steps) at sigma2 (no-op without a table
    //! or in a stochastic mode)
    void prefetch_table(sampler mode, int steps, double sigma2);
    //! samples the table engine was asked for, and those of them the network ran (table
    //! misses: outside the grid, sub-cells across a jump, steps still building)
    uint64_t table_lookups() const { return d_table_lookups; }
    uint64_t table_misses() const { return d_table_misses; }
    //! one line: what runs and, after a fallback, why (for the block's log)
    const std::string& engine_note() const { return d_note; }
    int threads() const { return d_threads; }
    const fused_mlp* fused_kernel() const { return d_fused.get(); }

    //! names of the execution providers this onnxruntime offers
    static std::vector<std::string> available_providers();
    //! parse "k=v;k=v" (',' also separates); std::invalid_argument on a malformed entry
    static std::vector<std::pair<std::string, std::string>>
    parse_provider_options(const std::string& s);

private:
    std::string d_path;
    Ort::Env d_env;
    std::unique_ptr<Ort::Session> d_session;
    std::unique_ptr<ort_io_binding> d_io; // GPU providers (destroyed before the session)
    std::mutex d_io_mutex;
    Ort::MemoryInfo d_mem;
    std::map<std::string, std::string> d_meta;
    std::vector<double> d_alphas, d_abar;
    schedule_grid d_grid; // matched steps
    std::vector<gr_complex> d_points;
    int d_max_batch;
    int d_window = 1;     // window_length
    bool d_rank3 = false; // graph input [N, W, 2]

    std::unique_ptr<fused_mlp> d_fused;
    std::unique_ptr<fused_conv1d> d_fconv; // window models
    std::string d_note;
    int d_threads = 1;

    // per-worker state of one chain over a range of samples (no allocation per call once
    // grown)
    struct context {
        std::vector<float> x, eps;
        std::vector<int64_t> t64;
        std::vector<int32_t> t32;
        std::vector<std::complex<double>> state;
        std::vector<int> tcur, idx;
        fused_mlp::workspace ws;
        fused_conv1d::workspace cws;
        void reserve(int n);
    };
    std::vector<context> d_ctx;
    class pool;
    std::unique_ptr<pool> d_pool;

    // table engine: its builder's own context, the misses of a call (network path)
    context d_bctx;
    std::mutex d_bmutex;
    std::vector<int> d_bt;
    std::vector<int> d_miss, d_mt;
    std::vector<gr_complex> d_my, d_mo;
    uint64_t d_table_lookups = 0, d_table_misses = 0;
    std::unique_ptr<denoise_table> d_table; // last: its builder thread stops first

    void probe(const std::string& where);
    void setup_table(const std::string& engine, size_t bytes);
    std::string probe_table(); // "" when the table passes, else why
    void denoise_network(const gr_complex* y,
                         const int* t,
                         int n,
                         sampler mode,
                         int steps,
                         uint64_t seed,
                         const uint64_t* items,
                         gr_complex* out);
    double abar_at(int t) const { return t <= 0 ? 1.0 : d_abar[t - 1]; }
    void setup_engine(const std::string& engine, const std::string& provider);
    std::string setup_window_kernel(); // "" when the fused window kernel runs, else why
    void eps_for(context& c, int m);   // c.state[c.idx[k]] at c.tcur[c.idx[k]] -> c.eps
    void ancestral(context& c, int n, bool paper, uint64_t skey, const uint64_t* items);
    void denoise_range(context& c,
                       const gr_complex* y,
                       const int* t,
                       int n,
                       sampler mode,
                       int steps,
                       uint64_t skey,
                       const uint64_t* items,
                       uint64_t item0,
                       gr_complex* out);
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_DDPM_ENGINE_H */
