/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_INPUT_CHECK_H
#define INCLUDED_DIFFUSION_INPUT_CHECK_H

// Internal: does the denoiser's input look like the model's constellation? The C++ twin
// of python/diffusion/core/input_check.py (same tests, thresholds and messages).
//
// Two tests on the first samples of a stream (default 1024):
//  - orientation: a blind Gaussian-mixture fit (EM noise variance, em_noise_estimator) of
//    the input against the model's points, and of the input rotated by 15, 30, ... 165
//    degrees (... 75 for constellations a quarter turn maps onto themselves). A correctly
//    oriented input fits best unrotated (or at a symmetry of the constellation, which
//    fits exactly as well). Flagged when the best rotation fits ROTATION_RATIO = 1.5
//    times better. Measured (core/input_check.py, 5 seeds, 1024 samples): QPSK on the
//    axes 1.9-2.1 at 5 dB, 5.5-5.9 at 10 dB, 58-62 at 20 dB; a correct input 1.00-1.01
//    from 0 to 30 dB. When the block knows sigma2 per sample (stream input), only the
//    samples with sigma2 <= its median enter the fit, so that a few deep fades cannot
//    hide the rotation; at most max(256, FIT_WORK / points) samples enter (256-QAM: 256).
//  - power: mean of |y|^2 / (1 + sigma2) per sample, 1 for a unit-power signal
//    (E|x|^2 = 1, the signal alone) plus noise of variance sigma2. Flagged outside
//    [10^-0.2, 10^0.2] (+-2 dB); the sample mean has a relative standard error below 5 %
//    at 1024 samples, so a correct input is far inside.
// Each flag comes with a message saying what to do; the blocks log it once.

#include "em_noise_estimator.h"
#include <gnuradio/gr_complex.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace gr {
namespace diffusion {

struct input_check_result {
    bool rotated = false;      //!< a rotated copy fits much better
    double rotation_deg = 0.0; //!< best rotation (multiply the input by exp(j*angle))
    double fit_ratio = 1.0;    //!< EM sigma2 unrotated / at the best rotation
    double sigma2_fit = 0.0;   //!< EM sigma2 of the unrotated input
    bool power_off = false;    //!< mean power far from 1 + sigma2
    double power = 0.0;        //!< mean |y|^2
    double power_ratio = 1.0;  //!< mean |y|^2 / (1 + sigma2)
    double sigma2 = 0.0;       //!< mean sigma2 the block used
};

class input_checker
{
public:
    static constexpr double ROTATION_RATIO = 1.5;
    static constexpr int FIT_WORK = 65536; // samples x points per EM fit
    static constexpr double POWER_DB = 2.0;
    static constexpr int N_ROTATIONS = 12; // 0, 15, ... 165 degrees

    //! points: the model's constellation (unit power); n: samples to collect
    explicit input_checker(std::vector<gr_complex> points, int n = 1024)
        : d_points(std::move(points)), d_n(n)
    {
        d_y.reserve(n);
        d_s2.reserve(n);
    }

    bool done() const { return d_done; }
    int wanted() const { return d_done ? 0 : d_n - static_cast<int>(d_y.size()); }

    //! Collect finite samples y (and their sigma2: s2 per sample, or s2_const when s2 is
    //! null). Returns true exactly once, when enough samples are in: then result() holds
    //! the verdict.
    bool feed(const gr_complex* y, const float* s2, double s2_const, int n)
    {
        if (d_done || d_points.empty())
            return false;
        for (int i = 0; i < n && static_cast<int>(d_y.size()) < d_n; i++) {
            const double v = s2 ? static_cast<double>(s2[i]) : s2_const;
            if (!std::isfinite(y[i].real()) || !std::isfinite(y[i].imag()) ||
                !std::isfinite(v) || v < 0.0)
                continue;
            d_y.push_back(y[i]);
            d_s2.push_back(v);
        }
        if (static_cast<int>(d_y.size()) < d_n)
            return false;
        d_result = check(d_y, d_s2, d_points);
        d_done = true;
        d_y = {};
        d_s2 = {};
        return true;
    }

    const input_check_result& result() const { return d_result; }

    //! does a quarter turn map the constellation onto itself (QAM, QPSK)?
    static bool quarter_turn_symmetric(const std::vector<gr_complex>& points)
    {
        for (const auto& p : points) {
            const gr_complex q = p * gr_complex(0.0f, 1.0f);
            double d = INFINITY;
            for (const auto& c : points)
                d = std::min(d, static_cast<double>(std::abs(q - c)));
            if (d >= 1e-3)
                return false;
        }
        return true;
    }

    static double em_fit(const std::vector<gr_complex>& y,
                         const std::vector<gr_complex>& points)
    {
        em_noise_estimator em(points, 4096, 30, 1e-4);
        return em.update(y.data(), static_cast<int>(y.size()));
    }

    static input_check_result check(const std::vector<gr_complex>& y,
                                    const std::vector<double>& s2,
                                    const std::vector<gr_complex>& points)
    {
        input_check_result r;
        const size_t n = y.size();
        if (n == 0 || points.empty())
            return r;
        double p = 0.0, pn = 0.0, s = 0.0;
        for (size_t i = 0; i < n; i++) {
            p += std::norm(y[i]);
            pn += std::norm(y[i]) / (1.0 + s2[i]);
            s += s2[i];
        }
        r.power = p / n;
        r.power_ratio = pn / n;
        r.sigma2 = s / n;
        r.power_off = std::abs(10.0 * std::log10(r.power_ratio)) > POWER_DB;

        // samples for the orientation fit: sigma2 <= median (all when sigma2 is constant)
        std::vector<double> sorted(s2);
        std::nth_element(sorted.begin(), sorted.begin() + n / 2, sorted.end());
        const double med = sorted[n / 2];
        std::vector<gr_complex> base;
        base.reserve(n);
        const size_t cap = std::max<size_t>(256, FIT_WORK / points.size());
        for (size_t i = 0; i < n && base.size() < cap; i++)
            if (s2[i] <= med)
                base.push_back(y[i]);
        std::vector<gr_complex> rot(base.size());
        double best = INFINITY;
        const int n_rot = quarter_turn_symmetric(points) ? N_ROTATIONS / 2 : N_ROTATIONS;
        for (int k = 0; k < n_rot; k++) {
            const double a = k * M_PI / N_ROTATIONS;
            const gr_complex w(std::cos(a), std::sin(a));
            for (size_t i = 0; i < base.size(); i++)
                rot[i] = base[i] * w;
            const double f = em_fit(rot, points);
            if (k == 0)
                r.sigma2_fit = f;
            if (f < best) {
                best = f;
                r.rotation_deg = k * 180.0 / N_ROTATIONS;
            }
        }
        r.fit_ratio = r.sigma2_fit / best;
        r.rotated = r.fit_ratio > ROTATION_RATIO;
        return r;
    }

    //! What the blocks log (empty when the input looks right); orientation: e.g. "QPSK
    //! points at 45, 135, 225, 315 degrees" (from the model's metadata).
    static std::vector<std::string> messages(const input_check_result& r,
                                             const std::string& orientation)
    {
        std::vector<std::string> out;
        char buf[1024];
        if (r.rotated) {
            std::snprintf(
                buf,
                sizeof buf,
                "input does not look like the model's constellation (%s): its "
                "blind mixture fit (EM noise variance %.3g) is %.1fx worse than "
                "that of the input rotated by %.0f degrees. Rotate the input by "
                "%.0f degrees (e.g. blocks.multiply_const_cc(exp(1j*pi*%.0f/180))) "
                "or correct the carrier phase before the denoiser (reported once)",
                orientation.c_str(),
                r.sigma2_fit,
                r.fit_ratio,
                r.rotation_deg,
                r.rotation_deg,
                r.rotation_deg);
            out.emplace_back(buf);
        }
        if (r.power_off) {
            std::snprintf(
                buf,
                sizeof buf,
                "mean input power %.3g is %.2fx the expected 1 + sigma2 = %.3g "
                "(unit-power signal, E|x|^2 = 1 for the signal alone, plus noise "
                "of variance sigma2 = %.3g, Es/N0 %.1f dB). Scale the input to "
                "unit signal power (AGC, blocks.multiply_const_cc) or give the "
                "right Es/N0 / noise_var (reported once)",
                r.power,
                r.power_ratio,
                1.0 + r.sigma2,
                r.sigma2,
                r.sigma2 > 0 ? -10.0 * std::log10(r.sigma2) : INFINITY);
            out.emplace_back(buf);
        }
        return out;
    }

    //! "N points at a, b, ... degrees" for up to 8 points, else a grid description.
    static std::string describe(const std::vector<gr_complex>& points)
    {
        const size_t m = points.size();
        std::string s;
        char buf[64];
        if (m == 0)
            return "no constellation";
        if (m <= 8) {
            std::vector<double> ang;
            for (const auto& p : points)
                ang.push_back(std::fmod(std::arg(p) * 180.0 / M_PI + 360.0, 360.0));
            std::sort(ang.begin(), ang.end());
            std::snprintf(buf, sizeof buf, "%zu points at ", m);
            s = buf;
            for (size_t i = 0; i < m; i++) {
                std::snprintf(buf, sizeof buf, i ? ", %.0f" : "%.0f", ang[i]);
                s += buf;
            }
            return s + " degrees";
        }
        std::vector<double> re;
        for (const auto& p : points)
            re.push_back(std::round(p.real() * 1e4));
        std::sort(re.begin(), re.end());
        const size_t levels = std::unique(re.begin(), re.end()) - re.begin();
        std::snprintf(buf, sizeof buf, "%zu points", m);
        s = buf;
        if (levels * levels == m)
            s += ", a square grid aligned with the I/Q axes";
        return s;
    }

private:
    std::vector<gr_complex> d_points;
    int d_n;
    std::vector<gr_complex> d_y;
    std::vector<double> d_s2;
    bool d_done = false;
    input_check_result d_result;
};

//! PAPER (Algorithm 2: x_T = y, then all T ancestral steps) is warned about when the
//! schedule's top noise level exceeds the input's by this factor (10 dB)
constexpr double PAPER_WIDE_RATIO = 10.0;

//! what PAPER does with this schedule and input, and what to use instead
inline std::string paper_mode_warning(int T, double sigma2_max, double sigma2)
{
    char buf[1024];
    std::snprintf(
        buf,
        sizeof buf,
        "mode PAPER runs the published Algorithm 2: x_T = input, then all T = %d "
        "ancestral steps, so it treats the input as if its Es/N0 were the "
        "schedule's top, %.1f dB, whereas the input's is %.1f dB (sigma2 %.3g): the "
        "output is a sample of p(x0 | y) at that far higher noise level, on a wide "
        "schedule like the shipped models' (-30 dB) a sample of the prior, i.e. "
        "random constellation points nearly independent of the input. Use TWEEDIE "
        "(E[x0|y], best MSE, 1 network call) or POSTERIOR (a sample of p(x0|y) "
        "started at the step matched to sigma2) instead (reported once)",
        T,
        -10.0 * std::log10(sigma2_max),
        sigma2 > 0 ? -10.0 * std::log10(sigma2) : INFINITY,
        sigma2);
    return buf;
}

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_INPUT_CHECK_H */
