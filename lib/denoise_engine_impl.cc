/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ddpm_denoiser_impl.h"
#include "ddpm_engine.h"
#include <gnuradio/diffusion/denoise_engine.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace gr {
namespace diffusion {

namespace {
class denoise_engine_impl : public denoise_engine
{
public:
    denoise_engine_impl(const std::string& model_path,
                        const std::string& engine,
                        int threads,
                        int max_batch,
                        const std::string& provider,
                        int intra_op_threads,
                        const std::string& provider_options,
                        double table_mb)
        : d_eng(model_path,
                provider,
                intra_op_threads,
                max_batch,
                engine,
                threads,
                provider_options,
                size_t(table_mb * 1048576.0)),
          d_batch(max_batch)
    {
    }
    int num_steps() const override { return d_eng.T(); }
    std::string engine_name() const override { return d_eng.engine_name(); }
    std::string engine_note() const override { return d_eng.engine_note(); }
    int threads() const override { return d_eng.threads(); }
    int matched_step(double sigma2) const override
    {
        bool clamped;
        return d_eng.matched_step(sigma2, &clamped);
    }
    double flops_per_eval() const override
    {
        return d_eng.fused_kernel() ? d_eng.fused_kernel()->flops_per_row() : 0.0;
    }
    void denoise(const gr_complex* y,
                 const int* t,
                 int n,
                 int mode,
                 int steps,
                 uint64_t seed,
                 const uint64_t* items,
                 gr_complex* out) override
    {
        if (mode < 0 || mode > 3)
            throw std::invalid_argument(
                "mode must be 0..3 (tweedie, ddim, posterior, paper)");
        if (steps < 1)
            throw std::invalid_argument("steps must be >= 1");
        std::vector<int> tt;
        if (!t) {
            if (mode != ddpm_engine::PAPER)
                throw std::invalid_argument("steps t are needed except in mode paper");
            tt.assign(std::min(n, d_batch), d_eng.T());
        }
        std::vector<uint64_t> own;
        for (int s = 0; s < n; s += d_batch) {
            const int m = std::min(d_batch, n - s);
            const uint64_t* it = items ? items + s : nullptr;
            if (!items) {
                own.resize(m);
                for (int i = 0; i < m; i++)
                    own[i] = uint64_t(s + i);
                it = own.data();
            }
            d_eng.denoise(y + s,
                          t ? t + s : tt.data(),
                          m,
                          static_cast<ddpm_engine::sampler>(mode),
                          steps,
                          seed,
                          it,
                          out + s);
        }
    }
    uint64_t denoise_sigma2(const gr_complex* y,
                            const float* s2,
                            double sigma2_const,
                            int n,
                            int mode,
                            int steps,
                            uint64_t seed,
                            const uint64_t* items,
                            gr_complex* out) override
    {
        uint64_t clamped = 0;
        std::vector<int> t;
        if (mode != ddpm_engine::PAPER) {
            t.resize(n);
            double last = NAN;
            int lt = 1;
            bool lc = false;
            for (int i = 0; i < n; i++) {
                const double v = s2 ? double(s2[i]) : sigma2_const;
                if (std::isnan(v))
                    throw std::invalid_argument("denoise_sigma2: sigma2 is NaN");
                if (v != last) {
                    last = v;
                    lt = d_eng.matched_step(v, &lc);
                }
                t[i] = lt;
                clamped += lc;
            }
        }
        denoise(y, t.empty() ? nullptr : t.data(), n, mode, steps, seed, items, out);
        return clamped;
    }
    bool table_active() const override { return d_eng.table() != nullptr; }
    void table_wait() override
    {
        if (d_eng.table())
            d_eng.table()->wait_idle();
    }
    int table_levels() const override
    {
        return d_eng.table() ? d_eng.table()->levels() : 0;
    }
    double table_bytes() const override
    {
        return d_eng.table() ? double(d_eng.table()->bytes()) : 0.0;
    }
    double table_build_seconds() const override
    {
        return d_eng.table() ? d_eng.table()->last_build_seconds() : 0.0;
    }
    double table_lookups() const override { return double(d_eng.table_lookups()); }
    double table_misses() const override { return double(d_eng.table_misses()); }
    void predict_eps(
        const float* x, const int64_t* t, int n, float* eps, bool onnxruntime) override
    {
        for (int i = 0; i < n; i++)
            if (t[i] < 1 || t[i] > d_eng.T())
                throw std::out_of_range("predict_eps: t must lie in [1, T]");
        if (onnxruntime)
            d_eng.predict_eps_onnxruntime(x, t, n, eps);
        else
            d_eng.predict_eps(x, t, n, eps);
    }

private:
    ddpm_engine d_eng;
    int d_batch;
};
} // namespace

denoise_engine::sptr denoise_engine::make(const std::string& model_path,
                                          const std::string& engine,
                                          int threads,
                                          int max_batch,
                                          const std::string& provider,
                                          int intra_op_threads,
                                          const std::string& provider_options,
                                          double table_mb)
{
    // the same ranges as ddpm_denoiser, checked before the engine allocates its per-thread
    // batch buffers
    constexpr int max_items = ddpm_denoiser_impl::max_batch_size;
    constexpr int max_threads = ddpm_denoiser_impl::max_threads;
    if (max_batch < 1 || max_batch > max_items)
        throw std::invalid_argument("denoise_engine: max_batch must be in [1, " +
                                    std::to_string(max_items) + "], got " +
                                    std::to_string(max_batch));
    if (intra_op_threads < 0 || intra_op_threads > max_threads)
        throw std::invalid_argument("denoise_engine: intra_op_threads must be in [0, " +
                                    std::to_string(max_threads) +
                                    "] (0 = onnxruntime default), got " +
                                    std::to_string(intra_op_threads));
    if (threads < 1 || threads > max_threads)
        throw std::invalid_argument("denoise_engine: threads must be in [1, " +
                                    std::to_string(max_threads) + "], got " +
                                    std::to_string(threads));
    if (!(table_mb > 0.0) || !(table_mb <= 65536.0))
        throw std::invalid_argument("denoise_engine: table_mb must be in (0, 65536] MiB");
    return std::make_shared<denoise_engine_impl>(model_path,
                                                 engine,
                                                 threads,
                                                 max_batch,
                                                 provider,
                                                 intra_op_threads,
                                                 provider_options,
                                                 table_mb);
}

} // namespace diffusion
} // namespace gr
