#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The over-the-air link: framing (frame format, LinkConfig), sigmf (recordings),
synchronizer (preamble sync, carrier and noise estimation; NumPy) and flowgraph (the whole
link as a GNU Radio top block: the only module here that needs GNU Radio)."""
