/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_LEARNED_SLICER_H
#define INCLUDED_DIFFUSION_LEARNED_SLICER_H

#include <gnuradio/block.h>
#include <gnuradio/diffusion/api.h>
#include <string>
#include <vector>

namespace gr {
namespace diffusion {

/*!
 * \brief Learned slicer / demapper: symbol decisions and per-bit LLRs from the
 * label-conditional Gaussian mixture of a model trained on labelled data.
 * \ingroup diffusion
 * \details
 * What the transmitter sends for label m is x | m ~ N(mu_m, C_m) (centroid mu_m, real 2x2
 * covariance C_m of (Re, Im), learned from an impairment chain or a loopback capture);
 * the received y = x + n, n complex AWGN of variance sigma2 per complex sample (sigma2/2
 * per rail; Es/N0 = 1/sigma2 for unit-power signals: E|x|^2 = 1 is the signal power,
 * not signal plus noise; QPSK points at 45 degrees). So p(y | m) = N(y; mu_m, C_m +
 * sigma2/2 I), uniform over the M labels, and per symbol the block outputs
 * - output 0 (uint8, one per symbol): the MAP label index argmax_m p(y | m) (the index
 *   into constellation_points / label_centroids, not the bit label);
 * - output 1 (float, bits_per_symbol per symbol, optional): LLRs MSB first (bit order of
 *   constellation_labels), L_b = log P(b = 1 | y) - log P(b = 0 | y), exact
 * (log-sum-exp), or with max_log the max-log approximation L_b = max_{m: b=1} log p(y|m) -
 * max_{m: b=0} log p(y|m) (cheaper, slightly overconfident near decision boundaries).
 * Positive means bit 1: gr-fec's soft-symbol convention (bit 0 -> -1, bit
 * 1 -> +1, 0 = erasure), so the stream feeds gr-fec decoders directly. Works alone (input
 * y, sigma2 = channel noise) or after a denoiser (input E[x|y]; give the channel sigma2
 * too: nearest learned centroid; sigma2 = 0 makes the labels' small, anisotropic spreads
 * the whole metric, which suits noiseless input only). With the nominal constellation
 * and zero spread it is the exact bit-wise MAP demapper. Parameters: from the model's
 * ONNX metadata (label_centroids, label_spread, constellation_labels) when model_path is
 * not empty, else from centroids / spread / labels. sigma2 from the parameter
 * (set_sigma2), a "noise_var" tag on input 0 (applies from that symbol on), or, with
 * sigma2_input, the float stream on input 1. Bad input: a non-finite symbol gives index
 * 0, LLRs 0 (erasure) and an "erasure" tag on both outputs (one warning logged); a
 * non-finite or negative sigma2 (parameter, tag or stream) is replaced by the last valid
 * value with one warning.
 */
class DIFFUSION_API learned_slicer : virtual public gr::block
{
public:
    typedef std::shared_ptr<learned_slicer> sptr;

    /*!
     * \param model_path ONNX model with label_centroids metadata ("" = use the vectors)
     * \param centroids label centroids mu_m (M >= 2) when model_path is empty
     * \param spread 3M values c_rr, c_ii, c_ri per label, M complex variances, or empty
     * \param labels M bit labels (Gray), or empty for 0..M-1
     * \param sigma2 noise variance per complex sample (>= 0)
     * \param sigma2_input read sigma2 per symbol from a float stream on input 1
     * \param max_log max-log LLRs instead of the exact log-sum-exp
     * \throws std::invalid_argument naming the file / parameter (model without
     *         label_centroids, malformed metadata, M > 256, bad sigma2)
     */
    static sptr make(const std::string& model_path = "",
                     const std::vector<gr_complex>& centroids = std::vector<gr_complex>(),
                     const std::vector<float>& spread = std::vector<float>(),
                     const std::vector<int>& labels = std::vector<int>(),
                     double sigma2 = 0.01,
                     bool sigma2_input = false,
                     bool max_log = false);

    virtual void set_sigma2(double sigma2) = 0;
    virtual double sigma2() const = 0;
    virtual int bits_per_symbol() const = 0;
    virtual int order() const = 0;
    //! True when the LLRs are max-log (make(max_log = true)).
    virtual bool max_log() const = 0;
    virtual std::vector<gr_complex> centroids() const = 0;
    //! Non-finite input symbols seen so far.
    virtual uint64_t erasures() const = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_LEARNED_SLICER_H */
