/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_DENOISE_ENGINE_H
#define INCLUDED_DIFFUSION_DENOISE_ENGINE_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/gr_complex.h>
#include <cstdint>
#include <memory>
#include <string>

namespace gr {
namespace diffusion {

/*!
 * \brief The C++ DDPM inference engine behind diffusion.ddpm_denoiser, without a block:
 * for the Python block (diffusion.ddpm_denoiser_py), scripts and benchmarks.
 * \ingroup diffusion
 *
 * Same samplers and conventions as the C++ block (see ddpm_denoiser.h): y in unit-power
 * units, per-sample 1-based steps t (from the matched step of sigma2), modes 0 = tweedie,
 * 1 = ddim, 2 = posterior, 3 = paper. Stochastic modes draw the noise of item i at step s
 * from a counter-based generator keyed by (seed, items[i], s) (items = nullptr: 0..n-1),
 * reproduced bit-exactly by python/diffusion/core/counter_rng.py.
 */
class DIFFUSION_API denoise_engine
{
public:
    typedef std::shared_ptr<denoise_engine> sptr;

    /*!
     * \param engine "auto" | "table" | "fused" | "onnxruntime" (see ddpm_denoiser::make)
     * \param threads workers a batch is split across, 1 .. 256
     * \param max_batch items per internal call, 1 .. 2^20 (larger inputs are processed
     *        in pieces)
     * \param intra_op_threads onnxruntime threads, 0 .. 256 (0 = its default)
     * \param table_mb memory of the table engine's cached steps, MiB (> 0)
     * \throws std::invalid_argument naming the file or parameter at fault
     */
    static sptr make(const std::string& model_path,
                     const std::string& engine = "auto",
                     int threads = 1,
                     int max_batch = 8192,
                     const std::string& provider = "cpu",
                     int intra_op_threads = 1,
                     const std::string& provider_options = "",
                     double table_mb = 16.0);
    virtual ~denoise_engine() = default;

    virtual int num_steps() const = 0;
    virtual std::string engine_name() const = 0;
    //! one line: what runs the network and, after a fallback, why
    virtual std::string engine_note() const = 0;
    virtual int threads() const = 0;
    //! 1-based matched step of sigma2 (nearest in log sigma2, as Schedule.matched_step)
    virtual int matched_step(double sigma2) const = 0;
    //! FLOPs of one network evaluation (0 when the fused kernel is not in use)
    virtual double flops_per_eval() const = 0;

    //! n items (any n >= 0); t ignored by PAPER (may be nullptr then)
    virtual void denoise(const gr_complex* y,
                         const int* t,
                         int n,
                         int mode,
                         int steps,
                         uint64_t seed,
                         const uint64_t* items,
                         gr_complex* out) = 0;
    /*!
     * As denoise(), with the steps matched to sigma2 here (noise variance per complex
     * sample; s2 = nullptr: sigma2_const for all n): the Python block's fast path.
     * Returns how many sigma2 lay outside the schedule (clamped).
     */
    virtual uint64_t denoise_sigma2(const gr_complex* y,
                                    const float* s2,
                                    double sigma2_const,
                                    int n,
                                    int mode,
                                    int steps,
                                    uint64_t seed,
                                    const uint64_t* items,
                                    gr_complex* out) = 0;
    //! true when the table engine runs the deterministic modes
    virtual bool table_active() const = 0;
    //! wait until the table levels requested so far are built (benchmarks, tests)
    virtual void table_wait() = 0;
    //! cached table levels and their memory in bytes
    virtual int table_levels() const = 0;
    virtual double table_bytes() const = 0;
    //! seconds the last table level took to build (0 before the first)
    virtual double table_build_seconds() const = 0;
    //! samples the table engine was asked for so far, and those of them it left to the
    //! network (outside the grid, sub-cells across a jump, steps still building)
    virtual double table_lookups() const = 0;
    virtual double table_misses() const = 0;
    //! the network: x [n, 2], t [n] (1..T) -> eps [n, 2]; onnxruntime = true forces it
    virtual void predict_eps(
        const float* x, const int64_t* t, int n, float* eps, bool onnxruntime) = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_DENOISE_ENGINE_H */
