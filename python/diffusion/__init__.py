#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""gr-diffusion: diffusion models (DDPM) for real-time radio in GNU Radio.

C++ blocks come from the pybind11 bindings; Python blocks from their modules. The
mathematical core (schedules, samplers, ONNX I/O, reference estimators, constellations)
lives in plain modules that import without GNU Radio, e.g. ``diffusion.samplers`` with
``python/`` on PYTHONPATH on a machine that has only NumPy, onnxruntime and PyTorch.
"""

try:
    from .diffusion_python import *  # noqa: F401,F403  (C++ blocks)
    _have_cpp = True
except ImportError:  # core-only use without GNU Radio, or an unbuilt source tree
    _have_cpp = False

try:
    from gnuradio import gr as _gr  # noqa: F401
except ImportError:
    _gr = None

from .model_files import shipped_model  # noqa: F401,E402

if _gr is not None:
    # Python blocks (each module imports gnuradio itself).
    from .ddpm_denoiser_py import ddpm_denoiser_py  # noqa: F401,E402
    from .reconstruction_metrics import reconstruction_metrics  # noqa: F401,E402
    from .mi_probe import mi_probe  # noqa: F401,E402
    from .dnn_receiver import dnn_receiver  # noqa: F401,E402
    from .link_tx import link_tx  # noqa: F401,E402
    from .preamble_sync import preamble_sync  # noqa: F401,E402
    from .pcs_mapper import pcs_mapper  # noqa: F401,E402
    from .pcs_demapper import pcs_demapper  # noqa: F401,E402
    if _have_cpp:
        # hierarchical blocks built from the C++ blocks
        from .impaired_link import impaired_link  # noqa: F401,E402
        from .link_rx import link_rx  # noqa: F401,E402
