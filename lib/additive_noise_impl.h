/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_ADDITIVE_NOISE_IMPL_H
#define INCLUDED_DIFFUSION_ADDITIVE_NOISE_IMPL_H

#include <gnuradio/diffusion/additive_noise.h>

namespace gr {
  namespace diffusion {

    class additive_noise_impl : public additive_noise
    {
     private:
      // Nothing to declare in this block.

     public:
      additive_noise_impl(double esn0_db, int noise_type, double signal_power, double impulse_prob, double impulse_ratio, int seed);
      ~additive_noise_impl();

      // Where all the action really happens
      int work(
              int noutput_items,
              gr_vector_const_void_star &input_items,
              gr_vector_void_star &output_items
      );
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_ADDITIVE_NOISE_IMPL_H */
