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

namespace gr {
  namespace diffusion {

    /*!
     * \brief <+description of block+>
     * \ingroup diffusion
     *
     */
    class DIFFUSION_API block_fading : virtual public gr::sync_block
    {
     public:
      typedef std::shared_ptr<block_fading> sptr;

      /*!
       * \brief Return a shared_ptr to a new instance of diffusion::block_fading.
       *
       * To avoid accidental use of raw pointers, diffusion::block_fading's
       * constructor is in a private implementation
       * class. diffusion::block_fading::make is the public interface for
       * creating new instances.
       */
      static sptr make(int coherence_length, double k_factor, int seed);
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_BLOCK_FADING_H */
