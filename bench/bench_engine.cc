/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Engine-level benchmark of the DDPM denoiser (a benchmark, not a test): no GNU Radio
// needed, only onnxruntime (and Eigen 3.4 for the FLOP ceiling and the Eigen comparison).
// Prints, in one run on one machine state:
//   * the FLOP ceiling: Eigen float32 1024^2 matmul GFLOP/s / FLOPs per evaluation,
//   * bare onnxruntime on the network (evaluations/s),
//   * the network alone: fused kernel and an Eigen implementation (GEMM + array ops),
//   * mode x engine x threads throughput (Msym/s) and the ratio to bare onnxruntime,
//   * per-call latency min / p50 / p99 / max against batch size (tweedie, ddim k=5; fused
//     on 1 and 2 threads, onnxruntime on 1), with the load average beside the tables.
// --matmul prints only the single-thread float32 figures of the machine (core clock, FMA
// peak, Eigen GEMM 1024^3 and [B x 128] x [128 x 128]); bench/matmul_ceiling.py runs it.
// Build: cmake --build build --target bench_engine (Eigen is used when CMake finds it),
// or
//   by hand without GNU Radio: g++ -O3 -std=c++17 -pthread -Ilib -I$ORT/include
//     [-I/usr/include/eigen3 -DHAVE_EIGEN] bench/bench_engine.cc lib/ddpm_engine.cc
//     lib/model_contract.cc lib/ort_io_binding.cc lib/fused_mlp*.cc -L$ORT/lib
//     -lonnxruntime (the ISA files need their -m flags, see lib/CMakeLists.txt)
// Run: build/lib/bench_engine [model.onnx] [--quick] | --matmul

#include "ddpm_engine.h"
#include "fused_mlp.h"
#include "ort_io_binding.h"
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <vector>
#if defined(__FMA__) && defined(__AVX__)
#include <immintrin.h>
#endif
#ifdef HAVE_EIGEN
#include "fused_mlp_kernel.h" // mlp_view only
#include <Eigen/Dense>
#endif

using namespace gr::diffusion;
using clk = std::chrono::steady_clock;

namespace {

double seconds(clk::time_point a)
{
    return std::chrono::duration<double>(clk::now() - a).count();
}

double process_cpu_s()
{
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

// items per CPU-second of the process (all threads) in the last rate() call: on a loaded
// machine the wall-clock rate is this process's share of the CPUs, this one is not
double g_cpu_rate = 0;

// best rate (items/s) over `rounds` rounds of at least `min_s` seconds each
double
rate(const std::function<void()>& f, double items, int rounds = 3, double min_s = 0.4)
{
    f(); // warm up
    double best = 0;
    g_cpu_rate = 0;
    for (int r = 0; r < rounds; r++) {
        int reps = 0;
        const auto t0 = clk::now();
        const double c0 = process_cpu_s();
        do {
            f();
            reps++;
        } while (seconds(t0) < min_s);
        best = std::max(best, reps * items / seconds(t0));
        g_cpu_rate = std::max(g_cpu_rate, reps * items / (process_cpu_s() - c0));
    }
    return best;
}

// fastest of `reps` short calls (items/s): on a machine shared with other jobs, the calls
// that ran without being preempted estimate the speed of an unloaded core
double best_call(const std::function<void()>& f, double items, int reps = 300)
{
    f();
    double tmin = 1e30;
    for (int r = 0; r < reps; r++) {
        const auto t0 = clk::now();
        f();
        tmin = std::min(tmin, seconds(t0));
    }
    return items / tmin;
}

#ifdef HAVE_EIGEN
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
double eigen_matmul_gflops()
{
    Eigen::setNbThreads(1);
    RowMat a = RowMat::Random(1024, 1024), b = RowMat::Random(1024, 1024), c(1024, 1024);
    return rate([&] { c.noalias() = a * b; }, 2.0 * 1024 * 1024 * 1024, 3, 0.5) / 1e9;
}

// The network with Eigen: GEMM per layer on a tile + array ops (bias, embedding,
// softplus)
struct eigen_mlp {
    int H, T, depth;
    std::vector<RowMat> W, E;
    std::vector<Eigen::RowVectorXf> b;
    RowMat Wout;
    Eigen::RowVectorXf bout;
    explicit eigen_mlp(const std::string& path)
    {
        const auto g = onnx_wire::load_model(path);
        fused_mlp f(g); // validates the pattern
        H = f.hidden();
        T = f.T();
        depth = f.depth();
        for (int l = 0; l < depth; l++) {
            const auto& w =
                g.initializers.at("layers." + std::to_string(l) + ".lin.weight");
            W.push_back(Eigen::Map<const RowMat>(w.f.data(), w.dims[0], w.dims[1]));
            const auto& bb =
                g.initializers.at("layers." + std::to_string(l) + ".lin.bias");
            b.push_back(Eigen::Map<const Eigen::RowVectorXf>(bb.f.data(), bb.f.size()));
            const auto& e =
                g.initializers.at("layers." + std::to_string(l) + ".embed.weight");
            E.push_back(Eigen::Map<const RowMat>(e.f.data(), e.dims[0], e.dims[1]));
        }
        const auto& wo = g.initializers.at("out.weight");
        Wout = Eigen::Map<const RowMat>(wo.f.data(), wo.dims[0], wo.dims[1]);
        const auto& bo = g.initializers.at("out.bias");
        bout = Eigen::Map<const Eigen::RowVectorXf>(bo.f.data(), bo.f.size());
    }
    void predict(const float* x, const int32_t* t, int n, float* eps) const
    {
        const int R = 256;
        RowMat h, z, emb(R, H);
        for (int s = 0; s < n; s += R) {
            const int m = std::min(R, n - s);
            h = Eigen::Map<const RowMat>(x + 2 * s, m, 2);
            for (int l = 0; l < depth; l++) {
                z.noalias() = h * W[l].transpose();
                for (int i = 0; i < m; i++)
                    emb.row(i) = E[l].row(t[s + i]);
                auto za = ((z.rowwise() + b[l]).array() * emb.topRows(m).array());
                h = za.max(0.f) + (-za.abs()).exp().log1p();
            }
            RowMat o = (h * Wout.transpose()).rowwise() + bout;
            std::memcpy(eps + 2 * s, o.data(), sizeof(float) * 2 * m);
        }
    }
};
#endif

double pct(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(q * v.size()))];
}

double load_average()
{
    double l = -1;
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &l) != 1)
            l = -1;
        std::fclose(f);
    }
    return l;
}

#if defined(__x86_64__)
// Core clock (GHz) from a chain of dependent integer adds (1 cycle each on every x86 core
// since the P6): fastest of many short runs, so preempted runs do not count.
double core_ghz()
{
    double best = 0;
    for (int r = 0; r < 200; r++) {
        uint64_t v = 0;
        const auto t0 = clk::now();
        for (int i = 0; i < 2000; i++)
            asm volatile(".rept 100\n\taddq $1, %0\n\t.endr" : "+r"(v));
        best = std::max(best, 2000.0 * 100 / seconds(t0) / 1e9);
    }
    return best;
}
#endif

#if defined(__FMA__) && defined(__AVX__)
// Achievable float32 FMA peak of one core (GFLOP/s): 10 independent 256-bit FMA chains
// (more than latency x throughput on Zen 1-4 and Intel since Haswell), register-only.
double fma_peak_gflops()
{
    double best = 0;
    for (int r = 0; r < 50; r++) {
        __m256 a[10];
        for (int k = 0; k < 10; k++)
            a[k] = _mm256_set1_ps(1.0f + 1e-7f * k);
        const __m256 m = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-8f);
        const int iters = 20000;
        const auto t0 = clk::now();
        for (int i = 0; i < iters; i++) {
            for (int k = 0; k < 10; k++)
                a[k] = _mm256_fmadd_ps(a[k], m, c);
            asm volatile(""
                         : "+x"(a[0]),
                           "+x"(a[1]),
                           "+x"(a[2]),
                           "+x"(a[3]),
                           "+x"(a[4]),
                           "+x"(a[5]),
                           "+x"(a[6]),
                           "+x"(a[7]),
                           "+x"(a[8]),
                           "+x"(a[9]));
        }
        best = std::max(best, iters * 10.0 * 8 * 2 / seconds(t0) / 1e9);
    }
    return best;
}
#endif

#ifdef HAVE_EIGEN
// float32 GEMM GFLOP/s of [m x k] x [k x n] on one thread: sustained (best of 3 rounds of
// 0.4 s) and fastest single call of many (uncontended estimate)
std::pair<double, double> eigen_gemm(int m, int k, int n)
{
    Eigen::setNbThreads(1);
    RowMat a = RowMat::Random(m, k), b = RowMat::Random(k, n), c(m, n);
    const double fl = 2.0 * m * k * n;
    const double sus = rate([&] { c.noalias() = a * b; }, fl, 3, 0.4) / 1e9;
    const int reps = std::max(20, int(std::min(2000.0, 2e10 / fl)));
    const double fast = best_call([&] { c.noalias() = a * b; }, fl, reps) / 1e9;
    return { sus, fast };
}
#endif

// --matmul: the machine's single-thread float32 figures only (bench/matmul_ceiling.py)
int matmul_report()
{
    std::printf("load average (1 min) %.2f\n", load_average());
#if defined(__x86_64__)
    const double ghz = core_ghz();
    std::printf("core clock (dependent-add chain, fastest run): %.2f GHz\n", ghz);
#endif
#if defined(__FMA__) && defined(__AVX__)
    const double fma = fma_peak_gflops();
    std::printf("float32 FMA peak, 1 thread (10 independent 256-bit FMA chains): %.1f "
                "GFLOP/s = %.1f FLOP/cycle\n",
                fma,
                fma / ghz);
#endif
#ifdef HAVE_EIGEN
    std::printf("Eigen %d.%d.%d float32 GEMM, 1 thread (Eigen::nbThreads() = %d):\n",
                EIGEN_WORLD_VERSION,
                EIGEN_MAJOR_VERSION,
                EIGEN_MINOR_VERSION,
                Eigen::nbThreads());
    std::printf(
        "  shape                         sustained GFLOP/s   fastest call GFLOP/s\n");
    const std::vector<std::array<int, 3>> shapes = {
        { 1024, 1024, 1024 }, { 48, 128, 128 },   { 256, 128, 128 },
        { 1024, 128, 128 },   { 4096, 128, 128 }, { 16384, 128, 128 }
    };
    for (const auto& s : shapes) {
        const auto g = eigen_gemm(s[0], s[1], s[2]);
        std::printf("  [%5d x %4d] x [%4d x %4d]   %10.1f          %10.1f\n",
                    s[0],
                    s[1],
                    s[1],
                    s[2],
                    g.first,
                    g.second);
    }
#else
    std::printf("(built without Eigen: no GEMM figures)\n");
#endif
    std::printf("load average (1 min) %.2f\n", load_average());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    std::string model = "models/16qam.onnx";
    bool quick = false;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--quick"))
            quick = true;
        else if (!std::strcmp(argv[i], "--matmul"))
            return matmul_report();
        else
            model = argv[i];
    }
    const int B = 8192;     // throughput runs
    const int NMAX = 16384; // largest latency batch
    std::mt19937 gen(1);
    std::normal_distribution<float> nd(0.f, 1.f);
    std::vector<gr_complex> y(NMAX), out(NMAX);
    std::vector<float> x(2 * NMAX), eps(2 * NMAX);
    std::vector<int64_t> t64(NMAX);
    std::vector<int32_t> t32(NMAX);
    for (int i = 0; i < NMAX; i++) {
        const float a = (int(gen() % 4) * 2 - 3) / std::sqrt(10.f),
                    c = (int(gen() % 4) * 2 - 3) / std::sqrt(10.f);
        y[i] = gr_complex(a + 0.22f * nd(gen), c + 0.22f * nd(gen)); // 16-QAM at ~10 dB
        x[2 * i] = y[i].real();
        x[2 * i + 1] = y[i].imag();
    }

    ddpm_engine ort(model, "cpu", 1, B, "onnxruntime", 1);
    bool cl;
    const int tstar = ort.matched_step(0.1, &cl);
    std::fill(t64.begin(), t64.end(), tstar);
    std::fill(t32.begin(), t32.end(), tstar);
    std::vector<int> tt(NMAX, tstar);

    std::printf("model %s, T = %d, matched step at Es/N0 10 dB: t* = %d, batch %d\n",
                model.c_str(),
                ort.T(),
                tstar,
                B);
    std::printf("load average (1 min) at start: %.2f\n", load_average());
    double ceiling = 0;
    fused_mlp probe(model);
    const double fpe = probe.flops_per_row();
#ifdef HAVE_EIGEN
    const double gf = eigen_matmul_gflops();
    ceiling = gf * 1e9 / fpe;
    std::printf(
        "float32 matmul 1024^2 (Eigen, 1 thread): %.1f GFLOP/s -> FLOP ceiling %.2f M "
        "evaluations/s (%.1f kFLOP each)\n",
        gf,
        ceiling / 1e6,
        fpe / 1e3);
#endif
    const double r_ort = rate(
        [&] { ort.predict_eps_onnxruntime(x.data(), t64.data(), B, eps.data()); }, B);
    const double r_ort_cpu = g_cpu_rate;
    std::printf(
        "bare onnxruntime (1 thread): %.3f M evaluations/s (%.3f per CPU-second)%s\n",
        r_ort / 1e6,
        r_ort_cpu / 1e6,
        ceiling > 0
            ? (" (" + std::to_string(int(100 * r_ort / ceiling)) + " % of ceiling)")
                  .c_str()
            : "");
    {
        // the same network through Ort::IoBinding (lib/ort_io_binding.h, the GPU
        // providers' path) on the CPU provider: no allocation per call on either side
        Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "bench_engine");
        Ort::SessionOptions so;
        so.SetIntraOpNumThreads(1);
        so.SetInterOpNumThreads(1);
        so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
        Ort::Session sess(env, model.c_str(), so);
        // 2048-row runs, as predict_eps_onnxruntime (cache-sized), copies in and out
        // included (what the engine would do on a GPU provider)
        ort_io_binding io(sess, "cpu", 0, 2048);
        for (int nb : { 1024, B }) {
            const double r_run = rate(
                [&] {
                    ort.predict_eps_onnxruntime(x.data(), t64.data(), nb, eps.data());
                },
                nb);
            const double r_io =
                rate([&] { io.predict(x.data(), t64.data(), nb, eps.data()); }, nb);
            std::printf("onnxruntime Run vs IoBinding (cpu, %d rows): %.3f / %.3f M "
                        "evaluations/s = %.2f x\n",
                        nb,
                        r_run / 1e6,
                        r_io / 1e6,
                        r_io / r_run);
        }
    }
    std::printf(
        "\nnetwork alone (1 thread)           M evals/s  x bare ort  %% ceiling\n");
    double r_fused_best = 0;
    for (int isa : { 0, 1, 2 }) {
        if (!fused_mlp::isa_supported(isa))
            continue;
        fused_mlp f(model, isa);
        fused_mlp::workspace ws;
        const double r =
            rate([&] { f.predict(x.data(), t32.data(), B, eps.data(), ws); }, B);
        r_fused_best = std::max(r_fused_best, r);
        std::printf("  fused kernel (%-8s)            %8.3f  %10.2f  %8.0f\n",
                    fused_mlp::isa_name(isa),
                    r / 1e6,
                    r / r_ort,
                    ceiling > 0 ? 100 * r / ceiling : 0.0);
    }
#ifdef HAVE_EIGEN
    {
        eigen_mlp em(model);
        const double r =
            rate([&] { em.predict(x.data(), t32.data(), B, eps.data()); }, B);
        std::printf("  Eigen 3.4 (GEMM + array ops)       %8.3f  %10.2f  %8.0f\n",
                    r / 1e6,
                    r / r_ort,
                    ceiling > 0 ? 100 * r / ceiling : 0.0);
        // the GEMM shape alone: [48 x 128] x [128 x 128] (one tile of one hidden layer)
        RowMat A = RowMat::Random(48, 128), W = RowMat::Random(128, 128), C(48, 128);
        const double g = rate([&] { C.noalias() = A * W; }, 2.0 * 48 * 128 * 128, 3, 0.3);
        std::printf("  Eigen GEMM alone, [48x128]x[128x128]: %.1f GFLOP/s (the fused "
                    "kernel above "
                    "does GEMM + softplus at %.1f GFLOP/s effective)\n",
                    g / 1e9,
                    r_fused_best * fpe / 1e9);
    }
#endif

    // ---- uncontended estimates: fastest of many ~1 ms calls
    {
        const int nb = 1024;
        std::printf("\nfastest of 300 short calls (estimate for an unloaded core):\n");
        double ceil_b = 0;
#ifdef HAVE_EIGEN
        RowMat A = RowMat::Random(256, 256), W = RowMat::Random(256, 256), C(256, 256);
        const double gfb =
            best_call([&] { C.noalias() = A * W; }, 2.0 * 256 * 256 * 256) / 1e9;
        ceil_b = gfb * 1e9 / fpe;
        std::printf(
            "  Eigen matmul 256^3: %.1f GFLOP/s -> FLOP ceiling %.2f M evaluations/s\n",
            gfb,
            ceil_b / 1e6);
#endif
        const double ob = best_call(
            [&] { ort.predict_eps_onnxruntime(x.data(), t64.data(), nb, eps.data()); },
            nb);
        fused_mlp f(model);
        fused_mlp::workspace ws;
        const double fb =
            best_call([&] { f.predict(x.data(), t32.data(), nb, eps.data(), ws); }, nb);
        ddpm_engine fe(model, "cpu", 1, nb, "fused", 1);
        const double tb = best_call(
            [&] {
                fe.denoise(y.data(),
                           tt.data(),
                           nb,
                           ddpm_engine::TWEEDIE,
                           1,
                           1,
                           nullptr,
                           out.data());
            },
            nb);
        std::printf("  bare onnxruntime (%d rows): %.3f M evaluations/s%s\n",
                    nb,
                    ob / 1e6,
                    ceil_b > 0 ? (" (" + std::to_string(int(100 * ob / ceil_b)) +
                                  " % of ceiling)")
                                     .c_str()
                               : "");
        std::printf(
            "  fused kernel %s (%d rows): %.3f M evaluations/s = %.2f x bare ort%s\n",
            fused_mlp::isa_name(f.isa()),
            nb,
            fb / 1e6,
            fb / ob,
            ceil_b > 0
                ? (" (" + std::to_string(int(100 * fb / ceil_b)) + " % of ceiling)")
                      .c_str()
                : "");
        std::printf(
            "  engine tweedie, fused (%d symbols): %.3f Msym/s = %.2f x bare ort\n",
            nb,
            tb / 1e6,
            tb / ob);
    }

    struct mode_case {
        const char* name;
        ddpm_engine::sampler m;
        int k;
        int n;
    };
    const std::vector<mode_case> cases = {
        { "tweedie", ddpm_engine::TWEEDIE, 1, B },
        { "ddim k=5", ddpm_engine::DDIM, 5, B },
        { "posterior", ddpm_engine::POSTERIOR, 1, 2048 },
        { "paper", ddpm_engine::PAPER, 1, 2048 }
    };
    std::printf(
        "\nmode        engine          threads   Msym/s  x bare ort   Msym/CPU-s  "
        "CPU x bare ort\n");
    std::vector<std::unique_ptr<ddpm_engine>> engines;
    struct eng_case {
        const char* engine;
        int threads;
    };
    std::vector<eng_case> ecs = {
        { "fused", 1 }, { "fused", 2 }, { "onnxruntime", 1 }, { "onnxruntime", 2 }
    };
    for (const auto& ec : ecs)
        engines.emplace_back(
            std::make_unique<ddpm_engine>(model, "cpu", 1, NMAX, ec.engine, ec.threads));
    for (const auto& c : cases) {
        for (size_t e = 0; e < ecs.size(); e++) {
            auto& eng = *engines[e];
            const double r = rate(
                [&] {
                    eng.denoise(
                        y.data(), tt.data(), c.n, c.m, c.k, 1, nullptr, out.data());
                },
                c.n,
                quick ? 1 : 3,
                quick ? 0.2 : 0.4);
            std::printf("%-11s %-15s %7d %8.3f  %10.2f   %10.3f  %10.2f\n",
                        c.name,
                        eng.engine_name().c_str(),
                        ecs[e].threads,
                        r / 1e6,
                        r / r_ort,
                        g_cpu_rate / 1e6,
                        g_cpu_rate / r_ort_cpu);
        }
    }

    std::printf("\nload average (1 min) after the throughput table: %.2f\n",
                load_average());

    // ---- per-call latency distribution: one engine call of `bs` symbols
    std::printf(
        "\nper-call latency (us; calls: at least 100 or 1 s, at most 3 s; min = fastest "
        "call,\nthe compute time without preemption):\n"
        "mode       batch  engine             thr  calls      min      p50      p99      "
        "max"
        "  Msym/s@p50\n");
    struct lat_case {
        const char* name;
        ddpm_engine::sampler m;
        int k;
    };
    for (const lat_case& lc : { lat_case{ "tweedie", ddpm_engine::TWEEDIE, 1 },
                                lat_case{ "ddim k=5", ddpm_engine::DDIM, 5 } }) {
        for (int bs : { 64, 256, 1024, 4096, 16384 }) {
            for (size_t e : { size_t(0), size_t(1), size_t(2) }) {
                auto& eng = *engines[e];
                std::vector<double> lat;
                eng.denoise(y.data(), tt.data(), bs, lc.m, lc.k, 1, nullptr, out.data());
                const double min_s = quick ? 0.2 : 1.0, max_s = quick ? 0.6 : 3.0;
                const size_t min_calls = quick ? 30 : 100;
                const auto t0 = clk::now();
                for (;;) {
                    const double el = seconds(t0);
                    if (lat.size() >= 20 && el > max_s)
                        break;
                    if (lat.size() >= min_calls && el > min_s)
                        break;
                    const auto a = clk::now();
                    eng.denoise(
                        y.data(), tt.data(), bs, lc.m, lc.k, 1, nullptr, out.data());
                    lat.push_back(seconds(a) * 1e6);
                }
                const double p50 = pct(lat, 0.5), p99 = pct(lat, 0.99),
                             mx = *std::max_element(lat.begin(), lat.end()),
                             mn = *std::min_element(lat.begin(), lat.end());
                std::printf("%-9s %6d  %-18s %3d %6zu %8.0f %8.0f %8.0f %8.0f  %7.3f\n",
                            lc.name,
                            bs,
                            eng.engine_name().c_str(),
                            ecs[e].threads,
                            lat.size(),
                            mn,
                            p50,
                            p99,
                            mx,
                            bs / p50);
            }
        }
    }
    std::printf("load average (1 min) at the end: %.2f\n", load_average());
    return 0;
}
