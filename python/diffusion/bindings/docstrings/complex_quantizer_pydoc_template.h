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
 * include/gnuradio/diffusion/complex_quantizer.h by scripts/fill_pydoc_templates.py.
 * Do not edit by hand: edit the header and rerun the script.
 */


static const char* __doc_gr_diffusion_complex_quantizer = R"doc(Uniform ADC model: each rail (I and Q) quantized independently, clipped at
full scale.

Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
noise variance per complex sample. full_scale is in the same amplitude units as the
samples (e.g. full_scale = 1 clips a unit-power QPSK rail, +-0.707, at 3 dB headroom).

With L levels (2^bits mid-rise, 2^bits - 1 mid-tread) the step is
Delta = 2 full_scale / L: the L cells of width Delta tile the no-overload range
[-full_scale, full_scale] exactly, and each cell maps to its midpoint
  q(x) = -full_scale + (k + 1/2) Delta,  k = clamp(floor((x + full_scale) / Delta), 0,
L-1) so the levels are +-Delta/2, +-3 Delta/2, ... (mid-rise) or 0, +-Delta, ...
(mid-tread), the outermost being +-(full_scale - Delta/2). Inputs beyond +-full_scale
are clipped to the outermost level. Inside the range the error is within +-Delta/2, and
for a busy input its power is Delta^2/12 per rail (Delta^2/6 per complex sample). A NaN
rail maps to the lowest level. Deterministic (no randomness).

Constructor Specific Documentation:

Args:
    bits : bits per rail, 1..16 (2..16 for QUANT_MID_TREAD)
    full_scale : clip level per rail (> 0, amplitude units of the samples)
    mode : QUANT_MID_RISE (0) or QUANT_MID_TREAD (1)

Raises:
    std::invalid_argument : naming the offending parameter)doc";


static const char* __doc_gr_diffusion_complex_quantizer_complex_quantizer = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_make = R"doc(Uniform ADC model: each rail (I and Q) quantized independently, clipped at
full scale.

Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
noise variance per complex sample. full_scale is in the same amplitude units as the
samples (e.g. full_scale = 1 clips a unit-power QPSK rail, +-0.707, at 3 dB headroom).

With L levels (2^bits mid-rise, 2^bits - 1 mid-tread) the step is
Delta = 2 full_scale / L: the L cells of width Delta tile the no-overload range
[-full_scale, full_scale] exactly, and each cell maps to its midpoint
  q(x) = -full_scale + (k + 1/2) Delta,  k = clamp(floor((x + full_scale) / Delta), 0,
L-1) so the levels are +-Delta/2, +-3 Delta/2, ... (mid-rise) or 0, +-Delta, ...
(mid-tread), the outermost being +-(full_scale - Delta/2). Inputs beyond +-full_scale
are clipped to the outermost level. Inside the range the error is within +-Delta/2, and
for a busy input its power is Delta^2/12 per rail (Delta^2/6 per complex sample). A NaN
rail maps to the lowest level. Deterministic (no randomness).

Constructor Specific Documentation:

Args:
    bits : bits per rail, 1..16 (2..16 for QUANT_MID_TREAD)
    full_scale : clip level per rail (> 0, amplitude units of the samples)
    mode : QUANT_MID_RISE (0) or QUANT_MID_TREAD (1)

Raises:
    std::invalid_argument : naming the offending parameter)doc";


static const char* __doc_gr_diffusion_complex_quantizer_set_bits = R"doc(Set the number of bits per rail (same limits as make). Thread-safe.)doc";


static const char* __doc_gr_diffusion_complex_quantizer_bits = R"doc(Current value, as set by set_bits() or make().)doc";


static const char* __doc_gr_diffusion_complex_quantizer_set_full_scale = R"doc(Set the clip level per rail (> 0). Thread-safe.)doc";


static const char* __doc_gr_diffusion_complex_quantizer_full_scale = R"doc(Current value, as set by set_full_scale() or make().)doc";


static const char* __doc_gr_diffusion_complex_quantizer_mode = R"doc()doc";


static const char* __doc_gr_diffusion_complex_quantizer_levels = R"doc(Number of output levels per rail, L.)doc";


static const char* __doc_gr_diffusion_complex_quantizer_step = R"doc(Step Delta = 2 full_scale / L.)doc";
