#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Where the shipped ONNX models live (NumPy-free, GNU Radio-free).

Search order: $GR_DIFFUSION_MODEL_DIR, the source tree's models/ (when running from a
checkout), then <prefix>/share/gr-diffusion/models of the installed module.
"""

import os

SHIPPED = (
    "qpsk",
    "16qam",
    "64qam",
    "256qam",
    "swissroll",
    "16qam_sigmoid",
    "16qam_rapp",
    "64qam_rapp",
    "16qam_rapp_pn",
    "16qam_loopback",
    "ofdm_mix",
    "ofdm_tdlc",
    "ofdm_nlos",
)
# model families kept in a folder of their own under each models directory (their cards and
# test_model_info's constellation checks do not apply to the others)
FAMILY_DIRS = ("ofdm",)

_HERE = os.path.dirname(os.path.abspath(__file__))


def model_dirs():
    dirs = []
    env = os.environ.get("GR_DIFFUSION_MODEL_DIR")
    if env:
        dirs.append(env)
    dirs.append(os.path.normpath(os.path.join(_HERE, "..", "..", "..", "models")))  # checkout
    # installed: <prefix>/lib/python3.X/dist-packages/gnuradio/diffusion/core
    dirs.append(
        os.path.normpath(os.path.join(_HERE, *[".."] * 6, "share", "gr-diffusion", "models"))
    )
    for prefix in ("/usr/local", "/usr"):
        dirs.append(os.path.join(prefix, "share", "gr-diffusion", "models"))
    return dirs


def shipped_model(name):
    """Path of a shipped model by name: a constellation ('qpsk', '16QAM', '4qam', ...) or a
    model file's stem ('16qam_rapp', 'dnn_16qam_regression', '16qam.onnx', ...), the first
    hit in :func:`model_dirs`. FileNotFoundError names the directories searched."""
    raw = str(name)
    if raw.endswith(".onnx"):
        raw = raw[:-5]
    key = raw.lower().replace("-", "").replace("_", "")
    key = {"4qam": "qpsk"}.get(key, key)
    for d in model_dirs():
        for sub in ("",) + FAMILY_DIRS:
            for stem in dict.fromkeys((raw, raw.lower(), key)):
                p = os.path.join(d, sub, stem + ".onnx")
                if os.path.isfile(p):
                    return p
    raise FileNotFoundError(
        f"no shipped model {raw!r} in {', '.join(model_dirs())}; "
        f"shipped models: {', '.join(SHIPPED)}"
    )


def find_model(name):
    """The one model lookup: an existing file or a path (it has a directory part) as given,
    else a shipped model's name (:func:`shipped_model`)."""
    s = os.fspath(name)
    if os.path.exists(s) or os.path.dirname(s):
        return s
    return shipped_model(s)
