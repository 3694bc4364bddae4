#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The tree is one that ``gr_modtool add`` extends correctly: on a copy of the checkout, a new
Python sync block lands in the install list (once), its QA is picked up by the QA glob (no
second GR_ADD_TEST), its GRC file is installed, its import line is appended to the package
once, and once that line is in the package's guarded block list (the one step the package
docstring asks of the author) the GNU Radio-free subpackages still import with GNU Radio
blocked and the block's name raises a clear ImportError."""

import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GR_MODTOOL = shutil.which("gr_modtool")

BLOCKED_IMPORT = r"""
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("gnuradio", "torch", "onnx", "pmt"):
            raise ImportError("blocked for the test: " + name)
sys.meta_path.insert(0, Blocker())
sys.path.insert(0, sys.argv[1])
import diffusion
from diffusion.core import samplers, constellations
from diffusion.link import framing
from diffusion.shaping import pmf
assert constellations.by_name("qpsk").order == 4
try:
    diffusion.newblock()
except ImportError as e:
    assert "needs GNU Radio" in str(e)
    print("placeholder-ok")
"""

GUARD_LIST_END = "    from .tx_impairment_chain import tx_impairment_chain  # noqa: F401\n"


def _copy_tree(dst):
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for f in files:
        if f.startswith(("models/", "bench/", "tests/", "examples/")):
            continue
        os.makedirs(os.path.join(dst, os.path.dirname(f)), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, f), os.path.join(dst, f))


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    if GR_MODTOOL is None:
        pytest.fail("gr_modtool not found (it comes with Debian's gnuradio-dev)")
    tree = str(tmp_path_factory.mktemp("modtool") / "gr-diffusion")
    _copy_tree(tree)
    r = subprocess.run(
        [
            sys.executable,
            GR_MODTOOL,
            "add",
            "-t",
            "sync",
            "-l",
            "python",
            "--argument-list",
            "",
            "--add-python-qa",
            "--copyright",
            "gr-diffusion authors",
            "--scm-mode",
            "no",
            "-y",
            "newblock",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return tree


def _read(tree, *parts):
    with open(os.path.join(tree, *parts)) as f:
        return f.read()


def test_files_written(added):
    for p in ("newblock.py", "qa_newblock.py"):
        assert os.path.isfile(os.path.join(added, "python", "diffusion", p)), p
    assert os.path.isfile(os.path.join(added, "grc", "diffusion_newblock.block.yml"))


def test_cmake_lists_extended_once(added):
    cm = _read(added, "python", "diffusion", "CMakeLists.txt")
    install = re.search(r"GR_PYTHON_INSTALL\((.*?)\)", cm, flags=re.S).group(1)
    assert install.split().count("newblock.py") == 1
    assert "GR_ADD_TEST(qa_newblock" not in cm  # the qa_*.py glob already runs it
    assert _read(added, "grc", "CMakeLists.txt").split().count("diffusion_newblock.block.yml") == 1


def test_init_imports_new_block(added):
    init = _read(added, "python", "diffusion", "__init__.py")
    assert init.count("from .newblock import newblock") == 1
    compile(init, "__init__.py", "exec")


def test_unmoved_import_line_is_caught(added, tmp_path):
    """As gr_modtool leaves it (after the guard), the new block's import line makes
    ``import diffusion`` fail without GNU Radio, naming the line: tests/test_engine_import.py
    catches a forgotten move in CI."""
    tree = tmp_path / "unmoved"
    shutil.copytree(os.path.join(added, "python"), tree / "python")
    r = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORT, str(tree / "python")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0 and "from .newblock import newblock" in r.stderr, r.stderr


def test_core_imports_with_gnuradio_blocked(added, tmp_path):
    shutil.copytree(os.path.join(added, "python"), tmp_path / "python")
    path = os.path.join(tmp_path, "python", "diffusion", "__init__.py")
    init = _read(tmp_path, "python", "diffusion", "__init__.py")
    line = "from .newblock import newblock\n"
    assert GUARD_LIST_END in init and init.endswith(line)
    # the author's step: the appended line moves into the guarded block list
    init = init[: -len(line)].replace(GUARD_LIST_END, GUARD_LIST_END + "    " + line)
    with open(path, "w") as f:
        f.write(init)
    r = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORT, str(tmp_path / "python")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "placeholder-ok" in r.stdout


def test_new_block_runs_in_a_flowgraph(added):
    """The generated block, its type placeholders filled in as its author would, copies its
    input in a real flowgraph."""
    path = os.path.join(added, "python", "diffusion", "newblock.py")
    src = _read(added, "python", "diffusion", "newblock.py")
    with open(path, "w") as f:
        f.write(re.sub(r"<\+(numpy\.\w+)\+>", r"\1", src))
    code = (
        f"import sys; sys.path.insert(0, {os.path.dirname(path)!r})\n"
        "import newblock; from gnuradio import blocks, gr\n"
        "tb = gr.top_block(); b = newblock.newblock()\n"
        "src = blocks.vector_source_f([1.0, 2.0, 3.0]); snk = blocks.vector_sink_f()\n"
        "tb.connect(src, b, snk); tb.run(); assert list(snk.data()) == [1.0, 2.0, 3.0]\n"
        "print('block-ok')"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "block-ok" in r.stdout, r.stderr[-3000:]


def _install_list(cmake_file):
    with open(cmake_file) as f:
        text = f.read()
    m = re.search(r"(?:GR_PYTHON_INSTALL|install)\(\s*FILES(.*?)DESTINATION", text, flags=re.S)
    return set(m.group(1).split())


def test_every_file_is_installed():
    """Explicit install lists (the form gr_modtool edits) name every module and block file:
    a file missing from one is absent from the installed module."""
    pkg = os.path.join(ROOT, "python", "diffusion")
    missing = []
    for sub in ("", "core", "shaping", "link", "flowgraphs", "training"):
        d = os.path.join(pkg, sub)
        listed = _install_list(os.path.join(d, "CMakeLists.txt"))
        missing += [
            os.path.join(sub, f)
            for f in os.listdir(d)
            if f.endswith(".py") and not f.startswith("qa_") and f not in listed
        ]
    grc = os.path.join(ROOT, "grc")
    listed = _install_list(os.path.join(grc, "CMakeLists.txt"))
    missing += [f for f in os.listdir(grc) if f.endswith(".yml") and f not in listed]
    assert not missing, f"not in an install list: {missing}"
