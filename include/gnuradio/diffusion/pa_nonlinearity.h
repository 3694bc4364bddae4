/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_PA_NONLINEARITY_H
#define INCLUDED_DIFFUSION_PA_NONLINEARITY_H

#include <gnuradio/diffusion/api.h>
#include <gnuradio/sync_block.h>

namespace gr {
  namespace diffusion {

    /*!
     * \brief <+description of block+>
     * \ingroup diffusion
     *
     */
    class DIFFUSION_API pa_nonlinearity : virtual public gr::sync_block
    {
     public:
      typedef std::shared_ptr<pa_nonlinearity> sptr;

      /*!
       * \brief Return a shared_ptr to a new instance of diffusion::pa_nonlinearity.
       *
       * To avoid accidental use of raw pointers, diffusion::pa_nonlinearity's
       * constructor is in a private implementation
       * class. diffusion::pa_nonlinearity::make is the public interface for
       * creating new instances.
       */
      static sptr make(int model, double input_backoff_db, double gain, double saturation, double smoothness);
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_PA_NONLINEARITY_H */
