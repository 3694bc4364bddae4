/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_DDPM_DENOISER_H
#define INCLUDED_DIFFUSION_DDPM_DENOISER_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>
#include <string>

namespace gr {
namespace diffusion {

/*!
 * \brief DDPM denoiser (receiver): complex symbols in, denoised complex symbols out,
 * running a gr-diffusion ONNX eps-network with onnxruntime (C++ API).
 * \ingroup diffusion
 *
 * Conventions of gr-diffusion (docs/conventions.md): unit-power constellations, E|x|^2 =
 * 1 for the signal alone (not signal plus noise: the input's mean power is 1 + sigma2;
 * scale the input accordingly, e.g. after AGC/equalization), Es/N0 in dB, noise variance
 * sigma2 per complex sample (Es/N0 = 1/sigma2), and the points where the model's metadata
 * puts them: the shipped QPSK model's at 45 degrees, (+-1 +-1j)/sqrt(2), the QAM models'
 * on a square grid aligned with the I/Q axes. The schedule (and its Es/N0 range) and the
 * constellation come from the model metadata: `gr-diffusion-model FILE` prints them.
 * The block checks its first 1024 samples against the constellation and warns once, with
 * what to do, when a rotated copy of the input fits the constellation much better (e.g.
 * QPSK on the axes) or when their mean power is far (> 2 dB) from 1 + sigma2.
 *
 * Modes (same maths as gnuradio.diffusion.samplers):
 *  - TWEEDIE: one network call at the step t* whose abar matches 1/(1+sigma2),
 *    input scaled by sqrt(abar): E[x0|y] for a perfect network (deterministic).
 *  - DDIM: same start, \p ddim_steps deterministic DDIM steps (1 = TWEEDIE).
 *  - POSTERIOR: same start, ancestral steps t*..1 (a sample of p(x0|y); stochastic).
 *  - PAPER: the published Algorithm 2, x_T = y, T ancestral steps; sigma2 unused. On a
 *    schedule that reaches far above the input's noise level (the shipped models': up to
 *    -30 dB) this returns samples of the prior, random constellation points nearly
 *    independent of the input; the block warns once. Use TWEEDIE or POSTERIOR.
 *
 * Noise level: NOISE_PARAMETER uses \p esn0_db, changed at run time by set_esn0_db(),
 * set_noise_var(), the message port "noise" (a number = Es/N0 dB, or a dict with
 * "esn0_db", "snr_db", "snr" or "noise_var") and input stream tags "snr_db"/"esn0_db"/
 * "snr"/"noise_var" (applied from the tagged sample on). GNU Radio's SNR estimators plug
 * in directly: digital.mpsk_snr_est_cc tags its output "snr" and
 * digital.probe_mpsk_snr_est_c publishes a number on its "snr" port (connect that one,
 * not its "noise" port, a noise power); both are Es/N0 in dB per symbol after matched
 * filtering, i.e. 1/sigma2 for a unit-power signal. NOISE_STREAM takes sigma2 per sample
 * from a second float input (e.g. diffusion.zf_equalizer output 1). NOISE_BLIND estimates
 * sigma2 with EM over the model's constellation (a Gaussian mixture) on windows fixed on
 * the absolute sample index (64, 128, 256, 512, then 1024 samples), so the output does
 * not depend on the scheduler's chunking; a window's samples use the estimate of the
 * windows before it (\p esn0_db before the first one completes). Non-finite samples and
 * |y|^2 > 50 (max|c|^2 + sigma2_max) are left out of the estimate.
 *
 * Latency 0 samples (sample-wise) for per-symbol models; work is done in batches of at
 * most \p batch_size items.
 *
 * Window models (metadata window_length W > 1, docs/model-format.md): the stream is cut
 * into windows of W symbols overlapping by W - H (hop H = \p window_hop, 0 = W / 2), on
 * the absolute sample grid; of each denoised window the centre H symbols are kept, so
 * output n is the denoised input n - D, latency D = W - H - (W - H) / 2 samples (the first
 * D outputs come from zero history; tags move by D). Each window runs at the matched step
 * of the mean finite sigma2 of its H newest samples; non-finite samples enter the network
 * as 0. Same tiling as gnuradio.diffusion.core.windowing and the Python block. Input samples that are NaN/Inf (or have a NaN sigma2) are passed through
 * unchanged and flagged with an output tag "invalid_sample" (value: running count).
 * sigma2 outside the schedule is clamped to its range, with a one-time warning. Tags
 * propagate 1:1.
 */
class DIFFUSION_API ddpm_denoiser : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<ddpm_denoiser> sptr;

    enum mode_t { TWEEDIE = 0, DDIM = 1, POSTERIOR = 2, PAPER = 3 };
    enum noise_source_t { NOISE_PARAMETER = 0, NOISE_STREAM = 1, NOISE_BLIND = 2 };

    /*!
     * \param model_path gr-diffusion ONNX model (e.g. models/16qam.onnx); "" with
     *        \p server_url: no local model, the served sampler alone (its schedule, T and
     *        window length from the server's abar / sampler outputs; no constellation, so
     *        no NOISE_BLIND and no input check; an outage passes the input through)
     * \param mode sampler
     * \param ddim_steps DDIM steps, 1 <= k <= T (mode DDIM)
     * \param noise_source where sigma2 comes from
     * \param esn0_db initial Es/N0 in dB (NOISE_PARAMETER)
     * \param provider onnxruntime execution provider: "cpu", "cuda" or "tensorrt"
     * \param intra_op_threads onnxruntime threads per call, 0..256 (0 = onnxruntime
     *        default)
     * \param batch_size items per inference call, 1..2^20
     * \param seed seed of the stochastic modes: the noise of stream item i at step s is a
     *        function of (seed, i, s) only, so the output does not depend on how the
     *        scheduler chunks the stream, on batch_size or on threads
     * \param engine "auto": for per-symbol models with constellation points, the table
     *        engine (lib/denoise_table.h: the tweedie / ddim map at each matched step
     *        tabulated on a 512 x 512 I/Q grid from the network and interpolated, built
     *        in the background while the network serves those samples) when it passes
     *        its load-time probe against the network; the network (the fused C++ kernel
     *        when it recognises the graph and passes its probe check against onnxruntime,
     *        else onnxruntime) for posterior / paper, window models and table misses;
     *        the choice is logged once. "table" (as auto, error if the table cannot
     *        run), "fused" (network only; error if the kernel cannot run this model) or
     *        "onnxruntime"
     * \param threads workers a batch is split across (>= 1; batches of >= 512 items per
     *        worker are split)
     * \param provider_options "key=value;..." for provider cuda / tensorrt, e.g.
     *        "device_id=0" or "trt_fp16_enable=1;trt_engine_cache_enable=1;
     *        trt_engine_cache_path=/var/cache/trt" (onnxruntime's option names)
     * \param window_hop window models: hop between windows, 1..W (0 = W / 2); ignored
     *        (must be 0 or 1) for per-symbol models
     * \param table_mb memory of the table engine's cached steps, MiB (default 16: 7
     *        steps of 2.25 MiB, values and jump flags, a ddim step with its jump cells
     *        refined 6-9 MiB; least recently used first out)
     * \param server_url remote inference (docs/deployment.md): "" (none) or
     *        "http://host:port" of an Open Inference Protocol (KServe v2) server serving
     *        the sampler graph of `gr-diffusion-model export-sampler` (of \p model_path,
     *        the same mode and DDIM steps); binary tensors, requests of at most
     *        \p batch_size symbols. Server absent: std::runtime_error naming the URL; another
     *        schedule / window / sampler: std::invalid_argument. Server gone mid-stream:
     *        logged, \p model_path denoises in process meanwhile (policy "local_fallback")
     *        or, with no \p model_path, the samples pass through not denoised ("passthrough");
     *        the first such sample tagged "remote_gap" (value: the policy) and, once the
     *        server is back (asked once per second), the first remote one "remote_resumed"
     *        (value: samples in the gap)
     * \param served_model the served model's name
     * \param request_timeout seconds a request (connect + transfer) may take, > 0
     * \param in_flight requests outstanding at once, 1 or 2
     * \param retries retries of a failed request, 0..10
     * \throws std::invalid_argument naming the file or parameter at fault
     */
    static sptr make(const std::string& model_path,
                     mode_t mode = TWEEDIE,
                     int ddim_steps = 5,
                     noise_source_t noise_source = NOISE_PARAMETER,
                     double esn0_db = 10.0,
                     const std::string& provider = "cpu",
                     int intra_op_threads = 1,
                     int batch_size = 8192,
                     int seed = 0,
                     const std::string& engine = "auto",
                     int threads = 1,
                     const std::string& provider_options = "",
                     int window_hop = 0,
                     double table_mb = 16.0,
                     const std::string& server_url = "",
                     const std::string& served_model = "",
                     double request_timeout = 2.0,
                     int in_flight = 2,
                     int retries = 1);

    //! true when no server is set or the server answers (remote inference)
    virtual bool remote_up() const = 0;
    virtual void set_esn0_db(double esn0_db) = 0;
    virtual void set_noise_var(double noise_var) = 0;
    //! current sigma2 (parameter value, or the latest blind estimate)
    virtual double noise_var() const = 0;
    virtual void set_mode(mode_t mode, int ddim_steps) = 0;
    virtual mode_t mode() const = 0;
    //! number of NaN/Inf samples passed through so far
    virtual uint64_t invalid_count() const = 0;
    //! number of samples whose sigma2 was clamped to the schedule
    virtual uint64_t clamped_count() const = 0;
    //! the schedule length T and the sigma2 range it represents
    virtual int num_steps() const = 0;
    virtual double noise_var_min() const = 0;
    virtual double noise_var_max() const = 0;
    //! table steps cached by the table engine (0 when it does not run)
    virtual int table_levels() const = 0;
    //! block until the table steps requested so far are built (benchmarks, tests)
    virtual void table_wait() = 0;
    //! the engine running the network: "fused (avx2)", "onnxruntime", ...
    virtual std::string engine_name() const = 0;
    //! symbols per network input (1: per-symbol model), the hop, and the latency in
    //! samples between an input symbol and its output
    virtual int window_length() const = 0;
    virtual int window_hop() const = 0;
    virtual int latency() const = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_DDPM_DENOISER_H */
