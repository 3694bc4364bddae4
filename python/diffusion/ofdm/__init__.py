#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""OFDM channel estimation with a learned channel prior (NumPy + onnxruntime; no GNU Radio,
no torch): issue 24, docs/ofdm.md.

carriers (GNU Radio's default OFDM layout and its FFT-shift convention), channels (3GPP TR
38.901 TDL-A..E tap tables, families, frequency responses on the active carriers),
estimators (LS, LS + DFT truncation, robust / sample-covariance / genie LMMSE, the diffusion
Tweedie posterior mean, the noise-variance and channel-power estimates the block uses).
"""
