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


 static const char *__doc_gr_diffusion_sample_guard = R"doc()doc";


 static const char *__doc_gr_diffusion_sample_guard_sample_guard = R"doc()doc";


 static const char *__doc_gr_diffusion_sample_guard_make = R"doc()doc";





 static const char *__doc_gr_diffusion_sample_guard_set_max_magnitude = R"doc()doc";


 static const char *__doc_gr_diffusion_sample_guard_max_magnitude = R"doc()doc";


 static const char *__doc_gr_diffusion_sample_guard_replaced_count = R"doc()doc";


 static const char *__doc_gr_diffusion_sample_guard_burst_count = R"doc()doc";

