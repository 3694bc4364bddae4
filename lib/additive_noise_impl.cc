/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gnuradio/io_signature.h>
#include "additive_noise_impl.h"

namespace gr {
  namespace diffusion {

    #pragma message("set the following appropriately and remove this warning")
    using input_type = float;
    #pragma message("set the following appropriately and remove this warning")
    using output_type = float;
    additive_noise::sptr
    additive_noise::make(double esn0_db, int noise_type, double signal_power, double impulse_prob, double impulse_ratio, int seed)
    {
      return gnuradio::make_block_sptr<additive_noise_impl>(
        esn0_db, noise_type, signal_power, impulse_prob, impulse_ratio, seed);
    }


    /*
     * The private constructor
     */
    additive_noise_impl::additive_noise_impl(double esn0_db, int noise_type, double signal_power, double impulse_prob, double impulse_ratio, int seed)
      : gr::sync_block("additive_noise",
              gr::io_signature::make(1 /* min inputs */, 1 /* max inputs */, sizeof(input_type)),
              gr::io_signature::make(1 /* min outputs */, 1 /*max outputs */, sizeof(output_type)))
    {}

    /*
     * Our virtual destructor.
     */
    additive_noise_impl::~additive_noise_impl()
    {
    }

    int
    additive_noise_impl::work(int noutput_items,
        gr_vector_const_void_star &input_items,
        gr_vector_void_star &output_items)
    {
      auto in = static_cast<const input_type*>(input_items[0]);
      auto out = static_cast<output_type*>(output_items[0]);

      #pragma message("Implement the signal processing in your block and remove this warning")
      // Do <+signal processing+>

      // Tell runtime system how many output items we produced.
      return noutput_items;
    }

  } /* namespace diffusion */
} /* namespace gr */
