"""Every GNU Radio Companion flowgraph in the repository compiles with grcc."""

import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRC_FILES = sorted(glob.glob(os.path.join(ROOT, "**", "*.grc"), recursive=True))
GRC_FILES = [p for p in GRC_FILES if "/build" not in p and "/.venv/" not in p]


def test_repository_has_flowgraphs():
    assert GRC_FILES, "no .grc flowgraphs found"


@pytest.mark.parametrize("path", GRC_FILES, ids=lambda p: os.path.relpath(p, ROOT))
def test_grcc_compiles(path, tmp_path, grc_env):
    r = subprocess.run(
        [sys.executable, "/usr/bin/grcc", "-o", str(tmp_path), path],
        capture_output=True,
        text=True,
        timeout=120,
        env=grc_env,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Error" not in r.stdout + r.stderr, r.stdout + r.stderr
    generated = glob.glob(os.path.join(str(tmp_path), "*.py"))
    assert generated, "grcc wrote no Python file"
    compile(open(generated[0]).read(), generated[0], "exec")
