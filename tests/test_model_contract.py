"""One model-file contract, checked the same way by the Python loader (core.onnx_model
DdpmModel) and the C++ block (ddpm_denoiser through lib/model_contract.cc): one corpus of
bad files (tests/bad_models.py, generated here from the shipped QPSK model) goes through
both, and each error must match the same pattern. Also the fuzzers' regression inputs
(tests/fuzz/regressions/) through both parsers."""

import glob
import os
import re

import bad_models
import pytest
from gnuradio import diffusion
from gnuradio.diffusion.core import onnx_model
from gnuradio.diffusion.core.onnx_model import DdpmModel

HERE = os.path.dirname(os.path.abspath(__file__))
D = diffusion.ddpm_denoiser


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return bad_models.generate(str(tmp_path_factory.mktemp("bad_models")))


def _error(fn):
    try:
        fn()
    except (ValueError, FileNotFoundError, RuntimeError) as e:
        return f"{type(e).__name__}: {e}"
    return None


def test_corpus_size(corpus):
    # metadata, graph I/O and byte-level classes: the report quotes this number
    assert len(corpus) >= 50
    assert sum(c.expect is None for c in corpus) == 2  # a per-symbol and a window model


@pytest.mark.parametrize("side", ["python", "cpp", "python_block"])
def test_every_bad_model_is_a_clear_error_on_both_sides(corpus, side):
    load = {
        "python": lambda p: DdpmModel(p),
        "cpp": lambda p: D(p, D.TWEEDIE, 1, D.NOISE_PARAMETER, 10.0, "cpu", 1, 64, 0),
        "python_block": lambda p: diffusion.ddpm_denoiser_py(p, batch_size=64),
    }[side]
    wrong = []
    for c in corpus:
        err = _error(lambda c=c: load(c.path))
        if c.expect is None:
            if err is not None:
                wrong.append(f"{c.name}: good model rejected: {err}")
        elif err is None:
            wrong.append(f"{c.name}: accepted (expected /{c.expect}/)")
        elif not re.search(c.expect, err):
            wrong.append(f"{c.name}: {err[:200]!r} does not match /{c.expect}/")
        elif c.name != "missing_file" and os.path.basename(c.path) not in err:
            wrong.append(f"{c.name}: error does not name the file: {err[:200]!r}")
    assert not wrong, "\n".join(wrong)


def test_metadata_parser_matches_cpp_on_edge_numbers():
    # the strict number grammar (lib/model_contract.cc parse_number): the same verdicts
    for good, v in ((" 1.5e-3 ", 1.5e-3), ("-.5", -0.5), ("7.", 7.0), ("+2E+1", 20.0)):
        assert onnx_model.parse_number(good) == v
    for bad in (
        "",
        " ",
        "1.5x",
        "0x10",
        "inf",
        "nan",
        "1e",
        "e5",
        "--1",
        "1_000",
        ".",
        "+",
        "1e999",
        "1.0 2.0",
        "１",
    ):
        with pytest.raises(ValueError):
            onnx_model.parse_number(bad)
    with pytest.raises(ValueError, match="not a decimal number"):
        onnx_model.parse_floats("1,,2")
    with pytest.raises(ValueError):
        onnx_model.parse_count("+4", "T", 100)


def _regression_files():
    return sorted(
        p
        for p in glob.glob(os.path.join(HERE, "fuzz", "regressions", "*"))
        if not p.endswith(".md")
    )


@pytest.mark.parametrize("path", _regression_files() or [None])
def test_fuzz_regressions_give_the_same_verdict_on_both_sides(path, tmp_path):
    """Inputs the fuzzers (tests/fuzz/run_fuzz.sh) kept, in their "key=value" metadata
    format: on the shipped graph, the Python and the C++ loader must both accept or both
    reject them with an error (never crash)."""
    if path is None:
        pytest.skip("no fuzz regression files")
    meta = bad_models.meta_from_bytes(open(path, "rb").read())
    if any("\x00" in k + v for k, v in meta.items()):
        pytest.skip("NUL bytes are not representable alike in both readers")
    f = bad_models.write_with_meta(meta, str(tmp_path / "m.onnx"))
    err = _error(lambda: DdpmModel(f))
    err_cpp = _error(lambda: D(f, D.TWEEDIE, 1, D.NOISE_PARAMETER, 10.0, "cpu", 1, 16, 0))
    assert (err is None) == (err_cpp is None), (err, err_cpp)


def test_other_model_readers_reject_bad_files_naming_them(corpus):
    """The DNN receiver and the PCS blocks open model files too: the byte-level and
    metadata cases are clear errors naming the file there as well."""
    picks = [
        c
        for c in corpus
        if c.name
        in (
            "empty_file",
            "truncated_half",
            "random_bytes",
            "text_file",
            "no_metadata",
            "alphas_short",
            "missing_file",
        )
    ]
    for c in picks:
        for what, fn in (
            ("dnn_receiver", lambda c=c: diffusion.dnn_receiver(c.path)),
            (
                "pcs_mapper",
                lambda c=c: diffusion.pcs_mapper("16qam", "ddpm", c.path, n_synthetic=1024),
            ),
        ):
            if what == "dnn_receiver" and c.name == "alphas_short":
                continue  # DNN files have no schedule
            err = _error(fn)
            assert err is not None, (what, c.name)
            assert os.path.basename(c.path) in err, (what, c.name, err)
