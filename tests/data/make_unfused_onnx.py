#!/usr/bin/env python3
"""Writes tests/data/16qam_matmul.onnx: models/16qam.onnx with its output Gemm rewritten as
MatMul(h, W^T) + Add(b).

The same function and metadata as the shipped model, in a graph the fused C++ kernel
(lib/fused_mlp.cc) does not recognise: the tests use it for the onnxruntime fallback path
(engine=auto falls back with a log line, engine=fused refuses). Regenerate with:
.venv/bin/python tests/data/make_unfused_onnx.py
"""

import os

import onnx
from onnx import helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
model = onnx.load(os.path.join(here, "..", "..", "models", "16qam.onnx"))
g = model.graph
inits = {i.name: i for i in g.initializer}
((k, gemm),) = [(i, n) for i, n in enumerate(g.node) if n.output[0] == "eps"]
h, w, b = gemm.input
wt = numpy_helper.from_array(numpy_helper.to_array(inits[w]).T.copy(), w + "_T")
g.initializer.append(wt)
del g.node[k]
g.node.insert(k, helper.make_node("MatMul", [h, w + "_T"], ["eps_mm"], name="out_matmul"))
g.node.insert(k + 1, helper.make_node("Add", ["eps_mm", b], ["eps"], name="out_add"))
g.initializer.remove(inits[w])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(here, "16qam_matmul.onnx"))
