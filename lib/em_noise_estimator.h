/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_EM_NOISE_ESTIMATOR_H
#define INCLUDED_DIFFUSION_EM_NOISE_ESTIMATOR_H

// Internal: blind noise-variance estimator that knows the constellation, the C++ twin of
// python/diffusion/core/noise_estimation.py (EmNoiseTracker). The received samples are
// modelled as a Gaussian mixture with the (unit-power, equiprobable) constellation points
// as means and a common circular variance sigma2 per complex sample; EM updates sigma2
// only:
//   r_nk = exp(-|y_n - c_k|^2 / sigma2) / sum_j exp(-|y_n - c_j|^2 / sigma2)
//   sigma2 <- mean_n sum_k r_nk |y_n - c_k|^2
// Windows are fixed on the absolute sample index (sizes first_window, 2 first_window, ...
// up to window, then window each), so the estimate is a function of the input alone,
// whatever the scheduler's chunking. A window's samples are denoised with the estimate of
// the windows before it (the block's initial sigma2 before the first window completes).
// The first window starts EM from the moment estimate E|y|^2 - 1, later ones warm-start
// from the running estimate; window estimates are averaged with weight
// n / (n + min(samples seen, memory)). Samples that are not finite or have
// |y|^2 > max_power (outlier_bound(): 50 (max|c|^2 + sigma2_max), far beyond any Gaussian
// tail at the model's noisiest step) are rejected: counted, never part of an estimate.

#include <gnuradio/gr_complex.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace gr {
namespace diffusion {

class em_noise_estimator
{
public:
    //! |y|^2 above which a sample is an outlier, for a model whose noisiest step is s2max
    static double outlier_bound(const std::vector<gr_complex>& points, double sigma2_max)
    {
        double pmax = 0.0;
        for (const auto& c : points)
            pmax = std::max(pmax, double(std::norm(c)));
        return 50.0 * (pmax + sigma2_max);
    }

    em_noise_estimator(std::vector<gr_complex> points,
                       double max_power,
                       double initial_sigma2,
                       int window = 1024,
                       int first_window = 64,
                       int memory = 4096,
                       int max_iter = 20,
                       double rel_tol = 1e-4)
        : d_points(std::move(points)),
          d_max_power(max_power),
          d_initial(initial_sigma2),
          d_window(std::max(window, 1)),
          d_first(std::clamp(first_window, 1, std::max(window, 1))),
          d_memory(memory),
          d_max_iter(max_iter),
          d_tol(rel_tol),
          d_d2(d_points.size())
    {
        reset();
    }

    //! estimate after the latest complete window (< 0 before the first one)
    double estimate() const { return d_sigma2; }
    //! the sigma2 applied to the next sample (estimate, or the initial value before one)
    double current() const { return d_sigma2 > 0.0 ? d_sigma2 : d_initial; }
    void set_initial(double s2) { d_initial = s2; }
    //! samples rejected so far (non-finite or |y|^2 > max_power)
    uint64_t rejected() const { return d_rejected; }
    double max_power() const { return d_max_power; }
    bool accept(gr_complex y) const
    {
        const double p = std::norm(y);
        return std::isfinite(p) && p <= d_max_power;
    }

    void reset()
    {
        d_sigma2 = -1.0;
        d_weight = 0.0;
        d_pos = 0;
        d_len = d_first;
        d_buf.clear();
        d_rejected = 0;
    }

    /*!
     * Next n stream samples: s2_out[i] = the sigma2 for sample i (estimate of the
     * complete windows before it); windows that complete inside y update the estimate.
     */
    void track(const gr_complex* y, int n, double* s2_out)
    {
        for (int i = 0; i < n; i++) {
            s2_out[i] = current();
            if (accept(y[i]))
                d_buf.push_back(y[i]);
            else
                d_rejected++;
            if (++d_pos == d_len) {
                if (!d_buf.empty())
                    update(d_buf.data(), static_cast<int>(d_buf.size()));
                d_buf.clear();
                d_pos = 0;
                d_len = std::min(2 * d_len, d_window);
            }
        }
    }

    //! EM on one window of accepted samples, merged into the estimate; returns it
    double update(const gr_complex* y, int n)
    {
        if (n <= 0 || d_points.empty())
            return d_sigma2;
        double s2 = d_sigma2;
        if (s2 <= 0.0) {
            double p = 0.0;
            for (int i = 0; i < n; i++)
                p += std::norm(y[i]);
            s2 = std::max(p / n - 1.0, 1e-4);
        }
        const size_t M = d_points.size();
        for (int it = 0; it < d_max_iter; it++) {
            double acc = 0.0;
            for (int i = 0; i < n; i++) {
                double dmin = INFINITY;
                for (size_t k = 0; k < M; k++) {
                    d_d2[k] = std::norm(y[i] - d_points[k]);
                    dmin = std::min(dmin, d_d2[k]);
                }
                double num = 0.0, den = 0.0;
                for (size_t k = 0; k < M; k++) {
                    const double w = std::exp(-(d_d2[k] - dmin) / s2);
                    num += w * d_d2[k];
                    den += w;
                }
                acc += num / den;
            }
            const double next = std::clamp(acc / n, 1e-12, d_max_power);
            const bool done = std::abs(next - s2) <= d_tol * s2;
            s2 = next;
            if (done)
                break;
        }
        if (d_sigma2 <= 0.0) {
            d_sigma2 = s2;
        } else {
            const double a = n / (n + std::min(d_weight, double(d_memory)));
            d_sigma2 = (1.0 - a) * d_sigma2 + a * s2;
        }
        d_weight = std::min(d_weight + n, double(d_memory));
        return d_sigma2;
    }

private:
    std::vector<gr_complex> d_points;
    double d_max_power;
    double d_initial;
    int d_window, d_first, d_memory, d_max_iter;
    double d_tol;
    std::vector<double> d_d2;
    double d_sigma2 = -1.0;
    double d_weight = 0.0;
    int d_pos = 0, d_len = 1;
    std::vector<gr_complex> d_buf;
    uint64_t d_rejected = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_EM_NOISE_ESTIMATOR_H */
