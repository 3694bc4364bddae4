#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""``python -m diffusion.train_dnn``: the DNN-baseline training command named in the DNN
model cards (implementation: :mod:`diffusion.training.dnn_cli`)."""

from .training.dnn_cli import build_parser, main  # noqa: F401

if __name__ == "__main__":
    main()
