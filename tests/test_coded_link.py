#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Soft outputs for coded links: LLRs from the DDPM's learned prior against the exact bit-wise
MAP demapper in AWGN (fresh seeds), and the LDPC-coded link flowgraph (gr-fec encoder and
belief-propagation decoder around learned_slicer) decoding error-free at high SNR."""

import numpy as np
import pytest
from gnuradio.diffusion.core import constellations
from gnuradio.diffusion.core.label_mixture import LabelMixture
from gnuradio.diffusion.core.model_files import shipped_model
from gnuradio.diffusion.core.onnx_model import DdpmModel
from gnuradio.diffusion.core.prior_mixture import mixture_from_model
from gnuradio.diffusion.link.coded import CodedLinkFlowgraph, make_mixture


@pytest.fixture(scope="module")
def prior_16qam():
    # 4096 prior samples: 256 per label; the learned atoms' error is the network's
    # (measured 6e-4 from the nominal points), far below the noise at any Es/N0 tested
    return mixture_from_model(DdpmModel(shipped_model("16qam")), n=4096, seed=3)


def test_prior_atoms_are_the_constellation(prior_16qam):
    c = constellations.by_name("16qam")
    assert np.max(np.abs(prior_16qam.centroids - c.points)) < 5e-3
    np.testing.assert_array_equal(prior_16qam.labels, c.labels)
    assert np.all(prior_16qam.counts > 150)  # 256 expected per label, uniform prior


@pytest.mark.parametrize("esn0_db, seed", [(0.0, 101), (6.0, 102), (12.0, 103)])
def test_prior_llrs_match_the_exact_demapper(prior_16qam, esn0_db, seed):
    c = constellations.by_name("16qam")
    rng = np.random.default_rng(seed)
    s2 = 10 ** (-esn0_db / 10)
    x = c.points[rng.integers(0, c.order, 20000)]
    y = x + np.sqrt(s2 / 2) * (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))
    exact = LabelMixture.nominal(c).llr(y, s2)
    learned = prior_16qam.llr(y, s2)
    # signs: only LLRs within a hair of 0 may differ
    big = np.abs(exact) > 0.05
    assert np.mean(np.sign(exact[big]) == np.sign(learned[big])) > 0.9999
    # magnitudes: measured median relative error 2e-4; 1e-2 bounds an atom offset of ~5e-3
    rel = np.abs(learned - exact) / np.maximum(np.abs(exact), 1.0)
    assert np.median(rel) < 1e-2 and np.quantile(rel, 0.99) < 5e-2


def test_coded_link_error_free_at_high_snr():
    tb = CodedLinkFlowgraph(12.0, constellation="16qam", demapper="nominal", frames=12, seed=4)
    tb.run()
    r = tb.results()
    assert r["frames"] == 12 and r["bits"] == 12 * tb.k
    assert r["bit_errors"] == 0 and r["frame_errors"] == 0


def test_coded_link_fails_below_threshold():
    """The decoder is not a pass-through: far below the code's threshold frames fail."""
    tb = CodedLinkFlowgraph(0.0, constellation="16qam", demapper="nominal", frames=6, seed=5)
    tb.run()
    r = tb.results()
    assert r["frame_errors"] == r["frames"] == 6 and r["ber"] > 0.05


def test_coded_link_through_pa_with_oracle_demapper():
    chain = "16qam+rapp(ibo=0,p=2)+agc"
    tb = CodedLinkFlowgraph(
        14.0, constellation="16qam", chain=chain, demapper="oracle", frames=8, seed=6
    )
    tb.run()
    r = tb.results()
    assert r["frames"] == 8 and r["frame_errors"] == 0


def test_bad_demapper():
    with pytest.raises(ValueError, match="demapper"):
        make_mixture("bogus", "16qam")
    with pytest.raises(ValueError, match="label_centroids"):
        make_mixture("learned", "16qam", model=shipped_model("16qam"))


def test_model_without_bit_labels_is_refused(tmp_path):
    """A model whose metadata has label centroids but no constellation_labels: both the core
    mixture and the C++ learned_slicer refuse it, naming what is missing."""
    import onnx
    from gnuradio import diffusion

    model = onnx.load(shipped_model("16qam_rapp"))
    keep = [p for p in model.metadata_props if p.key != "constellation_labels"]
    del model.metadata_props[:]
    model.metadata_props.extend(keep)
    path = str(tmp_path / "no_labels.onnx")
    onnx.save(model, path)
    with pytest.raises(ValueError, match="constellation_labels"):
        LabelMixture.from_model(path)
    with pytest.raises(ValueError, match="constellation_labels"):
        diffusion.learned_slicer(path)
