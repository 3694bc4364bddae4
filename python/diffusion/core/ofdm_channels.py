#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""3GPP TR 38.901 TDL channels on GNU Radio's OFDM carriers (NumPy only).

Tap tables: TR 38.901 V16 Table 7.7.2-1 .. 7.7.2-5 (TDL-A, B, C: NLOS Rayleigh taps; TDL-D,
E: a line-of-sight first tap with Rician K = 13.3 dB and 22 dB, split as the standard lists
it: a specular part and a Rayleigh part at delay 0).  Delays are normalised: the delay of tap
l in samples is ``delay_spread * tau_l`` (delay_spread = the RMS delay spread in samples,
e.g. 1 sample = 50 ns at 20 Msps).  Own NumPy tables, not ``sionna``: no PyTorch/TensorFlow
dependency in the data path (it runs where the benchmark and the blocks run), exact control of
the carrier grid, the timing offset and the truncation, and nothing to download.

The channel of one OFDM symbol is the FIR h[n], n = 0 .. cp_len - 1 (samples):

    h[n] = sum_l a_l sinc(n - d - delay_spread tau_l),   d = timing offset (samples)

(band-limited sampling of the tapped delay line; an FFT window that starts d samples early
inside the cyclic prefix delays every path by d, a phase ramp across the carriers).  Support
up to the CP: taps beyond it are truncated, so a time-domain flowgraph with a CP-aligned FFT
window sees exactly H = DFT(h) (no inter-symbol interference).  Gains a_l ~ CN(0, P_l) (the
LOS part: sqrt(P_los) exp(j phi), phi uniform), scaled so that E sum_n |h[n]|^2 = 1, i.e.
E |H[k]|^2 = 1 averaged over the carriers (ensemble power 1 per profile draw; single
realisations fade).  Doppler: each tap evolves over OFDM symbols as a sum of 16 sinusoids
(Jakes/Clarke, max Doppler f_d x symbol duration uniform in the family's range); the LOS
part rotates at f_d cos(theta).  Within one symbol the channel is constant (no ICI).

Noise convention: per active carrier after the receiver's FFT, CN(0, sigma2) relative to
the unit ensemble channel power and unit-power pilots (``snr_db = -10 log10 sigma2``); the
LS estimate from GNU Radio's +-1 sync word then has noise variance sigma2 per carrier.
"""

from dataclasses import dataclass

import numpy as np

from .ofdm_carriers import DEFAULT_LAYOUT

# (normalised delay, power dB) per tap; TR 38.901 Tables 7.7.2-1 .. 7.7.2-5
_TDL_A = (
    (0.0000, -13.4), (0.3819, 0.0), (0.4025, -2.2), (0.5868, -4.0), (0.4610, -6.0),
    (0.5375, -8.2), (0.6708, -9.9), (0.5750, -10.5), (0.7618, -7.5), (1.5375, -15.9),
    (1.8978, -6.6), (2.2242, -16.7), (2.1718, -12.4), (2.4942, -15.2), (2.5119, -10.8),
    (3.0582, -11.3), (4.0810, -12.7), (4.4579, -16.2), (4.5695, -18.3), (4.7966, -18.9),
    (5.0066, -16.6), (5.3043, -19.9), (9.6586, -29.7),
)  # fmt: skip
_TDL_B = (
    (0.0000, 0.0), (0.1072, -2.2), (0.2155, -4.0), (0.2095, -3.2), (0.2870, -9.8),
    (0.2986, -1.2), (0.3752, -3.4), (0.5055, -5.2), (0.3681, -7.6), (0.3697, -3.0),
    (0.5700, -8.9), (0.5283, -9.0), (1.1021, -4.8), (1.2756, -5.7), (1.5474, -7.5),
    (1.7842, -1.9), (2.0169, -7.6), (2.8294, -12.2), (3.0219, -9.8), (3.6187, -11.4),
    (4.1067, -14.9), (4.2790, -9.2), (4.7834, -11.3),
)  # fmt: skip
_TDL_C = (
    (0.0000, -4.4), (0.2099, -1.2), (0.2219, -3.5), (0.2329, -5.2), (0.2176, -2.5),
    (0.6366, 0.0), (0.6448, -2.2), (0.6560, -3.9), (0.6584, -7.4), (0.7935, -7.1),
    (0.8213, -10.7), (0.9336, -11.1), (1.2285, -5.1), (1.3083, -6.8), (2.1704, -8.7),
    (2.7105, -13.2), (4.2589, -13.9), (4.6003, -13.9), (5.4902, -15.8), (5.6077, -17.1),
    (6.3065, -16.0), (6.6374, -15.7), (7.0427, -21.6), (8.6523, -22.8),
)  # fmt: skip
# first row: the LOS (specular) part of tap 1; second row: its Rayleigh part
_TDL_D = (
    (0.0, -0.2), (0.0, -13.5), (0.035, -18.8), (0.612, -21.0), (1.363, -22.8),
    (1.405, -17.9), (1.804, -20.1), (2.596, -21.9), (1.775, -22.9), (4.042, -27.8),
    (7.937, -23.6), (9.424, -24.8), (9.708, -30.0), (12.525, -27.7),
)  # fmt: skip
_TDL_E = (
    (0.0, -0.03), (0.0, -22.03), (0.5133, -15.8), (0.5440, -18.1), (0.5630, -19.8),
    (0.5440, -22.9), (0.7112, -22.4), (1.9092, -18.6), (1.9293, -20.8), (1.9589, -22.6),
    (2.6426, -22.3), (3.7136, -25.6), (5.4524, -20.2), (12.0034, -29.8), (20.6519, -29.2),
)  # fmt: skip

#: name -> (normalised delays, powers dB, index of the LOS row or None, K dB of the table)
TDL_PROFILES = {
    "A": (_TDL_A, None, None),
    "B": (_TDL_B, None, None),
    "C": (_TDL_C, None, None),
    "D": (_TDL_D, 0, 13.3),
    "E": (_TDL_E, 0, 22.0),
}
PROFILE_NAMES = tuple(TDL_PROFILES)
MAX_TAPS = max(len(v[0]) for v in TDL_PROFILES.values())


def tdl_table(name):
    """(delays [L] normalised, powers [L] linear summing to 1, los [L] bool) of TDL-<name>."""
    key = str(name).upper().replace("TDL-", "").replace("TDL", "")
    if key not in TDL_PROFILES:
        raise ValueError(f"unknown TDL profile {name!r}: use one of A, B, C, D, E")
    rows, los_row, _ = TDL_PROFILES[key]
    rows = np.array(rows, dtype=np.float64)
    p = 10.0 ** (rows[:, 1] / 10.0)
    los = np.zeros(len(rows), dtype=bool)
    if los_row is not None:
        los[los_row] = True
    return rows[:, 0].copy(), p / p.sum(), los


def _padded_tables():
    d = np.zeros((len(PROFILE_NAMES), MAX_TAPS))
    p = np.zeros((len(PROFILE_NAMES), MAX_TAPS))
    los = np.zeros((len(PROFILE_NAMES), MAX_TAPS), dtype=bool)
    for i, name in enumerate(PROFILE_NAMES):
        di, pi, li = tdl_table(name)
        d[i, : len(di)], p[i, : len(pi)], los[i, : len(li)] = di, pi, li
    return d, p, los


_DELAYS, _POWERS, _LOS = _padded_tables()


@dataclass
class ChannelDraw:
    """Parameters of n channel draws: profile index into PROFILE_NAMES, RMS delay spread
    (samples), timing offset (samples), max Doppler x OFDM symbol duration."""

    profile: np.ndarray
    delay_spread: np.ndarray
    timing_offset: np.ndarray
    doppler: np.ndarray

    def __len__(self):
        return int(self.profile.size)

    def subset(self, idx):
        return ChannelDraw(
            self.profile[idx], self.delay_spread[idx], self.timing_offset[idx], self.doppler[idx]
        )


@dataclass(frozen=True)
class ChannelFamily:
    """A law of channels: profiles drawn uniformly from ``profiles``, the RMS delay spread
    log-uniform in [ds_min, ds_max] samples, the timing offset uniform in [to_min, to_max]
    samples, the max Doppler x symbol duration uniform in [0, doppler_max]."""

    name: str
    profiles: tuple = PROFILE_NAMES
    ds_min: float = 0.3
    ds_max: float = 1.2
    to_min: float = 0.0
    to_max: float = 8.0
    doppler_max: float = 0.01

    def describe(self):
        return (
            f"{self.name}: TDL-{'/'.join(self.profiles)} (TR 38.901), RMS delay spread "
            f"log-uniform {self.ds_min:g}..{self.ds_max:g} samples, timing offset uniform "
            f"{self.to_min:g}..{self.to_max:g} samples, max Doppler x symbol time 0.."
            f"{self.doppler_max:g}"
        )

    def draw(self, n, rng):
        n = int(n)
        idx = np.array([PROFILE_NAMES.index(p) for p in self.profiles])
        prof = idx[rng.integers(0, len(idx), n)]
        lo, hi = np.log(self.ds_min), np.log(self.ds_max)
        ds = np.exp(rng.uniform(lo, hi, n)) if hi > lo else np.full(n, self.ds_min)
        to = (
            rng.uniform(self.to_min, self.to_max, n)
            if self.to_max > self.to_min
            else (np.full(n, float(self.to_min)))
        )
        fd = rng.uniform(0.0, self.doppler_max, n) if self.doppler_max > 0 else np.zeros(n)
        return ChannelDraw(prof, ds, to, fd)

    def scaled(self, ds_factor, name=None):
        """The same family with delay spreads times ds_factor (an out-of-distribution test)."""
        return ChannelFamily(
            name or f"{self.name}_ds{ds_factor:g}x",
            self.profiles,
            self.ds_min * ds_factor,
            self.ds_max * ds_factor,
            self.to_min,
            self.to_max,
            self.doppler_max,
        )


#: the shipped families (spec strings of --data ofdm:<name>)
FAMILIES = {
    "mix": ChannelFamily("mix"),
    "nlos": ChannelFamily("nlos", profiles=("A", "B", "C")),
    "los": ChannelFamily("los", profiles=("D", "E")),
    "tdlc": ChannelFamily("tdlc", ("C",), 1.0, 1.0, 0.0, 0.0, 0.0),
}
for _p in PROFILE_NAMES:
    FAMILIES["tdl" + _p.lower()] = ChannelFamily("tdl" + _p.lower(), (_p,), 1.0, 1.0, 0.0, 0.0, 0.0)


def family(name):
    """A shipped ChannelFamily by name (mix, nlos, los, tdla .. tdle) or a ChannelFamily."""
    if isinstance(name, ChannelFamily):
        return name
    key = str(name).lower().replace("-", "")
    if key not in FAMILIES:
        raise ValueError(f"unknown channel family {name!r}: use one of {', '.join(FAMILIES)}")
    return FAMILIES[key]


def tap_basis(draws, layout=DEFAULT_LAYOUT):
    """(G [n, MAX_TAPS, cp_len], powers [n, MAX_TAPS], los [n, MAX_TAPS]): row l of G is the
    sampled sinc of tap l (delay d + ds tau_l) on n = 0 .. cp_len - 1, powers scaled so that
    the expected impulse-response energy is 1 (sum_l P_l |G_l|^2 = 1)."""
    prof = np.asarray(draws.profile)
    tau = _DELAYS[prof] * draws.delay_spread[:, None] + draws.timing_offset[:, None]
    n = np.arange(layout.cp_len)
    g = np.sinc(n[None, None, :] - tau[:, :, None])
    p = _POWERS[prof].copy()
    energy = np.einsum("nl,nlk->n", p, g * g)
    p /= np.maximum(energy, 1e-12)[:, None]
    return g, p, _LOS[prof]


def impulse_responses(draws, rng, layout=DEFAULT_LAYOUT, n_symbols=1):
    """h [n, n_symbols, cp_len] complex: each draw's FIR over n_symbols OFDM symbols
    (Doppler evolution; n_symbols = 1: one snapshot)."""
    g, p, los = tap_basis(draws, layout)
    n, taps = p.shape
    m = np.arange(int(n_symbols), dtype=np.float64)
    fd = draws.doppler[:, None, None]
    # Rayleigh taps: sum of S sinusoids with random arrival angles and phases (Clarke)
    S = 16
    theta = rng.uniform(0, 2 * np.pi, (n, taps, S))
    phi = rng.uniform(0, 2 * np.pi, (n, taps, S))
    if n_symbols == 1:
        ray = (rng.standard_normal((n, taps)) + 1j * rng.standard_normal((n, taps))) * np.sqrt(0.5)
        ray = ray[:, :, None]
    else:
        arg = 2 * np.pi * fd[..., None] * np.cos(theta)[:, :, None, :] * m[None, None, :, None]
        ray = np.exp(1j * (arg + phi[:, :, None, :])).sum(-1) / np.sqrt(S)
    los_phase = rng.uniform(0, 2 * np.pi, (n, taps))
    los_theta = rng.uniform(0, 2 * np.pi, (n, taps))
    spec = np.exp(1j * (los_phase[..., None] + 2 * np.pi * fd * np.cos(los_theta)[..., None] * m))
    a = np.where(los[..., None], spec, ray) * np.sqrt(p)[..., None]  # [n, taps, n_symbols]
    return np.einsum("nlm,nlk->nmk", a, g)


def frequency_response(h, layout=DEFAULT_LAYOUT):
    """H on the active carriers (ascending frequency) of impulse responses h [..., L]."""
    h = np.asarray(h)
    return h @ layout.dft_matrix(h.shape[-1]).T


def covariance(draws, layout=DEFAULT_LAYOUT):
    """Exact covariance E[H H^H] [n, n_active, n_active] of each draw's profile (its
    delays, powers, timing offset; the LOS tap's random phase makes it zero-mean)."""
    g, p, _ = tap_basis(draws, layout)
    B = g @ layout.dft_matrix(g.shape[-1]).T  # [n, taps, n_active]
    return np.einsum("nl,nli,nlj->nij", p, B, B.conj())


def sample(fam, n, rng, layout=DEFAULT_LAYOUT):
    """(H [n, n_active] complex128, draws): n channel snapshots of family ``fam``."""
    fam = family(fam)
    draws = fam.draw(n, rng)
    h = impulse_responses(draws, rng, layout)[:, 0, :]
    return frequency_response(h, layout), draws


def add_noise(H, sigma2, rng):
    """LS estimate of H with noise CN(0, sigma2) per carrier (sigma2 scalar or [n])."""
    s2 = np.asarray(sigma2, dtype=np.float64)
    if s2.ndim:
        s2 = s2.reshape((-1,) + (1,) * (np.ndim(H) - 1))
    n = rng.standard_normal(H.shape) + 1j * rng.standard_normal(H.shape)
    return H + n * np.sqrt(s2 / 2.0)
