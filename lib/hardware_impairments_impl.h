/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_IMPL_H
#define INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_IMPL_H

#include <gnuradio/diffusion/hardware_impairments.h>

namespace gr {
  namespace diffusion {

    class hardware_impairments_impl : public hardware_impairments
    {
     private:
      // Nothing to declare in this block.

     public:
      hardware_impairments_impl(double kappa, int power_mode, double nominal_power, int window, bool use_channel, int seed);
      ~hardware_impairments_impl();

      // Where all the action really happens
      int work(
              int noutput_items,
              gr_vector_const_void_star &input_items,
              gr_vector_void_star &output_items
      );
    };

  } // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_HARDWARE_IMPAIRMENTS_IMPL_H */
