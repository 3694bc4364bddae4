#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Bit LLRs from a DDPM trained without labels: the learned prior as a label mixture.

A DDPM eps-network knows the transmitted distribution p(x) (its score at every noise level),
not the bit labels. Exact bit LLRs need p(y | b) = sum over the points with bit b of
p(y | x) p(x), so this module turns the learned prior into a
:class:`~diffusion.core.label_mixture.LabelMixture`:

1. draw samples from the model's prior: ancestral (posterior-mode) sampling from the top of
   the schedule, where x_T is pure noise (abar_T = 1e-3 for the shipped wide schedule);
2. label each prior sample with the nearest nominal point of the model's constellation
   (Gray bit labels from the metadata): valid while the hardware does not move a point past
   the middle to its neighbour, which is what a receiver that decodes that constellation
   assumes anyway;
3. per label, the sample mean (learned centroid) and covariance (learned spread).

Then LLRs are exact for that mixture in Gaussian noise of variance sigma2 per complex sample
(log-sum-exp, :meth:`LabelMixture.llr`; positive = bit 1, gr-fec's convention). On AWGN data
the learned atoms sit on the nominal points and the LLRs match the exact demapper (measured
in tests/test_prior_mixture.py); on data from mismatched hardware they follow the points the
hardware really sends. The alternative of a Gaussian around the Tweedie mean with the
posterior variance from the Jacobian is worse wherever the posterior is multimodal (low
SNR), which is where LLRs matter; it is not used.
"""

import numpy as np

from .label_mixture import LabelMixture, estimate
from .samplers import denoise


def prior_samples(model, n, seed=0):
    """n samples (complex128) of the model's learned prior p(x0)."""
    sched = model.schedule
    abar_top = float(np.asarray(sched.abar)[-1])
    s2_top = 1.0 / abar_top - 1.0  # the noise variance whose matched step is T
    rng = np.random.default_rng(seed)
    y = np.sqrt(s2_top / 2.0) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    return denoise(model, y, s2_top, mode="posterior", rng=rng).astype(np.complex128)


def mixture_from_model(model, n=1 << 15, seed=0, min_count=8):
    """LabelMixture (centroids, spread, labels) learned from the model's prior samples,
    labelled by the nearest point of ``model.constellation``. ValueError when the model has
    no discrete constellation or a label gets fewer than ``min_count`` samples."""
    const = getattr(model, "constellation", None)
    if const is None or len(getattr(const, "points", ())) < 2:
        raise ValueError(
            f"{getattr(model, 'path', 'model')}: no discrete constellation in the "
            f"metadata: bit LLRs need constellation points and labels"
        )
    x = prior_samples(model, int(n), seed)
    idx = const.slice(x)
    mu, spread, counts = estimate(
        x,
        idx,
        const.order,
        min_count=min_count,
        where=f"prior samples of {getattr(model, 'path', 'model')}",
    )
    return LabelMixture(mu, spread, const.labels, counts=counts)
