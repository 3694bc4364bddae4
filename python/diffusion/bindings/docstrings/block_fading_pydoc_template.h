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
 * include/gnuradio/diffusion/block_fading.h by scripts/fill_pydoc_templates.py.
 * Do not edit by hand: edit the header and rerun the script.
 */


static const char* __doc_gr_diffusion_block_fading = R"doc(Flat block fading: a Rayleigh/Rician gain h, constant over coherence_length
samples and i.i.d. between blocks.

Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
noise variance per complex sample. The gain is normalised, E|h|^2 = 1, so the average
received Es/N0 equals the transmitted one:
  h = sqrt(K/(K+1)) + sqrt(1/(K+1)) w,   w ~ CN(0, 1)
with K = k_factor (linear, not dB; K = 0 is Rayleigh: |h|^2 ~ Exp(1)). The
line-of-sight component is real (phase 0), so E[h] = sqrt(K/(K+1)).

Output 0 = h[n] in[n]; output 1 (optional) = h[n], the gain stream for a coherent
receiver (e.g. diffusion.zf_equalizer, or input 1 of diffusion.hardware_impairments).
Blocks are counted from the start of the stream: block b covers the absolute samples
b L .. (b+1) L - 1 (L = coherence_length), and at its first sample a stream tag with
key "fading_block" and value pmt::from_uint64(b) is put on every connected output.
One complex Gaussian draw per block from a generator seeded by `seed`: the gains
depend only on the seed, never on how the scheduler splits the stream. A new K
(set_k_factor) applies from the next block on.

Constructor Specific Documentation:

Args:
    coherence_length : L, samples per fading block (>= 1)
    k_factor : Rician K factor, linear (>= 0, finite; 0 = Rayleigh)
    seed : random seed (same seed -> same gains)

Raises:
    std::invalid_argument : naming the offending parameter)doc";


static const char* __doc_gr_diffusion_block_fading_block_fading = R"doc()doc";


static const char* __doc_gr_diffusion_block_fading_make = R"doc(Flat block fading: a Rayleigh/Rician gain h, constant over coherence_length
samples and i.i.d. between blocks.

Conventions of gr-diffusion: unit-power constellations (E|s|^2 = 1), Es/N0 in dB,
noise variance per complex sample. The gain is normalised, E|h|^2 = 1, so the average
received Es/N0 equals the transmitted one:
  h = sqrt(K/(K+1)) + sqrt(1/(K+1)) w,   w ~ CN(0, 1)
with K = k_factor (linear, not dB; K = 0 is Rayleigh: |h|^2 ~ Exp(1)). The
line-of-sight component is real (phase 0), so E[h] = sqrt(K/(K+1)).

Output 0 = h[n] in[n]; output 1 (optional) = h[n], the gain stream for a coherent
receiver (e.g. diffusion.zf_equalizer, or input 1 of diffusion.hardware_impairments).
Blocks are counted from the start of the stream: block b covers the absolute samples
b L .. (b+1) L - 1 (L = coherence_length), and at its first sample a stream tag with
key "fading_block" and value pmt::from_uint64(b) is put on every connected output.
One complex Gaussian draw per block from a generator seeded by `seed`: the gains
depend only on the seed, never on how the scheduler splits the stream. A new K
(set_k_factor) applies from the next block on.

Constructor Specific Documentation:

Args:
    coherence_length : L, samples per fading block (>= 1)
    k_factor : Rician K factor, linear (>= 0, finite; 0 = Rayleigh)
    seed : random seed (same seed -> same gains)

Raises:
    std::invalid_argument : naming the offending parameter)doc";


static const char* __doc_gr_diffusion_block_fading_set_k_factor = R"doc(Set the Rician K factor (linear, >= 0), effective from the next block.
Thread-safe.)doc";


static const char* __doc_gr_diffusion_block_fading_k_factor = R"doc(Current value, as set by set_k_factor() or make().)doc";


static const char* __doc_gr_diffusion_block_fading_coherence_length = R"doc()doc";
