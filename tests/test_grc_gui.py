#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""GNU Radio Companion's GUI starts with the module's blocks (issue 15, item 1).

Starts GRC (tests/grc_gui_probe.py runs GRC's own main with a probe in its main loop) under
Xvfb on examples/ddpm_sim_qt.grc, with the block descriptions of this source tree
(GRC_BLOCKS_PATH = grc/, GNU Radio's own blocks from its prefix only, so an installed copy
of gr-diffusion cannot stand in) and the compiled module of the build tree on PYTHONPATH
(GRC imports it to show the C++ blocks' docstrings). Checks: the window appears with the
flow graph's name in its title, a screenshot of it is not blank, the block library has the
[Diffusion] category with every block of grc/, loaded from grc/, and the flow graph's blocks
all resolve. Needs Xvfb, xdotool and xwd (scripts/install.sh installs them).
Set GRC_GUI_SCREENSHOT=path.png to keep the screenshot.
"""

import json
import os
import shutil
import struct
import subprocess
import sys
import time

import numpy as np
import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRC_DIR = os.path.join(ROOT, "grc")
FLOWGRAPH = os.path.join(ROOT, "examples", "ddpm_sim_qt.grc")
PROBE = os.path.join(ROOT, "tests", "grc_gui_probe.py")
TOOLS = ("Xvfb", "xdotool", "xwd")


def _build_modules():
    """Directory holding the build tree's gnuradio/diffusion package (test_modules)."""
    from gnuradio import diffusion

    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(diffusion.__file__))))


def read_xwd(data):
    """XWD (X window dump, ZPixmap, 24/32-bit TrueColor) -> uint8 RGB array [h, w, 3]."""
    h = struct.unpack(">25I", data[:100])
    header_size, fmt, depth, width, height = h[0], h[2], h[3], h[4], h[5]
    byte_order, bits_per_pixel, bytes_per_line, ncolors = h[7], h[11], h[12], h[19]
    assert fmt == 2 and depth == 24, f"unexpected XWD format {fmt} depth {depth}"
    bpp = bytes_per_line // width
    assert bpp in (3, 4), bits_per_pixel
    off = header_size + 12 * ncolors
    raw = np.frombuffer(data[off : off + bytes_per_line * height], np.uint8)
    px = raw.reshape(height, bytes_per_line)[:, : width * bpp].reshape(height, width, bpp)
    if byte_order == 0:  # LSBFirst: B G R (X)
        return np.ascontiguousarray(px[:, :, 2::-1])
    return np.ascontiguousarray(px[:, :, bpp - 3 :])


def _module_block_ids():
    ids = {}
    for name in sorted(os.listdir(GRC_DIR)):
        if name.endswith(".block.yml"):
            with open(os.path.join(GRC_DIR, name)) as f:
                d = yaml.safe_load(f)
            ids[d["id"]] = d["category"]
    return ids


def _leaves(node):
    if not node["children"]:
        return {node["key"]} if node["key"] else set()
    return set().union(*(_leaves(c) for c in node["children"]))


@pytest.fixture(scope="module")
def grc_session(tmp_path_factory):
    missing = [t for t in TOOLS if shutil.which(t) is None]
    assert not missing, f"{missing} not installed: run scripts/install.sh"
    tmp = tmp_path_factory.mktemp("grc_gui")
    r, w = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(w,),
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    procs = [xvfb]
    try:
        with os.fdopen(r) as f:
            display = ":" + f.readline().strip()
        from gnuradio import gr

        env = dict(
            os.environ,
            DISPLAY=display,
            HOME=str(tmp),
            GRC_BLOCKS_PATH=GRC_DIR,
            GR_CONF_GRC_GLOBAL_BLOCKS_PATH=os.path.join(
                gr.prefix(), "share", "gnuradio", "grc", "blocks"
            ),
            PYTHONPATH=os.pathsep.join([_build_modules()] + sys.path[1:]),
            NO_AT_BRIDGE="1",
        )
        out_json = str(tmp / "probe.json")
        log = open(tmp / "grc.log", "w")
        grc = subprocess.Popen(
            [sys.executable, PROBE, out_json, FLOWGRAPH],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        procs.append(grc)
        deadline = time.monotonic() + 90
        while not os.path.exists(out_json):
            if grc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("GRC did not come up:\n" + open(tmp / "grc.log").read()[-3000:])
            time.sleep(0.5)
        with open(out_json) as f:
            probe = json.load(f)
        time.sleep(1.0)  # let GTK draw the expanded tree
        xenv = dict(os.environ, DISPLAY=display)
        wid = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "ddpm_sim_qt"],
            env=xenv,
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout.split()
        assert wid, "no visible X window named after the flow graph"
        title = subprocess.run(
            ["xdotool", "getwindowname", wid[0]],
            env=xenv,
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout.strip()
        geo = subprocess.run(
            ["xdotool", "getwindowgeometry", "--shell", wid[0]],
            env=xenv,
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout
        geom = dict(line.split("=") for line in geo.split())
        shot = subprocess.run(
            ["xwd", "-root", "-silent"], env=xenv, capture_output=True, timeout=30
        ).stdout
        img = read_xwd(shot)
        keep = os.environ.get("GRC_GUI_SCREENSHOT")
        if keep:
            from PIL import Image

            Image.fromarray(img).save(keep)
        yield {
            "probe": probe,
            "title": title,
            "img": img,
            "log": tmp / "grc.log",
            "geom": {k: int(v) for k, v in geom.items() if k != "SCREEN"},
        }
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def test_window_title(grc_session):
    # GRC titles its window "<file name> - <directory>"
    assert grc_session["title"].startswith("ddpm_sim_qt.grc"), grc_session["title"]
    assert os.path.join(ROOT, "examples") in grc_session["title"]
    assert grc_session["probe"]["title"] == grc_session["title"]


def test_screenshot_not_blank(grc_session):
    g, img = grc_session["geom"], grc_session["img"]
    assert g["WIDTH"] >= 640 and g["HEIGHT"] >= 480, g
    win = img[g["Y"] : g["Y"] + g["HEIGHT"], g["X"] : g["X"] + g["WIDTH"]].reshape(-1, 3)
    # outside the window the Xvfb root is one colour: the window must be drawn
    colours = np.unique(win, axis=0)
    assert len(colours) > 50, f"only {len(colours)} colours in the GRC window"
    # canvas = left 60 % below menu + toolbar, above the console: the flow graph's blocks
    c = img[g["Y"] + 80 : g["Y"] + int(0.65 * g["HEIGHT"]), g["X"] : g["X"] + int(0.6 * g["WIDTH"])]
    flat = c.reshape(-1, 3)
    vals, counts = np.unique(flat, axis=0, return_counts=True)
    background = vals[np.argmax(counts)]
    drawn = np.mean(np.any(flat != background, axis=1))
    # measured ~0.3 for ddpm_sim_qt.grc (block boxes, text, connections); blank = 0
    assert drawn > 0.05, f"canvas {100 * drawn:.1f} % non-background: blank"


def test_block_library_has_diffusion(grc_session):
    probe = grc_session["probe"]
    assert "Diffusion" in probe["categories"], probe["categories"]
    assert "Core" in probe["categories"]
    diff = probe["diffusion"]
    subcats = {c["name"] for c in diff["children"]}
    want = _module_block_ids()
    assert subcats == {c.split("/")[1] for c in want.values()}
    assert _leaves(diff) == set(want), "block tree and grc/*.block.yml differ"
    for key, info in probe["blocks"].items():
        assert os.path.dirname(info["loaded_from"]) == GRC_DIR, (key, info["loaded_from"])


def test_flowgraph_blocks_resolve(grc_session):
    probe = grc_session["probe"]
    assert not probe["dummy_blocks"], probe["dummy_blocks"]
    assert "diffusion_ddpm_denoiser" in probe["flowgraph_blocks"]
    assert not probe["flowgraph_errors"], probe["flowgraph_errors"]


def test_cpp_docstrings_reach_grc(grc_session):
    """GRC shows the C++ block's pybind11 docstring (issue 15, item 4) next to the yml docs."""
    docs = grc_session["probe"]["blocks"]["diffusion_ddpm_denoiser"]["documentation"]
    text = "\n".join(v for v in docs.values() if v)
    assert "model_path" in text and "esn0_db" in text, docs
