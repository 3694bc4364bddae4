#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""``python -m diffusion.train``: the DDPM training command named in every model card
(implementation: :mod:`diffusion.training.ddpm_cli`)."""

from .training.ddpm_cli import build_parser, main  # noqa: F401

if __name__ == "__main__":
    main()
