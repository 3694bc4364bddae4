/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_LABEL_MIXTURE_H
#define INCLUDED_DIFFUSION_LABEL_MIXTURE_H

#include <gnuradio/gr_complex.h>
#include <map>
#include <string>
#include <vector>

namespace gr {
namespace diffusion {

/*!
 * Label-conditional Gaussian mixture (the C++ twin of the core's label_mixture.py):
 * x | m ~ N(mu_m, C_m) with C_m the real 2x2 covariance (c_rr, c_ii, c_ri) of (Re, Im);
 * y = x + n, n complex AWGN of variance sigma2 per complex sample (sigma2/2 per rail):
 * p(y | m) = N(y; mu_m, C_m + sigma2/2 I), uniform prior over the M labels.
 * process(): MAP label index and per-bit LLRs, MSB first (bit order of the bit labels),
 * L_b = log P(b = 1 | y) - log P(b = 0 | y) (positive = bit 1: gr-fec's soft-symbol
 * convention, bit 0 -> -1, bit 1 -> +1, 0 = erasure), exact log-sum-exp, or with
 * set_max_log(true) the max-log approximation max_{b=1} log p(y|m) - max_{b=0} log p(y|m).
 * Zero spread and the nominal points: the exact bit-wise MAP demapper.
 */
class label_mixture
{
public:
    /*!
     * \param centroids mu_m (M >= 2, finite)
     * \param spread 3M values (c_rr, c_ii, c_ri per label), M values (complex variance
     *        v: c_rr = c_ii = v/2) or empty (zero spread)
     * \param labels M bit labels in [0, 2^k) (empty: 0..M-1), k = ceil(log2 M)
     * \throws std::invalid_argument naming the bad argument
     */
    label_mixture(const std::vector<gr_complex>& centroids,
                  const std::vector<double>& spread,
                  const std::vector<int>& labels);

    //! From the ONNX metadata map; `where` (the file) is named in every error.
    static label_mixture from_metadata(const std::map<std::string, std::string>& meta,
                                       const std::string& where);
    //! The custom metadata map of an ONNX file (onnxruntime); throws naming the file.
    static std::map<std::string, std::string> read_metadata(const std::string& path);

    int order() const { return static_cast<int>(d_mu.size()); }
    int bits_per_symbol() const { return d_k; }
    const std::vector<gr_complex>& centroids() const { return d_mu; }
    //! Max-log LLRs (max over the labels instead of log-sum-exp) from now on.
    void set_max_log(bool on) { d_max_log = on; }
    bool max_log() const { return d_max_log; }

    /*!
     * y: one received (or denoised) symbol, sigma2 >= 0 (noise variance per complex
     * sample); llr: bits_per_symbol() outputs. Returns the MAP index, or -1 for a
     * non-finite y (llr all 0).
     */
    int process(gr_complex y, double sigma2, float* llr) const;

private:
    std::vector<gr_complex> d_mu;
    std::vector<double> d_crr, d_cii, d_cri;
    std::vector<int> d_labels;
    int d_k;
    bool d_max_log = false;
    mutable std::vector<double> d_lg; // per-call scratch (one thread per block)
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_LABEL_MIXTURE_H */
