#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Transmitter impairment chain from a spec string (hierarchical block) and a labelled
data generator that runs it in a GNU Radio flowgraph.

    tx_impairment_chain('16qam+rapp(ibo=0,p=2)+phase_noise(1e-4)+agc', seed=0)

Complex in (unit-power constellation symbols, E|x|^2 = 1, QPSK at 45 degrees), complex
out: the stages of the spec (grammar and meaning: diffusion core ``chain_spec``) built from
the module's blocks (pa_nonlinearity, phase_noise, hardware_impairments, complex_quantizer),
gr-channels' iqbal_gen and gr-blocks.  No noise is added here (the channel adds AWGN).

:func:`generate` runs source -> chain -> sink for n uniformly drawn symbols and returns the
output with the transmitted label indices: the labelled data the training command uses for
``--data '<spec>'``.
"""

import math

import numpy as np
from gnuradio import blocks, gr

from .core import chain_spec as _cs
from .work_guard import WorkGuard, guarded_work

CAL_SYMBOLS = 1 << 16  # AGC calibration run (every label equally often)


class pilot_phase_tracker(WorkGuard, gr.basic_block):
    """Ideal pilot-aided phase tracking of a Wiener phase-noise stage (see chain_spec).

    Inputs: 0 the signal with phase noise, 1 the phase reference exp(j theta[n]) (the same
    phase_noise block seed on a constant 1).  Output: input 0 derotated by theta at anchors
    n = 0, B, 2B, ..., linearly interpolated in between.  The last < B samples of a finite
    stream wait for the next anchor and are not emitted at the end.
    """

    def __init__(self, block):
        gr.basic_block.__init__(
            self,
            name="pilot_phase_tracker",
            in_sig=[np.complex64, np.complex64],
            out_sig=[np.complex64],
        )
        self.B = int(block)
        self._theta_a = 0.0  # unwrapped phase at the current anchor (theta[0] = 0)

        self.set_output_multiple(self.B)

    def forecast(self, noutput_items, ninputs):
        return [noutput_items + 1] * ninputs

    @guarded_work("drop")
    def general_work(self, input_items, output_items):
        # Every call starts at an anchor A (ref[0] = exp(j theta[A]), theta_a known); a
        # segment of B samples needs the reference up to the next anchor A + B.
        z, ref = input_items
        out = output_items[0]
        n_in = min(len(z), len(ref))
        B = self.B
        k = 0
        while k + B < n_in and k + B <= len(out):
            ph = np.angle(ref[k + 1 : k + B + 1].astype(np.complex128))
            th = np.unwrap(np.concatenate(([self._theta_a], ph)))
            interp = self._theta_a + (th[-1] - self._theta_a) * np.arange(B) / B
            out[k : k + B] = (z[k : k + B] * np.exp(-1j * interp)).astype(np.complex64)
            self._theta_a = th[-1]
            k += B
        if k:
            self.consume_each(k)
        return k


class tx_impairment_chain(gr.hier_block2):
    """Hierarchical block: the stages of a chain spec, complex in -> complex out.

    tx_impairment_chain(spec, seed=0, cal_input=None)
    spec: chain-spec string (or a parsed ChainSpec); seed (>= 0): base seed of the random
    stages (stage i uses seed * 1000 + i).  cal_input: complex samples the 'agc' stage is
    calibrated on (default: every constellation point equally often, i.e. a symbol-rate
    chain); give a stretch of the actual input for a chain on a waveform (e.g. the link's
    pulse-shaped TX samples).  Attributes: spec (ChainSpec), agc_gain
    (linear amplitude gain of the 'agc' stage, 1 without one).  ValueError naming the spec
    for one that does not parse.
    """

    def __init__(self, spec, seed=0, cal_input=None):
        gr.hier_block2.__init__(
            self,
            "tx_impairment_chain",
            gr.io_signature(1, 1, gr.sizeof_gr_complex),
            gr.io_signature(1, 1, gr.sizeof_gr_complex),
        )
        self.spec = _cs.parse(spec)
        if int(seed) < 0:
            raise ValueError(f"tx_impairment_chain: seed must be >= 0, got {seed}")
        self.seed = int(seed)
        self.agc_gain = 1.0
        self._blocks = []
        prev = self
        first = True
        for i, st in enumerate(self.spec.stages):
            if st.name == "agc":
                g = calibrate_gain(self.spec, i, self.seed, cal_input)
                self.agc_gain *= g
                blks = [blocks.multiply_const_cc(complex(g, 0.0))]
                head = tail = blks[0]
            else:
                head, tail, blks = _make_stage(self, st, self.seed * 1000 + i)
            self._blocks.extend(blks)
            if first:
                self.connect((self, 0), head)
                first = False
            else:
                self.connect(prev, head)
            prev = tail
        if first:  # no stages: pass through
            cp = blocks.copy(gr.sizeof_gr_complex)
            self._blocks.append(cp)
            self.connect((self, 0), cp, (self, 0))
        else:
            self.connect(prev, (self, 0))

    def describe(self):
        return str(self.spec)


def _make_stage(hb, st, seed):
    """(head, tail, all blocks) of one stage inside hier block hb."""
    from . import diffusion_python as _d  # the C++ blocks

    p = st.params
    if st.name == "rapp":
        b = _d.pa_nonlinearity(
            model=_d.pa_nonlinearity.RAPP,
            ibo_db=p["ibo"],
            gain=p["gain"],
            saturation=p["sat"],
            smoothness=p["p"],
            normalize_output=False,
        )
        return b, b, [b]
    if st.name == "saleh":
        b = _d.pa_nonlinearity(
            model=_d.pa_nonlinearity.SALEH,
            ibo_db=p["ibo"],
            alpha_a=p["aa"],
            beta_a=p["ba"],
            alpha_p=p["ap"],
            beta_p=p["bp"],
            normalize_output=False,
        )
        return b, b, [b]
    if st.name == "phase_noise":
        pn = _d.phase_noise(p["lw"], seed)
        if p["block"] == 0:
            return pn, pn, [pn]
        # phase reference: the same phase trajectory on a constant 1 (same seed)
        mul0 = blocks.multiply_const_cc(0j)
        one = blocks.add_const_cc(1 + 0j)
        pn_ref = _d.phase_noise(p["lw"], seed)
        trk = pilot_phase_tracker(p["block"])
        split = blocks.copy(gr.sizeof_gr_complex)
        hb.connect(split, pn, (trk, 0))
        hb.connect(split, mul0, one, pn_ref, (trk, 1))
        return split, trk, [split, pn, mul0, one, pn_ref, trk]
    if st.name == "iq":
        from gnuradio import channels

        b = channels.iqbal_gen(p["gain_db"], p["phase_deg"], 0)
        return b, b, [b]
    if st.name == "dc":
        b = blocks.add_const_cc(complex(p["re"], p["im"]))
        return b, b, [b]
    if st.name == "kappa":
        b = _d.hardware_impairments(p["k"], _d.POWER_NOMINAL, 1.0, 1024, int(seed % (1 << 31)))
        return b, b, [b]
    if st.name == "dac":
        b = _d.complex_quantizer(p["bits"], p["fs"], _d.QUANT_MID_RISE)
        return b, b, [b]
    raise ValueError(f"tx_impairment_chain: stage {st.name!r} has no implementation")


def _run(spec, x, seed):
    """Run x (complex [n]) through tx_impairment_chain(spec, seed) in a flowgraph."""
    tb = gr.top_block()
    src = blocks.vector_source_c(np.asarray(x, dtype=np.complex64).tolist(), False)
    chain = tx_impairment_chain(spec, seed)
    snk = blocks.vector_sink_c()
    tb.connect(src, chain, snk)
    tb.run()
    return np.array(snk.data(), dtype=np.complex128), chain


def calibrate_gain(spec, upto, seed, cal_input=None):
    """Amplitude gain giving unit mean power at the output of stages[:upto] (AGC stage),
    measured on cal_input or on every constellation point equally often."""
    spec = _cs.parse(spec)
    if cal_input is None:
        const = spec.get_constellation()
        m = const.order
        rng = np.random.default_rng(1_000_003 + seed)
        idx = rng.permutation(np.repeat(np.arange(m), max(1, CAL_SYMBOLS // m)))
        x = const.points[idx]
    else:
        x = np.asarray(cal_input, dtype=np.complex128).reshape(-1)
        if len(x) < 16 or not np.isfinite(x).all():
            raise ValueError("tx_impairment_chain: cal_input needs >= 16 finite samples")
    prefix = _cs.ChainSpec(spec.constellation, spec.stages[:upto])
    if not prefix.stages:
        z = x
    else:
        z, _ = _run(prefix, x, seed)
    p = float(np.mean(np.abs(z) ** 2))
    if not (p > 0 and math.isfinite(p)):
        raise ValueError(f"tx_impairment_chain: agc: chain output power {p} (spec {spec})")
    return 1.0 / math.sqrt(p)


def generate(spec, n, seed=0):
    """Labelled data of a chain: (z complex128 [n'], labels int64 [n'], ChainSpec).

    Labels are drawn uniformly (NumPy PCG64, seed), mapped to the spec's constellation,
    run through tx_impairment_chain(spec, seed) in a GNU Radio flowgraph; n' = n except
    that a tracked phase-noise stage holds back the last < block samples (dropped).
    """
    spec = _cs.parse(spec)
    const = spec.get_constellation()
    n = int(n)
    if n < 1:
        raise ValueError(f"generate: n must be >= 1, got {n}")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, const.order, n)
    z, _ = _run(spec, const.points[idx], seed)
    return z, idx[: len(z)], spec


def noiseless_points(spec, seed=0):
    """What a deterministic chain sends for each label (complex [M]), via the flowgraph.
    ValueError for a chain with random stages (use :func:`generate`)."""
    spec = _cs.parse(spec)
    if spec.is_random:
        raise ValueError(f"chain {spec} has random stages: no single point per label")
    const = spec.get_constellation()
    z, _ = _run(spec, const.points, seed)
    return z
