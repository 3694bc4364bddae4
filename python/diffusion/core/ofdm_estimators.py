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
- :class:`GridMixtureMmse`      the posterior mean under a discretised channel family (a
                                mixture of Gaussians over profiles x delay spreads x timing
                                offsets, the LOS phase marginalised exactly): the Bayes
                                (MMSE) reference a receiver that does not know the frame's
                                profile can approach
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


class GridMixtureMmse:
    """E[H | y] under a channel family discretised on a grid: the Bayes (MMSE) reference.

    The family's law (``core.ofdm_channels.ChannelFamily``: a profile uniform over
    ``profiles``, the RMS delay spread log-uniform, the timing offset uniform) is replaced by
    equal-weight components at the midpoints of ``n_delay_spreads`` equal-probability bins of
    the delay spread (log scale) and ``n_timing_offsets`` bins of the timing offset, for every
    profile.  Given a component, H = e^{j phi} b + g: g ~ CN(0, R) (the Rayleigh taps,
    ``ofdm_channels.tap_basis``), b the line-of-sight tap of TDL-D/E (fixed magnitude, phase
    phi uniform; b = 0 for NLOS profiles).  The phase is marginalised **exactly** (a von
    Mises integral: the likelihood gains I0(kappa), the component's mean E[e^{j phi} | y] =
    I1/I0(kappa) e^{-j arg S}), so the only approximation is the grid; the Doppler does not
    matter for one snapshot.  Posterior component weights: the prior weight times the
    Gaussian likelihood of y = H + n (n ~ CN(0, sigma2) per carrier), normalised by a running
    log-sum-exp; the estimate is the weighted sum of the component posterior means
    (LMMSE for NLOS components).  With one component without LOS (e.g. ``tdlc``) it is
    :func:`genie_lmmse`.

    Every channel of the family lies in the span of the ``cp_len`` delay columns
    (``layout.dft_matrix()``), so everything is computed in an orthonormal basis Q of that
    span (16 of 52 dimensions): the energy of y outside it is the same for every component
    and cancels in the weights.  One eigendecomposition per component at construction
    (Q^H R Q = V diag(w) V^H), then per call O(frames x components x 16^2).
    """

    def __init__(self, fam, n_delay_spreads=8, n_timing_offsets=17, layout=DEFAULT_LAYOUT):
        from . import ofdm_channels as ch

        fam = ch.family(fam)
        n_ds, n_to = int(n_delay_spreads), int(n_timing_offsets)
        if n_ds < 1 or n_to < 1:
            raise ValueError(f"grid sizes must be >= 1, got {n_delay_spreads}, {n_timing_offsets}")
        self.family = fam
        self.layout = layout
        lo, hi = np.log(fam.ds_min), np.log(fam.ds_max)
        n_ds = n_ds if hi > lo else 1
        n_to = n_to if fam.to_max > fam.to_min else 1
        self.delay_spreads = np.exp(lo + (np.arange(n_ds) + 0.5) * (hi - lo) / n_ds)
        self.timing_offsets = (
            fam.to_min + (np.arange(n_to) + 0.5) * (fam.to_max - fam.to_min) / n_to
        )
        prof = np.array([ch.PROFILE_NAMES.index(p) for p in fam.profiles])
        P, D, T = np.meshgrid(prof, self.delay_spreads, self.timing_offsets, indexing="ij")
        self.draws = ch.ChannelDraw(P.ravel(), D.ravel(), T.ravel(), np.zeros(P.size))
        g, p, los = ch.tap_basis(self.draws, layout)  # [K, taps, cp_len]
        A = layout.dft_matrix()  # [n_active, cp_len]
        self.Q, Rq = np.linalg.qr(A)  # orthonormal basis of the delay columns [n_active, cp]
        # tap l of component k in the basis: Rq g_kl (H = A h = Q Rq h)
        Bq = np.einsum("ij,klj->kli", Rq, g.astype(np.complex128))  # [K, taps, cp]
        pr = np.where(los, 0.0, p)
        R = np.einsum("kl,kli,klj->kij", pr, Bq, Bq.conj())
        w, V = np.linalg.eigh(0.5 * (R + R.conj().transpose(0, 2, 1)))
        self.w = np.maximum(w, 0.0)  # [K, cp]
        self.V = V  # [K, cp, cp]
        b = np.einsum("kl,kli->ki", np.where(los, np.sqrt(p), 0.0), Bq)  # LOS part [K, cp]
        self.c = np.einsum("kij,ki->kj", V.conj(), b)  # V^H b
        self.has_los = np.any(los & (p > 0), axis=1)
        self.log_prior = np.full(len(self.draws), -np.log(len(self.draws)))

    @property
    def n_components(self):
        return len(self.draws)

    def describe(self):
        return (
            f"grid-mixture MMSE on {self.family.name}: {len(self.family.profiles)} profiles x "
            f"{self.delay_spreads.size} delay spreads x {self.timing_offsets.size} timing "
            f"offsets = {self.n_components} components (LOS phase exact)"
        )

    def __call__(self, y, sigma2, return_weights=False):
        """Posterior mean of H for LS taps y [..., n_active] at noise variance sigma2 per
        carrier (scalar or one per row).  return_weights: also the components' posterior
        weights [rows, components] (memory rows x components)."""
        y = np.asarray(y, dtype=np.complex128)
        flat = y.reshape(-1, y.shape[-1])
        n = flat.shape[0]
        s2 = _rows_s2(sigma2, n)[:, None]
        yq = flat @ self.Q.conj()  # Q^H y, rows [n, cp]
        top = np.full(n, -np.inf)  # running max of the log weights
        tot = np.zeros(n)  # sum of exp(log weight - top)
        acc = np.zeros_like(yq)  # sum of exp(log weight - top) x component mean (basis)
        logw = np.empty((n, self.n_components)) if return_weights else None
        one_s2 = bool(np.all(s2 == s2[0]))
        for k in range(self.n_components):
            a = yq @ self.V[k].conj()  # V^H Q^H y
            d = self.w[k][None, :] + (s2[:1] if one_s2 else s2)
            inv = 1.0 / d
            logdet = np.sum(np.log(d), axis=1)  # [1] or [n]
            p2 = a.real**2 + a.imag**2
            quad = p2 @ inv[0] if one_s2 else np.sum(p2 * inv, axis=1)
            ll = self.log_prior[k] - logdet - quad
            gain = self.w[k][None, :] * inv
            mean = gain * a
            if self.has_los[k]:
                c = self.c[k][None, :]
                S = a.conj() @ (c * inv)[0] if one_s2 else np.sum(a.conj() * c * inv, axis=1)
                kappa = 2.0 * np.abs(S)
                log_i0e, ratio = _von_mises_terms(kappa)
                ll = ll + kappa + log_i0e - np.sum(np.abs(c) ** 2 * inv, axis=1)
                phase = np.where(kappa > 0, S.conj() / np.maximum(np.abs(S), 1e-300), 0.0)
                mean = mean + (1.0 - gain) * c * (ratio * phase)[:, None]
            if logw is not None:
                logw[:, k] = ll
            new_top = np.maximum(top, ll)
            scale = np.exp(top - new_top)
            e = np.exp(ll - new_top)
            tot = tot * scale + e
            acc = acc * scale[:, None] + e[:, None] * (mean @ self.V[k].T)
            top = new_top
        out = (acc / tot[:, None]) @ self.Q.T
        out = out.reshape(y.shape)
        if return_weights:
            logw -= logw.max(axis=1, keepdims=True)
            wts = np.exp(logw)
            return out, wts / wts.sum(axis=1, keepdims=True)
        return out


# Hankel's asymptotic series of I0 and I1 (A&S 9.7.1): coefficients of 1/kappa^j
def _hankel(nu, terms=10):
    mu, c, out = 4.0 * nu * nu, 1.0, [1.0]
    for j in range(1, terms):
        c *= -(mu - (2 * j - 1) ** 2) / (j * 8.0)
        out.append(c)
    return np.array(out)


_HANKEL_I0, _HANKEL_I1 = _hankel(0), _hankel(1)
_SERIES_K = np.arange(80)
_LOG_FACT = np.cumsum(np.log(np.maximum(_SERIES_K, 1)))  # log k!


def _von_mises_terms(kappa):
    """(log(I0(kappa)) - kappa, I1(kappa) / I0(kappa)) for kappa >= 0 (array): power series
    below kappa = 30, Hankel's asymptotic series (10 terms, relative error < 1e-13) above."""
    x = np.asarray(kappa, dtype=np.float64)
    log_i0e = np.empty_like(x)
    ratio = np.empty_like(x)
    small = x < 30.0
    if np.any(small):
        xs = x[small][:, None]
        lq = 2.0 * np.log(np.maximum(xs / 2.0, 1e-300))  # log (kappa^2 / 4)
        t0 = _SERIES_K * lq - 2.0 * _LOG_FACT  # log of (kappa^2/4)^k / (k!)^2
        t1 = _SERIES_K * lq - _LOG_FACT - (_LOG_FACT + np.log(_SERIES_K + 1.0))
        i0 = np.exp(t0).sum(1)  # sum_k (kappa^2/4)^k / (k!)^2
        i1 = (xs[:, 0] / 2.0) * np.exp(t1).sum(1)  # (kappa/2) sum_k (kappa^2/4)^k / (k!(k+1)!)
        log_i0e[small] = np.log(i0) - xs[:, 0]
        ratio[small] = i1 / i0
    big = ~small
    if np.any(big):
        xb = x[big]
        inv = (1.0 / xb)[:, None] ** np.arange(_HANKEL_I0.size)
        s0, s1 = inv @ _HANKEL_I0, inv @ _HANKEL_I1
        log_i0e[big] = -0.5 * np.log(2.0 * np.pi * xb) + np.log(s0)
        ratio[big] = s1 / s0
    return log_i0e, ratio


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
