/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "denoise_table.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DENOISE_TABLE_X86 1
#endif

namespace gr {
namespace diffusion {

namespace {

// Catmull-Rom weights of the 4 grid values around f in [0, 1): w_k = (a f^3 + b f^2 +
// c f + d) / 2 with (a, b, c, d) = (-1, 2, -1, 0), (3, -5, 0, 2), (-3, 4, 1, 0), (1, -1,
// 0, 0). They sum to 1 and reproduce quadratics exactly (interpolation error O(h^3)).
inline void cr_weights(float f, float w[4])
{
    w[0] = 0.5f * (((-f + 2.0f) * f - 1.0f) * f);
    w[1] = 0.5f * ((3.0f * f - 5.0f) * f * f + 2.0f);
    w[2] = 0.5f * (((-3.0f * f + 4.0f) * f + 1.0f) * f);
    w[3] = 0.5f * ((f - 1.0f) * f * f);
}

// one sample of a level; false when outside the grid's interior or not finite
struct level_view {
    const float* data = nullptr;
    const uint8_t* rough = nullptr;
    float x0 = 0, y0 = 0, ihx = 0, ihy = 0, lim = 0;
    int n = 0;
    // refinement of the rough cells (s = 0: none)
    int s = 0, nsub = 0;
    const uint32_t* sub_cell = nullptr;
    const uint32_t* sub_row = nullptr;
    const float* sub_data = nullptr;
    const uint8_t* sub_rough = nullptr;
};

// A sample in rough cell (i, j) at fractions (fu, fv) in [0, 1): bilinear on the cell's
// sub-grid; false (a miss) when the cell is not refined or its sub-cell holds a jump.
inline bool
interp_sub(const level_view& L, int i, int j, float fu, float fv, gr_complex& out)
{
    if (L.s == 0)
        return false;
    const uint32_t id = uint32_t(j) * uint32_t(L.n) + uint32_t(i);
    const uint32_t* e = L.sub_cell + L.sub_row[j + 1];
    const uint32_t* p = std::lower_bound(L.sub_cell + L.sub_row[j], e, id);
    if (p == e || *p != id)
        return false;
    const size_t c = size_t(p - L.sub_cell);
    const int s = L.s;
    const float a = fu * float(s), b = fv * float(s);
    const int ia = std::min(int(a), s - 1), ib = std::min(int(b), s - 1);
    if (L.sub_rough[c * s * s + size_t(ib) * s + ia])
        return false;
    const float ga = a - float(ia), gb = b - float(ib);
    const float* d = L.sub_data + 2 * (c * (s + 1) * (s + 1) + size_t(ib) * (s + 1) + ia);
    const float* d1 = d + 2 * (s + 1);
    const float w00 = (1 - ga) * (1 - gb), w10 = ga * (1 - gb), w01 = (1 - ga) * gb,
                w11 = ga * gb;
    out = gr_complex(w00 * d[0] + w10 * d[2] + w01 * d1[0] + w11 * d1[2],
                     w00 * d[1] + w10 * d[3] + w01 * d1[1] + w11 * d1[3]);
    return true;
}

inline bool interp_portable(const level_view& L, gr_complex y, gr_complex& out)
{
    const float u = (y.real() - L.x0) * L.ihx, v = (y.imag() - L.y0) * L.ihy;
    if (!(u >= 1.0f && u < L.lim && v >= 1.0f && v < L.lim))
        return false;
    const int i = int(u), j = int(v);
    if (L.rough && L.rough[size_t(j) * L.n + i])
        return interp_sub(L, i, j, u - float(i), v - float(j), out);
    float wu[4], wv[4];
    cr_weights(u - float(i), wu);
    cr_weights(v - float(j), wv);
    const float* p = L.data + 2 * (size_t(j - 1) * L.n + (i - 1));
    float re = 0.0f, im = 0.0f;
    for (int b = 0; b < 4; b++) {
        const float* r = p + 2 * size_t(b) * L.n;
        float rr = 0.0f, ri = 0.0f;
        for (int a = 0; a < 4; a++) {
            rr += wu[a] * r[2 * a];
            ri += wu[a] * r[2 * a + 1];
        }
        re += wv[b] * rr;
        im += wv[b] * ri;
    }
    out = gr_complex(re, im);
    return true;
}

#ifdef DENOISE_TABLE_X86
// The same stencil with one 32-byte load per grid row (4 complex values): sum the rows
// weighted by wv, then weight the columns by wu and add the pairs.
__attribute__((target("avx2,fma"))) int interp_avx2(const level_view* views,
                                                    const gr_complex* y,
                                                    const int* t,
                                                    int n,
                                                    gr_complex* out,
                                                    int* miss)
{
    int nm = 0;
    int tcur = -1;
    level_view L;
    const __m256 ca = _mm256_setr_ps(-0.5f, -0.5f, 1.5f, 1.5f, -1.5f, -1.5f, 0.5f, 0.5f);
    const __m256 cb = _mm256_setr_ps(1.0f, 1.0f, -2.5f, -2.5f, 2.0f, 2.0f, -0.5f, -0.5f);
    const __m256 cc = _mm256_setr_ps(-0.5f, -0.5f, 0.0f, 0.0f, 0.5f, 0.5f, 0.0f, 0.0f);
    const __m256 cd = _mm256_setr_ps(0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f);
    for (int i = 0; i < n; i++) {
        if (t[i] != tcur) {
            tcur = t[i];
            L = views[tcur];
        }
        if (!L.data) {
            miss[nm++] = i;
            continue;
        }
        const float u = (y[i].real() - L.x0) * L.ihx, v = (y[i].imag() - L.y0) * L.ihy;
        if (!(u >= 1.0f && u < L.lim && v >= 1.0f && v < L.lim)) {
            miss[nm++] = i;
            continue;
        }
        const int iu = int(u), jv = int(v);
        const float fu = u - float(iu), fv = v - float(jv);
        if (L.rough[size_t(jv) * L.n + iu]) {
            if (!interp_sub(L, iu, jv, fu, fv, out[i]))
                miss[nm++] = i;
            continue;
        }
        float wv[4];
        cr_weights(fv, wv);
        const float* p = L.data + 2 * (size_t(jv - 1) * L.n + (iu - 1));
        const size_t row = 2 * size_t(L.n);
        __m256 acc = _mm256_mul_ps(_mm256_set1_ps(wv[0]), _mm256_loadu_ps(p));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(wv[1]), _mm256_loadu_ps(p + row), acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(wv[2]), _mm256_loadu_ps(p + 2 * row), acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(wv[3]), _mm256_loadu_ps(p + 3 * row), acc);
        const __m256 f = _mm256_set1_ps(fu);
        const __m256 wu =
            _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(ca, f, cb), f, cc), f, cd);
        acc = _mm256_mul_ps(acc, wu);
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        _mm_storel_pi(reinterpret_cast<__m64*>(out + i), s);
    }
    return nm;
}
#endif

int interp_all_portable(const level_view* views,
                        const gr_complex* y,
                        const int* t,
                        int n,
                        gr_complex* out,
                        int* miss)
{
    int nm = 0;
    for (int i = 0; i < n; i++) {
        const level_view& L = views[t[i]];
        if (!L.data || !interp_portable(L, y[i], out[i]))
            miss[nm++] = i;
    }
    return nm;
}

// largest distance between the 4 corner values of the cell at (i, j) (row stride n)
inline float corner_span(const float* d, size_t n, int i, int j)
{
    gr_complex c[4];
    int q = 0;
    for (int b = 0; b <= 1; b++)
        for (int a = 0; a <= 1; a++) {
            const float* p = d + 2 * ((size_t(j) + b) * n + i + a);
            c[q++] = gr_complex(p[0], p[1]);
        }
    float m = 0.0f;
    for (int x = 0; x < 4; x++)
        for (int y = x + 1; y < 4; y++)
            m = std::max(m, std::abs(c[x] - c[y]));
    return m;
}

} // namespace

denoise_table::denoise_table(const std::vector<gr_complex>& points,
                             const std::vector<double>& sigma2_of_step,
                             map_fn fn,
                             const options& opt)
    : d_points(points), d_sigma2(sigma2_of_step), d_fn(std::move(fn)), d_opt(opt)
{
    if (points.empty())
        throw std::invalid_argument(
            "table engine: the model has no constellation points");
    if (sigma2_of_step.empty())
        throw std::invalid_argument("table engine: empty schedule");
    if (opt.grid < 8 || opt.grid > 8192)
        throw std::invalid_argument("table engine: grid must be in [8, 8192], got " +
                                    std::to_string(opt.grid));
    if (level_bytes() > opt.max_bytes)
        throw std::invalid_argument(
            "table engine: one level of " + std::to_string(opt.grid) + " x " +
            std::to_string(opt.grid) + " points takes " + std::to_string(level_bytes()) +
            " bytes, more than the table memory limit of " +
            std::to_string(opt.max_bytes) + " bytes");
    if (!(opt.margin > 0.0) || !std::isfinite(opt.margin))
        throw std::invalid_argument("table engine: margin must be > 0");
    if (opt.refine < 0 || opt.refine > 64)
        throw std::invalid_argument("table engine: refine must be in [0, 64], got " +
                                    std::to_string(opt.refine));
    d_re_min = d_im_min = INFINITY;
    d_re_max = d_im_max = -INFINITY;
    for (const auto& c : points) {
        if (!std::isfinite(c.real()) || !std::isfinite(c.imag()))
            throw std::invalid_argument("table engine: constellation point not finite");
        d_re_min = std::min(d_re_min, double(c.real()));
        d_re_max = std::max(d_re_max, double(c.real()));
        d_im_min = std::min(d_im_min, double(c.imag()));
        d_im_max = std::max(d_im_max, double(c.imag()));
    }
    double dmin = INFINITY;
    for (size_t a = 0; a < points.size(); a++)
        for (size_t b = a + 1; b < points.size(); b++)
            dmin = std::min(dmin, double(std::abs(points[a] - points[b])));
    if (!(dmin > 0.0) || !std::isfinite(dmin))
        dmin = 1.0;
    d_jump = float(opt.jump * dmin);
    for (double s2 : sigma2_of_step)
        if (!(s2 > 0.0) || !std::isfinite(s2))
            throw std::invalid_argument("table engine: step noise variance must be > 0");
#ifdef DENOISE_TABLE_X86
    d_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    d_avx2 = false;
#endif
    if (d_opt.background)
        d_thread = std::thread([this] { run(); });
}

denoise_table::~denoise_table()
{
    {
        std::lock_guard<std::mutex> l(d_m);
        d_stop = true;
        d_queue.clear();
    }
    d_abort.store(true);
    d_cv.notify_all();
    if (d_thread.joinable())
        d_thread.join();
}

const char* denoise_table::isa() const { return d_avx2 ? "avx2" : "portable"; }

std::string denoise_table::describe() const
{
    std::ostringstream os;
    os << "Catmull-Rom " << d_opt.grid << " x " << d_opt.grid << " grid per step ("
       << level_bytes() / 1024 << " KiB, cells with a jump > " << d_opt.jump
       << " point distance ";
    if (d_opt.refine >= 2)
        os << "refined " << d_opt.refine << " x " << d_opt.refine
           << " (bilinear; sub-cells with a jump left to the network)";
    else
        os << "left to the network";
    os << ", +-" << d_opt.margin << " sigma beyond the points), " << isa() << ", cache "
       << d_opt.max_bytes / 1024 << " KiB (" << d_opt.max_bytes / level_bytes()
       << " steps)";
    return os.str();
}

void denoise_table::geometry(int t, float& x0, float& y0, float& hx, float& hy) const
{
    // interior [lo, hi] = points +- margin sigma maps to u in [1, grid - 2]
    const double m = d_opt.margin * std::sqrt(d_sigma2[t - 1]);
    const double span = double(d_opt.grid - 3);
    const double wx = d_re_max - d_re_min + 2 * m, wy = d_im_max - d_im_min + 2 * m;
    hx = float(wx / span);
    hy = float(wy / span);
    x0 = float(d_re_min - m - hx);
    y0 = float(d_im_min - m - hy);
}

std::pair<double, double> denoise_table::spacing(int t) const
{
    float x0, y0, hx, hy;
    geometry(t, x0, y0, hx, hy);
    return { hx, hy };
}

void denoise_table::probe_values(const key& k,
                                 const gr_complex* y,
                                 int n,
                                 gr_complex* out) const
{
    float x0, y0, hx, hy;
    geometry(k.t, x0, y0, hx, hy);
    const float ihx = 1.0f / hx, ihy = 1.0f / hy, lim = float(d_opt.grid - 2);
    std::vector<gr_complex> nodes, vals;
    std::vector<int> inside;
    for (int i = 0; i < n; i++) {
        const float u = (y[i].real() - x0) * ihx, v = (y[i].imag() - y0) * ihy;
        if (!(u >= 1.0f && u < lim && v >= 1.0f && v < lim)) {
            nodes.push_back(y[i]);
            continue;
        }
        inside.push_back(i);
        const int iu = int(u), jv = int(v);
        for (int b = -1; b <= 2; b++)
            for (int a = -1; a <= 2; a++)
                nodes.emplace_back(x0 + float(iu + a) * hx, y0 + float(jv + b) * hy);
    }
    vals.resize(nodes.size());
    constexpr int chunk = 4096;
    for (size_t s = 0; s < nodes.size(); s += chunk)
        d_fn(nodes.data() + s,
             int(std::min<size_t>(chunk, nodes.size() - s)),
             k,
             vals.data() + s);
    size_t q = 0;
    size_t in = 0;
    std::vector<float> tile(32);
    for (int i = 0; i < n; i++) {
        if (in < inside.size() && inside[in] == i) {
            // a 4 x 4 level around the sample: same arithmetic as lookup()
            for (int r = 0; r < 16; r++) {
                tile[2 * r] = vals[q + r].real();
                tile[2 * r + 1] = vals[q + r].imag();
            }
            const float u = (y[i].real() - x0) * ihx, v = (y[i].imag() - y0) * ihy;
            bool rough = false;
            for (int b = 0; b <= 2; b++)
                for (int a = 0; a <= 2; a++)
                    rough = rough || corner_span(tile.data(), 4, a, b) > d_jump;
            if (rough) {
                // a jump: the coarse level leaves this sample to the network (the probe
                // checks the coarse grid; with refinement, lookup() interpolates such samples
                // on the 8 x 8 sub-grid, whose error bound lib/qa_denoise_table.cc checks)
                const gr_complex yi = y[i];
                d_fn(&yi, 1, k, &out[i]);
                q += 16;
                in++;
                continue;
            }
            level_view L;
            L.data = tile.data();
            L.n = 4;
            L.ihx = L.ihy = 1.0f;
            L.lim = 2.0f;
            L.x0 = L.y0 = 0.0f;
            const gr_complex local(1.0f + (u - float(int(u))),
                                   1.0f + (v - float(int(v))));
            interp_portable(L, local, out[i]);
            q += 16;
            in++;
        } else {
            out[i] = vals[q++];
        }
    }
}

denoise_table::level_ptr denoise_table::make_level(const key& k)
{
    auto lv = std::make_shared<level>();
    lv->k = k;
    lv->n = d_opt.grid;
    float hx, hy;
    geometry(k.t, lv->x0, lv->y0, hx, hy);
    lv->inv_hx = 1.0f / hx;
    lv->inv_hy = 1.0f / hy;
    const int N = lv->n;
    lv->data.resize(2 * size_t(N) * N);
    constexpr int chunk = 4096;
    std::vector<gr_complex> in(chunk), out(chunk);
    const size_t total = size_t(N) * N;
    for (size_t s = 0; s < total; s += chunk) {
        if (d_abort.load())
            return nullptr; // the owner is going away
        const int m = int(std::min<size_t>(chunk, total - s));
        for (int q = 0; q < m; q++) {
            const size_t idx = s + q;
            const int i = int(idx % N), j = int(idx / N);
            in[q] = gr_complex(lv->x0 + float(i) * hx, lv->y0 + float(j) * hy);
        }
        d_fn(in.data(), m, k, out.data());
        for (int q = 0; q < m; q++) {
            if (!std::isfinite(out[q].real()) || !std::isfinite(out[q].imag()))
                return nullptr;
            lv->data[2 * (s + q)] = out[q].real();
            lv->data[2 * (s + q) + 1] = out[q].imag();
        }
    }
    // a cell is rough when its 4 x 4 stencil (cells i-1..i+1, j-1..j+1) holds a jump
    std::vector<uint8_t> jump(total, 0);
    for (int j = 0; j + 1 < N; j++)
        for (int i = 0; i + 1 < N; i++)
            jump[size_t(j) * N + i] = corner_span(lv->data.data(), N, i, j) > d_jump;
    lv->rough.assign(total, 0);
    for (int j = 1; j + 2 < N; j++)
        for (int i = 1; i + 2 < N; i++) {
            uint8_t r = 0;
            for (int b = -1; b <= 1; b++)
                for (int a = -1; a <= 1; a++)
                    r |= jump[size_t(j + b) * N + i + a];
            lv->rough[size_t(j) * N + i] = r;
        }
    return lv;
}

denoise_table::level_ptr denoise_table::refine_level(const level& c)
{
    // every rough cell (i, j) gets the map at the (s + 1)^2 nodes x0 + (i + a / s) hx,
    // y0 + (j + b / s) hy (a, b = 0..s), in one batched evaluation like the coarse grid
    const int s = d_opt.refine;
    if (s < 2)
        return nullptr;
    std::vector<uint32_t> cells;
    for (size_t id = 0; id < c.rough.size(); id++)
        if (c.rough[id])
            cells.push_back(uint32_t(id));
    if (cells.empty())
        return nullptr;
    const size_t per = size_t(s + 1) * (s + 1), nc = cells.size();
    const size_t extra =
        nc * (sizeof(uint32_t) + per * sizeof(gr_complex) + size_t(s) * s) +
        (size_t(c.n) + 1) * sizeof(uint32_t);
    if (c.bytes() + extra > d_opt.max_bytes)
        return nullptr; // the coarse level alone (rough cells to the network)
    {
        // insert(.., false) refuses a refinement that does not fit beside the other cached
        // steps: do not spend the (s + 1)^2 network evaluations per rough cell on it
        std::lock_guard<std::mutex> l(d_m);
        size_t others = 0;
        for (const auto& kv : d_cache)
            if (kv.first != c.k.code())
                others += kv.second->bytes();
        if (others + c.bytes() + extra > d_opt.max_bytes)
            return nullptr;
    }
    auto lv = std::make_shared<level>();
    lv->k = c.k;
    lv->x0 = c.x0;
    lv->y0 = c.y0;
    lv->inv_hx = c.inv_hx;
    lv->inv_hy = c.inv_hy;
    lv->n = c.n;
    lv->data = c.data;
    lv->rough = c.rough;
    lv->s = s;
    lv->sub_cell = std::move(cells);
    lv->sub_row.assign(size_t(c.n) + 1, 0);
    for (uint32_t id : lv->sub_cell)
        lv->sub_row[id / uint32_t(c.n) + 1]++;
    for (int j = 0; j < c.n; j++)
        lv->sub_row[j + 1] += lv->sub_row[j];
    lv->sub_data.resize(2 * per * nc);
    lv->sub_rough.assign(nc * s * s, 0);
    float x0, y0, hx, hy;
    geometry(c.k.t, x0, y0, hx, hy);
    const int N = c.n;
    constexpr int chunk = 4096;
    std::vector<gr_complex> in(chunk), out(chunk);
    const size_t total = per * nc;
    for (size_t q0 = 0; q0 < total; q0 += chunk) {
        if (d_abort.load())
            return nullptr;
        const int m = int(std::min<size_t>(chunk, total - q0));
        for (int q = 0; q < m; q++) {
            const size_t idx = q0 + q, cc = idx / per, r = idx % per;
            const uint32_t id = lv->sub_cell[cc];
            const int i = int(id % uint32_t(N)), j = int(id / uint32_t(N));
            const int a = int(r % size_t(s + 1)), b = int(r / size_t(s + 1));
            in[q] = gr_complex(x0 + (float(i) + float(a) / float(s)) * hx,
                               y0 + (float(j) + float(b) / float(s)) * hy);
        }
        d_fn(in.data(), m, c.k, out.data());
        for (int q = 0; q < m; q++) {
            if (!std::isfinite(out[q].real()) || !std::isfinite(out[q].imag()))
                return nullptr;
            lv->sub_data[2 * (q0 + q)] = out[q].real();
            lv->sub_data[2 * (q0 + q) + 1] = out[q].imag();
        }
    }
    // a sub-cell is rough when its own 4 corners differ by more than the jump threshold
    // (bilinear: the stencil is the sub-cell itself)
    for (size_t cc = 0; cc < nc; cc++) {
        const float* d = lv->sub_data.data() + 2 * cc * per;
        for (int b = 0; b < s; b++)
            for (int a = 0; a < s; a++)
                lv->sub_rough[cc * s * s + size_t(b) * s + a] =
                    corner_span(d, size_t(s + 1), a, b) > d_jump;
    }
    return lv;
}

bool denoise_table::insert(level_ptr lv, bool evict)
{
    std::lock_guard<std::mutex> l(d_m);
    const size_t need = lv->bytes();
    if (need > d_opt.max_bytes)
        return false;
    const uint64_t code = lv->k.code();
    // least-recently-used levels go until this one fits (it replaces its own key)
    for (;;) {
        size_t used = 0;
        auto lru = d_cache.end();
        for (auto it = d_cache.begin(); it != d_cache.end(); ++it) {
            if (it->first == code)
                continue;
            used += it->second->bytes();
            if (lru == d_cache.end() ||
                it->second->last_use.load() < lru->second->last_use.load())
                lru = it;
        }
        if (used + need <= d_opt.max_bytes || lru == d_cache.end())
            break;
        if (!evict)
            return false;
        d_cache.erase(lru);
    }
    lv->last_use.store(d_clock.fetch_add(1) + 1);
    d_cache[code] = std::move(lv);
    d_generation.fetch_add(1);
    return true;
}

bool denoise_table::build_now(const key& k)
{
    {
        std::lock_guard<std::mutex> l(d_m);
        if (d_cache.count(k.code()))
            return true;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto lv = make_level(k);
    if (!lv && d_abort.load())
        return false;
    if (!lv) {
        std::lock_guard<std::mutex> l(d_m);
        d_failed[k.code()] = true;
        return false;
    }
    auto seconds = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    };
    d_last_build_s.store(seconds());
    d_builds.fetch_add(1);
    // the coarse grid serves at once (rough cells to the network); its refinement
    // replaces it when built, if it fits beside the other cached steps
    insert(lv);
    if (auto rl = refine_level(*lv)) {
        insert(std::move(rl), false);
        d_last_build_s.store(seconds());
    }
    return true;
}

void denoise_table::request(const key& k)
{
    const uint64_t c = k.code();
    if (!d_opt.background) {
        {
            std::lock_guard<std::mutex> l(d_m);
            if (d_failed.count(c))
                return;
        }
        build_now(k);
        return;
    }
    std::lock_guard<std::mutex> l(d_m);
    if (d_cache.count(c) || d_pending.count(c) || d_failed.count(c))
        return;
    d_pending[c] = true;
    d_queue.push_back(k);
    d_cv.notify_one();
}

void denoise_table::run()
{
    for (;;) {
        key k;
        {
            std::unique_lock<std::mutex> l(d_m);
            d_cv.wait(l, [this] { return d_stop || !d_queue.empty(); });
            if (d_stop)
                break;
            k = d_queue.front();
            d_queue.pop_front();
            d_busy = true;
        }
        bool ok = false;
        try {
            ok = build_now(k);
        } catch (...) {
            ok = false;
        }
        std::lock_guard<std::mutex> l(d_m);
        d_busy = false;
        // a level that cannot be built (non-finite network output) is not retried: its
        // samples keep going to the network
        (void)ok;
        d_pending.erase(k.code());
        if (d_queue.empty())
            d_idle.notify_all();
    }
    std::lock_guard<std::mutex> l(d_m);
    d_busy = false;
    d_idle.notify_all();
}

void denoise_table::wait_idle()
{
    std::unique_lock<std::mutex> l(d_m);
    d_idle.wait(l, [this] { return d_stop || (d_queue.empty() && !d_busy); });
}

void denoise_table::clear()
{
    std::lock_guard<std::mutex> l(d_m);
    d_cache.clear();
    d_generation.fetch_add(1);
}

namespace {
// share of the cells flagged 1 (rough cells, rough sub-cells)
double flagged_fraction(const std::vector<uint8_t>& flags)
{
    return double(std::count(flags.begin(), flags.end(), uint8_t(1))) /
           double(flags.size());
}
} // namespace

double denoise_table::rough_fraction(const key& k) const
{
    std::lock_guard<std::mutex> l(d_m);
    const auto it = d_cache.find(k.code());
    if (it == d_cache.end())
        return -1.0;
    return flagged_fraction(it->second->rough);
}

double denoise_table::rough_subcell_fraction(const key& k) const
{
    std::lock_guard<std::mutex> l(d_m);
    const auto it = d_cache.find(k.code());
    if (it == d_cache.end() || it->second->sub_rough.empty())
        return -1.0;
    return flagged_fraction(it->second->sub_rough);
}

size_t denoise_table::level_bytes(const key& k) const
{
    std::lock_guard<std::mutex> l(d_m);
    const auto it = d_cache.find(k.code());
    return it == d_cache.end() ? 0 : it->second->bytes();
}

size_t denoise_table::bytes() const
{
    std::lock_guard<std::mutex> l(d_m);
    size_t b = 0;
    for (const auto& kv : d_cache)
        b += kv.second->bytes();
    return b;
}

int denoise_table::levels() const
{
    std::lock_guard<std::mutex> l(d_m);
    return int(d_cache.size());
}

void denoise_table::refresh_snapshot(int mode, int steps)
{
    const uint64_t mk = key{ mode, steps, 0 }.code();
    const uint64_t gen = d_generation.load();
    if (gen == d_snap_gen && mk == d_snap_mode)
        return;
    std::lock_guard<std::mutex> l(d_m);
    d_snap.assign(d_sigma2.size() + 1, nullptr);
    for (const auto& kv : d_cache) {
        const key& k = kv.second->k;
        if (k.mode == mode && k.steps == steps)
            d_snap[k.t] = kv.second;
    }
    d_snap_gen = d_generation.load();
    d_snap_mode = mk;
}

int denoise_table::lookup(const gr_complex* y,
                          const int* t,
                          int n,
                          int mode,
                          int steps,
                          gr_complex* out,
                          int* miss)
{
    if (n <= 0)
        return 0;
    const int T = int(d_sigma2.size());
    for (int i = 0; i < n; i++)
        if (t[i] < 1 || t[i] > T)
            throw std::out_of_range("denoise_table: step outside [1, T]");
    // views of the levels of this call's steps (and build requests for absent ones)
    thread_local std::vector<level_view> views;
    thread_local std::vector<char> seen;
    const uint64_t now = d_clock.fetch_add(1) + 1;
    bool requested = false;
    auto fill = [&](bool ask) {
        refresh_snapshot(mode, steps);
        views.assign(T + 1, level_view());
        seen.assign(T + 1, 0);
        for (int i = 0; i < n; i++) {
            const int s = t[i];
            if (seen[s])
                continue;
            seen[s] = 1;
            const auto& lv = d_snap[s];
            if (lv) {
                lv->last_use.store(now);
                level_view& v = views[s];
                v.data = lv->data.data();
                v.rough = lv->rough.data();
                v.x0 = lv->x0;
                v.y0 = lv->y0;
                v.ihx = lv->inv_hx;
                v.ihy = lv->inv_hy;
                v.lim = float(lv->n - 2);
                v.n = lv->n;
                v.s = lv->s;
                v.nsub = int(lv->sub_cell.size());
                v.sub_cell = lv->sub_cell.data();
                v.sub_row = lv->sub_row.data();
                v.sub_data = lv->sub_data.data();
                v.sub_rough = lv->sub_rough.data();
            } else if (ask) {
                request(key{ mode, steps, s });
                requested = true;
            }
        }
    };
    fill(true);
    if (requested && !d_opt.background)
        fill(false); // built synchronously: take them now
#ifdef DENOISE_TABLE_X86
    if (d_avx2)
        return interp_avx2(views.data(), y, t, n, out, miss);
#endif
    return interp_all_portable(views.data(), y, t, n, out, miss);
}

} // namespace diffusion
} // namespace gr
