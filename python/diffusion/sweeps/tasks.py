#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Benchmark points as tasks (diffusion.sweeps.runner): functions of plain parameters that
build their own flowgraphs and return plain dicts."""


def clopper_pearson(k, n, conf=0.95):
    """Exact (Clopper-Pearson) confidence interval of a binomial proportion k / n."""
    from scipy.stats import beta

    a = (1 - conf) / 2
    lo = 0.0 if k == 0 else float(beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - a, k + 1, n - k))
    return lo, hi


def coded_link_point(
    esn0,
    chain="",
    demapper="nominal",
    model="",
    max_frames=100,
    batch=100,
    seed=2000,
    max_log=False,
    stop=100,
):
    """Coded FER / BER of the LDPC link (diffusion.link.coded) at one Es/N0 (dB): batches of
    ``batch`` frames (seed + frames so far) until ``stop`` frame errors or ``max_frames``
    frames. demapper: 'nominal' | 'learned' | 'prior' | 'oracle' with ``model`` the ONNX file
    the learned / prior demappers read; chain: the tx_impairment_chain spec ('' = AWGN)."""
    from ..link.coded import CodedLinkFlowgraph, make_mixture

    const = chain.split("+")[0] if chain else "16qam"
    mixture = make_mixture(demapper, const, model=model, chain=chain)
    fe = fr = be = bits = 0
    while fr < max_frames and fe < stop:
        n = min(batch, max_frames - fr)
        tb = CodedLinkFlowgraph(
            esn0,
            constellation=const,
            chain=chain,
            demapper=mixture,
            frames=n,
            seed=seed + fr,
            max_log=max_log,
        )
        tb.run()
        r = tb.results()
        if r["frames"] == 0:
            # a chain with a pilot phase tracker holds back its last < B + 1 samples, so a
            # batch of n frames decodes n - 1: stop rather than loop on 1-frame batches
            break
        fe += r["frame_errors"]
        fr += r["frames"]
        be += r["bit_errors"]
        bits += r["bits"]
    lo, hi = clopper_pearson(fe, fr)
    return {
        "esn0_db": float(esn0),
        "frames": fr,
        "frame_errors": fe,
        "fer": fe / fr,
        "fer_ci": [lo, hi],
        "ber": be / bits,
    }
