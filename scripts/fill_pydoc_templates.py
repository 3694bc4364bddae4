#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Fill the pybind11 docstring templates from the public headers' doxygen comments.

    scripts/fill_pydoc_templates.py           rewrite python/diffusion/bindings/docstrings/
    scripts/fill_pydoc_templates.py --check   exit 1 (and list them) if a template is stale

GNU Radio fills ``*_pydoc_template.h`` at build time from doxygen's XML
(docs/doxygen/update_pydoc.py, only with ENABLE_DOXYGEN and doxygen installed; its XML
reader drops itemized lists and ``\\p`` references). This script reads the same doxygen
comments straight from include/gnuradio/diffusion/*.h, needs no doxygen, and writes the
filled templates into the source tree, so every build (ENABLE_DOXYGEN=OFF copies the
templates verbatim) gets the docstrings. The layout follows GNU Radio's block docstrings:
the class and its make (Python: the constructor) both get the class description, then
"Constructor Specific Documentation:", the make() description and "Args:". A method gets
its own ``//!`` or ``/*! */`` comment; without one, a setter gets make()'s description of
its parameter and a getter points to its setter.
Run it after editing a header; tests/test_cpp_docstrings.py checks the templates are
current.
"""

import argparse
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADERS = os.path.join(ROOT, "include", "gnuradio", "diffusion")
TEMPLATES = os.path.join(ROOT, "python", "diffusion", "bindings", "docstrings")
NOTE = (
    " * Docstrings for the Python bindings, filled from the doxygen comments of\n"
    " * include/gnuradio/diffusion/{header} by scripts/fill_pydoc_templates.py.\n"
    " * Do not edit by hand: edit the header and rerun the script.\n"
)

_COMMENT = re.compile(r"/\*!(.*?)\*/|((?:[ \t]*//![^\n]*\n)+)", re.S)


def _clean(raw):
    """Comment body -> list of lines without comment markers, dedented."""
    lines = []
    for line in raw.splitlines():
        line = re.sub(r"^\s*(//!<?|\*(?!/))?", "", line, count=1).rstrip()
        lines.append(line)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    ind = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
    return [ln[ind:] for ln in lines]


def _inline(text):
    text = re.sub(r"\\(?:p|c|a|e|b|ref)\s+(\S+)", r"\1", text)
    text = re.sub(r"\\f\$(.*?)\\f\$", r"\1", text)
    return text.replace("\\brief ", "")


def parse_comment(raw):
    """Doxygen comment -> (description, [(param, desc)], [(exception, desc)], returns)."""
    desc, params, throws, ret = [], [], [], []
    cur = None  # None: description; else the [name, text] entry a line continues
    for line in _clean(raw):
        s = line.strip()
        m = re.match(r"\\(param|throws?|exception|returns?|ingroup)\b\s*(.*)", s)
        if m:
            cmd, rest = m.groups()
            if cmd == "ingroup":
                cur = None
                continue
            name, _, text = rest.partition(" ")
            if cmd.startswith("return"):
                name, text = "", rest
            cur = [name, text.strip()]
            {"param": params}.get(cmd, ret if cmd.startswith("return") else throws).append(cur)
        elif cur is not None and s:
            cur[1] = (cur[1] + " " + s).strip()
        else:
            cur = None
            desc.append(line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(desc)).strip()
    return (
        _inline(text),
        [(p, _inline(d)) for p, d in params],
        [(e, _inline(d)) for e, d in throws],
        " ".join(_inline(d) for _, d in ret),
    )


def _format(desc, params=(), throws=(), ret=""):
    parts = [desc] if desc else []
    if params:
        parts.append("Args:\n" + "\n".join(f"    {p} : {d}" for p, d in params))
    if ret:
        parts.append("Returns:\n    " + ret)
    if throws:
        parts.append("Raises:\n" + "\n".join(f"    {e} : {d}" for e, d in throws))
    return "\n\n".join(parts)


def _matching_brace(text, open_pos):
    depth = 0
    for i in range(open_pos, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced braces")


def header_docs(path):
    """{template key suffix (e.g. 'ddpm_denoiser_make'): docstring} of one header."""
    text = open(path).read()
    m = re.search(r"class\s+DIFFUSION_API\s+(\w+)[^{]*\{", text)
    if not m:
        return {}
    cls = m.group(1)
    before = list(_COMMENT.finditer(text, 0, m.start()))
    cls_desc = parse_comment(before[-1].group(1) or before[-1].group(2))[0] if before else ""
    body = text[m.end() : _matching_brace(text, m.end() - 1)]
    members, pending = {}, None
    pos = 0
    while pos < len(body):
        cm = _COMMENT.match(body, pos) if body[pos:].lstrip().startswith(("/*!", "//!")) else None
        if cm is None:
            ws = re.match(r"\s+", body[pos:])
            if ws:
                pos += ws.end()
                cm = _COMMENT.match(body, pos) if body[pos:].startswith(("/*!", "//!")) else None
        if cm is not None:
            pending = cm.group(1) if cm.group(1) is not None else cm.group(2)
            pos = cm.end()
            continue
        end = min(
            (i for i in (body.find(";", pos), body.find("{", pos)) if i >= 0), default=len(body)
        )
        decl = body[pos:end]
        if decl.lstrip().startswith("enum"):  # skip the enum body and its trailing ';'
            end = body.find(";", _matching_brace(body, end)) if body[end : end + 1] == "{" else end
            pending = None
        else:
            nm = re.search(r"(~?\w+)\s*\(", decl)
            if nm and "typedef" not in decl:
                name = nm.group(1)
                if name not in members:
                    members[name] = pending
            pending = None
        pos = end + 1
    out = {}
    make = members.pop("make", None)
    mdesc, mparams, mthrows, mret = parse_comment(make) if make else ("", [], [], "")
    ctor = cls_desc
    if mdesc or mparams:
        ctor += "\n\nConstructor Specific Documentation:\n\n" + _format(mdesc, mparams, mthrows)
    out[cls] = out[cls + "_make"] = ctor.strip()
    pdesc = dict(mparams)
    for name, raw in members.items():
        if raw:
            out[f"{cls}_{name}"] = _format(*parse_comment(raw))
        elif name.startswith("set_") and name[4:] in pdesc:
            out[f"{cls}_{name}"] = f"Set {name[4:]} at run time: {pdesc[name[4:]]}"
        elif f"set_{name}" in members:
            out[f"{cls}_{name}"] = f"Current value, as set by set_{name}() or make()."
    return out


def fill(template_text, docs, header):
    def sub(m):
        key = m.group(2)
        doc = docs.get(key, "")
        if ')doc"' in doc:
            raise ValueError(f"docstring of {key} contains the raw-string terminator")
        return f"{m.group(1)}{doc}{m.group(3)}"

    out = re.sub(r'(__doc_gr_diffusion_(\w+) = R"doc\().*?(\)doc")', sub, template_text, flags=re.S)
    old_note = r"/\*\n  This file contains placeholders.*?\*/\n|/\*\n \* Docstrings for the.*?\*/\n"
    return re.sub(old_note, "/*\n" + NOTE.format(header=header) + " */\n", out, count=1, flags=re.S)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report stale templates")
    args = ap.parse_args(argv)
    stale = []
    for tpl in sorted(glob.glob(os.path.join(TEMPLATES, "*_pydoc_template.h"))):
        base = os.path.basename(tpl)[: -len("_pydoc_template.h")]
        header = os.path.join(HEADERS, base + ".h")
        if not os.path.isfile(header):
            continue
        old = open(tpl).read()
        new = fill(old, header_docs(header), base + ".h")
        if new != old:
            stale.append(tpl)
            if not args.check:
                with open(tpl, "w") as f:
                    f.write(new)
    if args.check and stale:
        print(
            "stale docstring templates (run scripts/fill_pydoc_templates.py):\n  "
            + "\n  ".join(stale)
        )
        return 1
    if not args.check:
        print(f"updated {len(stale)} template(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
