#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Retrain the shipped models from their cards' recipes, as tasks on Dask (runner).

  python -m gnuradio.diffusion.sweeps.recipes [--models-dir models] [--out-dir DIR]
      [--only qpsk,16qam] [--steps N] [--workers 2] [--scheduler tcp://host:8786]

Each model card (models/*.md) names its training command (``python -m diffusion.train ...``
or ``python -m diffusion.train_dnn ...``); every command becomes one task that runs it in a
subprocess (torch stays out of the worker) and writes, in --out-dir (default: the models
directory itself, i.e. retrain in place), the model (--out), its loss log (--loss-log, for
the commands that keep one) and ``<name>.recipe.json`` (the card data: command, seconds,
exit status, final loss, the tail of its output). --steps overrides every recipe's step count
(a quick smoke run); --only picks models by name. Exit status 1 when a recipe failed.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

from .runner import add_cluster_arguments, run_tasks

_CMD = re.compile(r"python -m diffusion\.(train|train_dnn) ")
_PKG = __package__.rsplit(".", 1)[0]  # 'gnuradio.diffusion' (installed) or 'diffusion'


def card_recipes(models_dir):
    """[{name, module, args}] of every card in models_dir with a training command."""
    out = []
    for fn in sorted(os.listdir(models_dir)):
        if not fn.endswith(".md"):
            continue
        with open(os.path.join(models_dir, fn)) as f:
            text = f.read().replace("\\\n", " ")
        for line in text.splitlines():
            m = _CMD.search(line)
            if not m or "--out" not in line:
                continue
            args = shlex.split(line[m.end() :].strip().strip("`"))
            out.append({"name": fn[:-3], "module": m.group(1), "args": args})
            break
    return out


def _set(args, flag, value):
    """args with ``flag value`` replaced (or appended)."""
    a = list(args)
    if flag in a:
        a[a.index(flag) + 1] = value
    else:
        a += [flag, value]
    return a


def train_recipe(name, module, args, out_dir, steps=0, cwd=None, pythonpath=""):
    """Run one recipe (a task): outputs redirected into out_dir; returns the card data."""
    os.makedirs(out_dir, exist_ok=True)
    args = _set(args, "--out", os.path.join(out_dir, name + ".onnx"))
    if "--loss-log" in args or module == "train":
        args = _set(args, "--loss-log", os.path.join(out_dir, name + ".loss.csv"))
    if steps:
        args = _set(args, "--steps", str(int(steps)))
    cmd = [sys.executable, "-m", f"{_PKG}.{module}", *args]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    t0 = time.time()
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    card = {
        "name": name,
        "command": f"python -m diffusion.{module} " + shlex.join(args),
        "returncode": r.returncode,
        "seconds": round(time.time() - t0, 1),
        "model": args[args.index("--out") + 1],
        "loss_log": args[args.index("--loss-log") + 1] if "--loss-log" in args else None,
        "final_loss": None,
        "output_tail": (r.stdout + r.stderr)[-1500:],
    }
    log = card["loss_log"]
    if r.returncode == 0 and log and os.path.isfile(log):
        with open(log) as f:
            rows = [ln for ln in f.read().splitlines() if ln and ln[0].isdigit()]
        if rows:
            card["final_loss"] = float(rows[-1].split(",")[1])
    with open(os.path.join(out_dir, name + ".recipe.json"), "w") as f:
        json.dump(card, f, indent=1)
    return card


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m gnuradio.diffusion.sweeps.recipes", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--models-dir", default="models", help="where the cards are (models)")
    ap.add_argument("--out-dir", default="", help="where to write (default: --models-dir)")
    ap.add_argument("--only", default="", help="comma list of model names")
    ap.add_argument("--steps", type=int, default=0, help="override every recipe's steps")
    add_cluster_arguments(ap)
    args = ap.parse_args(argv)
    recipes = card_recipes(args.models_dir)
    if args.only:
        want = set(args.only.split(","))
        unknown = want - {r["name"] for r in recipes}
        if unknown:
            ap.error(f"no recipe for {sorted(unknown)}")
        recipes = [r for r in recipes if r["name"] in want]
    out_dir = os.path.abspath(args.out_dir or args.models_dir)
    tasks = [
        dict(
            r,
            out_dir=out_dir,
            steps=args.steps,
            cwd=os.getcwd(),
            pythonpath=os.pathsep.join(p for p in sys.path if p),
        )
        for r in recipes
    ]
    cards = run_tasks(
        train_recipe, tasks, args.workers, args.scheduler, not args.no_progress, desc="recipes"
    )
    for c in cards:
        state = "ok" if c["returncode"] == 0 else f"FAILED ({c['returncode']})"
        print(f"{c['name']:22s} {state:12s} {c['seconds']:8.1f} s  final loss {c['final_loss']}")
    return 0 if all(c["returncode"] == 0 for c in cards) else 1


if __name__ == "__main__":
    sys.exit(main())
