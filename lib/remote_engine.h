/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_REMOTE_ENGINE_H
#define INCLUDED_DIFFUSION_REMOTE_ENGINE_H

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gr {
namespace diffusion {

/*!
 * \brief Client of a served sampler graph over the Open Inference Protocol (KServe v2 REST,
 * binary tensor extension): the C++ twin of python/diffusion/core/remote_inference.py.
 *
 * The served model is `gr-diffusion-model export-sampler`'s graph (inputs y float32 [N, 2]
 * or [N, W, 2], sigma2 float64 [N]; outputs x0 like y, abar float64 [T], sampler int64
 * [mode, steps, W]) under any v2 server (Triton, KServe, MLServer). libcurl (Debian's
 * libcurl4-openssl-dev) + nlohmann-json.
 *
 * Construction: GET /v2/health/ready within the timeout, else std::runtime_error naming the
 * URL; GET /v2/models/{name} and a 3-row probe must match `expect` (schedule, window length,
 * sampler mode and steps), else std::invalid_argument saying what differs.
 * run(): rows cut into requests of at most batch_size symbols, up to in_flight (1 or 2)
 * transfers at once (curl multi), each bounded by the timeout (connect and whole transfer)
 * with `retries` retries; never throws for the server: rows not served are flagged, the
 * engine goes down (logged once) and, while down, asks /v2/health/ready at most once per
 * second instead of sending data; ready again (and the probe still matching) -> up, logged.
 */
class remote_engine
{
public:
    struct expectation {
        std::vector<double> abar; //!< schedule (empty: not checked)
        int window_length = 0;    //!< 0: not checked
        int mode = -1;            //!< 0 tweedie, 1 ddim; -1: not checked
        int steps = 0;            //!< DDIM steps; 0: not checked
    };
    //! level 0 info, 1 warn, 2 error
    using log_fn = std::function<void(int, const std::string&)>;

    remote_engine(const std::string& url,
                  const std::string& model_name,
                  double timeout_s,
                  int retries,
                  int in_flight,
                  int batch_size,
                  const expectation& expect,
                  log_fn log);
    ~remote_engine();
    remote_engine(const remote_engine&) = delete;
    remote_engine& operator=(const remote_engine&) = delete;

    /*!
     * x0 for `rows` rows of y (float32, rows x W x 2 interleaved Re/Im), sigma2 one per row;
     * served[r] = 1 where the server answered (x0 written), 0 elsewhere (x0 untouched).
     */
    void run(const float* y, const double* sigma2, int rows, float* x0, char* served);

    bool up() const { return d_up; }
    int window_length() const { return d_W; }
    int T() const { return static_cast<int>(d_abar.size()); }
    //! the served schedule (the probe's abar output). An expectation without a schedule
    //! or window takes the first connection's: a reconnection must serve the same
    const std::vector<double>& abar() const { return d_abar; }
    const std::string& url() const { return d_url; }
    uint64_t failures() const { return d_failures; }

private:
    struct transfer;
    std::string d_url, d_model;
    long d_timeout_ms;
    int d_retries, d_in_flight, d_batch;
    expectation d_expect;
    log_fn d_log;
    std::vector<std::unique_ptr<transfer>> d_conns;
    void* d_multi = nullptr;
    bool d_up = true;
    double d_next_try = 0.0;
    uint64_t d_failures = 0;
    int d_W = 1;
    std::vector<double> d_abar;

    bool ready(transfer& c);
    void check(transfer& c); // metadata + probe; throws std::invalid_argument
    bool try_reconnect();
    void went_down(const std::string& why);
    void prepare_infer(
        transfer& c, const float* y, const double* s2, int rows, bool all_outputs);
    bool perform(std::vector<transfer*>& ts);
    bool
    parse_infer(transfer& c, int rows, float* x0, std::string* err, bool all_outputs);
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_REMOTE_ENGINE_H */
