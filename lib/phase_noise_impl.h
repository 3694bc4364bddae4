/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_PHASE_NOISE_IMPL_H
#define INCLUDED_DIFFUSION_PHASE_NOISE_IMPL_H

#include <gnuradio/diffusion/phase_noise.h>

namespace gr {
  namespace diffusion {

    class phase_noise_impl : public phase_noise
    {
     private:
      // Nothing to declare in this block.

     public:
      phase_noise_impl(double linewidth_ts, int seed);
      ~phase_noise_impl();

      // Where all the action really happens
      int work(
              int noutput_items,
              gr_vector_const_void_star &input_items,
              gr_vector_void_star &output_items
      );
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_PHASE_NOISE_IMPL_H */
