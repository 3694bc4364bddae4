#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""PMT conversion shared by the Python blocks' message and tag outputs (needs pmt), and
the draining of their message inputs."""

import numpy as np
import pmt


def drain_messages(block, port):
    """Every message queued on ``port`` of a Python block, oldest first, taken at once.

    The Python blocks register their message inputs without a handler and call this from
    work(): a Python handler costs a GIL round trip per message, and GNU Radio drains a
    port's whole queue before each work() call, so a thread posting as fast as it can would
    starve the block (0 items in 15 s, measured). Here a flood costs one call per work().
    """
    bb = getattr(block, "_drain_bb", None)
    if bb is None:
        bb = block._drain_bb = block.to_basic_block()
    if not bb.nmsgs(port):
        return []
    out = []
    while True:
        m = bb.delete_head_nowait(port)
        if m is None:
            return out
        out.append(m)


def value_to_pmt(v):
    """bool, integer, float, str, or a sequence of integers / floats (-> s32 / f64
    vector); anything else as a symbol of its str()."""
    if isinstance(v, (bool, np.bool_)):
        return pmt.from_bool(bool(v))
    if isinstance(v, (int, np.integer)):
        return pmt.from_long(int(v))
    if isinstance(v, (float, np.floating)):
        return pmt.from_double(float(v))
    if isinstance(v, str):
        return pmt.intern(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        a = np.asarray(v)
        if a.ndim == 1 and a.dtype.kind in "iub":
            return pmt.init_s32vector(len(a), [int(x) for x in a])
        if a.ndim == 1 and a.dtype.kind == "f":
            return pmt.init_f64vector(len(a), [float(x) for x in a])
    return pmt.intern(str(v))


def dict_to_pmt(d):
    """A PMT dict with symbol keys from a Python dict (values as :func:`value_to_pmt`)."""
    out = pmt.make_dict()
    for k, v in d.items():
        out = pmt.dict_add(out, pmt.intern(str(k)), value_to_pmt(v))
    return out
