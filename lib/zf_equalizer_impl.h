/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_ZF_EQUALIZER_IMPL_H
#define INCLUDED_DIFFUSION_ZF_EQUALIZER_IMPL_H

#include <gnuradio/diffusion/zf_equalizer.h>

namespace gr {
  namespace diffusion {

    class zf_equalizer_impl : public zf_equalizer
    {
     private:
      // Nothing to declare in this block.

     public:
      zf_equalizer_impl(double distortion_var, double noise_var);
      ~zf_equalizer_impl();

      // Where all the action really happens
      int work(
              int noutput_items,
              gr_vector_const_void_star &input_items,
              gr_vector_void_star &output_items
      );
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_ZF_EQUALIZER_IMPL_H */
