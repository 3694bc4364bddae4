/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_PHASE_NOISE_H
#define INCLUDED_DIFFUSION_PHASE_NOISE_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>

namespace gr {
  namespace diffusion {

    /*!
     * \brief <+description of block+>
     * \ingroup diffusion
     *
     */
    class DIFFUSION_API phase_noise : virtual public gr::sync_block
    {
     public:
      typedef std::shared_ptr<phase_noise> sptr;

      /*!
       * \brief Return a shared_ptr to a new instance of diffusion::phase_noise.
       *
       * To avoid accidental use of raw pointers, diffusion::phase_noise's
       * constructor is in a private implementation
       * class. diffusion::phase_noise::make is the public interface for
       * creating new instances.
       */
      static sptr make(double linewidth_ts, int seed);
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_PHASE_NOISE_H */
