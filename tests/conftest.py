#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""pytest setup: the engine tests import the *source* package as ``diffusion``.

``python/`` goes first on sys.path, so ``import diffusion`` is the source tree under test
(python/diffusion), while ``from gnuradio import diffusion`` is still the installed module
(a different top-level name: both coexist, the installed one is untouched).

The source package's ``__init__`` also pulls in the GNU Radio Python blocks when GNU Radio
is importable; those need the compiled bindings, which live only in the build/installed
module.  If that import fails here, the core-only package is registered instead (the
engine modules only use relative imports of other core modules), and the failure is
reported in the pytest header.
"""
import os
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYDIR = os.path.join(ROOT, "python")
MODELS = os.path.join(ROOT, "models")

if sys.path[:1] != [PYDIR]:
    sys.path.insert(0, PYDIR)

_SOURCE_IMPORT_ERROR = None
try:
    import diffusion  # noqa: F401
    if os.path.dirname(os.path.abspath(diffusion.__file__)) != os.path.join(PYDIR, "diffusion"):
        raise ImportError(f"'diffusion' resolved to {diffusion.__file__}, not the source tree")
except ImportError as e:  # e.g. blocks needing the compiled bindings
    _SOURCE_IMPORT_ERROR = f"{type(e).__name__}: {e}"
    for k in [k for k in sys.modules if k == "diffusion" or k.startswith("diffusion.")]:
        del sys.modules[k]
    _pkg = types.ModuleType("diffusion")
    _pkg.__path__ = [os.path.join(PYDIR, "diffusion")]
    _pkg.__file__ = os.path.join(PYDIR, "diffusion", "__init__.py")
    sys.modules["diffusion"] = _pkg


def pytest_report_header(config):
    if _SOURCE_IMPORT_ERROR:
        return [f"source package 'diffusion': full __init__ failed ({_SOURCE_IMPORT_ERROR}); "
                f"using the core-only package"]
    return []
