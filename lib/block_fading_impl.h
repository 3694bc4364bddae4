/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_BLOCK_FADING_IMPL_H
#define INCLUDED_DIFFUSION_BLOCK_FADING_IMPL_H

#include <gnuradio/diffusion/block_fading.h>

namespace gr {
  namespace diffusion {

    class block_fading_impl : public block_fading
    {
     private:
      // Nothing to declare in this block.

     public:
      block_fading_impl(int coherence_length, double k_factor, int seed);
      ~block_fading_impl();

      // Where all the action really happens
      int work(
              int noutput_items,
              gr_vector_const_void_star &input_items,
              gr_vector_void_star &output_items
      );
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_BLOCK_FADING_IMPL_H */
