#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Labelled training data (torch): an impairment chain or a labelled loopback capture.

``--data '<chain spec>'`` (e.g. ``16qam+rapp(ibo=0,p=2)+agc``, grammar in the core's
``chain_spec``): the training command runs the chain in a GNU Radio flowgraph once for
``--train-symbols`` uniformly drawn labels (seeded) and trains on that finite set
(:func:`chain_source` takes the data, it runs no flowgraph); ``--data capture:<path>``
trains on the received symbols of a labelled capture (core ``labelled_capture``).  Either
way the per-label centroid and spread of the same symbols are estimated (core
``label_mixture.estimate``) and written to the model as ``label_centroids`` /
``label_spread`` / ``label_count`` (the data-aided statistics the learned slicer uses).
"""

import numpy as np
import torch

from ..core import label_mixture as _lm

DEFAULT_TRAIN_SYMBOLS = 1 << 18


class LabelledSource:
    """Finite labelled set: z complex [N] with labels [N] (indices into the nominal
    constellation's points).  sample() draws rows uniformly with replacement."""

    kind = "labelled"

    def __init__(
        self,
        z,
        labels,
        constellation,
        name,
        description,
        spec=None,
        min_count=2,
        where="training data",
        noise_var=0.0,
    ):
        z = np.asarray(z, dtype=np.complex128).reshape(-1)
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        mu, spread, counts = _lm.estimate(z, labels, constellation.order, min_count, where)
        if noise_var > 0:
            # capture noise (the receiver's estimate) is not part of what the TX sends
            spread = spread.copy()
            spread[:, 0] = np.maximum(spread[:, 0] - noise_var / 2, 0.0)
            spread[:, 1] = np.maximum(spread[:, 1] - noise_var / 2, 0.0)
            lim = np.sqrt(spread[:, 0] * spread[:, 1])
            spread[:, 2] = np.clip(spread[:, 2], -lim, lim)
        self.mixture = _lm.LabelMixture(mu, spread, constellation.labels, counts=counts)
        self.constellation = constellation
        self.name = name
        self.spec = spec
        self.power = float(np.mean(np.abs(z) ** 2))
        self.z = z
        self.labels = labels
        self.data = torch.tensor(np.stack([z.real, z.imag], 1), dtype=torch.float32)
        self.description = (
            f"{description}: {len(z)} labelled symbols, mean power "
            f"{self.power:.4f}, labels {constellation.name}"
        )

    def __len__(self):
        return len(self.data)

    def sample(self, n, gen):
        return self.data[torch.randint(len(self.data), (n,), generator=gen)]

    def label_metadata(self):
        """Metadata strings for the ONNX model (label_centroids, label_spread, ...)."""
        meta = self.mixture.metadata()
        if self.spec is not None:
            meta["chain_spec"] = str(self.spec)
        meta["label_data"] = self.description
        return meta


def chain_source(spec, z, labels, seed=0):
    """LabelledSource of a chain spec's output: z (complex [N]) with labels (int [N]) that
    the chain (a ChainSpec) produced, e.g. ``tx_impairment_chain.generate(spec, n, seed)``
    (the real blocks in a GNU Radio flowgraph: the training CLI runs it, this module only
    takes the data)."""
    return LabelledSource(
        z,
        labels,
        spec.get_constellation(),
        spec.constellation + "_hw",
        f"chain {spec} (GNU Radio flowgraph, seed {seed})",
        spec=spec,
        where=f"chain {spec}",
    )


def capture_source(path, subtract_noise=False):
    """LabelledSource of a labelled capture (core labelled_capture format).

    The spread is estimated from the captured symbols as they are, receiver noise
    included (capture at high SNR: at 35 dB it adds 3e-4 per complex symbol).  With
    subtract_noise, the capture's ``diffusion:noise_var`` is removed from the rail
    variances (only right when that value is the thermal noise alone: the link's EM
    estimate also contains the hardware's distortion)."""
    import os

    from ..core import labelled_capture as _cap

    z, lab, const, meta = _cap.read(path)
    nv = float(meta.get("global", {}).get("diffusion:noise_var", 0.0) or 0.0)
    base = os.path.basename(_cap._base(path))
    return LabelledSource(
        z,
        lab,
        const,
        base,
        f"labelled capture {base} (receiver noise_var {nv:.3g}"
        f"{', subtracted from the spread' if subtract_noise and nv else ''})",
        where=path,
        noise_var=nv if subtract_noise else 0.0,
    )
