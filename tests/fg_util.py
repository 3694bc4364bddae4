"""Flowgraph helpers for the reliability tests (bad input, ramps): bounded runs that fail
instead of hanging, and bursts of bad samples."""

import threading

import numpy as np

BURSTS = {
    "nan": complex(np.nan, 0.0),
    "inf": complex(np.inf, -np.inf),
    "ninf": complex(-np.inf, 0.0),
    "huge": complex(1e30, -1e30),
    "denormal": complex(1e-40, -1e-41),
    "zero": 0j,
}


def run_bounded(tb, timeout=60.0, max_noutput_items=None):
    """tb.run() in a thread; True if the flowgraph finished within timeout s (else it is
    stopped and False is returned: a hang is a test failure, not a stuck suite)."""
    done = threading.Event()
    err = []

    def target():
        try:
            if max_noutput_items is None:
                tb.run()
            else:
                tb.run(int(max_noutput_items))
        except Exception as e:  # noqa: BLE001
            err.append(e)
        done.set()

    th = threading.Thread(target=target, daemon=True)
    th.start()
    ok = done.wait(timeout)
    if not ok:
        tb.stop()
        tb.wait()
    if err:
        raise err[0]
    return ok


def with_burst(y, kind, start, length):
    z = np.array(y, dtype=np.complex64, copy=True)
    z[start : start + length] = np.complex64(BURSTS[kind])
    return z


def ramp(n):
    """A counter stream: a unique complex value per index (exact in float32)."""
    k = np.arange(n)
    return ((k % 1000) / 1000.0 + 1j * (k // 1000) / 100.0).astype(np.complex64)
