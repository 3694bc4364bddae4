/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_PA_NONLINEARITY_IMPL_H
#define INCLUDED_DIFFUSION_PA_NONLINEARITY_IMPL_H

#include <gnuradio/diffusion/pa_nonlinearity.h>

namespace gr {
  namespace diffusion {

    class pa_nonlinearity_impl : public pa_nonlinearity
    {
     private:
      // Nothing to declare in this block.

     public:
      pa_nonlinearity_impl(int model, double input_backoff_db, double gain, double saturation, double smoothness);
      ~pa_nonlinearity_impl();

      // Where all the action really happens
      int work(
              int noutput_items,
              gr_vector_const_void_star &input_items,
              gr_vector_void_star &output_items
      );
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_PA_NONLINEARITY_IMPL_H */
