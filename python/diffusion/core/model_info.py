#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""What a gr-diffusion model file is, and a quick self-check (NumPy + onnxruntime only).

Behind the ``gr-diffusion-model`` command. :func:`describe` reads a DDPM eps-network
(metadata ``gr_diffusion_format``) or a DNN receiver (``gr_diffusion_dnn_format``) and
returns a dict: kind, architecture, graph inputs/outputs, schedule with the Es/N0 range
its steps cover, constellation (name, order, orientation, points with bit labels),
training recipe and the conventions. :func:`self_check` runs the model on fresh noisy
samples at two Es/N0 and compares it with the exact MMSE estimate E[x|y]
(:func:`reference.mmse_estimate`): Tweedie (one network call at the matched step) for a
DDPM model, the network's expected-value output for a DNN; for a model without
constellation (the swiss roll) it checks that Tweedie denoises (MSE below the noisy
input's). :func:`format_report` renders both as text.

Conventions (docs/conventions.md): E|x|^2 = 1 for the signal alone; Es/N0 in dB;
sigma2 per complex sample, Es/N0 = 1/sigma2; points where the metadata puts them.
"""

import json
import math
import os

import numpy as np

from . import reference
from .input_check import describe as describe_orientation
from .model_files import find_model, model_dirs
from .onnx_model import DdpmModel, open_session

# self-check thresholds: the shipped models' Tweedie excess over the exact MMSE is
# <= 0.23 dB at 5 and 10 dB (model cards, 200k symbols); a DNN's <= 0.2 dB. At 4000
# symbols the excess (same samples for both estimates) varies by < 0.1 dB.
CHECK_ESN0_DB = (5.0, 10.0)
CHECK_SYMBOLS = 4000
MAX_EXCESS_DB = 1.0
MIN_GAIN_DB = 1.0  # no constellation: Tweedie MSE at least this far below the noisy MSE


class ModelFileError(ValueError):
    """The file is missing or not a gr-diffusion model (message names the file)."""


def resolve(name):
    """A model file path, or a shipped model's name ('qpsk', '16qam_sigmoid',
    'dnn_16qam_regression', ...): :func:`model_files.find_model`, with ModelFileError."""
    try:
        return find_model(name)
    except FileNotFoundError as e:
        raise ModelFileError(f"{os.fspath(name)}: no such file, nor a shipped model ({e})") from e


def shipped_models():
    """Paths of all models in the first model directory that has any."""
    for d in model_dirs():
        if os.path.isdir(d):
            found = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".onnx"))
            if found:
                return found
    return []


def _kind(path):
    if not os.path.isfile(path):
        raise ModelFileError(f"{path}: no such file")
    try:
        sess = open_session(path)
    except Exception as e:  # noqa: BLE001 (onnxruntime raises its own exception types)
        raise ModelFileError(f"{path}: not an ONNX model onnxruntime can load ({e})") from e
    meta = dict(sess.get_modelmeta().custom_metadata_map)
    if "gr_diffusion_format" in meta:
        return "ddpm", sess, meta
    if "gr_diffusion_dnn_format" in meta:
        return "dnn", sess, meta
    raise ModelFileError(
        f"{path}: an ONNX model, but not a gr-diffusion one (no "
        "gr_diffusion_format / gr_diffusion_dnn_format metadata)"
    )


def load(path):
    """(kind, model): 'ddpm' -> onnx_model.DdpmModel, 'dnn' -> dnn_model.DnnModel."""
    path = os.fspath(path)
    kind, _, _ = _kind(path)
    try:
        if kind == "ddpm":
            return kind, DdpmModel(path)
        from .dnn_model import DnnModel

        return kind, DnnModel(path)
    except (ValueError, OSError) as e:
        raise ModelFileError(str(e)) from e


def _constellation_info(c):
    if c is None:
        return None
    pts = np.asarray(c.points)
    k = int(round(math.log2(len(pts)))) if len(pts) > 1 else 0
    return {
        "name": c.name,
        "order": int(len(pts)),
        "power": float(np.mean(np.abs(pts) ** 2)),
        "orientation": describe_orientation(pts),
        "points": [
            {
                "index": i,
                "label": int(lab),
                "bits": format(int(lab), f"0{k}b"),
                "i": float(p.real),
                "q": float(p.imag),
                "angle_deg": float(np.degrees(np.angle(p)) % 360.0),
            }
            for i, (p, lab) in enumerate(zip(pts, c.labels))
        ],
    }


def describe(path):
    """Everything a user needs to know about a model file, as a dict (JSON-able)."""
    path = os.fspath(path)
    kind, m = load(path)
    meta = m.metadata
    try:
        training = json.loads(meta.get("training", "{}"))
    except ValueError:
        training = {}
    sess = m._sess
    info = {
        "path": os.path.abspath(path),
        "kind": kind,
        "size_bytes": os.path.getsize(path),
        "network": meta.get("network_description", meta.get("network", "?")),
        "inputs": [f"{i.name} {i.type} {i.shape}" for i in sess.get_inputs()],
        "outputs": [f"{o.name} {o.type} {o.shape}" for o in sess.get_outputs()],
        "normalization": meta.get("normalization", ""),
        "noise_convention": meta.get("noise_variance_convention", ""),
        "constellation": _constellation_info(m.constellation),
        "created": meta.get("created", ""),
        "training": {
            k: training[k]
            for k in (
                "command",
                "optimizer",
                "loss",
                "ema_decay",
                "parameters",
                "train_seconds",
                "final_loss",
                "torch",
                "host",
                "data",
            )
            if k in training
        },
        "training_config": training.get("config", {}),
    }
    if kind == "ddpm":
        s = m.schedule
        info["parameterization"] = meta.get("parameterization", "")
        if m.window_length > 1:
            from .windowing import WindowGeometry

            g = WindowGeometry(m.window_length)
            info["window"] = {
                "length": g.W,
                "default_hop": g.hop,
                "latency_samples": g.latency,
            }
        info["schedule"] = {
            "name": s.name,
            "T": int(s.T),
            "abar_T": float(s.abar[-1]),
            "esn0_db_t1": float(s.snr_db[0]),
            "esn0_db_tT": float(s.snr_db[-1]),
            "sigma2_min": float(s.sigma2[0]),
            "sigma2_max": float(s.sigma2[-1]),
            "paper_mode_ok": bool(s.abar[-1] > 0.1),
        }
        if "data_scale" in meta:
            info["data_scale"] = float(meta["data_scale"])
    else:
        info["head"] = m.head
        info["snr_input"] = bool(m.snr_input)
        info["training_esn0_db"] = m.training_esn0_range
    return info


def _swissroll(n, rng, scale):
    """The swiss-roll training distribution (tutorial make_swiss_roll(noise=1)[:, [0, 2]]
    / 10, times the model's data_scale; same as bench/ddpm_accuracy.py)."""
    t = 1.5 * np.pi * (1 + 2 * rng.random(n))
    x = np.stack([t * np.cos(t), t * np.sin(t)], 1) + rng.standard_normal((n, 2))
    x = x / 10.0 * scale
    return x[:, 0] + 1j * x[:, 1]


def self_check(path, esn0_db=CHECK_ESN0_DB, n=CHECK_SYMBOLS, seed=0):
    """Run the model on fresh noisy samples; returns {'ok': bool, 'rows': [...], 'what'}."""
    from .samplers import denoise

    kind, m = load(path)
    rng = np.random.default_rng(seed)
    rows = []
    c = m.constellation
    if kind == "ddpm" and m.window_length > 1 and c is not None:
        return _window_self_check(m, esn0_db, n, rng, seed)
    for esn0 in esn0_db:
        s2 = 10.0 ** (-esn0 / 10.0)
        if c is not None:
            x = c.points[rng.integers(0, c.order, n)]
        else:
            x = _swissroll(n, rng, float(m.metadata.get("data_scale", 1.0)))
        y = reference.awgn(x, s2, rng)
        if kind == "ddpm":
            est = denoise(m, y, s2, mode="tweedie")
        else:
            est = m.estimate(y, s2 if m.snr_input else None)
        row = {
            "esn0_db": esn0,
            "noisy_db": reference.mse_db(y, x),
            "model_db": reference.mse_db(est, x),
        }
        if c is not None:
            row["mmse_db"] = reference.mse_db(reference.mmse_estimate(y, c, s2), x)
            row["excess_db"] = row["model_db"] - row["mmse_db"]
            row["ok"] = bool(row["excess_db"] < MAX_EXCESS_DB)
        else:
            row["gain_db"] = row["noisy_db"] - row["model_db"]
            row["ok"] = bool(row["gain_db"] > MIN_GAIN_DB)
        rows.append(row)
    what = (
        "Tweedie (1 call at the matched step)"
        if kind == "ddpm"
        else "network output (expected value)"
    )
    if c is not None:
        crit = f"MSE within {MAX_EXCESS_DB:g} dB of the exact MMSE E[x|y]"
    else:
        crit = f"MSE at least {MIN_GAIN_DB:g} dB below the noisy input's"
    return {
        "ok": all(r["ok"] for r in rows),
        "rows": rows,
        "what": what,
        "criterion": crit,
        "symbols": n,
        "seed": seed,
    }


CHECK_LINEWIDTH = 1e-3  # window models: Wiener phase noise, linewidth x symbol time
# A window model's achievable gain is bounded by the known-phase MMSE's (1.5 dB for 16-QAM
# at 10 dB): the check asks for a share of it (it catches broken or mismatched files; the
# model cards give the measured quality)
WINDOW_GAIN_SHARE = 0.3


def _window_self_check(m, esn0_db, n, rng, seed):
    """Window models: Tweedie on windows (core.windowing) of symbols with a Wiener phase
    (linewidth x symbol time CHECK_LINEWIDTH, random initial phase), MSE against the
    clean rotated symbols at least MIN_GAIN_DB below the noisy input's (SDPSK models, data
    name 'sdpsk*': SDPSK sequences, +-90 degrees per symbol). The per-symbol
    exact MMSE that knows the phase is shown beside it (a bound, not a criterion)."""
    from .windowing import denoise_windows

    c = m.constellation
    # an SDPSK sequence prior (data 'sdpsk+pn') is checked on SDPSK sequences
    sdpsk = str(getattr(c, "name", "")).lower().startswith("sdpsk")
    rows = []
    for esn0 in esn0_db:
        s2 = 10.0 ** (-esn0 / 10.0)
        theta = rng.uniform(0, 2 * np.pi) + np.cumsum(
            rng.normal(0.0, math.sqrt(2 * math.pi * CHECK_LINEWIDTH), n)
        )
        rot = np.exp(1j * theta)
        if sdpsk:
            # x_k = x_(k-1) * (+-j) on the QPSK points at 45 degrees (training.windows)
            q = rng.integers(0, 4) + np.cumsum(rng.choice([-1, 1], n))
            x = np.exp(1j * (math.pi / 4 + (math.pi / 2) * (q % 4))) * rot
        else:
            x = c.points[rng.integers(0, c.order, n)] * rot
        y = reference.awgn(x, s2, rng)
        est = denoise_windows(m, y, s2, mode="tweedie")
        known = reference.mmse_estimate(y / rot, c, s2) * rot
        row = {
            "esn0_db": esn0,
            "noisy_db": reference.mse_db(y, x),
            "model_db": reference.mse_db(est, x),
            "known_phase_mmse_db": reference.mse_db(known, x),
        }
        row["gain_db"] = row["noisy_db"] - row["model_db"]
        bound = row["noisy_db"] - row["known_phase_mmse_db"]
        row["ok"] = bool(row["gain_db"] > min(MIN_GAIN_DB, WINDOW_GAIN_SHARE * bound))
        rows.append(row)
    return {
        "ok": all(r["ok"] for r in rows),
        "rows": rows,
        "what": (
            f"Tweedie on windows of {m.window_length} {'SDPSK ' if sdpsk else ''}symbols "
            "with Wiener phase noise "
            f"(linewidth x symbol time {CHECK_LINEWIDTH:g}, random initial phase)"
        ),
        "criterion": (
            f"MSE below the noisy input's by {MIN_GAIN_DB:g} dB, or by "
            f"{WINDOW_GAIN_SHARE:.0%} of the known-phase MMSE's gain where that is smaller"
        ),
        "symbols": n,
        "seed": seed,
    }


def format_report(info, check=None):
    """Text report of :func:`describe` (and :func:`self_check`) output."""
    L = []
    kind = {
        "ddpm": "DDPM eps-network (diffusion.ddpm_denoiser / ddpm_denoiser_py)",
        "dnn": "DNN receiver (diffusion.dnn_receiver)",
    }[info["kind"]]
    L.append(f"{info['path']}  ({info['size_bytes'] / 1024:.0f} KiB)")
    L.append(f"  kind           {kind}")
    L.append(f"  architecture   {info['network']}")
    if info["training"].get("parameters"):
        L[-1] += f"; {info['training']['parameters']} parameters"
    L.append(f"  graph          in: {'; '.join(info['inputs'])}  out: {'; '.join(info['outputs'])}")
    if "window" in info:
        w = info["window"]
        L.append(
            f"  window         {w['length']} consecutive symbols per network input; in the "
            f"blocks hop {w['default_hop']} (window_hop 0), centre kept, latency "
            f"{w['latency_samples']} samples (docs/model-format.md)"
        )
    if info["kind"] == "ddpm":
        s = info["schedule"]
        L.append(
            f"  schedule       {s['name']}: T = {s['T']}, Es/N0 of the steps "
            f"{s['esn0_db_t1']:.1f} dB (t = 1) .. {s['esn0_db_tT']:.1f} dB (t = T), "
            f"abar_T = {s['abar_T']:.3g}"
        )
        L.append(
            f"                 denoising range: sigma2 {s['sigma2_min']:.3g} .. "
            f"{s['sigma2_max']:.3g} per complex sample (outside: clamped, warned once)"
        )
        if s["paper_mode_ok"]:
            L.append("                 mode paper (Algorithm 2, x_T = y) is meaningful here")
        else:
            L.append(
                f"                 mode paper (Algorithm 2, x_T = y) returns prior samples "
                f"on this schedule (abar_T = {s['abar_T']:.3g}): use tweedie or posterior"
            )
    else:
        rng = info.get("training_esn0_db")
        L.append(
            f"  head           {info['head']}; noise-level input: "
            f"{'yes (sigma2)' if info['snr_input'] else 'no'}"
            + (f"; trained on Es/N0 {rng[0]:g} .. {rng[1]:g} dB" if rng else "")
        )
    c = info["constellation"]
    if c is None:
        L.append(
            "  constellation  none (a continuous prior)"
            + (f"; data_scale {info['data_scale']:.6g}" if "data_scale" in info else "")
        )
    else:
        L.append(f"  constellation  {c['name']}: {c['orientation']}; mean power {c['power']:.4f}")
        if c["order"] <= 16:
            L.append("                 index  label  bits        I         Q   angle")
            for p in c["points"]:
                L.append(
                    f"                 {p['index']:5d}  {p['label']:5d}  {p['bits']:>4}"
                    f"  {p['i']:+8.4f}  {p['q']:+8.4f}  {p['angle_deg']:5.1f}"
                )
        else:
            L.append("                 (points and labels: gr-diffusion-model --json)")
    L.append(
        "  conventions    E|x|^2 = 1 for the signal alone (input power = 1 + sigma2); "
        "Es/N0 in dB; sigma2 per complex sample, Es/N0 = 1/sigma2"
    )
    if info["noise_convention"]:
        L.append(f"                 file: {info['normalization']}; {info['noise_convention']}")
    tr = info["training"]
    if tr:
        L.append(f"  training       {tr.get('command', '?')}")
        if tr.get("optimizer") or tr.get("loss"):
            L.append(f"                 {tr.get('optimizer', '')}; {tr.get('loss', '')}")
        extra = []
        if "train_seconds" in tr:
            extra.append(f"{tr['train_seconds']} s on {tr.get('host', '?')}")
        if "final_loss" in tr:
            extra.append(f"final loss {tr['final_loss']:.4g}")
        if extra:
            L.append("                 " + "; ".join(extra))
    if info["created"]:
        L.append(f"  created        {info['created']}")
    if check is not None:
        L.append(
            f"  self-check     {check['what']} on {check['symbols']} fresh symbols per "
            f"Es/N0 (seed {check['seed']}): {check['criterion']}"
        )
        for r in check["rows"]:
            if "mmse_db" in r:
                L.append(
                    f"                 {r['esn0_db']:4.1f} dB: model {r['model_db']:7.2f} dB,"
                    f" exact MMSE {r['mmse_db']:7.2f} dB, excess {r['excess_db']:+.3f} dB"
                    f"  {'ok' if r['ok'] else 'FAIL'}"
                )
            else:
                L.append(
                    f"                 {r['esn0_db']:4.1f} dB: noisy {r['noisy_db']:7.2f} dB,"
                    f" model {r['model_db']:7.2f} dB, gain {r['gain_db']:+.2f} dB"
                    f"  {'ok' if r['ok'] else 'FAIL'}"
                    + (
                        f" (known-phase MMSE {r['known_phase_mmse_db']:.2f} dB)"
                        if "known_phase_mmse_db" in r
                        else ""
                    )
                )
        L.append(f"                 {'PASS' if check['ok'] else 'FAIL'}")
    return "\n".join(L)


CARD_HEADING = "## Conventions and constellation"


def card_section(path):
    """The model card's (models/*.md) conventions-and-constellation section, in Markdown,
    from the file's metadata (bench/ddpm_accuracy.py writes it into the cards it makes)."""
    info = describe(path)
    name = os.path.splitext(os.path.basename(path))[0]
    L = [
        CARD_HEADING,
        "",
        "- Input scaling: unit **signal** power, E|x|^2 = 1 for the signal alone (a noisy input "
        "has mean power 1 + sigma2, not 1); Es/N0 in dB per symbol after the matched filter; "
        "sigma2 = noise variance per complex sample (sigma2/2 per rail), Es/N0 = 1/sigma2 "
        "(docs/conventions.md).",
    ]
    c = info["constellation"]
    if c is None:
        L.append(
            "- No constellation: a continuous prior (the denoisers' input check and blind "
            "noise estimation need one)."
        )
    else:
        L.append(
            f"- Constellation `{c['name']}`: {c['orientation']}, mean power "
            f"{c['power']:.4f}. The input must have its points there: e.g. a QPSK with "
            "points on the axes must be rotated by 45 degrees first. The denoisers warn "
            "once when the input fits a rotated copy of the constellation much better, or "
            "when its power is far from 1 + sigma2."
        )
        if c["order"] <= 16:
            L += ["", "| index | label (bits) | I | Q | angle |", "|---|---|---|---|---|"]
            L += [
                f"| {p['index']} | {p['label']} ({p['bits']}) | {p['i']:+.4f} | "
                f"{p['q']:+.4f} | {p['angle_deg']:.1f} deg |"
                for p in c["points"]
            ]
            L.append("")
    if info["kind"] == "ddpm":
        s = info["schedule"]
        L.append(
            f"- Es/N0 range of the schedule: {s['esn0_db_tT']:.1f} .. {s['esn0_db_t1']:.1f} "
            "dB (outside: sigma2 is clamped to the nearest step, warned once). Mode "
            + (
                "`paper` is meaningful on this schedule."
                if s["paper_mode_ok"]
                else "`paper` (x_T = y) returns prior samples on this schedule: use `tweedie` or "
                "`posterior`."
            )
        )
    else:
        rng = info.get("training_esn0_db")
        if rng:
            L.append(f"- Trained on Es/N0 uniform in {rng[0]:g} .. {rng[1]:g} dB.")
    L.append(
        f"- `gr-diffusion-model {name}` prints all of this and runs a self-check against "
        "the exact MMSE."
    )
    return "\n".join(L).rstrip() + "\n"


def update_card(path):
    """Insert or refresh card_section in the model card next to the model file."""
    card = os.path.splitext(path)[0] + ".md"
    text = open(card).read()
    sec = card_section(path)
    if CARD_HEADING in text:
        head, rest = text.split(CARD_HEADING, 1)
        nxt = rest.find("\n## ")
        text = head + sec + ("\n" + rest[nxt + 1 :] if nxt >= 0 else "")
    else:
        at = text.find("\n## ")
        text = (text[: at + 1] + sec + "\n" + text[at + 1 :]) if at >= 0 else text + "\n" + sec
    with open(card, "w") as f:
        f.write(text)
    return card
