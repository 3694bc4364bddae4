"""Training: the temporal window eps-network (issue 12), its data, training and export."""

import json
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")

from gnuradio.diffusion import train as train_cli  # noqa: E402
from gnuradio.diffusion.core import constellations as C  # noqa: E402
from gnuradio.diffusion.core.schedules import make_schedule  # noqa: E402
from gnuradio.diffusion.training import ddpm  # noqa: E402
from gnuradio.diffusion.training import windows as win  # noqa: E402
from gnuradio.diffusion.training.export import export_onnx  # noqa: E402
from gnuradio.diffusion.training.network import WindowEpsNetwork  # noqa: E402

T = 20


def _net(param="eps", W=16, beta=1.0, seed=0):
    torch.manual_seed(seed)
    sched = make_schedule("wide", T)
    net = WindowEpsNetwork(T, W, 16, 5, (1, 2), param, sched.abar, beta=beta)
    with torch.no_grad():
        for p in net.parameters():
            p.normal_(0.0, 0.4)
    return net.eval(), sched


def _inputs(n=5, W=16, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, W, 2, generator=g), torch.randint(1, T + 1, (n,), generator=g)


def test_forward_shapes_and_checks():
    net, _ = _net()
    x, t = _inputs()
    assert net(x, t).shape == (5, 16, 2)
    assert net(x[:, :7], t).shape == (5, 7, 2)  # the convolutions take any length
    assert net.receptive_field == 1 + 4 * 3
    assert WindowEpsNetwork(T, 32).receptive_field == 61  # spec defaults: C 64, K 5, 1,2,4,8
    cfg = WindowEpsNetwork(T, 32).config()
    assert (cfg["window"], cfg["channels"], cfg["kernel"], cfg["dilations"]) == (
        32,
        64,
        5,
        [1, 2, 4, 8],
    )
    for bad in (dict(kernel=4), dict(dilations=()), dict(window=1), dict(parameterization="q")):
        kw = dict(T=T, window=16)
        kw.update(bad)
        with pytest.raises(ValueError):
            WindowEpsNetwork(**kw)


def test_symbols_only_see_their_receptive_field():
    net, _ = _net(W=32)
    x, t = _inputs(2, 32)
    x2 = x.clone()
    x2[:, 31] += 1.0  # the last symbol: the receptive field reaches back 6 symbols
    d = (net(x2, t) - net(x, t)).abs().amax(dim=(0, 2))
    assert torch.all(d[:25] == 0) and d[31] > 0


@pytest.mark.parametrize("param", ["v", "x0"])
def test_parameterization_conversions(param):
    net, sched = _net(param)
    x, t = _inputs()
    f = net.raw(x, t)
    ab = torch.tensor(sched.abar, dtype=torch.float64)[t - 1].view(-1, 1, 1)
    sa, s1 = ab.sqrt().float(), (1 - ab).sqrt().float()
    want = s1 * x + sa * f if param == "v" else (x - sa * f) / s1
    assert torch.allclose(net(x, t), want, rtol=1e-4, atol=1e-5)
    eps, x0 = net.eps_x0(x, t)
    assert torch.allclose(eps, net(x, t), rtol=1e-4, atol=1e-5)
    assert torch.allclose(x0, (x - s1 * eps) / sa, rtol=1e-3, atol=1e-3)
    assert torch.allclose(sa * x0 + s1 * eps, x, rtol=1e-4, atol=1e-4)


def test_beta_folding_and_export_mode():
    net, _ = _net(beta=20.0)
    x, t = _inputs()
    ref = net(x, t)
    fold = net.folded()
    assert fold.beta == 1.0
    assert torch.allclose(fold(x, t), ref, atol=1e-4)
    fold.export_mode = True
    assert torch.allclose(fold(x, t), ref, atol=1e-4)


def test_export_round_trip(tmp_path):
    net, sched = _net("v", beta=20.0)
    path = str(tmp_path / "w.onnx")
    meta = export_onnx(net, path, sched, C.by_name("qpsk"), data_name="qpsk+pn")
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    ins = {i.name: i for i in sess.get_inputs()}
    assert ins["x"].shape[1:] == [16, 2] and not isinstance(ins["x"].shape[0], int)
    assert len(ins["t"].shape) == 1 and not isinstance(ins["t"].shape[0], int)
    assert sess.get_outputs()[0].name == "eps" and sess.get_outputs()[0].shape[1:] == [16, 2]
    for n in (1, 7):
        x, t = _inputs(n)
        got = sess.run(None, {"x": x.numpy(), "t": t.numpy()})[0]
        np.testing.assert_allclose(got, net(x, t).detach().numpy(), atol=1e-5, rtol=0)
    m = sess.get_modelmeta().custom_metadata_map
    assert m["window_length"] == "16" and m["network"] == "window_conv1d"
    assert (m["window_channels"], m["window_kernel"], m["window_dilations"]) == ("16", "5", "1,2")
    assert m["parameterization"] == "eps" and m["T"] == str(T) and meta == dict(m)


def test_generator_statistics():
    rng = np.random.default_rng(5)
    n, W, lw = 4000, 33, 1e-3
    s, info = win.clean_windows(C.by_name("16qam"), n, W, rng, lw, lw, 0.0, return_info=True)
    assert s.shape == (n, W)
    m = n * W  # |s|^2 = |x|^2: 16-QAM power has std 0.4 per symbol
    assert abs(np.mean(np.abs(s) ** 2) - 1.0) < 5 * 0.4 / math.sqrt(m)
    np.testing.assert_allclose(np.abs(s), np.abs(info["x"]), atol=1e-12)
    d = np.diff(info["theta"], axis=1).reshape(-1)
    var, k = 2 * math.pi * lw, d.size  # sample variance: relative SE sqrt(2 / k)
    assert abs(np.var(d) / var - 1.0) < 5 * math.sqrt(2.0 / k)
    assert abs(np.mean(d)) < 5 * math.sqrt(var / k)
    phi0 = info["theta"][:, 0]
    assert phi0.min() >= 0 and phi0.max() < 2 * math.pi
    assert abs(np.mean(np.exp(1j * phi0))) < 5 / math.sqrt(n)  # uniform initial phase
    # defaults: lw log-uniform in [1e-4, 1e-2], cfo uniform +-2e-3 (mean increment 2 pi f)
    _, info = win.clean_windows("qpsk", n, W, rng, return_info=True)
    u = (np.log(info["lw"]) - math.log(1e-4)) / (math.log(1e-2) - math.log(1e-4))
    assert u.min() >= 0 and u.max() <= 1 and abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / n)
    f = info["f"]
    assert np.abs(f).max() <= 2e-3 and abs(np.mean(f**2) / (2e-3**2 / 3) - 1) < 0.1
    # mean increment of a window: 2 pi f + N(0, 2 pi lw / (W - 1))
    inc = np.diff(info["theta"], axis=1).mean(1)
    z = (inc - 2 * math.pi * f) / np.sqrt(2 * math.pi * info["lw"] / (W - 1))
    assert abs(np.mean(z**2) - 1.0) < 5 * math.sqrt(2.0 / n)


def test_sdpsk_generator():
    rng = np.random.default_rng(6)
    n, W, lw = 3000, 33, 1e-3
    s, info = win.sdpsk_windows(n, W, rng, lw, lw, 0.0, return_info=True)
    x, bits = info["x"], info["bits"]
    assert s.shape == (n, W) and x.shape == (n, W) and bits.shape == (n, W - 1)
    # before the phase: on the QPSK points at 45 degrees, consecutive symbols +-90 degrees
    np.testing.assert_allclose(np.abs(x), 1.0, atol=1e-12)
    q = np.angle(x * np.exp(-1j * math.pi / 4)) / (math.pi / 2)
    np.testing.assert_allclose(q, np.round(q), atol=1e-9)
    d = x[:, 1:] * np.conj(x[:, :-1])
    np.testing.assert_allclose(d, np.where(bits == 1, 1j, -1j), atol=1e-12)
    # bits fair and independent of the previous bit; x_0 uniform on the 4 points
    m = bits.size
    assert abs(bits.mean() - 0.5) < 5 * 0.5 / math.sqrt(m)
    same = (bits[:, 1:] == bits[:, :-1]).mean()
    assert abs(same - 0.5) < 5 * 0.5 / math.sqrt(n * (W - 2))
    k0 = np.round(q[:, 0]).astype(int) % 4
    cnt = np.bincount(k0, minlength=4)
    assert np.all(np.abs(cnt / n - 0.25) < 5 * math.sqrt(0.25 * 0.75 / n))
    # u_k = x_k j^-k is differential BPSK: +-u_0
    u = x * (1j ** -np.arange(W))[None, :]
    np.testing.assert_allclose(np.abs(u / u[:, :1] - np.real(u / u[:, :1])), 0.0, atol=1e-9)
    # the phase model is that of clean_windows: s = x exp(j theta)
    np.testing.assert_allclose(s, x * np.exp(1j * info["theta"]), atol=1e-12)
    inc = np.diff(info["theta"], axis=1).reshape(-1)
    var, k = 2 * math.pi * lw, inc.size
    assert abs(np.var(inc) / var - 1.0) < 5 * math.sqrt(2.0 / k)
    assert abs(np.mean(np.exp(1j * info["phi0"]))) < 5 / math.sqrt(n)
    np.testing.assert_allclose(win.sdpsk_windows(4, 8, rng, rotate=False).__abs__(), 1.0)
    # the training source: 'sdpsk+pn', data name sdpsk_pn, QPSK constellation metadata
    src = ddpm.make_window_source("sdpsk+pn", 16, 1e-4, 3e-3, 2e-3)
    assert src.name == "sdpsk_pn" and src.phase and src.constellation.name == "qpsk"
    assert "SDPSK" in src.description and "[0.0001, 0.003]" in src.description
    r = src.sample(64, torch.Generator().manual_seed(0)).numpy()
    z = r[..., 0] + 1j * r[..., 1]
    assert r.shape == (64, 16, 2) and np.allclose(np.abs(z), 1.0, atol=1e-5)
    # +-90 degrees per symbol up to the (small) phase increments
    dphi = np.abs(np.angle(z[:, 1:] * np.conj(z[:, :-1])))
    assert np.all(np.abs(dphi - math.pi / 2) < 0.6)
    assert ddpm.make_window_source("sdpsk", 8).name == "sdpsk"


def test_recording_windows():
    z = np.exp(2j * math.pi * np.arange(500) / 37.0) * (1 + np.arange(500) / 500)
    rng = np.random.default_rng(2)
    w = win.recording_windows(z, 24, 300, rng)
    assert w.shape == (300, 24)
    ks = set()
    for row in w:
        # the window is a rotation by j^k of a consecutive stretch
        o = int(np.argmin(np.abs(np.abs(z[:477]) - abs(row[0]))))
        r = row / z[o : o + 24]
        np.testing.assert_allclose(r, r[0], atol=1e-9)
        k = int(round(np.angle(r[0]) / (math.pi / 2))) % 4
        assert abs(r[0] - 1j**k) < 1e-9
        ks.add(k)
    assert ks == {0, 1, 2, 3}
    assert win.recording_windows(z, 50).shape == (10, 50)
    with pytest.raises(ValueError):
        win.recording_windows(z[:10], 24)


def test_window_source_spec():
    s = ddpm.make_window_source("16qam+pn", 8)
    assert s.phase and s.window == 8 and s.name == "16qam_pn"
    assert not ddpm.make_window_source("qpsk", 8).phase
    assert s.sample(5, torch.Generator().manual_seed(0)).shape == (5, 8, 2)
    with pytest.raises(ValueError):
        ddpm.make_window_source("qpsk+rapp", 8)


def test_tiny_training_lowers_loss():
    cfg = ddpm.TrainConfig(
        data="qpsk+pn",
        schedule="wide",
        T=T,
        steps=60,
        batch=32,
        lr=3e-3,
        seed=4,
        window=8,
        channels=16,
        dilations=(1, 2),
        emb_init="ones",
        beta=20.0,
        threads=1,
    )
    res = ddpm.train(cfg, progress=False)
    losses = np.array([v for _, v in res["losses"]])
    assert losses[-10:].mean() < 0.8 * losses[:10].mean()
    assert isinstance(res["model"], WindowEpsNetwork)


def test_cli_window_export(tmp_path):
    out, log = str(tmp_path / "w.onnx"), str(tmp_path / "w.csv")
    args = ["--window", "8", "--data", "qpsk+pn", "--out", out, "--loss-log", log]
    args += ["--steps", "4", "--batch", "16", "--T", str(T), "--channels", "8"]
    args += ["--dilations", "1,2", "--lw-range", "1e-3", "1e-3", "--cfo-max", "0"]
    assert train_cli.main(args + ["--no-progress", "--seed", "3"]) == 0
    sess = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
    m = sess.get_modelmeta().custom_metadata_map
    assert m["window_length"] == "8" and m["network"] == "window_conv1d"
    rec = json.loads(m["training"])
    assert rec["config"]["window"] == 8 and rec["config"]["lw_max"] == 1e-3
    assert "lw log-uniform in [0.001, 0.001]" in rec["data"]
    e = sess.run(None, {"x": np.zeros((3, 8, 2), np.float32), "t": np.ones(3, np.int64)})[0]
    assert e.shape == (3, 8, 2)
    # per-symbol exports keep their metadata keys and recipe
    out1 = str(tmp_path / "s.onnx")
    args1 = ["--data", "qpsk", "--out", out1, "--steps", "2", "--batch", "16", "--T", str(T)]
    assert train_cli.main(args1 + ["--hidden", "8", "--no-progress"]) == 0
    m1 = ort.InferenceSession(out1, providers=["CPUExecutionProvider"]).get_modelmeta()
    m1 = m1.custom_metadata_map
    assert "window_length" not in m1 and m1["network"].startswith("mlp 2-8-8-8-2")
    assert "window" not in json.loads(m1["training"])["config"]
