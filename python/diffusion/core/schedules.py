#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""DDPM noise schedules and the noise-variance <-> time-step match (NumPy only).

Conventions (shared by training, the samplers, the ONNX metadata and the C++ blocks)
-----------------------------------------------------------------------------------
* Symbols are complex with unit average power, E|x0|^2 = 1 (1/2 per rail).
* sigma^2 is the AWGN variance *per complex sample*: y = x0 + n, E|n|^2 = sigma^2
  (sigma^2/2 per rail), so Es/N0 = 1/sigma^2.
* Time steps are 1-based, t in [1, T]; ``abar(t) = sched.abar[t - 1]`` and abar(0) = 1.
* Forward process:  x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, with *complex* eps,
  E|eps|^2 = 1 (each rail N(0, 1/2)).  Hence 1 - abar_t is the complex noise variance of
  x_t, and x_t / sqrt(abar_t) = x0 + noise of variance (1 - abar_t)/abar_t per complex
  sample.  A received y with noise sigma^2 is therefore "at" the step whose
  sigma2(t) = (1 - abar_t)/abar_t equals sigma^2, i.e. abar_t = 1/(1 + sigma^2), and the
  network input is sqrt(abar_t) y.
* The network sees the two rails (Re, Im) of x_t and predicts the two rails of eps.
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class Schedule:
    """A discrete variance-preserving schedule.  Arrays are float64 of length T (index t-1)."""

    name: str
    alphas: np.ndarray
    betas: np.ndarray = field(repr=False)
    abar: np.ndarray = field(repr=False)
    T: int

    @classmethod
    def from_alphas(cls, name, alphas):
        a = np.asarray(alphas, dtype=np.float64).reshape(-1)
        if a.size < 1 or not np.all(np.isfinite(a)) or np.any(a <= 0) or np.any(a > 1):
            raise ValueError(f"schedule {name!r}: alphas must be finite and in (0, 1]")
        a = a.copy()
        a.setflags(write=False)
        b = 1.0 - a
        b.setflags(write=False)
        ab = np.cumprod(a)
        ab.setflags(write=False)
        return cls(str(name), a, b, ab, int(a.size))

    @classmethod
    def from_abar(cls, name, abar):
        ab = np.asarray(abar, dtype=np.float64).reshape(-1)
        prev = np.concatenate(([1.0], ab[:-1]))
        return cls.from_alphas(name, ab / prev)

    # ------------------------------------------------------------------ per-step quantities
    def abar_at(self, t):
        """abar(t) for 1-based t (t = 0 gives 1)."""
        t = np.asarray(t, dtype=np.int64)
        full = np.concatenate(([1.0], self.abar))
        return full[t]

    @property
    def sigma2(self):
        """Equivalent AWGN variance per complex sample of every step: (1 - abar)/abar."""
        return (1.0 - self.abar) / self.abar

    @property
    def snr_db(self):
        """Equivalent Es/N0 in dB of every step: 10 log10(abar / (1 - abar))."""
        return -10.0 * np.log10(self.sigma2)

    @property
    def posterior_variance(self):
        """beta~_t = (1 - abar_{t-1}) / (1 - abar_t) * beta_t (beta~_1 = 0)."""
        prev = np.concatenate(([1.0], self.abar[:-1]))
        return (1.0 - prev) / (1.0 - self.abar) * self.betas

    def matched_step(self, sigma2):
        """Time step whose abar best matches 1/(1 + sigma2).

        "Best" = nearest in log(sigma2), i.e. in dB of Es/N0 (a linear distance in abar is
        meaningless at high SNR where all abar are ~1).  Returns ``(t, clamped)``: 1-based
        int64 step(s) and a boolean (mask) telling which sigma2 lie outside the range the
        schedule represents, [sigma2(1), sigma2(T)], and were clamped to t = 1 or T.
        Scalars in, scalars out.  sigma2 <= 0 (noiseless) maps to t = 1, clamped.
        """
        s2 = np.asarray(sigma2, dtype=np.float64)
        scalar = s2.ndim == 0
        s2 = np.atleast_1d(s2)
        if np.any(np.isnan(s2)):
            raise ValueError("matched_step: sigma2 contains NaN")
        grid = np.log(self.sigma2)  # strictly increasing in t
        with np.errstate(divide="ignore"):
            ls = np.log(np.maximum(s2, 0.0))  # -inf for sigma2 = 0
        idx = np.searchsorted(grid, ls)  # grid[idx-1] < ls <= grid[idx]
        lo = np.clip(idx - 1, 0, self.T - 1)
        hi = np.clip(idx, 0, self.T - 1)
        pick_hi = np.abs(grid[hi] - ls) < np.abs(ls - grid[lo])
        t = np.where(pick_hi, hi, lo).astype(np.int64) + 1
        tol = 1e-9
        clamped = (ls < grid[0] - tol) | (ls > grid[-1] + tol)
        if scalar:
            return int(t[0]), bool(clamped[0])
        return t, clamped

    def summary(self):
        return (
            f"{self.name}: T={self.T}, abar_T={self.abar[-1]:.4g}, "
            f"steps cover Es/N0 {self.snr_db[-1]:.1f} .. {self.snr_db[0]:.1f} dB"
        )


# ---------------------------------------------------------------------- constructors
def sigmoid_schedule(T=100, alpha_start=0.99999, alpha_end=0.99):
    """The published schedule (Letafati et al., DDPM for hardware-impaired communications,
    after the swiss-roll DDPM tutorial code): beta_t = sigmoid(linspace(-6, 6, T)) *
    (beta_end - beta_start) + beta_start with beta = 1 - alpha, i.e. alpha_t sigmoid-
    interpolated from ~alpha_start (t = 1) to ~alpha_end (t = T).  T = 100 gives
    abar_T ~ 0.6, i.e. the steps only cover Es/N0 >= ~+1.8 dB.
    """
    b0, b1 = 1.0 - float(alpha_start), 1.0 - float(alpha_end)
    u = np.linspace(-6.0, 6.0, int(T))
    betas = 1.0 / (1.0 + np.exp(-u)) * (b1 - b0) + b0
    return Schedule.from_alphas("paper", 1.0 - betas)


def logsnr_schedule(T=100, snr_max_db=45.0, snr_min_db=-30.0, name="wide"):
    """Steps uniformly spaced in log-SNR: Es/N0(t) from snr_max_db (t = 1) down to
    snr_min_db (t = T).  Uniform spacing in dB is what the matched-step receiver needs:
    the worst-case mismatch is half a step everywhere.  Defaults: 0.76 dB steps,
    abar_T = 1/(1 + 10^3) < 1e-3 (x_T is essentially pure noise, so the model is also a
    proper generative model)."""
    snr_db = np.linspace(float(snr_max_db), float(snr_min_db), int(T))
    snr = 10.0 ** (snr_db / 10.0)
    return Schedule.from_abar(name, snr / (1.0 + snr))


def cosine_schedule(T=100, s=0.008, max_beta=0.999):
    """Nichol & Dhariwal cosine schedule (abar_T ~ 0 up to the max_beta clip)."""
    k = np.arange(int(T) + 1, dtype=np.float64)
    f = np.cos((k / T + s) / (1 + s) * np.pi / 2) ** 2
    abar = f / f[0]
    betas = np.clip(1.0 - abar[1:] / abar[:-1], 0.0, max_beta)
    return Schedule.from_alphas("cosine", 1.0 - betas)


SCHEDULES = ("paper", "wide", "cosine")


def make_schedule(name, T=100):
    """'paper' (published sigmoid, abar_T ~ 0.6), 'wide' (log-SNR uniform +45..-30 dB,
    abar_T < 1e-3) or 'cosine'."""
    key = str(name).lower()
    if key in ("paper", "sigmoid"):
        return sigmoid_schedule(T)
    if key in ("wide", "logsnr"):
        return logsnr_schedule(T)
    if key == "cosine":
        return cosine_schedule(T)
    raise ValueError(f"unknown schedule {name!r}: use one of {', '.join(SCHEDULES)}")


def schedule_from_alphas(name, alphas):
    """Schedule from an explicit alpha list (e.g. parsed from ONNX metadata)."""
    return Schedule.from_alphas(name, alphas)
