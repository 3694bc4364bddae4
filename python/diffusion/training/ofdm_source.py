#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Training data of OFDM channel priors: ``--data ofdm:<family>`` (docs/ofdm.md).

Windows [n, W, 2] whose W positions are the active carriers of GNU Radio's default OFDM
layout (ascending frequency) and whose values are the frequency response of a fresh TDL
channel (:mod:`diffusion.core.ofdm_channels`) every batch: the window network then learns the
prior over H on the carriers, at ensemble power 1.
"""

import numpy as np
import torch

from ..core import ofdm_channels as _ch
from ..core.ofdm_carriers import DEFAULT_LAYOUT

PREFIX = "ofdm:"


def is_ofdm_spec(spec):
    return str(spec).lower().startswith(PREFIX)


class OfdmChannelSource:
    """Fresh channel snapshots of one family per batch, as [n, n_active, 2] float32 rails."""

    kind = "ofdm_channels"
    constellation = None

    def __init__(self, spec, layout=DEFAULT_LAYOUT):
        name = str(spec)[len(PREFIX) :] if is_ofdm_spec(spec) else str(spec)
        self.family = _ch.family(name)
        self.layout = layout
        self.window = layout.n_active
        self.name = f"ofdm_channel_{self.family.name}"
        self.description = (
            f"OFDM channel frequency responses on the {layout.n_active} active carriers of "
            f"fft_len {layout.fft_len} (CP {layout.cp_len}), ascending frequency, ensemble "
            f"power 1; {self.family.describe()}; fresh channels every batch"
        )

    def sample(self, n, gen):
        rng = np.random.default_rng(int(torch.randint(0, 2**62, (1,), generator=gen).item()))
        H, _ = _ch.sample(self.family, int(n), rng, self.layout)
        return torch.tensor(np.stack([H.real, H.imag], -1), dtype=torch.float32)

    def metadata(self):
        """ONNX metadata: the layout, the family and the noise convention."""
        meta = dict(self.layout.metadata())
        meta.update(
            {
                "ofdm_channel_family": self.family.name,
                "ofdm_channel_family_description": self.family.describe(),
                "ofdm_noise_convention": "LS estimate y = H + n on the active carriers, "
                "n ~ CN(0, sigma2) per carrier after the receiver's FFT; H at ensemble "
                "power 1 (divide y by sqrt(channel power) and sigma2 by the power first)",
                "ofdm_window_order": "active carriers, ascending frequency (signed index)",
            }
        )
        return meta
