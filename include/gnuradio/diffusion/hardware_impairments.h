/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_H
#define INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>

namespace gr {
  namespace diffusion {

    /*!
     * \brief <+description of block+>
     * \ingroup diffusion
     *
     */
    class DIFFUSION_API hardware_impairments : virtual public gr::sync_block
    {
     public:
      typedef std::shared_ptr<hardware_impairments> sptr;

      /*!
       * \brief Return a shared_ptr to a new instance of diffusion::hardware_impairments.
       *
       * To avoid accidental use of raw pointers, diffusion::hardware_impairments's
       * constructor is in a private implementation
       * class. diffusion::hardware_impairments::make is the public interface for
       * creating new instances.
       */
      static sptr make(double kappa, int power_mode, double nominal_power, int window, bool use_channel, int seed);
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_H */
