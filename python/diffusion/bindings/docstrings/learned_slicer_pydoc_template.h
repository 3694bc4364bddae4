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


 static const char *__doc_gr_diffusion_learned_slicer = R"doc()doc";


 static const char *__doc_gr_diffusion_learned_slicer_learned_slicer = R"doc()doc";


 static const char *__doc_gr_diffusion_learned_slicer_make = R"doc()doc";


 static const char *__doc_gr_diffusion_learned_slicer_set_sigma2 = R"doc()doc";


 static const char *__doc_gr_diffusion_learned_slicer_sigma2 = R"doc()doc";


 static const char *__doc_gr_diffusion_learned_slicer_bits_per_symbol = R"doc()doc";


 static const char *__doc_gr_diffusion_learned_slicer_order = R"doc()doc";


 static const char *__doc_gr_diffusion_learned_slicer_centroids = R"doc()doc";


 static const char *__doc_gr_diffusion_learned_slicer_erasures = R"doc()doc";
