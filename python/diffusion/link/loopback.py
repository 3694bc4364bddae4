#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Simulated loopback with unknown transmitter hardware, and labelled captures from it.

    link_tx -> tx_impairment_chain(spec) on the pulse-shaped waveform -> AWGN
            -> link_rx (AGC, timing, preamble sync, pilot phase tracking, equalizer)

The receiver's equalized payload symbols (link_rx output 1) with the known transmitted
payload (output 3, the reference of each identified frame) are what a TX/RX pair of radios
gives with ``gr-diffusion-link --capture-labels``: received, synchronised symbols with the
transmitted label of each (frames that match no payload are dropped).  The chain acts on
the waveform (sps samples per symbol), as a real PA does, so what the receiver sees per
symbol is the PA's effect after pulse shaping and matched filtering (compression plus a
data-dependent spread), not the symbol-level chain.  Es/N0 is relative to the chain output
power: the chain's 'agc' is calibrated on a stretch of the TX waveform.
"""
import math

import numpy as np
from gnuradio import blocks, channels, gr

from ..core import constellations as _const
from ..core import labelled_capture as _cap


def link_kwargs(constellation="16qam", payload_seed=0, n_payloads=64, payload_len=1024, **kw):
    d = dict(constellation=constellation, sps=4, rolloff=0.35, preamble_len=64,
             payload_len=payload_len, payload_seed=payload_seed, n_payloads=n_payloads,
             pilot_interval=128, pilot_len=8)
    d.update(kw)
    return d


def tx_waveform(frames=4, **link_kw):
    """Samples of link_tx (for the chain's AGC calibration)."""
    from ..link_tx import link_tx
    tb = gr.top_block()
    tx = link_tx(amplitude=1.0, n_frames=frames, **link_kw)
    snk = blocks.vector_sink_c()
    tb.connect(tx, snk)
    tb.run()
    return np.array(snk.data(), np.complex128)


def run_loopback(spec, esn0_db, frames, noise_seed=1, chain_seed=0, **link_kw):
    """One simulated loopback run: dict(eq, ref, sigma2, labels, ok, const)."""
    from ..link_rx import link_rx
    from ..link_tx import link_tx
    from ..tx_impairment_chain import tx_impairment_chain
    kw = link_kwargs(**link_kw)
    cal = tx_waveform(4, **dict(kw, payload_seed=kw["payload_seed"] + 1_000_000))
    tb = gr.top_block()
    tx = link_tx(amplitude=1.0, n_frames=int(frames), **kw)
    chain = tx_impairment_chain(spec, seed=chain_seed, cal_input=cal)
    sigma = math.sqrt(kw["sps"] / 10.0 ** (esn0_db / 10.0))
    chan = channels.channel_model(sigma, 0.0, 1.0, [1 + 0j], int(noise_seed), False)
    rx = link_rx(mode="none", fll_bw=0.0, metrics=False, **kw)
    tb.connect(tx, chain, chan, rx)
    sinks = [blocks.vector_sink_c() for _ in range(4)] + [blocks.vector_sink_f()]
    for i, s in enumerate(sinks):
        tb.connect((rx, i), s)
    tb.run()
    eq = np.array(sinks[1].data(), np.complex128)
    ref = np.array(sinks[3].data(), np.complex128)
    s2 = np.array(sinks[4].data(), np.float64)
    const = _const.by_name(kw["constellation"])
    ok = np.isfinite(ref) & np.isfinite(eq)
    labels = np.full(len(ref), -1, np.int64)
    labels[ok] = const.slice(ref[ok])
    return {"eq": eq, "ref": ref, "sigma2": s2, "labels": labels, "ok": ok, "const": const}


def capture(path, spec, esn0_db=35.0, frames=256, **kw):
    """Write a labelled capture (core labelled_capture) of a simulated loopback."""
    r = run_loopback(spec, esn0_db, frames, **kw)
    ok = r["ok"]
    if not ok.any():
        raise RuntimeError("loopback: no frame was synchronised and identified")
    return _cap.write(path, r["eq"][ok], r["labels"][ok], r["const"],
                      extra_global={"diffusion:noise_var": float(np.median(r["sigma2"][ok])),
                                    "diffusion:esn0_db": float(esn0_db),
                                    "diffusion:source": "simulated loopback (TX chain hidden "
                                                        "from the receiver)"},
                      description="gr-diffusion labelled loopback capture")
