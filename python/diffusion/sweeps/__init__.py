#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Monte-Carlo points and training recipes as tasks on dask.distributed.

runner (run_tasks: a LocalCluster of N single-threaded spawned workers by default, a
scheduler address to use a cluster; results in task order, a progress bar), recipes (the
training commands of the model cards as tasks: ``python -m gnuradio.diffusion.sweeps.recipes``).
The tasks themselves live with what they run, as functions of plain parameters that build
their own flowgraphs (e.g. flowgraphs.coded_link.coded_link_point).
"""
