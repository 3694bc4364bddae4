#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Run independent tasks on dask.distributed (or serially), results in task order.

A task is ``func(**params)`` with ``func`` a module-level function of this package (workers
import it by name) and ``params`` plain picklable values (numbers, strings, lists): each task
builds its own flowgraph / model from them, nothing GNU Radio or onnxruntime is pickled.
Results depend only on the params (seeds included), so a sweep gives exactly the serial
results whatever the worker count or order (tests/test_sweeps.py).

Workers are spawned processes (never forked: GNU Radio / onnxruntime threads), each
single-threaded (``nthreads=1``; one flowgraph per worker at a time).
"""

import os
import sys

SERIAL = 0  # workers=0: run in this process, one task after another


def add_cluster_arguments(ap, default_workers=2):
    """--workers / --scheduler / --no-progress options for a benchmark's argparse parser."""
    g = ap.add_argument_group("dask (diffusion.sweeps)")
    g.add_argument(
        "--workers",
        type=int,
        default=default_workers,
        help="local Dask workers (spawned, single-threaded); 0 = serial in this process "
        "(default %(default)s)",
    )
    g.add_argument(
        "--scheduler",
        default="",
        help="address of a running Dask scheduler (tcp://host:8786) instead of a local cluster",
    )
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    return g


def run_tasks(func, tasks, workers=2, scheduler="", progress=True, desc="tasks"):
    """[func(**t) for t in tasks], on Dask unless workers == 0 and no scheduler.

    workers: local single-threaded worker processes (LocalCluster, spawned); scheduler: a
    Dask scheduler address (then workers is ignored). progress: a tqdm bar on stderr.
    A task's exception is raised here (after the cluster is closed) with its params."""
    with TaskRunner(workers, scheduler, progress) as runner:
        return runner.map(func, tasks, desc)


class TaskRunner:
    """run_tasks for several batches on one cluster (started at the first non-empty batch,
    closed on exit), so a script with many sweeps pays the workers' start-up once::

        with TaskRunner(workers=2) as r:
            a = r.map(point, tasks_a)
            b = r.map(point, tasks_b, desc="panel b")

    Arguments as run_tasks; map(func, tasks, desc) returns [func(**t) for t in tasks]."""

    def __init__(self, workers=2, scheduler="", progress=True):
        self.workers, self.scheduler, self.progress = int(workers), scheduler, progress
        self.serial = not scheduler and self.workers <= SERIAL
        self._client = self._cluster = self._config = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        if self._config is not None:
            self._config.__exit__(None, None, None)
        self._client = self._cluster = self._config = None

    def map(self, func, tasks, desc="tasks"):
        tasks = [dict(t) for t in tasks]
        if not tasks:
            return []
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=len(tasks), desc=desc, file=sys.stderr, leave=False)
        try:
            if self.serial:
                out = []
                for t in tasks:
                    out.append(func(**t))
                    if bar:
                        bar.update()
                return out
            return self._run_dask(func, tasks, bar)
        finally:
            if bar:
                bar.close()

    def _connect(self):
        import dask
        from distributed import Client, LocalCluster

        self._config = dask.config.set(
            {"distributed.worker.multiprocessing-method": "spawn", "logging.distributed": "error"}
        )
        self._config.__enter__()
        if self.scheduler:
            self._client = Client(self.scheduler)
        else:
            self._cluster = LocalCluster(
                n_workers=max(1, self.workers),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=40,
                env={"OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(sys.path)},
            )
            self._client = Client(self._cluster)

    def _run_dask(self, func, tasks, bar):
        from distributed import as_completed

        if self._client is None:
            self._connect()
        futs = [self._client.submit(func, pure=False, **t) for t in tasks]
        index = {f.key: i for i, f in enumerate(futs)}
        out = [None] * len(tasks)
        try:
            for f in as_completed(futs):
                i = index[f.key]
                try:
                    out[i] = f.result()
                except Exception as e:
                    raise RuntimeError(f"task {tasks[i]} failed: {type(e).__name__}: {e}") from e
                if bar:
                    bar.update()
        except BaseException:
            self._client.cancel(futs)
            raise
        return out
