#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The OFDM Qt GUI example (examples/ofdm_channel_prior.grc) runs headless (Qt offscreen):
grcc compiles it with this checkout's block descriptions; for a few seconds GNU Radio's
ofdm_tx -> selective fading + AWGN feeds the stock receiver and ofdm_denoised_rx side by
side; both decode packets, the taps outputs carry one LS and one denoised estimate per frame
(different on the active carriers, the same zero nulls), and the window draws something."""

import importlib.util
import os
import subprocess
import sys
import time

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="module")
def generated(tmp_path_factory, grc_env):
    out = tmp_path_factory.mktemp("qt_ofdm")
    r = subprocess.run(
        [
            sys.executable,
            "/usr/bin/grcc",
            "-o",
            str(out),
            os.path.join(ROOT, "examples", "ofdm_channel_prior.grc"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=grc_env,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return out / "ofdm_channel_prior.py"


def _spin(app, seconds, until=None):
    t_end = time.time() + seconds
    while time.time() < t_end:
        app.processEvents()
        time.sleep(0.05)
        if until is not None and until():
            break


def test_ofdm_example_runs_decodes_and_plots(generated, tmp_path):
    from gnuradio.diffusion.core.ofdm_carriers import DEFAULT_LAYOUT as LAY
    from PyQt5 import Qt

    spec = importlib.util.spec_from_file_location("ofdm_channel_prior", generated)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    app = Qt.QApplication.instance() or Qt.QApplication(sys.argv)
    tb = mod.ofdm_channel_prior()
    assert tb.get_snr_db() == 12 and (tb.width(), tb.height()) == (1280, 960)
    tb.start()
    tb.show()
    holds = tb.rx_denoised.taps_holds

    def enough():  # a loaded machine runs below the throttle's rate: wait for frames
        return (
            min(h.updates for h in holds) >= 20
            and min(r.crc.nitems_written(0) for r in (tb.rx_stock, tb.rx_denoised)) > 0
        )

    _spin(app, 60.0, enough)
    _spin(app, 2.0)  # the plot and the rate labels redraw
    shot = tb.grab()
    keep = os.environ.get("GRC_QT_SCREENSHOT")
    assert shot.save(keep + "_ofdm.png" if keep else str(tmp_path / "ofdm.png"), "PNG")
    tb.stop()
    tb.wait()
    ls, den = holds[0].taps.copy(), holds[1].taps.copy()
    n_ls, n_den = holds[0].updates, holds[1].updates
    bytes_stock = tb.rx_stock.crc.nitems_written(0)
    bytes_den = tb.rx_denoised.crc.nitems_written(0)
    tb.close()
    # one LS and one denoised estimate per frame
    assert n_ls >= 20 and abs(n_ls - n_den) <= 1, (n_ls, n_den)
    # 12 dB per carrier, sync 0.7: about half of the packets pass (docs/ofdm.md link table
    # 0.37 at 10 dB, 0.71 at 15 dB); 20+ frames: some pass in both receivers
    assert bytes_stock > 0 and bytes_den > 0, (bytes_stock, bytes_den)
    act = LAY.active_pos
    assert np.all(np.isfinite(ls)) and np.all(np.isfinite(den))
    # the denoiser moved the taps (noise at 12 dB: |LS - H|^2 ~ 0.06 |H|^2 per carrier)
    assert np.mean(np.abs(den[act] - ls[act]) ** 2) > 1e-3 * np.mean(np.abs(ls[act]) ** 2)
    assert np.allclose(den[LAY.null_pos], ls[LAY.null_pos])
    img = shot.toImage()
    px = np.array(
        [
            [img.pixel(x, y) & 0xFFFFFF for x in range(0, img.width(), 2)]
            for y in range(0, img.height(), 2)
        ]
    )
    assert len(np.unique(px)) > 20, f"screenshot looks blank ({len(np.unique(px))} colours)"
    # both curves are drawn (Qt vector sink colours: LS blue, denoised red)
    r, g, b = (px >> 16) & 255, (px >> 8) & 255, px & 255
    assert np.count_nonzero((b > 180) & (r < 80) & (g < 80)) > 50, "no LS curve"
    assert np.count_nonzero((r > 180) & (g < 80) & (b < 80)) > 50, "no denoised curve"
