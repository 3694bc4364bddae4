#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Train a gr-diffusion eps-network and export it to ONNX.

    cd python && python -m diffusion.train --data 16qam --out ../models/16qam.onnx
    python -m gnuradio.diffusion.train ...         (installed module)

--data: qpsk | 16qam | 64qam | 256qam | <M>psk | <M>qam | swissroll | path to an 'I Q'
point file | complex64 recording (.cf32 .c64 .fc32 .iq .bin .raw .dat .cfile) | SigMF
(.sigmf-meta/.sigmf-data).  Recordings are scaled to unit average power.

Labelled data (learned hardware; the model then carries label_centroids / label_spread):
  --data '<chain spec>'   a constellation + transmitter impairments, e.g.
                          '16qam+rapp(ibo=0,p=2)+phase_noise(1e-4,block=32)+agc' (grammar:
                          diffusion.core.chain_spec), run once through the module's blocks
                          in a GNU Radio flowgraph for --train-symbols labels (seed --seed)
  --data capture:<path>   a labelled capture (diffusion.core.labelled_capture; written by
                          gr-diffusion-link --capture-labels), used as it is (not rescaled)

Window models (--window W, W >= 2: the temporal network diffusion.training.network.
WindowEpsNetwork, x [N, W, 2] -> eps [N, W, 2], one step t per window; --batch counts windows):
  --data '<const>+pn'     windows of W uniform symbols of <const> rotated by Wiener phase
                          noise (lw = linewidth x symbol time, log-uniform in --lw-range per
                          window), a residual carrier offset (uniform +-(--cfo-max)
                          cycles/symbol) and a uniform initial phase (diffusion.training.windows)
  --data 'sdpsk+pn'       the same phase model, but SDPSK sequences: x_k = x_(k-1) * (+-j)
                          (random bits, x_0 uniform on the QPSK points at 45 degrees; the
                          ORBCOMM downlink); constellation metadata QPSK, data name sdpsk_pn
  --data <const>          unrotated windows of W uniform symbols
  --data <recording>      windows of W consecutive samples of a recording (unit average
                          power), random offsets, random 90-degree rotations
  e.g. python -m diffusion.train --window 32 --data 'qpsk+pn' --steps 3000 --out w.onnx
  --data ofdm:<family>    OFDM channel priors (docs/ofdm.md): frequency responses of 3GPP
                          TDL channels on the 52 active carriers of GNU Radio's default
                          OFDM (--window 52); families mix, nlos, los, tdla .. tdle
"""

import argparse
import os
import platform
import sys
import time

from ..core.schedules import SCHEDULES
from . import ddpm as _tr
from .network import PARAMETERIZATIONS

# TrainConfig fields of the window network, left out of per-symbol recipes (unchanged)
_WINDOW_KEYS = ("window", "channels", "kernel", "dilations", "lw_min", "lw_max", "cfo_max")


def make_source(data, train_symbols=1 << 18, seed=0, window=0, lw_range=None, cfo_max=None):
    """Training source of --data: window >= 2: :func:`diffusion.training.ddpm.
    make_window_source`; else a chain spec or capture:<path> (labelled), else
    :func:`diffusion.training.ddpm.make_source`."""
    from ..core import chain_spec as _cs
    from . import windows as _win

    s = str(data)
    if window and int(window) >= 2:
        lw = _win.LW_RANGE if lw_range is None else lw_range
        f_max = _win.F_MAX if cfo_max is None else cfo_max
        return _tr.make_window_source(s, int(window), lw[0], lw[1], f_max)
    if s.startswith("capture:"):
        from .labelled import capture_source

        return capture_source(s[len("capture:") :])
    if _cs.looks_like_chain(s) and not os.path.exists(s):
        from .labelled import chain_source

        if train_symbols < 1:
            raise ValueError(f"--train-symbols must be >= 1, got {train_symbols}")
        spec = _cs.parse(s)  # parse errors before GNU Radio is imported
        # the command wires the chain's flowgraph in; training itself only takes data
        from ..tx_impairment_chain import generate

        z, labels, spec = generate(spec, train_symbols, seed)
        return chain_source(spec, z, labels, seed)
    return _tr.make_source(s)


def build_parser():
    ap = argparse.ArgumentParser(
        prog="python -m diffusion.train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--data", default="16qam", help="constellation / swissroll / file (see above)")
    ap.add_argument("--out", required=True, help="ONNX file to write (e.g. models/16qam.onnx)")
    ap.add_argument("--schedule", default="wide", choices=SCHEDULES)
    ap.add_argument("--T", type=int, default=100, help="diffusion steps (default 100)")
    ap.add_argument("--hidden", type=int, default=128, help="per-symbol MLP width")
    ap.add_argument("--depth", type=int, default=3, help="per-symbol MLP hidden layers")
    w = ap.add_argument_group("window models (see above)")
    w.add_argument(
        "--window",
        type=int,
        default=0,
        metavar="W",
        help="train the temporal window network on windows of W >= 2 symbols "
        "(default 0: the per-symbol MLP)",
    )
    w.add_argument("--channels", type=int, default=64, help="window network channels (64)")
    w.add_argument("--kernel", type=int, default=5, help="window network kernel, odd (5)")
    w.add_argument(
        "--dilations",
        default="1,2,4,8",
        help="window network: comma-separated dilations, one layer each (1,2,4,8)",
    )
    w.add_argument(
        "--lw-range",
        type=float,
        nargs=2,
        default=None,
        metavar=("MIN", "MAX"),
        help="'<const>+pn' windows: linewidth x symbol time, log-uniform (1e-4 1e-2)",
    )
    w.add_argument(
        "--cfo-max",
        type=float,
        default=None,
        help="'<const>+pn' windows: residual carrier offset bound, cycles/symbol (2e-3)",
    )
    ap.add_argument(
        "--parameterization",
        default="eps",
        choices=PARAMETERIZATIONS,
        help="what the MLP is trained to output; the exported graph outputs eps",
    )
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--steps", type=int, help="optimizer steps (default 4000)")
    g.add_argument(
        "--epochs",
        type=float,
        help="passes over the data (recordings: len(data) samples; generated "
        "data: --epoch-size samples)",
    )
    ap.add_argument("--epoch-size", type=int, default=1 << 20)
    ap.add_argument(
        "--train-symbols",
        type=int,
        default=1 << 18,
        help="labelled symbols generated from a chain spec (default 262144)",
    )
    ap.add_argument(
        "--batch", type=int, help="symbols per step (default 4096); --window: windows (256)"
    )
    ap.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate (default 3e-3)")
    ap.add_argument("--lr-final", type=float, default=1e-5, help="end of the cosine decay")
    ap.add_argument("--ema", type=float, default=0.999, help="EMA decay of the exported weights")
    ap.add_argument(
        "--emb-lr-mult",
        type=float,
        default=10.0,
        help="learning-rate multiplier of the t-embeddings (default 10)",
    )
    ap.add_argument(
        "--emb-init",
        default="ones",
        choices=("uniform", "ones", "snr"),
        help="t-embedding init (published: uniform; default ones)",
    )
    ap.add_argument(
        "--beta",
        type=float,
        default=20.0,
        help="softplus sharpness softplus(beta z)/beta, folded into the weights "
        "at export (published: 1; default 20)",
    )
    ap.add_argument(
        "--loss-weight",
        default="native",
        choices=("native", "snr", "minsnr"),
        help="x0-space loss weight: native (that of the parameterization), snr, or "
        "minsnr = min(snr, --minsnr-gamma)",
    )
    ap.add_argument(
        "--minsnr-gamma",
        type=float,
        default=1000.0,
        help="cap of the minsnr weight, linear SNR (default 1000 = 30 dB)",
    )
    ap.add_argument(
        "--t-sampling",
        default="highsnr",
        choices=("uniform", "highsnr"),
        help="steps drawn stratified-uniform, or 3:1 toward the low-noise half (default highsnr)",
    )
    ap.add_argument(
        "--published",
        action="store_true",
        help="the published recipe: lr 1e-3, uniform t, uniform(0,1) embeddings, "
        "beta 1, no embedding lr boost (overrides those options)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    ap.add_argument(
        "--loss-log",
        help="CSV loss log (default: <out>.loss.csv next to --out is NOT written unless given)",
    )
    ap.add_argument("--checkpoint", help="torch checkpoint to write at the end")
    ap.add_argument("--resume", help="checkpoint to continue from")
    ap.add_argument("--no-progress", action="store_true")
    return ap


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.published:
        args.lr, args.t_sampling, args.emb_init, args.beta, args.emb_lr_mult = (
            1e-3,
            "uniform",
            "uniform",
            1.0,
            1.0,
        )
        args.lr_final = args.lr
    window = int(args.window)
    if window < 0 or window == 1 or window > 4096:
        raise SystemExit(f"--window must be 0 (per-symbol) or 2 .. 4096, got {window}")
    if window and args.emb_init == "snr":
        raise SystemExit("--emb-init snr is for the per-symbol network")
    try:
        dilations = tuple(int(d) for d in str(args.dilations).split(","))
    except ValueError:
        raise SystemExit(f"--dilations: comma-separated integers, got {args.dilations!r}") from None
    if args.batch is None:
        args.batch = 256 if window else 4096
    source = make_source(
        args.data, args.train_symbols, args.seed, window, args.lw_range, args.cfo_max
    )
    if args.epochs is not None:
        n = len(source) if hasattr(source, "__len__") else args.epoch_size
        if window and not hasattr(source, "__len__"):
            n = max(1, args.epoch_size // window)
        steps = max(1, int(round(args.epochs * n / args.batch)))
    else:
        steps = args.steps if args.steps is not None else 4000
    cfg = _tr.TrainConfig(
        data=args.data,
        schedule=args.schedule,
        T=args.T,
        hidden=args.hidden,
        depth=args.depth,
        parameterization=args.parameterization,
        steps=steps,
        batch=args.batch,
        lr=args.lr,
        lr_final=args.lr_final,
        ema=args.ema,
        seed=args.seed,
        device=args.device,
        threads=args.threads,
        t_sampling=args.t_sampling,
        emb_lr_mult=args.emb_lr_mult,
        emb_init=args.emb_init,
        beta=args.beta,
        loss_weight=args.loss_weight,
        minsnr_gamma=args.minsnr_gamma,
        window=window,
        channels=args.channels,
        kernel=args.kernel,
        dilations=dilations,
    )
    if window and getattr(source, "kind", "") == "windows":
        cfg.lw_min, cfg.lw_max, cfg.cfo_max = source.lw_min, source.lw_max, source.f_max
    res = _tr.train(
        cfg,
        source=source,
        loss_log=args.loss_log,
        progress=not args.no_progress,
        checkpoint=args.checkpoint,
        resume=args.resume,
    )
    import torch

    from .export import export_onnx

    recipe = {
        "command": "python -m diffusion.train " + " ".join(sys.argv[1:] if argv is None else argv),
        "config": {
            k: v for k, v in vars(cfg).items() if k != "extra" and (window or k not in _WINDOW_KEYS)
        },
        "data": source.description,
        "optimizer": f"Adam lr {cfg.lr} (t-embeddings x{cfg.emb_lr_mult}) cosine-decayed "
        f"to {cfg.lr_final}, batch {cfg.batch}",
        "loss": f"mean |f - {cfg.parameterization}|^2 (rails summed, weight "
        f"{cfg.loss_weight}), t sampling {cfg.t_sampling}",
        "ema_decay": cfg.ema,
        "parameters": res["parameters"],
        "train_seconds": round(res["seconds"], 1),
        "final_loss": res["losses"][-1][1] if res["losses"] else None,
        "torch": torch.__version__,
        "host": f"{platform.machine()} {os.cpu_count()} cpus",
    }
    if getattr(source, "kind", "") == "labelled":
        recipe["train_symbols"] = len(source)
        recipe["train_symbols_requested"] = args.train_symbols
    if window:
        recipe["optimizer"] = (
            f"Adam lr {cfg.lr} (t-embeddings x{cfg.emb_lr_mult}) cosine-decayed to "
            f"{cfg.lr_final}, batch {cfg.batch} windows of {window} symbols"
        )
        recipe["loss"] = (
            f"mean over windows and symbols of |f - {cfg.parameterization}|^2 (rails summed, "
            f"weight {cfg.loss_weight}), one step t per window, t sampling {cfg.t_sampling}"
        )
        net = res["model"]
        extra = {
            "network_description": f"window_conv1d: {len(dilations)} dilated Conv1d layers "
            f"({cfg.channels} channels, kernel {cfg.kernel}, dilations "
            f"{','.join(map(str, dilations))}, 'same' zero padding, receptive field "
            f"{net.receptive_field}), per-channel t-embedding, softplus (trained with beta "
            f"{cfg.beta:g}, folded into the weights), residual layers 2..L, 1x1 conv out",
        }
    else:
        extra = {
            "network": f"mlp 2-{'-'.join([str(cfg.hidden)] * cfg.depth)}-2 softplus, "
            f"elementwise t-embedding per hidden layer (trained with softplus "
            f"beta {cfg.beta:g}, folded into the weights)",
        }
    extra["training_parameterization"] = cfg.parameterization
    extra["created"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if getattr(source, "scale", None) is not None:
        extra["data_scale"] = repr(float(source.scale))
    if getattr(source, "kind", "") == "labelled":
        extra.update(source.label_metadata())
    if getattr(source, "kind", "") == "ofdm_channels":
        extra.update(source.metadata())
    export_onnx(
        res["model"],
        args.out,
        res["schedule"],
        source.constellation,
        data_name=source.name,
        training=recipe,
        extra_metadata=extra,
    )
    print(
        f"wrote {args.out}: {res['parameters']} parameters, {res['steps']} steps in "
        f"{res['seconds']:.1f} s, final loss {recipe['final_loss']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
