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
 * include/gnuradio/diffusion/sample_guard.h by scripts/fill_pydoc_templates.py.
 * Do not edit by hand: edit the header and rerun the script.
 */


 static const char *__doc_gr_diffusion_sample_guard = R"doc(Sanitizer for complex samples: what a radio or a file can deliver, made safe for
blocks that cannot take it (GNU Radio's pfb_clock_sync_ccf, AGCs, loop filters).

\details
A sample whose real or imaginary part is NaN or +-Inf, or whose magnitude exceeds
max_magnitude, is replaced by 0 (a short erasure the downstream loops ride through);
subnormal rails are flushed to 0. Every other sample passes bit-exactly, so the block
is memoryless and item-preserving. The first replaced sample of every burst (a run of
replaced samples) gets a tag "sample_guard" whose value is the number of samples
replaced so far (uint64), and the block logs one warning per burst (the first 10
bursts, then one line for every 1000th burst). Thread-safe setter for the threshold.

Constructor Specific Documentation:

Args:
    max_magnitude : |x| above which a finite sample counts as absurd (finite, > 0; in the units of the input, e.g. 1e6 for a +-1 full-scale radio stream). Throws std::invalid_argument (ValueError in Python) naming the parameter.)doc";


 static const char *__doc_gr_diffusion_sample_guard_sample_guard = R"doc()doc";


 static const char *__doc_gr_diffusion_sample_guard_make = R"doc(Sanitizer for complex samples: what a radio or a file can deliver, made safe for
blocks that cannot take it (GNU Radio's pfb_clock_sync_ccf, AGCs, loop filters).

\details
A sample whose real or imaginary part is NaN or +-Inf, or whose magnitude exceeds
max_magnitude, is replaced by 0 (a short erasure the downstream loops ride through);
subnormal rails are flushed to 0. Every other sample passes bit-exactly, so the block
is memoryless and item-preserving. The first replaced sample of every burst (a run of
replaced samples) gets a tag "sample_guard" whose value is the number of samples
replaced so far (uint64), and the block logs one warning per burst (the first 10
bursts, then one line for every 1000th burst). Thread-safe setter for the threshold.

Constructor Specific Documentation:

Args:
    max_magnitude : |x| above which a finite sample counts as absurd (finite, > 0; in the units of the input, e.g. 1e6 for a +-1 full-scale radio stream). Throws std::invalid_argument (ValueError in Python) naming the parameter.)doc";





 static const char *__doc_gr_diffusion_sample_guard_set_max_magnitude = R"doc(Set max_magnitude at run time: |x| above which a finite sample counts as absurd (finite, > 0; in the units of the input, e.g. 1e6 for a +-1 full-scale radio stream). Throws std::invalid_argument (ValueError in Python) naming the parameter.)doc";


 static const char *__doc_gr_diffusion_sample_guard_max_magnitude = R"doc(Current value, as set by set_max_magnitude() or make().)doc";


 static const char *__doc_gr_diffusion_sample_guard_replaced_count = R"doc(samples replaced by 0 so far)doc";


 static const char *__doc_gr_diffusion_sample_guard_burst_count = R"doc(bursts (runs of replaced samples) so far)doc";

