"""The GNU Radio-free subpackages import and run without GNU Radio, and inference without
torch: the source tree's python/ alone on the path, as on a machine without GNU Radio (the
one test that does not import the build tree, see conftest.py)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CODE = r'''
import sys
class Blocker:
    """Make 'gnuradio' and 'torch' unimportable, as on a machine without them."""
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("gnuradio", "torch", "onnx"):
            raise ImportError("blocked for the test: " + name)
sys.meta_path.insert(0, Blocker())
sys.path.insert(0, sys.argv[1])
import numpy as np
import diffusion.core.constellations, diffusion.core.schedules, diffusion.core.reference
import diffusion.core.samplers, diffusion.core.onnx_model
from diffusion.core import samplers, reference, schedules, constellations
import diffusion.core.noise_estimation, diffusion.core.metrics, diffusion.core.information_rate
import diffusion.core.mi_window, diffusion.core.dnn_model, diffusion.core.model_files
import diffusion.shaping.pmf, diffusion.shaping.distribution_matching
import diffusion.shaping.pcs_frame
import diffusion.link.framing, diffusion.link.synchronizer, diffusion.link.sigmf
import diffusion.ofdm.carriers, diffusion.ofdm.channels, diffusion.ofdm.estimators
import diffusion
try:
    diffusion.ddpm_denoiser_py()
    raise AssertionError("a block placeholder did not raise")
except ImportError as e:
    assert "needs GNU Radio" in str(e), e
c = constellations.by_name("16qam")
oracle = reference.OracleEpsModel(c, schedules.make_schedule("wide"))
y = c.points[:8] + 0.1
out = samplers.denoise(oracle, y, 0.05)
assert out.dtype == np.complex64 and out.shape == (8,)
model = sys.argv[2]
if model:
    m = diffusion.core.onnx_model.DdpmModel(model)
    samplers.denoise(m, y, 0.05, "ddim", steps=2)
bad = [k for k in sys.modules if k.split(".")[0] in ("gnuradio", "torch", "onnx")]
assert not bad, bad
print("core-ok", bool(model))
'''


def test_core_imports_without_gnuradio_and_torch():
    model = os.path.join(ROOT, "models", "16qam.onnx")
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            CODE,
            os.path.join(ROOT, "python"),
            model if os.path.isfile(model) else "",
        ],
        cwd=os.path.join(ROOT, "python"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "core-ok" in r.stdout
