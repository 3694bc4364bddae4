#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""SigMF recordings of the gr-diffusion link, through the ``sigmf`` package (NumPy; no GNU
Radio).

Writing: a recording is ``BASE.sigmf-data`` (interleaved little-endian float32 I/Q, SigMF
datatype ``cf32_le``: what blocks.file_sink writes for gr_complex on x86/ARM) plus
``BASE.sigmf-meta``, built and validated against the SigMF schema by ``sigmf.SigMFFile``:

    global:   core:datatype cf32_le, core:sample_rate, core:version (the sigmf package's),
              core:description, core:recorder "gr-diffusion-link", core:hw,
              core:extensions [gr-diffusion 1.0.0, optional],
              gr-diffusion:link {constellation, sps, rolloff, preamble_len, payload_len,
                                 payload_seed, n_payloads, payload_file, pilot_interval,
                                 pilot_len, "preamble": "bpsk-mseq", ...},
              gr-diffusion:channel {...the simulated channel, when there is one...}
    captures: [{core:sample_start 0, core:frequency (centre frequency, Hz), core:datetime}]

:func:`write_meta` writes it before the data exists (the file sink fills the data file
while the flowgraph runs); :func:`finalize_meta` then adds the data's SHA-512 and validates
again. The "gr-diffusion:link" section is a diffusion.link.framing.LinkConfig: everything
the receiver needs to replay the recording (and the known payload to measure SER/BER).

Reading (:func:`read_meta`, :func:`read_samples`): any valid SigMF recording of complex
samples, also from other tools: datatypes cf32/cf64, ci32/ci16/ci8 and cu32/cu16/cu8, little-
or big-endian (e.g. rtl_sdr's cu8 at 2.048 MS/s), with core:sample_rate and the first
capture's core:frequency. Fixed-point samples scale as the sigmf package does: signed
x / 2^(bits-1), unsigned (x - 2^(bits-1)) / 2^(bits-1). :func:`sample_format` tells a
GNU Radio flowgraph how to read the data file (flowgraphs.link_flowgraph builds the
matching blocks).
"""

import datetime
import os
import warnings

import numpy as np
import sigmf
from sigmf import sigmffile
from sigmf.error import SigMFError

from .framing import LinkConfig

EXTENSION = "gr-diffusion"
EXTENSION_VERSION = "1.0.0"
LINK_KEY = "gr-diffusion:link"
CHANNEL_KEY = "gr-diffusion:channel"
SIGMF_VERSION = sigmf.__specification__


def sigmf_paths(path):
    """(data path, meta path) of a recording given its base name or either file."""
    p = str(path)
    for ext in (".sigmf-data", ".sigmf-meta", ".sigmf"):
        if p.endswith(ext):
            p = p[: -len(ext)]
            break
    return p + ".sigmf-data", p + ".sigmf-meta"


def _now():
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build(
    sample_rate,
    config=None,
    center_freq=None,
    description="",
    hw="",
    channel=None,
    extra=None,
    datatype="cf32_le",
    recorder="gr-diffusion-link",
):
    """A ``sigmf.SigMFFile`` (metadata only) for a recording of the link; validated."""
    glob = {
        sigmf.DATATYPE_KEY: datatype,
        sigmf.SAMPLE_RATE_KEY: float(sample_rate),
        sigmf.VERSION_KEY: SIGMF_VERSION,
        sigmf.DESCRIPTION_KEY: description or "gr-diffusion link recording",
        sigmf.RECORDER_KEY: recorder,
        sigmf.EXTENSIONS_KEY: [{"name": EXTENSION, "version": EXTENSION_VERSION, "optional": True}],
    }
    if config is not None:
        link = dict(
            config.to_dict(),
            preamble="bpsk-mseq",
            pilots="bpsk-mseq",
            frame_len=config.frame_len,
            pulse="root-raised-cosine",
        )
        if extra:
            link.update(extra)
        glob[LINK_KEY] = link
    if hw:
        glob[sigmf.HW_KEY] = str(hw)
    if channel:
        glob[CHANNEL_KEY] = dict(channel)
    meta = sigmffile.SigMFFile(global_info=glob, skip_checksum=True)
    cap = {sigmf.DATETIME_KEY: _now()}
    if center_freq is not None:
        cap[sigmf.FREQUENCY_KEY] = float(center_freq)
    meta.add_capture(0, metadata=cap)
    meta.validate()
    return meta


def write_meta(
    path, sample_rate, config, center_freq=None, description="", hw="", channel=None, extra=None
):
    """Write BASE.sigmf-meta for the cf32_le data file BASE.sigmf-data; returns its path.

    config: the LinkConfig of the transmitter; channel: dict describing a simulated channel
    (stored as "gr-diffusion:channel"); extra: further "gr-diffusion:link" entries. The
    metadata is validated (sigmf.SigMFFile.validate) before it is written."""
    _, meta_path = sigmf_paths(path)
    meta = build(sample_rate, config, center_freq, description, hw, channel, extra)
    meta.tofile(meta_path, overwrite=True)
    return meta_path


def finalize_meta(path):
    """After the data file is complete: add its SHA-512 (core:sha512) to the metadata and
    validate the recording. Returns the meta path."""
    data_path, meta_path = sigmf_paths(path)
    meta = _load(meta_path, data_path, checksum=False)
    meta.set_data_file(data_path)  # computes core:sha512
    meta.validate()
    meta.tofile(meta_path, overwrite=True)
    return meta_path


def validate(path):
    """Validate a recording (schema, and the SHA-512 when the metadata has one); raises
    ValueError naming the file."""
    data_path, meta_path = sigmf_paths(path)
    _load(meta_path, data_path, checksum=True).validate()


def _load(meta_path, data_path, checksum):
    if not os.path.isfile(meta_path):
        raise ValueError(f"{meta_path}: no such SigMF metadata file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "no data file" for metadata-only reads
            return sigmffile.fromfile(meta_path, skip_checksum=not checksum)
    except (SigMFError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{meta_path}: not a valid SigMF recording ({e})") from e


def sample_format(datatype):
    """How to read a SigMF datatype: dict with complex (bool), kind ('f' float, 'i' signed,
    'u' unsigned), bits (per component), little_endian (bool), itemsize (bytes per sample),
    scale (multiply a fixed-point component, after removing the unsigned offset, by this)
    and offset (subtracted first: 2^(bits-1) for unsigned, else 0)."""
    try:
        info = sigmffile.dtype_info(datatype)
    except (SigMFError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"SigMF datatype {datatype!r} not understood ({e})") from e
    comp = np.dtype(info["component_dtype"])
    bits = 8 * int(info["component_size"])
    little = datatype.endswith("_le") or bits == 8
    fixed = bool(info["is_fixedpoint"])
    return {
        "complex": bool(info["is_complex"]),
        "kind": comp.kind,
        "bits": bits,
        "little_endian": little,
        "itemsize": int(info["sample_size"]),
        "scale": 2.0 ** -(bits - 1) if fixed else 1.0,
        "offset": 2.0 ** (bits - 1) if comp.kind == "u" else 0.0,
        "datatype": datatype,
    }


def read_meta(path):
    """Read a recording's metadata (validated). Returns a dict: data_path, meta_path,
    sample_rate, center_freq (None if absent), datatype, format (:func:`sample_format`),
    num_samples, config (LinkConfig, or None without a gr-diffusion section), channel
    (dict or None), meta (the whole metadata as a dict). Raises ValueError naming the file
    for a missing data file, invalid metadata, real-valued or multi-channel data."""
    data_path, meta_path = sigmf_paths(path)
    if not os.path.isfile(data_path):
        raise ValueError(f"{meta_path}: data file {data_path} is missing")
    meta = _load(meta_path, data_path, checksum=False)
    try:
        meta.validate()
    except SigMFError as e:
        raise ValueError(f"{meta_path}: not a valid SigMF recording ({e})") from e
    md = meta.ordered_metadata()
    glob = md["global"]
    dtype = glob[sigmf.DATATYPE_KEY]
    fmt = sample_format(dtype)
    if not fmt["complex"]:
        raise ValueError(
            f"{meta_path}: datatype {dtype!r} is real-valued; the link receiver "
            "needs complex samples (cf32, ci16, cu8, ...)"
        )
    if int(glob.get(sigmf.NUM_CHANNELS_KEY, 1)) != 1:
        raise ValueError(
            f"{meta_path}: {glob[sigmf.NUM_CHANNELS_KEY]} channels; only "
            "single-channel recordings are supported"
        )
    if sigmf.SAMPLE_RATE_KEY not in glob:
        raise ValueError(f"{meta_path}: no core:sample_rate")
    caps = md.get("captures") or [{}]
    link = glob.get(LINK_KEY)
    header = int(caps[0].get(sigmf.HEADER_BYTES_KEY, 0)) if caps else 0
    return {
        "data_path": data_path,
        "meta_path": meta_path,
        "sample_rate": float(glob[sigmf.SAMPLE_RATE_KEY]),
        "center_freq": caps[0].get(sigmf.FREQUENCY_KEY),
        "datatype": dtype,
        "format": fmt,
        "header_bytes": header,
        "num_samples": (os.path.getsize(data_path) - header) // fmt["itemsize"],
        "config": LinkConfig.from_dict(link) if link else None,
        "channel": glob.get(CHANNEL_KEY),
        "meta": md,
    }


def read_samples(path, start=0, count=-1):
    """Samples of a recording as complex64 (scaled as the sigmf package does)."""
    data_path, meta_path = sigmf_paths(path)
    meta = _load(meta_path, data_path, checksum=False)
    return np.asarray(meta.read_samples(start, count), dtype=np.complex64).reshape(-1)
