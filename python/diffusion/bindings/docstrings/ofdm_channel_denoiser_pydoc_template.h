/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 */
#include "pydoc_macros.h"
#define D(...) DOC(gr, diffusion, __VA_ARGS__)
/*
 * Docstrings for the Python bindings, filled from the doxygen comments of
 * include/gnuradio/diffusion/ofdm_channel_denoiser.h by scripts/fill_pydoc_templates.py.
 * Do not edit by hand: edit the header and rerun the script.
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
