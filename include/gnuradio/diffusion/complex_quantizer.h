/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_COMPLEX_QUANTIZER_H
#define INCLUDED_DIFFUSION_COMPLEX_QUANTIZER_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>

namespace gr {
namespace diffusion {

//! Characteristic of diffusion::complex_quantizer.
enum quantizer_mode_t {
    QUANT_MID_RISE = 0,  //!< L = 2^bits levels, 0 is a decision threshold (no zero level)
    QUANT_MID_TREAD = 1, //!< L = 2^bits - 1 levels, symmetric, 0 is a level (bits >= 2)
};

/*!
 * \brief Uniform ADC model: each rail (I and Q) quantized independently, clipped at
 * full scale.
 * \ingroup diffusion
 *
 * Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
 * noise variance per complex sample. full_scale is in the same amplitude units as the
 * samples (e.g. full_scale = 1 clips a unit-power QPSK rail, +-0.707, at 3 dB headroom).
 *
 * With L levels (2^bits mid-rise, 2^bits - 1 mid-tread) the step is
 * Delta = 2 full_scale / L: the L cells of width Delta tile the no-overload range
 * [-full_scale, full_scale] exactly, and each cell maps to its midpoint
 *   q(x) = -full_scale + (k + 1/2) Delta,  k = clamp(floor((x + full_scale) / Delta), 0,
 * L-1) so the levels are +-Delta/2, +-3 Delta/2, ... (mid-rise) or 0, +-Delta, ...
 * (mid-tread), the outermost being +-(full_scale - Delta/2). Inputs beyond +-full_scale
 * are clipped to the outermost level. Inside the range the error is within +-Delta/2, and
 * for a busy input its power is Delta^2/12 per rail (Delta^2/6 per complex sample). A NaN
 * rail maps to the lowest level. Deterministic (no randomness).
 */
class DIFFUSION_API complex_quantizer : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<complex_quantizer> sptr;

    /*!
     * \param bits bits per rail, 1..16 (2..16 for QUANT_MID_TREAD)
     * \param full_scale clip level per rail (> 0, amplitude units of the samples)
     * \param mode QUANT_MID_RISE (0) or QUANT_MID_TREAD (1)
     * \throws std::invalid_argument naming the offending parameter
     */
    static sptr
    make(int bits = 8, double full_scale = 1.0, quantizer_mode_t mode = QUANT_MID_RISE);

    //! Set the number of bits per rail (same limits as make). Thread-safe.
    virtual void set_bits(int bits) = 0;
    virtual int bits() const = 0;

    //! Set the clip level per rail (> 0). Thread-safe.
    virtual void set_full_scale(double full_scale) = 0;
    virtual double full_scale() const = 0;

    virtual quantizer_mode_t mode() const = 0;

    //! Number of output levels per rail, L.
    virtual int levels() const = 0;
    //! Step Delta = 2 full_scale / L.
    virtual double step() const = 0;
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_COMPLEX_QUANTIZER_H */
