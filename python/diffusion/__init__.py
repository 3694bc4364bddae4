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
- ``link``: the over-the-air link (framing, SigMF, the preamble synchronizer; ``flowgraph``,
  the whole link as a top block, needs GNU Radio);
- ``training``: the PyTorch networks, training loops and ONNX export (the only torch users);
  ``python -m diffusion.train`` / ``diffusion.train_dnn`` are its commands.

Without GNU Radio (a GPU machine, an engine-only job) the subpackages import as usual, e.g.
``PYTHONPATH=python python -c "from diffusion.core import samplers"``; the block names then
exist as placeholders that raise ImportError when used.
"""

import importlib.abc
import importlib.machinery

# Modules of this package that need no GNU Radio: everything else here is a block.
_GR_FREE = frozenset(("core", "shaping", "link", "ofdm", "training", "train", "train_dnn"))

try:
    from gnuradio import gr as _gr
except ImportError:  # core-only use
    _gr = None
_why = "GNU Radio is not importable" if _gr is None else ""
if _gr is not None:
    try:
        from .diffusion_python import *  # noqa: F401,F403  (C++ blocks)
    except ImportError as e:  # a source tree without the compiled bindings
        _why = f"the compiled bindings are missing ({e})"


class _BlockPlaceholders(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Used only where blocks cannot load: block modules of this package (including any that
    ``gr_modtool add`` appends below) become modules whose every name is a callable raising
    ImportError, so that ``from .name import name`` still succeeds."""

    def find_spec(self, fullname, path=None, target=None):
        parent, _, leaf = fullname.rpartition(".")
        if parent != __name__ or leaf in _GR_FREE:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        def __getattr__(attr):
            if attr.startswith("__"):
                raise AttributeError(attr)

            def unavailable(*args, **kwargs):
                raise ImportError(
                    f"{module.__name__}.{attr} needs GNU Radio and the compiled "
                    f"gr-diffusion bindings: {_why}"
                )

            return unavailable

        module.__getattr__ = __getattr__


if _why:
    import sys as _sys

    _sys.meta_path.insert(0, _BlockPlaceholders())

from .core.model_files import shipped_model  # noqa: E402,F401

# Python blocks (gr_modtool adds new ones at the end of this list)
from .ddpm_denoiser_py import ddpm_denoiser_py  # noqa: E402,F401
from .dnn_receiver import dnn_receiver  # noqa: E402,F401
from .impaired_link import impaired_link  # noqa: E402,F401
from .link_rx import link_rx  # noqa: E402,F401
from .link_tx import link_tx  # noqa: E402,F401
from .mi_probe import mi_probe  # noqa: E402,F401
from .ofdm_channel_denoiser import ofdm_channel_denoiser  # noqa: E402,F401
from .ofdm_denoised_rx import ofdm_denoised_rx  # noqa: E402,F401
from .pcs_demapper import pcs_demapper  # noqa: E402,F401
from .pcs_mapper import pcs_mapper  # noqa: E402,F401
from .preamble_sync import preamble_sync  # noqa: E402,F401
from .psk_receiver import psk_receiver  # noqa: E402,F401
from .reconstruction_metrics import reconstruction_metrics  # noqa: E402,F401
from .symbol_normalizer import symbol_normalizer  # noqa: E402,F401
from .tx_impairment_chain import tx_impairment_chain  # noqa: E402,F401
