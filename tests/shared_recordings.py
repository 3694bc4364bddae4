#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Where the tests find the recordings of ``shared/`` (test material kept beside the
checkout, not in it): ``$GR_DIFFUSION_SHARED`` (a shared/ elsewhere, e.g. for a git
worktree), else ``../shared`` next to the checkout. bench/_path.py's ``SHARED`` is the same
rule for the bench scripts."""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("GR_DIFFUSION_SHARED") or os.path.join(ROOT, "..", "shared")


def recording_dir(name):
    """``shared/recordings/<name>`` (e.g. 'orbcomm', 'satellites'); it may not exist."""
    return os.path.join(SHARED, "recordings", name)
