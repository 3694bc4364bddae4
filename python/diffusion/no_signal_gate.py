#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""No-signal gate (Python block): the denoised symbol, or the stock one where the symbol
normaliser found no signal (sigma2 at its cap), over
:func:`diffusion.core.snr_estimation.stock_where_no_signal`."""

import numpy as np
from gnuradio import gr

from .core.snr_estimation import SIGMA2_CAP, stock_where_no_signal
from .work_guard import WorkGuard, guarded_work


class no_signal_gate(WorkGuard, gr.sync_block):
    """Denoised symbols, with the stock symbol put back where sigma2 is at its cap.

    no_signal_gate(sigma2_cap=SIGMA2_CAP)

    Inputs (aligned, one item per symbol): 0 the denoised symbols (complex), 1 the stock
    symbols the denoiser was given (complex, unit signal power), 2 sigma2 per symbol (float,
    noise variance per complex symbol over signal power: Es/N0 = 1/sigma2), as
    symbol_normalizer puts it out, at most ``sigma2_cap`` (default its
    :data:`~diffusion.core.snr_estimation.SIGMA2_CAP`, 100: Es/N0 -20 dB). Output: input 0,
    except where sigma2 >= 0.999 ``sigma2_cap`` (the normaliser found no signal, e.g. its
    window still holds the noise before a burst while the burst is already strong: a prior's
    posterior mean at sigma2 = 100 is ~0 with an arbitrary sign) and the stock symbol is
    finite: there input 1 (a NaN/Inf stock symbol never replaces a denoised one). Counted:
    gated_symbols(). Sample by sample; latency 0.
    """

    def __init__(self, sigma2_cap=SIGMA2_CAP):
        gr.sync_block.__init__(
            self,
            name="no_signal_gate",
            in_sig=[np.complex64, np.complex64, np.float32],
            out_sig=[np.complex64],
        )
        if not float(sigma2_cap) > 0.0:
            raise ValueError(f"sigma2_cap must be > 0, got {sigma2_cap}")
        self.sigma2_cap = float(sigma2_cap)
        self._gated = 0

    def gated_symbols(self):
        """Symbols so far where the stock symbol was put out instead of the denoised one."""
        return self._gated

    @guarded_work("pass")
    def work(self, input_items, output_items):
        n = len(output_items[0])
        out, gated = stock_where_no_signal(
            input_items[0][:n], input_items[1][:n], input_items[2][:n], self.sigma2_cap
        )
        output_items[0][:] = out
        self._gated += int(np.count_nonzero(gated))
        return n
