/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 */
#include "pydoc_macros.h"
#define D(...) DOC(gr, diffusion, __VA_ARGS__)
/*
  This file contains placeholders for docstrings for the Python bindings.
  Do not edit! These were automatically extracted during the binding process
  and will be overwritten during the build process
 */


static const char* __doc_gr_diffusion_complex_quantizer = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_complex_quantizer = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_make = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_set_bits = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_bits = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_set_full_scale = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_full_scale = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_mode = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_levels = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_step = R"doc()doc";
