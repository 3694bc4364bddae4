"""Ramp / counter test through every item-preserving block (issue 16): with odd
max_noutput_items (1, 7, 1000) the output must be item for item the output of the default
run -- no item dropped, duplicated or reordered, and no dependence of the (seeded,
deterministic) processing on how the scheduler chunks the stream. The input is a counter: a
unique value per index. Pass-through blocks (sample_guard) must return the ramp itself."""

import numpy as np
import pytest
from fg_util import ramp, run_bounded
from gnuradio import blocks, diffusion, gr

D = diffusion.ddpm_denoiser
N = 3000


def _blocks():
    m16 = diffusion.shipped_model("16qam")
    return [
        ("additive_noise", lambda: diffusion.additive_noise(10.0, seed=3), 1),
        (
            "additive_noise_mca",
            lambda: diffusion.additive_noise(
                10.0, diffusion.additive_noise.MIDDLETON_CLASS_A, 1.0, 0.0, 0.0, 0.5, 0.1, 4
            ),
            1,
        ),
        ("block_fading", lambda: diffusion.block_fading(37, 0.5, 5), 1),
        ("complex_quantizer", lambda: diffusion.complex_quantizer(5, 1.2), 1),
        (
            "hardware_impairments",
            lambda: diffusion.hardware_impairments(0.05, diffusion.POWER_MEASURED, 1.0, 101, 6),
            1,
        ),
        ("pa_nonlinearity", lambda: diffusion.pa_nonlinearity(), 1),
        ("phase_noise", lambda: diffusion.phase_noise(1e-3, 7), 1),
        ("zf_equalizer", lambda: diffusion.zf_equalizer(0.01, 0.1, 1.0), 2),
        ("sample_guard", lambda: diffusion.sample_guard(10.0), 1),
        ("ddpm_denoiser", lambda: D(m16, D.DDIM, 3, D.NOISE_PARAMETER, 12.0, "cpu", 1, 256, 0), 1),
        (
            "ddpm_denoiser_blind",
            lambda: D(m16, D.TWEEDIE, 1, D.NOISE_BLIND, 12.0, "cpu", 1, 256, 0),
            1,
        ),
        (
            "ddpm_denoiser_py",
            lambda: diffusion.ddpm_denoiser_py(m16, "ddim", 3, "parameter", 12.0, batch_size=256),
            1,
        ),
        (
            "ddpm_denoiser_py_blind",
            lambda: diffusion.ddpm_denoiser_py(m16, "tweedie", 1, "blind", 12.0, batch_size=256),
            1,
        ),
        (
            "dnn_receiver",
            lambda: diffusion.dnn_receiver(
                "dnn_16qam_regression", "expected", 12.0, batch_size=256
            ),
            1,
        ),
        ("impaired_link", lambda: diffusion.impaired_link(seed=3), 1),
    ]


def _run(factory, nin, x, h, mno):
    tb = gr.top_block()
    blk = factory()
    srcs = [blocks.vector_source_c(x.tolist()), blocks.vector_source_c(h.tolist())][:nin]
    snk = blocks.vector_sink_c()
    for i, s in enumerate(srcs):
        tb.connect(s, (blk, i))
    tb.connect((blk, 0), snk)
    if nin == 1 and isinstance(blk, diffusion.impaired_link):  # 4 outputs, all connected
        for i, size in ((1, gr.sizeof_gr_complex), (2, gr.sizeof_gr_complex), (3, gr.sizeof_float)):
            tb.connect((blk, i), blocks.null_sink(size))
    assert run_bounded(tb, 90, max_noutput_items=mno), f"no end with max_noutput_items {mno}"
    return np.array(snk.data(), dtype=np.complex64)


@pytest.mark.parametrize("name,factory,nin", _blocks(), ids=[b[0] for b in _blocks()])
def test_ramp_through_block_with_odd_chunking(name, factory, nin):
    x = ramp(N)
    h = (0.9 - 0.2j) * np.exp(2j * np.pi * np.arange(N) / 500.0).astype(np.complex64)
    ref = _run(factory, nin, x, h, None)
    assert len(ref) == N
    if name == "sample_guard":
        np.testing.assert_array_equal(ref, x)
    for mno in (1, 7, 1000) if "py" not in name and "dnn" not in name else (7, 1000):
        out = _run(factory, nin, x, h, mno)
        assert len(out) == N, (name, mno)
        if "denoiser" in name or "dnn" in name:
            # onnxruntime batches of other sizes: the same rows to float rounding
            np.testing.assert_allclose(out, ref, atol=2e-6, rtol=0, err_msg=f"{name} {mno}")
        else:
            np.testing.assert_array_equal(out, ref, err_msg=f"{name} {mno}")
