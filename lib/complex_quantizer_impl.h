/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_COMPLEX_QUANTIZER_IMPL_H
#define INCLUDED_DIFFUSION_COMPLEX_QUANTIZER_IMPL_H

#include <gnuradio/diffusion/complex_quantizer.h>

namespace gr {
  namespace diffusion {

    class complex_quantizer_impl : public complex_quantizer
    {
     private:
      // Nothing to declare in this block.

     public:
      complex_quantizer_impl(int bits, double full_scale, int mode);
      ~complex_quantizer_impl();

      // Where all the action really happens
      int work(
              int noutput_items,
              gr_vector_const_void_star &input_items,
              gr_vector_void_star &output_items
      );
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_COMPLEX_QUANTIZER_IMPL_H */
