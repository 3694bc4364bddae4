#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The C++ blocks' Python docstrings (issue 15, item 4).

python/diffusion/bindings/docstrings/*_pydoc_template.h are filled from the headers'
doxygen comments by scripts/fill_pydoc_templates.py; here: they are current, and every
C++ block of the built module has a class docstring and a constructor (make) docstring
that documents each of its parameters under "Args:".
"""

import os
import re
import subprocess
import sys

import pytest
from gnuradio import diffusion

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADERS = os.path.join(ROOT, "include", "gnuradio", "diffusion")


def cpp_blocks():
    names = []
    for f in sorted(os.listdir(HEADERS)):
        with open(os.path.join(HEADERS, f)) as fh:
            m = re.search(r"class\s+DIFFUSION_API\s+(\w+)", fh.read())
        if m:
            names.append(m.group(1))
    return names


def test_templates_are_current():
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "fill_pydoc_templates.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_header_has_a_block():
    names = set(cpp_blocks())
    assert {"ddpm_denoiser", "learned_slicer", "sample_guard", "denoise_engine"} <= names


@pytest.mark.parametrize("name", cpp_blocks())
def test_block_docstrings(name):
    cls = getattr(diffusion, name)
    doc = cls.__doc__ or ""
    assert len(doc.strip()) > 100, f"{name}.__doc__ is empty"
    init = cls.__init__.__doc__ or ""
    # pybind11: first line is the signature, then the make() docstring
    sig = init.split("\n", 1)[0]
    params = [p for p in re.findall(r"[(,]\s*(\w+):", sig) if p != "self"]
    assert params, sig
    body = init.split("\n", 1)[1] if "\n" in init else ""
    assert "Args:" in body and "Constructor Specific Documentation" in body, init
    args = body.split("Args:", 1)[1]
    for p in params:
        assert re.search(rf"^\s+{p} : \S", args, re.M), f"{name}: parameter {p} undocumented"
        assert p in doc, f"{name}.__doc__ does not mention {p}"


def test_binding_hashes_match_the_headers():
    """GNU Radio's CMake refuses to configure when a binding's BINDTOOL_HEADER_FILE_HASH is
    not the md5 of its header (e.g. after clang-format): scripts/lint.sh --fix refreshes them."""
    import glob
    import hashlib

    stale = []
    for f in glob.glob(os.path.join(ROOT, "python", "diffusion", "bindings", "*_python.cc")):
        text = open(f).read()
        h = re.search(r"BINDTOOL_HEADER_FILE\((\w+\.h)\)", text)
        want = re.search(r"BINDTOOL_HEADER_FILE_HASH\(([0-9a-f]+)\)", text)
        if not h or not want:
            continue
        path = os.path.join(ROOT, "include", "gnuradio", "diffusion", h.group(1))
        with open(path, "rb") as fh:
            if hashlib.md5(fh.read()).hexdigest() != want.group(1):
                stale.append(os.path.basename(f))
    assert not stale, f"binding hashes out of date (scripts/lint.sh --fix): {stale}"
