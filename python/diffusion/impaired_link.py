#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The published hardware-impaired link as one hierarchical block.

    y = h (sqrt(p) s_q + eta_t) + eta_r + n                     (Letafati et al., eq. 15)

s: unit-power symbols; s_q: s through an n-bit complex quantizer (bits = 0: none);
eta_t ~ CN(0, kappa_t p); h: Rayleigh/Rician block fading or 1; eta_r ~ CN(0, kappa_r p |h|^2);
n ~ CN(0, sigma_n^2) with Es/N0 = p / sigma_n^2 (noise Gaussian, Laplacian or impulsive).

Outputs: 0 y (received samples), 1 h, 2 z = y / (h sqrt(p)) (zero-forcing equalized,
unit-power units), 3 sigma2 (float): the effective noise-plus-distortion variance of z per
complex sample, kappa_t + kappa_r + q + 1/(Es/N0 |h|^2), with q the quantization noise power
(2 Delta^2/12 for step Delta, a fine-quantization approximation; 0 without quantizer).
Feed z and sigma2 to the DDPM denoiser with noise source "stream".
"""

import math

from gnuradio import blocks, gr

from . import diffusion_python as _cpp

FADING = ("none", "rayleigh", "rician")
NOISE = {
    "gaussian": _cpp.additive_noise.GAUSSIAN,
    "laplacian": _cpp.additive_noise.LAPLACIAN,
    "bernoulli_gaussian": _cpp.additive_noise.BERNOULLI_GAUSSIAN,
    "middleton_a": _cpp.additive_noise.MIDDLETON_CLASS_A,
}


def quantization_noise_var(bits, full_scale):
    """Fine-quantization noise variance per complex sample of the mid-rise quantizer:
    2 Delta^2 / 12 with Delta = 2 full_scale / 2^bits (clipping not counted)."""
    if bits <= 0:
        return 0.0
    delta = 2.0 * full_scale / 2**bits
    return 2.0 * delta * delta / 12.0


class impaired_link(gr.hier_block2):
    """Hardware-impaired link y = h (sqrt(p) s_q + eta_t) + eta_r + n (see module doc).

    esn0_db: p / sigma_n^2 in dB. power: transmit power p (linear). kappa_t, kappa_r:
    distortion-to-signal power ratios (EVM^2; published values 0.05 and 0.15). bits: quantizer
    bits per rail (0 = no quantizer), full_scale: its clip level per rail. fading: 'none',
    'rayleigh' or 'rician' (k_factor linear), constant over coherence_length samples.
    noise: 'gaussian', 'laplacian', 'bernoulli_gaussian' or 'middleton_a'. seed: base seed
    (each random block gets its own seed derived from it).
    """

    def __init__(
        self,
        esn0_db=10.0,
        power=1.0,
        kappa_t=0.05,
        kappa_r=0.15,
        bits=8,
        full_scale=1.2,
        fading="rayleigh",
        coherence_length=64,
        k_factor=0.0,
        noise="gaussian",
        seed=0,
    ):
        gr.hier_block2.__init__(
            self,
            "impaired_link",
            gr.io_signature(1, 1, gr.sizeof_gr_complex),
            gr.io_signaturev(4, 4, [gr.sizeof_gr_complex] * 3 + [gr.sizeof_float]),
        )
        if power <= 0 or not math.isfinite(power):
            raise ValueError(f"power must be > 0, got {power}")
        if fading not in FADING:
            raise ValueError(f"fading must be one of {FADING}, got {fading!r}")
        if noise not in NOISE:
            raise ValueError(f"noise must be one of {tuple(NOISE)}, got {noise!r}")
        if bits < 0 or bits > 16:
            raise ValueError(f"bits must be 0 (no quantizer) or 1..16, got {bits}")
        self._p, self._kt, self._kr = float(power), float(kappa_t), float(kappa_r)
        self._bits, self._fs = int(bits), float(full_scale)
        seed = int(seed)

        self.quantizer = _cpp.complex_quantizer(bits, full_scale) if bits > 0 else None
        self.amp = blocks.multiply_const_cc(math.sqrt(self._p))
        self.tx_hwi = _cpp.hardware_impairments(
            kappa_t, _cpp.POWER_NOMINAL, self._p, 1024, seed + 1
        )
        self.rx_hwi = _cpp.hardware_impairments(
            kappa_r, _cpp.POWER_NOMINAL, self._p, 1024, seed + 2
        )
        self.noise = _cpp.additive_noise(esn0_db, NOISE[noise], self._p, seed=seed + 3)
        self.zf = _cpp.zf_equalizer(
            self._distortion_var(), self._noise_var(esn0_db), 1.0 / math.sqrt(self._p)
        )

        head = self
        if self.quantizer is not None:
            self.connect(self, self.quantizer)
            head = self.quantizer
        self.connect(head, self.amp, self.tx_hwi)
        if fading == "none":
            self.h_src = blocks.vector_source_c([1.0 + 0j], True)
        else:
            k = k_factor if fading == "rician" else 0.0
            self.fading = _cpp.block_fading(coherence_length, k, seed + 4)
            self.h_sink = blocks.null_sink(gr.sizeof_gr_complex)
            self.connect(self.tx_hwi, (self.fading, 0), self.h_sink)
            self.h_src = (self.fading, 1)
        self.connect(self.tx_hwi, (self.rx_hwi, 0))
        self.connect(self.h_src, (self.rx_hwi, 1))
        self.connect(self.rx_hwi, self.noise)
        self.connect(self.noise, (self, 0))
        self.connect(self.h_src, (self, 1))
        self.connect(self.noise, (self.zf, 0))
        self.connect(self.h_src, (self.zf, 1))
        self.connect((self.zf, 0), (self, 2))
        self.connect((self.zf, 1), (self, 3))

    def _distortion_var(self):
        return self._kt + self._kr + quantization_noise_var(self._bits, self._fs)

    @staticmethod
    def _noise_var(esn0_db):
        return 10.0 ** (-float(esn0_db) / 10.0)

    def set_esn0_db(self, esn0_db):
        self.noise.set_esn0_db(esn0_db)
        self.zf.set_noise_var(self._noise_var(esn0_db))

    def set_kappa(self, kappa_t, kappa_r):
        self._kt, self._kr = float(kappa_t), float(kappa_r)
        self.tx_hwi.set_kappa(kappa_t)
        self.rx_hwi.set_kappa(kappa_r)
        self.zf.set_distortion_var(self._distortion_var())

    def set_bits(self, bits):
        if self.quantizer is None:
            raise ValueError("this link was built without a quantizer (bits = 0)")
        self.quantizer.set_bits(int(bits))
        self._bits = int(bits)
        self.zf.set_distortion_var(self._distortion_var())
