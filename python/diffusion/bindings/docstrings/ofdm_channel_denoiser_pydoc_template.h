/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 */
#include "pydoc_macros.h"
#define D(...) DOC(gr, diffusion, __VA_ARGS__)
/*
 * Docstrings for the Python bindings, filled from the doxygen comments of
 * include/gnuradio/diffusion/ofdm_channel_denoiser.h by scripts/fill_pydoc_templates.py.
 * Do not edit by hand: edit the header and rerun the script.
 */


static const char* __doc_gr_diffusion_ofdm_channel_denoiser = R"doc(OFDM channel denoiser: replaces the LS channel taps on the ofdm_sync_chan_taps
tag by their posterior mean under a learned channel prior (docs/ofdm.md).

Sits between digital.ofdm_chanest_vcvc and digital.ofdm_frame_equalizer_vcvc. Items
are OFDM symbols (fft_len complex, FFT-shifted as GNU Radio's OFDM blocks carry them).
On every item tagged ofdm_sync_chan_taps the taps on the active carriers are replaced
by E[H | LS taps, sigma2] (Tweedie at the matched step: one network call per frame,
the fused window kernel when the model fits it, else onnxruntime); the samples, the
carrier-offset tag and all other tags pass unchanged. The C++ twin of the Python block
diffusion.ofdm_channel_denoiser_py (same estimates to float32 rounding).

Output 1 (optional, as ofdm_chanest_vcvc's output 1): the taps as a stream, one fft_len
vector per item tagged taps_key on input 0 (one per frame), the value the block writes
on that tag (a tag that is not fft_len complex taps passes unchanged and gives a
vector of zeros), untagged. It replaces chanest's output 1, which carries the LS
taps of the same frames (the values of chanest's tag): an input for it would add
nothing the tag does not carry.

Noise variance at run time: set_noise_var, the message port "noise" (('noise_var' . v)
or a dict with noise_var; anything else is ignored with a warning), or a tag
noise_tag_key on input 0 (default "ofdm_noise_var", per carrier; value: a real
number, FFT output units): it applies from its item on, i.e. on a frame's first symbol
to that frame and the following ones until changed; a value that is not a finite
number >= 0 is ignored (warned once; count: bad_noise_tags). The latest of these
wins; 0 returns to the per-frame estimate. The tag passes on unchanged. A noise_var
tag written before the FFT (additive_noise) is per time sample, fft_len times smaller:
hence a key of its own, so that such a tag, which ofdm_rx's demux passes on, is not read.

Noise convention: sigma2 is the noise variance per carrier after the FFT, in the
units of the FFT output (GNU Radio's +-1 sync word: the LS taps carry it). 0 estimates
it per frame from the LS taps' energy outside delays -4 .. cp_len + 3 pooled with the
null carriers of the tagged symbol (shifted by the carrier offset). The prior is at
ensemble channel power 1: the taps are divided by sqrt(channel power) first.

A frame whose LS taps the prior does not explain (mean residual above 2 sigma2 per
carrier) gets a robust LMMSE estimate (uniform delay profile over -4 .. cp_len + 3).
Bad input: a frame (an item tagged carr_offset_key) without taps passes through
untouched with one warning; NaN/Inf samples leave as 0; NaN/Inf taps enter as the
linear interpolation of their finite neighbours (all non-finite: taps of 1); a non-finite network output
passes the LS taps; no tap leaves at 0 (each warned once), so no NaN or zero tap
reaches the equalizer.

Constructor Specific Documentation:

Args:
    model_path : ONNX channel prior (a window model on the active carriers); its metadata must state this fft_len and these active carriers
    fft_len : FFT length (as digital.ofdm_rx)
    cp_len : cyclic prefix length in samples
    occupied_carriers : data carriers, GNU Radio's form (one list per symbol; the first, the sync symbol's, is used); empty: ofdm_rx's defaults
    pilot_carriers : pilot carriers, same form; empty: ofdm_rx's defaults
    noise_var : noise variance per carrier after the FFT (FFT output units), >= 0; 0: estimated per frame
    channel_power : mean |H|^2 in the same units (>= 0); 0: tracked over frames
    power_alpha : weight of a frame in the tracked channel power, (0, 1]
    mode : "tweedie" (posterior mean) or "off" (pass the LS taps)
    engine : "auto" (fused kernel when it recognises the model), "fused" or "onnxruntime"
    taps_key : tag of the channel taps (ofdm_chanest_vcvc's)
    carr_offset_key : tag of the carrier offset (ofdm_chanest_vcvc's)
    noise_tag_key : tag on input 0 whose value sets noise_var (the same units); "" reads no tag

Raises:
    std::invalid_argument : naming the parameter, or naming both layouts when the model's fft_len or active carriers differ from the block's)doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_ofdm_channel_denoiser = R"doc()doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_make = R"doc(OFDM channel denoiser: replaces the LS channel taps on the ofdm_sync_chan_taps
tag by their posterior mean under a learned channel prior (docs/ofdm.md).

Sits between digital.ofdm_chanest_vcvc and digital.ofdm_frame_equalizer_vcvc. Items
are OFDM symbols (fft_len complex, FFT-shifted as GNU Radio's OFDM blocks carry them).
On every item tagged ofdm_sync_chan_taps the taps on the active carriers are replaced
by E[H | LS taps, sigma2] (Tweedie at the matched step: one network call per frame,
the fused window kernel when the model fits it, else onnxruntime); the samples, the
carrier-offset tag and all other tags pass unchanged. The C++ twin of the Python block
diffusion.ofdm_channel_denoiser_py (same estimates to float32 rounding).

Output 1 (optional, as ofdm_chanest_vcvc's output 1): the taps as a stream, one fft_len
vector per item tagged taps_key on input 0 (one per frame), the value the block writes
on that tag (a tag that is not fft_len complex taps passes unchanged and gives a
vector of zeros), untagged. It replaces chanest's output 1, which carries the LS
taps of the same frames (the values of chanest's tag): an input for it would add
nothing the tag does not carry.

Noise variance at run time: set_noise_var, the message port "noise" (('noise_var' . v)
or a dict with noise_var; anything else is ignored with a warning), or a tag
noise_tag_key on input 0 (default "ofdm_noise_var", per carrier; value: a real
number, FFT output units): it applies from its item on, i.e. on a frame's first symbol
to that frame and the following ones until changed; a value that is not a finite
number >= 0 is ignored (warned once; count: bad_noise_tags). The latest of these
wins; 0 returns to the per-frame estimate. The tag passes on unchanged. A noise_var
tag written before the FFT (additive_noise) is per time sample, fft_len times smaller:
hence a key of its own, so that such a tag, which ofdm_rx's demux passes on, is not read.

Noise convention: sigma2 is the noise variance per carrier after the FFT, in the
units of the FFT output (GNU Radio's +-1 sync word: the LS taps carry it). 0 estimates
it per frame from the LS taps' energy outside delays -4 .. cp_len + 3 pooled with the
null carriers of the tagged symbol (shifted by the carrier offset). The prior is at
ensemble channel power 1: the taps are divided by sqrt(channel power) first.

A frame whose LS taps the prior does not explain (mean residual above 2 sigma2 per
carrier) gets a robust LMMSE estimate (uniform delay profile over -4 .. cp_len + 3).
Bad input: a frame (an item tagged carr_offset_key) without taps passes through
untouched with one warning; NaN/Inf samples leave as 0; NaN/Inf taps enter as the
linear interpolation of their finite neighbours (all non-finite: taps of 1); a non-finite network output
passes the LS taps; no tap leaves at 0 (each warned once), so no NaN or zero tap
reaches the equalizer.

Constructor Specific Documentation:

Args:
    model_path : ONNX channel prior (a window model on the active carriers); its metadata must state this fft_len and these active carriers
    fft_len : FFT length (as digital.ofdm_rx)
    cp_len : cyclic prefix length in samples
    occupied_carriers : data carriers, GNU Radio's form (one list per symbol; the first, the sync symbol's, is used); empty: ofdm_rx's defaults
    pilot_carriers : pilot carriers, same form; empty: ofdm_rx's defaults
    noise_var : noise variance per carrier after the FFT (FFT output units), >= 0; 0: estimated per frame
    channel_power : mean |H|^2 in the same units (>= 0); 0: tracked over frames
    power_alpha : weight of a frame in the tracked channel power, (0, 1]
    mode : "tweedie" (posterior mean) or "off" (pass the LS taps)
    engine : "auto" (fused kernel when it recognises the model), "fused" or "onnxruntime"
    taps_key : tag of the channel taps (ofdm_chanest_vcvc's)
    carr_offset_key : tag of the carrier offset (ofdm_chanest_vcvc's)
    noise_tag_key : tag on input 0 whose value sets noise_var (the same units); "" reads no tag

Raises:
    std::invalid_argument : naming the parameter, or naming both layouts when the model's fft_len or active carriers differ from the block's)doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_set_noise_var = R"doc(Thread-safe; applies from the next frame (0: estimate per frame). The message
port and the noise tag set the same value.)doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_noise_var = R"doc(Current value, as set by set_noise_var() or make().)doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_frames = R"doc(frames seen (items tagged with taps))doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_rewritten = R"doc(frames whose taps were rewritten)doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_fallbacks = R"doc(frames estimated by the robust LMMSE fallback (prior misfit))doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_untapped_frames = R"doc(frames (carrier-offset tags) without taps, passed through untouched)doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_nonfinite_taps = R"doc(frames with non-finite taps)doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_nonfinite_samples = R"doc(NaN/Inf samples replaced by 0)doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_noise_tags = R"doc(noise tags applied (valid values))doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_bad_noise_tags = R"doc(noise tags ignored (not a finite number >= 0))doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_last_noise_var = R"doc(noise variance of the last denoised frame, FFT output units (NaN before))doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_last_channel_power = R"doc(channel power of the last denoised frame, FFT output units (NaN before))doc";


static const char* __doc_gr_diffusion_ofdm_channel_denoiser_engine_name = R"doc(what runs the network, e.g. "fused window (avx2)")doc";

