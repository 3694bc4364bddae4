#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Probabilistic constellation shaping: PMFs over the points of a constellation (NumPy only).

Sources of a PMF for a link at a given Es/N0 (= 1/sigma2, sigma2 per complex sample):

uniform               p_i = 1/M.
Maxwell-Boltzmann     p_i ~ exp(-nu |x_i|^2) (x_i the points at unit power under the
                      uniform PMF), nu chosen per Es/N0 to maximise the AWGN mutual
                      information of the constellation rescaled to unit power under p
                      (:func:`optimal_maxwell_boltzmann`).
DDPM                  the transmitter-side use of the DDPM (Letafati et al.): uniform
                      symbols + synthetic AWGN at the link's sigma2, denoised by the
                      model's reverse process (sampler mode 'posterior', 'ddim', 'tweedie'
                      or 'paper', see :mod:`diffusion.core.samplers`), mapped to the nearest
                      constellation point; the histogram is the PMF (:func:`ddpm_pmf`).

A shaped constellation (:class:`ShapedConstellation`) is the base constellation's points
rescaled to unit average power under its PMF, with the base labels.

What to expect from the DDPM PMF (theory, for a perfect network): 'posterior' draws
x0 ~ p(x0 | y) with y ~ p(y), whose marginal is the training prior, i.e. *uniform*; the
nearest-point map changes nothing.  'tweedie' returns E[x0 | y], which is shrunk towards
the origin at low SNR, so the nearest point favours the inner points (a shaping that
looks like Maxwell-Boltzmann at low SNR and tends to uniform at high SNR).  'ddim' lies
in between; 'paper' (x_T = y, all T steps, sigma2 ignored) depends on the schedule.
bench/pcs_mutual_information.py measures what the models actually give.
"""

import errno
import hashlib
import math
import threading
from dataclasses import dataclass, field

import numpy as np

from ..core.constellations import Constellation, by_name
from ..core.information_rate import entropy_bits, mi_awgn
from ..core.model_files import shipped_model
from ..core.samplers import MODES

PMF_SOURCES = ("ddpm", "maxwell_boltzmann", "uniform")
DDPM_MODES = MODES  # the sampler modes (core.samplers)
DEFAULT_SYNTHETIC = 1 << 16


def esn0_to_sigma2(esn0_db):
    return 10.0 ** (-float(esn0_db) / 10.0)


# ------------------------------------------------------------------------------ PMF basics
def normalize_pmf(pmf, m=None):
    p = np.asarray(pmf, dtype=np.float64).reshape(-1)
    if m is not None and p.size != m:
        raise ValueError(f"pmf has {p.size} entries for {m} points")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise ValueError("pmf must be finite, non-negative and not all zero")
    return p / p.sum()


def pmf_identity(pmf=None, counts=None):
    """Short stable identity (12 hex digits) of a PMF or of a CCDM composition."""
    if counts is not None:
        data = b"counts:" + np.asarray(counts, dtype="<i8").tobytes()
    else:
        data = b"pmf:" + np.round(np.asarray(pmf, dtype=np.float64), 12).astype("<f8").tobytes()
    return hashlib.sha1(data).hexdigest()[:12]


@dataclass(frozen=True, eq=False)
class ShapedConstellation:
    """A constellation with a PMF, rescaled to unit average power under that PMF.

    base: the uniform-power :class:`Constellation` (the geometry and Gray labels);
    pmf: float64 [M] (zeros allowed); points: base points * scale, E_pmf |x|^2 = 1;
    labels: base labels; esn0_db: the Es/N0 the PMF was designed for (None if n/a);
    source: 'uniform', 'maxwell_boltzmann', 'ddpm-<mode>', 'custom'; info: extra data.
    """

    base: Constellation
    pmf: np.ndarray
    points: np.ndarray
    scale: float
    esn0_db: object = None
    source: str = "custom"
    info: dict = field(default_factory=dict)

    @classmethod
    def from_pmf(cls, base, pmf, esn0_db=None, source="custom", info=None):
        p = normalize_pmf(pmf, base.order)
        p.setflags(write=False)
        e = float(np.sum(p * np.abs(base.points) ** 2))
        scale = 1.0 / math.sqrt(e)
        pts = (base.points * scale).astype(np.complex128)
        pts.setflags(write=False)
        return cls(base, p, pts, scale, esn0_db, source, dict(info or {}))

    @property
    def order(self):
        return self.base.order

    @property
    def labels(self):
        return self.base.labels

    @property
    def name(self):
        return f"{self.base.name}/{self.source}"

    @property
    def entropy(self):
        """H(pmf) in bits/symbol."""
        return entropy_bits(self.pmf)

    @property
    def identity(self):
        return pmf_identity(self.pmf)

    @property
    def support(self):
        return np.flatnonzero(self.pmf > 0)

    def slice(self, y):
        """Nearest point among the points of non-zero probability (the limit of MAP
        detection for points that are never sent); returns indices into ``points``."""
        sup = self.support
        y = np.asarray(y).reshape(-1)
        out = np.empty(y.shape, dtype=np.int64)
        pts = self.points[sup]
        step = 1 << 15
        for s in range(0, len(y), step):
            d = np.abs(y[s : s + step, None] - pts[None, :]) ** 2
            out[s : s + step] = sup[np.argmin(d, axis=1)]
        return out

    def mi_awgn(self, esn0_db, **kw):
        """I(X;Y) in AWGN at esn0_db (bits/symbol), see :func:`information_rate.mi_awgn`."""
        return mi_awgn(self.points, self.pmf, esn0_db=esn0_db, normalize=False, **kw)

    def sample(self, n, rng):
        """n i.i.d. point indices drawn with the PMF."""
        return rng.choice(self.order, size=int(n), p=self.pmf)


def as_constellation(c):
    if isinstance(c, Constellation):
        return c
    if isinstance(c, ShapedConstellation):
        return c.base
    return by_name(c)


def uniform_pmf(constellation):
    m = as_constellation(constellation).order
    return np.full(m, 1.0 / m)


def uniform(constellation, esn0_db=None):
    c = as_constellation(constellation)
    return ShapedConstellation.from_pmf(c, uniform_pmf(c), esn0_db, "uniform")


# ------------------------------------------------------------------------------ Maxwell-Boltzmann
def maxwell_boltzmann_pmf(constellation, nu):
    """p_i ~ exp(-nu |x_i|^2) over the base (uniform unit-power) points, nu >= 0."""
    c = as_constellation(constellation)
    e = np.abs(c.points) ** 2
    lg = -float(nu) * (e - e.min())
    p = np.exp(lg)
    return p / p.sum()


def _golden_max(f, a, b, tol):
    """Maximum of a unimodal f on [a, b] (golden-section search)."""
    g = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    x = 0.5 * (a + b)
    return x, f(x)


def optimal_maxwell_boltzmann(constellation, esn0_db, nu_max=None, tol=1e-4, order=32):
    """Maxwell-Boltzmann PMF whose nu maximises the AWGN MI at esn0_db (constellation
    rescaled to unit power under the PMF).  Returns a :class:`ShapedConstellation` whose
    info holds 'nu' and 'mi'.

    Search: a coarse grid over nu in [0, nu_max] (default: the nu that makes the outer
    points e^-40 times less likely than the inner ones, i.e. the inner-ring PSK limit),
    then golden-section refinement (to ``tol`` in nu) around the best grid point.  MI(nu)
    is unimodal in practice; the grid guards against flat regions.
    """
    c = as_constellation(constellation)
    e = np.abs(c.points) ** 2
    span = float(e.max() - e.min())
    if nu_max is None:
        nu_max = 40.0 / span if span > 0 else 1.0
    cache = {}

    def mi(nu):
        nu = float(nu)
        if nu not in cache:
            cache[nu] = mi_awgn(
                c.points, maxwell_boltzmann_pmf(c, nu), esn0_db=esn0_db, order=order
            )
        return cache[nu]

    if span == 0:
        nu_best = 0.0
    else:
        # log-spaced grid (the optimum spans decades between high and low SNR) plus 0
        grid = np.concatenate(([0.0], nu_max * np.logspace(-4, 0, 33)))
        vals = [mi(v) for v in grid]
        k = int(np.argmax(vals))
        lo = grid[max(k - 1, 0)]
        hi = grid[min(k + 1, len(grid) - 1)]
        nu_best, _ = _golden_max(mi, lo, hi, tol * max(1.0, hi))
        if mi(nu_best) < vals[k]:
            nu_best = float(grid[k])
    p = maxwell_boltzmann_pmf(c, nu_best)
    return ShapedConstellation.from_pmf(
        c, p, esn0_db, "maxwell_boltzmann", {"nu": float(nu_best), "mi": mi(nu_best)}
    )


# ------------------------------------------------------------------------------ DDPM
def load_model(model):
    """A DDPM model object from a DdpmModel/OracleEpsModel (returned as is), an ONNX path,
    or a shipped-model name ('16qam', ...)."""
    if hasattr(model, "predict_eps") and hasattr(model, "schedule"):
        return model
    import os

    from ..core.onnx_model import DdpmModel

    path = os.fspath(model)
    if not os.path.isfile(path):
        if os.sep in path or path.lower().endswith(".onnx"):
            # a file name, not a shipped-model name: report it as given
            raise FileNotFoundError(errno.ENOENT, "DDPM ONNX model not found", path)
        path = shipped_model(path)
    return DdpmModel(path)


def _model_constellation(model, constellation):
    if constellation is not None:
        return as_constellation(constellation)
    c = getattr(model, "constellation", None)
    if c is None:
        raise ValueError("the model has no constellation_points metadata: pass constellation=")
    return c


def synthetic_rng(seed, esn0_db):
    """The generator of the synthetic symbols of one Es/N0 (independent of call order)."""
    key = int(round((float(esn0_db) + 1000.0) * 1000.0))
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, key])


def ddpm_pmf(
    model,
    esn0_db,
    mode="tweedie",
    n_symbols=DEFAULT_SYNTHETIC,
    seed=0,
    ddim_steps=5,
    constellation=None,
    info=None,
):
    """PMF over the constellation points generated by the DDPM at esn0_db.

    n_symbols synthetic symbols (rounded up to a multiple of M: every point exactly
    n_symbols/M times), plus AWGN of variance sigma2 = 10^(-esn0_db/10) per complex sample
    drawn from :func:`synthetic_rng` (seed, esn0_db), are denoised with
    ``samplers.denoise(model, y, sigma2, mode)`` and mapped to the nearest point of the
    base (uniform unit-power) constellation; the PMF is the frequency of each point.
    info (dict) receives 'clamped' (synthetic samples whose sigma2 lies outside the model's
    schedule: they run at the clamped step), 't' (the matched step), 'calls', 'n'.
    """
    from ..core.samplers import denoise  # noqa: PLC0415  (keeps this module light)

    if mode not in DDPM_MODES:
        raise ValueError(f"unknown sampler mode {mode!r}: use one of {DDPM_MODES}")
    model = load_model(model)
    c = _model_constellation(model, constellation)
    m = c.order
    per = max(1, -(-int(n_symbols) // m))
    idx = np.repeat(np.arange(m), per)
    rng = synthetic_rng(seed, esn0_db)
    s2 = esn0_to_sigma2(esn0_db)
    x = c.points[idx]
    y = x + np.sqrt(s2 / 2.0) * (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))
    sinfo = {}
    x0 = denoise(model, y, s2, mode=mode, steps=ddim_steps, rng=rng, info=sinfo)
    ok = np.isfinite(x0.real) & np.isfinite(x0.imag)
    hat = c.slice(x0[ok])
    counts = np.bincount(hat, minlength=m).astype(np.float64)
    if info is not None:
        t = sinfo.get("t")
        info.update(
            n=int(idx.size),
            clamped=int(sinfo.get("clamped", 0)),
            calls=int(sinfo.get("calls", 0)),
            invalid=int(np.count_nonzero(~ok)),
            t=int(np.max(t)) if t is not None and np.size(t) else None,
            counts=counts.astype(np.int64),
        )
    if counts.sum() == 0:
        raise RuntimeError("the DDPM returned no finite sample")
    return counts / counts.sum()


# ------------------------------------------------------------------------------ providers
class PmfProvider:
    """Shaped constellations for a link SNR, cached over an Es/N0 grid (thread-safe).

    PmfProvider(source, constellation=None, model=None, mode='tweedie', n_symbols=65536,
                seed=0, ddim_steps=5, grid_step_db=0.5)

    source: 'ddpm' (needs ``model``: DdpmModel, ONNX path or shipped name; the
    constellation comes from its metadata unless given), 'maxwell_boltzmann' or
    'uniform' (need ``constellation``, or a model to take it from).
    ``get(esn0_db)`` rounds esn0_db to the grid (grid_step_db; 0 = no rounding) and
    returns the cached :class:`ShapedConstellation` of that grid point, computing it on
    first use.  So the PMF, and its identity, change only when the SNR crosses a grid cell.
    """

    def __init__(
        self,
        source="ddpm",
        constellation=None,
        model=None,
        mode="tweedie",
        n_symbols=DEFAULT_SYNTHETIC,
        seed=0,
        ddim_steps=5,
        grid_step_db=0.5,
    ):
        src = str(source).lower().replace("-", "_")
        if src in ("mb", "maxwell", "boltzmann"):
            src = "maxwell_boltzmann"
        if src not in PMF_SOURCES:
            raise ValueError(f"unknown PMF source {source!r}: use one of {PMF_SOURCES}")
        self.source = src
        self.model = None
        if src == "ddpm":
            if model is None:
                if constellation is None:
                    raise ValueError(
                        "source 'ddpm' needs a model (or a shipped constellation name)"
                    )
                model = as_constellation(constellation).name
            self.model = load_model(model)
            self.constellation = _model_constellation(self.model, constellation)
            if mode not in DDPM_MODES:
                raise ValueError(f"unknown sampler mode {mode!r}: use one of {DDPM_MODES}")
        else:
            if constellation is None:
                if model is None:
                    raise ValueError(f"source {src!r} needs a constellation")
                constellation = _model_constellation(load_model(model), None)
            self.constellation = as_constellation(constellation)
        self.mode = mode
        self.n_symbols = int(n_symbols)
        self.seed = int(seed)
        self.ddim_steps = int(ddim_steps)
        self.grid_step_db = float(grid_step_db)
        if self.grid_step_db < 0 or not math.isfinite(self.grid_step_db):
            raise ValueError("grid_step_db must be >= 0")
        self._cache = {}
        self._lock = threading.Lock()

    def grid_point(self, esn0_db):
        v = float(esn0_db)
        if not math.isfinite(v):
            raise ValueError(f"Es/N0 must be finite, got {esn0_db}")
        if self.grid_step_db > 0:
            v = round(v / self.grid_step_db) * self.grid_step_db
        return round(v, 9) + 0.0

    def cached(self, esn0_db):
        with self._lock:
            return self._cache.get(self.grid_point(esn0_db))

    def get(self, esn0_db):
        g = self.grid_point(esn0_db)
        with self._lock:
            hit = self._cache.get(g)
        if hit is not None:
            return hit
        sc = self._compute(g)
        with self._lock:
            return self._cache.setdefault(g, sc)

    def precompute(self, esn0_grid):
        return [self.get(v) for v in esn0_grid]

    def _compute(self, g):
        c = self.constellation
        if self.source == "uniform":
            return uniform(c, g)
        if self.source == "maxwell_boltzmann":
            return optimal_maxwell_boltzmann(c, g)
        info = {}
        p = ddpm_pmf(self.model, g, self.mode, self.n_symbols, self.seed, self.ddim_steps, c, info)
        info.update(mode=self.mode, seed=self.seed)
        return ShapedConstellation.from_pmf(c, p, g, f"ddpm-{self.mode}", info)

    def describe(self):
        what = self.source
        if self.source == "ddpm":
            what += f" ({self.mode}, {self.n_symbols} synthetic symbols, seed {self.seed})"
        return f"{self.constellation.name}, {what}, Es/N0 grid {self.grid_step_db} dB"


def make_provider(
    constellation, pmf_source, model_path, sampler, n_synthetic, seed, ddim_steps, grid_step_db
):
    """The PmfProvider the PCS blocks build from their parameters.  'ddpm': the model is
    model_path, or the shipped model of ``constellation`` when model_path is '' (the
    constellation then comes from the model's metadata); other sources need the
    constellation (a name or an 'I Q' point file), or 'custom' with a model_path whose
    metadata gives it."""
    src = str(pmf_source).lower().replace("-", "_")
    model, const = None, constellation
    if src == "ddpm":
        model = model_path if model_path else shipped_model(constellation)
        const = None
    elif model_path and (not constellation or str(constellation).lower() == "custom"):
        model, const = model_path, None  # the model file's constellation
    return PmfProvider(
        src,
        constellation=const,
        model=model,
        mode=str(sampler).lower(),
        n_symbols=int(n_synthetic),
        seed=int(seed),
        ddim_steps=int(ddim_steps),
        grid_step_db=float(grid_step_db),
    )
