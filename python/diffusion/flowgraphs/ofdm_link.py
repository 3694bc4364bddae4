#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""GNU Radio's OFDM link through a TDL fading channel, with and without the channel
denoiser: the flowgraphs the tests and bench/ofdm_channel.py run (docs/ofdm.md).

``digital.ofdm_tx`` (stock) -> per-packet block fading (a fresh TDL impulse response per
packet from :mod:`diffusion.core.ofdm_channels`, applied by ``filter.fft_filter_ccc`` per burst in
NumPy here) + AWGN at a per-carrier SNR -> ``ofdm_denoised_rx`` (denoise on / off).  Taps
before and after the denoiser are captured from the tags (``taps_probe``).
"""

import numpy as np
import pmt
from gnuradio import blocks, digital, gr

from ..core import ofdm_channels as _ch
from ..core.ofdm_carriers import DEFAULT_LAYOUT
from ..ofdm_denoised_rx import ofdm_denoised_rx

LEN_KEY = "packet_len"
GAP = 160  # zero samples between bursts (2 symbols): independent channels, a clean sync


def tagged_packet_bytes(payloads):
    """(bytes, tags) for a ``vector_source_b`` feeding ``digital.ofdm_tx``: the payloads
    back to back, each start tagged ``LEN_KEY`` = its length in bytes."""
    data, tags = [], []
    for p in payloads:
        tags.append(_tag(len(data), LEN_KEY, len(p)))
        data.extend(p)
    return data, tags


def transmit(payloads, bps_payload=1):
    """Bursts (complex64 arrays, one per packet) of stock ``digital.ofdm_tx``."""
    data, tags = tagged_packet_bytes(payloads)
    tb = gr.top_block()
    src = blocks.vector_source_b(data, False, 1, tags)
    tx = digital.ofdm_tx(packet_length_tag_key=LEN_KEY, bps_payload=bps_payload)
    snk = blocks.vector_sink_c()
    tb.connect(src, tx, snk)
    tb.run()
    x = np.array(snk.data(), dtype=np.complex64)
    starts = sorted(
        (t.offset, int(pmt.to_long(t.value)))
        for t in snk.tags()
        if pmt.symbol_to_string(t.key) == LEN_KEY
    )
    return [x[o : o + n] for o, n in starts]


def _tag(offset, key, value):
    t = gr.tag_t()
    t.offset = int(offset)
    t.key = pmt.intern(key)
    t.value = pmt.from_long(int(value))
    return t


def fade(bursts, fam, snr_db, rng, layout=DEFAULT_LAYOUT, gap=GAP):
    """(signal complex64, H [n_bursts, n_active]): each burst convolved with its own TDL
    impulse response (ensemble power 1), zero gaps between bursts, and AWGN whose
    per-carrier SNR after the receiver's FFT is snr_db: with FFTW's unnormalised pair a
    unit-power carrier comes out of the receiver's FFT as fft_len H X, the time-domain
    noise (variance s2t) as CN(0, fft_len s2t), so s2t = fft_len / 10^(snr/10)."""
    draws = _ch.family(fam).draw(len(bursts), rng)
    h = _ch.impulse_responses(draws, rng, layout)[:, 0, :]
    parts = [np.zeros(gap, dtype=np.complex128)]
    for b, hi in zip(bursts, h):
        parts.append(np.convolve(b, hi)[: len(b) + gap])
        parts.append(np.zeros(max(0, gap - len(hi) + 1), dtype=np.complex128))
    sig = np.concatenate(parts + [np.zeros(4 * gap)])
    s2t = layout.fft_len / 10.0 ** (float(snr_db) / 10.0)
    sig = sig + (rng.standard_normal(sig.size) + 1j * rng.standard_normal(sig.size)) * np.sqrt(
        s2t / 2
    )
    return sig.astype(np.complex64), _ch.frequency_response(h, layout)


class _Received(gr.top_block):
    def __init__(self, signal, denoise, model, taps_probe, **kw):
        gr.top_block.__init__(self, "ofdm_link_rx")
        self.src = blocks.vector_source_c(signal.tolist(), False)
        self.rx = ofdm_denoised_rx(model, denoise=denoise, packet_length_tag_key=LEN_KEY, **kw)
        self.snk = blocks.vector_sink_b()
        self.connect(self.src, self.rx, self.snk)
        self.probes = []
        if taps_probe:
            n = self.rx.chanest
            last = self.rx.denoiser if self.rx.denoiser is not None else n
            for blk in (n, last):
                p = blocks.vector_sink_c(DEFAULT_LAYOUT.fft_len)
                self.connect(blk, p)
                self.probes.append(p)


def receive(signal, denoise=True, model="ofdm_mix", taps_probe=False, **kw):
    """Run the receiver over ``signal``: dict(payloads = list of bytes of the packets that
    passed the CRC, taps_ls / taps_out = [frames, fft_len] taps from the tags before / after
    the denoiser (taps_probe), denoiser = the block or None)."""
    tb = _Received(np.asarray(signal), denoise, model, taps_probe, **kw)
    tb.run()
    data = bytes(bytearray(tb.snk.data()))
    lens = sorted(
        (t.offset, pmt.to_long(t.value))
        for t in tb.snk.tags()
        if pmt.symbol_to_string(t.key) == LEN_KEY
    )
    res = {"payloads": [data[o : o + n] for o, n in lens], "denoiser": tb.rx.denoiser}
    for name, p in zip(("taps_ls", "taps_out"), tb.probes):
        rows = [
            np.array(pmt.c32vector_elements(t.value))
            for t in sorted(p.tags(), key=lambda t: t.offset)
            if pmt.symbol_to_string(t.key) == "ofdm_sync_chan_taps"
        ]
        res[name] = np.array(rows).reshape(-1, DEFAULT_LAYOUT.fft_len)
    return res


def align_truth(taps, H, layout=DEFAULT_LAYOUT, d_range=(-4.0, 16.0), d_step=0.05):
    """The true channel of each received frame as the receiver sees it.

    Each row of ``taps`` (fft_len LS taps of a detected frame) is matched to the burst whose
    channel fits it best, g H[k] exp(-2j pi k d / fft_len), with the complex gain g (FFT gain,
    residual phase) and the timing shift d (the sync's backoff into the CP, on a grid) fitted
    by least squares.  Returns (truth [n, n_active], d [n], burst index [n]).  Fitting 3 real
    parameters to 52 complex taps leaves an error ~1/52 of the LS noise (-17 dB)."""
    y = np.asarray(taps)[:, layout.active_pos]
    H = np.asarray(H)
    ds = np.arange(d_range[0], d_range[1] + d_step / 2, d_step)
    ramps = np.exp(-2j * np.pi * np.outer(ds, layout.active) / layout.fft_len)  # [D, A]
    cands = ramps[None, :, :] * H[:, None, :]  # [B, D, A]
    energy = np.sum(np.abs(cands) ** 2, axis=2)
    out, dd, idx = [], [], []
    for yi in y:
        c = cands.conj() @ yi  # [B, D]
        score = np.abs(c) ** 2 / energy
        b, j = np.unravel_index(int(np.argmax(score)), score.shape)
        out.append(cands[b, j] * (c[b, j] / energy[b, j]))
        dd.append(ds[j])
        idx.append(b)
    return np.array(out).reshape(-1, layout.n_active), np.array(dd), np.array(idx, dtype=int)


def random_payloads(n, length, rng):
    return [bytes(rng.integers(0, 256, int(length), dtype=np.uint8)) for _ in range(int(n))]
