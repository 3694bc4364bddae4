#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The import graph of python/diffusion follows the layers of docs/architecture.md: no module
imports from a floor above its own. Every import statement is read with ast, function-level
(lazy) imports included, and resolved to the module it names.

Floors, bottom up: numpy (core/, shaping/, link/) -> blocks (the package's top-level modules
and the C++ bindings) -> flowgraphs (flowgraphs/) -> commands (train.py, train_dnn.py,
training/*_cli.py; the apps in apps/ sit there too). training/ (torch) stands beside the
blocks: it imports the numpy floor only, and only the commands import it.
"""

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "python", "diffusion")

NUMPY, BLOCKS, TRAINING, FLOWGRAPHS, COMMANDS = (
    "numpy",
    "blocks",
    "training",
    "flowgraphs",
    "commands",
)
# floor -> the floors its modules may import from
ALLOWED = {
    NUMPY: {NUMPY},
    BLOCKS: {NUMPY, BLOCKS},
    TRAINING: {NUMPY, TRAINING},
    FLOWGRAPHS: {NUMPY, BLOCKS, FLOWGRAPHS},
    COMMANDS: {NUMPY, BLOCKS, TRAINING, FLOWGRAPHS, COMMANDS},
}
SUBPACKAGE_FLOOR = {"core": NUMPY, "shaping": NUMPY, "link": NUMPY, "flowgraphs": FLOWGRAPHS}
COMMAND_MODULES = {"train", "train_dnn", "training.ddpm_cli", "training.dnn_cli"}


def floor(module):
    """Floor of a module of the package, given as a dotted name below 'diffusion'."""
    if module in COMMAND_MODULES:
        return COMMANDS
    head = module.split(".")[0]
    if head == "training":
        return TRAINING
    return SUBPACKAGE_FLOOR.get(head, BLOCKS)


def package_modules():
    """(dotted name below 'diffusion', path) of every module but the QA files and the
    binding generators."""
    for dirpath, dirnames, filenames in os.walk(PKG):
        dirnames[:] = [d for d in dirnames if d not in ("bindings", "__pycache__")]
        rel = os.path.relpath(dirpath, PKG)
        prefix = "" if rel == "." else rel.replace(os.sep, ".") + "."
        for f in filenames:
            if f.endswith(".py") and not f.startswith("qa_"):
                name = prefix + ("" if f == "__init__.py" else f[:-3])
                yield name.rstrip("."), os.path.join(dirpath, f)


def _exists(dotted):
    path = os.path.join(PKG, *dotted.split("."))
    return os.path.isdir(path) or os.path.isfile(path + ".py") or dotted == "diffusion_python"


def imported_modules(name, path):
    """Modules of the package that the file imports (dotted, below 'diffusion')."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    is_pkg = path.endswith("__init__.py")
    here = name.split(".") if name else []
    base_parts = here if is_pkg else here[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                for pre in ("gnuradio.diffusion.", "diffusion."):
                    if a.name.startswith(pre):
                        out.append(a.name[len(pre) :])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                up = base_parts[: len(base_parts) - (node.level - 1)]
                if node.level - 1 > len(base_parts):
                    raise AssertionError(f"{path}: relative import above the package")
                mod = ".".join(up + ([node.module] if node.module else []))
            elif node.module and node.module.startswith(("gnuradio.diffusion", "diffusion")):
                mod = node.module.split("diffusion", 1)[1].lstrip(".")
            else:
                continue
            for a in node.names:
                sub = f"{mod}.{a.name}" if mod else a.name
                if a.name != "*" and _exists(sub):
                    out.append(sub)
                elif mod:
                    out.append(mod)
    return [m for m in out if m]


def test_floors_cover_the_package():
    """The classification sees every floor (a rename that empties one fails here)."""
    floors = {floor(n) for n, _ in package_modules() if n}
    assert floors == set(ALLOWED), floors


def test_no_import_from_a_higher_floor():
    bad = []
    for name, path in package_modules():
        if not name:  # the package entry: imports the blocks (and a core helper)
            src = floor("blocks")
        else:
            src = floor(name)
        for mod in imported_modules(name, path):
            dst = floor(mod)
            if dst not in ALLOWED[src]:
                bad.append(f"{name or '__init__'} ({src}) imports {mod} ({dst})")
    assert not bad, "imports against the layers (docs/architecture.md):\n" + "\n".join(bad)


def test_the_check_catches_a_violation(tmp_path):
    """The resolver sees lazy relative imports: a function-level import of a block from the
    numpy floor is found and classified as the violation it is."""
    p = tmp_path / "x.py"
    p.write_text("def f():\n    from ..tx_impairment_chain import generate\n")
    mods = imported_modules("link.x", str(p))
    assert mods == ["tx_impairment_chain"]
    assert floor(mods[0]) not in ALLOWED[floor("link.x")]
