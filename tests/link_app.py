#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The app ``gr-diffusion-link`` run by the tests in a fresh interpreter (it imports this
checkout's build tree: tests/conftest.py puts it on PYTHONPATH for subprocesses)."""

import os
import subprocess
import sys
from typing import NamedTuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "apps", "gr-diffusion-link")


class AppResult(NamedTuple):
    """Exit status and output; unpacks as (returncode, stdout, stderr)."""

    returncode: int
    stdout: str
    stderr: str


def run_app(*argv, timeout=300, env=None):
    """``gr-diffusion-link *argv`` (``env``: the environment, default this one)."""
    r = subprocess.run(
        [sys.executable, APP, *argv], capture_output=True, text=True, timeout=timeout, env=env
    )
    return AppResult(r.returncode, r.stdout, r.stderr)
