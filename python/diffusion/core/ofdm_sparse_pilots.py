#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Sparse pilots: the channel on all active carriers from a comb of observed carriers
(NumPy; the diffusion sampler also onnxruntime).  docs/ofdm.md, issue 24 item 4.

Observation: y_p = H_p + n_p on the pilot set P only (:func:`comb_pilots`: every
``spacing``-th active carrier plus the frame's pilot carriers; 17 of 52 by default),
n ~ CN(0, sigma2) per carrier, H of ensemble power 1 (rows are frames, ascending frequency
as in :mod:`ofdm_estimators`).  Estimators of the whole H [n, n_active]:

- :func:`linear_interpolation`  LS at the pilots, linear in frequency between them (real and
                                imaginary parts; held constant beyond the outermost pilots)
- :class:`PilotLmmse`           LMMSE interpolation H = mu + R_AP (R_PP + sigma2 I)^-1 (y - mu_P)
                                for a covariance R: ``robust`` (uniform profile over the CP)
                                or ``from_samples`` (a family's sample covariance)
- :class:`PilotGuidedSampler`   posterior sampling with the learned prior and the pilots'
                                Gaussian likelihood, averaged over K samples.

The sampler, "pilot-guided DDIM" (no network gradient: the shipped model is ONNX): DDIM from
pure noise at t = T down to 0 on ``steps`` steps.  At each step the network's x0 estimate
(Tweedie) is fused with the pilots in closed form, as two Gaussian measurements of H_p:
x0_p <- x0_p + w v_t / (v_t + sigma2) (y_p - x0_p), with v_t = r_t / (1 + r_t) the MMSE of a
unit-power carrier seen at the step's noise r_t = (1 - abar_t) / abar_t (the x0 estimate's
error variance) and w the guidance weight (w = 1: the exact Gaussian product); then the step
to t-1 keeps the implied noise direction (eps recomputed from the fused x0) and, with
eta > 0, re-draws a fraction of it (eta = 1: ancestral-like).  The unobserved carriers learn
the pilots through the network at the next step.  This is the likelihood step of diffusion
posterior sampling done exactly for a linear Gaussian observation (the range-space update
of DDNM+ / Pi-GDM with a scalar error model) instead of by back-propagating through the
network.  The step count, w and eta are chosen on a validation split (bench/ofdm_channel.py
--sparse-validate), never on the test frames, and stored beside the model
(:func:`sparse_config_path`: ``models/ofdm/ofdm_mix.sparse.json``), where the block and the
benchmark read them (:func:`validated_config`).
"""

import json
import os

import numpy as np

from .ofdm_carriers import DEFAULT_LAYOUT
from .ofdm_estimators import _rows_s2

DEFAULT_SPACING = 4
SPARSE_CONFIG_SUFFIX = ".sparse.json"  # beside the model: <model stem>.sparse.json
CONFIG_KEYS = ("steps", "guidance", "eta", "k")


def sparse_config_path(model_path):
    """Where a model's validated sampler configuration lives: the model file's path with
    ``.onnx`` replaced by ``.sparse.json`` (written by bench/ofdm_channel.py
    --sparse-validate, installed with the model)."""
    p = os.fspath(model_path)
    return (p[:-5] if p.endswith(".onnx") else p) + SPARSE_CONFIG_SUFFIX


def validated_config(model_path):
    """The sampler configuration chosen on validation frames for this model: a dict with
    ``steps``, ``guidance``, ``eta`` and ``k`` (the ``chosen`` entry of
    :func:`sparse_config_path`).  ValueError naming the file when there is none (a model
    that was never validated for sparse pilots) or it lacks a key."""
    path = sparse_config_path(model_path)
    try:
        with open(path) as fh:
            chosen = json.load(fh)["chosen"]
        return {key: chosen[key] for key in CONFIG_KEYS}
    except FileNotFoundError:
        raise ValueError(
            f"no validated sparse-pilot configuration {path} for model {model_path} "
            "(bench/ofdm_channel.py --sparse-validate --model <it> writes one)"
        ) from None
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{path}: not a sparse-pilot configuration ({e!r})") from None


def comb_pilots(layout=DEFAULT_LAYOUT, spacing=DEFAULT_SPACING):
    """Indices (into the active carriers, ascending) of the observed carriers: every
    ``spacing``-th active carrier from the lowest, plus the layout's pilot carriers."""
    if int(spacing) < 1:
        raise ValueError(f"pilot spacing must be >= 1, got {spacing}")
    comb = np.arange(0, layout.n_active, int(spacing))
    pil = np.searchsorted(layout.active, np.asarray(layout.pilots))
    return np.unique(np.concatenate([comb, pil])).astype(np.int64)


def _rows(y_p, n_p):
    y = np.asarray(y_p, dtype=np.complex128)
    if y.shape[-1] != n_p:
        raise ValueError(f"pilot observations must have {n_p} values per row, got {y.shape[-1]}")
    return y.reshape(-1, n_p)


def linear_interpolation(y_p, pilots, layout=DEFAULT_LAYOUT):
    """LS at the pilots, linearly interpolated over carrier frequency (the signed carrier
    number, so the DC gap counts), constant beyond the outermost pilots.  y_p [..., P]."""
    pilots = np.asarray(pilots)
    y = _rows(y_p, pilots.size)
    kp = layout.active[pilots].astype(np.float64)
    ka = layout.active.astype(np.float64)
    out = np.empty((y.shape[0], layout.n_active), dtype=np.complex128)
    for i, row in enumerate(y):
        out[i] = np.interp(ka, kp, row.real) + 1j * np.interp(ka, kp, row.imag)
    return out.reshape(np.shape(y_p)[:-1] + (layout.n_active,))


class PilotLmmse:
    """LMMSE interpolation from the pilots: H = mu + R[:, P] (R[P, P] + sigma2 I)^-1 (y_p - mu_P)
    (one eigendecomposition of R[P, P], then any sigma2 per row)."""

    def __init__(self, R, pilots, mean=None, name="pilot_lmmse"):
        R = np.asarray(R, dtype=np.complex128)
        R = 0.5 * (R + R.conj().T)
        self.pilots = np.asarray(pilots, dtype=np.int64)
        Rpp = R[np.ix_(self.pilots, self.pilots)]
        w, V = np.linalg.eigh(Rpp)
        self.w = np.maximum(w, 0.0)
        self.V = V
        self.G = R[:, self.pilots] @ V  # R_AP V
        self.mean = np.zeros(R.shape[0], dtype=np.complex128) if mean is None else np.asarray(mean)
        self.name = name

    @classmethod
    def robust(cls, pilots, layout=DEFAULT_LAYOUT):
        """Uniform power-delay profile over the CP (power 1 / cp_len per delay)."""
        A = layout.dft_matrix()
        return cls(A @ A.conj().T / A.shape[1], pilots, name="robust_pilot_lmmse")

    @classmethod
    def from_samples(cls, H, pilots):
        """Sample mean and covariance of channel snapshots H [n, n_active]."""
        H = np.asarray(H, dtype=np.complex128)
        mu = H.mean(0)
        D = H - mu
        R = D.T @ D.conj() / max(1, len(H) - 1)
        return cls(R, pilots, mean=mu, name="sample_cov_pilot_lmmse")

    def __call__(self, y_p, sigma2):
        y = _rows(y_p, self.pilots.size)
        s2 = _rows_s2(sigma2, y.shape[0])
        z = (y - self.mean[self.pilots]) @ self.V.conj()  # V^H (y - mu_P), rows
        z = z / (self.w[None, :] + s2[:, None])
        out = self.mean + z @ self.G.T
        return out.reshape(np.shape(y_p)[:-1] + (self.mean.size,))


class PilotGuidedSampler:
    """Pilot-guided DDIM with a learned channel prior (module doc): the mean of K posterior
    samples of H given the pilots.

    model: a window model over the active carriers (``onnx_model.DdpmModel`` or anything with
    ``schedule`` and ``predict_eps``), trained at ensemble power 1; y_p is divided by
    sqrt(power) and sigma2 by power, the estimate scaled back.
    """

    def __init__(self, model, pilots, layout=DEFAULT_LAYOUT, error_cov=None):
        from .ofdm_estimators import check_model_layout

        if isinstance(model, str):
            from . import onnx_model

            model = onnx_model.load(model)
        self.model = model
        self.layout = layout
        self.pilots = np.asarray(pilots, dtype=np.int64)
        meta = getattr(model, "metadata", None)
        if meta is not None:
            check_model_layout(meta, layout, getattr(model, "path", "model"))
        self.error_cov = None
        if error_cov is not None:  # C: the x0 estimate's error is CN(0, v_t C)
            C = np.asarray(error_cov, dtype=np.complex128)
            C = 0.5 * (C + C.conj().T)
            Cpp = C[np.ix_(self.pilots, self.pilots)]
            w, V = np.linalg.eigh(Cpp)
            self._cw, self._cV = np.maximum(w, 0.0), V
            self._cG = C[:, self.pilots] @ V  # C_AP V
            self.error_cov = C

    @classmethod
    def with_robust_error(cls, model, pilots, layout=DEFAULT_LAYOUT):
        """The x0 estimate's error spread over the carriers as a channel with a uniform
        power-delay profile over the CP (the robust LMMSE's covariance)."""
        A = layout.dft_matrix()
        return cls(model, pilots, layout, error_cov=A @ A.conj().T / A.shape[1])

    def _fuse(self, x0, yn, s2, v, guidance):
        """The pilots' Gaussian likelihood step on the x0 estimate (in place)."""
        P = self.pilots
        if self.error_cov is None:  # scalar error model: the pilot carriers only
            gain = np.minimum(guidance * v / (v + s2), 1.0)
            x0[:, P] += gain * (yn - x0[:, P])
            return
        # x0 += w v C_AP (v C_PP + s2 I)^-1 (y - x0_P)
        z = (yn - x0[:, P]) @ self._cV.conj()
        z = z * (guidance * v / (v * self._cw[None, :] + s2))
        x0 += z @ self._cG.T

    def _eps(self, x, t):
        n, m = x.shape
        rails = np.empty((n * m, 2), dtype=np.float32)
        rails[:, 0] = x.real.reshape(-1)
        rails[:, 1] = x.imag.reshape(-1)
        e = np.asarray(self.model.predict_eps(rails, np.full(n * m, int(t), dtype=np.int64)))
        return (e[:, 0].astype(np.float64) + 1j * e[:, 1]).reshape(n, m)

    def sample(self, y_p, sigma2, steps=20, guidance=1.0, eta=0.0, rng=None, power=1.0):
        """One posterior sample per row (eta = 0: deterministic given the start noise)."""
        sched = self.model.schedule
        y = _rows(y_p, self.pilots.size)
        n, m = y.shape[0], self.layout.n_active
        pw = _rows_s2(power, n)
        if np.any(pw <= 0):
            raise ValueError("channel power must be > 0")
        s2 = _rows_s2(sigma2, n)
        if not np.all(np.isfinite(s2)) or np.any(s2 < 0):
            raise ValueError("sigma2 must be finite and >= 0")
        s2 = (s2 / pw)[:, None]
        yn = y / np.sqrt(pw)[:, None]
        k = int(steps)
        if k < 1 or k > sched.T:
            raise ValueError(f"steps must be in 1..{sched.T}, got {steps}")
        if not np.isfinite(guidance) or guidance < 0 or not 0.0 <= float(eta) <= 1.0:
            raise ValueError("guidance must be >= 0 and eta in [0, 1]")
        rng = np.random.default_rng() if rng is None else rng
        full = np.concatenate(([1.0], sched.abar))
        grid = np.unique(np.rint(np.linspace(0, sched.T, k + 1)).astype(np.int64))[::-1]
        x = _cnoise(rng, (n, m))  # x_T: abar_T ~ 1e-3, i.e. noise
        for t, s in zip(grid[:-1], grid[1:]):
            ab_t, ab_s = full[t], full[s]
            eps = self._eps(x, t)
            x0 = (x - np.sqrt(1.0 - ab_t) * eps) / np.sqrt(ab_t)
            r = (1.0 - ab_t) / ab_t
            v = r / (1.0 + r)  # error variance of the x0 estimate (unit-power carriers)
            self._fuse(x0, yn, s2, v, guidance)
            if s == 0:
                x = x0
                break
            eps = (x - np.sqrt(ab_t) * x0) / np.sqrt(1.0 - ab_t)
            # DDIM with stochasticity eta (Song et al. 2021, eq. 12)
            sd = eta * np.sqrt((1.0 - ab_s) / (1.0 - ab_t) * (1.0 - ab_t / ab_s))
            dirn = np.sqrt(np.maximum(1.0 - ab_s - sd**2, 0.0)) * eps
            x = np.sqrt(ab_s) * x0 + dirn + (sd * _cnoise(rng, (n, m)) if sd > 0 else 0.0)
        return x * np.sqrt(pw)[:, None]

    def __call__(self, y_p, sigma2, k=4, steps=20, guidance=1.0, eta=1.0, rng=None, power=1.0):
        """The mean of k posterior samples [n, n_active] (an estimate of E[H | y_p])."""
        rng = np.random.default_rng() if rng is None else rng
        y = _rows(y_p, self.pilots.size)
        n = y.shape[0]
        s2 = np.tile(_rows_s2(sigma2, n), int(k))
        pw = np.tile(_rows_s2(power, n), int(k))
        xs = self.sample(np.tile(y, (int(k), 1)), s2, steps, guidance, eta, rng, pw)
        out = xs.reshape(int(k), n, -1).mean(0)
        return out.reshape(np.shape(y_p)[:-1] + (self.layout.n_active,))


def _cnoise(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * np.sqrt(0.5)
