#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Simulated loopback with transmitter hardware unknown to the receiver, and labelled
captures from it: :class:`diffusion.flowgraphs.link_flowgraph.LinkFlowgraph` (what
``gr-diffusion-link`` runs) with ``--tx-chain`` and ``--capture-labels``::

    link_tx -> tx_impairment_chain(spec) on the pulse-shaped waveform -> AWGN
            -> link_rx (AGC, timing, preamble sync, pilot phase tracking, equalizer)

The receiver's equalized payload symbols (link_rx output 1) with the known transmitted
payload (output 3, the reference of each identified frame) are what a TX/RX pair of radios
gives with ``gr-diffusion-link --capture-labels``.  The chain acts on the waveform (sps
samples per symbol), as a real PA does, so what the receiver sees per symbol is the PA's
effect after pulse shaping and matched filtering (compression plus a data-dependent
spread), not the symbol-level chain.  The chain's 'agc' is calibrated on the TX waveform,
so Es/N0 is relative to the chain's (unit) output power.
"""

import numpy as np

from .link_flowgraph import LinkFlowgraph, link_options

LINK_DEFAULTS = dict(constellation="16qam", n_payloads=64, mode="none", quiet=True)


def loopback_options(
    spec, esn0_db, frames, payload_seed=0, noise_seed=1, chain_seed=0, capture="", **kw
):
    """link_options of a simulated loopback (the app's command-line options)."""
    o = dict(
        LINK_DEFAULTS,
        source="sim",
        esn0=float(esn0_db),
        frames=int(frames),
        payload_seed=int(payload_seed),
        noise_seed=int(noise_seed),
        tx_chain=str(spec),
        tx_chain_seed=int(chain_seed),
        capture_labels=capture,
    )
    o.update(kw)
    return link_options(**o)


def run_loopback(spec, esn0_db, frames, **kw):
    """One simulated loopback run: dict(eq, ref, sigma2, labels (-1: frame not identified),
    ok, const, flowgraph)."""
    from ..core import constellations as _const

    tb = LinkFlowgraph(loopback_options(spec, esn0_db, frames, capture="-", **kw))
    tb.run()
    eq = np.array(tb.capture_sinks[1].data(), np.complex128)
    ref = np.array(tb.capture_sinks[3].data(), np.complex128)
    s2 = np.array(tb.capture_sinks[4].data(), np.float64)
    n = min(len(eq), len(ref), len(s2))
    eq, ref, s2 = eq[:n], ref[:n], s2[:n]
    const = _const.by_name(tb.cfg.constellation)
    ok = np.isfinite(ref) & np.isfinite(eq)
    labels = np.full(n, -1, np.int64)
    labels[ok] = const.slice(ref[ok])
    return {
        "eq": eq,
        "ref": ref,
        "sigma2": s2,
        "labels": labels,
        "ok": ok,
        "const": const,
        "flowgraph": tb,
    }


def capture(path, spec, esn0_db=35.0, frames=256, **kw):
    """Write a labelled capture of a simulated loopback (= gr-diffusion-link --source sim
    --tx-chain SPEC --capture-labels PATH ...); returns the .sigmf-meta path."""
    tb = LinkFlowgraph(loopback_options(spec, esn0_db, frames, capture=path, **kw))
    tb.run()
    return tb.write_capture()["meta"]
