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
 * include/gnuradio/diffusion/zf_equalizer.h by scripts/fill_pydoc_templates.py.
 * Do not edit by hand: edit the header and rerun the script.
 */


static const char* __doc_gr_diffusion_zf_equalizer = R"doc(Zero-forcing equalizer with known channel gain, also giving the effective noise
variance of every equalized sample.

Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
noise variance per complex sample (E|n|^2).

Inputs: 0 = y (received samples), 1 = h (complex channel gain, e.g. output 1 of
diffusion.block_fading). Outputs: 0 = z (complex), 1 = sigma2_eff (float):
  z[n]          = scale * y[n] / h[n]
  sigma2_eff[n] = distortion_var + noise_var / |h[n]|^2
Both variances are in units of the equalized symbols z, i.e. already multiplied by
scale^2: distortion_var is the part that scales with the signal (transceiver
distortion, does not depend on h after equalization), noise_var the part that does
not (thermal noise, enhanced by 1/|h|^2).

For the link y = h (sqrt(p) s + eta_t) + eta_r + n with eta_t ~ CN(0, kappa_t p),
eta_r ~ CN(0, kappa_r p |h|^2), n ~ CN(0, sigma_n^2):
  scale = 1/sqrt(p),  distortion_var = kappa_t + kappa_r,  noise_var = sigma_n^2 / p
so that z = s + e with E|e|^2 = sigma2_eff. With E|h|^2 = 1, noise_var = 1/(Es/N0)
= 10^(-EsN0_dB/10).

Deep fades: if |h[n]|^2 < 1e-30 (or h is NaN) the sample is declared erased:
z = 0 and sigma2_eff = 1e30. sigma2_eff is capped at 1e30 in all cases, a finite
stand-in for "infinite" that keeps downstream soft demappers (LLR ~ 1/sigma2) finite.

Constructor Specific Documentation:

Args:
    distortion_var : signal-proportional variance after equalization (>= 0), e.g. kappa_t + kappa_r
    noise_var : noise variance in equalized-symbol units before the 1/|h|^2 enhancement (>= 0), e.g. sigma_n^2 / p
    scale : real factor applied to z (> 0), e.g. 1/sqrt(p)

Raises:
    std::invalid_argument : naming the offending parameter)doc";


static const char* __doc_gr_diffusion_zf_equalizer_zf_equalizer = R"doc()doc";


static const char* __doc_gr_diffusion_zf_equalizer_make = R"doc(Zero-forcing equalizer with known channel gain, also giving the effective noise
variance of every equalized sample.

Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
noise variance per complex sample (E|n|^2).

Inputs: 0 = y (received samples), 1 = h (complex channel gain, e.g. output 1 of
diffusion.block_fading). Outputs: 0 = z (complex), 1 = sigma2_eff (float):
  z[n]          = scale * y[n] / h[n]
  sigma2_eff[n] = distortion_var + noise_var / |h[n]|^2
Both variances are in units of the equalized symbols z, i.e. already multiplied by
scale^2: distortion_var is the part that scales with the signal (transceiver
distortion, does not depend on h after equalization), noise_var the part that does
not (thermal noise, enhanced by 1/|h|^2).

For the link y = h (sqrt(p) s + eta_t) + eta_r + n with eta_t ~ CN(0, kappa_t p),
eta_r ~ CN(0, kappa_r p |h|^2), n ~ CN(0, sigma_n^2):
  scale = 1/sqrt(p),  distortion_var = kappa_t + kappa_r,  noise_var = sigma_n^2 / p
so that z = s + e with E|e|^2 = sigma2_eff. With E|h|^2 = 1, noise_var = 1/(Es/N0)
= 10^(-EsN0_dB/10).

Deep fades: if |h[n]|^2 < 1e-30 (or h is NaN) the sample is declared erased:
z = 0 and sigma2_eff = 1e30. sigma2_eff is capped at 1e30 in all cases, a finite
stand-in for "infinite" that keeps downstream soft demappers (LLR ~ 1/sigma2) finite.

Constructor Specific Documentation:

Args:
    distortion_var : signal-proportional variance after equalization (>= 0), e.g. kappa_t + kappa_r
    noise_var : noise variance in equalized-symbol units before the 1/|h|^2 enhancement (>= 0), e.g. sigma_n^2 / p
    scale : real factor applied to z (> 0), e.g. 1/sqrt(p)

Raises:
    std::invalid_argument : naming the offending parameter)doc";


static const char* __doc_gr_diffusion_zf_equalizer_set_distortion_var = R"doc(Thread-safe setters (same limits as make); new values apply from the next work
call.)doc";


static const char* __doc_gr_diffusion_zf_equalizer_distortion_var = R"doc(Current value, as set by set_distortion_var() or make().)doc";


static const char* __doc_gr_diffusion_zf_equalizer_set_noise_var = R"doc(Set noise_var at run time: noise variance in equalized-symbol units before the 1/|h|^2 enhancement (>= 0), e.g. sigma_n^2 / p)doc";


static const char* __doc_gr_diffusion_zf_equalizer_noise_var = R"doc(Current value, as set by set_noise_var() or make().)doc";


static const char* __doc_gr_diffusion_zf_equalizer_set_scale = R"doc(Set scale at run time: real factor applied to z (> 0), e.g. 1/sqrt(p))doc";


static const char* __doc_gr_diffusion_zf_equalizer_scale = R"doc(Current value, as set by set_scale() or make().)doc";
