"""diffusion.shaping.distribution_matching (CCDM, exact integer arithmetic) and
diffusion.shaping.pcs_frame
(composition -> Gray-labelled points -> bytes and back)."""

import itertools
import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python")
)
from gnuradio.diffusion.core import constellations as C  # noqa: E402
from gnuradio.diffusion.shaping import distribution_matching as dm  # noqa: E402
from gnuradio.diffusion.shaping import pcs_frame as pcs  # noqa: E402
from gnuradio.diffusion.shaping import pmf as shaping


def kl_counts(c, p):
    c = np.asarray(c, float)
    n = c.sum()
    nz = c > 0
    return float(np.sum(c[nz] / n * np.log(c[nz] / n / p[nz])))


def compositions(n, m):
    for cut in itertools.combinations(range(n + m - 1), m - 1):
        prev, out = -1, []
        for x in cut + (n + m - 1,):
            out.append(x - prev - 1)
            prev = x
        yield out


@pytest.mark.parametrize("seed", range(6))
def test_quantize_is_divergence_optimal(seed):
    # brute force over every composition of n = 13 into 4 symbols
    rng = np.random.default_rng(seed)
    p = rng.random(4) ** 3
    p /= p.sum()
    n = 13
    best = min(
        kl_counts(c, p)
        for c in compositions(n, 4)
        if all(ci == 0 or pi > 0 for ci, pi in zip(c, p))
    )
    got = dm.quantize_pmf(p, n)
    assert got.sum() == n
    assert kl_counts(got, p) == pytest.approx(best, abs=1e-12)


def test_quantize_zeros_and_convergence():
    rng = np.random.default_rng(1)
    for _ in range(300):
        m = int(rng.choice([4, 16, 64, 256]))
        n = int(rng.integers(1, 5000))
        p = rng.random(m) ** rng.uniform(0.5, 8)
        p[rng.random(m) < 0.1] = 0
        if p.sum() == 0:
            continue
        p /= p.sum()
        c = dm.quantize_pmf(p, n)
        assert c.sum() == n and np.all(c[p == 0] == 0) and np.all(c >= 0)
        # |c_i - n p_i| stays below 2 (measured max 1.38 over 2000 random cases), so the
        # composition converges to the PMF as 1/n.
        assert np.max(np.abs(c - n * p)) < 2


def test_ccdm_small_exhaustive_bijection_and_lexicographic_rank():
    for counts in ([2, 1, 3], [1, 1, 1, 1], [3, 0, 2, 2], [5], [1, 4]):
        d = dm.CCDM(counts)
        ms = [a for a, c in enumerate(counts) for _ in range(c)]
        allseq = sorted(set(itertools.permutations(ms)))
        assert d.num_sequences == len(allseq) == dm.multinomial(counts)
        for r, s in enumerate(allseq):
            assert d.rank(s) == r
        assert d.k == int(math.floor(math.log2(len(allseq))))
        images = set()
        for u in range(1 << d.k):
            s = d.encode(u)
            assert sorted(s) == sorted(ms)
            assert d.decode(s) == u
            images.add(tuple(s))
        assert len(images) == 1 << d.k  # injective


def test_ccdm_rejects_wrong_composition():
    d = dm.CCDM([2, 1, 3])
    with pytest.raises(dm.CompositionError):
        d.rank([0, 0, 0, 1, 2, 2])
    with pytest.raises(dm.CompositionError):
        d.rank([0, 1, 2])
    with pytest.raises(ValueError):
        d.encode(1 << d.k)


@pytest.mark.parametrize("m", [4, 16, 64, 256])
def test_rate_loss_below_method_of_types_bound(m):
    # Firm bound: a type class has N >= (n+1)^-(M-1) 2^(n H(C/n)) sequences (method of
    # types), and k = floor(log2 N) > log2 N - 1, so
    #   H(C/n) - k/n < ((M - 1) log2(n + 1) + 1) / n.
    # The loss must also fall with n.
    mb = shaping.optimal_maxwell_boltzmann(C.qam(m), 10.0)
    prev = None
    for n in (64, 256, 1024, 4096, 16384):
        r = dm.ccdm_rate_loss(mb.pmf, n)
        assert 0 <= r["rate_loss"] < ((m - 1) * math.log2(n + 1) + 1) / n
        assert r["byte_rate_loss"] >= r["rate_loss"]
        assert r["byte_rate_loss"] - r["rate_loss"] < 8.0 / n  # < one byte per block
        if prev is not None:
            assert r["rate_loss"] < prev
        prev = r["rate_loss"]


@pytest.mark.parametrize(
    "name,n", [("qpsk", 64), ("16qam", 1024), ("64qam", 4096), ("256qam", 2048)]
)
def test_frame_round_trip_random_payload(name, n):
    for k, snr in enumerate((0.0, 10.0)):
        shaped = shaping.optimal_maxwell_boltzmann(name, snr)
        fr = pcs.PcsFrame(shaped, n)
        rng = np.random.default_rng(100 + k)
        nb = 6
        data = rng.integers(0, 256, nb * fr.bytes_per_block, dtype=np.uint8).tobytes()
        idx = fr.encode(data)
        assert idx.size == nb * n
        for b in range(nb):  # constant composition, every block
            cnt = np.bincount(idx[b * n : (b + 1) * n], minlength=fr.base.order)
            assert np.array_equal(cnt, fr.counts)
        sym = fr.points[idx]
        assert np.mean(np.abs(sym) ** 2) == pytest.approx(1.0, abs=1e-12)
        back, bad = fr.decode(fr.slice(sym))
        assert bad == 0 and back == data


def test_gray_labels_are_the_matcher_symbols():
    # The matcher symbol of a point is its Gray label: nearest neighbours of the points
    # it sends differ in one bit of that symbol.
    shaped = shaping.uniform("16qam")
    fr = pcs.PcsFrame(shaped, 256)
    data = bytes(range(fr.bytes_per_block))
    idx = fr.encode(data)
    labels = fr.point_to_label[idx]
    lab_seq = fr.ccdm.encode_bytes(data)
    assert np.array_equal(labels, lab_seq)
    pts = fr.base.points
    dmin = np.min(np.abs(pts[:, None] - pts[None, :])[~np.eye(16, dtype=bool)])
    for i in range(16):
        for j in range(16):
            if i != j and abs(abs(pts[i] - pts[j]) - dmin) < 1e-9:
                assert bin(int(fr.base.labels[i]) ^ int(fr.base.labels[j])).count("1") == 1


def test_errors_stay_in_their_block():
    shaped = shaping.optimal_maxwell_boltzmann("16qam", 5.0)
    fr = pcs.PcsFrame(shaped, 512)
    rng = np.random.default_rng(7)
    data = rng.bytes(5 * fr.bytes_per_block)
    idx = fr.encode(data)
    bad_idx = idx.copy()
    bad_idx[2 * 512 + 17] = (bad_idx[2 * 512 + 17] + 1) % 16  # breaks the composition
    out, bad = fr.decode(bad_idx)
    B = fr.bytes_per_block
    assert bad == 1
    assert out[: 2 * B] == data[: 2 * B] and out[3 * B :] == data[3 * B :]
    assert out[2 * B : 3 * B] == bytes(B)
    # swapping two different symbols keeps the composition: decodes (wrongly), no error
    sw = idx.copy()
    a = 3 * 512
    j = a + int(np.flatnonzero(sw[a : a + 512] != sw[a])[0])
    sw[a], sw[j] = sw[j], sw[a]
    out2, bad2 = fr.decode(sw)
    assert bad2 == 0 and out2[: 3 * B] == data[: 3 * B] and out2[4 * B :] == data[4 * B :]


def test_symbol_frequencies_converge_to_pmf():
    # (1) every block has exactly the composition, and the composition -> PMF as 1/n;
    # (2) the rank map ceil(u N / 2^k) spreads the used sequences over the whole type
    #     class, so even a *fixed position* of the block, over many random blocks, has the
    #     composition's frequencies: chi-square over 2000 blocks, 15 dof, fixed seed;
    #     99.9 % point of chi2(15) = 37.7.
    shaped = shaping.optimal_maxwell_boltzmann("16qam", 5.0)
    for n in (256, 4096, 65536):
        c = dm.quantize_pmf(shaped.pmf, n)
        assert np.max(np.abs(c / n - shaped.pmf)) < 2.0 / n
    fr = pcs.PcsFrame(shaped, 256)
    rng = np.random.default_rng(3)
    nb = 2000
    data = rng.integers(0, 256, nb * fr.bytes_per_block, dtype=np.uint8).tobytes()
    idx = fr.encode(data).reshape(nb, 256)
    exp = fr.counts / 256.0 * nb
    for pos in (0, 100, 255):
        obs = np.bincount(idx[:, pos], minlength=16)
        sup = exp > 0
        chi2 = float(np.sum((obs[sup] - exp[sup]) ** 2 / exp[sup]))
        assert chi2 < 37.7, (pos, chi2)


def test_frame_description_round_trip():
    shaped = shaping.optimal_maxwell_boltzmann("64qam", 12.0)
    fr = pcs.PcsFrame(shaped, 1024)
    d = fr.describe()
    fr2 = pcs.PcsFrame.from_description(C.by_name("64qam"), d)
    assert fr2.identity == fr.identity == d["pmf_id"]
    assert fr2.bytes_per_block == fr.bytes_per_block
    assert np.allclose(fr2.points, fr.points, atol=0, rtol=1e-15)
    bad = dict(d, composition=list(np.roll(d["composition"], 1)))
    with pytest.raises(ValueError):
        pcs.PcsFrame.from_description(C.by_name("64qam"), bad)
    with pytest.raises(ValueError):
        pcs.PcsFrame(shaping.uniform("qpsk"), 3)  # 3 symbols carry < 1 byte
