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


 static const char *__doc_gr_diffusion_additive_noise = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_additive_noise = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_make = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_set_esn0_db = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_esn0_db = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_set_noise_var = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_noise_var = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_set_signal_power = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_signal_power = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_set_noise_type = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_noise_type = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_set_impulse_prob = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_impulse_prob = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_set_impulse_ratio = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_impulse_ratio = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_set_middleton_a = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_middleton_a = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_set_middleton_gamma = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_middleton_gamma = R"doc()doc";

