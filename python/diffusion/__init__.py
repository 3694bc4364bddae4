#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""gr-diffusion: diffusion models (DDPM) for real-time radio in GNU Radio.

Layout (docs/architecture.md):

- this package: the GNU Radio blocks, C++ (from the pybind11 bindings) and Python (one
  module each, flat, with its ``qa_*.py``), and the helpers the Python blocks share
  (``noise_level``, ``pmt_convert``);
- ``core``: NumPy + onnxruntime, no GNU Radio, no torch (schedules, samplers, exact MMSE
  references, ONNX model I/O, constellations, noise estimation, metrics, information rate);
- ``shaping``: probabilistic shaping (PMFs, distribution matching, PCS frames);
- ``link``: the link's algorithms (framing, SigMF, the preamble synchronizer, LDPC, ORBCOMM,
  demapper mixtures; NumPy);
- ``flowgraphs``: whole flowgraphs over the blocks (the link, the coded link, the third-party
  PSK path, loopback captures; GNU Radio), what the apps run;
- ``training``: the PyTorch networks, training loops and ONNX export (the only torch users);
  ``python -m diffusion.train`` / ``diffusion.train_dnn`` are its commands.

Without GNU Radio (a GPU machine, an engine-only job) the NumPy subpackages import as usual,
e.g. ``PYTHONPATH=python python -c "from diffusion.core import samplers"``; a block name then
raises ImportError saying what is missing.  The blocks are imported inside one guard below:
``gr_modtool add`` appends its ``from .name import name`` line at the end of this file; move
it into the guard's list (tests/test_engine_import.py fails until it is there).
"""

import os as _os

try:
    from gnuradio import gr as _gr  # noqa: F401

    from .diffusion_python import *  # noqa: F401,F403  (the C++ blocks)
except ImportError as _e:  # no GNU Radio (core-only use), or a tree without the bindings
    _MISSING = f"GNU Radio and the compiled gr-diffusion bindings ({_e})"
else:
    _MISSING = ""
    # the Python blocks, alphabetical (add new ones here)
    from .carrier_acquisition import carrier_acquisition  # noqa: F401
    from .ddpm_denoiser_py import ddpm_denoiser_py  # noqa: F401
    from .dnn_receiver import dnn_receiver  # noqa: F401
    from .impaired_link import impaired_link  # noqa: F401
    from .link_rx import link_rx  # noqa: F401
    from .link_tx import link_tx  # noqa: F401
    from .mi_probe import mi_probe  # noqa: F401
    from .no_signal_gate import no_signal_gate  # noqa: F401
    from .ofdm_channel_denoiser_py import ofdm_channel_denoiser_py  # noqa: F401
    from .ofdm_denoised_rx import ofdm_denoised_rx  # noqa: F401
    from .ofdm_taps_hold import ofdm_taps_hold  # noqa: F401
    from .pcs_demapper import pcs_demapper  # noqa: F401
    from .pcs_mapper import pcs_mapper  # noqa: F401
    from .preamble_sync import preamble_sync  # noqa: F401
    from .psk_receiver import psk_receiver  # noqa: F401
    from .reconstruction_metrics import reconstruction_metrics  # noqa: F401
    from .rms_agc import rms_agc  # noqa: F401
    from .symbol_normalizer import symbol_normalizer  # noqa: F401
    from .tx_impairment_chain import tx_impairment_chain  # noqa: F401


def _is_block(name):
    """A block of this package: a Python block module here or a C++ block's binding."""
    here = _os.path.dirname(__file__)
    return _os.path.isfile(_os.path.join(here, name + ".py")) or _os.path.isfile(
        _os.path.join(here, "bindings", name + "_python.cc")
    )


def __getattr__(name):
    """Only reached for names the imports above did not bind."""
    if _MISSING and not name.startswith("_") and _is_block(name):
        raise ImportError(f"diffusion.{name} is a GNU Radio block: it needs {_MISSING}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


from .core.model_files import shipped_model  # noqa: E402,F401
