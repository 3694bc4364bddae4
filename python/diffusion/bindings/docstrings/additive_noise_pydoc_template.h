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
 * include/gnuradio/diffusion/additive_noise.h by scripts/fill_pydoc_templates.py.
 * Do not edit by hand: edit the header and rerun the script.
 */


 static const char *__doc_gr_diffusion_additive_noise = R"doc(Additive noise at a given Es/N0: Gaussian, Laplacian or impulsive.

\details
out[n] = in[n] + w[n], complex in and out.

Conventions (gr-diffusion): constellations have unit average power; Es/N0 is in dB;
the noise variance is per complex sample,
  sigma^2 = E|w|^2 = signal_power / 10^(esn0_db/10),
i.e. sigma^2/2 per real rail. With the default signal_power = 1, Es/N0 = 1/sigma^2.
Every noise type has the same total variance sigma^2, only the distribution differs:

- GAUSSIAN: circularly-symmetric CN(0, sigma^2).
- LAPLACIAN: independent real Laplacian on I and Q, each with variance sigma^2/2
  (scale b = sigma/2, excess kurtosis 3 per rail). Not circularly symmetric: this
  is the "per-rail" choice, which keeps rails independent like the Gaussian case.
- BERNOULLI_GAUSSIAN: impulsive. Each sample independently carries, with
  probability impulse_prob = p, an impulse of variance impulse_ratio = R times the
  background variance on top of the background. Background variance
  sigma_b^2 = sigma^2 / (1 + p R), so that the total variance is sigma^2; impulsive
  samples are CN(0, (1 + R) sigma_b^2), the others CN(0, sigma_b^2).
- MIDDLETON_CLASS_A: impulsive index A = middleton_a, Gaussian-to-impulsive power
  ratio Gamma = middleton_gamma. Per sample, m ~ Poisson(A) interferers are active
  and w ~ CN(0, sigma^2 (m/A + Gamma) / (1 + Gamma)); total variance sigma^2. The
  Poisson series is truncated at the first m whose upper tail is below 1e-12 (the
  remaining mass goes to that last term); 0 < A <= 100, Gamma >= 0.

Run-time control: message port "esn0_db" takes a number (new Es/N0 in dB), or a
pair/dict with key "esn0_db" (Es/N0 in dB) or key "noise_var" (sigma^2 directly,
>= 0). Invalid messages are logged as warnings and ignored.

Output tags: key "noise_var", value sigma^2 (pmt double), on the first output sample
and on the first sample produced with a new noise variance after every change.

Reproducible: the same seed gives the same output for the same input (independent of
how the scheduler splits the stream). Setters are thread-safe.

Constructor Specific Documentation:

Make an additive noise block.

Throws std::invalid_argument (ValueError in Python) naming the bad parameter.

Args:
    esn0_db : Es/N0 in dB (finite).
    noise_type : noise distribution, see noise_t.
    signal_power : Es, mean input power per complex sample (> 0, default 1).
    impulse_prob : Bernoulli-Gaussian impulse probability p, in [0, 1].
    impulse_ratio : Bernoulli-Gaussian impulse-to-background ratio R (>= 0).
    middleton_a : Middleton class A impulsive index A, in (0, 100].
    middleton_gamma : Middleton class A Gaussian-to-impulsive power ratio (>= 0).
    seed : RNG seed (>= 0); the same seed reproduces the same noise.)doc";


 static const char *__doc_gr_diffusion_additive_noise_additive_noise = R"doc()doc";


 static const char *__doc_gr_diffusion_additive_noise_make = R"doc(Additive noise at a given Es/N0: Gaussian, Laplacian or impulsive.

\details
out[n] = in[n] + w[n], complex in and out.

Conventions (gr-diffusion): constellations have unit average power; Es/N0 is in dB;
the noise variance is per complex sample,
  sigma^2 = E|w|^2 = signal_power / 10^(esn0_db/10),
i.e. sigma^2/2 per real rail. With the default signal_power = 1, Es/N0 = 1/sigma^2.
Every noise type has the same total variance sigma^2, only the distribution differs:

- GAUSSIAN: circularly-symmetric CN(0, sigma^2).
- LAPLACIAN: independent real Laplacian on I and Q, each with variance sigma^2/2
  (scale b = sigma/2, excess kurtosis 3 per rail). Not circularly symmetric: this
  is the "per-rail" choice, which keeps rails independent like the Gaussian case.
- BERNOULLI_GAUSSIAN: impulsive. Each sample independently carries, with
  probability impulse_prob = p, an impulse of variance impulse_ratio = R times the
  background variance on top of the background. Background variance
  sigma_b^2 = sigma^2 / (1 + p R), so that the total variance is sigma^2; impulsive
  samples are CN(0, (1 + R) sigma_b^2), the others CN(0, sigma_b^2).
- MIDDLETON_CLASS_A: impulsive index A = middleton_a, Gaussian-to-impulsive power
  ratio Gamma = middleton_gamma. Per sample, m ~ Poisson(A) interferers are active
  and w ~ CN(0, sigma^2 (m/A + Gamma) / (1 + Gamma)); total variance sigma^2. The
  Poisson series is truncated at the first m whose upper tail is below 1e-12 (the
  remaining mass goes to that last term); 0 < A <= 100, Gamma >= 0.

Run-time control: message port "esn0_db" takes a number (new Es/N0 in dB), or a
pair/dict with key "esn0_db" (Es/N0 in dB) or key "noise_var" (sigma^2 directly,
>= 0). Invalid messages are logged as warnings and ignored.

Output tags: key "noise_var", value sigma^2 (pmt double), on the first output sample
and on the first sample produced with a new noise variance after every change.

Reproducible: the same seed gives the same output for the same input (independent of
how the scheduler splits the stream). Setters are thread-safe.

Constructor Specific Documentation:

Make an additive noise block.

Throws std::invalid_argument (ValueError in Python) naming the bad parameter.

Args:
    esn0_db : Es/N0 in dB (finite).
    noise_type : noise distribution, see noise_t.
    signal_power : Es, mean input power per complex sample (> 0, default 1).
    impulse_prob : Bernoulli-Gaussian impulse probability p, in [0, 1].
    impulse_ratio : Bernoulli-Gaussian impulse-to-background ratio R (>= 0).
    middleton_a : Middleton class A impulsive index A, in (0, 100].
    middleton_gamma : Middleton class A Gaussian-to-impulsive power ratio (>= 0).
    seed : RNG seed (>= 0); the same seed reproduces the same noise.)doc";


 static const char *__doc_gr_diffusion_additive_noise_set_esn0_db = R"doc(Set Es/N0 in dB (sigma^2 = signal_power / 10^(esn0_db/10)).)doc";


 static const char *__doc_gr_diffusion_additive_noise_esn0_db = R"doc(Current value, as set by set_esn0_db() or make().)doc";


 static const char *__doc_gr_diffusion_additive_noise_set_noise_var = R"doc(Set sigma^2 (per complex sample) directly; Es/N0 follows (+inf dB for 0).)doc";


 static const char *__doc_gr_diffusion_additive_noise_noise_var = R"doc(Current sigma^2 per complex sample.)doc";


 static const char *__doc_gr_diffusion_additive_noise_set_signal_power = R"doc(Set Es (keeps Es/N0, so sigma^2 scales with it).)doc";


 static const char *__doc_gr_diffusion_additive_noise_signal_power = R"doc(Current value, as set by set_signal_power() or make().)doc";


 static const char *__doc_gr_diffusion_additive_noise_set_noise_type = R"doc(Set noise_type at run time: noise distribution, see noise_t.)doc";


 static const char *__doc_gr_diffusion_additive_noise_noise_type = R"doc(Current value, as set by set_noise_type() or make().)doc";


 static const char *__doc_gr_diffusion_additive_noise_set_impulse_prob = R"doc(Set impulse_prob at run time: Bernoulli-Gaussian impulse probability p, in [0, 1].)doc";


 static const char *__doc_gr_diffusion_additive_noise_impulse_prob = R"doc(Current value, as set by set_impulse_prob() or make().)doc";


 static const char *__doc_gr_diffusion_additive_noise_set_impulse_ratio = R"doc(Set impulse_ratio at run time: Bernoulli-Gaussian impulse-to-background ratio R (>= 0).)doc";


 static const char *__doc_gr_diffusion_additive_noise_impulse_ratio = R"doc(Current value, as set by set_impulse_ratio() or make().)doc";


 static const char *__doc_gr_diffusion_additive_noise_set_middleton_a = R"doc(Set middleton_a at run time: Middleton class A impulsive index A, in (0, 100].)doc";


 static const char *__doc_gr_diffusion_additive_noise_middleton_a = R"doc(Current value, as set by set_middleton_a() or make().)doc";


 static const char *__doc_gr_diffusion_additive_noise_set_middleton_gamma = R"doc(Set middleton_gamma at run time: Middleton class A Gaussian-to-impulsive power ratio (>= 0).)doc";


 static const char *__doc_gr_diffusion_additive_noise_middleton_gamma = R"doc(Current value, as set by set_middleton_gamma() or make().)doc";

