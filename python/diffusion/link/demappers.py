#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The label mixture a bit demapper uses (NumPy, no GNU Radio): what the coded link's
``demapper`` names stand for.

  'nominal'  exact bit-wise MAP for the nominal constellation (a receiver that ignores the
             hardware);
  'learned'  the label mixture in a model's metadata (label_centroids, label_spread);
  'prior'    the label mixture learned from a DDPM's prior without labels
             (core.prior_mixture; ``model`` = the DDPM);
  'oracle'   the mixture of what the transmitter really sends (per-label centroid and
             covariance of its noiseless output, :func:`labelled_mixture`); the caller
             measures it (the coded link runs the chain's flowgraph for it:
             ``flowgraphs.coded_link.oracle_mixture``).
"""

from ..core.constellations import by_name
from ..core.label_mixture import LabelMixture, estimate

DEMAPPERS = ("nominal", "learned", "prior", "oracle")


def labelled_mixture(constellation, z, labels, where="labelled symbols"):
    """LabelMixture of labelled symbols: per-label centroid and covariance of z (complex
    [N]) with labels (indices into ``constellation``'s points, a name)."""
    c = by_name(constellation)
    mu, spread, counts = estimate(z, labels, c.order, where=where)
    return LabelMixture(mu, spread, c.labels, counts=counts)


def make_mixture(demapper, constellation, model="", oracle=None):
    """The LabelMixture a demapper name stands for (module doc); a LabelMixture passes
    through. ``oracle``: the measured mixture for 'oracle' (None: no impairments, the
    nominal constellation)."""
    if isinstance(demapper, LabelMixture):
        return demapper
    c = by_name(constellation)
    if demapper == "nominal":
        return LabelMixture.nominal(c)
    if demapper == "learned":
        return LabelMixture.from_model(model)
    if demapper == "prior":
        from ..core.onnx_model import DdpmModel
        from ..core.prior_mixture import mixture_from_model

        return mixture_from_model(DdpmModel(model))
    if demapper == "oracle":
        return LabelMixture.nominal(c) if oracle is None else oracle
    raise ValueError(f"demapper must be one of {DEMAPPERS} or a LabelMixture, got {demapper!r}")
