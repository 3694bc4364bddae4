#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""How every bench script finds the package: its first project import is
``from _path import ROOT`` (python3 puts the script's directory, bench/, on sys.path).

- ``gnuradio.diffusion`` is this checkout's build tree, ``build/test_modules`` (what the tests
  import; ``$GR_DIFFUSION_TEST_MODULES`` overrides) when it exists, else the installed module;
- ``diffusion`` is the source tree's ``python/``: the NumPy floor (core, shaping, link) and
  training without GNU Radio, for scripts that need no GNU Radio (a GPU machine);
- models: ``$GR_DIFFUSION_MODEL_DIR`` defaults to the checkout's ``models/``;
- recordings (``SHARED``): ``$GR_DIFFUSION_SHARED`` (a shared/ elsewhere, e.g. for a git
  worktree), else ``../shared`` next to the checkout (tests/shared_recordings.py: the same).

Scripts that need GNU Radio import ``gnuradio.diffusion``; the others import ``diffusion``.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
SHARED = os.environ.get("GR_DIFFUSION_SHARED") or os.path.join(ROOT, "..", "shared")
TEST_MODULES = os.environ.get(
    "GR_DIFFUSION_TEST_MODULES", os.path.join(ROOT, "build", "test_modules")
)

for _p in (os.path.join(ROOT, "python"), TEST_MODULES):  # the build tree ends up first
    if os.path.isdir(_p) and _p not in sys.path:
        sys.path.insert(0, _p)
os.environ.setdefault("GR_DIFFUSION_MODEL_DIR", os.path.join(ROOT, "models"))
# subprocesses a script starts (workers, a fresh interpreter) see the same package
os.environ["PYTHONPATH"] = os.pathsep.join(
    [p for p in (TEST_MODULES, os.path.join(ROOT, "python")) if os.path.isdir(p)]
    + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
)
