#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The single-law OFDM channel priors (models/ofdm/ofdm_tdlc.onnx, ofdm_nlos.onnx) in the C++
block: their contract and cards, the fused kernel, and what they estimate through GNU Radio's
``ofdm_chanest_vcvc`` on a fixed seed (docs/ofdm.md, the cards)."""

import json
import os

import numpy as np
import pytest
from gnuradio import diffusion
from gnuradio.diffusion.core import ofdm_channels as ch
from gnuradio.diffusion.core import ofdm_estimators as est
from gnuradio.diffusion.core import onnx_model
from gnuradio.diffusion.core.model_files import find_model
from gnuradio.diffusion.core.ofdm_carriers import DEFAULT_LAYOUT as LAY
from gnuradio.diffusion.flowgraphs import ofdm_chanest as ce

A = LAY.active_pos
FAMILY = {"ofdm_tdlc": "tdlc", "ofdm_nlos": "nlos"}
N_FRAMES = 400  # per check: +-0.3 dB 95 % interval of one NMSE (10k frames: +-0.06 dB)


def _nmse_db(e, h):
    return 10 * np.log10(np.sum(np.abs(e - h) ** 2) / np.sum(np.abs(h) ** 2))


def _through_block(model, fam, snr, seed):
    """N_FRAMES channels of ``fam`` at ``snr`` dB -> chanest -> the C++ block with the known
    noise variance and unit channel power: (truth, LS taps, block taps, noise var, draws)."""
    rng = np.random.default_rng(seed)
    s2 = 10 ** (-snr / 10)
    H, draws = ch.sample(fam, N_FRAMES, rng)
    blk = diffusion.ofdm_channel_denoiser(find_model(model), noise_var=s2, channel_power=1.0)
    ls, (out,), _ = ce.run(ce.frames(H, s2, rng), [blk])
    return H, ls[:, A], out[:, A], s2, draws, blk


@pytest.mark.parametrize("model", sorted(FAMILY))
def test_contract_card_and_fused_kernel(model):
    path = find_model(model)
    md = onnx_model.load(path).metadata
    fam = FAMILY[model]
    assert md["ofdm_channel_family"] == fam and int(md["window_length"]) == LAY.n_active
    assert f"--data ofdm:{fam}" in json.loads(md["training"])["command"]
    card = open(os.path.splitext(path)[0] + ".md").read()
    assert f"--data ofdm:{fam}" in card and "seed 7" in card
    blk = diffusion.ofdm_channel_denoiser(path)
    assert "fused" in blk.engine_name(), blk.engine_name()


def test_tdlc_model_near_the_genie_at_10db():
    # TDL-C is Gaussian: the genie LMMSE on the same LS taps is the MMSE.  Validation seed 7
    # (NumPy estimator, 10 x 400 frames at 10 dB): the model is 0.70 dB above the genie
    # (spread 0.02 dB) and 3.07 dB below LS+DFT (spread 0.04 dB).  The bounds leave > 7 spreads
    # and still fail for a prior as weak as the mix model's on TDL-C (1.4 dB from the genie)
    H, ls, out, s2, draws, blk = _through_block("ofdm_tdlc", "tdlc", 10.0, 2468)
    genie = _nmse_db(est.genie_lmmse(ls, s2, ch.covariance(draws)), H)
    dft = _nmse_db(est.DftEstimator()(ls), H)
    got = _nmse_db(out, H)
    assert blk.fallbacks() <= N_FRAMES // 100  # the prior explains its own law
    assert got < genie + 1.0, (got, genie)
    assert got < dft - 2.5, (got, dft)


def test_nlos_model_out_of_distribution_on_los_at_10db():
    # trained on TDL-A/B/C, shown TDL-D/E (line of sight): the bound is 1 dB behind
    # robust LMMSE at worst; validation seed 7 (10 x 400 frames, 10 dB): 1.80 dB ahead of it
    # (spread 0.05 dB), so 1 dB ahead is asserted, which implies the bound
    H, ls, out, s2, _, _ = _through_block("ofdm_nlos", "los", 10.0, 1357)
    rob = _nmse_db(est.LmmseEstimator.robust()(ls, s2), H)
    got = _nmse_db(out, H)
    assert got < rob - 1.0, (got, rob)
