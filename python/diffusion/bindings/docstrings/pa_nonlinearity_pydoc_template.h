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
 * include/gnuradio/diffusion/pa_nonlinearity.h by scripts/fill_pydoc_templates.py.
 * Do not edit by hand: edit the header and rerun the script.
 */


 static const char *__doc_gr_diffusion_pa_nonlinearity = R"doc(Memoryless power-amplifier nonlinearity (Rapp or Saleh) at a given input
back-off. \ingroup diffusion

\details
Complex in, complex out, deterministic, no memory. Conventions (gr-diffusion):
unit-power constellations (the input is assumed to have mean power E|x|^2 = 1), Es/N0
and back-offs in dB, noise variance per complex sample (this block adds no noise).

Input back-off. The input is first scaled by the real constant
  k = sqrt(P_sat,in * 10^(-ibo_db/10)),
so that a unit-power input has mean power exactly ibo_db dB below the saturation input
power P_sat,in of the model (ibo_db may be negative: overdrive). Then, with r = k|x|
and phi = arg(x), out = F(r) exp(j (phi + Phi(r))):

- RAPP (solid-state PA, no AM/PM): F(r) = g r / (1 + (g r / A_sat)^(2p))^(1/(2p)),
  Phi = 0. g = gain (small-signal amplitude gain), A_sat = saturation (output
  saturation amplitude), p = smoothness (> 0; large p -> ideal clipper).
  P_sat,in = (A_sat/g)^2: the input power at which the linear gain reaches A_sat.
- SALEH (TWT amplifier): F(r) = alpha_a r / (1 + beta_a r^2),
  Phi(r) = alpha_p r^2 / (1 + beta_p r^2) (radians). Defaults are Saleh's classic
  (2.1587, 1.1517, 4.0033, 9.1040). P_sat,in = 1/beta_a: F peaks there, at
  alpha_a / (2 sqrt(beta_a)). gain, saturation and smoothness are not used.

Output normalisation (normalize_output = true): the output is divided by
sqrt(E|F(k x)|^2) computed for a unit-power circularly-symmetric complex Gaussian
input x (numerical quadrature, recomputed when a parameter changes). The output then
has unit mean power for Gaussian-like (OFDM) input, and close to unit power for
dense constellations; it is a constant, so the block stays memoryless and
deterministic. With normalize_output = false the raw PA output is produced.

Setters are thread-safe.

Constructor Specific Documentation:

Make a PA nonlinearity block.

Throws std::invalid_argument (ValueError in Python) naming the bad parameter.

Args:
    model : RAPP or SALEH.
    ibo_db : input back-off in dB relative to the saturation input power (finite).
    gain : Rapp small-signal amplitude gain g (> 0).
    saturation : Rapp output saturation amplitude A_sat (> 0).
    smoothness : Rapp smoothness p (> 0).
    alpha_a : Saleh AM/AM alpha_a (> 0).
    beta_a : Saleh AM/AM beta_a (> 0).
    alpha_p : Saleh AM/PM alpha_p (radians, finite).
    beta_p : Saleh AM/PM beta_p (>= 0).
    normalize_output : scale the output to unit power (see above).)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_pa_nonlinearity = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_make = R"doc(Memoryless power-amplifier nonlinearity (Rapp or Saleh) at a given input
back-off. \ingroup diffusion

\details
Complex in, complex out, deterministic, no memory. Conventions (gr-diffusion):
unit-power constellations (the input is assumed to have mean power E|x|^2 = 1), Es/N0
and back-offs in dB, noise variance per complex sample (this block adds no noise).

Input back-off. The input is first scaled by the real constant
  k = sqrt(P_sat,in * 10^(-ibo_db/10)),
so that a unit-power input has mean power exactly ibo_db dB below the saturation input
power P_sat,in of the model (ibo_db may be negative: overdrive). Then, with r = k|x|
and phi = arg(x), out = F(r) exp(j (phi + Phi(r))):

- RAPP (solid-state PA, no AM/PM): F(r) = g r / (1 + (g r / A_sat)^(2p))^(1/(2p)),
  Phi = 0. g = gain (small-signal amplitude gain), A_sat = saturation (output
  saturation amplitude), p = smoothness (> 0; large p -> ideal clipper).
  P_sat,in = (A_sat/g)^2: the input power at which the linear gain reaches A_sat.
- SALEH (TWT amplifier): F(r) = alpha_a r / (1 + beta_a r^2),
  Phi(r) = alpha_p r^2 / (1 + beta_p r^2) (radians). Defaults are Saleh's classic
  (2.1587, 1.1517, 4.0033, 9.1040). P_sat,in = 1/beta_a: F peaks there, at
  alpha_a / (2 sqrt(beta_a)). gain, saturation and smoothness are not used.

Output normalisation (normalize_output = true): the output is divided by
sqrt(E|F(k x)|^2) computed for a unit-power circularly-symmetric complex Gaussian
input x (numerical quadrature, recomputed when a parameter changes). The output then
has unit mean power for Gaussian-like (OFDM) input, and close to unit power for
dense constellations; it is a constant, so the block stays memoryless and
deterministic. With normalize_output = false the raw PA output is produced.

Setters are thread-safe.

Constructor Specific Documentation:

Make a PA nonlinearity block.

Throws std::invalid_argument (ValueError in Python) naming the bad parameter.

Args:
    model : RAPP or SALEH.
    ibo_db : input back-off in dB relative to the saturation input power (finite).
    gain : Rapp small-signal amplitude gain g (> 0).
    saturation : Rapp output saturation amplitude A_sat (> 0).
    smoothness : Rapp smoothness p (> 0).
    alpha_a : Saleh AM/AM alpha_a (> 0).
    beta_a : Saleh AM/AM beta_a (> 0).
    alpha_p : Saleh AM/PM alpha_p (radians, finite).
    beta_p : Saleh AM/PM beta_p (>= 0).
    normalize_output : scale the output to unit power (see above).)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_set_model = R"doc(Set model at run time: RAPP or SALEH.)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_model = R"doc(Current value, as set by set_model() or make().)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_set_ibo_db = R"doc(Input back-off in dB.)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_ibo_db = R"doc(Current value, as set by set_ibo_db() or make().)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_set_rapp_params = R"doc(Rapp parameters g, A_sat, p.)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_gain = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_saturation = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_smoothness = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_set_saleh_params = R"doc(Saleh parameters alpha_a, beta_a, alpha_p, beta_p.)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_alpha_a = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_beta_a = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_alpha_p = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_beta_p = R"doc()doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_set_normalize_output = R"doc(Set normalize_output at run time: scale the output to unit power (see above).)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_normalize_output = R"doc(Current value, as set by set_normalize_output() or make().)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_input_scale = R"doc(Input scale k currently applied (linear amplitude).)doc";


 static const char *__doc_gr_diffusion_pa_nonlinearity_output_scale = R"doc(Output scale currently applied (1 unless normalize_output).)doc";

