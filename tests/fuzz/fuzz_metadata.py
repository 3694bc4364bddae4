#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""atheris harness of the model-file contract, Python side (run by tests/fuzz/run_fuzz.sh).

    python tests/fuzz/fuzz_metadata.py [--diff] -max_total_time=60 CORPUS_DIR

Input: "key=value" lines (tests/bad_models.py meta_from_bytes; the C++ libFuzzer harness
tests/fuzz/fuzz_metadata.cc reads the same format). Plain mode: core.onnx_model
check_metadata must accept or raise ValueError, nothing else. --diff: the metadata are put
on the shipped QPSK graph, written to a file and loaded by the Python DdpmModel and by the
C++ ddpm_denoiser: both must accept or both reject (one contract), any other outcome
raises (atheris keeps the input as crash-*).
"""

import os
import sys
import tempfile

import atheris

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tests/ (bad_models)

with atheris.instrument_imports():
    from gnuradio.diffusion.core import onnx_model

import bad_models  # noqa: E402

DIFF = "--diff" in sys.argv
if DIFF:
    sys.argv.remove("--diff")
    import onnx
    from gnuradio import diffusion

    _BASE = onnx.load(bad_models.BASE_MODEL)
    _TMP = tempfile.mkdtemp(prefix="fuzz_meta_")
    _D = diffusion.ddpm_denoiser


def _load_both(meta):
    m = onnx.ModelProto()
    m.CopyFrom(_BASE)
    bad_models._set_meta(m, meta)
    path = os.path.join(_TMP, "m.onnx")
    with open(path, "wb") as f:
        f.write(m.SerializeToString())
    out = []
    for load in (
        lambda: onnx_model.DdpmModel(path),
        lambda: _D(path, _D.TWEEDIE, 1, _D.NOISE_PARAMETER, 10.0, "cpu", 1, 8, 0),
    ):
        try:
            load()
            out.append(None)
        except ValueError as e:
            out.append(str(e))
    return out


def test_one(data):
    meta = bad_models.meta_from_bytes(data)
    try:
        onnx_model.check_metadata(meta, "fuzz: ")
        ok = True
    except ValueError:
        ok = False
    if DIFF:
        if any("\x00" in k + v for k, v in meta.items()):
            return  # not representable in both readers alike
        py, cpp = _load_both(meta)
        if (py is None) != (cpp is None):
            raise RuntimeError(f"contract mismatch: python {py!r} vs C++ {cpp!r}")
        if (py is None) != ok:
            raise RuntimeError(f"check_metadata {ok} but DdpmModel {py!r}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
