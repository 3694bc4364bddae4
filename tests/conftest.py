#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""pytest setup. The rule (docs/development.md): every test imports the package as
``gnuradio.diffusion`` from this checkout's build tree, ``build/test_modules`` (what
GR_ADD_TEST puts first on PYTHONPATH under ctest; $GR_DIFFUSION_TEST_MODULES overrides),
and uses this checkout's models/. Rebuild (``cmake --build build``) after editing Python
sources: the build copies them there. The single exception, by design, is
tests/test_engine_import.py, which imports the source tree's core in a subprocess without
GNU Radio, as a machine without GNU Radio would.
"""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEST_MODULES = os.environ.get(
    "GR_DIFFUSION_TEST_MODULES", os.path.join(ROOT, "build", "test_modules")
)
os.environ.setdefault("GR_DIFFUSION_MODEL_DIR", os.path.join(ROOT, "models"))

if "gnuradio" in sys.modules:  # its __path__ is fixed at first import (pkgutil.extend_path)
    raise RuntimeError("gnuradio was imported before tests/conftest.py set the path")
if os.path.abspath(TEST_MODULES) not in [os.path.abspath(p) for p in sys.path[:1]]:
    sys.path.insert(0, TEST_MODULES)
# subprocesses (the apps, grcc, generated flowgraphs) import the same build tree
os.environ["PYTHONPATH"] = os.pathsep.join(
    [TEST_MODULES] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
)

import gnuradio.diffusion  # noqa: E402

_PKG = os.path.dirname(os.path.abspath(gnuradio.diffusion.__file__))
if not _PKG.startswith(os.path.abspath(TEST_MODULES) + os.sep):
    raise RuntimeError(
        f"gnuradio.diffusion resolved to {_PKG}, not this checkout's build tree "
        f"{TEST_MODULES}: build it first (cmake --build build)"
    )


def grc_environment(tmp_dir):
    """Environment for GNU Radio Companion tools (grcc, the GUI) that loads GNU Radio's own
    blocks and this checkout's grc/ only: GRC lets blocks found later on its path overwrite
    earlier ones, so an installed gr-diffusion under /usr/local would replace the checkout's
    definitions. A private HOME with a config.conf narrows global_blocks_path."""
    home = os.path.join(str(tmp_dir), "grc-home")
    os.makedirs(os.path.join(home, ".gnuradio"), exist_ok=True)
    from gnuradio import gr

    stock = [
        d
        for d in gr.prefs().get_string("grc", "global_blocks_path", "").split(os.pathsep)
        if d and os.path.isdir(d) and not any(f.startswith("diffusion_") for f in os.listdir(d))
    ]
    with open(os.path.join(home, ".gnuradio", "config.conf"), "w") as f:
        f.write(f"[grc]\nglobal_blocks_path = {os.pathsep.join(stock)}\nlocal_blocks_path = \n")
    return dict(os.environ, HOME=home, GRC_BLOCKS_PATH=os.path.join(ROOT, "grc"))


@pytest.fixture(scope="session")
def grc_env(tmp_path_factory):
    return grc_environment(tmp_path_factory.mktemp("grc"))


def pytest_report_header(config):
    return [f"gnuradio.diffusion from {_PKG}; models from {os.environ['GR_DIFFUSION_MODEL_DIR']}"]


# GNU Radio's Python blocks and hier blocks can crash while the interpreter tears down its
# modules (pytest_test_link_chain segfaulted at exit, after all its tests had passed, in
# about one run in three). The results are known by then: leave without the teardown.
def pytest_sessionfinish(session, exitstatus):
    session.config._gr_diffusion_exitstatus = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    status = getattr(config, "_gr_diffusion_exitstatus", None)
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
