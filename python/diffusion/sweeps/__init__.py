#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Monte-Carlo points and training recipes as tasks on dask.distributed.

runner (run_tasks: a LocalCluster of N single-threaded spawned workers by default, a
scheduler address to use a cluster; results in task order, a progress bar), tasks (the
benchmarks' points as functions of plain parameters: each builds its own flowgraph), recipes
(the training commands of the model cards as tasks: ``python -m diffusion.sweeps.recipes``).
"""
