#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""link.synchronizer.PreambleSynchronizer without GNU Radio: frames recovered through a
complex gain, CFO, phase and AWGN; the result does not depend on how the input is chunked;
no frame from noise and random data; bad parameters are refused."""

import numpy as np
import pytest
from gnuradio.diffusion.link.framing import Framing, LinkConfig, ser_theory
from gnuradio.diffusion.link.synchronizer import PreambleSynchronizer


def channel(framing, esn0_db, gain, cfo, phase, rng, lead=300):
    pts = framing.constellation.points
    x = np.concatenate(
        [np.zeros(lead), pts[rng.integers(0, pts.size, 500)], framing.frames(), np.zeros(200)]
    )
    n = np.arange(x.size)
    y = gain * x * np.exp(1j * (cfo * n + phase))
    s2 = abs(gain) ** 2 * 10 ** (-esn0_db / 10)
    return y + np.sqrt(s2 / 2) * (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))


def push_chunks(sync, y, sizes):
    frames, pos, i = [], 0, 0
    while pos < y.size:
        k = int(sizes[i % len(sizes)])
        frames += sync.push(y[pos : pos + k])
        pos += k
        i += 1
    return frames


@pytest.mark.parametrize("seed", [11, 12])
def test_recovers_every_frame(seed):
    rng = np.random.default_rng(seed)
    f = Framing(LinkConfig())
    y = channel(f, 18.0, 0.4 * np.exp(0.3j), 0.015, 1.2, rng)
    sync = PreambleSynchronizer()
    frames = push_chunks(sync, y, [y.size])
    assert [fr.info["payload_index"] for fr in frames] == list(range(f.n_payloads))
    assert sync.frames == sync.identified == f.n_payloads
    eq = np.concatenate([fr.payload for fr in frames])
    # symbol errors: Poisson around the AWGN theory (ideal sync), mean + 5 sd + 3 allows for the
    # small loss of estimated carrier, gain and phase
    errors = np.count_nonzero(f.constellation.slice(eq) != f.payload_indices.reshape(-1))
    mean = ser_theory(f.constellation, 18.0) * eq.size
    assert errors <= mean + 5 * np.sqrt(mean) + 3, (errors, mean)
    # sigma2 per frame from EM over 1024 symbols: relative std ~ 1/sqrt(1024) -> 0.5 dB is > 10 sd
    s2 = np.array([fr.info["noise_var"] for fr in frames])
    assert np.all(np.abs(10 * np.log10(s2) + 18.0) < 0.5)
    # CFO from a 64-symbol preamble at 18 dB: CRB std ~ 1e-4 rad/symbol; 1e-3 is > 5 sd
    assert abs(sync.stats()["cfo"] - 0.015) < 1e-3
    for fr in frames:
        assert fr.payload.dtype == np.complex64 and fr.sigma2.dtype == np.float32
        np.testing.assert_allclose(
            fr.reference, f.payload_symbols[fr.info["payload_index"]], atol=1e-6
        )


def test_chunking_does_not_change_the_frames():
    rng = np.random.default_rng(5)
    f = Framing(LinkConfig(constellation="qpsk", payload_len=400, n_payloads=4))
    y = channel(f, 10.0, 1.0, -0.004, -0.6, rng)
    kw = dict(constellation="qpsk", payload_len=400, n_payloads=4)
    whole = push_chunks(PreambleSynchronizer(**kw), y, [y.size])
    for sizes in ([7], [1000], [3, 500, 64, 1]):
        parts = push_chunks(PreambleSynchronizer(**kw), y, sizes)
        assert len(parts) == len(whole) == 4
        for a, b in zip(whole, parts):
            assert a.info == b.info
            np.testing.assert_array_equal(a.payload, b.payload)


def test_no_frame_in_noise_and_random_data():
    rng = np.random.default_rng(6)
    pts = Framing(LinkConfig()).constellation.points
    y = np.concatenate(
        [
            (rng.standard_normal(20000) + 1j * rng.standard_normal(20000)) / 2**0.5,
            pts[rng.integers(0, 16, 20000)],
        ]
    )
    sync = PreambleSynchronizer()
    assert push_chunks(sync, y, [4096]) == [] and sync.frames == 0
    assert sync.stats() == {"frames": 0, "frames_identified": 0}


@pytest.mark.parametrize(
    "kw, word",
    [
        ({"threshold": 1.5}, "threshold"),
        ({"dd_block": -1}, "dd_block"),
        ({"noise_est": "bogus"}, "noise_est"),
    ],
)
def test_bad_parameters(kw, word):
    with pytest.raises(ValueError, match=word):
        PreambleSynchronizer(**kw)
