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

SHIPPED = ("qpsk", "16qam", "64qam", "256qam", "swissroll")

_HERE = os.path.dirname(os.path.abspath(__file__))


def model_dirs():
    dirs = []
    env = os.environ.get("GR_DIFFUSION_MODEL_DIR")
    if env:
        dirs.append(env)
    dirs.append(os.path.normpath(os.path.join(_HERE, "..", "..", "..", "models")))  # checkout
    # installed: <prefix>/lib/python3.X/dist-packages/gnuradio/diffusion/core
    dirs.append(os.path.normpath(os.path.join(_HERE, *[".."] * 6, "share", "gr-diffusion",
                                              "models")))
    for prefix in ("/usr/local", "/usr"):
        dirs.append(os.path.join(prefix, "share", "gr-diffusion", "models"))
    return dirs


def shipped_model(name):
    """Path of the shipped model for a constellation name ('qpsk', '16qam', ...)."""
    key = str(name).lower().replace("-", "").replace("_", "")
    key = {"4qam": "qpsk"}.get(key, key)
    for d in model_dirs():
        p = os.path.join(d, key + ".onnx")
        if os.path.isfile(p):
            return p
    raise FileNotFoundError(f"no shipped model {key}.onnx in {', '.join(model_dirs())}; "
                            f"shipped models: {', '.join(SHIPPED)}")
