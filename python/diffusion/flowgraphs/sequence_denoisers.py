#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Sequence (window) denoisers against carrier recovery + per-symbol receivers
(bench/sequence_denoisers.py; conventions and receivers in its docstring).

Part 1, simulated: labels through diffusion.phase_noise, a random initial phase and
diffusion.additive_noise (flowgraph, sigma2 = 10^(-Es/N0/10) per complex symbol); stock GNU
Radio loops, the C++ ddpm_denoiser (per-symbol and window models) and exact bounds on the
same y.  Part 2: the ORBCOMM recording with added noise through psk_receiver chains (its
carrier-acquisition front end) and the textbook stock chain (flowgraphs.stock_psk), packets
counted against the reference.

:func:`sequence_sim_point` (one constellation, linewidth, Es/N0) and :func:`orbcomm_point`
(one Es/N0 and noise seed, every chain) are ``diffusion.sweeps`` tasks: plain parameters in,
plain results out, each builds its own flowgraphs, so Dask workers give exactly the serial
results.
"""

import math
import time
from types import SimpleNamespace

import numpy as np

from ..core.metrics import wilson_interval

BLOCK = 256  # symbols per ambiguity-resolution block (sparse pilots)


# ---------------------------------------------------------------- flowgraphs (part 1)


def channel(x, lw, esn0, seed):
    """(s, y): x through phase_noise(lw) and exp(j theta0), then additive_noise."""
    from gnuradio import blocks, diffusion, gr

    rng = np.random.default_rng(seed)
    theta0 = rng.uniform(0, 2 * np.pi)
    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(x, np.complex64).tolist(), False)
    pn = diffusion.phase_noise(float(lw), int(seed))
    rot = blocks.multiply_const_cc(complex(np.exp(1j * theta0)))
    ch = diffusion.additive_noise(
        float(esn0), diffusion.additive_noise.GAUSSIAN, 1.0, 0.01, 100.0, 0.1, 0.01, int(seed) + 1
    )
    s_snk, y_snk = blocks.vector_sink_c(), blocks.vector_sink_c()
    tb.connect(src, pn, rot, ch, y_snk)
    tb.connect(rot, s_snk)
    tb.run()
    return np.array(s_snk.data(), np.complex128), np.array(y_snk.data(), np.complex128)


def gr_constellation(const):
    from gnuradio import digital

    return digital.constellation_calcdist(
        [complex(p) for p in const.points],
        list(range(const.order)),
        4,
        1,
        digital.constellation.NO_NORMALIZATION,
    )


def dd_loop_phase(y, points, alpha, beta, fmin, fmax):
    """The phase track of digital.constellation_receiver_cb, from its loop equations
    (gr::blocks::control_loop, GNU Radio 3.10): sample n is derotated by exp(j phase)
    before the update, nearest point, phase error -arg(z conj(point)), then freq +=
    beta err, phase += freq + alpha err (wrapped to +-2 pi), freq clipped. The block's own
    float outputs (error, phase, frequency) read 0 in GNU Radio 3.10.5, so :func:`pll`
    recomputes the track here and checks that it gives the block's decisions."""
    pts = [complex(p) for p in points]
    ph, fr = 0.0, 0.0
    out = np.empty(len(y))
    twopi = 2 * math.pi
    for n, v in enumerate(np.asarray(y, np.complex64).tolist()):
        out[n] = ph
        s = v * complex(math.cos(ph), math.sin(ph))
        best, bd = 0, 1e30
        for k, p in enumerate(pts):
            d = abs(s - p)
            if d < bd:
                bd, best = d, k
        q = s * pts[best].conjugate()
        err = -math.atan2(q.imag, q.real)
        fr = fr + beta * err
        ph = ph + fr + alpha * err
        while ph > twopi:
            ph -= twopi
        while ph < -twopi:
            ph += twopi
        fr = min(max(fr, fmin), fmax)
    return out


FMAX = 0.05  # constellation_receiver_cb frequency range (rad/symbol)


def pll(y, const, bw, agree_log=None):
    """(derotated symbols, exp(j phase) per symbol, decisions) of the stock loop over y:
    QPSK digital.costas_loop_cc (order 4), decisions = nearest point of its output;
    otherwise digital.constellation_receiver_cb: the decisions are the block's, the phase
    track (for the MMSE / DDPM on derotated symbols and the MSE) is :func:`dd_loop_phase`'s,
    whose own decisions agree with the block's (appended to agree_log; float32 vs float64
    rounding can move a cycle slip by a few symbols)."""
    from gnuradio import blocks, digital, gr

    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(y, np.complex64).tolist(), False)
    if const.order == 4:
        loop = digital.costas_loop_cc(float(bw), 4, False)
        snk = blocks.vector_sink_c()
        tb.connect(src, loop, snk)
        tb.run()
        z = np.array(snk.data(), np.complex128)
        rot = y / np.where(z == 0, 1, z)
        rot = rot / np.maximum(np.abs(rot), 1e-30)
        return z, rot, const.slice(z)
    loop = digital.constellation_receiver_cb(gr_constellation(const), float(bw), -FMAX, FMAX)
    snk = blocks.vector_sink_b()
    tb.connect(src, loop, snk)
    tb.run()
    dec = np.array(snk.data(), np.int64)
    ph = dd_loop_phase(y, const.points, loop.get_alpha(), loop.get_beta(), -FMAX, FMAX)
    z = y * np.exp(1j * ph)
    agree = float(np.mean(const.slice(z) == dec))
    if agree_log is not None:
        agree_log.append(agree)
    if agree < 0.95:
        raise RuntimeError(f"constellation_receiver_cb phase track: decisions agree {agree:.4f}")
    return z, np.exp(-1j * ph), dec


def cpp_denoise(y, model_path, esn0, mode="tweedie", steps=5, threads=1):
    """C++ ddpm_denoiser block over y (sigma2 from esn0, parameter mode), aligned with y
    (a window model's latency D removed: output n + D is input n)."""
    from gnuradio import blocks, diffusion, gr

    dn = diffusion.ddpm_denoiser
    blk = dn(
        model_path,
        getattr(dn, mode.upper()),
        int(steps),
        dn.NOISE_PARAMETER,
        float(esn0),
        "cpu",
        1,
        8192,
        0,
        "auto",
        int(threads),
        "",
        0,
    )
    d = blk.latency()
    tb = gr.top_block()
    # a window model emits whole hops: flush with D + W zeros
    yy = np.concatenate([np.asarray(y), np.zeros(d + blk.window_length())]).astype(np.complex64)
    src = blocks.vector_source_c(yy.tolist(), False)
    snk = blocks.vector_sink_c()
    tb.connect(src, blk, snk)
    tb.run()
    out = np.array(snk.data(), np.complex128)[d : d + len(y)]
    if len(out) != len(y):
        raise RuntimeError(f"ddpm_denoiser gave {len(out)} aligned outputs for {len(y)} inputs")
    return out


# ---------------------------------------------------------------- decisions / metrics


def rotation_table(const):
    """rot[k, i] = index of points[i] * j^k."""
    return np.stack([const.slice(const.points * (1j**k)) for k in range(4)])


def resolve_ambiguity(dec, idx, rot):
    """Per block of BLOCK symbols, dec rotated by the multiple of 90 degrees that matches
    the transmitted idx best (sparse pilots)."""
    out = dec.copy()
    for b in range(0, len(dec), BLOCK):
        sl = slice(b, b + BLOCK)
        cand = rot[:, dec[sl]]
        k = int(np.argmax((cand == idx[sl][None, :]).sum(axis=1)))
        out[sl] = cand[k]
    return out


def score(xhat, dec, s, idx, rot, skip):
    """SER (ambiguity resolved per block) and MSE of xhat vs s, past `skip` symbols."""
    d = resolve_ambiguity(dec, idx, rot)[skip:]
    n = len(d)
    k = int((d != idx[skip:]).sum())
    mse = float(np.mean(np.abs(xhat[skip:] - s[skip:]) ** 2))
    return {
        "ser": k / n,
        "ser_errors": k,
        "ser_ci95": wilson_interval(k, n),
        "mse_db": 10 * math.log10(mse),
        "n": n,
    }


def ser_only(dec, idx, rot, skip):
    d = resolve_ambiguity(dec, idx, rot)[skip:]
    return float(np.mean(d != idx[skip:]))


def moving_average(v, L):
    """Centred moving average of complex v over L samples (zero padded)."""
    k = np.ones(int(L)) / int(L)
    return np.convolve(v, k, mode="same")


def fourth_power_phase(xhat, const, L):
    """exp(j phi) per symbol: phase of the 4th-power smoother (unwrapped / 4) of xhat; for
    16-QAM refined by one decision-directed pass with the same window."""
    # E[x^4] < 0 for QPSK at 45 degrees and for square QAM: phi = arg(-<x^4>) / 4
    q = moving_average(xhat**4, L)
    phi = np.unwrap(np.angle(-q)) / 4
    rot = np.exp(1j * phi)
    if const.order > 4:
        dec = const.points[const.slice(xhat / rot)]
        c = moving_average(xhat * np.conj(dec), L)
        # the DD correction is small (|angle| < pi/4): apply it to the 4th-power track
        rot = rot * np.exp(1j * np.angle(c * np.conj(rot)))
    return rot


def sequence_mmse(y, const, sig2, lw, bins=256):
    """Exact E[s_k | y_1..y_N] (complex [N]) for s_k = x_k exp(j theta_k), x_k i.i.d.
    uniform on the constellation, theta a Wiener phase (increment variance 2 pi lw) with a
    uniform initial phase, in AWGN sigma2: forward-backward over the phase quantised to
    `bins` values on [0, 2 pi) (transition = the wrapped Gaussian, by FFT). The MMSE bound
    for any receiver that does not know theta (the known-phase oracle is below it)."""
    y = np.asarray(y, np.complex128)
    n = len(y)
    th = 2 * np.pi * np.arange(bins) / bins
    rot = np.exp(1j * th)
    pts = const.points
    lik = np.empty((n, bins))
    num = np.empty((n, bins), np.complex128)  # E[s | y_k, theta_b]
    step = max(1, (1 << 21) // (bins * len(pts)))
    for s in range(0, n, step):
        yy = y[s : s + step, None, None]
        # -|y - x e^{j theta}|^2 / sigma2 without the common |y|^2 term
        sx = pts[None, None, :] * rot[None, :, None]
        lg = (2 * np.real(yy * np.conj(sx)) - np.abs(pts[None, None, :]) ** 2) / sig2
        mx = lg.max(axis=(1, 2), keepdims=True)
        w = np.exp(lg - mx)
        tot = w.sum(axis=2)
        lik[s : s + step] = tot
        num[s : s + step] = (w * sx).sum(axis=2) / tot
    # wrapped Gaussian kernel of the increment, circular convolution by FFT
    d = np.angle(np.exp(1j * th))
    ker = np.zeros(bins)
    for k in range(-3, 4):
        ker += np.exp(-((d + 2 * np.pi * k) ** 2) / (2 * 2 * np.pi * lw))
    ker /= ker.sum()
    kf = np.fft.rfft(ker)
    fwd = np.empty((n, bins))
    a = np.full(bins, 1.0 / bins)
    for k in range(n):
        if k:
            a = np.maximum(np.fft.irfft(np.fft.rfft(a) * kf, bins), 0.0)
        a = a * lik[k]
        a /= a.sum()
        fwd[k] = a
    out = np.empty(n, np.complex128)
    b = np.full(bins, 1.0 / bins)
    for k in range(n - 1, -1, -1):
        g = fwd[k] * b
        out[k] = (g * num[k]).sum() / g.sum()
        b = b * lik[k]
        b = np.maximum(np.fft.irfft(np.fft.rfft(b) * np.conj(kf), bins), 0.0)
        b /= b.sum()
    return out


# ---------------------------------------------------------------- part 1


def sim_case(const, lw, esn0, args, models, agree_log=None):
    from gnuradio.diffusion.core import reference

    rot = rotation_table(const)
    sig2 = 10 ** (-esn0 / 10)
    skip = args.skip
    case_seed = int(args.seed * 1000 + esn0 * 10 + (0 if lw < 5e-3 else 500)) + const.order
    res = {"receivers": {}, "choices": {}}

    def data(n, seed):
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, const.order, n)
        s, y = channel(const.points[idx], lw, esn0, seed)
        return idx, s, y

    # --- tuning run (other seed): loop bandwidth, smoother length
    it, st, yt = data(args.n_tune, case_seed + 7777)
    sweep = {}
    for bw in args.pll_bws:
        _, _, d = pll(yt, const, bw, agree_log)
        sweep[bw] = ser_only(d, it, rot, skip)
    bw = min(sweep, key=sweep.get)
    res["choices"]["pll_bw"] = bw
    res["choices"]["pll_sweep_ser"] = {f"{k:g}": v for k, v in sweep.items()}
    win_t = {}
    for mode in args.window_modes:
        if models.get("window") is None:
            break
        xw = cpp_denoise(yt, models["window"], esn0, mode, args.ddim_steps, args.threads)
        win_t[mode] = xw
        sw = {}
        for L in args.smooth_lens:
            r = fourth_power_phase(xw, const, L)
            sw[L] = ser_only(const.slice(xw / r), it, rot, skip)
        L = min(sw, key=sw.get)
        res["choices"][f"win_{mode}_4p_L"] = L
        res["choices"][f"win_{mode}_4p_sweep_ser"] = {str(k): v for k, v in sw.items()}
        sp = {}
        for b in args.pll_bws:
            _, _, d = pll(xw, const, b, agree_log)
            sp[b] = ser_only(d, it, rot, skip)
        b = min(sp, key=sp.get)
        res["choices"][f"win_{mode}_pll_bw"] = b
        res["choices"][f"win_{mode}_pll_sweep_ser"] = {f"{k:g}": v for k, v in sp.items()}

    # --- evaluation run
    idx, s, y = data(args.n, case_seed)
    out = res["receivers"]
    z, r, dec = pll(y, const, bw, agree_log)
    out["pll_hard"] = score(const.points[dec] * r, dec, s, idx, rot, skip)
    xm = reference.mmse_estimate(z, const, sig2)
    out["pll_mmse"] = score(xm * r, const.slice(xm), s, idx, rot, skip)
    if models.get("symbol"):
        xd = cpp_denoise(z, models["symbol"], esn0, "tweedie", threads=args.threads)
        out["pll_ddpm"] = score(xd * r, const.slice(xd), s, idx, rot, skip)
    for mode in args.window_modes:
        if models.get("window") is None:
            break
        xw = cpp_denoise(y, models["window"], esn0, mode, args.ddim_steps, args.threads)
        L = res["choices"][f"win_{mode}_4p_L"]
        r4 = fourth_power_phase(xw, const, L)
        out[f"win_{mode}_4p"] = score(xw, const.slice(xw / r4), s, idx, rot, skip)
        _, _, dw = pll(xw, const, res["choices"][f"win_{mode}_pll_bw"], agree_log)
        out[f"win_{mode}_pll"] = score(xw, dw, s, idx, rot, skip)
        # decisions with the TRUE phase on the window output: is it the model or the phase?
        th = s / const.points[idx]
        th = th / np.abs(th)
        out[f"win_{mode}_truephase"] = score(xw, const.slice(xw / th), s, idx, rot, skip)
    ns = min(len(y), args.n_seq + skip)
    if ns > skip:
        xs = sequence_mmse(y[:ns], const, sig2, lw)
        mse = float(np.mean(np.abs(xs[skip:] - s[skip:ns]) ** 2))
        out["seq_mmse"] = {"mse_db": 10 * math.log10(mse), "n": ns - skip}
        if args.window_bound:
            # the same bound from each window of W = 32 symbols alone (the model's view):
            # tiles of hop 16, the centre 16 kept, as core.windowing
            W, H = 32, 16
            a = (W - H) // 2
            xb = np.full(ns, np.nan + 0j)
            for st in range(0, ns - W + 1, H):
                xb[st + a : st + a + H] = sequence_mmse(y[st : st + W], const, sig2, lw)[a : a + H]
            ok = np.isfinite(xb[skip:])
            e = np.abs(xb[skip:][ok] - s[skip:ns][ok]) ** 2
            out["seq_mmse_w32"] = {"mse_db": 10 * math.log10(float(np.mean(e))), "n": int(ok.sum())}
    th = s / const.points[idx]
    th = th / np.abs(th)
    yo = y / th
    xo = reference.mmse_estimate(yo, const, sig2)
    out["oracle"] = score(xo * th, const.slice(yo), s, idx, rot, skip)
    return res


#: ORBCOMM chains (bench/sequence_denoisers.py docstring): psk_receiver (carrier-acquisition
#: front end) with mode 'none' or a model, with or without the Costas loop, and the textbook
#: stock chain (flowgraphs.stock_psk) alone and with the SDPSK prior
ORBCOMM_RX_CHAINS = {
    # chain: (model key or None, carrier)
    "stock": (None, "costas"),
    "stock_nocostas": (None, "none"),
    "ddpm_symbol": ("symbol", "costas"),
    "ddpm_window": ("window", "costas"),
    "window_nocostas": ("window", "none"),
    "sdpsk_window": ("sdpsk", "costas"),
    "sdpsk_nocostas": ("sdpsk", "none"),
}
ORBCOMM_TEXTBOOK_CHAINS = {"textbook": None, "textbook_sdpsk": "sdpsk"}


def orbcomm_chain(y, chain, models):
    """Decoded packets of one chain (:data:`ORBCOMM_RX_CHAINS`, :data:`ORBCOMM_TEXTBOOK_CHAINS`)
    over y (recording samples, 2 per symbol); models: {'window', 'sdpsk'} paths ('symbol':
    the shipped qpsk model)."""
    from gnuradio.diffusion.link import orbcomm

    from .psk_benchmark import receiver_bits, textbook_bits

    sps = 2
    if chain in ORBCOMM_TEXTBOOK_CHAINS:
        key = ORBCOMM_TEXTBOOK_CHAINS[chain]
        bits = textbook_bits(y, sps, 0.4, "sdpsk", (models.get(key) or "") if key else "")
        return orbcomm.decode_packets(bits)
    if chain not in ORBCOMM_RX_CHAINS:
        raise ValueError(f"unknown ORBCOMM chain {chain!r}")
    key, carrier = ORBCOMM_RX_CHAINS[chain]
    if key == "symbol":
        from gnuradio.diffusion.core.model_files import shipped_model

        path = shipped_model("qpsk")
    else:
        path = (models.get(key) or "") if key else ""
    if key and not path:
        raise ValueError(f"ORBCOMM chain {chain!r} needs the {key} model")
    bits = receiver_bits(y, sps, 0.4, "sdpsk", path, carrier=carrier)
    return orbcomm.decode_packets(bits)


def with_noise(x, esn0_db, seed):
    """As tests/test_orbcomm_recording.py: complex white noise of variance P/10^(Es/N0/10)."""
    rng = np.random.default_rng(seed)
    s2 = np.mean(np.abs(x) ** 2) * 10 ** (-esn0_db / 10)
    return x + np.sqrt(s2 / 2) * (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))


def sequence_sim_point(
    constellation,
    lw,
    esn0,
    models,
    n,
    n_tune,
    n_seq,
    skip,
    seed,
    pll_bws,
    smooth_lens,
    window_modes,
    ddim_steps=5,
    threads=1,
    window_bound=False,
):
    """One simulated case as a sweeps task: (result dict with 'receivers', 'choices' and
    'seconds', the constellation_receiver_cb phase-track agreements of its loops).
    constellation: name (core.constellations); lw: phase-noise linewidth x Ts; esn0: dB;
    models: {'symbol': path or None, 'window': path or None}; n / n_tune / n_seq: symbols
    of the evaluation run, the tuning run and the sequence-MMSE bound; skip: loop start-up
    symbols not scored; seed: base seed of labels, phase and noise."""
    from gnuradio.diffusion.core.constellations import by_name

    args = SimpleNamespace(
        n=int(n),
        n_tune=int(n_tune),
        n_seq=int(n_seq),
        skip=int(skip),
        seed=int(seed),
        pll_bws=[float(b) for b in pll_bws],
        smooth_lens=[int(v) for v in smooth_lens],
        window_modes=list(window_modes),
        ddim_steps=int(ddim_steps),
        threads=int(threads),
        window_bound=bool(window_bound),
    )
    agree = []
    t0 = time.time()
    r = sim_case(by_name(constellation), float(lw), float(esn0), args, dict(models), agree)
    r["seconds"] = time.time() - t0
    return r, agree


def orbcomm_point(iq_path, reference_path, chains, models, esn0=None, seed=0):
    """One ORBCOMM point as a sweeps task: {chain: reference packets decoded} over the
    recording iq_path (complex64, 2 samples per symbol) with noise at esn0 dB (seed; None:
    the clean capture). reference_path: orbdemod packet list; models: {'window',
    'sdpsk'} paths or None."""
    from gnuradio.diffusion.link import orbcomm

    x = np.fromfile(iq_path, dtype=np.complex64).astype(np.complex128)
    ref = orbcomm.read_reference(reference_path)
    y = x if esn0 is None else with_noise(x, float(esn0), int(seed))
    out = {}
    for ch in chains:
        pk = orbcomm_chain(y, ch, models)
        if not all(orbcomm.fletcher16_ok(p) for p in pk):
            raise RuntimeError("decode_packets returned an invalid packet")
        out[ch] = int(sum(p in pk for p in ref))
    return out
