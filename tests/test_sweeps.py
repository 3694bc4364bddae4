#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""diffusion.sweeps (issue 25, part 2): benchmark points and training recipes as tasks on a
local dask.distributed cluster (2 spawned single-threaded workers) give exactly the serial
results (same seeds), and a card's recipe retrains a model there."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
from gnuradio.diffusion.core import model_files
from gnuradio.diffusion.core.onnx_model import DdpmModel
from gnuradio.diffusion.flowgraphs.coded_link import coded_link_point
from gnuradio.diffusion.sweeps.recipes import card_recipes, train_recipe
from gnuradio.diffusion.sweeps.runner import run_tasks


def test_two_point_sweep_on_dask_equals_serial():
    # two Es/N0 points of the coded LDPC link (real flowgraphs), few frames: the point is
    # exact equality, not the FER; 6.5 dB sits in the waterfall so frames do fail there
    tasks = [
        dict(esn0=e, chain="", demapper="nominal", max_frames=6, batch=3, seed=2000, stop=100)
        for e in (6.5, 8.0)
    ]
    serial = run_tasks(coded_link_point, tasks, workers=0, progress=False)
    dask = run_tasks(coded_link_point, tasks, workers=2, progress=True)
    assert dask == serial
    assert [p["esn0_db"] for p in dask] == [6.5, 8.0] and all(p["frames"] == 6 for p in dask)
    # and the seed matters: another seed gives other frames (the equality is not vacuous)
    other = coded_link_point(**dict(tasks[0], seed=7))
    assert other != serial[0] or serial[0]["frame_errors"] == 0


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dask_scheduler_address():
    """A Dask scheduler and 2 single-threaded workers, each its own process started here (as a
    user starts them on a cluster), on 127.0.0.1 only; all killed at teardown."""
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env["OMP_NUM_THREADS"] = "1"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                "127.0.0.1:0",
                "--no-show",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        addr,
                        "--nthreads",
                        "1",
                        "--host",
                        "127.0.0.1",
                        "--no-dashboard",
                        "--death-timeout",
                        "60",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        # bounded wait: scheduler up and both workers registered (spawn + imports: seconds)
        with Client(addr, timeout=30) as c:
            c.wait_for_workers(2, timeout=45)
        yield addr
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)


def test_two_point_sweep_on_separate_scheduler_equals_serial(dask_scheduler_address):
    # the --scheduler path: a scheduler and workers this process did not start (no
    # LocalCluster); same tasks and seeds -> exactly the serial results
    tasks = [
        dict(esn0=e, chain="", demapper="nominal", max_frames=4, batch=2, seed=2001, stop=100)
        for e in (6.5, 8.0)
    ]
    serial = run_tasks(coded_link_point, tasks, workers=0, progress=False)
    remote = run_tasks(coded_link_point, tasks, scheduler=dask_scheduler_address, progress=False)
    assert remote == serial
    assert [p["esn0_db"] for p in remote] == [6.5, 8.0] and all(p["frames"] == 4 for p in remote)


def test_sequence_points_on_separate_scheduler_equal_serial(dask_scheduler_address):
    # bench/sequence_denoisers.py's simulated task (loops, C++ denoiser, window model) on
    # the workers: exactly the serial figures, and the 16-QAM loop's phase-track agreement
    # comes back with the task (no module state left behind in a worker)
    from gnuradio.diffusion.core.model_files import shipped_model
    from gnuradio.diffusion.flowgraphs.sequence_denoisers import sequence_sim_point

    tasks = [
        dict(
            constellation=c,
            lw=1e-2,
            esn0=e,
            models={"symbol": shipped_model(c), "window": shipped_model(f"{c}_pn_w32")},
            n=2048,
            n_tune=1024,
            n_seq=512,
            skip=256,
            seed=3,
            pll_bws=[0.02],
            smooth_lens=[8],
            window_modes=["tweedie"],
        )
        for c, e in (("qpsk", 8.0), ("16qam", 16.0))
    ]

    def figures(out):
        return [({k: v for k, v in r.items() if k != "seconds"}, a) for r, a in out]

    serial = run_tasks(sequence_sim_point, tasks, workers=0, progress=False)
    remote = run_tasks(sequence_sim_point, tasks, scheduler=dask_scheduler_address, progress=False)
    assert figures(remote) == figures(serial)
    # the 16-QAM constellation_receiver runs 4 times (tuning and evaluation, on y and on the
    # window output); QPSK uses costas_loop_cc, which records none
    assert serial[0][1] == [] and len(serial[1][1]) == 4
    assert {"pll_hard", "win_tweedie_4p", "oracle"} <= set(serial[1][0]["receivers"])


def test_reproduce_points_on_separate_scheduler_equal_serial(dask_scheduler_address):
    # bench/reproduce.py's link point (impaired link, the C++ denoiser in all four modes --
    # posterior and paper draw noise from the seed -- and the DNN), two Es/N0 points on one
    # TaskRunner (two batches on the same cluster, as reproduce.py's panels): exactly the
    # serial figures and samples. (With engine 'auto' instead of the task's 'fused', the
    # table engine's background builds would make tweedie / ddim timing-dependent.)
    from gnuradio.diffusion.core.model_files import shipped_model
    from gnuradio.diffusion.core.samplers import MODES
    from gnuradio.diffusion.flowgraphs.estimator_comparison import impaired_link_point
    from gnuradio.diffusion.sweeps.runner import TaskRunner

    tasks = [
        dict(
            const_name="16qam",
            ddpm_path=shipped_model("16qam"),
            dnn_path=shipped_model("dnn_16qam_regression"),
            esn0_db=e,
            kappa_t=0.05,
            kappa_r=0.15,
            bits=8,
            full_scale=1.2,
            fading=fading,
            coherence_length=1,
            noise="gaussian",
            nsym=400,
            seed=2026,
            ddim_steps=3,
            modes=list(MODES),
            keep_samples=True,
        )
        for e, fading in ((0.0, "none"), (20.0, "rayleigh"))
    ]

    def figures(r):
        # not compared: run time, and how far the in-flowgraph metric sinks' running sums
        # (chunk-dependent in the last bits) are from the offline figures (checked below)
        out = {
            k: v for k, v in r.items() if k not in ("seconds", "samples", "sink_vs_offline_max_rel")
        }
        return out, {k: v.tolist() for k, v in r["samples"].items()}

    serial = run_tasks(impaired_link_point, tasks, workers=0, progress=False)
    with TaskRunner(scheduler=dask_scheduler_address, progress=False) as pool:
        remote = pool.map(impaired_link_point, tasks[:1]) + pool.map(impaired_link_point, tasks[1:])
    assert [figures(r) for r in remote] == [figures(r) for r in serial]
    assert set(serial[0]["estimators"]) == {f"ddpm_{m}" for m in MODES} | {
        "dnn",
        "raw",
        "mmse",
        "hard",
    }
    # the two points differ (the equality is not vacuous) and the sinks agree offline
    a, b = (r["estimators"]["ddpm_posterior"]["mse"] for r in serial)
    assert a != b and max(r["sink_vs_offline_max_rel"] for r in serial + remote) < 1e-9


def test_card_recipes_parse_every_model_card():
    d = model_files.model_dirs()[0]
    recipes = {r["name"]: r for r in card_recipes(d)}
    cards = {f[:-3] for f in os.listdir(d) if f.endswith(".md")}
    onnx = {f[:-5] for f in os.listdir(d) if f.endswith(".onnx")}
    assert set(recipes) == cards & onnx  # every shipped model with a card has its recipe
    q = recipes["qpsk"]
    assert q["module"] == "train" and q["args"][q["args"].index("--out") + 1] == "models/qpsk.onnx"
    assert recipes["dnn_16qam_classification"]["module"] == "train_dnn"


def test_tiny_recipe_on_dask(tmp_path):
    """The qpsk card's recipe with 30 steps as a task on a 1-worker local cluster: writes a
    loadable model, its loss log and the card data."""
    d = model_files.model_dirs()[0]
    r = next(r for r in card_recipes(d) if r["name"] == "qpsk")
    import sys

    task = dict(
        r,
        out_dir=str(tmp_path),
        steps=30,
        cwd=str(tmp_path),
        pythonpath=os.pathsep.join(p for p in sys.path if p),
    )
    (card,) = run_tasks(train_recipe, [task], workers=1, progress=False)
    assert card["returncode"] == 0, card["output_tail"]
    m = DdpmModel(tmp_path / "qpsk.onnx")
    assert m.constellation.name == "qpsk" and "--steps 30" in m.training["command"]
    assert np.isfinite(card["final_loss"])
    saved = json.loads((tmp_path / "qpsk.recipe.json").read_text())
    assert saved["command"].startswith("python -m diffusion.train --data qpsk --steps 30")
    assert (tmp_path / "qpsk.loss.csv").is_file()
