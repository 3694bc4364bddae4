#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Receivers of a recorded PSK signal compared on the same noisy inputs (needs GNU Radio):
the noise model, each receiver run as a GNU Radio flowgraph over an array, and the ORBCOMM
packet table of bench/orbcomm_receivers.py and tests/test_orbcomm_recording.py.

Noise model: complex white Gaussian noise of variance P / 10^(L/10) per sample added to the
recording (P its mean power per sample, L the level in dB), one generator per seed.

Receivers (names used in tables):
  textbook        flowgraphs.stock_psk.textbook_psk_chain, offset from textbook_offset of the
                  noisy input, differential decisions on its symbols
  textbook_prior  the same + symbol_normalizer + ddpm_denoiser with the window prior
  psk_receiver    diffusion.psk_receiver, mode 'none' (its own decisions, output 3)
  psk_receiver_prior  psk_receiver, mode 'tweedie', model_path = the window prior
  textbook_clean_offset  diagnostic: the textbook chain given the carrier offset of the
                  CLEAN recording (PowerLineOffsetEstimator over it): what a perfect
                  acquisition would give the textbook loops
"""

import numpy as np
from gnuradio import blocks, gr

from ..core.carrier_acquisition import PowerLineOffsetEstimator, power_order
from ..link import orbcomm
from ..psk_receiver import psk_receiver
from .stock_psk import COSTAS_BW, textbook_offset, textbook_psk_chain

RECEIVERS = ("textbook", "textbook_prior", "psk_receiver", "psk_receiver_prior")
DIAGNOSTICS = ("textbook_clean_offset",)
FLUSH_SYMBOLS = 64  # zeros after the input: the filters' and loops' delay


def add_noise(x, level_db, seed):
    """x + complex white noise of variance mean(|x|^2) / 10^(level_db/10) per sample."""
    x = np.asarray(x, np.complex128)
    rng = np.random.default_rng(seed)
    s2 = np.mean(np.abs(x) ** 2) * 10 ** (-float(level_db) / 10)
    return x + np.sqrt(s2 / 2) * (rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))


def _run(block, y, sps, out_size=8, outputs=1, take=0):
    """Output ``take`` of ``block`` over y (+ flush zeros) as an array."""
    tb = gr.top_block()
    y = np.concatenate([np.asarray(y), np.zeros(FLUSH_SYMBOLS * sps)]).astype(np.complex64)
    src = blocks.vector_source_c(y.tolist())
    tb.connect(src, block)
    sizes = block.output_signature().sizeof_stream_items()
    snk = None
    for i in range(outputs):
        size = sizes[min(i, len(sizes) - 1)]
        if i == take:
            snk = {8: blocks.vector_sink_c, 4: blocks.vector_sink_f, 1: blocks.vector_sink_b}[
                size
            ]()
            tb.connect((block, i), snk)
        else:
            tb.connect((block, i), blocks.null_sink(size))
    tb.run()
    return np.array(snk.data())


def textbook_bits(y, sps=2, rolloff=0.4, decisions="sdpsk", model_path="", offset=None):
    """Differential (SDPSK) bits of the textbook chain (+ prior with ``model_path``); the
    carrier offset from textbook_offset(y) unless ``offset`` (cycles/sample) is given."""
    order = power_order(decisions)
    if offset is None:
        offset = textbook_offset(y, sps, order)
    chain = textbook_psk_chain(offset, sps, rolloff, order, model_path=model_path)
    return orbcomm.differential_bits(_run(chain, y, sps))


def receiver_bits(y, sps=2, rolloff=0.4, decisions="sdpsk", model_path="", **kw):
    """psk_receiver's own decisions (output 3; the first, which has no predecessor, dropped)
    in mode 'none', or 'tweedie' with ``model_path``; ``kw`` goes to psk_receiver."""
    rx = psk_receiver(
        sps=sps,
        rolloff=rolloff,
        constellation="qpsk",
        mode="tweedie" if model_path else "none",
        model_path=model_path,
        decisions=decisions,
        **kw,
    )
    return _run(rx, y, sps, outputs=4, take=3).astype(np.uint8)[1:]


def orbcomm_count(bits, reference):
    """Reference packets (bytes) found with valid Fletcher-16 sums in a bit stream."""
    packets = orbcomm.decode_packets(bits)
    return sum(p in packets for p in reference)


def orbcomm_counts(x, reference, level_db, seed, model_path, receivers=RECEIVERS, sps=2):
    """{receiver: packets} on add_noise(x, level_db, seed); receivers with '_prior' need
    ``model_path`` (skipped without one)."""
    y = add_noise(x, level_db, seed)
    out = {}
    for name in receivers:
        prior = name.endswith("_prior")
        if prior and not model_path:
            continue
        mp = model_path if prior else ""
        if name == "textbook_clean_offset":
            est = PowerLineOffsetEstimator(sps, 0.4, power_order("sdpsk"))
            bits = textbook_bits(y, sps, offset=est.estimate(x))
        elif name.startswith("textbook"):
            bits = textbook_bits(y, sps, model_path=mp)
        else:
            bits = receiver_bits(y, sps, model_path=mp)
        out[name] = orbcomm_count(bits, reference)
    return out


def orbcomm_table(x, reference, levels, seeds, model_path="", receivers=RECEIVERS, log=None):
    """{level: {receiver: [packets per seed]}} (module doc)."""
    table = {}
    for level in levels:
        row = {}
        for seed in seeds:
            counts = orbcomm_counts(x, reference, level, seed, model_path, receivers)
            for k, v in counts.items():
                row.setdefault(k, []).append(v)
            if log:
                log(f"L={level} seed={seed} {counts}")
        table[level] = row
    return table


def format_table(table, n_ref):
    """Markdown: mean +- std over seeds per level and receiver (packets of n_ref)."""
    names = [r for r in RECEIVERS + DIAGNOSTICS if any(r in row for row in table.values())]
    lines = [
        f"| L (dB) | {' | '.join(names)} |",
        "|---|" + "---|" * len(names),
    ]
    for level, row in table.items():
        cells = []
        for r in names:
            v = np.asarray(row.get(r, []), float)
            cells.append(f"{v.mean():.1f} +- {v.std():.1f}" if v.size else "-")
        lines.append(f"| {level:g} | {' | '.join(cells)} |")
    lines.append(f"(packets of {n_ref}, mean +- std over seeds)")
    return "\n".join(lines)


# ------------------------------------------------------------ simulated BPSK/DBPSK/QPSK links
#: receivers of the simulated links (bench/psk_window_priors.py); names as in the tables:
#:   textbook / textbook_prior        the textbook chain (Costas of order M), coherent
#:                                    decisions (differentially decoded for DBPSK/DQPSK)
#:   psk_receiver / psk_receiver_prior  psk_receiver(modulation=...), its own decisions
#:   psk_receiver_prior_nocostas      psk_receiver with the prior and carrier 'none'
#:                                    (differential modulations only: the prior tracks the
#:                                    phase, differential detection)
SIM_RECEIVERS = (
    "textbook",
    "textbook_prior",
    "psk_receiver",
    "psk_receiver_prior",
    "psk_receiver_prior_nocostas",
)
SIM_SKIP = 300  # symbols of loop start-up left out of the counts


def simulated_decisions(
    y, modulation, receiver, model_path="", sps=2, rolloff=0.4, costas_bw=COSTAS_BW
):
    """Decided data of ``receiver`` (:data:`SIM_RECEIVERS`) on baseband ``y``, per symbol as
    link.psk_signal.hard_bits gives them (for the lag search of psk_signal.block_errors);
    None where the receiver does not apply (no carrier loop with coherent decisions, a
    '_prior' receiver without ``model_path``). ``costas_bw``: every Costas loop's bandwidth."""
    from ..link import psk_signal

    prior = "_prior" in receiver
    if prior and not model_path:
        return None
    differential = modulation.startswith("d")
    if receiver.endswith("_nocostas") and not differential:
        return None
    const = "bpsk" if modulation in ("bpsk", "dbpsk") else "qpsk"
    order = power_order(modulation)
    mp = model_path if prior else ""
    if receiver.startswith("textbook"):
        chain = textbook_psk_chain(
            textbook_offset(y, sps, order),
            sps,
            rolloff,
            order,
            costas_bw=costas_bw,
            model_path=mp,
            constellation=const,
        )
        return psk_signal.hard_bits(_run(chain, y, sps), modulation)
    rx = psk_receiver(
        sps=sps,
        rolloff=rolloff,
        modulation=modulation,
        mode="tweedie" if prior else "none",
        model_path=mp,
        carrier="none" if receiver.endswith("_nocostas") else "costas",
        costas_bw=costas_bw,
    )
    d = _run(rx, y, sps, outputs=4, take=3).astype(np.uint8)
    if differential:
        return d[1:]  # the first differential decision has no predecessor
    # coherent: indices of the receiver's points (the model's, else the constellation's)
    from ..core.constellations import by_name
    from ..core.onnx_model import DdpmModel

    own = DdpmModel(mp).constellation if mp else None
    pts = np.asarray((own if own is not None else by_name(const)).points)
    return psk_signal.hard_bits(pts[d], modulation)


def simulated_errors(
    modulation,
    esn0_db,
    seed,
    model_path="",
    receivers=SIM_RECEIVERS,
    n_symbols=20000,
    sps=2,
    rolloff=0.4,
    lw=1e-3,
    max_offset=0.1,
    block=256,
    costas_bw=COSTAS_BW,
):
    """{receiver: psk_signal.block_errors dict} on one simulated link (link.psk_signal:
    random data of ``modulation``, a carrier offset uniform in +-max_offset cycles/sample,
    linewidth x symbol time ``lw``, Es/N0 ``esn0_db``; one generator per (seed, Es/N0)),
    the same noisy input for every receiver; the loops' first SIM_SKIP symbols left out;
    BPSK/QPSK blocks resolve the loop's phase ambiguity per block (a sync word)."""
    from ..link import psk_signal

    rng = np.random.default_rng([int(seed), int(round(10 * float(esn0_db))) % 1000])
    x, truth = psk_signal.psk_symbols(modulation, n_symbols, rng)
    offset = rng.uniform(-max_offset, max_offset)
    y = psk_signal.psk_baseband(x, sps, rolloff, offset, lw, esn0_db, rng)
    amb = {"bpsk": 2, "qpsk": 4}.get(modulation, 1)
    out = {}
    for name in receivers:
        d = simulated_decisions(y, modulation, name, model_path, sps, rolloff, costas_bw)
        if d is not None:
            out[name] = psk_signal.block_errors(d, truth, block, 64, amb, SIM_SKIP)
    return out


# ------------------------------------------------------------------ simulated pi/4-DQPSK link
#: psk_receiver(modulation='pi4dqpsk') variants of bench/pi4dqpsk_ber.py: (carrier, prior)
PI4_RECEIVERS = {
    "differential": ("none", False),
    "costas": ("costas", False),
    "differential_prior": ("none", True),
    "costas_prior": ("costas", True),
}


def pi4dqpsk_errors(
    esn0_db,
    seed,
    model_path="",
    receivers=tuple(PI4_RECEIVERS),
    n_symbols=20000,
    sps=2,
    rolloff=0.35,
    offset=0.037,
    skip=SIM_SKIP,
):
    """{receiver: psk_signal.block_errors dict over bits (b1 b2 per dibit) + offset_error
    (cycles/sample, the acquisition's final estimate less the truth)} on one simulated
    pi/4-DQPSK link (link.psk_signal, random dibits, a carrier offset of ``offset``
    cycles/sample, Es/N0 ``esn0_db``; one generator per (seed, Es/N0)), the same noisy input
    for every receiver of :data:`PI4_RECEIVERS` ('_prior' ones need ``model_path``,
    e.g. qpsk_pn_w32); the first ``skip`` symbols (loop start-up) left out."""
    from ..link import psk_signal

    rng = np.random.default_rng([int(seed), int(round(10 * float(esn0_db))) % 1000])
    x, truth = psk_signal.psk_symbols("pi4dqpsk", n_symbols, rng)
    y = psk_signal.psk_baseband(x, sps, rolloff, offset, 0.0, esn0_db, rng)
    out = {}
    for name in receivers:
        carrier, prior = PI4_RECEIVERS[name]
        if prior and not model_path:
            continue
        rx = psk_receiver(
            sps=sps,
            rolloff=rolloff,
            modulation="pi4dqpsk",
            mode="tweedie" if prior else "none",
            model_path=model_path if prior else "",
            carrier=carrier,
        )
        d = _run(rx, y, sps, outputs=4, take=3).astype(np.uint8)[1:]
        r = psk_signal.block_errors(
            psk_signal.dibit_bits(d), psk_signal.dibit_bits(truth), 512, 256, 1, 2 * skip
        )
        r["offset_error"] = rx.acquisition.offset() - float(offset)
        out[name] = r
    return out
