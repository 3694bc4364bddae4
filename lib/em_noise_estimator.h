/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_EM_NOISE_ESTIMATOR_H
#define INCLUDED_DIFFUSION_EM_NOISE_ESTIMATOR_H

// Internal: blind noise-variance estimator that knows the constellation, the C++ twin of
// python/diffusion/noise_estimation.py. The received samples are modelled as a Gaussian
// mixture with the (unit-power, equiprobable) constellation points as means and a common
// circular variance sigma2 per complex sample; EM updates sigma2 only:
//   r_nk = exp(-|y_n - c_k|^2 / sigma2) / sum_j exp(-|y_n - c_j|^2 / sigma2)
//   sigma2 <- mean_n sum_k r_nk |y_n - c_k|^2
// The first window starts from the moment estimate E|y|^2 - 1 (unbiased for unit-power
// signals, good at low SNR); later windows warm-start from the previous estimate. Window
// estimates are averaged with weight n / (n + min(samples seen, memory)), so a short window
// (the scheduler's last few samples) cannot swing the estimate.
// Unlike decision-directed estimators, EM is not biased low at low SNR.

#include <gnuradio/gr_complex.h>
#include <algorithm>
#include <cmath>
#include <vector>

namespace gr {
namespace diffusion {

class em_noise_estimator
{
public:
    explicit em_noise_estimator(std::vector<gr_complex> points,
                                int memory = 4096,
                                int max_iter = 20,
                                double rel_tol = 1e-4)
        : d_points(std::move(points)),
          d_memory(memory),
          d_max_iter(max_iter),
          d_tol(rel_tol),
          d_d2(d_points.size())
    {
    }

    //! estimate after the latest window (< 0 before the first one)
    double estimate() const { return d_sigma2; }
    void reset()
    {
        d_sigma2 = -1.0;
        d_weight = 0.0;
    }

    //! update with n finite samples; returns the new sigma2 estimate
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
            const double next = std::max(acc / n, 1e-12);
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
    int d_memory;
    int d_max_iter;
    double d_tol;
    std::vector<double> d_d2;
    double d_sigma2 = -1.0;
    double d_weight = 0.0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_EM_NOISE_ESTIMATOR_H */
