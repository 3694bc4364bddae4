#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Runs GNU Radio Companion's GUI (its own ``gnuradio.grc.main.main``) with a probe.

Used by tests/test_grc_gui.py under Xvfb:  python grc_gui_probe.py OUT.json FLOWGRAPH.grc

Once GRC's main window is up, the probe (a GLib timeout inside GRC's main loop) reads GRC's
block library tree (the TreeStore of the "Blocks" panel), expands the "Diffusion" category
with GRC's own ``expand_module_in_tree`` and scrolls it into view (so a screenshot shows it),
and writes OUT.json: window title, top-level categories, the Diffusion sub-tree, where each
diffusion block description was loaded from, the documentation GRC shows for the C++
denoiser, and the blocks of the opened flow graph that GRC could not resolve. GRC keeps
running until the test kills it.
"""

import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk  # noqa: E402


def _tree(store, it):
    out = []
    while it is not None:
        name = store.get_value(it, 0)
        key = store.get_value(it, 1)
        child = store.iter_children(it)
        out.append({"name": name, "key": key, "children": _tree(store, child) if child else []})
        it = store.iter_next(it)
    return out


def _probe(out_path, state):
    from gnuradio.grc.gui.MainWindow import MainWindow

    wins = [w for w in Gtk.Window.list_toplevels() if isinstance(w, MainWindow)]
    if not wins or not wins[0].get_visible():
        return True  # not yet: try again
    win = wins[0]
    platform = win.btwin.platform
    docs_done = "diffusion_ddpm_denoiser" in platform.blocks and any(
        v for v in platform.blocks["diffusion_ddpm_denoiser"].documentation.values() if v
    )
    state["tries"] += 1
    if not docs_done and state["tries"] < 40:
        return True  # GRC extracts C++ docstrings in a background process: wait for it
    btwin = win.btwin
    store = btwin.treestore
    tree = _tree(store, store.get_iter_first())
    btwin.expand_module_in_tree("Diffusion")
    it = btwin._categories.get(("Diffusion",))
    if it is not None:
        path = store.get_path(it)
        btwin.treeview.scroll_to_cell(path, None, True, 0.0, 0.0)
        btwin.treeview.get_selection().select_path(path)
    fg = win.current_flow_graph
    blocks = {
        k: {
            "loaded_from": getattr(b, "loaded_from", ""),
            "label": b.label,
            "documentation": {m: d for m, d in b.documentation.items()},
        }
        for k, b in platform.blocks.items()
        if k.startswith("diffusion_")
    }
    res = {
        "title": win.get_title(),
        "categories": [n["name"] for n in tree],
        "diffusion": next((n for n in tree if n["name"] == "Diffusion"), None),
        "blocks": blocks,
        "flowgraph_blocks": sorted(b.key for b in fg.blocks),
        "dummy_blocks": sorted(b.key for b in fg.blocks if b.is_dummy_block),
        "flowgraph_errors": [str(e) for e in fg.get_error_messages()],
    }
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(res, f, indent=1, default=str)
    os.replace(tmp, out_path)  # the test waits for this file
    return False


def main():
    out_path, flowgraph = sys.argv[1], sys.argv[2]
    state = {"tries": 0}
    GLib.timeout_add(250, _probe, out_path, state)
    from gnuradio.grc.main import main as grc_main

    sys.argv = ["gnuradio-companion", flowgraph]
    grc_main()


if __name__ == "__main__":
    main()
