#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Training of the eps-network (PyTorch).  CLI: ``python -m diffusion.train``.

Forward process (see :mod:`diffusion.core.schedules`): x_t = sqrt(abar_t) x0 + sqrt(1-abar_t) eps
with complex eps, E|eps|^2 = 1, i.e. each rail N(0, 1/2).  As tensors, x0/eps/x_t are
float [B, 2] = (Re, Im).

Data sources (:func:`make_source`): a constellation name ('qpsk', '16qam', '64qam', '256qam',
'8psk', ...) or 'I Q' point file (uniform over points, fresh every batch); 'swissroll'
(2-D toy, scaled to unit average power); IQ recordings: raw complex64 (.cf32/.c64/.fc32/
.iq/.bin/.raw/.dat) or SigMF (.sigmf-meta/.sigmf-data, cf32/ci16/ci8/cu8, le/be), normalised
to unit average power.

Window models (``TrainConfig.window`` = W >= 2, :class:`~.network.WindowEpsNetwork`): x0/eps/x_t
are float [B, W, 2], every symbol of a window noised at the window's one step t; sources
:func:`make_window_source` (constellation windows with phase noise, carrier offset and a
random initial phase, :mod:`.windows`; or windows cut from a recording).
"""

import csv
import json
import math
import os
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from ..core import constellations as _const
from ..core.schedules import make_schedule
from . import windows as _win
from .network import EpsNetwork, WindowEpsNetwork, count_parameters


# ---------------------------------------------------------------------------- data sources
class ConstellationSource:
    kind = "constellation"

    def __init__(self, constellation, pmf=None):
        self.constellation = constellation
        self.name = constellation.name
        pts = constellation.points
        self.points = torch.tensor(np.stack([pts.real, pts.imag], axis=1), dtype=torch.float32)
        self.pmf = (
            None
            if pmf is None
            else torch.tensor(np.asarray(pmf) / np.sum(pmf), dtype=torch.float32)
        )
        self.description = (
            f"{constellation.name}: {len(pts)} points, uniform prior, unit "
            f"average power, fresh symbols every batch"
        )

    def sample(self, n, gen):
        if self.pmf is None:
            idx = torch.randint(len(self.points), (n,), generator=gen)
        else:
            idx = torch.multinomial(self.pmf, n, replacement=True, generator=gen)
        return self.points[idx]


class SwissRollSource:
    """Swiss roll of the DDPM tutorial (sklearn make_swiss_roll(noise=1.0)[:, [0, 2]] / 10),
    re-implemented in torch and rescaled to unit average power E|x|^2 = 1."""

    kind = "swissroll"
    constellation = None
    name = "swissroll"

    def __init__(self, noise=1.0):
        self.noise = float(noise)
        g = torch.Generator().manual_seed(12345)
        x = self._raw(1 << 20, g)
        self.scale = float(1.0 / torch.sqrt((x**2).sum(1).mean()))
        self.description = (
            f"swiss roll (tutorial: t = 1.5 pi (1 + 2u), (t cos t, t sin t) "
            f"+ N(0, {self.noise}^2) per axis, /10), scaled by "
            f"{self.scale:.6f} to unit average power"
        )

    def _raw(self, n, gen):
        t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=gen, dtype=torch.float64))
        x = torch.stack([t * torch.cos(t), t * torch.sin(t)], 1)
        x = x + self.noise * torch.randn(n, 2, generator=gen, dtype=torch.float64)
        return x / 10.0

    def sample(self, n, gen):
        return (self._raw(n, gen) * self.scale).float()


_RAW_EXT = (".cf32", ".c64", ".fc32", ".iq", ".bin", ".raw", ".dat", ".cfile")


def read_iq(path):
    """complex128 samples of a raw complex64 file or a SigMF recording."""
    if path.endswith(".sigmf-meta") or path.endswith(".sigmf-data") or path.endswith(".sigmf"):
        base = path.rsplit(".", 1)[0]
        meta_p, data_p = base + ".sigmf-meta", base + ".sigmf-data"
        try:
            with open(meta_p) as f:
                meta = json.load(f)
        except (OSError, ValueError) as e:
            raise ValueError(f"{meta_p}: cannot read SigMF metadata ({e})") from e
        dt = str(meta.get("global", {}).get("core:datatype", ""))
        table = {"cf32": "f4", "ci32": "i4", "ci16": "i2", "ci8": "i1", "cu8": "u1", "cf64": "f8"}
        base_t = dt.split("_")[0]
        if base_t not in table:
            raise ValueError(
                f"{meta_p}: unsupported SigMF datatype {dt!r} (need complex: {', '.join(table)})"
            )
        endian = ">" if dt.endswith("_be") else "<"
        raw = np.fromfile(data_p, dtype=np.dtype(endian + table[base_t])).astype(np.float64)
        if base_t == "cu8":
            raw -= 127.5
        raw = raw[: len(raw) // 2 * 2]
        return raw[0::2] + 1j * raw[1::2]
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    return np.fromfile(path, dtype=np.complex64).astype(np.complex128)


class RecordingSource:
    kind = "recording"
    constellation = None

    def __init__(self, path, normalize=True):
        z = read_iq(path)
        z = z[np.isfinite(z)]
        if len(z) < 16:
            raise ValueError(f"{path}: too few IQ samples ({len(z)})")
        self.scale = float(1.0 / np.sqrt(np.mean(np.abs(z) ** 2))) if normalize else 1.0
        z = z * self.scale
        self.data = torch.tensor(np.stack([z.real, z.imag], 1), dtype=torch.float32)
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.description = (
            f"IQ recording {os.path.basename(path)}: {len(z)} samples, scaled by "
            f"{self.scale:.6g} to unit average power"
        )

    def __len__(self):
        return len(self.data)

    def sample(self, n, gen):
        return self.data[torch.randint(len(self.data), (n,), generator=gen)]


def make_source(spec):
    """Data source from a name/path (see module docstring)."""
    s = str(spec)
    if s.lower() in ("swissroll", "swiss_roll", "swiss-roll"):
        return SwissRollSource()
    low = s.lower()
    if os.path.isfile(s) and (low.endswith(_RAW_EXT) or ".sigmf" in low):
        return RecordingSource(s)
    if low.endswith(".sigmf-meta") or low.endswith(".sigmf-data"):
        return RecordingSource(s)
    return ConstellationSource(_const.by_name(s))


# ---------------------------------------------------------------------------- window sources
def _np_rng(gen):
    """A NumPy generator seeded from the torch generator (reproducible, resumable)."""
    return np.random.default_rng(int(torch.randint(0, 2**62, (1,), generator=gen).item()))


def _rails(z):
    return torch.tensor(np.stack([z.real, z.imag], -1), dtype=torch.float32)


class WindowSource:
    """Windows [n, W, 2] of clean constellation symbols; phase=True: rotated by a Wiener
    phase + carrier offset + uniform initial phase (:func:`.windows.clean_windows`)."""

    kind = "windows"

    def __init__(
        self,
        constellation,
        window,
        phase=True,
        lw_min=_win.LW_RANGE[0],
        lw_max=_win.LW_RANGE[1],
        f_max=_win.F_MAX,
    ):
        self.constellation = constellation
        self.window = int(window)
        self.phase = bool(phase)
        self.lw_min, self.lw_max, self.f_max = float(lw_min), float(lw_max), float(f_max)
        self.name = constellation.name + ("_pn" if self.phase else "")
        pts = constellation.points
        if self.phase:
            how = (
                f"rotated by exp(j theta_k): Wiener phase noise, increment variance 2 pi lw "
                f"rad^2/symbol, lw log-uniform in [{self.lw_min:g}, {self.lw_max:g}] per "
                f"window; residual carrier offset uniform in +-{self.f_max:g} "
                f"cycles/symbol; uniform initial phase"
            )
        else:
            how = "unrotated"
        self.description = (
            f"{constellation.name}: windows of {self.window} i.i.d. uniform symbols "
            f"({len(pts)} points, unit average power), {how}; fresh windows every batch"
        )

    def sample(self, n, gen):
        z = _win.clean_windows(
            self.constellation,
            n,
            self.window,
            _np_rng(gen),
            lw_min=self.lw_min,
            lw_max=self.lw_max,
            f_max=self.f_max,
            rotate=self.phase,
        )
        return _rails(z)


class SdpskWindowSource(WindowSource):
    """Windows [n, W, 2] of SDPSK sequences (:func:`.windows.sdpsk_windows`: consecutive
    symbols differ by +-90 degrees, random bits), with the phase model of
    :class:`WindowSource`.  Constellation metadata: QPSK at 45 degrees (where the symbols
    lie); data name 'sdpsk_pn' ('sdpsk' unrotated)."""

    def __init__(self, window, phase=True, **kw):
        super().__init__(_const.by_name("qpsk"), window, phase, **kw)
        self.name = "sdpsk" + ("_pn" if self.phase else "")
        self.description = self.description.replace(
            f"qpsk: windows of {self.window} i.i.d. uniform symbols (4 points, unit average power)",
            f"sdpsk: windows of {self.window} SDPSK symbols (x_k = x_(k-1) * (+-j), random "
            f"bits, x_0 uniform on the 4 QPSK points at 45 degrees, unit power)",
        )

    def sample(self, n, gen):
        z = _win.sdpsk_windows(
            n,
            self.window,
            _np_rng(gen),
            lw_min=self.lw_min,
            lw_max=self.lw_max,
            f_max=self.f_max,
            rotate=self.phase,
        )
        return _rails(z)


class RecordingWindowSource:
    """Windows [n, W, 2] of consecutive samples of a recording (unit average power), random
    offsets, random 90-degree rotations (:func:`.windows.recording_windows`)."""

    kind = "recording_windows"
    constellation = None

    def __init__(self, path, window, normalize=True):
        z = read_iq(path)
        if np.any(~np.isfinite(z)):
            raise ValueError(f"{path}: NaN/Inf samples (windows must be consecutive: cut them)")
        if len(z) < max(16, int(window)):
            raise ValueError(f"{path}: too few IQ samples ({len(z)}) for windows of {window}")
        self.scale = float(1.0 / np.sqrt(np.mean(np.abs(z) ** 2))) if normalize else 1.0
        self.data = z * self.scale
        self.window = int(window)
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.description = (
            f"IQ recording {os.path.basename(path)}: {len(z)} samples, scaled by "
            f"{self.scale:.6g} to unit average power; windows of {self.window} consecutive "
            f"samples at random offsets, random 90-degree rotations"
        )

    def __len__(self):
        return len(self.data) // self.window

    def sample(self, n, gen):
        return _rails(_win.recording_windows(self.data, self.window, n, _np_rng(gen)))


def make_window_source(
    spec, window, lw_min=_win.LW_RANGE[0], lw_max=_win.LW_RANGE[1], f_max=_win.F_MAX
):
    """Window source of ``--data`` in window mode: '<constellation>+pn' (phase noise, carrier
    offset, initial phase as :class:`WindowSource`), '<constellation>' (unrotated windows),
    'sdpsk+pn' / 'sdpsk' (SDPSK sequences, :class:`SdpskWindowSource`),
    or a recording path (:class:`RecordingWindowSource`)."""
    s = str(spec)
    low = s.lower()
    if low.startswith("ofdm:"):  # OFDM channel priors (docs/ofdm.md)
        from .ofdm_source import OfdmChannelSource

        return OfdmChannelSource(s)
    if os.path.isfile(s) and (low.endswith(_RAW_EXT) or ".sigmf" in low):
        return RecordingWindowSource(s, window)
    if low.endswith(".sigmf-meta") or low.endswith(".sigmf-data"):
        return RecordingWindowSource(s, window)
    parts = [p.strip() for p in s.split("+")]
    extra = [p for p in parts[1:] if p.lower() not in ("pn", "phase_noise")]
    if extra or len(parts) > 2:
        raise ValueError(
            f"window data {s!r}: use '<constellation>+pn', '<constellation>' or a recording "
            f"(phase-noise range and carrier offset: --lw-range, --cfo-max)"
        )
    phase = len(parts) == 2
    if parts[0].lower() == "sdpsk":
        return SdpskWindowSource(window, phase, lw_min=lw_min, lw_max=lw_max, f_max=f_max)
    return WindowSource(_const.by_name(parts[0]), window, phase, lw_min, lw_max, f_max)


# ---------------------------------------------------------------------------- training
@dataclass
class TrainConfig:
    data: str = "16qam"
    schedule: str = "wide"
    T: int = 100
    hidden: int = 128
    depth: int = 3
    parameterization: str = "eps"
    steps: int = 4000
    batch: int = 4096
    lr: float = 1e-3
    lr_final: float = 1e-5  # cosine decay of the learning rate to this value
    ema: float = 0.999
    seed: int = 0
    device: str = "cpu"
    threads: int = 0  # torch intra-op threads (0: torch default)
    t_sampling: str = "uniform"  # 'uniform' (stratified) or 'highsnr' (see sample_t)
    emb_lr_mult: float = 1.0  # learning-rate multiplier of the t-embeddings
    emb_init: str = "uniform"  # 'uniform' (published) or 'snr' (see EpsNetwork)
    beta: float = 1.0  # softplus sharpness (a re-parameterisation, see EpsNetwork)
    loss_weight: str = "native"  # x0-space weighting: 'native', 'snr', 'minsnr'
    minsnr_gamma: float = 1000.0  # cap of the 'minsnr' weight (30 dB)
    window: int = 0  # W >= 2: WindowEpsNetwork on windows [B, W, 2] (batch = windows)
    channels: int = 64  # window network: Conv1d channels C
    kernel: int = 5  # window network: kernel K (odd)
    dilations: tuple = (1, 2, 4, 8)  # window network: one layer per dilation
    lw_min: float = _win.LW_RANGE[0]  # window data '<const>+pn': linewidth x symbol time,
    lw_max: float = _win.LW_RANGE[1]  # log-uniform in [lw_min, lw_max] per window
    cfo_max: float = _win.F_MAX  # window data: residual carrier offset, cycles/symbol
    extra: dict = field(default_factory=dict)


def sample_t(n, T, mode, gen, device):
    """1-based steps.  'uniform': stratified over [1, T] (every step equally often).
    'highsnr': half the batch stratified over [1, T], half over the first T/2 steps
    (the low-noise half, where the error floor is), i.e. density 3:1 low:high noise."""
    if mode == "uniform":
        u = (
            torch.arange(n, dtype=torch.float64) + torch.rand(1, generator=gen, dtype=torch.float64)
        ) / n
        t = (u * T).long().clamp_(0, T - 1) + 1
        return t[torch.randperm(n, generator=gen)].to(device)
    if mode == "highsnr":
        h = n // 2
        a = sample_t(n - h, T, "uniform", gen, "cpu")
        b = sample_t(h, max(1, T // 2), "uniform", gen, "cpu")
        return torch.cat([a, b]).to(device)
    raise ValueError(f"unknown t sampling {mode!r}")


def q_sample(x0, t, eps, sqrt_abar, sqrt_1mabar):
    """x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps (tables indexed by 1-based t, [T+1, 1])."""
    return sqrt_abar[t] * x0 + sqrt_1mabar[t] * eps


def complex_eps(n, gen, device="cpu", window=0):
    """Complex unit-variance noise as [n, 2] rails (window W >= 2: [n, W, 2]): each rail
    N(0, 1/2), E|eps|^2 = 1."""
    shape = (n, 2) if window < 2 else (n, int(window), 2)
    return (torch.randn(*shape, generator=gen) * math.sqrt(0.5)).to(device)


def make_network(cfg, sched):
    """The network of a TrainConfig: EpsNetwork, or WindowEpsNetwork when cfg.window >= 2."""
    if int(cfg.window) >= 2:
        return WindowEpsNetwork(
            cfg.T,
            cfg.window,
            cfg.channels,
            cfg.kernel,
            cfg.dilations,
            cfg.parameterization,
            sched.abar,
            emb_init="ones" if cfg.emb_init == "ones" else "uniform",
            beta=cfg.beta,
        )
    if int(cfg.window) == 1:
        raise ValueError("window 1 is the per-symbol network: leave --window unset")
    return EpsNetwork(
        cfg.T,
        cfg.hidden,
        cfg.depth,
        cfg.parameterization,
        sched.abar,
        emb_init=cfg.emb_init,
        beta=cfg.beta,
    )


def loss_factors(abar, parameterization, weight, gamma=1000.0):
    """Per-step factor [T+1] on the native loss |f - target|^2 so that the loss equals
    w(t) |x0_hat - x0|^2 with w = 'snr' (the eps-loss weighting), 'minsnr' (min(snr, gamma))
    or, for 'native', whatever the parameterization implies (eps: snr, v: 1 + snr, x0: 1).
    Normalised to mean 1 over t = 1..T."""
    ab = np.concatenate(([1.0], np.asarray(abar, dtype=np.float64)))
    snr = ab / np.maximum(1.0 - ab, 1e-300)
    native = {"eps": snr, "v": 1.0 + snr, "x0": np.ones_like(snr)}[parameterization]
    if weight == "native":
        w = native
    elif weight == "snr":
        w = snr
    elif weight == "minsnr":
        w = np.minimum(snr, float(gamma))
    else:
        raise ValueError(f"unknown loss weight {weight!r}")
    f = np.ones_like(snr)
    f[1:] = w[1:] / native[1:]
    f[1:] /= f[1:].mean()
    return torch.tensor(f, dtype=torch.float32)


def train(cfg, source=None, loss_log=None, progress=True, checkpoint=None, resume=None):
    """Train an EpsNetwork (cfg.window >= 2: a WindowEpsNetwork on windows, one step t per
    window); returns dict(model=EMA network (eval, cpu), schedule, source, losses, seconds,
    steps, parameters)."""
    if cfg.threads:
        torch.set_num_threads(int(cfg.threads))
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    device = torch.device(cfg.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda requested but torch.cuda.is_available() is False")
    if source is None:
        source = (
            make_window_source(cfg.data, cfg.window, cfg.lw_min, cfg.lw_max, cfg.cfo_max)
            if int(cfg.window) >= 2
            else make_source(cfg.data)
        )
    if int(cfg.window) >= 2 and getattr(source, "window", None) != int(cfg.window):
        raise ValueError(
            f"window {cfg.window}: the data source {getattr(source, 'name', source)!r} does not "
            f"give windows of that length (make_window_source)"
        )
    if int(cfg.window) < 2 and getattr(source, "window", None):
        raise ValueError("a window source needs cfg.window set to its length")
    sched = make_schedule(cfg.schedule, cfg.T)
    if int(cfg.window) >= 2 and cfg.emb_init == "snr":
        raise ValueError("emb_init 'snr' is for the per-symbol network (window: ones/uniform)")
    net = make_network(cfg, sched).to(device)
    ema = make_network(cfg, sched).to(device)
    ema.load_state_dict(net.state_dict())
    for p in ema.parameters():
        p.requires_grad_(False)
    emb = [p for n, p in net.named_parameters() if ".embed." in n]
    rest = [p for n, p in net.named_parameters() if ".embed." not in n]
    opt = torch.optim.Adam(
        [{"params": rest, "mult": 1.0}, {"params": emb, "mult": float(cfg.emb_lr_mult)}], lr=cfg.lr
    )
    start = 0
    if resume:
        ck = torch.load(resume, map_location=device)
        net.load_state_dict(ck["model"])
        ema.load_state_dict(ck["ema"])
        opt.load_state_dict(ck["opt"])
        start = int(ck["step"])
        gen.set_state(ck["gen"])
    sa, s1 = net.sqrt_abar, net.sqrt_1mabar
    factor = loss_factors(sched.abar, cfg.parameterization, cfg.loss_weight, cfg.minsnr_gamma).to(
        device
    )

    def lr_at(step):
        if cfg.steps <= 1:
            return cfg.lr
        c = 0.5 * (1 + math.cos(math.pi * min(step, cfg.steps) / cfg.steps))
        return cfg.lr_final + (cfg.lr - cfg.lr_final) * c

    log_f = None
    writer = None
    if loss_log:
        os.makedirs(os.path.dirname(os.path.abspath(loss_log)), exist_ok=True)
        log_f = open(loss_log, "a" if resume else "w", newline="")
        writer = csv.writer(log_f)
        if not resume:
            writer.writerow(["step", "loss", "lr", "seconds"])
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=cfg.steps,
            initial=start,
            desc=f"train {source.name}",
            unit="step",
            dynamic_ncols=True,
        )
    losses = []
    acc, nacc = 0.0, 0
    t0 = time.time()
    log_every = max(1, min(100, cfg.steps // 50))
    net.train()
    for step in range(start, cfg.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step) * g["mult"]
        x0 = source.sample(cfg.batch, gen).to(device)
        t = sample_t(cfg.batch, cfg.T, cfg.t_sampling, gen, device)
        eps = complex_eps(cfg.batch, gen, device, cfg.window)
        xt = q_sample(x0, t, eps, sa, s1)
        f = net.raw(xt, t)
        if cfg.parameterization == "eps":
            target = eps
        elif cfg.parameterization == "v":
            target = sa[t] * eps - s1[t] * x0
        else:
            target = x0
        se = ((f - target) ** 2).sum(-1)  # rails summed: [B] or [B, W]
        loss = (factor[t].view(-1, *([1] * (se.dim() - 1))) * se).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        d = min(cfg.ema, (1.0 + step) / (10.0 + step))
        with torch.no_grad():
            for pe, pn in zip(ema.parameters(), net.parameters()):
                pe.mul_(d).add_(pn.detach(), alpha=1 - d)
        acc += loss.item()
        nacc += 1
        if (step + 1) % log_every == 0 or step + 1 == cfg.steps:
            avg = acc / nacc
            losses.append((step + 1, avg))
            if writer:
                writer.writerow(
                    [step + 1, f"{avg:.6g}", f"{lr_at(step):.3g}", f"{time.time() - t0:.2f}"]
                )
                log_f.flush()
            if bar:
                bar.set_postfix(loss=f"{avg:.4g}")
            acc, nacc = 0.0, 0
        if bar:
            bar.update(1)
    if bar:
        bar.close()
    if log_f:
        log_f.close()
    seconds = time.time() - t0
    if checkpoint:
        os.makedirs(os.path.dirname(os.path.abspath(checkpoint)), exist_ok=True)
        torch.save(
            {
                "model": net.state_dict(),
                "ema": ema.state_dict(),
                "opt": opt.state_dict(),
                "step": cfg.steps,
                "gen": gen.get_state(),
                "config": asdict(cfg),
            },
            checkpoint,
        )
    ema = ema.cpu().eval()
    return {
        "model": ema,
        "schedule": sched,
        "source": source,
        "losses": losses,
        "seconds": seconds,
        "steps": cfg.steps,
        "parameters": count_parameters(ema),
    }
