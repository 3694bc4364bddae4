"""The Qt GUI simulation example runs headless (Qt offscreen platform) and draws something.

grcc compiles examples/ddpm_sim_qt.grc (with this checkout's grc/ block descriptions); the
generated top block opens at a usable size (1280 x 960, set by the flow graph's snippet, not
by the test), starts at kappa_t 0.005 / kappa_r 0.01 and 25 dB where its metrics sinks must
show the denoiser lowering the MSE by several dB, then the "Impairments" chooser switches
the link to the published kappa_t 0.05, kappa_r 0.15. Screenshots of both states are
written (GRC_QT_SCREENSHOT=prefix keeps them) and must not be blank.
"""

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
    out = tmp_path_factory.mktemp("qt")
    r = subprocess.run(
        [
            sys.executable,
            "/usr/bin/grcc",
            "-o",
            str(out),
            os.path.join(ROOT, "examples", "ddpm_sim_qt.grc"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=grc_env,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return out / "ddpm_sim_qt.py"


def _spin(app, seconds):
    t_end = time.time() + seconds
    while time.time() < t_end:
        app.processEvents()
        time.sleep(0.05)


def _colours(shot):
    img = shot.toImage()
    w, h = img.width(), img.height()
    px = np.array([[img.pixel(x, y) & 0xFFFFFF for x in range(0, w, 7)] for y in range(0, h, 7)])
    return len(np.unique(px))


def test_qt_example_runs_and_draws(generated, tmp_path):
    from PyQt5 import Qt

    spec = importlib.util.spec_from_file_location("ddpm_sim_qt", generated)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    app = Qt.QApplication.instance() or Qt.QApplication(sys.argv)
    tb = mod.ddpm_sim_qt()
    # opens at a usable size by itself
    assert (tb.width(), tb.height()) == (1280, 960), (tb.width(), tb.height())
    assert (tb.get_kappa_t_used(), tb.get_kappa_r_used(), tb.get_esn0_db()) == (0.005, 0.01, 25)
    tb.start()
    tb.show()
    _spin(app, 4.0)
    keep = os.environ.get("GRC_QT_SCREENSHOT")
    shot = tb.grab()
    assert shot.save(keep + "_start.png" if keep else str(tmp_path / "start.png"), "PNG")
    n_out = tb.diffusion_ddpm_denoiser_0.nitems_written(0)
    # cumulative MSE (the 20k windows of a Rayleigh-faded ZF link swing by ~2 dB)
    mse_ddpm = tb.metrics_ddpm.value("mse_db")
    mse_raw = tb.metrics_raw.value("mse_db")
    # the published impairments, from the chooser
    tb.set_kappa_preset(1)
    assert (tb.get_kappa_t_used(), tb.get_kappa_r_used()) == (0.05, 0.15)
    tb.metrics_ddpm.reset()
    tb.metrics_raw.reset()
    _spin(app, 3.0)
    shot2 = tb.grab()
    assert shot2.save(keep + "_published.png" if keep else str(tmp_path / "pub.png"), "PNG")
    pub_ddpm = tb.metrics_ddpm.value("mse_db")
    pub_raw = tb.metrics_raw.value("mse_db")
    tb.stop()
    tb.wait()
    tb.close()
    assert n_out > 0, "the denoiser produced nothing"
    # start settings: distortion 0.015 (18 dB) + 25 dB thermal noise on a Rayleigh-faded,
    # ZF-equalized link: measured received -13.0..-13.4 dB, denoised -19.3..-19.7 dB (gain
    # ~6 dB); the published ones saturate the SINR at 7 dB: measured -6.5 / -8.2 dB
    assert mse_ddpm < mse_raw - 3.0, (mse_ddpm, mse_raw)
    assert pub_raw > mse_raw + 4.0, (pub_raw, mse_raw)
    assert pub_ddpm > mse_ddpm + 6.0, (pub_ddpm, mse_ddpm)
    assert pub_ddpm < pub_raw - 0.5, (pub_ddpm, pub_raw)
    for s in (shot, shot2):
        assert s.width() >= 1200 and s.height() >= 900
        # a blank window is one colour; a drawn GUI has sliders, text and the scatter plot
        assert _colours(s) > 20, f"screenshot looks blank ({_colours(s)} colours)"
