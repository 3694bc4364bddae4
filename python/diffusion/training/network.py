#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The eps-network (PyTorch; training/export only -- inference uses ONNX Runtime).

Published architecture (Letafati et al., after the swiss-roll DDPM tutorial): input the
two rails (I, Q) of x_t, three hidden layers of 128 softplus units, each layer's
pre-activation multiplied elementwise by a learned embedding of t (one
``nn.Embedding(T + 1, 128)`` per layer, uniform init), and a linear output of size 2.

``EpsNetwork.forward(x, t)`` always returns eps (the exported ONNX output).  Internally
the raw MLP output f can be trained as
  'eps'  f = eps                                    (published)
  'v'    f = v = sqrt(abar) eps - sqrt(1-abar) x0   (x0 = sqrt(abar) x - sqrt(1-abar) f,
                                                     eps = sqrt(1-abar) x + sqrt(abar) f)
  'x0'   f = x0                                     (eps = (x - sqrt(abar) f)/sqrt(1-abar))
the conversion to eps is part of the graph, so every exported model is an eps-network.

``WindowEpsNetwork`` is the temporal twin (issue 12): x [N, W, 2] of W consecutive
symbols -> dilated Conv1d layers with the same per-channel t-embedding multiply -> eps
[N, W, 2], so that it can use the neighbours (e.g. to track a carrier phase).
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PARAMETERIZATIONS = ("eps", "v", "x0")


def softplus_composite(x):
    """softplus(x) = relu(x) + log(1 + exp(-|x|)), as plain Relu/Abs/Neg/Exp/Add/Log ONNX ops.

    Used for the ONNX export: onnxruntime's native Softplus kernel is scalar and ~3x slower
    for the whole network (measured: 5.7 vs 1.7 us/symbol, 1 thread) than these vectorised
    elementwise ops.  Differs from F.softplus by < 1e-6 (float32).
    """
    return torch.relu(x) + torch.log(1.0 + torch.exp(-torch.abs(x)))


class ConditionalLinear(nn.Module):
    """Linear layer whose output is multiplied elementwise by an embedding of t."""

    def __init__(self, n_in, n_out, n_steps):
        super().__init__()
        self.lin = nn.Linear(n_in, n_out)
        self.embed = nn.Embedding(n_steps, n_out)
        self.embed.weight.data.uniform_()

    def forward(self, x, t):
        return self.embed(t) * self.lin(x)


class _Parameterized:
    """What both eps-networks share: ``raw(x, t)`` -> f converted to eps (``forward``) and
    (eps, x0) (``eps_x0``) by the parameterization, and the softplus sharpness beta folded
    into the weights for export (``folded``: embeddings times beta, the weights of every
    layer after the first (``_weight``) and of the output divided by beta; for the window
    network the residual sum scales along with h' = beta h)."""

    def _abar_table(self, abar, parameterization):
        """[1, abar_1 .. abar_T] (float64); 'eps' needs no schedule (placeholder)."""
        if abar is None:
            if parameterization != "eps":
                raise ValueError(f"parameterization {parameterization!r} needs the schedule's abar")
            abar = np.linspace(1.0, 0.5, self.T)  # unused placeholder for 'eps'
        abar = np.concatenate(([1.0], np.asarray(abar, dtype=np.float64)))
        if len(abar) != self.T + 1:
            raise ValueError("abar must have T entries")
        return abar

    def eps_x0(self, x, t):
        """(eps_hat, x0_hat) with each computed the numerically direct way."""
        f = self.raw(x, t)
        sa, s1 = self.sqrt_abar[t], self.sqrt_1mabar[t]
        if self.parameterization == "eps":
            return f, (x - s1 * f) / sa
        if self.parameterization == "v":
            return s1 * x + sa * f, sa * x - s1 * f
        return (x - sa * f) / s1, f

    def forward(self, x, t):
        f = self.raw(x, t)
        if self.parameterization == "eps":
            return f
        sa, s1 = self.sqrt_abar[t], self.sqrt_1mabar[t]
        if self.parameterization == "v":
            return s1 * x + sa * f
        return (x - sa * f) / s1

    def folded(self):
        """An equivalent copy with beta folded into the weights (beta = 1)."""
        import copy

        net = copy.deepcopy(self)
        b = self.beta
        if b != 1.0:
            with torch.no_grad():
                for i, layer in enumerate(net.layers):
                    layer.embed.weight.mul_(b)
                    if i > 0:
                        net._weight(layer).div_(b)
                net.out.weight.div_(b)
            net.beta = 1.0
        return net


class EpsNetwork(_Parameterized, nn.Module):
    def __init__(
        self,
        T,
        hidden=128,
        depth=3,
        parameterization="eps",
        abar=None,
        emb_init="uniform",
        emb_init_max=100.0,
        beta=1.0,
    ):
        super().__init__()
        if parameterization not in PARAMETERIZATIONS:
            raise ValueError(f"parameterization must be one of {PARAMETERIZATIONS}")
        if depth < 1:
            raise ValueError("depth >= 1")
        self.T, self.hidden, self.depth = int(T), int(hidden), int(depth)
        self.parameterization = parameterization
        dims = [2] + [self.hidden] * self.depth
        self.layers = nn.ModuleList(
            ConditionalLinear(a, b, self.T + 1) for a, b in zip(dims[:-1], dims[1:])
        )
        self.out = nn.Linear(self.hidden, 2)
        abar_given = abar is not None
        abar = self._abar_table(abar, parameterization)
        self.export_mode = False  # True: composite softplus (see softplus_composite)
        # Softplus sharpness: h = softplus(beta z) / beta.  beta != 1 is a re-parameterisation
        # of the published network (fold beta into the embeddings and 1/beta into the next
        # layer: :meth:`folded`), i.e. the same function class, but it changes the training
        # dynamics: with beta = 1 the unit-scale softplus is so smooth that Adam needs
        # ~10^4 steps to grow the weights to the sharpness a denoiser needs at >~ 12 dB.
        self.beta = float(beta)
        self.register_buffer("sqrt_abar", torch.tensor(np.sqrt(abar), dtype=torch.float32)[:, None])
        self.register_buffer(
            "sqrt_1mabar", torch.tensor(np.sqrt(1.0 - abar), dtype=torch.float32)[:, None]
        )
        self.emb_init = emb_init
        if emb_init not in ("uniform", "ones", "snr"):
            raise ValueError("emb_init must be 'uniform', 'ones' or 'snr'")
        if emb_init in ("ones", "snr"):
            # 'ones': every step starts as the same plain MLP (the published U(0, 1) init
            # shrinks each layer's pre-activations by ~2 and slows training down).
            # 'snr': ones, and the first layer's row of step t scaled by
            # clip(1/sigma_t, 1, emb_init_max), sigma_t^2 = (1 - abar_t)/abar_t, so its
            # softplus kinks start at the resolution needed at that noise level.
            with torch.no_grad():
                for layer in self.layers:
                    layer.embed.weight.fill_(1.0)
        if emb_init == "snr":
            if not abar_given:
                raise ValueError("emb_init='snr' needs abar")
            sig = np.sqrt((1.0 - abar[1:]) / abar[1:])
            sc = np.clip(1.0 / sig, 1.0, float(emb_init_max))
            with torch.no_grad():
                self.layers[0].embed.weight[1:] *= torch.tensor(sc, dtype=torch.float32)[:, None]

    def raw(self, x, t):
        h = x
        b = self.beta
        for layer in self.layers:
            z = layer(h, t)
            if self.export_mode:
                h = softplus_composite(z) if b == 1.0 else softplus_composite(z * b) / b
            else:
                h = F.softplus(z, beta=b, threshold=20.0)
        return self.out(h)

    @staticmethod
    def _weight(layer):
        return layer.lin.weight

    def config(self):
        return {
            "T": self.T,
            "hidden": self.hidden,
            "depth": self.depth,
            "parameterization": self.parameterization,
            "emb_init": self.emb_init,
            "beta": self.beta,
        }


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------------------- window network
class ConditionalConv1d(nn.Module):
    """'same'-padded dilated Conv1d whose output is multiplied per channel by an embedding
    of t (the convolutional twin of :class:`ConditionalLinear`)."""

    def __init__(self, c_in, c_out, kernel, dilation, n_steps):
        super().__init__()
        self.conv = nn.Conv1d(
            c_in, c_out, kernel, dilation=dilation, padding=dilation * (kernel - 1) // 2
        )
        self.embed = nn.Embedding(n_steps, c_out)
        self.embed.weight.data.uniform_()

    def forward(self, h, t):
        return self.embed(t)[:, :, None] * self.conv(h)


class WindowEpsNetwork(_Parameterized, nn.Module):
    """Temporal eps-network over windows of W consecutive symbols (spec: issue 12).

    x [N, W, 2] -> [N, 2, W] -> L conditional dilated Conv1d layers (C channels, kernel K,
    'same' zero padding, dilation d_l; pre-activation times a per-channel embedding of t,
    ``nn.Embedding(T + 1, C)``), softplus, residual add for layers 2..L -> Conv1d kernel 1
    (C -> 2) -> [N, W, 2].  Receptive field 1 + (K - 1) sum(d_l) (61 for the defaults).
    Parameterizations eps/v/x0 and the softplus sharpness beta as :class:`EpsNetwork`;
    ``forward`` always returns eps, every symbol of a window at the window's one step t.
    """

    def __init__(
        self,
        T,
        window,
        channels=64,
        kernel=5,
        dilations=(1, 2, 4, 8),
        parameterization="eps",
        abar=None,
        emb_init="uniform",
        beta=1.0,
    ):
        super().__init__()
        if parameterization not in PARAMETERIZATIONS:
            raise ValueError(f"parameterization must be one of {PARAMETERIZATIONS}")
        dilations = tuple(int(d) for d in dilations)
        if not dilations or min(dilations) < 1:
            raise ValueError("dilations: at least one layer, each dilation >= 1")
        if int(kernel) < 1 or int(kernel) % 2 == 0:
            raise ValueError(f"kernel must be odd ('same' padding), got {kernel}")
        if not 2 <= int(window) <= 4096:
            raise ValueError(f"window length must be in [2, 4096], got {window}")
        if emb_init not in ("uniform", "ones"):
            raise ValueError("emb_init must be 'uniform' or 'ones' for the window network")
        self.T, self.window = int(T), int(window)
        self.channels, self.kernel, self.dilations = int(channels), int(kernel), dilations
        self.parameterization = parameterization
        self.emb_init = emb_init
        chans = [2] + [self.channels] * len(dilations)
        self.layers = nn.ModuleList(
            ConditionalConv1d(a, b, self.kernel, d, self.T + 1)
            for a, b, d in zip(chans[:-1], chans[1:], dilations)
        )
        self.out = nn.Conv1d(self.channels, 2, 1)
        if emb_init == "ones":
            with torch.no_grad():
                for layer in self.layers:
                    layer.embed.weight.fill_(1.0)
        abar = self._abar_table(abar, parameterization)
        self.export_mode = False  # True: composite softplus (see softplus_composite)
        self.beta = float(beta)
        # [T+1, 1, 1]: indexed by t [N] they broadcast over [N, W, 2]
        self.register_buffer(
            "sqrt_abar", torch.tensor(np.sqrt(abar), dtype=torch.float32)[:, None, None]
        )
        self.register_buffer(
            "sqrt_1mabar", torch.tensor(np.sqrt(1.0 - abar), dtype=torch.float32)[:, None, None]
        )

    @property
    def receptive_field(self):
        return 1 + (self.kernel - 1) * sum(self.dilations)

    def _act(self, z):
        b = self.beta
        if self.export_mode:
            return softplus_composite(z) if b == 1.0 else softplus_composite(z * b) / b
        return F.softplus(z, beta=b, threshold=20.0)

    def raw(self, x, t):
        h = x.transpose(1, 2)  # [N, 2, W]
        for i, layer in enumerate(self.layers):
            a = self._act(layer(h, t))
            h = a if i == 0 else h + a
        return self.out(h).transpose(1, 2)  # [N, W, 2]

    @staticmethod
    def _weight(layer):
        return layer.conv.weight

    def config(self):
        return {
            "T": self.T,
            "window": self.window,
            "channels": self.channels,
            "kernel": self.kernel,
            "dilations": list(self.dilations),
            "parameterization": self.parameterization,
            "emb_init": self.emb_init,
            "beta": self.beta,
        }

    def architecture_metadata(self):
        """ONNX metadata that names the graph (spec: window_length, network, ...)."""
        return {
            "window_length": str(self.window),
            "network": "window_conv1d",
            "window_channels": str(self.channels),
            "window_kernel": str(self.kernel),
            "window_dilations": ",".join(str(d) for d in self.dilations),
            "window_layers": str(len(self.dilations)),
            "window_receptive_field": str(self.receptive_field),
            "window_activation": "softplus",
            "window_padding": "same (zero)",
            "window_residual": "layers 2..L",
        }
