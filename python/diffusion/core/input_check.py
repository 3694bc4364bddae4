#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Does a denoiser's input look like the model's constellation? (NumPy only)

Conventions (docs/conventions.md): unit-power constellation, E|x|^2 = 1 for the *signal*
(not signal plus noise); noise variance sigma2 per complex sample (Es/N0 = 1/sigma2);
the points where the model's metadata puts them (QPSK at 45 degrees: (+-1 +-1j)/sqrt(2)).

Two tests on the first samples of a stream (:class:`InputChecker`, default 1024):

- orientation: a blind Gaussian-mixture fit (the EM noise variance of
  :func:`noise_estimation.em_noise_variance`) of the input against the model's points,
  and of the input rotated by 15, 30, ... 165 degrees. A correctly oriented input fits
  best unrotated (or at a symmetry of the constellation, which fits exactly as well).
  Flagged when the best rotation fits more than ``ROTATION_RATIO`` = 1.5 times better.
  Measured (5 seeds, 1024 samples): QPSK on the axes gives 1.9-2.1 at 5 dB, 5.5-5.9 at
  10 dB, 58-62 at 20 dB (16-QAM turned 45 degrees: 1.4-1.5, 2.6-3.1, 18-22); a correct
  QPSK/16/64-QAM input 1.00-1.01 from 0 to 30 dB. Below ~4 dB a rotation barely changes
  the fit (nor what the denoiser can do): not flagged. With sigma2
  per sample (stream input) only the samples with sigma2 <= its median enter the fit.
- power: mean of |y|^2 / (1 + sigma2), 1 for a unit-power signal plus noise of variance
  sigma2. Flagged outside +-2 dB; its relative standard error is < 5 % at 1024 samples.

``lib/input_check.h`` is the C++ twin (same thresholds and messages) used by the C++
denoiser; the Python denoiser uses this module. Both log each message once.
"""

import math
from dataclasses import dataclass

import numpy as np

from .noise_estimation import em_noise_variance

ROTATION_RATIO = 1.5
POWER_DB = 2.0
N_ROTATIONS = 12  # 0, 15, ... 165 degrees
CHECK_SAMPLES = 1024
FIT_WORK = 65536  # samples x points per EM fit (256-QAM: 256 samples)


@dataclass
class InputCheckResult:
    rotated: bool = False  # a rotated copy fits much better
    rotation_deg: float = 0.0  # best rotation: multiply the input by exp(1j*angle)
    fit_ratio: float = 1.0  # EM sigma2 unrotated / at the best rotation
    sigma2_fit: float = 0.0  # EM sigma2 of the unrotated input
    power_off: bool = False  # mean power far from 1 + sigma2
    power: float = 0.0  # mean |y|^2
    power_ratio: float = 1.0  # mean |y|^2 / (1 + sigma2)
    sigma2: float = 0.0  # mean sigma2 the block used

    @property
    def ok(self):
        return not (self.rotated or self.power_off)


def _em_fit(y, points):
    return em_noise_variance(y, points, max_iter=30, rel_tol=1e-4)[0]


def rotations(points):
    """Trial rotations in degrees: 0, 15, ... up to 165, or up to 75 for a constellation
    that a quarter turn maps onto itself (QAM, QPSK: the other half would repeat)."""
    pts = np.asarray(points, np.complex128).reshape(-1)
    d = np.abs((pts * 1j)[:, None] - pts[None, :]).min(axis=1).max() if pts.size else 1.0
    n = N_ROTATIONS // 2 if d < 1e-3 else N_ROTATIONS
    return [k * 180.0 / N_ROTATIONS for k in range(n)]


def check_input(y, points, sigma2):
    """Check samples y (complex [N]) against the unit-power constellation points.

    sigma2: noise variance per complex sample the block assumes (scalar or [N]).
    Returns an :class:`InputCheckResult`."""
    y = np.asarray(y, np.complex128).reshape(-1)
    s2 = np.broadcast_to(np.asarray(sigma2, np.float64), y.shape)
    keep = np.isfinite(y) & np.isfinite(s2) & (s2 >= 0)
    y, s2 = y[keep], s2[keep]
    r = InputCheckResult()
    if y.size == 0 or len(points) == 0:
        return r
    p2 = np.abs(y) ** 2
    r.power = float(np.mean(p2))
    r.power_ratio = float(np.mean(p2 / (1.0 + s2)))
    r.sigma2 = float(np.mean(s2))
    # all-zero input (squelch, a gap, zero padding): ratio 0, -inf dB, flagged like any
    # power far off (as lib/input_check.h, where log10(0) = -inf)
    r.power_off = not r.power_ratio > 0 or abs(10.0 * math.log10(r.power_ratio)) > POWER_DB
    base = y[s2 <= np.partition(s2, y.size // 2)[y.size // 2]]
    base = base[: max(256, FIT_WORK // len(points))]  # bounds the cost for 256-QAM
    angles = rotations(points)
    fits = [_em_fit(base * np.exp(1j * math.radians(a)), points) for a in angles]
    k = int(np.argmin(fits))
    r.sigma2_fit = fits[0]
    r.rotation_deg = angles[k]
    r.fit_ratio = fits[0] / fits[k]
    r.rotated = r.fit_ratio > ROTATION_RATIO
    return r


def messages(r, orientation):
    """What the blocks log for a result (empty list when the input looks right)."""
    out = []
    if r.rotated:
        a = r.rotation_deg
        out.append(
            f"input does not look like the model's constellation ({orientation}): its blind "
            f"mixture fit (EM noise variance {r.sigma2_fit:.3g}) is {r.fit_ratio:.1f}x worse "
            f"than that of the input rotated by {a:.0f} degrees. Rotate the input by {a:.0f} "
            f"degrees (e.g. blocks.multiply_const_cc(exp(1j*pi*{a:.0f}/180))) or correct the "
            "carrier phase before the denoiser (reported once)"
        )
    if r.power_off:
        esn0 = -10.0 * math.log10(r.sigma2) if r.sigma2 > 0 else math.inf
        out.append(
            f"mean input power {r.power:.3g} is {r.power_ratio:.2f}x the expected 1 + sigma2 = "
            f"{1.0 + r.sigma2:.3g} (unit-power signal, E|x|^2 = 1 for the signal alone, plus "
            f"noise of variance sigma2 = {r.sigma2:.3g}, Es/N0 {esn0:.1f} dB). Scale the input "
            "to unit signal power (AGC, blocks.multiply_const_cc) or give the right Es/N0 / "
            "noise_var (reported once)"
        )
    return out


def describe(points):
    """'4 points at 45, 135, 225, 315 degrees' (<= 8 points) or a grid description."""
    pts = np.asarray(points, np.complex128).reshape(-1)
    m = pts.size
    if m == 0:
        return "no constellation"
    if m <= 8:
        ang = np.sort(np.mod(np.degrees(np.angle(pts)), 360.0))
        return f"{m} points at " + ", ".join(f"{a:.0f}" for a in ang) + " degrees"
    levels = np.unique(np.round(pts.real * 1e4)).size
    s = f"{m} points"
    if levels * levels == m:
        s += ", a square grid aligned with the I/Q axes"
    return s


PAPER_WIDE_RATIO = 10.0  # schedule top noise level / input's above which PAPER is warned about


def paper_mode_warning(T, sigma2_max, sigma2):
    """What mode 'paper' does with this schedule and input, and what to use instead."""
    esn0 = -10.0 * math.log10(sigma2) if sigma2 > 0 else math.inf
    return (
        f"mode PAPER runs the published Algorithm 2: x_T = input, then all T = {T} "
        "ancestral steps, so it treats the input as if its Es/N0 were the schedule's top, "
        f"{-10.0 * math.log10(sigma2_max):.1f} dB, whereas the input's is {esn0:.1f} dB "
        f"(sigma2 {sigma2:.3g}): the output is a sample of p(x0 | y) at that far higher "
        "noise level, on a wide schedule like the shipped models' (-30 dB) a sample of the "
        "prior, i.e. random constellation points nearly independent of the input. Use "
        "TWEEDIE (E[x0|y], best MSE, 1 network call) or POSTERIOR (a sample of p(x0|y) "
        "started at the step matched to sigma2) instead (reported once)"
    )


class InputChecker:
    """Collects the first ``n`` finite samples of a stream, then checks them once.

    ``feed(y, sigma2)`` returns the list of messages (possibly empty) exactly once, when
    enough samples are in, and None before and after."""

    def __init__(self, points, n=CHECK_SAMPLES):
        self.points = np.asarray(points, np.complex128).reshape(-1)
        self.n = int(n)
        self.result = None
        self._y, self._s2, self._have = [], [], 0
        self.orientation = describe(self.points)

    @property
    def done(self):
        return self.result is not None

    def feed(self, y, sigma2):
        if self.done or self.points.size == 0:
            return None
        y = np.asarray(y, np.complex128).reshape(-1)
        s2 = np.broadcast_to(np.asarray(sigma2, np.float64), y.shape)
        ok = np.isfinite(y) & np.isfinite(s2) & (s2 >= 0)
        take = np.flatnonzero(ok)[: self.n - self._have]
        self._y.append(y[take])
        self._s2.append(s2[take])
        self._have += take.size
        if self._have < self.n:
            return None
        self.result = check_input(np.concatenate(self._y), self.points, np.concatenate(self._s2))
        self._y = self._s2 = None
        return messages(self.result, self.orientation)
