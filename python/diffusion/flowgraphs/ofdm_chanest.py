#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""GNU Radio's OFDM channel estimator on synthetic frames, with a channel denoiser after it:
the flowgraphs of the denoiser's parity tests and of the speed figures of
bench/ofdm_channel.py (docs/ofdm.md).

A frame is what ``digital.ofdm_chanest_vcvc`` sees after the receiver's FFT (FFT-shifted,
fft_len complex a symbol): sync word 1 x H, sync word 2 x H + noise, then data symbols
(BPSK on the active carriers) x H + noise; the null carriers carry noise only.  The LS
taps the estimator puts on ``ofdm_sync_chan_taps`` are then H + CN(0, sigma2) per active
carrier (sync word 2 is +-1), the convention of :mod:`diffusion.core.ofdm_estimators`.
"""

import time

import numpy as np
import pmt
from gnuradio import blocks, digital, gr
from gnuradio.digital import ofdm_txrx as _tx

from ..core.ofdm_carriers import DEFAULT_LAYOUT

TAPS_KEY = "ofdm_sync_chan_taps"


def frames(H, sigma2, rng, n_data=1, layout=DEFAULT_LAYOUT):
    """Frames [n, 2 + n_data, fft_len] complex64 for channels H [n, n_active] at noise
    variance sigma2 per carrier (sync word 1 noiseless: the estimator's carrier-offset
    search then always finds 0)."""
    H = np.atleast_2d(np.asarray(H))
    n, fl = H.shape[0], layout.fft_len
    occ, pil = (list(layout.occupied),), (list(layout.pilots),)
    sw1 = np.asarray(_tx._make_sync_word1(fl, occ, pil), dtype=np.complex128)
    sw2 = layout.sync_word2()
    full = np.zeros((n, fl), dtype=np.complex128)
    full[:, layout.active_pos] = H
    f = np.zeros((n, 2 + n_data, fl), dtype=np.complex128)
    f[:, 0] = sw1 * full
    f[:, 1] = sw2 * full
    bpsk = np.zeros((n, n_data, fl))
    bpsk[:, :, layout.active_pos] = rng.choice([-1.0, 1.0], (n, n_data, layout.n_active))
    f[:, 2:] = bpsk * full[:, None, :]
    noise = rng.standard_normal(f[:, 1:].shape) + 1j * rng.standard_normal(f[:, 1:].shape)
    f[:, 1:] += noise * np.sqrt(float(sigma2) / 2)
    return f.astype(np.complex64)


def chanest(n_data=1, layout=DEFAULT_LAYOUT):
    """``digital.ofdm_chanest_vcvc`` with GNU Radio's default sync words for ``layout``."""
    occ, pil = (list(layout.occupied),), (list(layout.pilots),)
    sw1 = _tx._make_sync_word1(layout.fft_len, occ, pil)
    sw2 = _tx._make_sync_word2(layout.fft_len, occ, pil)
    return digital.ofdm_chanest_vcvc(sw1, sw2, int(n_data))


def taps_of(sink, layout=DEFAULT_LAYOUT):
    """[frames, fft_len] taps from the ofdm_sync_chan_taps tags a vector sink saw."""
    rows = [
        np.array(pmt.c32vector_elements(t.value))
        for t in sorted(sink.tags(), key=lambda t: t.offset)
        if pmt.symbol_to_string(t.key) == TAPS_KEY
    ]
    return np.array(rows).reshape(-1, layout.fft_len)


def run(fr, denoisers=(), layout=DEFAULT_LAYOUT):
    """frames -> chanest -> each denoiser (in parallel).  Returns (LS taps [n, fft_len],
    [taps after each denoiser], [symbols after each denoiser [n n_data, fft_len]])."""
    fr = np.asarray(fr)
    n_data = fr.shape[1] - 2
    tb = gr.top_block()
    src = blocks.vector_source_c(fr.reshape(-1), False, layout.fft_len)
    est = chanest(n_data, layout)
    ls = blocks.vector_sink_c(layout.fft_len)
    tb.connect(src, est, ls)
    sinks = []
    for d in denoisers:
        s = blocks.vector_sink_c(layout.fft_len)
        tb.connect(est, d, s)
        sinks.append(s)
    tb.run()
    return (
        taps_of(ls, layout),
        [taps_of(s, layout) for s in sinks],
        [np.array(s.data()).reshape(-1, layout.fft_len) for s in sinks],
    )


def throughput(fr, denoiser=None, n_frames=10000, layout=DEFAULT_LAYOUT):
    """frames (repeated) -> chanest -> [denoiser] -> null sink for n_frames frames.
    Returns (frames, CPU seconds of this process: all of the flowgraph's threads)."""
    fr = np.asarray(fr)
    per = fr.shape[1]
    tb = gr.top_block()
    src = blocks.vector_source_c(fr.reshape(-1), True, layout.fft_len)
    head = blocks.head(gr.sizeof_gr_complex * layout.fft_len, int(n_frames) * per)
    est = chanest(per - 2, layout)
    snk = blocks.null_sink(gr.sizeof_gr_complex * layout.fft_len)
    chain = [src, head, est] + ([denoiser] if denoiser is not None else []) + [snk]
    tb.connect(*chain)
    c0 = time.process_time()
    tb.run()
    return int(n_frames), time.process_time() - c0
