/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ddpm_engine.h"
#include "model_contract.h"
#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gr {
namespace diffusion {

namespace {

std::string join(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : ", ") + x;
    return s;
}

} // namespace

std::vector<std::string> ddpm_engine::available_providers()
{
    return Ort::GetAvailableProviders();
}

ddpm_engine::ddpm_engine(const std::string& model_path,
                         const std::string& provider,
                         int intra_op_threads,
                         int max_batch)
    : d_path(model_path),
      d_env(ORT_LOGGING_LEVEL_WARNING, "gr-diffusion"),
      d_mem(Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault)),
      d_max_batch(max_batch)
{
    const std::string where = "DDPM model '" + model_path + "': ";
    if (max_batch < 1)
        throw std::invalid_argument("batch size must be >= 1");
    if (intra_op_threads < 0)
        throw std::invalid_argument("intra_op_threads must be >= 0 (0 = onnxruntime default)");
    {
        std::ifstream f(model_path, std::ios::binary);
        if (!f)
            throw std::invalid_argument(where + "file not found or not readable");
    }

    Ort::SessionOptions opts;
    opts.SetIntraOpNumThreads(intra_op_threads);
    opts.SetInterOpNumThreads(1);
    opts.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);

    std::string prov = provider;
    std::transform(prov.begin(), prov.end(), prov.begin(), ::tolower);
    const auto avail = available_providers();
    auto need = [&](const std::string& name) {
        if (std::find(avail.begin(), avail.end(), name) == avail.end())
            throw std::invalid_argument("execution provider '" + provider +
                                        "' is not in this onnxruntime (installed: " +
                                        join(avail) + ")");
    };
    if (prov == "cuda") {
        need("CUDAExecutionProvider");
        OrtCUDAProviderOptions cuda{};
        opts.AppendExecutionProvider_CUDA(cuda);
    } else if (prov == "tensorrt") {
        need("TensorrtExecutionProvider");
        OrtTensorRTProviderOptions trt{};
        opts.AppendExecutionProvider_TensorRT(trt);
    } else if (prov != "cpu" && !prov.empty()) {
        throw std::invalid_argument("unknown execution provider '" + provider +
                                    "': use cpu, cuda or tensorrt (installed: " +
                                    join(avail) + ")");
    }

    try {
        d_session = std::make_unique<Ort::Session>(d_env, model_path.c_str(), opts);
    } catch (const Ort::Exception& e) {
        throw std::invalid_argument(where + "not a loadable ONNX model (" + e.what() + ")");
    }

    // ---- file contract (lib/model_contract.h, same checks as core/onnx_model.py)
    Ort::AllocatorWithDefaultOptions alloc;
    auto describe = [&](bool input) {
        std::vector<contract::tensor_desc> v;
        const size_t n = input ? d_session->GetInputCount() : d_session->GetOutputCount();
        for (size_t i = 0; i < n; i++) {
            contract::tensor_desc d;
            d.name = input ? d_session->GetInputNameAllocated(i, alloc).get()
                           : d_session->GetOutputNameAllocated(i, alloc).get();
            Ort::TypeInfo ti =
                input ? d_session->GetInputTypeInfo(i) : d_session->GetOutputTypeInfo(i);
            if (ti.GetONNXType() != ONNX_TYPE_TENSOR) {
                d.type = -1;
            } else {
                auto info = ti.GetTensorTypeAndShapeInfo(); // refers to ti: keep ti alive
                d.type = static_cast<int>(info.GetElementType());
                d.shape = info.GetShape();
            }
            v.push_back(d);
        }
        return v;
    };
    contract::check_io(describe(true), describe(false), where);
    auto md = d_session->GetModelMetadata();
    for (auto& key : md.GetCustomMetadataMapKeysAllocated(alloc)) {
        auto val = md.LookupCustomMetadataMapAllocated(key.get(), alloc);
        d_meta[key.get()] = val ? val.get() : "";
    }
    const contract::model_info info = contract::check_metadata(d_meta, where);
    d_alphas = info.alphas;
    d_abar = info.abar;
    for (double ab : d_abar)
        d_log_sigma2.push_back(std::log((1.0 - ab) / ab));
    d_points = info.points;

    d_x.resize(2 * max_batch);
    d_eps.resize(2 * max_batch);
    d_t.resize(max_batch);
    d_state.resize(max_batch);
    d_x0.resize(max_batch);
    d_tcur.resize(max_batch);
    d_idx.resize(max_batch);
    probe(where);
}

void ddpm_engine::probe(const std::string& where)
{
    // One run on 3 rows: a graph whose declared shapes pass the contract but whose actual
    // output is not float32 [3, 2] (or that fails to run) is a construction error, not a
    // run-time stall.
    constexpr int n = 3;
    static const char* in_names[] = { "x", "t" };
    static const char* out_names[] = { "eps" };
    float x[2 * n] = { 0.5f, -0.5f, 0.0f, 0.0f, 1.0f, 1.0f };
    int64_t t[n] = { 1, static_cast<int64_t>((T() + 1) / 2), static_cast<int64_t>(T()) };
    std::array<int64_t, 2> xs = { n, 2 };
    std::array<int64_t, 1> ts = { n };
    Ort::Value in[2] = { Ort::Value::CreateTensor<float>(d_mem, x, 2 * n, xs.data(), 2),
                         Ort::Value::CreateTensor<int64_t>(d_mem, t, n, ts.data(), 1) };
    std::vector<Ort::Value> out;
    try {
        out = d_session->Run(Ort::RunOptions{ nullptr }, in_names, in, 2, out_names, 1);
    } catch (const Ort::Exception& e) {
        throw std::invalid_argument(where + "the graph fails on a 3-row probe input (" +
                                    e.what() + ")");
    }
    if (out.size() != 1 || !out[0].IsTensor())
        throw std::invalid_argument(where + "the graph's 'eps' output is not a tensor");
    auto info = out[0].GetTensorTypeAndShapeInfo();
    const auto shape = info.GetShape();
    if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
        throw std::invalid_argument(where + "output 'eps' of a 3-row probe has type " +
                                    contract::type_name(info.GetElementType()) +
                                    ", must be float32 [N, 2]");
    if (shape.size() != 2 || shape[0] != n || shape[1] != 2) {
        std::string s;
        for (auto d : shape)
            s += (s.empty() ? "" : ", ") + std::to_string(d);
        throw std::invalid_argument(where + "output 'eps' of a 3-row probe has shape [" +
                                    s + "], must be [3, 2]");
    }
}

double ddpm_engine::sigma2_min() const { return std::exp(d_log_sigma2.front()); }
double ddpm_engine::sigma2_max() const { return std::exp(d_log_sigma2.back()); }

int ddpm_engine::matched_step(double sigma2, bool* clamped) const
{
    // nearest grid point in log(sigma2); same tie rule as schedules.Schedule.matched_step
    const double ls = sigma2 > 0.0 ? std::log(sigma2) : -INFINITY;
    const int T = this->T();
    const auto it = std::lower_bound(d_log_sigma2.begin(), d_log_sigma2.end(), ls);
    const int idx = static_cast<int>(it - d_log_sigma2.begin());
    const int lo = std::clamp(idx - 1, 0, T - 1);
    const int hi = std::clamp(idx, 0, T - 1);
    const bool pick_hi = std::abs(d_log_sigma2[hi] - ls) < std::abs(ls - d_log_sigma2[lo]);
    if (clamped) {
        const double tol = 1e-9;
        *clamped = ls < d_log_sigma2.front() - tol || ls > d_log_sigma2.back() + tol;
    }
    return (pick_hi ? hi : lo) + 1;
}

void ddpm_engine::predict_eps(const float* x, const int64_t* t, int n, float* eps)
{
    // Runs of at most 2048 rows keep the 128-wide activations in cache (measured: larger
    // single runs are slower per row on a 2-core x86 machine).
    constexpr int chunk = 2048;
    static const char* in_names[] = { "x", "t" };
    static const char* out_names[] = { "eps" };
    for (int s = 0; s < n; s += chunk) {
        const int m = std::min(chunk, n - s);
        std::array<int64_t, 2> xs = { m, 2 };
        std::array<int64_t, 1> ts = { m };
        Ort::Value in[2] = {
            Ort::Value::CreateTensor<float>(
                d_mem, const_cast<float*>(x + 2 * s), 2 * m, xs.data(), 2),
            Ort::Value::CreateTensor<int64_t>(
                d_mem, const_cast<int64_t*>(t + s), m, ts.data(), 1)
        };
        Ort::Value out = Ort::Value::CreateTensor<float>(d_mem, eps + 2 * s, 2 * m, xs.data(), 2);
        d_session->Run(Ort::RunOptions{ nullptr }, in_names, in, 2, out_names, &out, 1);
    }
}

// eps of the m states d_state[idx[k]] at steps d_tcur[idx[k]] into d_eps[2k..]
void ddpm_engine::eps_for(const std::vector<int>& idx, int m)
{
    for (int k = 0; k < m; k++) {
        const int i = idx[k];
        d_x[2 * k] = static_cast<float>(d_state[i].real());
        d_x[2 * k + 1] = static_cast<float>(d_state[i].imag());
        d_t[k] = d_tcur[i];
    }
    predict_eps(d_x.data(), d_t.data(), m, d_eps.data());
}

void ddpm_engine::ancestral(int n, bool paper, fast_rng& rng)
{
    int tmax = 0;
    for (int i = 0; i < n; i++)
        tmax = std::max(tmax, d_tcur[i]);
    for (int it = 0; it < tmax; it++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (d_tcur[i] >= 1)
                d_idx[m++] = i;
        eps_for(d_idx, m);
        for (int k = 0; k < m; k++) {
            const int i = d_idx[k];
            const int t = d_tcur[i];
            const double alpha = d_alphas[t - 1], beta = 1.0 - alpha, ab = d_abar[t - 1];
            const std::complex<double> e(d_eps[2 * k], d_eps[2 * k + 1]);
            std::complex<double> x = (d_state[i] - beta / std::sqrt(1.0 - ab) * e) / std::sqrt(alpha);
            if (t > 1) {
                // paper: variance beta_t; posterior: beta~_t = (1-abar_{t-1})/(1-abar_t) beta_t
                const double var = paper ? beta : (1.0 - abar_at(t - 1)) / (1.0 - ab) * beta;
                const gr_complex z = rng.complex_gaussian(1.0);
                x += std::sqrt(var) * std::complex<double>(z.real(), z.imag());
            }
            d_state[i] = x;
            d_tcur[i] = t - 1;
        }
    }
}

void ddpm_engine::denoise(const gr_complex* y,
                          const int* t,
                          int n,
                          sampler mode,
                          int steps,
                          fast_rng& rng,
                          gr_complex* out)
{
    if (n > d_max_batch)
        throw std::logic_error("ddpm_engine::denoise: batch larger than max_batch");
    if (mode == PAPER) {
        for (int i = 0; i < n; i++) {
            d_state[i] = y[i];
            d_tcur[i] = T();
        }
        ancestral(n, true, rng);
        for (int i = 0; i < n; i++)
            out[i] = gr_complex(d_state[i].real(), d_state[i].imag());
        return;
    }

    for (int i = 0; i < n; i++) {
        d_state[i] = std::sqrt(d_abar[t[i] - 1]) * std::complex<double>(y[i].real(), y[i].imag());
        d_tcur[i] = t[i];
    }

    if (mode == TWEEDIE || (mode == DDIM && steps <= 1)) {
        for (int i = 0; i < n; i++)
            d_idx[i] = i;
        eps_for(d_idx, n);
        for (int i = 0; i < n; i++) {
            const double ab = d_abar[t[i] - 1];
            const std::complex<double> e(d_eps[2 * i], d_eps[2 * i + 1]);
            const auto x0 = (d_state[i] - std::sqrt(1.0 - ab) * e) / std::sqrt(ab);
            out[i] = gr_complex(x0.real(), x0.imag());
        }
        return;
    }

    if (mode == DDIM) {
        // grid per sample: round(t* j / k), j = k..0, as samplers.ddim_steps
        const int k = steps;
        for (int j = k; j >= 1; j--) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                const int tj = static_cast<int>(std::nearbyint(double(t[i]) * j / k));
                const int sj = static_cast<int>(std::nearbyint(double(t[i]) * (j - 1) / k));
                if (tj > sj) {
                    d_idx[m++] = i;
                    d_tcur[i] = tj;
                }
            }
            if (m == 0)
                continue;
            eps_for(d_idx, m);
            for (int q = 0; q < m; q++) {
                const int i = d_idx[q];
                const int tj = d_tcur[i];
                const int sj = static_cast<int>(std::nearbyint(double(t[i]) * (j - 1) / k));
                const double ab_t = abar_at(tj), ab_s = abar_at(sj);
                const std::complex<double> e(d_eps[2 * q], d_eps[2 * q + 1]);
                const auto x0 = (d_state[i] - std::sqrt(1.0 - ab_t) * e) / std::sqrt(ab_t);
                d_state[i] = std::sqrt(ab_s) * x0 + std::sqrt(1.0 - ab_s) * e;
            }
        }
        for (int i = 0; i < n; i++)
            out[i] = gr_complex(d_state[i].real(), d_state[i].imag());
        return;
    }

    // POSTERIOR: ancestral steps t* .. 1 with the true posterior variance
    ancestral(n, false, rng);
    for (int i = 0; i < n; i++)
        out[i] = gr_complex(d_state[i].real(), d_state[i].imag());
}

} // namespace diffusion
} // namespace gr
