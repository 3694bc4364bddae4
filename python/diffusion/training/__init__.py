#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Training (PyTorch; the only torch users): network (eps-networks), ddpm (DDPM training
loop and data sources), dnn (the DNN baseline), export (ONNX export with the metadata
contract of diffusion.core.onnx_model), ddpm_cli / dnn_cli (``python -m diffusion.train``,
``python -m diffusion.train_dnn``)."""
