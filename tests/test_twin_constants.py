#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Parity of the constants the C++ and Python twins each keep (one definition per language,
checked here instead of by comments): the denoiser's mode names against the C++ enum, the
input check's constants (core/input_check.py vs lib/input_check.h), the window tiling
(core/windowing.py vs ddpm_denoiser_impl.cc, on the built block) and the noise-level message
protocol (noise_level.py vs ddpm_denoiser_impl.cc)."""

import importlib
import inspect
import os
import re

import pytest
from gnuradio import diffusion
from gnuradio.diffusion import noise_level
from gnuradio.diffusion.core import input_check, samplers
from gnuradio.diffusion.core.model_files import shipped_model
from gnuradio.diffusion.core.windowing import WindowGeometry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
D = diffusion.ddpm_denoiser


def _read(*parts):
    with open(os.path.join(ROOT, *parts)) as f:
        return f.read()


def test_mode_names_are_the_cpp_enum():
    """core.samplers.MODES is the one list: position = C++ mode_t value, name = upper()."""
    cpp = {name: int(v) for name, v in D.mode_t.__members__.items()}
    assert cpp == {m.upper(): i for i, m in enumerate(samplers.MODES)}
    # the blocks that offer the modes use that list (link_rx adds 'none')
    from gnuradio.diffusion.shaping import pmf

    link_rx = importlib.import_module("gnuradio.diffusion.link_rx")  # the module, not block
    psk_receiver = importlib.import_module("gnuradio.diffusion.psk_receiver")
    assert link_rx.MODES == samplers.MODES + ("none",)
    assert psk_receiver._MODES is samplers.MODES and pmf.DDPM_MODES is samplers.MODES


def test_input_check_constants():
    """Every `static constexpr` / `constexpr` number of lib/input_check.h has a Python twin of
    the same name and value in core/input_check.py."""
    src = _read("lib", "input_check.h")
    found = re.findall(r"constexpr\s+(?:double|int)\s+([A-Z_][A-Z0-9_]*)\s*=\s*([-0-9.eE+]+)", src)
    assert len(found) >= 5, found  # the parse itself works
    for name, value in found:
        assert hasattr(input_check, name), f"core/input_check.py has no {name}"
        assert getattr(input_check, name) == float(value), name


@pytest.mark.parametrize("hop", [0, 1, 5, 16, 31, 32])
def test_window_geometry(hop):
    """The C++ block's hop, latency and history equal core.windowing.WindowGeometry's for a
    W = 32 window model (hops even and odd, both ends)."""
    blk = D(
        shipped_model("qpsk_pn_w32"),
        D.TWEEDIE,
        1,
        D.NOISE_PARAMETER,
        10.0,
        "cpu",
        1,
        512,
        0,
        "auto",
        1,
        "",
        hop,
    )
    g = WindowGeometry(blk.window_length(), hop)
    assert (blk.window_length(), blk.window_hop(), blk.latency()) == (32, g.hop, g.latency)
    assert blk.history() == g.history + 1  # GNU Radio's history counts the current sample


def test_noise_message_protocol():
    """The keys the C++ block reads from the "noise" port and from tags are noise_level's
    NOISE_KEYS, its port is "noise", and both bound Es/N0 to [-100, 300] dB."""
    src = _read("lib", "ddpm_denoiser_impl.cc")
    consts = dict(re.findall(r"const pmt::pmt_t (\w+) = pmt::mp\(\"(\w+)\"\);", src))
    assert consts.pop("PORT_NOISE") == "noise"
    assert consts.pop("KEY_INVALID") == "invalid_sample"
    from gnuradio.diffusion.core import remote_inference as ri

    assert consts.pop("KEY_REMOTE_GAP") == ri.TAG_GAP
    assert consts.pop("KEY_REMOTE_RESUMED") == ri.TAG_RESUMED
    assert consts.pop("VALUE_LOCAL_FALLBACK") == ri.POLICY_FALLBACK
    assert consts.pop("VALUE_PASSTHROUGH") == ri.POLICY_PASSTHROUGH
    assert set(consts.values()) == set(noise_level.NOISE_KEYS)
    pysrc = _read("python", "diffusion", "noise_level.py")
    assert 'pmt.intern("noise")' in pysrc
    lo, hi = noise_level.SIGMA2_RANGE
    assert "esn0_db >= -100.0 && esn0_db <= 300.0" in src
    assert (lo, hi) == pytest.approx((10 ** (-300 / 10), 10 ** (100 / 10)))


def test_saleh_defaults():
    """core.chain_spec.SALEH_CLASSIC is what the C++ pa_nonlinearity defaults to."""
    from gnuradio.diffusion.core import chain_spec

    doc = diffusion.pa_nonlinearity.__init__.__doc__ or ""
    for key, arg in zip(("aa", "ba", "ap", "bp"), ("alpha_a", "beta_a", "alpha_p", "beta_p")):
        m = re.search(arg + r": float = ([-0-9.eE+]+)", doc)
        assert m, f"no default for {arg} in the binding's signature: {doc[:300]}"
        assert float(m.group(1)) == chain_spec.SALEH_CLASSIC[key], arg


def test_ofdm_noise_tag_key():
    """The OFDM denoisers' default noise tag (per carrier after the FFT) is one key in C++
    (header default, binding default) and Python, and not the per-sample noise_var key."""
    key = noise_level.OFDM_NOISE_VAR_KEY
    assert key != noise_level.NOISE_VAR_KEY
    header = _read("include", "gnuradio", "diffusion", "ofdm_channel_denoiser.h")
    binding = _read("python", "diffusion", "bindings", "ofdm_channel_denoiser_python.cc")
    assert re.search(r'noise_tag_key = "([^"]*)"', header).group(1) == key
    assert re.search(r'py::arg\("noise_tag_key"\) = "([^"]*)"', binding).group(1) == key
    from gnuradio.diffusion.ofdm_channel_denoiser_py import ofdm_channel_denoiser_py

    sig = inspect.signature(ofdm_channel_denoiser_py.__init__)
    assert sig.parameters["noise_tag_key"].default == key
