#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""SigMF recordings of the gr-diffusion link (JSON only; no NumPy, no GNU Radio).

A recording is ``BASE.sigmf-data`` (interleaved little-endian float32 I/Q, SigMF datatype
``cf32_le``: what blocks.file_sink writes for gr_complex on x86/ARM) plus ``BASE.sigmf-meta``:

    {"global": {"core:datatype": "cf32_le", "core:sample_rate": ..., "core:version": "1.0.0",
                "core:description": ..., "core:recorder": "gr-diffusion-link",
                "core:extensions": [{"name": "gr-diffusion", "version": "1.0.0",
                                     "optional": true}],
                "gr-diffusion:link": {constellation, sps, rolloff, preamble_len, payload_len,
                                      payload_seed, n_payloads, payload_file, pilot_interval,
                                      pilot_len, "preamble": "bpsk-mseq", ...},
                "gr-diffusion:channel": {...simulated channel, when there is one...}},
     "captures": [{"core:sample_start": 0, "core:frequency": center frequency in Hz}],
     "annotations": []}

The "gr-diffusion:link" section is a diffusion.link.framing.LinkConfig: everything the
receiver needs to replay the recording (and the known payload to measure SER/BER against).
"""
import datetime
import json
import os

from .framing import LinkConfig

SIGMF_VERSION = "1.0.0"
EXTENSION = "gr-diffusion"
LINK_KEY = "gr-diffusion:link"
CHANNEL_KEY = "gr-diffusion:channel"


def sigmf_paths(path):
    """(data path, meta path) of a recording given its base name or either file."""
    p = str(path)
    for ext in (".sigmf-data", ".sigmf-meta", ".sigmf"):
        if p.endswith(ext):
            p = p[: -len(ext)]
            break
    return p + ".sigmf-data", p + ".sigmf-meta"


def write_meta(path, sample_rate, config, center_freq=None, description="", hw="",
               channel=None, extra=None):
    """Write BASE.sigmf-meta for the cf32_le data file BASE.sigmf-data; returns its path.

    config: the LinkConfig of the transmitter; channel: dict describing a simulated channel
    (stored as "gr-diffusion:channel"); extra: further "gr-diffusion:link" entries."""
    data_path, meta_path = sigmf_paths(path)
    link = dict(config.to_dict(), preamble="bpsk-mseq", pilots="bpsk-mseq",
                frame_len=config.frame_len, pulse="root-raised-cosine")
    if extra:
        link.update(extra)
    glob = {
        "core:datatype": "cf32_le",
        "core:sample_rate": float(sample_rate),
        "core:version": SIGMF_VERSION,
        "core:description": description or "gr-diffusion link recording",
        "core:recorder": "gr-diffusion-link",
        "core:extensions": [{"name": EXTENSION, "version": "1.0.0", "optional": True}],
        LINK_KEY: link,
    }
    if hw:
        glob["core:hw"] = str(hw)
    if channel:
        glob[CHANNEL_KEY] = dict(channel)
    capture = {"core:sample_start": 0,
               "core:datetime": datetime.datetime.now(datetime.UTC)
               .strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    if center_freq is not None:
        capture["core:frequency"] = float(center_freq)
    meta = {"global": glob, "captures": [capture], "annotations": []}
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")
    return meta_path


def read_meta(path):
    """Read a recording's metadata. Returns a dict: data_path, meta_path, sample_rate,
    center_freq (None if absent), config (LinkConfig, or None without a gr-diffusion
    section), channel (dict or None), meta (the whole JSON). Raises ValueError for a
    datatype other than cf32_le or a missing data file."""
    data_path, meta_path = sigmf_paths(path)
    with open(meta_path) as f:
        meta = json.load(f)
    glob = meta.get("global", {})
    dtype = glob.get("core:datatype", "")
    if dtype != "cf32_le":
        raise ValueError(f"{meta_path}: datatype {dtype!r} not supported (cf32_le only)")
    if not os.path.isfile(data_path):
        raise ValueError(f"{meta_path}: data file {data_path} is missing")
    if "core:sample_rate" not in glob:
        raise ValueError(f"{meta_path}: no core:sample_rate")
    caps = meta.get("captures") or [{}]
    link = glob.get(LINK_KEY)
    return {"data_path": data_path, "meta_path": meta_path,
            "sample_rate": float(glob["core:sample_rate"]),
            "center_freq": caps[0].get("core:frequency"),
            "config": LinkConfig.from_dict(link) if link else None,
            "channel": glob.get(CHANNEL_KEY), "meta": meta}
