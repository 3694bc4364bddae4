#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The link's algorithms (NumPy, no GNU Radio): framing (frame format, LinkConfig), sigmf
(recordings), synchronizer (preamble sync, carrier and noise estimation), ldpc (reference
LDPC decoder, interleaver), orbcomm (SDPSK packets), demappers (the label mixture of a
demapper name). The flowgraphs that compose the blocks over these are in
``diffusion.flowgraphs``."""
