#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Unit-power constellations with Gray labels (NumPy only, no GNU Radio).

Conventions used throughout gr-diffusion:
  * points are complex128/complex64, normalised to unit average power E|x|^2 = 1
    under the uniform distribution (shaped constellations rescale under their PMF);
  * ``labels[i]`` is the integer bit label of ``points[i]``, MSB first, Gray-coded so that
    nearest neighbours differ in one bit;
  * Es/N0 = 1 / sigma^2, with sigma^2 the noise variance per complex sample.
"""

import os
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Constellation:
    name: str
    points: np.ndarray  # complex128 [M], unit average power
    labels: np.ndarray  # int64 [M], Gray bit labels

    @property
    def order(self):
        return len(self.points)

    @property
    def bits_per_symbol(self):
        return int(np.log2(self.order))

    def slice(self, y):
        """Indices of the nearest points (minimum Euclidean distance, i.e. ML in AWGN)."""
        y = np.asarray(y).reshape(-1)
        idx = np.empty(y.shape, dtype=np.int64)
        pts = self.points
        step = 1 << 16  # bound the [n, M] distance matrix
        for s in range(0, len(y), step):
            d = np.abs(y[s : s + step, None] - pts[None, :]) ** 2
            idx[s : s + step] = np.argmin(d, axis=1)
        return idx

    def hard_decision(self, y):
        """Nearest constellation point of every sample (complex)."""
        return self.points[self.slice(y)]

    def bits(self, idx):
        """Bits (uint8 [n, bits_per_symbol], MSB first) of point indices."""
        lab = self.labels[np.asarray(idx)]
        k = self.bits_per_symbol
        return ((lab[:, None] >> np.arange(k - 1, -1, -1)) & 1).astype(np.uint8)


def _gray(n):
    return n ^ (n >> 1)


def qam(order):
    """Square M-QAM (M = 4, 16, 64, 256, ...), Gray-labelled per rail, unit average power."""
    m = int(round(np.sqrt(order)))
    if m * m != order or order < 4 or m & (m - 1):
        raise ValueError(f"square QAM needs M = 4^k, got {order}")
    k = int(np.log2(m))
    lev = np.arange(m)
    amp = 2 * lev - (m - 1)  # -(m-1) .. (m-1)
    gray = _gray(lev)
    i_idx, q_idx = np.meshgrid(lev, lev, indexing="ij")
    points = (amp[i_idx] + 1j * amp[q_idx]).reshape(-1).astype(np.complex128)
    labels = ((gray[i_idx] << k) | gray[q_idx]).reshape(-1).astype(np.int64)
    points /= np.sqrt(np.mean(np.abs(points) ** 2))
    return Constellation(f"{order}qam", points, labels)


def psk(order):
    """M-PSK on the unit circle, Gray-labelled, first point at pi/M (QPSK = 4-QAM rotated)."""
    if order < 2 or order & (order - 1):
        raise ValueError(f"PSK needs M = 2^k >= 2, got {order}")
    k = np.arange(order)
    points = np.exp(1j * (2 * np.pi * k / order + np.pi / order))
    return Constellation(f"{order}psk", points, _gray(k).astype(np.int64))


def bpsk():
    """BPSK on the real axis, points -1 (label 0) and +1 (label 1): GNU Radio's
    constellation_bpsk and where a 2nd-order Costas loop puts the symbols (psk(2) lies on
    the imaginary axis, first point at pi/2)."""
    return Constellation("bpsk", np.array([-1.0 + 0j, 1.0 + 0j]), np.array([0, 1], dtype=np.int64))


def from_file(path):
    """Custom point set: a text file of lines 'I Q' (or 'I,Q'), normalised to unit power.

    Labels are the line order (no Gray mapping can be assumed for arbitrary sets).
    """
    try:
        data = np.loadtxt(path, delimiter=None if open(path).read().find(",") < 0 else ",", ndmin=2)
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: cannot read 'I Q' point list ({e})") from e
    if data.shape[1] != 2 or len(data) < 2:
        raise ValueError(
            f"{path}: expected >= 2 lines of two numbers 'I Q', got shape {data.shape}"
        )
    points = data[:, 0] + 1j * data[:, 1]
    points = points / np.sqrt(np.mean(np.abs(points) ** 2))
    name = os.path.splitext(os.path.basename(path))[0]
    return Constellation(name, points, np.arange(len(points), dtype=np.int64))


def by_name(name):
    """'qpsk', '16qam', '64qam', '256qam', '8psk', 'bpsk' (:func:`bpsk`), ... or a path to a
    point file."""
    key = str(name).lower().replace("-", "")
    if key in ("qpsk", "4qam"):
        c = qam(4)
        return Constellation("qpsk", c.points, c.labels)
    if key.endswith("qam") and key[:-3].isdigit():
        return qam(int(key[:-3]))
    if key.endswith("psk") and key[:-3].isdigit():
        return psk(int(key[:-3]))
    if key == "bpsk":
        return bpsk()
    if os.path.isfile(name):
        return from_file(name)
    raise ValueError(f"unknown constellation {name!r}: use qpsk, <M>qam, <M>psk or a point file")
