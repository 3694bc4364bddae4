/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_ZF_EQUALIZER_H
#define INCLUDED_DIFFUSION_ZF_EQUALIZER_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>

namespace gr {
  namespace diffusion {

    /*!
     * \brief <+description of block+>
     * \ingroup diffusion
     *
     */
    class DIFFUSION_API zf_equalizer : virtual public gr::sync_block
    {
     public:
      typedef std::shared_ptr<zf_equalizer> sptr;

      /*!
       * \brief Return a shared_ptr to a new instance of diffusion::zf_equalizer.
       *
       * To avoid accidental use of raw pointers, diffusion::zf_equalizer's
       * constructor is in a private implementation
       * class. diffusion::zf_equalizer::make is the public interface for
       * creating new instances.
       */
      static sptr make(double distortion_var, double noise_var);
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_ZF_EQUALIZER_H */
