#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Train the DNN baseline receiver (3 x 64 ReLU MLP) and export it to ONNX.

    cd python && python -m diffusion.train_dnn --data 16qam --head regression \\
        --out ../models/dnn_16qam_regression.onnx
    python -m gnuradio.diffusion.train_dnn ...         (installed module)

Same CLI style as ``python -m diffusion.train`` (the DDPM trainer).  --head regression:
(I, Q) output, MSE loss; --head classification: M logits, cross-entropy.  Training pairs:
x uniform over the unit-power constellation, Es/N0 ~ U[--esn0-min, --esn0-max] dB per pair
(default 0..20 dB), fresh every batch.  --snr-input adds a "sigma2" graph input (default
off: the published DNN sees the received symbol only).  See diffusion/dnn.py.
"""

import argparse
import os
import platform
import sys
import time

from . import dnn as _dnn


def build_parser():
    ap = argparse.ArgumentParser(
        prog="python -m diffusion.train_dnn",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--data",
        default="16qam",
        help="constellation: qpsk | 16qam | 64qam | <M>qam | <M>psk | 'I Q' point file",
    )
    ap.add_argument("--out", required=True, help="ONNX file to write")
    ap.add_argument("--head", default="regression", choices=_dnn.HEADS)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument(
        "--snr-input",
        action="store_true",
        help="condition on the noise level (graph input 'sigma2')",
    )
    ap.add_argument("--esn0-min", type=float, default=0.0, help="training Es/N0 range (dB)")
    ap.add_argument("--esn0-max", type=float, default=20.0)
    ap.add_argument("--steps", type=int, default=4000, help="optimizer steps")
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate")
    ap.add_argument("--lr-final", type=float, default=1e-5, help="end of the cosine decay")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    ap.add_argument("--loss-log", help="CSV loss log to write")
    ap.add_argument("--no-progress", action="store_true")
    return ap


def main(argv=None):
    args = build_parser().parse_args(argv)
    cfg = _dnn.DnnConfig(
        data=args.data,
        head=args.head,
        hidden=args.hidden,
        depth=args.depth,
        snr_input=args.snr_input,
        esn0_min=args.esn0_min,
        esn0_max=args.esn0_max,
        steps=args.steps,
        batch=args.batch,
        lr=args.lr,
        lr_final=args.lr_final,
        seed=args.seed,
        threads=args.threads,
    )
    res = _dnn.train_dnn(cfg, progress=not args.no_progress, loss_log=args.loss_log)
    import torch

    recipe = {
        "command": "python -m diffusion.train_dnn "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "config": dict(vars(cfg)),
        "data": (
            f"{res['constellation'].name}: uniform points, unit average power, "
            f"Es/N0 ~ U[{cfg.esn0_min}, {cfg.esn0_max}] dB per pair, fresh every batch"
        ),
        "optimizer": f"Adam lr {cfg.lr} cosine-decayed to {cfg.lr_final}",
        "loss": (
            "mean |x_hat - x|^2"
            if cfg.head == "regression"
            else "cross-entropy over the point index"
        ),
        "parameters": res["parameters"],
        "train_seconds": round(res["seconds"], 1),
        "final_loss": res["losses"][-1][1] if res["losses"] else None,
        "torch": torch.__version__,
        "host": f"{platform.machine()} {os.cpu_count()} cpus",
    }
    _dnn.export_dnn_onnx(
        res["model"],
        args.out,
        res["constellation"],
        training=recipe,
        extra_metadata={"created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
    )
    print(
        f"wrote {args.out}: {res['parameters']} parameters, {res['steps']} steps in "
        f"{res['seconds']:.1f} s, final loss {recipe['final_loss']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
