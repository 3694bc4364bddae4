/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_BLOCK_FADING_H
#define INCLUDED_DIFFUSION_BLOCK_FADING_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>
#include <cstdint>

namespace gr {
namespace diffusion {

/*!
 * \brief Flat block fading: a Rayleigh/Rician gain h, constant over coherence_length
 * samples and i.i.d. between blocks.
 * \ingroup diffusion
 *
 * Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
 * noise variance per complex sample. The gain is normalised, E|h|^2 = 1, so the average
 * received Es/N0 equals the transmitted one:
 *   h = sqrt(K/(K+1)) + sqrt(1/(K+1)) w,   w ~ CN(0, 1)
 * with K = k_factor (linear, not dB; K = 0 is Rayleigh: |h|^2 ~ Exp(1)). The
 * line-of-sight component is real (phase 0), so E[h] = sqrt(K/(K+1)).
 *
 * Output 0 = h[n] in[n]; output 1 (optional) = h[n], the gain stream for a coherent
 * receiver (e.g. diffusion.zf_equalizer, or input 1 of diffusion.hardware_impairments).
 * Blocks are counted from the start of the stream: block b covers the absolute samples
 * b L .. (b+1) L - 1 (L = coherence_length), and at its first sample a stream tag with
 * key "fading_block" and value pmt::from_uint64(b) is put on every connected output.
 * One complex Gaussian draw per block from a generator seeded by `seed`: the gains
 * depend only on the seed, never on how the scheduler splits the stream. A new K
 * (set_k_factor) applies from the next block on.
 */
class DIFFUSION_API block_fading : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<block_fading> sptr;

    /*!
     * \param coherence_length L, samples per fading block (>= 1)
     * \param k_factor Rician K factor, linear (>= 0, finite; 0 = Rayleigh)
     * \param seed random seed (same seed -> same gains)
     * \throws std::invalid_argument naming the offending parameter
     */
    static sptr make(int coherence_length = 1024, double k_factor = 0.0, int seed = 0);

    //! Set the Rician K factor (linear, >= 0), effective from the next block.
    //! Thread-safe.
    virtual void set_k_factor(double k_factor) = 0;
    virtual double k_factor() const = 0;
    virtual int coherence_length() const = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_BLOCK_FADING_H */
