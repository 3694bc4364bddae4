#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Probabilistic constellation shaping (NumPy; no GNU Radio): pmf (DDPM / Maxwell-Boltzmann
/ uniform PMFs over an Es/N0 grid), distribution_matching (CCDM), pcs_frame (composition ->
Gray-labelled unit-power symbols -> bytes). The pcs_mapper / pcs_demapper blocks use them."""
