#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Probabilistic-shaping demapper (receiver): shaped symbols -> packed bytes.

Thin GNU Radio shell over :class:`diffusion.shaping.pcs_frame.PcsFrame` (inverse of ``pcs_mapper``).
"""

import math

import numpy as np
import pmt
from gnuradio import gr

from .pcs_mapper import MAX_CCDM_BLOCK, MAX_SYNTHETIC
from .shaping.pcs_frame import BLOCK_TAG, PMF_TAG, PcsFrame
from .shaping.pmf import make_provider
from .work_guard import WorkGuard, guarded_work

INPUT_TYPES = ("complex", "index")
ERROR_TAG = "pcs_block_error"


class pcs_demapper(WorkGuard, gr.basic_block):
    """Probabilistic-shaping demapper: symbols in, packed bytes out (inverse of pcs_mapper).

    pcs_demapper(constellation='16qam', pmf_source='ddpm', model_path='', sampler='tweedie',
                 esn0_db=10.0, block_len=4096, n_synthetic=65536, grid_step_db=0.5, seed=0,
                 input_type='complex', ddim_steps=5)

    input_type 'complex': symbols at the transmitter's scale (unit power under the PMF),
    sliced to the nearest point of the composition's support; 'index': point indices
    (uint8, M <= 256) after an external slicer, in the constellation's point order.

    Which PMF: the "pcs_pmf" tags of pcs_mapper (they carry the composition, so the
    receiver needs no model), else a PMF computed locally from the same parameters as the
    mapper (pmf_source, model, sampler, esn0_db, n_synthetic, seed, grid step: they must
    match the transmitter's), computed on first use.  "pcs_block" tags select the PMF by
    identity and mark block boundaries; without tags, blocks are counted from the first
    input item.  A block-start tag inside a block resynchronises: the partial block is
    dropped (resyncs()).  Blocks whose PMF identity is unknown are dropped (no output;
    blocks_dropped()).  Every decoded block yields bytes_per_block bytes: bit-exact when
    the block has no symbol error; a block whose sliced symbols do not have the
    composition gives zero bytes, tagged "pcs_block_error" on its first byte
    (blocks_bad()).  An error never affects the following blocks.
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
        input_type="complex",
        ddim_steps=5,
    ):
        itype = str(input_type).lower()
        if itype not in INPUT_TYPES:
            raise ValueError(f"input_type must be one of {INPUT_TYPES}, got {input_type!r}")
        n = int(block_len)
        if not 1 <= n <= MAX_CCDM_BLOCK:
            raise ValueError(f"block_len must be in [1, {MAX_CCDM_BLOCK}], got {block_len}")
        if not 1 <= int(n_synthetic) <= MAX_SYNTHETIC:
            raise ValueError(
                f"n_synthetic must be in [1, {MAX_SYNTHETIC}] symbols, got {n_synthetic}"
            )
        if not math.isfinite(float(esn0_db)):
            raise ValueError("esn0_db must be finite")
        gr.basic_block.__init__(
            self,
            name="pcs_demapper",
            in_sig=[np.complex64 if itype == "complex" else np.uint8],
            out_sig=[np.uint8],
        )
        self._itype = itype
        self._n = n
        self._args = (
            constellation,
            pmf_source,
            model_path,
            sampler,
            n_synthetic,
            seed,
            ddim_steps,
            grid_step_db,
        )
        self._esn0 = float(esn0_db)
        self._provider = None
        self._local = None
        self._local_error = None
        self._base = None
        self._frames = {}
        self._cur = None  # PcsFrame in force (None: not yet chosen)
        self._cur_known = True  # False after a pcs_block tag with an unknown id
        self._ok = self._bad = self._dropped = self._resyncs = 0
        self._buf = np.zeros(n, dtype=np.complex64 if itype == "complex" else np.uint8)
        self._ostage = np.zeros(0, dtype=np.uint8)  # decoded bytes of the block being sent
        self._opos = 0
        self._fill = 0  # symbols of the current block gathered so far
        # the largest block: n symbols of log2(M) bits (M <= 256 for 'index' input)
        self.set_min_output_buffer(0, max(8192, 2 * n))
        self.set_tag_propagation_policy(gr.TPP_DONT)

    # ------------------------------------------------------------------ frames
    def _local_frame(self):
        if self._local is None:
            if self._local_error is not None:
                raise self._local_error  # tried once already: do not retry
            try:
                if self._provider is None:
                    self._provider = make_provider(*self._args)
                self._local = PcsFrame(self._provider.get(self._esn0), self._n)
            except Exception as e:  # noqa: BLE001
                self._local_error = e
                raise
            self._frames.setdefault(self._local.identity, self._local)
            self._base = self._local.base
        return self._local

    def _learn(self, value):
        try:
            desc = pmt.to_python(value)
            base = self._base
            if base is None:
                from .shaping.pmf import as_constellation

                try:
                    base = as_constellation(desc["constellation"])
                except ValueError:
                    base = self._local_frame().base
            pid = desc.get("pmf_id")
            fr = self._frames.get(pid)
            if fr is None:
                if int(desc.get("n", self._n)) != self._n:
                    raise ValueError(f"block length {desc.get('n')} != {self._n}")
                fr = PcsFrame.from_description(base, desc)
                self._frames[fr.identity] = fr
                self._base = fr.base
            return fr
        except Exception as e:  # noqa: BLE001 (a bad tag must not stop the flowgraph)
            self.logger.warn(f"ignoring unusable {PMF_TAG} tag ({e})")
            return None

    def _select(self, value):
        """pcs_block tag: the frame of its pmf_id (known=False when unknown)."""
        try:
            pid = pmt.to_python(value).get("pmf_id")
        except Exception:  # noqa: BLE001
            pid = None
        fr = self._frames.get(pid)
        if fr is None and self._local is None and self._local_error is None:
            # no tag has described it yet: the local PMF may be the one
            try:
                if self._local_frame().identity == pid:
                    fr = self._local
            except Exception as e:  # noqa: BLE001
                self.logger.warn(f"local PMF unavailable ({e})")
        if fr is None:
            self._cur_known = False
        else:
            self._cur, self._cur_known = fr, True

    # ------------------------------------------------------------------ info
    def blocks_ok(self):
        return self._ok

    def blocks_bad(self):
        return self._bad

    def blocks_dropped(self):
        return self._dropped

    def resyncs(self):
        return self._resyncs

    def pmf_id(self):
        return self._cur.identity if self._cur is not None else ""

    def bytes_per_block(self):
        fr = self._cur if self._cur is not None else self._local_frame()
        return fr.bytes_per_block

    # ------------------------------------------------------------------ work
    def forecast(self, noutput_items, ninputs):
        # symbols are gathered in an internal block buffer: any amount of input helps; the
        # rest of a decoded block being emitted needs none (so it is not lost at the end)
        if self._opos < len(self._ostage):
            return [0] * ninputs
        return [1] * ninputs

    def _flush(self, out, produced):
        """Copy what fits of the decoded block being emitted into out[produced:]."""
        k = min(len(self._ostage) - self._opos, len(out) - produced)
        if k > 0:
            out[produced : produced + k] = self._ostage[self._opos : self._opos + k]
            self._opos += k
        return max(k, 0)

    def _emit(self, out, produced, w0):
        """Decode the full block buffer; its bytes go to out[produced:] as far as they fit
        (the rest on the next calls: any max_noutput_items works). Returns bytes written."""
        if not self._cur_known:
            self._dropped += 1
            return 0
        if self._cur is None:
            try:
                self._cur = self._local_frame()
            except Exception as e:  # noqa: BLE001
                if self._dropped == 0:
                    self.logger.error(
                        f"no {PMF_TAG} tag and no local PMF ({e}): dropping "
                        "blocks until a tag describes the PMF"
                    )
                self._dropped += 1
                return 0
        fr = self._cur
        B = fr.bytes_per_block
        blk = self._buf
        idx = fr.slice(blk) if self._itype == "complex" else blk.astype(np.int64)
        data = fr.decode_block(idx)
        if data is None:
            self._bad += 1
            self._ostage = np.zeros(B, dtype=np.uint8)
            self.add_item_tag(0, w0 + produced, pmt.intern(ERROR_TAG), pmt.from_uint64(self._bad))
        else:
            self._ok += 1
            self._ostage = np.frombuffer(data, dtype=np.uint8)
        self._opos = 0
        return self._flush(out, produced)

    def _after_work_error(self):
        """work_guard: the block being gathered and the rest of the one being sent are
        dropped with the chunk."""
        self._fill = 0
        self._opos = len(self._ostage)

    @guarded_work("drop")
    def general_work(self, input_items, output_items):
        inp = input_items[0]
        out = output_items[0]
        n = self._n
        avail = len(inp)
        r0 = self.nitems_read(0)
        tags = {}
        for t in self.get_tags_in_window(0, 0, avail):
            key = pmt.symbol_to_string(t.key)
            if key in (BLOCK_TAG, PMF_TAG):
                tags.setdefault(int(t.offset - r0), {})[key] = t.value
        starts = sorted(tags)
        si = i = produced = 0
        w0 = self.nitems_written(0)
        produced = self._flush(out, 0)  # rest of the block being emitted
        while True:
            if self._opos < len(self._ostage):
                break  # output full: the rest on the next call
            if self._fill == n:  # a whole block is buffered
                produced += self._emit(out, produced, w0)
                self._fill = 0
                continue
            if i >= avail:
                break
            while si < len(starts) and starts[si] < i:
                si += 1
            if si < len(starts) and starts[si] == i:  # a block starts here
                if self._fill:
                    self._resyncs += 1  # ... inside the one being gathered
                    self._fill = 0
                tg = tags[i]
                if PMF_TAG in tg:
                    fr = self._learn(tg[PMF_TAG])
                    if fr is not None:
                        self._cur, self._cur_known = fr, True
                if BLOCK_TAG in tg:
                    self._select(tg[BLOCK_TAG])
                si += 1
            nxt = starts[si] if si < len(starts) else avail
            take = min(n - self._fill, avail - i, nxt - i)
            self._buf[self._fill : self._fill + take] = inp[i : i + take]
            self._fill += take
            i += take
        if i:
            self.consume(0, i)
        return produced
