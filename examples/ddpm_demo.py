#!/usr/bin/env python3
#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Headless DDPM demo on the shipped models: the main job of the README.

For each Es/N0, a GNU Radio flowgraph sends random unit-power symbols through the published
hardware-impaired link (diffusion.impaired_link: 8-bit quantizer, kappa_t = 0.05,
kappa_r = 0.15, Rayleigh block fading, AWGN), zero-forcing equalizes it and runs the C++ DDPM
denoiser (Tweedie mode, per-sample noise variance from the equalizer). It prints a
before/after table (MSE and SER of the received samples, hard decisions, the exact MMSE
estimate and the DDPM) and the impairment chain's measured figures, and writes a
constellation plot.

Beside it, the case where the DDPM wins: mismatched hardware. 16-QAM through a Rapp PA at
0 dB input back-off (diffusion.tx_impairment_chain '16qam+rapp(ibo=0,p=2)+agc': the outer
points are compressed, the inner ones pushed out by the AGC) and AWGN; the shipped model
models/16qam_rapp.onnx learned what this PA sends, from labelled chain data. A receiver that
ignores the hardware (nominal hard decisions, nominal-Gaussian exact MMSE) against the C++
DDPM denoiser followed by the C++ learned slicer (diffusion.learned_slicer, the model's
label_centroids). On the published Gaussian link the DDPM only equals the closed-form MMSE;
here it learns the distortion. One table holds both; the plot adds the compressed
constellation with the learned decision regions.

    .venv/bin/python examples/ddpm_demo.py [--constellation 16qam] [--esn0 0 10 20]
"""

import argparse
import os
import sys
import time

import numpy as np
from gnuradio import blocks, diffusion, gr
from gnuradio.diffusion.core import constellations, reference

HW_SPEC = "16qam+rapp(ibo=0,p=2)+agc"
HW_MODEL = "16qam_rapp.onnx"


class hw_link(gr.top_block):
    """symbols -> tx_impairment_chain (PA) -> AWGN -> ddpm_denoiser -> learned_slicer"""

    def __init__(self, symbols, model, esn0_db, seed):
        gr.top_block.__init__(self, "ddpm_demo_hw")
        self.src = blocks.vector_source_c(symbols.tolist())
        self.pa = diffusion.tx_impairment_chain(HW_SPEC, seed)
        self.awgn = diffusion.additive_noise(
            esn0_db, diffusion.additive_noise.GAUSSIAN, 1.0, 0.01, 100.0, 0.1, 0.01, seed
        )
        self.ddpm = diffusion.ddpm_denoiser(
            model,
            diffusion.ddpm_denoiser.TWEEDIE,
            1,
            diffusion.ddpm_denoiser.NOISE_PARAMETER,
            esn0_db,
        )
        self.slicer = diffusion.learned_slicer(model, [], [], [], 10 ** (-esn0_db / 10), False)
        self.x_sink = blocks.vector_sink_c()
        self.y_sink = blocks.vector_sink_c()
        self.out_sink = blocks.vector_sink_c()
        self.dec_sink = blocks.vector_sink_b()
        self.connect(self.src, self.pa, self.x_sink)
        self.connect(self.pa, self.awgn, self.y_sink)
        self.connect(self.awgn, self.ddpm, self.out_sink)
        self.connect(self.ddpm, self.slicer, self.dec_sink)


class ddpm_link(gr.top_block):
    """symbols -> impaired_link -> (z, sigma2) -> ddpm_denoiser -> sinks"""

    def __init__(self, symbols, model, esn0_db, kappa_t, kappa_r, bits, fading, seed):
        gr.top_block.__init__(self, "ddpm_demo")
        self.src = blocks.vector_source_c(symbols.tolist())
        self.link = diffusion.impaired_link(
            esn0_db=esn0_db, kappa_t=kappa_t, kappa_r=kappa_r, bits=bits, fading=fading, seed=seed
        )
        self.ddpm = diffusion.ddpm_denoiser(
            model, diffusion.ddpm_denoiser.TWEEDIE, 1, diffusion.ddpm_denoiser.NOISE_STREAM, esn0_db
        )
        # the table engine's step for the expected noise level (AWGN + the impairments'
        # kappa_t + kappa_r) starts building now; main() waits for it before timing
        self.ddpm.set_noise_var(10 ** (-esn0_db / 10) + kappa_t + kappa_r)
        self.y_sink = blocks.vector_sink_c()
        self.h_sink = blocks.vector_sink_c()
        self.z_sink = blocks.vector_sink_c()
        self.s2_sink = blocks.vector_sink_f()
        self.out_sink = blocks.vector_sink_c()
        self.connect(self.src, self.link)
        self.connect((self.link, 0), self.y_sink)
        self.connect((self.link, 1), self.h_sink)
        self.connect((self.link, 2), self.z_sink)
        self.connect((self.link, 3), self.s2_sink)
        self.connect((self.link, 2), (self.ddpm, 0))
        self.connect((self.link, 3), (self.ddpm, 1))
        self.connect(self.ddpm, self.out_sink)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--constellation", default="16qam", help="qpsk, 16qam, 64qam, 256qam")
    ap.add_argument(
        "--esn0",
        type=float,
        nargs="+",
        default=[0.0, 5.0, 10.0, 15.0, 20.0],
        help="Es/N0 values in dB (p / sigma_n^2)",
    )
    ap.add_argument("--nsym", type=int, default=50000, help="symbols per Es/N0")
    ap.add_argument("--kappa-t", type=float, default=0.05)
    ap.add_argument("--kappa-r", type=float, default=0.15)
    ap.add_argument("--bits", type=int, default=8, help="quantizer bits per rail (0 = none)")
    ap.add_argument("--fading", default="rayleigh", choices=["none", "rayleigh", "rician"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plot", default="ddpm_demo.png", help="constellation plot ('' = none)")
    ap.add_argument(
        "--hw-esn0",
        type=float,
        nargs="+",
        default=[14.0, 20.0],
        help="Es/N0 values of the mismatched-hardware case ('' = skip)",
    )
    ap.add_argument(
        "--hw-nsym",
        type=int,
        default=200000,
        help="symbols per Es/N0 of the hardware case (SER ~1e-4 needs ~1e5+)",
    )
    args = ap.parse_args(argv)

    const = constellations.by_name(args.constellation)
    model = diffusion.shipped_model(args.constellation)
    rng = np.random.default_rng(args.seed)
    idx = rng.integers(0, const.order, args.nsym)
    x = const.points[idx].astype(np.complex64)
    print(f"gr-diffusion demo: {const.name}, model {model}")
    print(
        f"link: quantizer {args.bits} bits, kappa_t = {args.kappa_t}, kappa_r = {args.kappa_r}, "
        f"fading {args.fading}, {args.nsym} symbols per point\n"
    )
    print(
        f"{'Es/N0':>6} | {'meas. SINR':>10} {'E|h|^2':>7} | {'MSE dB: ZF':>10} {'hard':>6} "
        f"{'MMSE':>6} {'DDPM':>6} | {'SER: hard':>9} {'MMSE':>6} {'DDPM':>6} | {'Msym/s':>6}"
    )
    rows = []
    shown = None
    for esn0 in args.esn0:
        tb = ddpm_link(
            x, model, esn0, args.kappa_t, args.kappa_r, args.bits, args.fading, args.seed
        )
        tb.ddpm.table_wait()  # Msym/s of the steady state, not of the table build
        t0 = time.perf_counter()
        tb.run()
        dt = time.perf_counter() - t0
        h = np.array(tb.h_sink.data())
        z = np.array(tb.z_sink.data())
        s2 = np.array(tb.s2_sink.data(), dtype=np.float64)
        out = np.array(tb.out_sink.data())
        hard = const.hard_decision(z)
        mmse = reference.mmse_estimate(z, const, s2)
        sinr = 10 * np.log10(1.0 / np.mean(np.abs(z - x) ** 2 * np.abs(h) ** 2))
        row = dict(
            esn0_db=esn0,
            sinr_db=sinr,
            h2=float(np.mean(np.abs(h) ** 2)),
            mse_zf=reference.mse_db(z, x),
            mse_hard=reference.mse_db(hard, x),
            mse_mmse=reference.mse_db(mmse, x),
            mse_ddpm=reference.mse_db(out, x),
            ser_hard=float(np.mean(const.slice(z) != idx)),
            ser_mmse=float(np.mean(const.slice(mmse) != idx)),
            ser_ddpm=float(np.mean(const.slice(out) != idx)),
            msym_s=len(x) / dt / 1e6,
        )
        rows.append(row)
        print(
            f"{esn0:6.1f} | {row['sinr_db']:10.2f} {row['h2']:7.3f} | {row['mse_zf']:10.2f} "
            f"{row['mse_hard']:6.2f} {row['mse_mmse']:6.2f} {row['mse_ddpm']:6.2f} | "
            f"{row['ser_hard']:9.4f} {row['ser_mmse']:6.4f} {row['ser_ddpm']:6.4f} | "
            f"{row['msym_s']:6.3f}"
        )
        if shown is None or abs(esn0 - 10.0) < abs(shown[0] - 10.0):
            shown = (esn0, z, out)
    print(
        "\nMSE of the equalized symbols z against the sent ones (dB); 'meas. SINR' is "
        "1/E[|h|^2 |z - x|^2]: it saturates near 1/(kappa_t + kappa_r) = "
        f"{10 * np.log10(1 / (args.kappa_t + args.kappa_r)):.1f} dB. Msym/s is the whole "
        "flowgraph's rate (impairments + denoiser + sinks; denoiser engine "
        f"'{tb.ddpm.engine_name()}', its table step built before timing)."
    )
    hw_rows, hw_shown = hardware_case(args, rows)
    if args.plot:
        plot(args.plot, const, shown, hw_shown)
        print(f"constellation plot: {os.path.abspath(args.plot)}")
    return rows + hw_rows


def hardware_case(args, link_rows):
    """The mismatched-hardware rows, printed in one table with the published link."""
    if not args.hw_esn0:
        return [], None
    from gnuradio.diffusion.core.label_mixture import LabelMixture

    q16 = constellations.qam(16)
    model = os.path.join(os.path.dirname(diffusion.shipped_model("16qam")), HW_MODEL)
    mix = LabelMixture.from_model(model)
    rng = np.random.default_rng(args.seed + 1)
    idx = rng.integers(0, 16, args.hw_nsym)
    x = q16.points[idx].astype(np.complex64)
    rows, shown = [], None
    for esn0 in args.hw_esn0:
        tb = hw_link(x, model, esn0, args.seed)
        tb.run()
        xt = np.array(tb.x_sink.data())  # what the PA sent
        y = np.array(tb.y_sink.data())
        out = np.array(tb.out_sink.data())
        dec = np.array(tb.dec_sink.data(), dtype=np.int64)
        s2 = 10 ** (-esn0 / 10)
        mmse = reference.mmse_estimate(y, q16, s2)
        truth = reference.mmse_estimate(y, mix.centroids, s2)  # oracle: the true PA points
        rows.append(
            dict(
                case="PA 0 dB IBO",
                esn0_db=esn0,
                ser_hard=float(np.mean(q16.slice(y) != idx)),
                ser_mmse=float(np.mean(q16.slice(mmse) != idx)),
                ser_ddpm=float(np.mean(dec != idx)),
                ser_oracle=float(np.mean(mix.decide(y, s2) != idx)),
                mse_mmse=reference.mse_db(mmse, xt),
                mse_ddpm=reference.mse_db(out, xt),
                mse_oracle=reference.mse_db(truth, xt),
                n=len(idx),
            )
        )
        if shown is None or esn0 >= shown[0]:
            shown = (esn0, y, dec, mix, q16)
    print(
        "\nOne table: where the DDPM only equals the closed-form MMSE (the published Gaussian "
        "link, AWGN-trained model) and where it wins (a PA the nominal receiver ignores; "
        f"model {HW_MODEL}, DDPM = C++ denoiser + learned slicer; oracle = ML/MMSE on the "
        "true PA points)."
    )
    print(
        f"{'case':>18} {'Es/N0':>6} | {'SER: hard':>9} {'MMSE':>8} {'DDPM':>8} {'oracle':>8} | "
        f"{'MSE dB: MMSE':>12} {'DDPM':>7} {'oracle':>7} | {'DDPM vs hard':>12}"
    )
    for r in link_rows:
        gain = r["ser_hard"] / r["ser_ddpm"] if r["ser_ddpm"] > 0 else float("nan")
        print(
            f"{'published link':>18} {r['esn0_db']:6.1f} | {r['ser_hard']:9.2e} "
            f"{r['ser_mmse']:8.2e} {r['ser_ddpm']:8.2e} {'-':>8} | {r['mse_mmse']:12.2f} "
            f"{r['mse_ddpm']:7.2f} {'-':>7} | {gain:11.2f}x"
        )
    for r in rows:
        gain = r["ser_hard"] / r["ser_ddpm"] if r["ser_ddpm"] > 0 else float("inf")
        print(
            f"{r['case']:>18} {r['esn0_db']:6.1f} | {r['ser_hard']:9.2e} "
            f"{r['ser_mmse']:8.2e} {r['ser_ddpm']:8.2e} {r['ser_oracle']:8.2e} | "
            f"{r['mse_mmse']:12.2f} {r['mse_ddpm']:7.2f} {r['mse_oracle']:7.2f} | "
            f"{gain:11.2f}x"
        )
    print(f"(hardware case: {rows[0]['n']} symbols per point; MSE against what the PA sent)")
    return rows, shown


def plot(path, const, shown, hw_shown=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    esn0, z, out = shown
    n = min(len(z), 5000)
    ncol = 3 if hw_shown is not None else 2
    fig, ax = plt.subplots(1, ncol, figsize=(5 * ncol, 5), sharex=True, sharey=True)
    panels = ((ax[0], z[:n], "received (ZF-equalized)"), (ax[1], out[:n], "DDPM (Tweedie)"))
    for a, d, title in panels:
        a.scatter(d.real, d.imag, s=2, alpha=0.4)
        a.scatter(const.points.real, const.points.imag, s=25, c="red", marker="x")
        a.set_title(f"{title}, Es/N0 = {esn0:g} dB")
        a.set_aspect("equal")
        a.set_xlim(-2, 2)
        a.set_ylim(-2, 2)
        a.grid(alpha=0.3)
    if hw_shown is not None:
        hw_esn0, y, dec, mix, q16 = hw_shown
        a = ax[2]
        m = min(len(y), 5000)
        a.scatter(y[:m].real, y[:m].imag, s=2, alpha=0.4, c=dec[:m] % 10, cmap="tab10")
        a.scatter(q16.points.real, q16.points.imag, s=40, c="k", marker="+", label="nominal 16-QAM")
        a.scatter(
            mix.centroids.real,
            mix.centroids.imag,
            s=30,
            c="red",
            marker="x",
            label="learned PA points",
        )
        g = np.linspace(-2, 2, 321)
        gx, gy = np.meshgrid(g, g)
        reg = mix.decide((gx + 1j * gy).reshape(-1), 10 ** (-hw_esn0 / 10)).reshape(gx.shape)
        a.contour(gx, gy, reg, levels=np.arange(16) + 0.5, colors="red", linewidths=0.4)
        a.set_title(f"PA 0 dB IBO, Es/N0 = {hw_esn0:g} dB: received, colour = decision")
        a.set_aspect("equal")
        a.legend(fontsize=7, loc="lower right")
        a.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
