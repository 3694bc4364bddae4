#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The conventions are stated everywhere a user looks (issue 15, item 2): every GRC block's
documentation, the denoisers' C++ header and Python docstring, the model cards (their
conventions-and-constellation section is current with the model files) and
docs/conventions.md; model-using blocks point to gr-diffusion-model."""

import glob
import os

import pytest
import yaml
from gnuradio import diffusion
from gnuradio.diffusion.core import model_info

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YMLS = sorted(glob.glob(os.path.join(ROOT, "grc", "*.block.yml")))
USES_MODEL = {
    "ddpm_denoiser",
    "ddpm_denoiser_py",
    "dnn_receiver",
    "link_rx",
    "pcs_mapper",
    "pcs_demapper",
    "psk_receiver",
    "satellite_bpsk_rx",
}


def flat(text):
    return " ".join(text.split())


@pytest.mark.parametrize("path", YMLS, ids=[os.path.basename(p) for p in YMLS])
def test_grc_block_docs_state_the_conventions(path):
    d = yaml.safe_load(open(path))
    doc = flat(d["documentation"])
    for want in (
        "docs/conventions.md",
        "E|x|^2 = 1 for the signal alone",
        "not signal plus noise",
        "sigma2 per complex sample",
        "Es/N0 = 1/sigma2",
        "QPSK at 45 degrees",
    ):
        assert want in doc, (os.path.basename(path), want)
    name = d["id"][len("diffusion_") :]
    if name in USES_MODEL:
        assert "gr-diffusion-model" in doc, name
    if name.startswith("ddpm_denoiser"):
        for want in (
            "digital.mpsk_snr_est_cc",
            "probe_mpsk_snr_est_c",
            "snr_db / esn0_db / snr",
            "rotated copy",
            "1 + sigma2",
            "returns prior samples",
        ):
            assert want in doc, (name, want)


def test_denoiser_docstrings():
    cpp = flat(diffusion.ddpm_denoiser.__doc__)
    py = flat(diffusion.ddpm_denoiser_py.__doc__)
    for doc in (cpp, py):
        assert "45 degrees" in doc and "signal alone" in doc and "gr-diffusion-model" in doc
        assert "mpsk_snr_est_cc" in doc and "probe_mpsk_snr_est_c" in doc
    assert "returns samples of the prior" in cpp or "samples of the prior" in cpp


@pytest.mark.parametrize(
    "model",
    sorted(glob.glob(os.path.join(ROOT, "models", "*.onnx"))),
    ids=lambda p: os.path.basename(p),
)
def test_model_cards_are_current(model):
    card = open(os.path.splitext(model)[0] + ".md").read()
    assert model_info.card_section(model) in card, "rerun model_info.update_card"
    assert "signal alone" in card


def test_conventions_page():
    text = flat(open(os.path.join(ROOT, "docs", "conventions.md")).read())
    for want in (
        "Unit power means signal power",
        "at 45 degrees",
        "digital.mpsk_snr_est_cc",
        "probe_mpsk_snr_est_c",
        "What the denoisers check and say",
        "gr-diffusion-model",
    ):
        assert want in text, want
