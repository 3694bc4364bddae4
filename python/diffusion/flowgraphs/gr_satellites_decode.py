#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""gr-satellites' own decoders over recordings (needs GNU Radio and Debian's gr-satellites).

Compatibility layer: Debian 12's gr-satellites 4.4.0 was built for GNU Radio 3.9; some of its
deframers (CCSDS concatenated, AO-40 FEC, LilacSat-1, ...) use names that GNU Radio 3.10
moved: the PDU item types ``blocks.byte_t`` / ``float_t`` / ... (now ``gr.types``) and
``blocks.udp_sink`` (now ``gnuradio.network.udp_sink``, with a vector length and header type
in its signature). :func:`install_compat` puts those names back into ``gnuradio.blocks``
(only where missing, so it does nothing on a gr-satellites built for 3.10) and returns the
names it added; :func:`decode_wav` calls it before building gr-satellites' flowgraph.

Frames: gr-satellites' decoder emits only frames that pass their framing's check (AX.25
CRC-16, CCSDS Reed-Solomon, ...): each PDU on its ``out`` port is one valid frame.
"""

import numpy as np

PDU_TYPES = ("byte_t", "float_t", "complex_t", "int_t", "short_t")


def install_compat():
    """Adds GNU Radio 3.9 names that gr-satellites 4.4.0 uses to gnuradio.blocks (module
    doc); returns the names added (empty where nothing was missing)."""
    from gnuradio import blocks, gr

    added = []
    for name in PDU_TYPES:
        if not hasattr(blocks, name) and hasattr(gr.types, name):
            setattr(blocks, name, getattr(gr.types, name))
            added.append(name)
    if not hasattr(blocks, "udp_sink"):
        from gnuradio import network

        def udp_sink(itemsize, host, port, payload_size=1472, eof=True):
            """GNU Radio 3.9's blocks.udp_sink(itemsize, host, port, payload_size, eof) over
            3.10's network.udp_sink (vector length 1, no header)."""
            return network.udp_sink(int(itemsize), 1, str(host), int(port), 0, payload_size, eof)

        blocks.udp_sink = udp_sink
        added.append("udp_sink")
    return added


def read_wav(path, iq=False):
    """(samples float64 in [-1, 1], sample rate) of a 16-bit PCM WAV: its first channel;
    with ``iq``, complex128 samples from a 2-channel WAV, I left and Q right (gr-satellites'
    --iq convention for WAV files; ValueError for another channel count)."""
    import wave

    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: 16-bit PCM expected, got {8 * w.getsampwidth()} bits")
        rate, nch = w.getframerate(), w.getnchannels()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    x = x.reshape(-1, nch) / 32768.0
    if iq:
        if nch != 2:
            raise ValueError(f"{path}: IQ needs 2 channels (I, Q), got {nch}")
        return x[:, 0] + 1j * x[:, 1], float(rate)
    return x[:, 0], float(rate)


def add_real_noise(x, level_db, seed):
    """x + real white Gaussian noise of variance mean(x^2) / 10^(level_db/10) per sample."""
    x = np.asarray(x, np.float64)
    rng = np.random.default_rng(seed)
    return x + np.sqrt(np.mean(x * x) * 10 ** (-float(level_db) / 10)) * rng.standard_normal(x.size)


def decode_audio(satellite, audio, samp_rate, options=""):
    """Frames (list of bytes, in arrival order) that gr-satellites' complete decoder for
    ``satellite`` (its name, as gr_satellites takes it) finds in real audio samples at
    ``samp_rate``; ``options`` are gr_satellites' own (e.g. '--costas_bw 150'). Run by
    satellite_receiver.run_frames, which waits for every queued PDU (a plain tb.run() drops
    some, more under load)."""
    from .satellite_receiver import SatelliteFlowgraph, run_frames

    return run_frames(
        SatelliteFlowgraph(satellite, audio, samp_rate, "gr-satellites", options=options)
    )


def decode_wav(satellite, path, options="", level_db=None, seed=0):
    """:func:`decode_audio` over a WAV recording, with real white noise at ``level_db``
    (:func:`add_real_noise`) when given."""
    x, rate = read_wav(path)
    if level_db is not None:
        x = add_real_noise(x, level_db, seed)
    return decode_audio(satellite, x, rate, options)
