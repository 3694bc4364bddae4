"""Engine: ONNX export (torch) / loading (onnxruntime) of eps-networks, metadata, errors."""

import json
import os

import numpy as np
import pytest
from gnuradio.diffusion.core import constellations
from gnuradio.diffusion.core.onnx_model import REQUIRED_METADATA, DdpmModel, parse_floats
from gnuradio.diffusion.core.schedules import make_schedule

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
from gnuradio.diffusion.training.export import export_onnx  # noqa: E402
from gnuradio.diffusion.training.network import EpsNetwork  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def make_net(param="eps", T=12, hidden=16, seed=0, sched="wide", beta=1.0, emb_init="uniform"):
    torch.manual_seed(seed)
    s = make_schedule(sched, T)
    net = EpsNetwork(
        T, hidden=hidden, depth=3, parameterization=param, abar=s.abar, beta=beta, emb_init=emb_init
    )
    with torch.no_grad():  # make the output non-trivial
        for p in net.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return net.eval(), s


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    net, s = make_net()
    path = str(tmp_path_factory.mktemp("onnx") / "tiny.onnx")
    c = constellations.by_name("16qam")
    export_onnx(net, path, s, c, training={"recipe": "unit test"})
    return net, s, c, path


@pytest.mark.parametrize(
    "param, beta, emb_init",
    [
        ("eps", 1.0, "uniform"),  # the published network
        ("eps", 20.0, "ones"),  # the shipped recipe: sharpness folded at export
        ("v", 5.0, "snr"),
        ("x0", 1.0, "uniform"),
    ],
)
def test_onnx_parity_with_torch(tmp_path, param, beta, emb_init):
    net, s = make_net(param, seed=1, beta=beta, emb_init=emb_init)
    path = str(tmp_path / f"{param}{beta:g}.onnx")
    export_onnx(net, path, s, constellations.by_name("qpsk"))
    m = DdpmModel(path)
    rng = np.random.default_rng(0)
    n = 5000  # > one internal chunk
    x = rng.standard_normal((n, 2)).astype(np.float32)
    t = rng.integers(1, s.T + 1, n)
    got = m.predict_eps(x, t)
    with torch.no_grad():
        ref = net(torch.from_numpy(x), torch.from_numpy(t)).numpy()
    assert got.dtype == np.float32 and got.shape == (n, 2)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-5 * max(1.0, np.abs(ref).max()))
    # scalar t broadcasts
    np.testing.assert_array_equal(m.predict_eps(x[:7], 3), m.predict_eps(x[:7], np.full(7, 3)))


def test_graph_contract(exported):
    _, _, _, path = exported
    model = onnx.load(path)
    onnx.checker.check_model(model)
    assert model.opset_import[0].version == 17
    ins = {i.name: i for i in model.graph.input}
    assert set(ins) == {"x", "t"} and [o.name for o in model.graph.output] == ["eps"]
    assert ins["x"].type.tensor_type.elem_type == TensorProto.FLOAT
    assert ins["t"].type.tensor_type.elem_type == TensorProto.INT64
    dims = ins["x"].type.tensor_type.shape.dim
    assert dims[0].dim_param and dims[1].dim_value == 2  # dynamic batch
    assert "Softplus" not in {n.op_type for n in model.graph.node}  # fast composite


def test_metadata(exported):
    _, s, c, path = exported
    m = DdpmModel(path)
    md = m.metadata
    assert all(isinstance(v, str) for v in md.values())
    for k in REQUIRED_METADATA:
        assert k in md
    assert md["gr_diffusion_format"] == "1" and md["parameterization"] == "eps"
    assert md["T"] == str(s.T) and md["schedule"] == "wide"
    assert md["noise_variance_convention"] == "per complex sample; Es/N0 = 1/sigma^2"
    np.testing.assert_array_equal(parse_floats(md["alphas"]), s.alphas)  # exact round trip
    np.testing.assert_array_equal(m.schedule.abar, s.abar)
    pts = parse_floats(md["constellation_points"])
    np.testing.assert_array_equal(pts[0::2] + 1j * pts[1::2], c.points)
    assert m.constellation.name == "16qam"
    np.testing.assert_array_equal(m.constellation.labels, c.labels)
    assert json.loads(md["training"]) == {"recipe": "unit test"}


def test_overrides(exported):
    _, s, _, path = exported
    m = DdpmModel(path, schedule="paper", constellation="qpsk")
    assert m.schedule.name == "paper" and m.schedule.T == s.T
    assert m.constellation.name == "qpsk"
    with pytest.raises(ValueError, match="T = 12"):
        DdpmModel(path, schedule=make_schedule("wide", 100))


def test_swissroll_like_metadata_has_no_constellation(tmp_path):
    net, s = make_net(seed=2)
    path = str(tmp_path / "roll.onnx")
    export_onnx(net, path, s, None, data_name="swissroll")
    m = DdpmModel(path)
    assert m.constellation is None and m.metadata["constellation"] == "swissroll"


def test_predict_eps_argument_errors(exported):
    m = DdpmModel(exported[3])
    with pytest.raises(ValueError, match=r"t must be in \[1, 12\]"):
        m.predict_eps(np.zeros((2, 2), np.float32), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"\[N, 2\]"):
        m.predict_eps(np.zeros((2, 3), np.float32), np.array([1, 1]))
    assert m.predict_eps(np.zeros((0, 2), np.float32), np.zeros(0, np.int64)).shape == (0, 2)


# ------------------------------------------------------------------------ loader errors
def test_missing_file(tmp_path):
    p = str(tmp_path / "nope.onnx")
    with pytest.raises(FileNotFoundError, match="nope.onnx"):
        DdpmModel(p)


def test_garbage_file(tmp_path):
    p = tmp_path / "garbage.onnx"
    p.write_bytes(b"this is not a protobuf \x00\x01\x02" * 10)
    with pytest.raises(ValueError, match="garbage.onnx.*not a loadable ONNX model"):
        DdpmModel(str(p))


def test_missing_metadata_key(exported, tmp_path):
    model = onnx.load(exported[3])
    keep = [(p.key, p.value) for p in model.metadata_props if p.key != "alphas"]
    del model.metadata_props[:]
    for k, v in keep:
        model.metadata_props.add(key=k, value=v)
    p = str(tmp_path / "nometa.onnx")
    onnx.save(model, p)
    with pytest.raises(ValueError, match="nometa.onnx.*missing: alphas"):
        DdpmModel(p)


def _graph_model(
    path, x_name="x", x_type=TensorProto.FLOAT, x_cols=2, t_type=TensorProto.INT64, out_name="eps"
):
    """x[:, :2] (cast to float) as 'eps', t unused except through a shape-neutral op."""
    nodes = [
        helper.make_node("Cast", [x_name], ["xf"], to=TensorProto.FLOAT),
        helper.make_node("Slice", ["xf", "st", "en", "ax"], [out_name]),
    ]
    inits = [numpy_helper.from_array(np.array([0], np.int64), n) for n in ("st", "ax")]
    inits.append(numpy_helper.from_array(np.array([2], np.int64), "en"))
    inits[1] = numpy_helper.from_array(np.array([1], np.int64), "ax")
    g = helper.make_graph(
        nodes,
        "g",
        [
            helper.make_tensor_value_info(x_name, x_type, ["N", x_cols]),
            helper.make_tensor_value_info("t", t_type, ["N"]),
        ],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, ["N", 2])],
        inits,
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    s = make_schedule("paper", 4)
    from gnuradio.diffusion.core.onnx_model import build_metadata

    for k, v in build_metadata(s, constellations.by_name("qpsk")).items():
        m.metadata_props.add(key=k, value=v)
    onnx.save(m, path)
    return path


def test_handmade_graph_loads(tmp_path):
    m = DdpmModel(_graph_model(str(tmp_path / "ok.onnx")))
    x = np.arange(8, dtype=np.float32).reshape(4, 2)
    np.testing.assert_array_equal(m.predict_eps(x, np.ones(4, np.int64)), x)


@pytest.mark.parametrize(
    "kw, msg",
    [
        ({"x_name": "inp"}, r"inputs must be named 'x' and 't'"),
        ({"x_type": TensorProto.DOUBLE}, r"input 'x' has type float64"),
        ({"t_type": TensorProto.INT32}, r"input 't' has type int32"),
        ({"x_cols": 3}, r"input 'x' has shape"),
        ({"out_name": "y"}, r"output named 'eps'"),
    ],
)
def test_wrong_io_is_rejected(tmp_path, kw, msg):
    p = _graph_model(str(tmp_path / "bad.onnx"), **kw)
    with pytest.raises(ValueError, match="bad.onnx: .*" + msg):
        DdpmModel(p)


def test_unknown_provider_lists_installed(exported):
    import onnxruntime as ort

    with pytest.raises(ValueError) as e:
        DdpmModel(exported[3], providers=["NoSuchExecutionProvider"])
    msg = str(e.value)
    assert "NoSuchExecutionProvider" in msg and os.path.basename(exported[3]) in msg
    for p in ort.get_available_providers():
        assert p in msg
