#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Serve exported sampler graphs (gr-diffusion-model export-sampler) with NVIDIA Triton
through PyTriton (a real Triton server speaking the Open Inference Protocol / KServe v2,
HTTP with the binary tensor extension), each graph run by onnxruntime on the CPU.

A script run by its path in its own virtualenv (scripts/install.sh makes .venv-serve from
requirements-serve.txt: PyTriton pins protobuf / grpcio versions the project's venv must not
take); needs only NumPy + onnxruntime + nvidia-pytriton, not GNU Radio, not this package
(:class:`diffusion.core.remote_inference.LocalServer` starts it for the tests and bench/):

  .venv-serve/bin/python python/diffusion/core/oip_server.py --port 8000 \
      --model qpsk=qpsk_tweedie.onnx --model w32=qpsk_pn_w32_ddim5.onnx

Listens on 127.0.0.1 by default (--host to change); stops by itself after --lifetime seconds
(0 = never) or on SIGTERM / SIGINT. Prints "ready <port>" on stdout once every model is
loaded. In production, serve the same .onnx files with Triton's onnxruntime backend
(docs/deployment.md).
"""

import argparse
import os
import signal
import sys
import threading


def _session(path, threads):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def _tensor(spec):
    import numpy as np
    from pytriton.model_config import Tensor

    dtypes = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64}
    shape = tuple(d if isinstance(d, int) and d > 0 else -1 for d in spec.shape)
    return Tensor(name=spec.name, dtype=dtypes[spec.type], shape=shape)


def _infer_func(sess):
    names = [o.name for o in sess.get_outputs()]
    lock = threading.Lock()

    def infer(requests):
        replies = []
        for req in requests:
            feeds = {k: v for k, v in req.data.items()}
            with lock:
                outs = sess.run(names, feeds)
            replies.append(dict(zip(names, outs)))
        return replies

    return infer


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True, help="HTTP port")
    ap.add_argument("--model", action="append", required=True, metavar="NAME=FILE.onnx")
    ap.add_argument("--threads", type=int, default=1, help="onnxruntime threads per model")
    ap.add_argument("--instances", type=int, default=1, help="model instances (parallel requests)")
    ap.add_argument("--lifetime", type=float, default=0.0, help="stop after this many s (0: never)")
    args = ap.parse_args(argv)

    from pytriton.model_config import ModelConfig
    from pytriton.triton import Triton, TritonConfig

    models = []
    for item in args.model:
        name, sep, path = item.partition("=")
        if not sep or not name or not os.path.isfile(path):
            ap.error(f"--model wants NAME=FILE.onnx (an existing file), got {item!r}")
        models.append((name, path))
    cfg = TritonConfig(
        http_address=args.host,
        http_port=args.port,
        allow_grpc=False,
        allow_metrics=False,
        exit_timeout_secs=2,
        log_verbose=0,
    )
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with Triton(config=cfg) as triton:
        for name, path in models:
            sessions = [_session(path, args.threads) for _ in range(max(1, args.instances))]
            s0 = sessions[0]
            triton.bind(
                model_name=name,
                infer_func=[_infer_func(s) for s in sessions],
                inputs=[_tensor(i) for i in s0.get_inputs()],
                outputs=[_tensor(o) for o in s0.get_outputs()],
                config=ModelConfig(batching=False),
                strict=False,
            )
        triton.run()
        print(f"ready {args.port}", flush=True)
        stop.wait(args.lifetime if args.lifetime > 0 else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
