#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Labelled captures: received symbols with the known transmitted label of each (NumPy only).

A labelled capture is a SigMF recording plus a companion label file::

    <base>.sigmf-data     cf32_le, one complex sample per received (synchronised) symbol
    <base>.sigmf-meta     SigMF JSON; global keys of this module (namespace 'diffusion'):
                            diffusion:labels         "<base>.labels" (file name, same folder)
                            diffusion:label_dtype    "u16_le"
                            diffusion:constellation  constellation name ('16qam', ...)
                            diffusion:label_order    "index into constellation_points"
                          plus any extra global keys (e.g. diffusion:noise_var, the
                          receiver's noise estimate per complex symbol) and one annotation
                          per frame (core:sample_start, core:sample_count,
                          diffusion:frame, diffusion:noise_var) where given
    <base>.labels         uint16 little endian, one label per sample: the transmitted point
                          index m (0 .. M-1, label order of constellation_points)

Samples follow the gr-diffusion conventions: unit-power constellations (E|x|^2 = 1 is the
signal power, not signal plus noise), QPSK points at 45 degrees, Es/N0 = 1/sigma2 with
sigma2 the noise variance per complex sample.  Errors name the file and what is missing
(:func:`read`).
"""

import json
import os

import numpy as np

from . import constellations as _const

SIGMF_VERSION = "1.0.0"


def _base(path):
    p = os.fspath(path)
    for ext in (".sigmf-meta", ".sigmf-data", ".labels", ".sigmf"):
        if p.endswith(ext):
            return p[: -len(ext)]
    return p


def write(path, z, labels, constellation, extra_global=None, annotations=None, description=""):
    """Write a labelled capture at base ``path``; returns the .sigmf-meta path."""
    base = _base(path)
    z = np.asarray(z, dtype=np.complex64).reshape(-1)
    lab = np.asarray(labels).reshape(-1)
    const = _const.by_name(constellation) if isinstance(constellation, str) else constellation
    if len(lab) != len(z):
        raise ValueError(f"{base}: {len(z)} samples but {len(lab)} labels")
    if len(lab) and (lab.min() < 0 or lab.max() >= const.order):
        raise ValueError(f"{base}: labels out of range [0, {const.order})")
    os.makedirs(os.path.dirname(os.path.abspath(base)) or ".", exist_ok=True)
    z.astype("<c8").tofile(base + ".sigmf-data")
    lab.astype("<u2").tofile(base + ".labels")
    glob = {
        "core:datatype": "cf32_le",
        "core:version": SIGMF_VERSION,
        "core:description": description or "gr-diffusion labelled capture",
        "core:recorder": "gr-diffusion",
        "diffusion:labels": os.path.basename(base) + ".labels",
        "diffusion:label_dtype": "u16_le",
        "diffusion:constellation": const.name,
        "diffusion:label_order": "index into constellation_points",
    }
    glob.update(extra_global or {})
    meta = {
        "global": glob,
        "captures": [{"core:sample_start": 0}],
        "annotations": list(annotations or []),
    }
    with open(base + ".sigmf-meta", "w") as f:
        json.dump(meta, f, indent=1)
    return base + ".sigmf-meta"


def read(path):
    """(z complex128 [N], labels int64 [N], Constellation, meta dict) of a labelled capture.

    ValueError naming the file for: unreadable metadata, no label file (a capture without
    labels), a label count that differs from the sample count, labels out of range,
    non-finite samples (reported with their count).
    """
    base = _base(path)
    meta_p = base + ".sigmf-meta"
    try:
        with open(meta_p) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f"{meta_p}: cannot read SigMF metadata ({e})") from None
    g = meta.get("global", {})
    if g.get("core:datatype") != "cf32_le":
        raise ValueError(
            f"{meta_p}: core:datatype {g.get('core:datatype')!r}: labelled captures are cf32_le"
        )
    if "diffusion:labels" not in g:
        raise ValueError(
            f"{meta_p}: a capture without labels (no 'diffusion:labels' "
            f"key naming the label file): record it with gr-diffusion-link "
            f"--capture-labels, or train on it unlabelled"
        )
    lab_p = os.path.join(os.path.dirname(os.path.abspath(meta_p)), g["diffusion:labels"])
    if not os.path.isfile(lab_p):
        raise ValueError(f"{meta_p}: label file {lab_p} is missing")
    if g.get("diffusion:label_dtype", "u16_le") != "u16_le":
        raise ValueError(f"{meta_p}: diffusion:label_dtype must be u16_le")
    try:
        const = _const.by_name(g.get("diffusion:constellation", ""))
    except ValueError as e:
        raise ValueError(f"{meta_p}: diffusion:constellation: {e}") from None
    try:
        z = np.fromfile(base + ".sigmf-data", dtype="<c8").astype(np.complex128)
    except OSError as e:
        raise ValueError(f"{base}.sigmf-data: cannot read samples ({e})") from None
    lab = np.fromfile(lab_p, dtype="<u2").astype(np.int64)
    if len(lab) != len(z):
        raise ValueError(f"{lab_p}: {len(lab)} labels for {len(z)} samples")
    if len(lab) and lab.max() >= const.order:
        raise ValueError(
            f"{lab_p}: labels out of range: max {lab.max()} for "
            f"{const.name} ({const.order} points, 0..{const.order - 1})"
        )
    bad = ~np.isfinite(z)
    if bad.any():
        raise ValueError(f"{base}.sigmf-data: {int(bad.sum())} non-finite samples")
    return z, lab, const, meta
