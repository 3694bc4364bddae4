/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_OFDM_CHANNEL_PRIOR_H
#define INCLUDED_DIFFUSION_OFDM_CHANNEL_PRIOR_H

// Internal: the OFDM channel denoiser's algorithm without GNU Radio's block machinery,
// the C++ twin of python/diffusion/core/ofdm_{carriers,estimators}.py and of the frame
// logic of python/diffusion/ofdm_channel_denoiser_py.py (docs/ofdm.md).
//
// Conventions: carriers as GNU Radio's OFDM blocks (signed k, FFT-shifted vectors: carrier
// k at position (k + fft_len / 2) % fft_len). The LS estimate on the active carriers is
// y = H + n, n ~ CN(0, sigma2) per carrier after the receiver's FFT; the prior is at
// ensemble channel power 1, so y is divided by sqrt(power) and sigma2 by power before the
// network. H[k] = sum_n h[n] exp(-2j pi k n / fft_len).

#include "ddpm_engine.h"
#include <complex>
#include <string>
#include <vector>

namespace gr {
namespace diffusion {

typedef std::complex<double> cdouble;

//! One OFDM symbol's carrier allocation (OfdmLayout of core/ofdm_carriers.py).
struct ofdm_layout {
    int fft_len = 64, cp_len = 16;
    std::vector<int> occupied, pilots; //!< signed carrier indices as given
    std::vector<int> active;           //!< occupied + pilots, ascending
    std::vector<int> active_pos;       //!< their positions in the shifted vector
    std::vector<int> null_pos;         //!< the other positions, ascending

    //! std::invalid_argument on an odd / too small fft_len, a cp_len outside (0, fft_len),
    //! carriers outside [-fft_len/2, fft_len/2 - 1] or repeated / overlapping
    ofdm_layout(int fft_len,
                int cp_len,
                const std::vector<int>& occupied,
                const std::vector<int>& pilots);
    //! GNU Radio's defaults (ofdm_txrx.py): 64, 16, 48 data + 4 pilot carriers
    static ofdm_layout gnuradio_default();
    int n_active() const { return static_cast<int>(active.size()); }
    int position(int k) const
    {
        return ((k + fft_len / 2) % fft_len + fft_len) % fft_len;
    }
    //! "52: -26, -25, ... 25, 26" (error messages)
    static std::string span(const std::vector<int>& carriers);
};

//! P_k = (1 - w_k) P_(k-1) + w_k max(mean|y|^2 - sigma2, floor mean|y|^2),
//! w_k = max(alpha, 1/k); fixed > 0: that power, never updated (ChannelPowerTracker).
class channel_power_tracker
{
public:
    channel_power_tracker(double alpha = 0.05, double fixed = 0.0);
    double update(double mean_y2, double sigma2);
    double power() const { return d_power; }

private:
    double d_alpha, d_fixed, d_power = 0.0;
    uint64_t d_frames = 0;
    static constexpr double floor_ratio = 1e-3;
};

/*!
 * Posterior mean of the channel on the active carriers under a learned prior (a window
 * model whose window is the active carriers; Tweedie at the matched step: one network
 * call), the noise-variance estimate, the robust-LMMSE fallback and the per-frame logic
 * of the block (NaN/Inf taps, misfit fallback, tap floor).
 */
class ofdm_channel_prior
{
public:
    //! delays -guard .. cp_len + guard - 1 carry the channel in the noise estimate and the
    //! fallback (GNU Radio's sync starts the FFT window up to ~11 samples early)
    static constexpr int guard_delays = 4;
    //! misfit: mean |y - H_hat|^2 > threshold sigma2 (prior_misfit of ofdm_estimators.py)
    static constexpr double misfit_threshold = 2.0;
    //! frames per network call of denoise_batch
    static constexpr int max_frames = 64;

    enum mode_t { TWEEDIE = 0, OFF = 1 };

    /*!
     * model_path: a gr-diffusion window model with OFDM metadata (ofdm_fft_len,
     * ofdm_active_carriers) matching layout, else std::invalid_argument naming both.
     * engine: "auto" | "fused" | "onnxruntime" (ddpm_engine).
     */
    ofdm_channel_prior(const std::string& model_path,
                       const ofdm_layout& layout,
                       const std::string& engine = "auto");

    const ofdm_layout& layout() const { return d_lay; }
    const ddpm_engine& engine() const { return d_engine; }
    //! complex degrees of freedom of pure noise in the taps (n_active - delays)
    int noise_dof() const { return d_lay.n_active() - d_L; }

    /*!
     * sigma2 from one frame: the energy of y (n_active) outside impulse responses on
     * delays -guard .. cp_len + guard - 1, pooled with the power of nulls (n_nulls values).
     */
    double noise_variance(const cdouble* y, const cdouble* nulls, int n_nulls) const;

    //! Tweedie E[H | y] for n frames y [n, n_active] at noise variance s2[n] and channel
    //! power p[n] (y, out in the taps' units)
    void posterior_mean(
        const cdouble* y, const double* s2, const double* p, int n, cdouble* out);

    //! robust LMMSE (uniform profile over the guarded delays) of one frame at unit power
    void robust_lmmse(const cdouble* y, double s2, cdouble* out) const;

    //! the model does not explain y: mean |y - h|^2 > misfit_threshold s2
    bool misfit(const cdouble* y, const cdouble* h, double s2) const;

    struct frame_report {
        double sigma2 = 0.0;    //!< noise variance used (taps' units)
        double power = 0.0;     //!< channel power used
        int bad_taps = 0;       //!< non-finite active taps
        bool fallback = false;  //!< robust LMMSE used (misfit)
        bool net_fault = false; //!< non-finite network output: LS taps passed
    };

    /*!
     * The block's frame: taps (fft_len, the LS taps of ofdm_chanest_vcvc, rewritten in
     * place on the active carriers; non-finite values elsewhere become 0), symbol (fft_len,
     * the tagged symbol; its null carriers shifted by carr_offset join the noise estimate;
     * nullptr: taps only). noise_var > 0: that sigma2; 0: estimated. power: the tracker.
     */
    frame_report denoise_frame(gr_complex* taps,
                               const gr_complex* symbol,
                               int carr_offset,
                               double noise_var,
                               channel_power_tracker& power,
                               mode_t mode = TWEEDIE);

private:
    ofdm_layout d_lay;
    ddpm_engine d_engine;
    int d_L = 0;              // guarded delays
    std::vector<cdouble> d_Q; // [n_active, L] orthonormal basis of the delay DFT
    std::vector<cdouble> d_M; // [L, L] Q^H R Q of the robust prior (R = A A^H / L)
    // scratch
    std::vector<cdouble> d_y, d_h, d_nulls;
    std::vector<gr_complex> d_x, d_out;
    std::vector<int> d_t;
    std::vector<char> d_bad;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_OFDM_CHANNEL_PRIOR_H */
