#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Probabilistic-shaping mapper (transmitter): packed bytes -> shaped unit-power symbols.

Thin GNU Radio shell over :mod:`diffusion.shaping.pcs_frame` (CCDM + Gray labelling) and
:mod:`diffusion.shaping.pmf` (PMF from the DDPM, Maxwell-Boltzmann or uniform).
"""

import math
import threading

import numpy as np
import pmt
from gnuradio import gr

from .pmt_convert import dict_to_pmt, drain_messages
from .shaping.pcs_frame import BLOCK_TAG, PMF_TAG, PcsFrame
from .shaping.pmf import make_provider, pmf_identity
from .work_guard import WorkGuard, guarded_work

MODES = ("ccdm", "iid")
# CCDM encoding costs ~block_len^2 (0.17 s per 4096-symbol block, 45 s at 65536, measured):
# beyond MAX_CCDM_BLOCK a block would stall the flowgraph
MAX_CCDM_BLOCK = 16384
MAX_IID_BLOCK = 1 << 20
MAX_SYNTHETIC = 1 << 24


def esn0_from_msg(msg):
    """Es/N0 (dB) from a number (Es/N0 dB) or a dict with esn0_db / snr_db / noise_var;
    None if the message is not understood."""
    try:
        if pmt.is_number(msg) and not pmt.is_complex(msg):
            return float(pmt.to_double(msg))
        py = pmt.to_python(msg)
        if isinstance(py, tuple) and len(py) == 2 and isinstance(py[0], str):
            py = {py[0]: py[1]}
        if isinstance(py, dict):
            for key in ("esn0_db", "snr_db"):
                v = py.get(key)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    return float(v)
            v = py.get("noise_var")
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
                return -10.0 * math.log10(float(v))
    except Exception:  # noqa: BLE001 (malformed PMTs must not stop the flowgraph)
        pass
    return None


class pcs_mapper(WorkGuard, gr.basic_block):
    """Probabilistic-shaping mapper: packed bytes in, shaped unit-power complex symbols out.

    pcs_mapper(constellation='16qam', pmf_source='ddpm', model_path='', sampler='tweedie',
               esn0_db=10.0, block_len=4096, n_synthetic=65536, grid_step_db=0.5, seed=0,
               mode='ccdm', ddim_steps=5)

    PMF for the link's Es/N0 (``pmf_source``): 'ddpm' (the DDPM denoises uniform symbols
    plus synthetic AWGN at that Es/N0 with ``sampler`` tweedie|ddim|posterior|paper;
    nearest-point histogram of ``n_synthetic`` symbols; model_path '' = shipped model),
    'maxwell_boltzmann' (MI-optimal nu) or 'uniform'; cached on a ``grid_step_db`` grid.

    mode 'ccdm': bytes (uint8, 8 payload bits each, MSB first) are matched in blocks: every
    block of ``block_len`` = n output symbols carries bytes_per_block = floor(k/8) input
    bytes (k = floor(log2 #sequences of the composition)); the composition is the PMF
    quantised to n symbols; matcher symbols are Gray labels, sent on the point with that
    label; points are scaled to unit power under the composition.
    mode 'iid': no input; i.i.d. symbols drawn with the (unquantised) PMF, unit power
    under it (for MI experiments; ``seed`` seeds the draw).

    Es/N0 at run time: set_esn0_db() or the "esn0_db" message port (a number in dB, or a
    dict with esn0_db / snr_db / noise_var).  A new PMF (computed in a background thread
    when not cached) takes effect at the next block boundary.  Every block start is tagged
    "pcs_block" = {block: index, pmf_id: id}; the first block and every block where the
    PMF changes are also tagged "pcs_pmf" = the PMF description (pmf_id, constellation,
    source, esn0_db, n, k, bytes_per_block, composition, pmf, scale), which is also
    published on the "pmf" message port.  Input tags are not propagated.
    """

    def __init__(
        self,
        constellation="16qam",
        pmf_source="ddpm",
        model_path="",
        sampler="tweedie",
        esn0_db=10.0,
        block_len=4096,
        n_synthetic=1 << 16,
        grid_step_db=0.5,
        seed=0,
        mode="ccdm",
        ddim_steps=5,
    ):
        mode = str(mode).lower()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        n = int(block_len)
        nmax = MAX_CCDM_BLOCK if mode == "ccdm" else MAX_IID_BLOCK
        if not 1 <= n <= nmax:
            raise ValueError(f"block_len must be in [1, {nmax}] in mode {mode!r}, got {block_len}")
        if not 1 <= int(n_synthetic) <= MAX_SYNTHETIC:
            raise ValueError(
                f"n_synthetic must be in [1, {MAX_SYNTHETIC}] symbols, got {n_synthetic}"
            )
        if not -100.0 <= float(esn0_db) <= 300.0:
            raise ValueError(f"esn0_db must be in [-100, 300] dB, got {esn0_db}")
        gr.basic_block.__init__(
            self,
            name="pcs_mapper",
            in_sig=None if mode == "iid" else [np.uint8],
            out_sig=[np.complex64],
        )
        self._mode = mode
        self._n = n
        self._warned_range = False
        self._provider = make_provider(
            constellation,
            pmf_source,
            model_path,
            sampler,
            n_synthetic,
            seed,
            ddim_steps,
            grid_step_db,
        )
        self._rng = np.random.default_rng(int(seed))
        self._lock = threading.Lock()
        self._worker = None
        self._want = None
        self._pending = None
        self._frame = self._make_frame(self._provider.get(esn0_db))  # fails early if unusable
        self._want = self._provider.grid_point(esn0_db)
        self._announce = True
        self._pend = bytearray()  # input bytes of the block being filled
        self._block = 0
        self._changes = 0
        # symbols of the block being emitted: a block is emitted over as many work() calls
        # as the output buffer needs (no output multiple: any max_noutput_items works)
        self._stage = np.zeros(0, dtype=np.complex64)
        self._stage_pos = 0
        self.set_tag_propagation_policy(gr.TPP_DONT)
        self._esn0_port = pmt.intern("esn0_db")
        self.message_port_register_in(self._esn0_port)  # drained by work() (pmt_convert)
        self.message_port_register_out(pmt.intern("pmf"))

    # ------------------------------------------------------------------ frames
    def _make_frame(self, shaped):
        if self._mode == "ccdm":
            fr = PcsFrame(shaped, self._n)
            desc = fr.describe()
            return {
                "frame": fr,
                "points": fr.points.astype(np.complex64),
                "bytes": fr.bytes_per_block,
                "id": fr.identity,
                "desc": desc,
                "shaped": fr.shaped,
                "pmt": dict_to_pmt(desc),
            }
        pid = pmf_identity(shaped.pmf)
        desc = {
            "pmf_id": pid,
            "constellation": shaped.base.name,
            "source": shaped.source,
            "esn0_db": float(shaped.esn0_db),
            "n": self._n,
            "k": 0,
            "bytes_per_block": 0,
            "composition": [],
            "pmf": [float(v) for v in shaped.pmf],
            "scale": float(shaped.scale),
        }
        return {
            "frame": None,
            "points": shaped.points.astype(np.complex64),
            "bytes": 0,
            "id": pid,
            "desc": desc,
            "shaped": shaped,
            "pmt": dict_to_pmt(desc),
        }

    def _request(self, esn0_db, wait=False):
        g = self._provider.grid_point(esn0_db)
        with self._lock:
            same, worker = g == self._want, self._worker
            self._want = g
        if same:
            if wait and worker is not None:
                worker.join()
            return
        hit = self._provider.cached(g)
        if hit is not None:
            self._install(g, hit)
        elif wait:
            self._compute(g)
        else:
            t = threading.Thread(target=self._compute, args=(g,), daemon=True)
            with self._lock:
                self._worker = t
            t.start()

    def _compute(self, g):
        try:
            shaped = self._provider.get(g)
        except Exception as e:  # noqa: BLE001
            self.logger.error(f"PMF for Es/N0 {g} dB failed: {e}")
            return
        self._install(g, shaped)

    def _install(self, g, shaped):
        try:
            fr = self._make_frame(shaped)
        except ValueError as e:
            self.logger.error(f"PMF for Es/N0 {g} dB unusable ({e}); keeping the current one")
            return
        with self._lock:
            if g == self._want:
                self._pending = fr

    def set_esn0_db(self, esn0_db, wait=False):
        """New link Es/N0 (dB): its PMF is used from the next block boundary.  wait=True
        computes an uncached PMF now (else in a background thread)."""
        v = float(esn0_db)
        if not math.isfinite(v):
            self.logger.warn(f"ignoring invalid Es/N0 {esn0_db}")
            return
        self._request(self._sane(v), wait)

    def _sane(self, v):
        """Es/N0 clamped to [-100, 300] dB (one warning per block)."""
        c = min(max(v, -100.0), 300.0)
        if c != v and not self._warned_range:
            self._warned_range = True
            self.logger.warn(
                f"Es/N0 {v:g} dB outside [-100, 300] dB: clamped to {c:g} (reported once)"
            )
        return c

    def _handle_esn0_msg(self, msg):
        """Apply one "esn0_db" message; True if understood."""
        v = esn0_from_msg(msg)
        if v is None or not math.isfinite(v):
            self.logger.warn(
                "ignoring message on port 'esn0_db': expected a number (Es/N0 "
                f"dB) or a dict with esn0_db, snr_db or noise_var, got {msg}"
            )
            return False
        self._request(self._sane(v))
        return True

    def _drain_esn0(self):
        """The newest understood queued "esn0_db" message (older ones are superseded)."""
        msgs = drain_messages(self, self._esn0_port)
        for k in range(len(msgs) - 1, -1, -1):
            if self._handle_esn0_msg(msgs[k]):
                return

    # ------------------------------------------------------------------ info
    def block_len(self):
        return self._n

    def bytes_per_block(self):
        return self._frame["bytes"]

    def pmf(self):
        """PMF in force (the composition / n in ccdm mode)."""
        return np.array(self._frame["shaped"].pmf)

    def points(self):
        return np.array(self._frame["shaped"].points)

    def pmf_id(self):
        return self._frame["id"]

    def description(self):
        return dict(self._frame["desc"])

    def pcs_frame(self):
        return self._frame["frame"]

    def pmf_changes(self):
        return self._changes

    def blocks_sent(self):
        return self._block

    # ------------------------------------------------------------------ work
    def forecast(self, noutput_items, ninputs):
        # bytes are gathered in an internal block buffer, so any amount of input helps
        # (no requirement on the upstream buffer size, whatever bytes_per_block is); the
        # rest of a block being emitted needs no input (so it is not lost at the end)
        if self._stage_pos < self._stage.size:
            return [0] * ninputs
        return [1] * ninputs

    def _switch(self):
        with self._lock:
            fr, self._pending = self._pending, None
        if fr is not None and fr["id"] != self._frame["id"]:
            self._frame = fr
            self._announce = True
            self._changes += 1
        elif fr is not None:
            self._frame = fr

    def _after_work_error(self):
        """work_guard: the bytes of the block being gathered and the rest of the block
        being sent are dropped with the chunk."""
        self._pend = bytearray()
        self._stage_pos = self._stage.size

    @guarded_work("drop")
    def general_work(self, input_items, output_items):
        self._drain_esn0()
        out = output_items[0]
        n = self._n
        inp = input_items[0] if self._mode == "ccdm" else None
        produced = consumed = 0
        w0 = self.nitems_written(0)
        while produced < len(out):
            if self._stage_pos < self._stage.size:  # rest of the current block
                k = min(self._stage.size - self._stage_pos, len(out) - produced)
                out[produced : produced + k] = self._stage[self._stage_pos : self._stage_pos + k]
                self._stage_pos += k
                produced += k
                continue
            if not self._pend:
                self._switch()  # PMF changes only between blocks
            fr = self._frame
            if inp is not None:
                B = fr["bytes"]
                take = min(B - len(self._pend), len(inp) - consumed)
                self._pend += inp[consumed : consumed + take].tobytes()
                consumed += take
                if len(self._pend) < B:
                    break
                idx = fr["frame"].encode(self._pend)
                self._pend = bytearray()
            else:
                idx = fr["shaped"].sample(n, self._rng)
            self._stage = fr["points"][idx]
            self._stage_pos = 0
            off = w0 + produced
            if self._announce:
                self._announce = False
                self.add_item_tag(0, off, pmt.intern(PMF_TAG), fr["pmt"])
                self.message_port_pub(pmt.intern("pmf"), fr["pmt"])
            val = pmt.make_dict()
            val = pmt.dict_add(val, pmt.intern("block"), pmt.from_uint64(self._block))
            val = pmt.dict_add(val, pmt.intern("pmf_id"), pmt.intern(fr["id"]))
            self.add_item_tag(0, off, pmt.intern(BLOCK_TAG), val)
            self._block += 1
        if consumed:
            self.consume(0, consumed)
        return produced
