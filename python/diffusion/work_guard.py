#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Last-resort guard for the Python blocks' work() / general_work().

An exception that escapes a Python block's work() ends that block's thread: GNU Radio logs
it once and the flowgraph neither produces another item nor finishes (tb.run() never
returns). The blocks' arithmetic is written not to raise on any input (zeros, constants,
single samples, NaN/Inf: tests/test_bad_input_python_blocks.py); this guard is for what
was not foreseen. It never hides what happened:

- the exception is logged with the block's logger (the first one with its traceback,
  then the running count at the 10th, 100th, 1000th ... error) and counted
  (``work_errors()``);
- ``policy="pass"`` (item-preserving sync blocks): the chunk goes out unprocessed, each
  output the matching input where the types agree (shifted by the block's ``latency()``
  where it has one), NaN (float/complex) or 0 (integers) elsewhere, and its first item
  is tagged ``work_error`` (uint64: the error count, the message is in the log); a
  general block (one output per input, plus outputs of its own such as a per-frame side
  stream): each input's chunk goes out on its output as it came in, the other outputs
  get nothing;
- ``policy="drop"`` (sinks, and general blocks whose output is not the input): every
  input's chunk is consumed and nothing is produced; the block's ``_after_work_error()``,
  if it has one, clears half-processed state (a queued frame), so that the next call
  starts clean.

Either way the flowgraph keeps running and finishes.
"""

import functools
import traceback

import numpy as np
import pmt
from gnuradio import gr

ERROR_TAG = "work_error"
POLICIES = ("pass", "drop")


def _fill_value(dtype):
    return np.nan if np.issubdtype(dtype, np.inexact) else 0


def _log_error(block, exc, policy):
    n = block._work_errors
    name = block.name() if hasattr(block, "name") else type(block).__name__
    if n == 1:
        what = f"passed through unprocessed, tagged {ERROR_TAG}" if policy == "pass" else "dropped"
        block.logger.error(
            f"{name}: unexpected {type(exc).__name__} in work(): {exc}; the chunk is {what} "
            "and the flowgraph goes on (first error; later ones are counted: work_errors())"
            f"\n{traceback.format_exc()}"
        )
    elif n in (10, 100, 1000) or n % 10000 == 0:
        block.logger.error(f"{name}: {n} work() errors so far (latest: {exc!r})")


def guarded_work(policy):
    """Decorator for a Python block's work() / general_work() (see the module text)."""
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")

    def wrap(fn):
        @functools.wraps(fn)
        def work(self, input_items, output_items):
            try:
                return fn(self, input_items, output_items)
            except Exception as exc:  # noqa: BLE001 (a raising work() stalls the flowgraph)
                self._work_errors = getattr(self, "_work_errors", 0) + 1
                _log_error(self, exc, policy)
                if policy == "pass":
                    return _pass_through(self, input_items, output_items)
                return _drop(self, input_items)

        return work

    return wrap


def _pass_through(block, input_items, output_items):
    if block._block_type == gr.GW_BLOCK_GENERAL:
        return _pass_through_general(block, input_items, output_items)
    n = len(output_items[0]) if output_items else 0
    delay = int(block.latency()) if hasattr(block, "latency") else 0
    for j, out in enumerate(output_items):
        src = input_items[j] if j < len(input_items) else None
        if src is not None and src.dtype == out.dtype:
            start = max(0, len(src) - n - delay)  # history - 1 - D: output n <- input n - D
            out[:n] = src[start : start + n]
        else:
            out[:n] = _fill_value(out.dtype)
    if n:
        # the value is the error count (uint64), as "invalid_sample"; the message is in the
        # log (interning each message as a PMT symbol would grow the symbol table)
        block.add_item_tag(
            0, block.nitems_written(0), pmt.intern(ERROR_TAG), pmt.from_uint64(block._work_errors)
        )
    return n


def _pass_through_general(block, input_items, output_items):
    for j, src in enumerate(input_items):
        out = output_items[j] if j < len(output_items) else None
        if out is None or src.dtype != out.dtype:
            block.consume(j, len(src))
            continue
        n = min(len(src), len(out))
        out[:n] = src[:n]
        if j == 0 and n:
            block.add_item_tag(
                0,
                block.nitems_written(0),
                pmt.intern(ERROR_TAG),
                pmt.from_uint64(block._work_errors),
            )
        block.produce(j, n)
        block.consume(j, n)
    return gr.WORK_CALLED_PRODUCE


def _drop(block, input_items):
    reset = getattr(block, "_after_work_error", None)
    if reset is not None:
        try:
            reset()
        except Exception:  # noqa: BLE001
            pass
    if block._block_type == gr.GW_BLOCK_GENERAL:
        for i, inp in enumerate(input_items):
            block.consume(i, len(inp))
        return 0
    # a sync block (a sink): returning the chunk's length consumes it
    return len(input_items[0]) - (block.history() - 1) if input_items else 0


class WorkGuard:
    """Mixin for blocks whose work is wrapped by :func:`guarded_work`."""

    _work_errors = 0

    def work_errors(self):
        """Exceptions caught in work() so far (each logged; see diffusion.work_guard)."""
        return self._work_errors
