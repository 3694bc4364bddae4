#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The DDPM engine and reference estimators: NumPy + onnxruntime, no GNU Radio, no torch.

schedules (noise schedules), samplers (tweedie / ddim / posterior / paper), reference (exact
MMSE and oracles), onnx_model (the ONNX file contract and DdpmModel), dnn_model (DNN
baseline files), constellations, noise_estimation (EM noise level), metrics
(reconstruction metrics), information_rate (mutual information), mi_window (sliding MI
estimators), model_files (where the shipped models live), input_check (does a denoiser's input
look like the model's constellation), model_info (what a model file is, a self-check: the
gr-diffusion-model command), sampler_graph (a whole deterministic sampler as one ONNX graph
for an inference server; needs onnx), remote_inference (the Open Inference Protocol client of
a served sampler). Conventions: docs/conventions.md.
"""
