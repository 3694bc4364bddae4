/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gnuradio/io_signature.h>
#include "pa_nonlinearity_impl.h"

namespace gr {
  namespace diffusion {

    #pragma message("set the following appropriately and remove this warning")
    using input_type = float;
    #pragma message("set the following appropriately and remove this warning")
    using output_type = float;
    pa_nonlinearity::sptr
    pa_nonlinearity::make(int model, double input_backoff_db, double gain, double saturation, double smoothness)
    {
      return gnuradio::make_block_sptr<pa_nonlinearity_impl>(
        model, input_backoff_db, gain, saturation, smoothness);
    }


    /*
     * The private constructor
     */
    pa_nonlinearity_impl::pa_nonlinearity_impl(int model, double input_backoff_db, double gain, double saturation, double smoothness)
      : gr::sync_block("pa_nonlinearity",
              gr::io_signature::make(1 /* min inputs */, 1 /* max inputs */, sizeof(input_type)),
              gr::io_signature::make(1 /* min outputs */, 1 /*max outputs */, sizeof(output_type)))
    {}

    /*
     * Our virtual destructor.
     */
    pa_nonlinearity_impl::~pa_nonlinearity_impl()
    {
    }

    int
    pa_nonlinearity_impl::work(int noutput_items,
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
