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
 * include/gnuradio/diffusion/hardware_impairments.h by scripts/fill_pydoc_templates.py.
 * Do not edit by hand: edit the header and rerun the script.
 */


static const char* __doc_gr_diffusion_hardware_impairments = R"doc(Aggregate transceiver hardware impairments (Bjornson et al.): additive
distortion proportional to the signal power.

Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
noise/distortion variance given per complex sample (E|eta|^2, i.e. half per rail).

One input (transmitter side, or any side with h = 1):
  out[n] = in[n] + eta[n],          eta[n] ~ CN(0, kappa * P)

Two inputs (in = x, the signal before the channel; in1 = h, the complex channel gain,
e.g. output 1 of diffusion.block_fading): the block applies the channel and the
receiver distortion,
  out[n] = h[n] x[n] + eta_r[n],    eta_r[n] ~ CN(0, kappa * |h[n]|^2 * P)
i.e. y = h x + eta_r with eta_r ~ CN(0, kappa_r |h|^2 P_x). P is always the power of
input 0 (x, unscaled by h). Whether input 1 is connected is detected at flowgraph
start.

kappa is the distortion-to-signal power ratio: kappa = E|eta|^2 / P = EVM^2
(kappa = 0.05 <=> EVM = sqrt(0.05) = 22.4 %; kappa = 0.15 <=> EVM = 38.7 %).
Papers that write the variance as kappa^2 P (kappa = EVM) need kappa_here = kappa^2.
The published link y = h (sqrt(p) s + eta_t) + eta_r + n with kappa_t = 0.05 and
kappa_r = 0.15 is built as: TX block with kappa = 0.05, nominal_power = p (one input);
then RX block with kappa = 0.15, nominal_power = p, input 0 = the TX block's output,
input 1 = h. (With POWER_MEASURED the RX block measures P_x = p (1 + kappa_t), which
adds the second-order term kappa_r kappa_t p |h|^2.)

POWER_MEASURED: P[n] = mean of |in[m]|^2 over m = n-window+1 .. n (the current sample
included; over the samples seen so far during the first window-1 samples).

The noise uses one complex Gaussian draw per sample from a generator seeded by `seed`:
the output depends only on the input and the seed, never on how the scheduler splits
the stream.

Constructor Specific Documentation:

Args:
    kappa : distortion-to-signal power ratio (linear, >= 0; EVM^2)
    power_mode : POWER_NOMINAL (0) or POWER_MEASURED (1)
    nominal_power : P for POWER_NOMINAL (linear, >= 0; 1 for unit-power symbols)
    window : moving-average length in samples for POWER_MEASURED, 1 .. 2^24 (16777216; the ring of past powers is allocated up front)
    seed : random seed (same seed and input -> same output)

Raises:
    std::invalid_argument : on a negative/non-finite kappa or nominal_power, window outside 1 .. 2^24, or an unknown power_mode)doc";


static const char* __doc_gr_diffusion_hardware_impairments_hardware_impairments =
    R"doc()doc";


static const char* __doc_gr_diffusion_hardware_impairments_make = R"doc(Aggregate transceiver hardware impairments (Bjornson et al.): additive
distortion proportional to the signal power.

Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
noise/distortion variance given per complex sample (E|eta|^2, i.e. half per rail).

One input (transmitter side, or any side with h = 1):
  out[n] = in[n] + eta[n],          eta[n] ~ CN(0, kappa * P)

Two inputs (in = x, the signal before the channel; in1 = h, the complex channel gain,
e.g. output 1 of diffusion.block_fading): the block applies the channel and the
receiver distortion,
  out[n] = h[n] x[n] + eta_r[n],    eta_r[n] ~ CN(0, kappa * |h[n]|^2 * P)
i.e. y = h x + eta_r with eta_r ~ CN(0, kappa_r |h|^2 P_x). P is always the power of
input 0 (x, unscaled by h). Whether input 1 is connected is detected at flowgraph
start.

kappa is the distortion-to-signal power ratio: kappa = E|eta|^2 / P = EVM^2
(kappa = 0.05 <=> EVM = sqrt(0.05) = 22.4 %; kappa = 0.15 <=> EVM = 38.7 %).
Papers that write the variance as kappa^2 P (kappa = EVM) need kappa_here = kappa^2.
The published link y = h (sqrt(p) s + eta_t) + eta_r + n with kappa_t = 0.05 and
kappa_r = 0.15 is built as: TX block with kappa = 0.05, nominal_power = p (one input);
then RX block with kappa = 0.15, nominal_power = p, input 0 = the TX block's output,
input 1 = h. (With POWER_MEASURED the RX block measures P_x = p (1 + kappa_t), which
adds the second-order term kappa_r kappa_t p |h|^2.)

POWER_MEASURED: P[n] = mean of |in[m]|^2 over m = n-window+1 .. n (the current sample
included; over the samples seen so far during the first window-1 samples).

The noise uses one complex Gaussian draw per sample from a generator seeded by `seed`:
the output depends only on the input and the seed, never on how the scheduler splits
the stream.

Constructor Specific Documentation:

Args:
    kappa : distortion-to-signal power ratio (linear, >= 0; EVM^2)
    power_mode : POWER_NOMINAL (0) or POWER_MEASURED (1)
    nominal_power : P for POWER_NOMINAL (linear, >= 0; 1 for unit-power symbols)
    window : moving-average length in samples for POWER_MEASURED, 1 .. 2^24 (16777216; the ring of past powers is allocated up front)
    seed : random seed (same seed and input -> same output)

Raises:
    std::invalid_argument : on a negative/non-finite kappa or nominal_power, window outside 1 .. 2^24, or an unknown power_mode)doc";


static const char* __doc_gr_diffusion_hardware_impairments_set_kappa = R"doc(Set kappa (linear distortion-to-signal power ratio, >= 0). Thread-safe.)doc";


static const char* __doc_gr_diffusion_hardware_impairments_kappa = R"doc(Current value, as set by set_kappa() or make().)doc";


static const char* __doc_gr_diffusion_hardware_impairments_set_nominal_power = R"doc(Set the nominal signal power P used by POWER_NOMINAL (>= 0). Thread-safe.)doc";


static const char* __doc_gr_diffusion_hardware_impairments_nominal_power = R"doc(Current value, as set by set_nominal_power() or make().)doc";


static const char* __doc_gr_diffusion_hardware_impairments_power_mode = R"doc()doc";


static const char* __doc_gr_diffusion_hardware_impairments_window = R"doc()doc";
