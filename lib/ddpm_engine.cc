/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "counter_rng.h"
#include "ddpm_engine.h"
#include "model_contract.h"
#include <condition_variable>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

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

namespace {
// max |v - r| / max(1, |r|): the fused kernels' probe criterion
template <class R>
double max_rel_diff(const float* v, const R* r, int n)
{
    double worst = 0.0;
    for (int i = 0; i < n; i++)
        worst = std::max(worst,
                         std::abs(double(v[i]) - double(r[i])) /
                             std::max(1.0, std::abs(double(r[i]))));
    return worst;
}

// Error of v against a float64 evaluation r of the same network, relative to the RMS of r:
// rms = sqrt(mean (v - r)^2) / rms(r), max = max |v - r| / rms(r) (the window probe)
struct probe_error {
    double rms = 0.0, max = 0.0;
};

template <class R>
probe_error rms_rel_error(const float* v, const R* r, int n)
{
    double e2 = 0.0, r2 = 0.0, worst = 0.0;
    for (int i = 0; i < n; i++) {
        const double d = double(v[i]) - double(r[i]);
        e2 += d * d;
        r2 += double(r[i]) * double(r[i]);
        worst = std::max(worst, std::abs(d));
    }
    const double scale = std::sqrt(std::max(r2 / std::max(n, 1), 1e-300));
    return { std::sqrt(e2 / std::max(n, 1)) / scale, worst / scale };
}

// the next kernel to try after one failed its probe check (> PORTABLE on entry)
int lower_isa(int isa)
{
    int next = isa - 1;
    while (next > fused_mlp::PORTABLE && !fused_mlp::isa_supported(next))
        next--;
    return next;
}
} // namespace

std::vector<std::string> ddpm_engine::available_providers()
{
    return Ort::GetAvailableProviders();
}

ddpm_engine::ddpm_engine(const std::string& model_path,
                         const std::string& provider,
                         int intra_op_threads,
                         int max_batch,
                         const std::string& engine,
                         int threads,
                         const std::string& provider_options,
                         size_t table_bytes)
    : d_path(model_path),
      d_env(ORT_LOGGING_LEVEL_WARNING, "gr-diffusion"),
      d_mem(Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault)),
      d_max_batch(max_batch)
{
    const std::string where = "DDPM model '" + model_path + "': ";
    if (max_batch < 1)
        throw std::invalid_argument("batch size must be >= 1");
    if (intra_op_threads < 0)
        throw std::invalid_argument(
            "intra_op_threads must be >= 0 (0 = onnxruntime default)");
    if (threads < 1 || threads > 256)
        throw std::invalid_argument("threads must be in [1, 256], got " +
                                    std::to_string(threads));
    if (engine != "auto" && engine != "table" && engine != "fused" &&
        engine != "onnxruntime")
        throw std::invalid_argument(
            "engine must be 'auto', 'table', 'fused' or 'onnxruntime', got '" + engine +
            "'");
    const auto popts = parse_provider_options(provider_options);
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
            throw std::invalid_argument(
                "execution provider '" + provider +
                "' is not in this onnxruntime (installed: " + join(avail) + ")");
    };
    // provider options (V2 structs: any key onnxruntime documents for the provider, e.g.
    // device_id; trt_fp16_enable, trt_engine_cache_enable, trt_engine_cache_path)
    std::vector<const char*> kp, vp;
    for (const auto& kv : popts) {
        kp.push_back(kv.first.c_str());
        vp.push_back(kv.second.c_str());
    }
    const OrtApi& api = Ort::GetApi();
    auto check = [&](OrtStatus* st, const char* what) {
        if (st) {
            const std::string msg = api.GetErrorMessage(st);
            api.ReleaseStatus(st);
            throw std::invalid_argument(std::string("provider_options for ") + what +
                                        ": " + msg);
        }
    };
    if (prov == "cuda") {
        need("CUDAExecutionProvider");
        OrtCUDAProviderOptionsV2* cuda = nullptr;
        check(api.CreateCUDAProviderOptions(&cuda), "cuda");
        std::unique_ptr<OrtCUDAProviderOptionsV2, void (*)(OrtCUDAProviderOptionsV2*)>
            keep(cuda, api.ReleaseCUDAProviderOptions);
        if (!kp.empty())
            check(api.UpdateCUDAProviderOptions(cuda, kp.data(), vp.data(), kp.size()),
                  "cuda");
        opts.AppendExecutionProvider_CUDA_V2(*cuda);
    } else if (prov == "tensorrt") {
        need("TensorrtExecutionProvider");
        OrtTensorRTProviderOptionsV2* trt = nullptr;
        check(api.CreateTensorRTProviderOptions(&trt), "tensorrt");
        std::unique_ptr<OrtTensorRTProviderOptionsV2,
                        void (*)(OrtTensorRTProviderOptionsV2*)>
            keep(trt, api.ReleaseTensorRTProviderOptions);
        if (!kp.empty())
            check(api.UpdateTensorRTProviderOptions(trt, kp.data(), vp.data(), kp.size()),
                  "tensorrt");
        opts.AppendExecutionProvider_TensorRT_V2(*trt);
    } else if (prov != "cpu" && !prov.empty()) {
        throw std::invalid_argument(
            "unknown execution provider '" + provider +
            "': use cpu, cuda or tensorrt (installed: " + join(avail) + ")");
    } else if (!popts.empty()) {
        throw std::invalid_argument(
            "provider_options are for the cuda / tensorrt providers; "
            "the cpu provider takes none (got '" +
            provider_options + "')");
    }

    try {
        d_session = std::make_unique<Ort::Session>(d_env, model_path.c_str(), opts);
    } catch (const Ort::Exception& e) {
        throw std::invalid_argument(where + "not a loadable ONNX model (" + e.what() +
                                    ")");
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
    const auto ins = describe(true), outs = describe(false);
    contract::check_io(ins, outs, where);
    std::vector<int64_t> x_shape;
    for (const auto& d : ins)
        if (d.name == "x")
            x_shape = d.shape;
    auto md = d_session->GetModelMetadata();
    for (auto& key : md.GetCustomMetadataMapKeysAllocated(alloc)) {
        auto val = md.LookupCustomMetadataMapAllocated(key.get(), alloc);
        d_meta[key.get()] = val ? val.get() : "";
    }
    const contract::model_info info = contract::check_metadata(d_meta, where);
    contract::check_window(x_shape, outs[0].shape, info.window_length, where);
    d_window = info.window_length;
    d_rank3 = x_shape.size() == 3;
    if (max_batch < d_window)
        throw std::invalid_argument(where + "window_length " + std::to_string(d_window) +
                                    " exceeds the batch size " +
                                    std::to_string(max_batch) +
                                    " (a batch holds whole windows)");
    d_alphas = info.alphas;
    d_abar = info.abar;
    d_grid = schedule_grid(d_abar);
    d_points = info.points;

    d_threads = threads;
    d_ctx.resize(threads);
    for (auto& c : d_ctx)
        c.reserve((max_batch + threads - 1) / threads);
    probe(where);
    setup_engine(engine == "table" ? "auto" : engine, prov.empty() ? "cpu" : prov);
    if (!d_fused && !d_fconv && d_window == 1 && !d_rank3 &&
        ort_io_binding::device_for_provider(prov) == "cuda") {
        // GPU providers: pinned host staging bound once (lib/ort_io_binding.h)
        int device_id = 0;
        for (const auto& kv : popts)
            if (kv.first == "device_id")
                device_id = std::atoi(kv.second.c_str());
        d_io = std::make_unique<ort_io_binding>(*d_session, "cuda", device_id, max_batch);
        d_note += "; " + d_io->note();
    }
    if (threads > 1)
        d_pool = std::make_unique<pool>(threads);
    if (engine == "auto" || engine == "table")
        setup_table(engine, table_bytes);
}

void ddpm_engine::probe(const std::string& where)
{
    // One run on 3 rows (windows): a graph whose declared shapes pass the contract but
    // whose actual output is not float32 of x's shape (or that fails to run) is a
    // construction error, not a run-time stall.
    constexpr int n = 3;
    const int W = d_window;
    static const char* in_names[] = { "x", "t" };
    static const char* out_names[] = { "eps" };
    const float base[2 * n] = { 0.5f, -0.5f, 0.0f, 0.0f, 1.0f, 1.0f };
    std::vector<float> x(2 * n * W);
    for (int r = 0; r < n; r++)
        for (int k = 0; k < W; k++) {
            x[2 * (r * W + k)] = base[2 * r];
            x[2 * (r * W + k) + 1] = base[2 * r + 1];
        }
    int64_t t[n] = { 1, static_cast<int64_t>((T() + 1) / 2), static_cast<int64_t>(T()) };
    std::vector<int64_t> xs = { n, 2 };
    if (d_rank3)
        xs = { n, W, 2 };
    std::array<int64_t, 1> ts = { n };
    Ort::Value in[2] = { Ort::Value::CreateTensor<float>(
                             d_mem, x.data(), x.size(), xs.data(), xs.size()),
                         Ort::Value::CreateTensor<int64_t>(d_mem, t, n, ts.data(), 1) };
    std::string want;
    for (auto d : xs)
        want += (want.empty() ? "[" : ", ") + std::to_string(d);
    want += "]";
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
                                    ", must be float32 " + want);
    if (shape != xs) {
        std::string s;
        for (auto d : shape)
            s += (s.empty() ? "" : ", ") + std::to_string(d);
        throw std::invalid_argument(where + "output 'eps' of a 3-row probe has shape [" +
                                    s + "], must be " + want + " (the shape of 'x')");
    }
}

double ddpm_engine::sigma2_min() const { return d_grid.sigma2_min(); }
double ddpm_engine::sigma2_max() const { return d_grid.sigma2_max(); }

int ddpm_engine::matched_step(double sigma2, bool* clamped) const
{
    return d_grid.matched_step(sigma2, clamped);
}

// ------------------------------------------------------------------ worker pool
// Persistent workers for splitting a batch (job 0 runs on the caller).
class ddpm_engine::pool
{
public:
    explicit pool(int n)
    {
        for (int k = 1; k < n; k++)
            d_workers.emplace_back([this, k] { loop(k); });
    }
    ~pool()
    {
        {
            std::lock_guard<std::mutex> l(d_m);
            d_stop = true;
        }
        d_cv.notify_all();
        for (auto& w : d_workers)
            w.join();
    }
    void run(int jobs, const std::function<void(int)>& fn)
    {
        {
            std::lock_guard<std::mutex> l(d_m);
            d_fn = &fn;
            d_jobs = jobs;
            d_pending = jobs - 1;
            d_err = nullptr;
            d_gen++;
        }
        d_cv.notify_all();
        std::exception_ptr e0;
        try {
            fn(0);
        } catch (...) {
            e0 = std::current_exception();
        }
        std::unique_lock<std::mutex> l(d_m);
        d_done.wait(l, [this] { return d_pending == 0; });
        if (e0)
            std::rethrow_exception(e0);
        if (d_err)
            std::rethrow_exception(d_err);
    }

private:
    std::vector<std::thread> d_workers;
    std::mutex d_m;
    std::condition_variable d_cv, d_done;
    const std::function<void(int)>* d_fn = nullptr;
    int d_jobs = 0, d_pending = 0;
    uint64_t d_gen = 0;
    bool d_stop = false;
    std::exception_ptr d_err;

    void loop(int k)
    {
        uint64_t seen = 0;
        for (;;) {
            std::unique_lock<std::mutex> l(d_m);
            d_cv.wait(l, [&] { return d_stop || d_gen != seen; });
            if (d_stop)
                return;
            seen = d_gen;
            if (k >= d_jobs)
                continue;
            const auto* fn = d_fn;
            l.unlock();
            try {
                (*fn)(k);
            } catch (...) {
                std::lock_guard<std::mutex> g(d_m);
                d_err = std::current_exception();
            }
            std::lock_guard<std::mutex> g(d_m);
            if (--d_pending == 0)
                d_done.notify_one();
        }
    }
};

ddpm_engine::~ddpm_engine() = default;

std::vector<std::pair<std::string, std::string>>
ddpm_engine::parse_provider_options(const std::string& s)
{
    std::vector<std::pair<std::string, std::string>> kv;
    std::string item;
    std::stringstream ss(s);
    auto trim = [](std::string x) {
        const auto a = x.find_first_not_of(" \t\n");
        if (a == std::string::npos)
            return std::string();
        return x.substr(a, x.find_last_not_of(" \t\n") - a + 1);
    };
    while (std::getline(ss, item, ';')) {
        std::stringstream s2(item);
        std::string part;
        while (std::getline(s2, part, ',')) {
            part = trim(part);
            if (part.empty())
                continue;
            const auto eq = part.find('=');
            const std::string k = eq == std::string::npos ? "" : trim(part.substr(0, eq));
            if (eq == std::string::npos || k.empty())
                throw std::invalid_argument("provider_options: entry '" + part +
                                            "' is not key=value");
            kv.emplace_back(k, trim(part.substr(eq + 1)));
        }
    }
    return kv;
}

std::string ddpm_engine::engine_name() const
{
    if (d_table) {
        if (d_fused)
            return std::string("table over fused (") +
                   fused_mlp::isa_name(d_fused->isa()) + ")";
        return "table over onnxruntime";
    }
    if (d_fused)
        return std::string("fused (") + fused_mlp::isa_name(d_fused->isa()) + ")";
    if (d_fconv)
        return std::string("fused window (") + fused_mlp::isa_name(d_fconv->isa()) + ")";
    return "onnxruntime";
}

void ddpm_engine::context::reserve(int n)
{
    if (int(state.size()) >= n)
        return;
    x.resize(2 * n);
    eps.resize(2 * n);
    t64.resize(n);
    t32.resize(n);
    state.resize(n);
    tcur.resize(n);
    idx.resize(n);
}

void ddpm_engine::setup_engine(const std::string& engine, const std::string& provider)
{
    const std::string where = "DDPM model '" + d_path + "': ";
    if (engine == "onnxruntime") {
        d_note = "engine: onnxruntime (as requested)";
        return;
    }
    if (provider != "cpu") {
        if (engine == "fused")
            throw std::invalid_argument("engine 'fused' runs on the CPU: provider '" +
                                        provider +
                                        "' needs engine 'onnxruntime' or 'auto'");
        d_note = "engine: onnxruntime (provider " + provider + ")";
        return;
    }
    std::string why;
    if (d_window > 1) {
        why = setup_window_kernel();
        if (why.empty())
            return;
        if (engine == "fused")
            throw std::invalid_argument(where + "engine 'fused' unavailable: " + why +
                                        " (use engine 'auto' or 'onnxruntime')");
        d_note = "engine: onnxruntime (" + why + ")";
        return;
    }
    try {
        d_fused = std::make_unique<fused_mlp>(d_path);
        if (d_fused->T() != T())
            throw fused_mlp::unrecognised("embedding has " +
                                          std::to_string(d_fused->T() + 1) +
                                          " rows, metadata T = " + std::to_string(T()));
    } catch (const fused_mlp::unrecognised& e) {
        why = std::string("the fused kernel does not recognise the graph: ") + e.what();
    } catch (const std::exception& e) {
        why = std::string("the fused kernel cannot read the file: ") + e.what();
    }
    if (why.empty()) {
        // probe batch: every step, inputs spread over the range the samplers feed
        const int n = 4 * T();
        std::vector<float> x(2 * n), a(2 * n), b(2 * n);
        std::vector<int64_t> t(n);
        const uint64_t key = counter_rng::seed_key(12345);
        for (int i = 0; i < n; i++) {
            const double scale = (i % 4 == 3) ? 6.0 : 1.5;
            const auto z = counter_rng::complex_gaussian_k(key, uint64_t(i), 0) * scale;
            x[2 * i] = float(z.real());
            x[2 * i + 1] = float(z.imag());
            t[i] = 1 + i % T();
        }
        predict_eps_onnxruntime(x.data(), t.data(), n, a.data());
        std::string failed;
        // the best kernel first; one that fails the check makes way for the next (AVX2,
        // portable) before onnxruntime takes over
        for (;;) {
            predict_eps(x.data(), t.data(), n, b.data());
            const double worst = max_rel_diff(b.data(), a.data(), 2 * n);
            std::ostringstream os;
            os.precision(2);
            os << worst;
            const int isa = d_fused->isa();
            if (worst <= 1e-5) {
                d_note = "engine: fused (" + std::string(fused_mlp::isa_name(isa)) +
                         "), probe check vs onnxruntime: max relative difference " +
                         os.str() + " on " + std::to_string(n) + " rows" + failed;
                return;
            }
            failed += std::string("; kernel ") + fused_mlp::isa_name(isa) +
                      " failed the probe check (max relative difference " + os.str() +
                      ")";
            if (isa == fused_mlp::PORTABLE)
                break;
            d_fused = std::make_unique<fused_mlp>(d_path, lower_isa(isa));
        }
        why = "the fused kernel failed its probe check against onnxruntime on " +
              std::to_string(n) + " rows" + failed;
        d_fused.reset();
    }
    if (engine == "fused")
        throw std::invalid_argument(where + "engine 'fused' unavailable: " + why +
                                    " (use engine 'auto' or 'onnxruntime')");
    d_note = "engine: onnxruntime (fallback: " + why + ")";
}

std::string ddpm_engine::setup_window_kernel()
{
    std::string why;
    try {
        d_fconv = std::make_unique<fused_conv1d>(d_path, d_window);
        if (d_fconv->T() != T())
            throw fused_mlp::unrecognised("embedding has " +
                                          std::to_string(d_fconv->T() + 1) +
                                          " rows, metadata T = " + std::to_string(T()));
    } catch (const fused_mlp::unrecognised& e) {
        d_fconv.reset();
        return std::string(
                   "window model: the fused kernel does not recognise the graph: ") +
               e.what();
    } catch (const std::exception& e) {
        d_fconv.reset();
        return std::string("window model: the fused kernel cannot read the file: ") +
               e.what();
    }
    // probe batch: one window per step, inputs spread over the range the samplers feed
    const int W = d_window, nw = std::max(T(), 8), n = nw * W;
    std::vector<float> x(2 * n), a(2 * n), b(2 * n);
    std::vector<int64_t> t(n);
    std::vector<int32_t> t32(n);
    const uint64_t key = counter_rng::seed_key(12345);
    for (int i = 0; i < n; i++) {
        const double scale = ((i / W) % 4 == 3) ? 6.0 : 1.5;
        const auto z = counter_rng::complex_gaussian_k(key, uint64_t(i), 0) * scale;
        x[2 * i] = float(z.real());
        x[2 * i + 1] = float(z.imag());
        t[i] = 1 + (i / W) % T();
        t32[i] = int32_t(t[i]);
    }
    predict_eps_onnxruntime(x.data(), t.data(), n, a.data());
    // Accuracy rule. The kernel and onnxruntime both evaluate the float32 network, each
    // with its own accumulation order, so each is measured against the float64 evaluation
    // of the same weights (predict_reference) rather than against the other. The error
    // is taken relative to the RMS of the outputs and summed over all of them: the old
    // rule, max |v - r| / max(1, |r|), is the single worst of 2n float32 rounding errors,
    // which moves by ~2x with the accumulation order alone (sdpsk_pn_w32: kernel 9.9e-05,
    // onnxruntime 5.5e-05, so a fallback, though the kernel's error RMS, 4.4e-07 of the
    // output RMS, is onnxruntime's, 4.5e-07). The kernel passes when
    //  - its error RMS is at most 2 x onnxruntime's (rounding of a different summation
    //    order: measured 0.95-1.3 x on the shipped window models), or at most 1e-5 (eps
    //    off by 1e-5 of its RMS moves x0 by sigma_t * 1e-5: 100 dB below the noise), and
    //  - its largest error is at most 4 x onnxruntime's, or 1e-4 of the RMS (no single
    //    output is wrong: a window edge or one step mishandled would be ~1e-2 or more).
    // A wrong kernel (a weight, a tap, a step embedding) is off by O(0.01-1) of the RMS.
    std::vector<double> ref(2 * n);
    d_fconv->predict_reference(x.data(), t32.data(), n, ref.data());
    const probe_error ort_e = rms_rel_error(a.data(), ref.data(), 2 * n);
    std::string failed;
    fused_conv1d::workspace ws;
    for (;;) {
        d_fconv->predict(x.data(), t32.data(), n, b.data(), ws);
        const double vs_ort = max_rel_diff(b.data(), a.data(), 2 * n);
        const probe_error own_e = rms_rel_error(b.data(), ref.data(), 2 * n);
        std::ostringstream os;
        os.precision(2);
        os << "error vs the float64 network, relative to the output RMS: RMS "
           << own_e.rms << " (onnxruntime " << ort_e.rms << "), max " << own_e.max
           << " (onnxruntime " << ort_e.max
           << "); max relative difference to onnxruntime " << vs_ort;
        const int isa = d_fconv->isa();
        const bool rms_ok = own_e.rms <= 2.0 * ort_e.rms || own_e.rms <= 1e-5;
        const bool max_ok = own_e.max <= 4.0 * ort_e.max || own_e.max <= 1e-4;
        // and it computes onnxruntime's function: a graph part the kernel does not model
        // (its float64 reference would share the omission) differs by O(0.1-1)
        const bool same_fn = vs_ort <= 1e-2;
        if (rms_ok && max_ok && same_fn) {
            d_note = "engine: fused window kernel (" +
                     std::string(fused_mlp::isa_name(isa)) +
                     "), probe check: " + os.str() + " on " + std::to_string(nw) +
                     " windows of " + std::to_string(W) + failed;
            return "";
        }
        failed += std::string("; kernel ") + fused_mlp::isa_name(isa) +
                  " failed the probe check (" + os.str() +
                  "; passes at RMS <= 2 x onnxruntime's or 1e-5, max <= 4 x or 1e-4, "
                  "difference to onnxruntime <= 1e-2)";
        if (isa == fused_mlp::PORTABLE || !same_fn)
            break;
        d_fconv = std::make_unique<fused_conv1d>(d_path, d_window, lower_isa(isa));
    }
    d_fconv.reset();
    return "window model: the fused kernel failed its probe check against onnxruntime" +
           failed;
}

void ddpm_engine::predict_eps_onnxruntime(const float* x,
                                          const int64_t* t,
                                          int n,
                                          float* eps)
{
    // Runs of at most 2048 rows keep the 128-wide activations in cache (measured: larger
    // single runs are slower per row on a 2-core x86 machine).
    constexpr int chunk = 2048;
    static const char* in_names[] = { "x", "t" };
    static const char* out_names[] = { "eps" };
    const int W = d_window;
    if (d_io) { // GPU provider, per-symbol model: bound staging buffers (one at a time)
        std::lock_guard<std::mutex> l(d_io_mutex);
        d_io->predict(x, t, n, eps);
        return;
    }
    if (W > 1 || d_rank3) {
        // rows are whole windows of W symbols, one step each (t[k W])
        if (n % W)
            throw std::logic_error("predict_eps: rows must be whole windows of " +
                                   std::to_string(W) + " symbols");
        const int nw = n / W, wchunk = std::max(1, chunk / W);
        thread_local std::vector<int64_t> tw;
        tw.resize(wchunk);
        for (int s = 0; s < nw; s += wchunk) {
            const int m = std::min(wchunk, nw - s);
            for (int k = 0; k < m; k++) {
                tw[k] = t[int64_t(s + k) * W];
                for (int j = 1; j < W; j++)
                    if (t[int64_t(s + k) * W + j] != tw[k])
                        throw std::logic_error(
                            "predict_eps: the step must be constant within a window");
            }
            std::array<int64_t, 3> xs = { m, W, 2 };
            std::array<int64_t, 1> ts = { m };
            const size_t off = size_t(s) * W * 2, len = size_t(m) * W * 2;
            Ort::Value in[2] = {
                Ort::Value::CreateTensor<float>(
                    d_mem, const_cast<float*>(x + off), len, xs.data(), 3),
                Ort::Value::CreateTensor<int64_t>(d_mem, tw.data(), m, ts.data(), 1)
            };
            Ort::Value out =
                Ort::Value::CreateTensor<float>(d_mem, eps + off, len, xs.data(), 3);
            d_session->Run(
                Ort::RunOptions{ nullptr }, in_names, in, 2, out_names, &out, 1);
        }
        return;
    }
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
        Ort::Value out =
            Ort::Value::CreateTensor<float>(d_mem, eps + 2 * s, 2 * m, xs.data(), 2);
        d_session->Run(Ort::RunOptions{ nullptr }, in_names, in, 2, out_names, &out, 1);
    }
}

void ddpm_engine::predict_eps(const float* x, const int64_t* t, int n, float* eps)
{
    if (d_fconv) {
        std::vector<int32_t> t32(t, t + n);
        for (int i = 0; i < n; i++)
            if (t[i] < 1 || t[i] > T() || (i % d_window && t[i] != t[i - 1]))
                throw std::out_of_range(
                    "predict_eps: step outside [1, T] or not constant within a window");
        d_fconv->predict(x, t32.data(), n, eps, d_ctx[0].cws);
        return;
    }
    if (!d_fused) {
        predict_eps_onnxruntime(x, t, n, eps);
        return;
    }
    std::vector<int32_t> t32(t, t + n);
    for (int i = 0; i < n; i++)
        if (t[i] < 1 || t[i] > T())
            throw std::out_of_range("predict_eps: step outside [1, T]");
    d_fused->predict(x, t32.data(), n, eps, d_ctx[0].ws);
}

// eps of the m states c.state[c.idx[k]] at steps c.tcur[c.idx[k]] into c.eps[2k..]
void ddpm_engine::eps_for(context& c, int m)
{
    for (int k = 0; k < m; k++) {
        const int i = c.idx[k];
        c.x[2 * k] = static_cast<float>(c.state[i].real());
        c.x[2 * k + 1] = static_cast<float>(c.state[i].imag());
        c.t32[k] = c.tcur[i];
    }
    if (d_fconv) {
        d_fconv->predict(c.x.data(), c.t32.data(), m, c.eps.data(), c.cws);
    } else if (d_fused) {
        d_fused->predict(c.x.data(), c.t32.data(), m, c.eps.data(), c.ws);
    } else {
        for (int k = 0; k < m; k++)
            c.t64[k] = c.t32[k];
        predict_eps_onnxruntime(c.x.data(), c.t64.data(), m, c.eps.data());
    }
}

void ddpm_engine::ancestral(
    context& c, int n, bool paper, uint64_t skey, const uint64_t* items)
{
    int tmax = 0;
    for (int i = 0; i < n; i++)
        tmax = std::max(tmax, c.tcur[i]);
    for (int it = 0; it < tmax; it++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (c.tcur[i] >= 1)
                c.idx[m++] = i;
        eps_for(c, m);
        for (int k = 0; k < m; k++) {
            const int i = c.idx[k];
            const int t = c.tcur[i];
            const double alpha = d_alphas[t - 1], beta = 1.0 - alpha, ab = d_abar[t - 1];
            const std::complex<double> e(c.eps[2 * k], c.eps[2 * k + 1]);
            std::complex<double> x =
                (c.state[i] - beta / std::sqrt(1.0 - ab) * e) / std::sqrt(alpha);
            if (t > 1) {
                // paper: variance beta_t; posterior: beta~_t = (1-abar_{t-1})/(1-abar_t)
                // beta_t
                const double var =
                    paper ? beta : (1.0 - abar_at(t - 1)) / (1.0 - ab) * beta;
                x += std::sqrt(var) * counter_rng::complex_gaussian_k(skey, items[i], t);
            }
            c.state[i] = x;
            c.tcur[i] = t - 1;
        }
    }
}

// the whole chain of one tile of samples (state stays in cache between steps)
void ddpm_engine::denoise_range(context& c,
                                const gr_complex* y,
                                const int* t,
                                int n,
                                sampler mode,
                                int steps,
                                uint64_t skey,
                                const uint64_t* items,
                                uint64_t item0,
                                gr_complex* out)
{
    // fused: tiles of 256 samples; onnxruntime: one chain over the range (large calls)
    const int tile = d_fused   ? 256
                     : d_fconv ? fused_conv1d::tile_windows * d_window
                               : std::max(n, 1);
    std::vector<uint64_t> own;
    if (!items && (mode == POSTERIOR || mode == PAPER)) {
        own.resize(n);
        for (int i = 0; i < n; i++)
            own[i] = item0 + uint64_t(i);
        items = own.data();
    }
    for (int s0 = 0; s0 < n; s0 += tile) {
        const int nn = std::min(tile, n - s0);
        const gr_complex* yy = y + s0;
        const int* tt = t + s0;
        gr_complex* oo = out + s0;
        const uint64_t* it = items ? items + s0 : nullptr;
        if (mode == PAPER) {
            for (int i = 0; i < nn; i++) {
                c.state[i] = yy[i];
                c.tcur[i] = T();
            }
            ancestral(c, nn, true, skey, it);
            for (int i = 0; i < nn; i++)
                oo[i] = gr_complex(c.state[i].real(), c.state[i].imag());
            continue;
        }
        for (int i = 0; i < nn; i++) {
            c.state[i] = std::sqrt(d_abar[tt[i] - 1]) *
                         std::complex<double>(yy[i].real(), yy[i].imag());
            c.tcur[i] = tt[i];
        }
        if (mode == TWEEDIE || (mode == DDIM && steps <= 1)) {
            for (int i = 0; i < nn; i++)
                c.idx[i] = i;
            eps_for(c, nn);
            for (int i = 0; i < nn; i++) {
                const double ab = d_abar[tt[i] - 1];
                const std::complex<double> e(c.eps[2 * i], c.eps[2 * i + 1]);
                const auto x0 = (c.state[i] - std::sqrt(1.0 - ab) * e) / std::sqrt(ab);
                oo[i] = gr_complex(x0.real(), x0.imag());
            }
            continue;
        }
        if (mode == DDIM) {
            // grid per sample: round(t* j / k), j = k..0, as samplers.ddim_steps
            const int k = steps;
            for (int j = k; j >= 1; j--) {
                int m = 0;
                for (int i = 0; i < nn; i++) {
                    const int tj =
                        static_cast<int>(std::nearbyint(double(tt[i]) * j / k));
                    const int sj =
                        static_cast<int>(std::nearbyint(double(tt[i]) * (j - 1) / k));
                    if (tj > sj) {
                        c.idx[m++] = i;
                        c.tcur[i] = tj;
                    }
                }
                if (m == 0)
                    continue;
                eps_for(c, m);
                for (int q = 0; q < m; q++) {
                    const int i = c.idx[q];
                    const int tj = c.tcur[i];
                    const int sj =
                        static_cast<int>(std::nearbyint(double(tt[i]) * (j - 1) / k));
                    const double ab_t = abar_at(tj), ab_s = abar_at(sj);
                    const std::complex<double> e(c.eps[2 * q], c.eps[2 * q + 1]);
                    const auto x0 =
                        (c.state[i] - std::sqrt(1.0 - ab_t) * e) / std::sqrt(ab_t);
                    c.state[i] = std::sqrt(ab_s) * x0 + std::sqrt(1.0 - ab_s) * e;
                }
            }
            for (int i = 0; i < nn; i++)
                oo[i] = gr_complex(c.state[i].real(), c.state[i].imag());
            continue;
        }
        // POSTERIOR: ancestral steps t* .. 1 with the true posterior variance
        ancestral(c, nn, false, skey, it);
        for (int i = 0; i < nn; i++)
            oo[i] = gr_complex(c.state[i].real(), c.state[i].imag());
    }
}

void ddpm_engine::denoise_network(const gr_complex* y,
                                  const int* t,
                                  int n,
                                  sampler mode,
                                  int steps,
                                  uint64_t seed,
                                  const uint64_t* items,
                                  gr_complex* out)
{
    if (n > d_max_batch)
        throw std::logic_error("ddpm_engine::denoise: batch larger than max_batch");
    if (n <= 0)
        return;
    const int W = d_window;
    if (n % W)
        throw std::logic_error("ddpm_engine::denoise: " + std::to_string(n) +
                               " samples are not whole windows of " + std::to_string(W));
    if (mode != PAPER)
        for (int i = 0; i < n; i++) {
            if (t[i] < 1 || t[i] > T())
                throw std::out_of_range("ddpm_engine::denoise: step outside [1, T]");
            if (i % W && t[i] != t[i - 1])
                throw std::logic_error(
                    "ddpm_engine::denoise: the step must be constant within a window");
        }
    const uint64_t skey = counter_rng::seed_key(seed);
    // at least 512 samples per worker, else the hand-off costs more than it saves
    const int jobs = std::min(d_threads, std::max(1, n / std::max(512, W)));
    if (jobs <= 1 || !d_pool) {
        d_ctx[0].reserve(n);
        denoise_range(d_ctx[0], y, t, n, mode, steps, skey, items, 0, out);
        return;
    }
    // whole windows per worker
    const int per = ((n / W + jobs - 1) / jobs) * W;
    d_pool->run(jobs, [&](int k) {
        const int s0 = k * per, m = std::min(per, n - s0);
        if (m <= 0)
            return;
        d_ctx[k].reserve(m);
        denoise_range(d_ctx[k],
                      y + s0,
                      t + s0,
                      m,
                      mode,
                      steps,
                      skey,
                      items ? items + s0 : nullptr,
                      uint64_t(s0),
                      out + s0);
    });
}

// ------------------------------------------------------------------ table engine
void ddpm_engine::setup_table(const std::string& engine, size_t bytes)
{
    const std::string where = "DDPM model '" + d_path + "': ";
    std::string why;
    if (d_window > 1 || d_rank3)
        why = "window model (window_length " + std::to_string(d_window) +
              "): the network runs";
    else if (d_points.empty())
        why = "the model has no constellation_points (they set the table's grid)";
    if (why.empty()) {
        denoise_table::options o;
        o.max_bytes = bytes;
        // GR_DIFFUSION_TABLE_JUMP: jump threshold in minimum point distances (default
        // 0.25; benchmarks: the accuracy / speed trade-off of ddim, bench/bench_table.py)
        if (const char* j = std::getenv("GR_DIFFUSION_TABLE_JUMP")) {
            const double v = std::atof(j);
            if (v > 0.0)
                o.jump = v;
        }
        // GR_DIFFUSION_TABLE_REFINE: sub-cells per axis of the rough cells (default 8;
        // 0 = the network runs them; benchmarks only)
        if (const char* r = std::getenv("GR_DIFFUSION_TABLE_REFINE"))
            o.refine = std::max(0, std::min(64, std::atoi(r)));
        std::vector<double> s2;
        for (double ls : d_grid.log_sigma2())
            s2.push_back(std::exp(ls));
        try {
            d_table = std::make_unique<denoise_table>(
                d_points,
                s2,
                [this](const gr_complex* y,
                       int n,
                       const denoise_table::key& k,
                       gr_complex* out) {
                    std::lock_guard<std::mutex> l(d_bmutex);
                    d_bt.assign(n, k.t);
                    d_bctx.reserve(n);
                    denoise_range(d_bctx,
                                  y,
                                  d_bt.data(),
                                  n,
                                  k.mode == 1 ? DDIM : TWEEDIE,
                                  k.steps,
                                  0,
                                  nullptr,
                                  0,
                                  out);
                },
                o);
        } catch (const std::invalid_argument& e) {
            why = e.what();
        }
    }
    if (why.empty())
        why = probe_table();
    if (why.empty())
        return;
    d_table.reset();
    if (engine == "table")
        throw std::invalid_argument(where + "engine 'table' unavailable: " + why +
                                    " (use engine 'auto', 'fused' or 'onnxruntime')");
    d_note += "; table engine not used: " + why;
}

std::string ddpm_engine::probe_table()
{
    // The table's output (probe_values: the same stencil on the network's values at the
    // 16 grid nodes around each input, no whole table) against the network's, tweedie, on
    // noisy constellation symbols at Es/N0 0, 15 and 30 dB. Tolerances: MSE (against the
    // sent symbols) within 0.01 dB of the network's, decisions (nearest point) differing
    // on <= 0.1 % of the probe symbols (a 1e-4 rate needs the benchmark's millions), and
    // max |table - network| <= 5 % of the minimum distance between points.
    constexpr int n = 2048;
    const int M = int(d_points.size());
    double dmin = INFINITY;
    for (int a = 0; a < M; a++)
        for (int b = a + 1; b < M; b++)
            dmin = std::min(dmin, double(std::abs(d_points[a] - d_points[b])));
    if (!(dmin > 0.0))
        dmin = 1.0;
    auto decide = [&](gr_complex z) {
        int best = 0;
        float bd = INFINITY;
        for (int m = 0; m < M; m++) {
            const float d = std::norm(z - d_points[m]);
            if (d < bd) {
                bd = d;
                best = m;
            }
        }
        return best;
    };
    std::vector<gr_complex> x(n), y(n), net(n), tab(n);
    std::vector<int> tt(n);
    std::ostringstream rep;
    rep.precision(2);
    double worst_db = 0.0, worst_err = 0.0;
    int worst_dec = 0, levels = 0;
    const uint64_t key = counter_rng::seed_key(0x7ab1e);
    int last_t = -1;
    for (double esn0 : { 0.0, 15.0, 30.0 }) {
        const double s2 = std::pow(10.0, -esn0 / 10.0);
        bool clamped;
        const int t = matched_step(s2, &clamped);
        if (t == last_t)
            continue;
        last_t = t;
        levels++;
        for (int i = 0; i < n; i++) {
            x[i] = d_points[i % M];
            const auto g = counter_rng::complex_gaussian_k(key, uint64_t(i), uint64_t(t));
            y[i] = x[i] + gr_complex(float(std::sqrt(s2) * g.real()),
                                     float(std::sqrt(s2) * g.imag()));
            tt[i] = t;
        }
        for (int s = 0; s < n; s += d_max_batch) {
            const int m = std::min(d_max_batch, n - s);
            denoise_network(
                y.data() + s, tt.data() + s, m, TWEEDIE, 1, 0, nullptr, net.data() + s);
        }
        d_table->probe_values(denoise_table::key{ 0, 1, t }, y.data(), n, tab.data());
        double e_net = 0.0, e_tab = 0.0, err = 0.0;
        int dec = 0;
        for (int i = 0; i < n; i++) {
            e_net += std::norm(net[i] - x[i]);
            e_tab += std::norm(tab[i] - x[i]);
            err = std::max(err, double(std::abs(tab[i] - net[i])));
            dec += decide(tab[i]) != decide(net[i]);
        }
        if (!std::isfinite(e_tab) || !std::isfinite(e_net) || !(e_net > 0.0))
            return "the probe's network or table output is not finite";
        const double db = 10.0 * std::log10(e_tab / e_net);
        if (std::abs(db) > std::abs(worst_db))
            worst_db = db;
        worst_err = std::max(worst_err, err);
        worst_dec = std::max(worst_dec, dec);
    }
    rep << "probe vs network (tweedie, " << levels << " steps at Es/N0 0/15/30 dB, " << n
        << " symbols each): MSE within " << std::abs(worst_db) << " dB, max |diff| "
        << worst_err << ", decisions differ on " << worst_dec << "/" << n;
    if (std::abs(worst_db) > 0.01 || worst_err > 0.05 * dmin || worst_dec > n / 1000)
        return "failed its " + rep.str() +
               " (tolerance 0.01 dB, 5 % of the minimum point distance, 0.1 %)";
    d_note =
        "engine: table (" + d_table->describe() + "; " + rep.str() +
        ") for tweedie/ddim; the network for posterior/paper, table misses and " +
        "levels still building: " + d_note.substr(std::min<size_t>(8, d_note.size()));
    return "";
}

// ddim with one step is tweedie (the same map, one table): (mode, steps) of the table key
static denoise_table::key table_key(ddpm_engine::sampler mode, int steps, int t)
{
    const bool ddim = mode == ddpm_engine::DDIM && steps > 1;
    return denoise_table::key{ ddim ? 1 : 0, ddim ? steps : 1, t };
}

void ddpm_engine::prefetch_table(sampler mode, int steps, double sigma2)
{
    if (!d_table || (mode != TWEEDIE && mode != DDIM) || std::isnan(sigma2))
        return;
    bool clamped;
    d_table->prefetch(table_key(mode, steps, matched_step(sigma2, &clamped)));
}

void ddpm_engine::denoise(const gr_complex* y,
                          const int* t,
                          int n,
                          sampler mode,
                          int steps,
                          uint64_t seed,
                          const uint64_t* items,
                          gr_complex* out)
{
    if (!d_table || (mode != TWEEDIE && mode != DDIM) || n <= 0) {
        denoise_network(y, t, n, mode, steps, seed, items, out);
        return;
    }
    if (n > d_max_batch)
        throw std::logic_error("ddpm_engine::denoise: batch larger than max_batch");
    const auto k = table_key(mode, steps, 1);
    d_miss.resize(n);
    const int nm = d_table->lookup(y, t, n, k.mode, k.steps, out, d_miss.data());
    d_table_lookups += uint64_t(n);
    d_table_misses += uint64_t(nm);
    if (nm == 0)
        return;
    d_my.resize(nm);
    d_mt.resize(nm);
    d_mo.resize(nm);
    for (int k = 0; k < nm; k++) {
        d_my[k] = y[d_miss[k]];
        d_mt[k] = t[d_miss[k]];
    }
    denoise_network(
        d_my.data(), d_mt.data(), nm, mode, steps, seed, nullptr, d_mo.data());
    for (int k = 0; k < nm; k++)
        out[d_miss[k]] = d_mo[k];
}

} // namespace diffusion
} // namespace gr
