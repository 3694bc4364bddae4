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
 * include/gnuradio/diffusion/phase_noise.h by scripts/fill_pydoc_templates.py.
 * Do not edit by hand: edit the header and rerun the script.
 */


 static const char *__doc_gr_diffusion_phase_noise = R"doc(Wiener (random-walk) oscillator phase noise.

\details
out[n] = in[n] exp(j theta[n]), theta[0] = 0,
theta[n] = theta[n-1] + w[n], w[n] ~ N(0, 2 pi linewidth_ts) i.i.d. (radians^2).

linewidth_ts = beta Ts is the two-sided 3-dB linewidth beta (Hz) of the Lorentzian
oscillator spectrum times the sample period Ts (s), i.e. beta / sample_rate. Hence
Var(theta[n+L] - theta[n]) = 2 pi beta Ts L. Example: beta = 100 kHz at 10 Msamples/s
gives linewidth_ts = 0.01.

Conventions (gr-diffusion): unit-power constellations, Es/N0 in dB, noise variance
per complex sample. This block adds no noise power: |out| = |in| exactly (up to float
rounding), it changes phases only, so unit-power constellations stay unit-power. The
phase is kept in double precision and wrapped to [-pi, pi).

Reproducible: the same seed gives the same output (independent of how the scheduler
splits the stream). Setters are thread-safe; a new linewidth applies to the increments
that follow, the phase stays continuous.

Constructor Specific Documentation:

Make a Wiener phase-noise block.

Throws std::invalid_argument (ValueError in Python) naming the bad parameter.

Args:
    linewidth_ts : 3-dB linewidth times sample period, beta Ts (finite, >= 0).
    seed : RNG seed (>= 0); the same seed reproduces the same phase trajectory.)doc";


 static const char *__doc_gr_diffusion_phase_noise_phase_noise = R"doc()doc";


 static const char *__doc_gr_diffusion_phase_noise_make = R"doc(Wiener (random-walk) oscillator phase noise.

\details
out[n] = in[n] exp(j theta[n]), theta[0] = 0,
theta[n] = theta[n-1] + w[n], w[n] ~ N(0, 2 pi linewidth_ts) i.i.d. (radians^2).

linewidth_ts = beta Ts is the two-sided 3-dB linewidth beta (Hz) of the Lorentzian
oscillator spectrum times the sample period Ts (s), i.e. beta / sample_rate. Hence
Var(theta[n+L] - theta[n]) = 2 pi beta Ts L. Example: beta = 100 kHz at 10 Msamples/s
gives linewidth_ts = 0.01.

Conventions (gr-diffusion): unit-power constellations, Es/N0 in dB, noise variance
per complex sample. This block adds no noise power: |out| = |in| exactly (up to float
rounding), it changes phases only, so unit-power constellations stay unit-power. The
phase is kept in double precision and wrapped to [-pi, pi).

Reproducible: the same seed gives the same output (independent of how the scheduler
splits the stream). Setters are thread-safe; a new linewidth applies to the increments
that follow, the phase stays continuous.

Constructor Specific Documentation:

Make a Wiener phase-noise block.

Throws std::invalid_argument (ValueError in Python) naming the bad parameter.

Args:
    linewidth_ts : 3-dB linewidth times sample period, beta Ts (finite, >= 0).
    seed : RNG seed (>= 0); the same seed reproduces the same phase trajectory.)doc";


 static const char *__doc_gr_diffusion_phase_noise_set_linewidth_ts = R"doc(Set beta Ts (increment variance 2 pi beta Ts).)doc";


 static const char *__doc_gr_diffusion_phase_noise_linewidth_ts = R"doc(Current value, as set by set_linewidth_ts() or make().)doc";


 static const char *__doc_gr_diffusion_phase_noise_phase = R"doc(Phase (radians, wrapped to [-pi, pi)) that the next output sample will get.)doc";

