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
before and after the denoiser are captured from the tags (``taps_probe``).  ``genie_taps``
(an instrument of the simulation: it knows every burst's channel) puts the true channel on
each frame's taps tag, for the receiver's ceiling (``receive(..., taps_filter=genie_taps(H))``).
"""

import math

import numpy as np
import pmt
from gnuradio import blocks, digital, gr

from ..core import ofdm_channels as _ch
from ..core.ofdm_carriers import DEFAULT_LAYOUT
from ..ofdm_denoised_rx import ofdm_denoised_rx
from ..work_guard import WorkGuard, guarded_work

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
            last = next((b for b in (self.rx.denoiser, self.rx.taps_filter) if b is not None), n)
            for blk in (n, last):
                p = blocks.vector_sink_c(DEFAULT_LAYOUT.fft_len)
                self.connect(blk, p)
                self.probes.append(p)


def receive(signal, denoise=True, model="ofdm_mix", taps_probe=False, **kw):
    """Run the receiver over ``signal``: dict(payloads = list of bytes of the packets that
    passed the CRC, taps_ls / taps_out = [frames, fft_len] taps from the tags before / after
    the denoiser or the taps_filter (taps_probe), denoiser = the block or None)."""
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


def perfect_csi_success(H, snr_db, payload_len=96, layout=DEFAULT_LAYOUT):
    """Probability that each packet passes with perfect channel knowledge and sync (the
    ceiling of any channel estimate for ``ofdm_tx``'s uncoded BPSK packets): coherent BPSK
    on data carrier k has bit error probability Q(sqrt(2 |H_k|^2 snr)) (per-carrier SNR, unit
    ensemble channel power, docs/ofdm.md); the header (one symbol: one bit per data carrier)
    and the payload plus its CRC32 (8 (payload_len + 4) bits, carrier after carrier in
    ``occupied_carriers`` order) must be error free.  H: [packets, n_active]; returns
    [packets]."""
    from gnuradio.digital import ofdm_txrx as _tx

    occ = list(_tx._def_occupied_carriers[0])
    cols = [list(layout.active).index(k) for k in occ]
    gain = np.abs(np.asarray(H)[:, cols]) ** 2 * 10.0 ** (float(snr_db) / 10.0)
    ber = np.vectorize(lambda g: 0.5 * math.erfc(math.sqrt(g)))(gain)
    bits = 8 * (int(payload_len) + 4)
    per_carrier = np.full(len(occ), 1 + bits // len(occ))  # header bit + full symbols
    per_carrier[: bits % len(occ)] += 1
    return np.exp(np.sum(per_carrier * np.log1p(-np.minimum(ber, 1 - 1e-16)), axis=1))


class genie_taps(WorkGuard, gr.sync_block):
    """The true channel on each frame's ``ofdm_sync_chan_taps`` tag (a simulation
    instrument: the link's ceiling with perfect channel knowledge).

    H [n_bursts, n_active]: the channel of every burst (``fade``'s second output).  A
    frame's LS taps are matched to the burst channels near the last match (bursts arrive in
    order; frames the sync misses or invents are skipped), as g H[k] exp(-2j pi k d /
    fft_len) with the window shift d an integer number of samples (the FFT window starts
    d samples early: a delay of every path) and the complex gain g (the FFT's scale and the
    sync's phase) fitted by least squares: the taps written are that fit on the active
    carriers, the other positions as they came.  Fitting 3 real parameters to 52 complex
    LS taps leaves ~1/35 of the LS noise in the gain (-15 dB relative), which the genie
    then carries.  ``matches``: (burst index, d, residual / LS energy) per frame."""

    def __init__(self, H, layout=DEFAULT_LAYOUT, d_range=(-4, 16), look_ahead=12):
        gr.sync_block.__init__(
            self,
            name="genie_taps",
            in_sig=[(np.complex64, layout.fft_len)],
            out_sig=[(np.complex64, layout.fft_len)],
        )
        self.layout = layout
        self.H = np.asarray(H, dtype=np.complex128)
        ds = np.arange(int(d_range[0]), int(d_range[1]) + 1)
        self.ds = ds
        self.ramps = np.exp(-2j * np.pi * np.outer(ds, layout.active) / layout.fft_len)
        self.look_ahead = int(look_ahead)
        self.next = 0
        self.matches = []
        self._key = pmt.intern("ofdm_sync_chan_taps")
        self.set_tag_propagation_policy(gr.TPP_DONT)

    def truth(self, taps):
        """The fitted true channel (fft_len) for one frame's LS taps (fft_len)."""
        lay = self.layout
        y = np.asarray(taps, dtype=np.complex128)[lay.active_pos]
        lo = max(0, self.next - 2)
        hi = min(len(self.H), self.next + self.look_ahead)
        if hi <= lo:
            lo, hi = 0, len(self.H)
        cands = self.ramps[None, :, :] * self.H[lo:hi, None, :]  # [B, D, A]
        energy = np.maximum(np.sum(np.abs(cands) ** 2, axis=2), 1e-30)
        c = cands.conj() @ y
        score = np.abs(c) ** 2 / energy
        b, j = np.unravel_index(int(np.argmax(score)), score.shape)
        fit = cands[b, j] * (c[b, j] / energy[b, j])
        res = float(np.sum(np.abs(y - fit) ** 2) / max(np.sum(np.abs(y) ** 2), 1e-30))
        self.matches.append((lo + int(b), int(self.ds[j]), res))
        self.next = lo + int(b) + 1
        out = np.array(taps, dtype=np.complex128)
        out[lay.active_pos] = fit
        return out

    @guarded_work("pass")
    def work(self, input_items, output_items):
        out = output_items[0]
        n = len(out)
        out[:] = input_items[0][:n]
        for t in self.get_tags_in_window(0, 0, n):
            value = t.value
            if t.key == self._key:
                new = self.truth(pmt.c32vector_elements(t.value))
                value = pmt.init_c32vector(len(new), new.astype(np.complex64))
            self.add_item_tag(0, t.offset, t.key, value, t.srcid)
        return n
