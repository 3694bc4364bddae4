/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_SCHEDULE_GRID_H
#define INCLUDED_DIFFUSION_SCHEDULE_GRID_H

// Internal: the matched-step grid of a noise schedule, the C++ twin of
// python/diffusion/core/schedules.py Schedule.matched_step. Step t = 1..T stands for the
// noise variance per complex sample sigma2_t = (1 - abar_t) / abar_t; sigma2 matches the
// step nearest in log(sigma2). Used by ddpm_engine (a local model's schedule) and by
// ddpm_denoiser without a local model (the served sampler's abar output).

#include <algorithm>
#include <cmath>
#include <vector>

namespace gr {
namespace diffusion {

class schedule_grid
{
public:
    schedule_grid() = default;
    //! abar: cumulative alpha products, t = 1..T, decreasing in (0, 1)
    explicit schedule_grid(const std::vector<double>& abar)
    {
        d_log_sigma2.reserve(abar.size());
        for (double ab : abar)
            d_log_sigma2.push_back(std::log((1.0 - ab) / ab));
    }

    int T() const { return static_cast<int>(d_log_sigma2.size()); }
    const std::vector<double>& log_sigma2() const { return d_log_sigma2; }
    //! range of sigma2 the schedule represents, [sigma2(1), sigma2(T)]
    double sigma2_min() const { return std::exp(d_log_sigma2.front()); }
    double sigma2_max() const { return std::exp(d_log_sigma2.back()); }

    //! 1-based matched step; *clamped set when sigma2 lies outside the schedule
    int matched_step(double sigma2, bool* clamped) const
    {
        // nearest grid point in log(sigma2); same tie rule as Schedule.matched_step
        const double ls = sigma2 > 0.0 ? std::log(sigma2) : -INFINITY;
        const int n = T();
        const auto it = std::lower_bound(d_log_sigma2.begin(), d_log_sigma2.end(), ls);
        const int idx = static_cast<int>(it - d_log_sigma2.begin());
        const int lo = std::clamp(idx - 1, 0, n - 1);
        const int hi = std::clamp(idx, 0, n - 1);
        const bool pick_hi =
            std::abs(d_log_sigma2[hi] - ls) < std::abs(ls - d_log_sigma2[lo]);
        if (clamped) {
            const double tol = 1e-9;
            *clamped = ls < d_log_sigma2.front() - tol || ls > d_log_sigma2.back() + tol;
        }
        return (pick_hi ? hi : lo) + 1;
    }

private:
    std::vector<double> d_log_sigma2;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_SCHEDULE_GRID_H */
