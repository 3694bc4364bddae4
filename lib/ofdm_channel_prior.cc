/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ofdm_channel_prior.h"
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>

namespace gr {
namespace diffusion {

// ------------------------------------------------------------------ layout
ofdm_layout::ofdm_layout(int fft_len_,
                         int cp_len_,
                         const std::vector<int>& occupied_,
                         const std::vector<int>& pilots_)
    : fft_len(fft_len_), cp_len(cp_len_), occupied(occupied_), pilots(pilots_)
{
    if (fft_len < 8 || fft_len % 2)
        throw std::invalid_argument("fft_len must be even and >= 8, got " +
                                    std::to_string(fft_len));
    if (cp_len <= 0 || cp_len >= fft_len)
        throw std::invalid_argument("cp_len must be in (0, fft_len), got " +
                                    std::to_string(cp_len));
    std::set<int> act(occupied.begin(), occupied.end());
    act.insert(pilots.begin(), pilots.end());
    const int half = fft_len / 2;
    if (act.empty() || *act.begin() < -half || *act.rbegin() >= half)
        throw std::invalid_argument("carriers must lie in [-" + std::to_string(half) +
                                    ", " + std::to_string(half - 1) + "]");
    if (act.size() != occupied.size() + pilots.size())
        throw std::invalid_argument("occupied and pilot carriers overlap or repeat");
    active.assign(act.begin(), act.end());
    std::vector<char> used(fft_len, 0);
    for (int k : active) {
        active_pos.push_back(position(k));
        used[position(k)] = 1;
    }
    for (int i = 0; i < fft_len; i++)
        if (!used[i])
            null_pos.push_back(i);
}

ofdm_layout ofdm_layout::gnuradio_default()
{
    std::vector<int> occ;
    for (int k = -26; k <= 26; k++)
        if (k != 0 && k != -21 && k != -7 && k != 7 && k != 21)
            occ.push_back(k);
    return ofdm_layout(64, 16, occ, { -21, -7, 7, 21 });
}

std::string ofdm_layout::span(const std::vector<int>& a)
{
    std::ostringstream s;
    s << a.size() << ": ";
    if (a.size() <= 8) {
        for (size_t i = 0; i < a.size(); i++)
            s << (i ? ", " : "") << a[i];
    } else {
        s << a[0] << ", " << a[1] << ", ... " << a[a.size() - 2] << ", " << a.back();
    }
    return s.str();
}

// ------------------------------------------------------------------ power tracker
channel_power_tracker::channel_power_tracker(double alpha, double fixed)
    : d_alpha(alpha), d_fixed(fixed), d_power(fixed > 0 ? fixed : 0.0)
{
    if (!(alpha > 0.0 && alpha <= 1.0))
        throw std::invalid_argument("power_alpha must be in (0, 1], got " +
                                    std::to_string(alpha));
    if (!(fixed >= 0.0) || !std::isfinite(fixed))
        throw std::invalid_argument(
            "channel_power must be finite and >= 0 (0: track), got " +
            std::to_string(fixed));
}

double channel_power_tracker::update(double m, double sigma2)
{
    if (d_fixed > 0)
        return d_fixed;
    const double p = std::max(m - sigma2, floor_ratio * std::max(m, 1e-30));
    d_frames++;
    const double w = std::max(d_alpha, 1.0 / double(d_frames));
    d_power = d_frames == 1 ? p : (1 - w) * d_power + w * p;
    return d_power;
}

// ------------------------------------------------------------------ the prior
namespace {

std::vector<int> parse_carriers(const std::string& text)
{
    std::vector<int> v;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (item.find_first_not_of(" \t") == std::string::npos)
            continue;
        size_t used = 0;
        int k = 0;
        try {
            k = std::stoi(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0)
            throw std::invalid_argument("malformed ofdm_active_carriers entry '" + item +
                                        "'");
        v.push_back(k);
    }
    return v;
}

// Cholesky solve of the Hermitian positive definite n x n system A x = b (A overwritten)
void cholesky_solve(std::vector<cdouble>& A, int n, cdouble* b)
{
    for (int j = 0; j < n; j++) {
        double d = A[j * n + j].real();
        for (int k = 0; k < j; k++)
            d -= std::norm(A[j * n + k]);
        d = std::sqrt(std::max(d, 1e-300));
        A[j * n + j] = d;
        for (int i = j + 1; i < n; i++) {
            cdouble s = A[i * n + j];
            for (int k = 0; k < j; k++)
                s -= A[i * n + k] * std::conj(A[j * n + k]);
            A[i * n + j] = s / d;
        }
    }
    for (int i = 0; i < n; i++) { // L z = b
        cdouble s = b[i];
        for (int k = 0; k < i; k++)
            s -= A[i * n + k] * b[k];
        b[i] = s / A[i * n + i].real();
    }
    for (int i = n - 1; i >= 0; i--) { // L^H x = z
        cdouble s = b[i];
        for (int k = i + 1; k < n; k++)
            s -= std::conj(A[k * n + i]) * b[k];
        b[i] = s / A[i * n + i].real();
    }
}

} // namespace

ofdm_channel_prior::ofdm_channel_prior(const std::string& model_path,
                                       const ofdm_layout& layout,
                                       const std::string& engine)
    : d_lay(layout),
      d_engine(
          model_path, "cpu", 1, max_frames * std::max(1, layout.n_active()), engine, 1)
{
    const std::string where = "OFDM channel model '" + model_path + "'";
    const auto& md = d_engine.metadata();
    const auto f = md.find("ofdm_fft_len");
    if (f == md.end())
        throw std::invalid_argument(where +
                                    ": not an OFDM channel model (no ofdm_fft_len / "
                                    "ofdm_active_carriers metadata)");
    int fft_len = 0;
    try {
        fft_len = std::stoi(f->second);
    } catch (const std::exception&) {
        throw std::invalid_argument(where + ": malformed ofdm_fft_len '" + f->second +
                                    "'");
    }
    const auto a = md.find("ofdm_active_carriers");
    const std::vector<int> act =
        parse_carriers(a == md.end() ? std::string() : a->second);
    if (fft_len != d_lay.fft_len)
        throw std::invalid_argument(where + ": the model is for fft_len " +
                                    std::to_string(fft_len) + ", the block has fft_len " +
                                    std::to_string(d_lay.fft_len));
    if (act != d_lay.active)
        throw std::invalid_argument(
            where + ": the model's active carriers (" + ofdm_layout::span(act) +
            ") differ from the block's (" + ofdm_layout::span(d_lay.active) + ")");
    const int n = d_lay.n_active();
    if (d_engine.window_length() != n)
        throw std::invalid_argument(where + ": window_length " +
                                    std::to_string(d_engine.window_length()) + " but " +
                                    std::to_string(n) + " active carriers");

    // orthonormal basis Q of the DFT columns exp(-2j pi k d / fft_len), d = -guard ..
    // cp_len + guard - 1 (A = Q Rr, modified Gram-Schmidt twice), and M = Rr Rr^H / L
    const int L = d_lay.cp_len + 2 * guard_delays;
    if (L >= n)
        throw std::invalid_argument(where + ": " + std::to_string(n) +
                                    " active carriers leave no noise dimensions beyond " +
                                    std::to_string(L) + " delays");
    d_L = L;
    d_Q.assign(size_t(n) * L, 0.0);
    std::vector<cdouble> R(size_t(L) * L, 0.0);
    std::vector<cdouble> v(n);
    for (int j = 0; j < L; j++) {
        const double d = double(j - guard_delays);
        for (int i = 0; i < n; i++)
            v[i] = std::polar(1.0, -2.0 * M_PI * d_lay.active[i] * d / d_lay.fft_len);
        for (int pass = 0; pass < 2; pass++)
            for (int k = 0; k < j; k++) {
                cdouble c = 0.0;
                for (int i = 0; i < n; i++)
                    c += std::conj(d_Q[i * L + k]) * v[i];
                for (int i = 0; i < n; i++)
                    v[i] -= c * d_Q[i * L + k];
                R[k * L + j] += c;
            }
        double nv = 0.0;
        for (int i = 0; i < n; i++)
            nv += std::norm(v[i]);
        nv = std::sqrt(nv);
        R[j * L + j] = nv;
        for (int i = 0; i < n; i++)
            d_Q[i * L + j] = v[i] / nv;
    }
    d_M.assign(size_t(L) * L, 0.0);
    for (int i = 0; i < L; i++)
        for (int j = 0; j < L; j++) {
            cdouble s = 0.0;
            for (int k = std::max(i, j); k < L; k++)
                s += R[i * L + k] * std::conj(R[j * L + k]);
            d_M[i * L + j] = s / double(L);
        }
    d_y.resize(n);
    d_h.resize(n);
    d_bad.resize(n);
    d_x.resize(size_t(max_frames) * n);
    d_out.resize(size_t(max_frames) * n);
    d_t.resize(size_t(max_frames) * n);
}

double ofdm_channel_prior::noise_variance(const cdouble* y,
                                          const cdouble* nulls,
                                          int n_nulls) const
{
    const int n = d_lay.n_active(), L = d_L;
    std::vector<cdouble> z(L, 0.0);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < L; k++)
            z[k] += std::conj(d_Q[i * L + k]) * y[i];
    double e = 0.0;
    for (int i = 0; i < n; i++) {
        cdouble p = 0.0;
        for (int k = 0; k < L; k++)
            p += d_Q[i * L + k] * z[k];
        e += std::norm(y[i] - p);
    }
    for (int i = 0; i < n_nulls; i++)
        e += std::norm(nulls[i]);
    return e / double(n - L + std::max(0, n_nulls));
}

void ofdm_channel_prior::robust_lmmse(const cdouble* y, double s2, cdouble* out) const
{
    const int n = d_lay.n_active(), L = d_L;
    std::vector<cdouble> z(L, 0.0), A(d_M);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < L; k++)
            z[k] += std::conj(d_Q[i * L + k]) * y[i];
    for (int k = 0; k < L; k++)
        A[k * L + k] += s2;
    cholesky_solve(A, L, z.data());
    std::vector<cdouble> u(L, 0.0);
    for (int i = 0; i < L; i++)
        for (int k = 0; k < L; k++)
            u[i] += d_M[i * L + k] * z[k];
    for (int i = 0; i < n; i++) {
        cdouble s = 0.0;
        for (int k = 0; k < L; k++)
            s += d_Q[i * L + k] * u[k];
        out[i] = s;
    }
}

bool ofdm_channel_prior::misfit(const cdouble* y, const cdouble* h, double s2) const
{
    const int n = d_lay.n_active();
    double r = 0.0;
    for (int i = 0; i < n; i++)
        r += std::norm(y[i] - h[i]);
    return r / n > misfit_threshold * s2;
}

void ofdm_channel_prior::posterior_mean(
    const cdouble* y, const double* s2, const double* p, int n, cdouble* out)
{
    const int W = d_lay.n_active();
    for (int f0 = 0; f0 < n; f0 += max_frames) {
        const int nf = std::min(max_frames, n - f0);
        for (int f = 0; f < nf; f++) {
            const double pw = p[f0 + f], sc = 1.0 / std::sqrt(pw);
            const int t = d_engine.matched_step(s2[f0 + f] / pw, nullptr);
            const cdouble* yy = y + size_t(f0 + f) * W;
            for (int i = 0; i < W; i++) {
                d_x[f * W + i] =
                    gr_complex(float(yy[i].real() * sc), float(yy[i].imag() * sc));
                d_t[f * W + i] = t;
            }
        }
        d_engine.denoise(d_x.data(),
                         d_t.data(),
                         nf * W,
                         ddpm_engine::TWEEDIE,
                         1,
                         0,
                         nullptr,
                         d_out.data());
        for (int f = 0; f < nf; f++) {
            const double sc = std::sqrt(p[f0 + f]);
            cdouble* oo = out + size_t(f0 + f) * W;
            for (int i = 0; i < W; i++)
                oo[i] = cdouble(d_out[f * W + i].real(), d_out[f * W + i].imag()) * sc;
        }
    }
}

ofdm_channel_prior::frame_report
ofdm_channel_prior::denoise_frame(gr_complex* taps,
                                  const gr_complex* symbol,
                                  int carr_offset,
                                  double noise_var,
                                  channel_power_tracker& power,
                                  mode_t mode)
{
    frame_report rep;
    const int n = d_lay.n_active(), N = d_lay.fft_len;
    auto finite = [](gr_complex v) {
        return std::isfinite(v.real()) && std::isfinite(v.imag());
    };
    for (int i = 0; i < n; i++) {
        const gr_complex v = taps[d_lay.active_pos[i]];
        d_bad[i] = !finite(v);
        rep.bad_taps += d_bad[i];
        d_y[i] = d_bad[i] ? cdouble(0.0) : cdouble(v.real(), v.imag()); // filled below
    }
    for (int i = 0; i < N; i++) // inactive positions pass, but never as NaN
        if (!finite(taps[i]))
            taps[i] = 0.0f;
    if (rep.bad_taps == n) { // nothing to estimate from: taps of 1
        for (int p : d_lay.active_pos)
            taps[p] = 1.0f;
        return rep;
    }
    if (rep.bad_taps) { // linear interpolation between the nearest finite carriers
        int prev = -1;
        for (int i = 0; i <= n; i++) {
            if (i < n && d_bad[i])
                continue;
            for (int j = prev + 1; j < i; j++)
                d_y[j] = prev < 0 ? d_y[i]
                         : i == n ? d_y[prev]
                                  : d_y[prev] + (d_y[i] - d_y[prev]) *
                                                    (double(j - prev) / double(i - prev));
            prev = i;
        }
    }
    if (mode == OFF) {
        for (int i = 0; i < n; i++)
            taps[d_lay.active_pos[i]] = gr_complex(d_y[i].real(), d_y[i].imag());
        return rep;
    }
    double mean_y2 = 0.0;
    for (int i = 0; i < n; i++)
        mean_y2 += std::norm(d_y[i]);
    mean_y2 /= n;
    double s2 = noise_var;
    if (!(noise_var > 0)) {
        d_nulls.clear();
        if (symbol)
            for (int pos : d_lay.null_pos) {
                const int q = pos + carr_offset;
                if (q >= 0 && q < N && finite(symbol[q]))
                    d_nulls.emplace_back(symbol[q].real(), symbol[q].imag());
            }
        s2 = noise_variance(d_y.data(), d_nulls.data(), static_cast<int>(d_nulls.size()));
        if (rep.bad_taps) // the interpolated taps carry less noise
            s2 *= double(n) / std::max(1, n - rep.bad_taps);
        s2 = std::max(s2, 1e-12 * std::max(mean_y2, 1e-30));
    }
    rep.sigma2 = s2;
    const double p = power.update(mean_y2, s2);
    rep.power = p;
    posterior_mean(d_y.data(), &s2, &p, 1, d_h.data());
    bool ok = true;
    for (int i = 0; i < n && ok; i++)
        ok = std::isfinite(d_h[i].real()) && std::isfinite(d_h[i].imag());
    if (!ok) { // a network fault must not reach the equalizer
        rep.net_fault = true;
        std::copy(d_y.begin(), d_y.end(), d_h.begin());
    } else if (misfit(d_y.data(), d_h.data(), s2)) {
        rep.fallback = true;
        const double sc = std::sqrt(p);
        std::vector<cdouble> ys(n);
        for (int i = 0; i < n; i++)
            ys[i] = d_y[i] / sc;
        robust_lmmse(ys.data(), s2 / p, d_h.data());
        for (int i = 0; i < n; i++)
            d_h[i] *= sc;
    }
    const double floor = 1e-6 * std::sqrt(p); // never divide by a zero tap downstream
    for (int i = 0; i < n; i++) {
        const cdouble h = std::abs(d_h[i]) < floor ? cdouble(floor) : d_h[i];
        taps[d_lay.active_pos[i]] = gr_complex(float(h.real()), float(h.imag()));
    }
    return rep;
}

} // namespace diffusion
} // namespace gr
