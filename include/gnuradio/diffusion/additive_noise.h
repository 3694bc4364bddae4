/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_ADDITIVE_NOISE_H
#define INCLUDED_DIFFUSION_ADDITIVE_NOISE_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>

namespace gr {
  namespace diffusion {

    /*!
     * \brief <+description of block+>
     * \ingroup diffusion
     *
     */
    class DIFFUSION_API additive_noise : virtual public gr::sync_block
    {
     public:
      typedef std::shared_ptr<additive_noise> sptr;

      /*!
       * \brief Return a shared_ptr to a new instance of diffusion::additive_noise.
       *
       * To avoid accidental use of raw pointers, diffusion::additive_noise's
       * constructor is in a private implementation
       * class. diffusion::additive_noise::make is the public interface for
       * creating new instances.
       */
      static sptr make(double esn0_db, int noise_type, double signal_power, double impulse_prob, double impulse_ratio, int seed);
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_ADDITIVE_NOISE_H */
