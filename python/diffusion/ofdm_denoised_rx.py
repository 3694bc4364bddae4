#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""OFDM receiver with the channel denoiser: GNU Radio's ``digital.ofdm_rx`` with
the OFDM channel denoiser between the channel estimator and the header equalizer
(docs/ofdm.md): the C++ block ``diffusion.ofdm_channel_denoiser`` by default, its Python
twin :class:`~.ofdm_channel_denoiser_py.ofdm_channel_denoiser_py` with
``implementation='python'``.

The structure is ``ofdm_rx``'s (gr-digital python/digital/ofdm_txrx.py, GNU Radio 3.10):
Schmidl & Cox sync -> header/payload demux -> FFT -> ``ofdm_chanest_vcvc`` -> **denoiser**
-> header equalizer (simpledfe) -> header parser; the payload equalizer starts from the
header equalizer's channel state (a tag the header parser hands to the demux), so the
denoised taps reach both.  ``denoise=False`` builds exactly the stock receiver (the A/B
baseline in one class).  ``taps_outputs=True`` adds two outputs for plots: the LS taps and
the taps after the denoiser (the LS taps when denoise=False), one fft_len vector per frame
(FFT-shifted carrier order, :class:`~.ofdm_taps_hold.ofdm_taps_hold`).
"""

from gnuradio import analog, blocks, digital, fft, gr
from gnuradio.digital import ofdm_txrx as _tx

from .core.model_files import find_model
from .ofdm_channel_denoiser_py import first_carrier_set, ofdm_channel_denoiser_py
from .ofdm_taps_hold import ofdm_taps_hold

IMPLEMENTATIONS = ("cpp", "python")
#: the equalizers of the header and payload: GNU Radio's ``ofdm_equalizer_simpledfe``
#: (ofdm_rx's: decision feedback updates the taps every symbol) or ``ofdm_equalizer_static``
#: (the frame's taps as given for every symbol, no decision feedback)
EQUALIZERS = ("simpledfe", "static")


def make_equalizer(kind, fft_len, constellation, occupied, pilots, pilot_symbols, skipped, alpha):
    """An OFDM equalizer object of ``EQUALIZERS`` (alpha: the simpledfe update weight)."""
    if kind == "simpledfe":
        return digital.ofdm_equalizer_simpledfe(
            fft_len, constellation, occupied, pilots, pilot_symbols, skipped, alpha
        )
    if kind == "static":
        return digital.ofdm_equalizer_static(fft_len, occupied, pilots, pilot_symbols, skipped)
    raise ValueError(f"equalizer must be one of {EQUALIZERS}, got {kind!r}")


class ofdm_denoised_rx(gr.hier_block2):
    """Complex baseband in, packed payload bytes out (CRC32 checked, as ``ofdm_rx``).

    Args as ``digital.ofdm_rx`` (fft_len, cp_len, tag keys, carriers, pilot symbols,
    bps_header, bps_payload, sync words, scramble_bits), plus the denoiser's model,
    noise_var, channel_power and mode; denoise=False: no denoiser (stock ofdm_rx).
    implementation: 'cpp' (``diffusion.ofdm_channel_denoiser``, default) or 'python'
    (``ofdm_channel_denoiser_py``): the same estimates (tests/test_ofdm_denoiser_cpp.py).
    sync_threshold: ``ofdm_sync_sc_cfb``'s detection threshold (0.9 as ``ofdm_rx``; the
    Schmidl & Cox metric of a noisy preamble is about (snr / (1 + snr))^2 at the time-domain
    SNR, so 0.9 misses most frames below ~15 dB: lower it for low-SNR links).
    taps_outputs: outputs 1 and 2 are the LS and the denoised taps (complex vectors of
    fft_len, one per frame) beside the bytes on output 0.
    equalizer: 'simpledfe' (``ofdm_rx``'s, the default) or 'static' (no decision feedback:
    every symbol of the frame is divided by the frame's taps, the denoised ones with the
    denoiser), for the header and the payload.
    taps_filter: a block put where the denoiser goes (fft_len complex vectors in and out,
    rewriting the ``ofdm_sync_chan_taps`` tags; e.g. the link benchmark's genie taps);
    needs denoise=False.
    """

    def __init__(
        self,
        model="ofdm_mix",
        fft_len=_tx._def_fft_len,
        cp_len=_tx._def_cp_len,
        frame_length_tag_key=_tx._def_frame_length_tag_key,
        packet_length_tag_key=_tx._def_packet_length_tag_key,
        packet_num_tag_key=_tx._def_packet_num_tag_key,
        occupied_carriers=_tx._def_occupied_carriers,
        pilot_carriers=_tx._def_pilot_carriers,
        pilot_symbols=_tx._def_pilot_symbols,
        bps_header=1,
        bps_payload=1,
        sync_word1=None,
        sync_word2=None,
        scramble_bits=False,
        noise_var=0.0,
        channel_power=0.0,
        mode="tweedie",
        denoise=True,
        sync_threshold=0.9,
        taps_outputs=False,
        implementation="cpp",
        equalizer="simpledfe",
        taps_filter=None,
    ):
        if taps_outputs:
            vec = gr.sizeof_gr_complex * int(fft_len)
            out_sig = gr.io_signature.makev(3, 3, [gr.sizeof_char, vec, vec])
        else:
            out_sig = gr.io_signature(1, 1, gr.sizeof_char)
        gr.hier_block2.__init__(
            self, "ofdm_denoised_rx", gr.io_signature(1, 1, gr.sizeof_gr_complex), out_sig
        )
        if implementation not in IMPLEMENTATIONS:
            raise ValueError(
                f"implementation must be one of {IMPLEMENTATIONS}, got {implementation!r}"
            )
        if equalizer not in EQUALIZERS:
            raise ValueError(f"equalizer must be one of {EQUALIZERS}, got {equalizer!r}")
        if taps_filter is not None and denoise:
            raise ValueError("taps_filter replaces the denoiser: give denoise=False with it")
        if sync_word1 is None:
            sync_word1 = _tx._make_sync_word1(fft_len, occupied_carriers, pilot_carriers)
        elif len(sync_word1) != fft_len:
            raise ValueError("Length of sync sequence(s) must be FFT length.")
        if sync_word2 is None:
            sync_word2 = _tx._make_sync_word2(fft_len, occupied_carriers, pilot_carriers)
        elif len(sync_word2) != fft_len:
            raise ValueError("ofdm_denoised_rx needs the second sync word (channel estimate)")
        scramble_seed = 0x7F if scramble_bits else 0x00
        sync_detect = digital.ofdm_sync_sc_cfb(fft_len, cp_len, False, float(sync_threshold))
        delay = blocks.delay(gr.sizeof_gr_complex, fft_len + cp_len)
        oscillator = analog.frequency_modulator_fc(-2.0 / fft_len)
        mixer = blocks.multiply_cc()
        hpd = digital.header_payload_demux(3, fft_len, cp_len, frame_length_tag_key, "", True)
        self.connect(self, sync_detect)
        self.connect(self, delay, (mixer, 0), (hpd, 0))
        self.connect((sync_detect, 0), oscillator, (mixer, 1))
        self.connect((sync_detect, 1), (hpd, 1))
        header_fft = fft.fft_vcc(fft_len, True, (), True)
        self.chanest = digital.ofdm_chanest_vcvc(sync_word1, sync_word2, 1)
        header_constellation = _tx._get_constellation(bps_header)
        header_equalizer = make_equalizer(
            equalizer,
            fft_len,
            header_constellation.base(),
            occupied_carriers,
            pilot_carriers,
            pilot_symbols,
            0,
            0.1,  # simpledfe's default
        )
        header_eq = digital.ofdm_frame_equalizer_vcvc(
            header_equalizer.base(), cp_len, frame_length_tag_key, True, 1
        )
        header_serializer = digital.ofdm_serializer_vcc(
            fft_len, occupied_carriers, frame_length_tag_key
        )
        header_demod = digital.constellation_decoder_cb(header_constellation.base())
        header_formatter = digital.packet_header_ofdm(
            occupied_carriers,
            1,
            packet_length_tag_key,
            frame_length_tag_key,
            packet_num_tag_key,
            bps_header,
            bps_payload,
            scramble_header=scramble_bits,
        )
        header_parser = digital.packet_headerparser_b(header_formatter.formatter())
        self.denoiser = None
        chain = [(hpd, 0), header_fft, self.chanest]
        # the hier's input is time domain: a "noise_var" tag there (additive_noise) is per
        # sample, not per carrier, yet header_payload_demux passes it to the denoiser
        # (tests/test_ofdm_denoiser_streams.py): the denoisers read their own per-carrier
        # key (noise_level.OFDM_NOISE_VAR_KEY), never that one
        if denoise and implementation == "cpp":
            from . import diffusion_python as _cpp

            self.denoiser = _cpp.ofdm_channel_denoiser(
                find_model(model),
                fft_len,
                cp_len,
                [first_carrier_set(occupied_carriers, "occupied_carriers")],
                [first_carrier_set(pilot_carriers, "pilot_carriers")],
                noise_var=noise_var,
                channel_power=channel_power,
                mode=mode,
            )
            chain.append(self.denoiser)
        elif denoise:
            self.denoiser = ofdm_channel_denoiser_py(
                model,
                fft_len,
                cp_len,
                occupied_carriers,
                pilot_carriers,
                noise_var=noise_var,
                channel_power=channel_power,
                mode=mode,
            )
            chain.append(self.denoiser)
        self.taps_filter = taps_filter
        if taps_filter is not None:
            chain.append(taps_filter)
        self.taps_holds = []
        if taps_outputs:
            for port, blk in ((1, self.chanest), (2, chain[-1])):
                hold = ofdm_taps_hold(fft_len)
                self.connect(blk, hold, (self, port))
                self.taps_holds.append(hold)
        chain += [header_eq, header_serializer, header_demod, header_parser]
        self.connect(*chain)
        self.msg_connect(header_parser, "header_data", hpd, "header_data")
        payload_fft = fft.fft_vcc(fft_len, True, (), True)
        payload_constellation = _tx._get_constellation(bps_payload)
        payload_equalizer = make_equalizer(
            equalizer,
            fft_len,
            payload_constellation.base(),
            occupied_carriers,
            pilot_carriers,
            pilot_symbols,
            1,
            0.1,
        )
        payload_eq = digital.ofdm_frame_equalizer_vcvc(
            payload_equalizer.base(), cp_len, frame_length_tag_key
        )
        payload_serializer = digital.ofdm_serializer_vcc(
            fft_len, occupied_carriers, frame_length_tag_key, packet_length_tag_key, 1
        )
        payload_demod = digital.constellation_decoder_cb(payload_constellation.base())
        self.payload_descrambler = digital.additive_scrambler_bb(
            0x8A, scramble_seed, 7, 0, bits_per_byte=8, reset_tag_key=packet_length_tag_key
        )
        payload_pack = blocks.repack_bits_bb(bps_payload, 8, packet_length_tag_key, True)
        self.crc = digital.crc32_bb(True, packet_length_tag_key)
        self.connect(
            (hpd, 1),
            payload_fft,
            payload_eq,
            payload_serializer,
            payload_demod,
            payload_pack,
            self.payload_descrambler,
            self.crc,
            self,
        )
        self._keep = [sync_detect, delay, oscillator, mixer, hpd, header_eq, header_parser]
