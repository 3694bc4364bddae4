"""The GNU Radio-free subpackages import and run without GNU Radio, and inference without
torch: the source tree's python/ alone on the path, as on a machine without GNU Radio (the
one test that does not import the build tree, see conftest.py).  Every module of the NumPy
floor (core/, shaping/, link/: docs/architecture.md) is imported, found by listing the
directories, so a new module is covered without editing this file; training/ imports without
GNU Radio (torch allowed)."""

import os
import subprocess
import sys

import pytest

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
import importlib, os
pkg = os.path.join(sys.argv[1], "diffusion")
names = []
for sub in sys.argv[3].split(","):
    for f in sorted(os.listdir(os.path.join(pkg, sub))):
        if f.endswith(".py") and f != "__init__.py":
            names.append(f"diffusion.{sub}.{f[:-3]}")
for name in names:
    importlib.import_module(name)
print("imported", len(names))
import diffusion
for block in ("ddpm_denoiser_py", "link_rx", "ddpm_denoiser"):  # Python and C++ blocks
    try:
        getattr(diffusion, block)
        raise AssertionError(f"{block} did not raise")
    except ImportError as e:
        assert "needs GNU Radio" in str(e), e
try:
    diffusion.typo
    raise AssertionError("diffusion.typo did not raise")
except AttributeError:
    pass
try:
    import diffusion.typo
    raise AssertionError("import diffusion.typo succeeded")
except ModuleNotFoundError:
    pass
if sys.argv[4] == "floor-only":
    print("core-ok")
    raise SystemExit
from diffusion.core import samplers, reference, schedules, constellations
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


def _run(blocked, subpackages, mode, model=""):
    code = CODE.replace('("gnuradio", "torch", "onnx")', repr(tuple(blocked)))
    return subprocess.run(
        [sys.executable, "-c", code, os.path.join(ROOT, "python"), model, subpackages, mode],
        cwd=os.path.join(ROOT, "python"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_core_imports_without_gnuradio_and_torch():
    model = os.path.join(ROOT, "models", "16qam.onnx")
    model = model if os.path.isfile(model) else ""
    r = _run(("gnuradio", "pmt", "torch", "onnx"), "core,shaping,link", "run", model)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "core-ok" in r.stdout


def test_training_imports_without_gnuradio():
    """training/ (torch) takes data: none of its modules needs GNU Radio to import."""
    pytest.importorskip("torch")
    r = _run(("gnuradio", "pmt"), "training", "floor-only")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "core-ok" in r.stdout
