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

    /*!
     * \brief <+description of block+>
     * \ingroup diffusion
     *
     */
    class DIFFUSION_API complex_quantizer : virtual public gr::sync_block
    {
     public:
      typedef std::shared_ptr<complex_quantizer> sptr;

      /*!
       * \brief Return a shared_ptr to a new instance of diffusion::complex_quantizer.
       *
       * To avoid accidental use of raw pointers, diffusion::complex_quantizer's
       * constructor is in a private implementation
       * class. diffusion::complex_quantizer::make is the public interface for
       * creating new instances.
       */
      static sptr make(int bits, double full_scale, int mode);
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_COMPLEX_QUANTIZER_H */
