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


 static const char *__doc_gr_diffusion_pa_nonlinearity = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_pa_nonlinearity = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_make = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_set_model = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_model = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_set_ibo_db = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_ibo_db = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_set_rapp_params = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_gain = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_saturation = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_smoothness = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_set_saleh_params = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_alpha_a = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_beta_a = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_alpha_p = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_beta_p = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_set_normalize_output = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_normalize_output = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_input_scale = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_output_scale = R"doc()doc";

