/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_SAMPLE_GUARD_H
#define INCLUDED_DIFFUSION_SAMPLE_GUARD_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>
#include <cstdint>

namespace gr {
namespace diffusion {

/*!
 * \brief Sanitizer for complex samples: what a radio or a file can deliver, made safe for
 * blocks that cannot take it (GNU Radio's pfb_clock_sync_ccf, AGCs, loop filters).
 * \ingroup diffusion
 *
 * \details
 * A sample whose real or imaginary part is NaN or +-Inf, or whose magnitude exceeds
 * max_magnitude, is replaced by 0 (a short erasure the downstream loops ride through);
 * subnormal rails are flushed to 0. Every other sample passes bit-exactly, so the block
 * is memoryless and item-preserving. The first replaced sample of every burst (a run of
 * replaced samples) gets a tag "sample_guard" whose value is the number of samples
 * replaced so far (uint64), and the block logs one warning per burst (the first 10
 * bursts, then one line for every 1000th burst). Thread-safe setter for the threshold.
 */
class DIFFUSION_API sample_guard : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<sample_guard> sptr;

    /*!
     * \param max_magnitude |x| above which a finite sample counts as absurd (finite, > 0;
     *        in the units of the input, e.g. 1e6 for a +-1 full-scale radio stream).
     * Throws std::invalid_argument (ValueError in Python) naming the parameter.
     */
    static sptr make(double max_magnitude = 1e6);

    virtual void set_max_magnitude(double max_magnitude) = 0;
    virtual double max_magnitude() const = 0;
    //! samples replaced by 0 so far
    virtual uint64_t replaced_count() const = 0;
    //! bursts (runs of replaced samples) so far
    virtual uint64_t burst_count() const = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_SAMPLE_GUARD_H */
