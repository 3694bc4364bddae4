#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""ORBCOMM downlink (satellite to ground) packets (NumPy; no GNU Radio).

The downlink is SDPSK at 4800 symbols/s: every symbol turns the carrier phase by +90 or -90
degrees, and bit = 1 where the phase change between consecutive symbols is positive. Bits are
sent LSB first. Packets are 12 bytes, ephemeris packets (header 0x1F) 24 bytes; a packet starts
with a known header byte and is valid when its Fletcher-16 sums, taken modulo 256 over all of
its bytes (checksum bytes included), are both zero. References: the reference demodulator
with the recording in ../shared/recordings/orbcomm (its README).
"""

import numpy as np

SYMBOL_RATE = 4800.0
PACKET_BYTES = 12
#: header byte -> packet length in bytes
HEADERS = {
    0x65: 12,  # synchronisation
    0x1A: 12,  # message
    0x1B: 12,  # uplink information
    0x1C: 12,  # downlink information
    0x1D: 12,  # network control centre information
    0x1E: 12,  # fill
    0x1F: 24,  # ephemeris (two packets long)
    0x22: 12,
}  # orbital elements


def differential_bits(symbols):
    """Bits of SDPSK symbols (complex, one per symbol): 1 where the phase advances from the
    previous symbol (0 < arg(s[n] s*[n-1]) < pi), else 0; len(symbols) - 1 bits. Invariant to
    the carrier phase, so no phase ambiguity to resolve."""
    s = np.asarray(symbols).reshape(-1)
    d = s[1:] * np.conj(s[:-1])
    return (d.imag > 0).astype(np.uint8)


def fletcher16_ok(packet):
    """True when both Fletcher-16 sums (modulo 256) over the bytes are zero."""
    a = b = 0
    for v in bytes(packet):
        a = (a + v) & 0xFF
        b = (b + a) & 0xFF
    return a == 0 and b == 0


def decode_packets(bits):
    """Valid packets (list of bytes, in order) in a bit stream (uint8 0/1, LSB first): at every
    bit position a header byte starts a candidate of its packet length; a candidate that passes
    the checksum is taken and the search resumes after it, else it moves on by one bit."""
    bits = np.asarray(bits, dtype=np.uint8).reshape(-1)
    # the byte starting at every bit position (LSB first)
    n = bits.size - 7
    if n <= 0:
        return []
    byte_at = np.zeros(n, dtype=np.int64)
    for k in range(8):
        byte_at |= bits[k : k + n].astype(np.int64) << k
    out, pos = [], 0
    starts = np.flatnonzero(np.isin(byte_at, list(HEADERS)))
    for s in starts:
        if s < pos:
            continue
        length = HEADERS[int(byte_at[s])]
        if s + 8 * length > bits.size:
            break
        pkt = bytes(int(v) for v in byte_at[s : s + 8 * length : 8])
        if fletcher16_ok(pkt):
            out.append(pkt)
            pos = s + 8 * length
    return out


def read_reference(path):
    """Packets of a reference decode file (one hex packet per line)."""
    with open(path) as f:
        return [bytes.fromhex(line.strip()) for line in f if line.strip()]
