#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Channel estimators on the active carriers of one OFDM symbol (NumPy; the diffusion one
also onnxruntime).

Every estimator maps the LS estimate y = H + n (complex [..., n_active], ascending frequency;
n ~ CN(0, sigma2) per carrier, docs/ofdm.md) and the noise variance sigma2 (scalar or one per
row) to an estimate of H:

- :func:`ls_estimate`           the LS estimate itself, from a received sync symbol, as
                                GNU Radio's ``ofdm_chanest_vcvc`` computes it (Y / X)
- :class:`DftEstimator`         LS projected onto impulse responses inside the CP
- :class:`LmmseEstimator`       W = R (R + sigma2 I)^-1 for a covariance R: ``robust``
                                (uniform power-delay profile over the CP),
                                ``from_samples`` (a family's sample covariance and mean)
- :func:`genie_lmmse`           per-row LMMSE with the true covariance of each row's profile
- :class:`DiffusionEstimator`   the posterior mean E[H | y] of a learned prior (Tweedie,
                                one network call), or the mean of K posterior samples

and :func:`estimate_noise_variance` / :class:`ChannelPowerTracker` give the block its sigma2
and its channel scale.
"""

import functools

import numpy as np

from .ofdm_carriers import DEFAULT_LAYOUT


def _rows_s2(sigma2, n):
    s2 = np.asarray(sigma2, dtype=np.float64).reshape(-1)
    if s2.size == 1:
        s2 = np.full(n, float(s2[0]))
    if s2.size != n:
        raise ValueError(f"sigma2: a scalar or one value per row ({n}), got {s2.size}")
    return s2


def ls_estimate(received, reference):
    """GNU Radio's LS taps: received / reference on carriers where reference != 0, else 0
    (both complex [..., fft_len] or [..., n_active]; ``ofdm_chanest_vcvc::get_chan_taps``
    without carrier offset)."""
    r = np.asarray(received, dtype=np.complex128)
    x = np.asarray(reference, dtype=np.complex128)
    out = np.zeros(np.broadcast(r, x).shape, dtype=np.complex128)
    nz = np.broadcast_to(x != 0, out.shape)
    np.divide(r, x, out=out, where=nz)
    return out


class DftEstimator:
    """LS + DFT truncation: the least-squares fit of an impulse response h[0 .. L-1] (L =
    cp_len by default) to the LS estimate, H_hat = A (A^H A)^-1 A^H y (A = layout.dft_matrix;
    with 52 of 64 carriers active A^H A is not diagonal, so this is the exact projection)."""

    def __init__(self, layout=DEFAULT_LAYOUT, n_delays=None, first=0):
        A = layout.dft_matrix(n_delays, first)
        self.P = A @ np.linalg.solve(A.conj().T @ A, A.conj().T)  # [n_active, n_active]
        self.rank = A.shape[1]

    def __call__(self, y, sigma2=None):
        return np.asarray(y) @ self.P.T


class LmmseEstimator:
    """H_hat = mu + R (R + sigma2 I)^-1 (y - mu) for a fixed covariance R and mean mu
    (one eigendecomposition, then any sigma2 per row in O(n^2))."""

    def __init__(self, R, mean=None, name="lmmse"):
        R = np.asarray(R, dtype=np.complex128)
        R = 0.5 * (R + R.conj().T)
        w, V = np.linalg.eigh(R)
        self.w = np.maximum(w, 0.0)
        self.V = V
        self.mean = np.zeros(R.shape[0], dtype=np.complex128) if mean is None else np.asarray(mean)
        self.name = name

    @classmethod
    def robust(cls, layout=DEFAULT_LAYOUT, n_delays=None, first=0):
        """Uniform power-delay profile over the CP (delays first .. first + L - 1, default
        0 .. cp_len - 1, power 1/L each)."""
        A = layout.dft_matrix(n_delays, first)
        return cls(A @ A.conj().T / A.shape[1], name="robust_lmmse")

    @classmethod
    def from_samples(cls, H):
        """Sample mean and covariance of channel snapshots H [n, n_active]."""
        H = np.asarray(H, dtype=np.complex128)
        mu = H.mean(0)
        D = H - mu
        return cls(D.T @ D.conj() / max(1, len(H) - 1), mean=mu, name="sample_cov_lmmse")

    def __call__(self, y, sigma2):
        y = np.asarray(y, dtype=np.complex128)
        flat = y.reshape(-1, y.shape[-1])
        s2 = _rows_s2(sigma2, flat.shape[0])
        z = (flat - self.mean) @ self.V.conj()  # V^H (y - mu), rows
        gain = self.w[None, :] / (self.w[None, :] + s2[:, None])
        return (self.mean + (z * gain) @ self.V.T).reshape(y.shape)


def genie_lmmse(y, sigma2, R):
    """Per-row LMMSE with each row's own true covariance R [n, n_active, n_active]
    (zero mean): the exact MMSE for Gaussian (Rayleigh) channels of a known profile."""
    y = np.asarray(y, dtype=np.complex128)
    n, m = y.shape
    s2 = _rows_s2(sigma2, n)
    A = R + s2[:, None, None] * np.eye(m)[None]
    x = np.linalg.solve(A, y[..., None])
    return (R @ x)[..., 0]


def nmse_db(estimate, truth):
    """10 log10( sum |H_hat - H|^2 / sum |H|^2 ) over everything given."""
    e = np.sum(np.abs(np.asarray(estimate) - truth) ** 2)
    return 10.0 * np.log10(e / np.sum(np.abs(truth) ** 2))


# ------------------------------------------------------------------ what the block measures
def estimate_noise_variance(
    ls_taps, null_values=None, layout=DEFAULT_LAYOUT, n_delays=None, first=0
):
    """sigma2 per carrier from one frame: the LS estimate's energy outside impulse
    responses on delays first .. first + n_delays - 1 (default 0 .. cp_len - 1; the residual
    of :class:`DftEstimator`: n_active - n_delays complex degrees of freedom of pure noise
    when the channel lies there), pooled with the power of the null carriers' samples
    (``null_values``, any shape; pure noise after the FFT when there is no carrier leakage).
    ls_taps: [n_active] or [n, n_active].  Returns a float or [n] (unbiased for such
    channels; relative standard deviation 1/sqrt(dof)).  The block widens the window to
    delays -4 .. cp_len + 3: GNU Radio's Schmidl & Cox sync starts the FFT window anywhere
    from ~0 to ~11 samples early (measured), which moves the channel by as much."""
    y = np.asarray(ls_taps, dtype=np.complex128)
    flat = y.reshape(-1, y.shape[-1])
    dft = _cached_dft(layout, n_delays, int(first))
    res = flat - flat @ dft.P.T
    energy = np.sum(np.abs(res) ** 2, axis=-1)
    dof = np.full(flat.shape[0], float(flat.shape[-1] - dft.rank))
    if null_values is not None:
        nv = np.asarray(null_values, dtype=np.complex128).reshape(flat.shape[0], -1)
        energy = energy + np.sum(np.abs(nv) ** 2, axis=-1)
        dof = dof + nv.shape[-1]
    s2 = energy / dof
    return float(s2[0]) if y.ndim == 1 else s2


@functools.lru_cache(maxsize=16)
def _cached_dft(layout, n_delays, first):
    """One projector per (layout, delay window): building it costs ~5 ms, a frame ~50 us."""
    return DftEstimator(layout, n_delays, first)


class ChannelPowerTracker:
    """The channel's ensemble power (the scale the prior was trained at, E|H|^2 = 1), tracked
    over frames: P_k = (1 - w_k) P_(k-1) + w_k max(mean|y|^2 - sigma2, floor) with
    w_k = max(alpha, 1/k) (the plain mean of the first 1/alpha frames, then exponential
    forgetting).  ``fixed`` > 0: a known power, never updated."""

    def __init__(self, alpha=0.05, fixed=0.0, floor_ratio=1e-3):
        if not 0.0 < float(alpha) <= 1.0:
            raise ValueError(f"power alpha must be in (0, 1], got {alpha}")
        if float(fixed) < 0 or not np.isfinite(fixed):
            raise ValueError(f"channel power must be >= 0 (0: track), got {fixed}")
        self.alpha = float(alpha)
        self.fixed = float(fixed)
        self.floor_ratio = float(floor_ratio)
        self.power = self.fixed if self.fixed > 0 else None
        self.frames = 0

    def update(self, ls_taps, sigma2):
        if self.fixed > 0:
            return self.fixed
        m = float(np.mean(np.abs(np.asarray(ls_taps)) ** 2))
        p = max(m - float(sigma2), self.floor_ratio * max(m, 1e-30))
        self.frames += 1
        w = max(self.alpha, 1.0 / self.frames)
        self.power = p if self.power is None else (1 - w) * self.power + w * p
        return self.power


class DiffusionEstimator:
    """Posterior mean of H under a learned prior (a gr-diffusion window model whose window
    is the active carriers, ascending frequency; trained on channels of ensemble power 1).

    y is divided by sqrt(power) (the channel's ensemble power; 1 in the benchmark), denoised
    at sigma2 / power with ``core.samplers.denoise`` (``tweedie``: one network call, the
    MMSE estimate the network approximates; ``posterior`` with k > 1 samples: their mean)
    and scaled back.  Rows are frames.
    """

    def __init__(self, model, layout=DEFAULT_LAYOUT):
        from . import onnx_model

        self.model = onnx_model.load(model) if isinstance(model, str) else model
        self.layout = layout
        check_model_layout(self.model.metadata, layout, getattr(self.model, "path", "model"))

    def __call__(self, y, sigma2, power=1.0, mode="tweedie", k=1, rng=None):
        from .samplers import denoise

        y = np.asarray(y, dtype=np.complex128)
        flat = y.reshape(-1, y.shape[-1])
        n, m = flat.shape
        pw = _rows_s2(power, n)
        s2 = _rows_s2(sigma2, n) / pw
        scale = np.sqrt(pw)[:, None]
        x = flat / scale
        s2c = np.repeat(s2, m)
        if mode == "tweedie" or k <= 1:
            out = denoise(self.model, x.reshape(-1), s2c, mode=mode, rng=rng).reshape(n, m)
        else:
            rng = np.random.default_rng() if rng is None else rng
            xs = np.tile(x.reshape(-1), int(k))
            d = denoise(self.model, xs, np.tile(s2c, int(k)), mode=mode, rng=rng)
            out = d.reshape(int(k), n, m).mean(0)
        return (out.astype(np.complex128) * scale).reshape(y.shape)


def prior_misfit(y, estimate, sigma2, threshold=2.0):
    """Frames whose LS estimate the prior does not explain: the residual |y - H_hat|^2 per
    carrier above ``threshold`` x sigma2.  For a channel from the prior the posterior mean
    leaves a residual of at most sigma2 per carrier on average (52 carriers: a chi-square
    whose standard deviation is ~0.2 sigma2), so 2 sigma2 flags channels outside the
    training law (e.g. a timing offset that moves paths beyond the trained delays), not
    noise.  Returns bool [n]."""
    y = np.asarray(y).reshape(-1, np.shape(y)[-1])
    r = np.mean(np.abs(y - np.asarray(estimate).reshape(y.shape)) ** 2, axis=1)
    return r > float(threshold) * _rows_s2(sigma2, y.shape[0])


def check_model_layout(meta, layout, where="model"):
    """A model file's OFDM metadata must match the block's layout: ValueError naming both."""
    from .ofdm_carriers import parse_carriers

    if "ofdm_fft_len" not in meta:
        raise ValueError(
            f"{where}: not an OFDM channel model (no ofdm_fft_len / ofdm_active_carriers metadata)"
        )
    fft_len = int(meta["ofdm_fft_len"])
    act = parse_carriers(meta.get("ofdm_active_carriers", ""))
    if fft_len != layout.fft_len:
        raise ValueError(
            f"{where}: the model is for fft_len {fft_len}, the block has fft_len {layout.fft_len}"
        )
    if act.size != layout.n_active or np.any(act != layout.active):
        raise ValueError(
            f"{where}: the model's active carriers ({act.size}: "
            f"{_span(act)}) differ from the block's ({layout.n_active}: "
            f"{_span(layout.active)})"
        )


def _span(a):
    a = list(int(v) for v in a)
    return ", ".join(map(str, a)) if len(a) <= 8 else f"{a[0]}, {a[1]}, ... {a[-2]}, {a[-1]}"
