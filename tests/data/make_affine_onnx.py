#!/usr/bin/env python3
"""Writes tests/data/affine.onnx: y = x @ W + b, x float32 [N, 2], W = [[1, 2], [3, 4]],
b = [0.5, -0.5].

A tiny fixed model used by lib/qa_onnxruntime.cc to prove that the C++ build links and runs the
onnxruntime C++ API. Regenerate with: .venv/bin/python tests/data/make_affine_onnx.py
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

W = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
B = np.array([0.5, -0.5], dtype=np.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["y"])],
    "affine",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
    [numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "b")],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
onnx.checker.check_model(model)
onnx.save(model, os.path.join(os.path.dirname(os.path.abspath(__file__)), "affine.onnx"))
