#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""RMS AGC: core.snr_estimation.RunningPower (NumPy) and the rms_agc block in a flowgraph:
unit output power from the first samples on, level-free convergence after a step (a burst
after a gap), independence of chunking, zeros and non-finite samples."""

import numpy as np
import pytest
from gnuradio import blocks, gr
from gnuradio.diffusion.core.snr_estimation import RunningPower


def burst_after_gap(rng, gap_db=-30.0, n_gap=5000, n_burst=5000):
    """Complex noise at ``gap_db`` below unit power, then unit-power BPSK symbols."""
    gap = (rng.standard_normal(n_gap) + 1j * rng.standard_normal(n_gap)) / np.sqrt(2)
    gap *= 10 ** (gap_db / 20)
    return np.concatenate([gap, 1.0 - 2.0 * rng.integers(0, 2, n_burst)])


def test_running_power_starts_without_a_ramp():
    """Constant-power input: the estimate is that power from the first sample on (normalised
    by its own weight; a single-pole average started at zero would read 1/250 of it)."""
    p = RunningPower(250).update(np.full(100, 3.0 + 4.0j))
    np.testing.assert_allclose(p, 25.0, rtol=1e-12)


def test_running_power_does_not_depend_on_the_chunking():
    y = burst_after_gap(np.random.default_rng(1))
    whole = RunningPower(250).update(y)
    est = RunningPower(250)
    parts = np.concatenate([est.update(c) for c in np.array_split(y, [1, 7, 300, 4999, 8000])])
    np.testing.assert_allclose(parts, whole, rtol=1e-12)


def test_running_power_skips_zeros_and_non_finite():
    """Zeros and NaN/Inf carry no weight: NaN before the first usable sample, held through."""
    y = np.array([0, 0, 2.0, 0, np.nan, np.inf, 2.0], complex)
    p = RunningPower(4).update(y)
    assert np.all(np.isnan(p[:2]))
    np.testing.assert_allclose(p[2:], 4.0)
    with pytest.raises(ValueError):
        RunningPower(0.5)


def run_agc(x, time_constant):
    from gnuradio import diffusion

    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(x, np.complex64).tolist(), False)
    snk = blocks.vector_sink_c()
    agc = diffusion.rms_agc(time_constant)  # a Python block must stay referenced while it runs
    tb.connect(src, agc, snk)
    tb.run()
    return np.array(snk.data())


def test_block_settles_whatever_the_level():
    """A burst 30 dB above the gap's noise at input levels 1e-3 and 1: the output is the same
    at both levels (the gain is level-free), the gap comes out at unit power from the start
    (no start-up overshoot: the first 50 samples' power within a factor 2 of 1, where a
    power average ramping up from zero gives ~1/(n alpha), 5 to 250 here), and the burst at
    unit power within 10 % once 5 time constants are past its start (the gap's weight left
    in the average: exp(-5) of the window)."""
    tc = 250.0
    x = burst_after_gap(np.random.default_rng(5))
    outs = [run_agc(level * x, tc) for level in (1e-3, 1.0)]
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-3, atol=1e-5)
    y = outs[1]
    assert 0.5 < np.mean(np.abs(y[:50]) ** 2) < 2.0
    assert abs(np.mean(np.abs(y[5000 + int(5 * tc) :]) ** 2) - 1.0) < 0.1


def test_block_passes_zeros_and_non_finite_through():
    """Zero and non-finite samples come out unchanged, and the gain holds through them."""
    x = np.array([0, 0, 0.5, 0.5, 0, np.nan, 0.5], complex)
    y = run_agc(x, 4.0)
    np.testing.assert_array_equal(y[:2], 0)
    np.testing.assert_allclose(y[[2, 3, 6]], 1.0, rtol=1e-6)
    assert y[4] == 0 and np.isnan(y[5])


def test_block_counts_non_finite_samples():
    """NaN/Inf samples are counted (and logged once), the flowgraph runs to the end."""
    from gnuradio import diffusion

    x = np.ones(1000, complex)
    x[[10, 500, 501]] = [np.nan, np.inf, complex(np.nan, 1)]
    tb = gr.top_block()
    src = blocks.vector_source_c(x.astype(np.complex64).tolist(), False)
    snk = blocks.vector_sink_c()
    agc = diffusion.rms_agc(50.0)
    tb.connect(src, agc, snk)
    tb.run()
    assert agc.nonfinite_samples() == 3
    assert agc.work_errors() == 0
    assert len(snk.data()) == x.size
