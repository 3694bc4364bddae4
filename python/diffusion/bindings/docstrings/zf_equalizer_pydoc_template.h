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


static const char* __doc_gr_diffusion_zf_equalizer = R"doc()doc";


static const char* __doc_gr_diffusion_zf_equalizer_zf_equalizer = R"doc()doc";


static const char* __doc_gr_diffusion_zf_equalizer_make = R"doc()doc";


static const char* __doc_gr_diffusion_zf_equalizer_set_distortion_var = R"doc()doc";


static const char* __doc_gr_diffusion_zf_equalizer_distortion_var = R"doc()doc";


static const char* __doc_gr_diffusion_zf_equalizer_set_noise_var = R"doc()doc";


static const char* __doc_gr_diffusion_zf_equalizer_noise_var = R"doc()doc";


static const char* __doc_gr_diffusion_zf_equalizer_set_scale = R"doc()doc";


static const char* __doc_gr_diffusion_zf_equalizer_scale = R"doc()doc";
