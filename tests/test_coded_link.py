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
from gnuradio.diffusion.flowgraphs.coded_link import DEFAULT_ALIST, LLR_SCALE, CodedLinkFlowgraph
from gnuradio.diffusion.link.demappers import make_mixture


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


def test_coded_link_through_phase_noise_tracker():
    # the chain's pilot phase tracker is a Python block: the flowgraph must keep the hier
    # block referenced, or tb.run() segfaults calling into the freed Python object
    import gc

    chain = "16qam+rapp(ibo=0,p=2)+phase_noise(1e-4)+agc"
    tb = CodedLinkFlowgraph(
        14.0, constellation="16qam", chain=chain, demapper="oracle", frames=8, seed=7
    )
    gc.collect()
    tb.run()
    r = tb.results()
    # the tracker holds back the samples after the last anchor: the last frame is cut
    assert r["frames"] == 7 and r["frame_errors"] == 0


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


def test_coded_link_interleaver_and_max_log():
    """The bit interleaver is undone before the decoder (at 25 dB the deinterleaved LLRs'
    hard decisions are codewords of the alist) and max-log LLRs decode too."""
    from gnuradio.diffusion.link.ldpc import ParityCheck

    tb = CodedLinkFlowgraph(
        25.0, constellation="16qam", frames=4, seed=9, interleave=True, max_log=True
    )
    tb.run()
    r = tb.results()
    assert r["frames"] == 4 and r["frame_errors"] == 0
    L = np.array(tb.llr_sink.data()).reshape(4, -1)
    assert ParityCheck(DEFAULT_ALIST).syndrome_ok(L > 0).all()


def test_grfec_decoder_scale():
    """gr-fec 3.10's ldpc_decoder treats its input u as the LLR u / 2 (sigma 1): fed L / 2
    (the old scaling: it sees L / 4) it fails every frame at 8.5 dB where the coded link's
    LLR_SCALE decodes all of them (bench/results_coded_link.md)."""
    fer = {}
    for scale in (0.5, LLR_SCALE):
        tb = CodedLinkFlowgraph(8.5, constellation="16qam", frames=10, seed=12, llr_scale=scale)
        tb.run()
        fer[scale] = tb.results()["fer"]
    assert fer[0.5] == 1.0 and fer[LLR_SCALE] == 0.0


def test_reference_decoder():
    """diffusion.link.ldpc: its encoder's and gr-fec's codewords satisfy every check of the
    alist; sum-product and min-sum decode BPSK at Eb/N0 3 dB error-free and fail at -1 dB."""
    from gnuradio.diffusion.link.ldpc import ParityCheck

    H = ParityCheck(DEFAULT_ALIST)
    assert (H.n, H.m, H.k) == (1800, 898, 902)
    rng = np.random.default_rng(13)
    x = H.encode(rng.integers(0, 2, (8, H.k)))
    assert H.syndrome_ok(x).all()
    tb = CodedLinkFlowgraph(30.0, constellation="16qam", frames=3, seed=14)
    tb.run()
    assert H.syndrome_ok(np.array(tb.llr_sink.data()).reshape(3, -1) > 0).all()
    for ebn0, ok in ((3.0, True), (-1.0, False)):
        s2 = 1 / (2 * 0.5 * 10 ** (ebn0 / 10))
        y = (2.0 * x - 1) + np.sqrt(s2) * rng.standard_normal(x.shape)
        for method in ("spa", "minsum"):
            bits, _, conv = H.decode(2 * y / s2, 50, method)
            assert np.all((bits == x).all(1) == ok) and np.all(conv == ok)


def test_slicer_bad_sigma2_kept_with_one_warning(capfd):
    """A non-finite or negative sigma2 (set_sigma2, a noise_var tag, the sigma2 stream) is
    replaced by the last valid value with a single warning; the LLRs are those of that
    value."""
    import pmt
    from gnuradio import blocks, diffusion, gr

    c = constellations.by_name("16qam")
    pts = c.points.astype(np.complex64).tolist()
    y = (c.points[np.arange(64) % 16] * 0.9).astype(np.complex64)

    def run(s2_stream=None, tag=None):
        blk = diffusion.learned_slicer("", pts, [], c.labels.tolist(), 0.05, s2_stream is not None)
        blk.set_sigma2(-1.0)
        blk.set_sigma2(float("nan"))
        assert blk.sigma2() == 0.05
        tb = gr.top_block()
        tags = []
        if tag is not None:
            key, val = pmt.intern("noise_var"), pmt.from_double(tag)
            tags = [gr.tag_utils.python_to_tag((10, key, val))]
        src = blocks.vector_source_c(y.tolist(), False, 1, tags)
        snk = blocks.vector_sink_f()
        tb.connect(src, (blk, 0))
        if s2_stream is not None:
            tb.connect(blocks.vector_source_f(s2_stream), (blk, 1))
        tb.connect((blk, 0), blocks.null_sink(1))
        tb.connect((blk, 1), snk)
        tb.run()
        return np.array(snk.data())

    ref = LabelMixture.nominal(c).llr(y, 0.05).reshape(-1)
    capfd.readouterr()
    got = run(tag=float("inf"))
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)
    cap = capfd.readouterr()  # GNU Radio's console log sink writes to stdout
    assert (cap.out + cap.err).count("invalid sigma2") == 1
    stream = np.full(64, 0.05, np.float32)
    stream[[3, 20]] = [np.nan, -2.0]
    got = run(s2_stream=stream.tolist())
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)
    cap = capfd.readouterr()
    assert (cap.out + cap.err).count("invalid sigma2") == 1
