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


static const char* __doc_gr_diffusion_hardware_impairments = R"doc()doc";


static const char* __doc_gr_diffusion_hardware_impairments_hardware_impairments =
    R"doc()doc";


static const char* __doc_gr_diffusion_hardware_impairments_make = R"doc()doc";


static const char* __doc_gr_diffusion_hardware_impairments_set_kappa = R"doc()doc";


static const char* __doc_gr_diffusion_hardware_impairments_kappa = R"doc()doc";


static const char* __doc_gr_diffusion_hardware_impairments_set_nominal_power = R"doc()doc";


static const char* __doc_gr_diffusion_hardware_impairments_nominal_power = R"doc()doc";


static const char* __doc_gr_diffusion_hardware_impairments_power_mode = R"doc()doc";


static const char* __doc_gr_diffusion_hardware_impairments_window = R"doc()doc";
