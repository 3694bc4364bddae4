/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "ddpm_denoiser_impl.h"
#include <gnuradio/io_signature.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gr {
namespace diffusion {

namespace {
const pmt::pmt_t PORT_NOISE = pmt::mp("noise");
const pmt::pmt_t KEY_SNR_DB = pmt::mp("snr_db");
const pmt::pmt_t KEY_ESN0_DB = pmt::mp("esn0_db");
const pmt::pmt_t KEY_NOISE_VAR = pmt::mp("noise_var");
// GNU Radio's digital.mpsk_snr_est_cc tags "snr" (Es/N0 in dB, per symbol)
const pmt::pmt_t KEY_SNR = pmt::mp("snr");
const pmt::pmt_t KEY_INVALID = pmt::mp("invalid_sample");
// remote inference (core/remote_inference.py TAG_GAP, TAG_RESUMED, POLICY_FALLBACK,
// POLICY_PASSTHROUGH; tests/test_twin_constants.py)
const pmt::pmt_t KEY_REMOTE_GAP = pmt::mp("remote_gap");
const pmt::pmt_t KEY_REMOTE_RESUMED = pmt::mp("remote_resumed");
const pmt::pmt_t VALUE_LOCAL_FALLBACK = pmt::mp("local_fallback");
const pmt::pmt_t VALUE_PASSTHROUGH = pmt::mp("passthrough");

std::vector<int> input_sizes(ddpm_denoiser::noise_source_t src)
{
    if (src == ddpm_denoiser::NOISE_STREAM)
        return { sizeof(gr_complex), sizeof(float) };
    return { sizeof(gr_complex) };
}

bool finite(gr_complex z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }

// checked before the engine allocates its batch buffers
int checked_batch(int batch_size, int intra_op_threads)
{
    if (batch_size < 1 || batch_size > ddpm_denoiser_impl::max_batch_size)
        throw std::invalid_argument("ddpm_denoiser: batch_size must be in [1, " +
                                    std::to_string(ddpm_denoiser_impl::max_batch_size) +
                                    "], got " + std::to_string(batch_size));
    if (intra_op_threads < 0 || intra_op_threads > ddpm_denoiser_impl::max_threads)
        throw std::invalid_argument("ddpm_denoiser: intra_op_threads must be in [0, " +
                                    std::to_string(ddpm_denoiser_impl::max_threads) +
                                    "] (0 = onnxruntime default), got " +
                                    std::to_string(intra_op_threads));
    return batch_size;
}

// table memory in bytes, checked before the engine builds its table
size_t checked_table_bytes(double table_mb)
{
    if (!(table_mb > 0.0 && table_mb <= 65536.0))
        throw std::invalid_argument(
            "ddpm_denoiser: table_mb must be in (0, 65536] MiB, got " +
            std::to_string(table_mb));
    return size_t(table_mb * 1048576.0);
}
} // namespace

ddpm_denoiser::sptr ddpm_denoiser::make(const std::string& model_path,
                                        mode_t mode,
                                        int ddim_steps,
                                        noise_source_t noise_source,
                                        double esn0_db,
                                        const std::string& provider,
                                        int intra_op_threads,
                                        int batch_size,
                                        int seed,
                                        const std::string& engine,
                                        int threads,
                                        const std::string& provider_options,
                                        int window_hop,
                                        double table_mb,
                                        const std::string& server_url,
                                        const std::string& served_model,
                                        double request_timeout,
                                        int in_flight,
                                        int retries)
{
    return gnuradio::make_block_sptr<ddpm_denoiser_impl>(model_path,
                                                         mode,
                                                         ddim_steps,
                                                         noise_source,
                                                         esn0_db,
                                                         provider,
                                                         intra_op_threads,
                                                         batch_size,
                                                         seed,
                                                         engine,
                                                         threads,
                                                         provider_options,
                                                         window_hop,
                                                         table_mb,
                                                         server_url,
                                                         served_model,
                                                         request_timeout,
                                                         in_flight,
                                                         retries);
}

ddpm_denoiser_impl::ddpm_denoiser_impl(const std::string& model_path,
                                       mode_t mode,
                                       int ddim_steps,
                                       noise_source_t noise_source,
                                       double esn0_db,
                                       const std::string& provider,
                                       int intra_op_threads,
                                       int batch_size,
                                       int seed,
                                       const std::string& engine,
                                       int threads,
                                       const std::string& provider_options,
                                       int window_hop,
                                       double table_mb,
                                       const std::string& server_url,
                                       const std::string& served_model,
                                       double request_timeout,
                                       int in_flight,
                                       int retries)
    : gr::sync_block("ddpm_denoiser",
                     gr::io_signature::makev(noise_source == NOISE_STREAM ? 2 : 1,
                                             noise_source == NOISE_STREAM ? 2 : 1,
                                             input_sizes(noise_source)),
                     gr::io_signature::make(1, 1, sizeof(gr_complex))),
      d_mode(mode),
      d_ddim_steps(ddim_steps),
      d_source(noise_source),
      d_sigma2(std::pow(10.0, -esn0_db / 10.0)),
      d_batch(checked_batch(batch_size, intra_op_threads)),
      d_seed(static_cast<uint64_t>(static_cast<int64_t>(seed)))
{
    const size_t table_bytes = checked_table_bytes(table_mb);
    // no local model with a server: the served sampler's schedule and window, outage
    // policy pass-through (tag remote_gap "passthrough"), like the Python block
    const bool served_only = model_path.empty() && !server_url.empty();
    if (!served_only) {
        d_engine = std::make_unique<ddpm_engine>(model_path,
                                                 provider,
                                                 intra_op_threads,
                                                 batch_size,
                                                 engine,
                                                 threads,
                                                 provider_options,
                                                 table_bytes);
        d_logger->info("{}", d_engine->engine_note());
        d_grid = schedule_grid(d_engine->abar());
        d_points = d_engine->constellation();
        d_W = d_engine->window_length();
        check_mode(mode, ddim_steps);
        // the table step of the operating point starts building now, in the background
        // (not with a server: the local engine only covers outages, building on demand)
        if (server_url.empty())
            d_engine->prefetch_table(
                static_cast<ddpm_engine::sampler>(mode), ddim_steps, d_sigma2);
    }
    if (noise_source < NOISE_PARAMETER || noise_source > NOISE_BLIND)
        throw std::invalid_argument(
            "ddpm_denoiser: noise_source must be NOISE_PARAMETER(0), "
            "NOISE_STREAM(1) or NOISE_BLIND(2), got " +
            std::to_string(static_cast<int>(noise_source)));
    if (!(esn0_db >= -100.0 && esn0_db <= 300.0))
        throw std::invalid_argument(
            "ddpm_denoiser: esn0_db must be in [-100, 300] dB, got " +
            std::to_string(esn0_db));
    if (served_only) {
        if (noise_source == NOISE_BLIND)
            throw std::invalid_argument(
                "ddpm_denoiser: blind noise estimation needs a local model with "
                "'constellation_points' metadata (model_path); a served sampler at " +
                server_url + " carries no constellation");
        connect_remote(server_url,
                       served_model,
                       request_timeout,
                       in_flight,
                       retries,
                       batch_size,
                       mode,
                       ddim_steps);
        d_grid = schedule_grid(d_remote->abar());
        d_W = d_remote->window_length();
        check_mode(mode, ddim_steps);
        if (batch_size < d_W)
            throw std::invalid_argument(
                "ddpm_denoiser: the served sampler's window_length " +
                std::to_string(d_W) + " exceeds batch_size " +
                std::to_string(batch_size) + " (a batch holds whole windows)");
        d_logger->info("no local model: the served sampler's schedule (T = {}) and "
                       "window ({}); outages pass the input through, tagged",
                       d_grid.T(),
                       d_W);
    }
    if (noise_source == NOISE_BLIND) {
        if (d_points.empty())
            throw std::invalid_argument(
                "ddpm_denoiser: blind noise estimation needs a model "
                "with 'constellation_points' metadata: '" +
                model_path + "' has none");
        d_em = std::make_unique<em_noise_estimator>(
            d_points,
            em_noise_estimator::outlier_bound(d_points, d_grid.sigma2_max()),
            d_sigma2);
    }
    if (!d_points.empty())
        d_check = std::make_unique<input_checker>(d_points);
    d_y.resize(batch_size);
    d_out.resize(batch_size);
    d_t.resize(batch_size);
    d_pos.resize(batch_size);
    d_s2.resize(batch_size);
    d_items.resize(batch_size);
    if (window_hop < 0 || window_hop > d_W)
        throw std::invalid_argument(
            "ddpm_denoiser: window_hop must be in [0, W = " + std::to_string(d_W) +
            "] (0 = W / 2), got " + std::to_string(window_hop));
    d_hop = std::max(1, window_hop ? window_hop : d_W / 2);
    d_lead = (d_W - d_hop) / 2;
    d_latency = d_W - d_hop - d_lead;
    if (d_W > 1) {
        set_history(d_W - d_hop + 1);
        set_output_multiple(d_hop);
        set_tag_propagation_policy(TPP_DONT); // tags move by the latency (work_windows)
        d_logger->info(
            "window model: W = {}, hop {}, latency {} samples", d_W, d_hop, d_latency);
    }
    set_min_output_buffer(0, 2 * std::max(batch_size, d_W));
    if (!server_url.empty() && !d_remote)
        connect_remote(server_url,
                       served_model,
                       request_timeout,
                       in_flight,
                       retries,
                       batch_size,
                       mode,
                       ddim_steps);

    message_port_register_in(PORT_NOISE);
    set_msg_handler(PORT_NOISE, [this](const pmt::pmt_t& msg) { handle_noise_msg(msg); });
}

// the server's sampler (lib/remote_engine.h), checked against the local model's schedule
// and window (when there is one) and the block's mode / steps
void ddpm_denoiser_impl::connect_remote(const std::string& url,
                                        const std::string& served_model,
                                        double request_timeout,
                                        int in_flight,
                                        int retries,
                                        int batch_size,
                                        mode_t mode,
                                        int ddim_steps)
{
    if (mode != TWEEDIE && mode != DDIM)
        throw std::invalid_argument("ddpm_denoiser: remote inference runs the "
                                    "deterministic samplers (TWEEDIE, DDIM) only");
    remote_engine::expectation ex;
    if (d_engine) {
        ex.abar = d_engine->abar();
        ex.window_length = d_W;
    }
    ex.mode = mode == DDIM ? 1 : 0;
    ex.steps = mode == DDIM ? ddim_steps : 0;
    d_remote = std::make_unique<remote_engine>(url,
                                               served_model,
                                               request_timeout,
                                               retries,
                                               in_flight,
                                               batch_size,
                                               ex,
                                               [this](int level, const std::string& msg) {
                                                   if (level == 0)
                                                       d_logger->info("{}", msg);
                                                   else if (level == 1)
                                                       d_logger->warn("{}", msg);
                                                   else
                                                       d_logger->error("{}", msg);
                                               });
    d_logger->info("remote inference: {} model '{}'", url, served_model);
    d_row_s2.resize(batch_size);
    d_row_off.resize(batch_size);
    d_rails.resize(2 * size_t(batch_size));
    d_x0.resize(2 * size_t(batch_size));
    d_served.resize(batch_size);
}

ddpm_denoiser_impl::~ddpm_denoiser_impl() {}

void ddpm_denoiser_impl::set_sigma2_locked(double s2, const char* what)
{
    if (!std::isfinite(s2) || s2 < 0.0) {
        d_logger->warn("ignoring invalid {} (noise variance {})", what, s2);
        return;
    }
    d_sigma2 = s2;
    if (d_em)
        d_em->set_initial(s2); // blind: the value before the first window's estimate
    if (d_engine && !d_remote)
        d_engine->prefetch_table(
            static_cast<ddpm_engine::sampler>(d_mode), d_ddim_steps, s2);
}

void ddpm_denoiser_impl::set_esn0_db(double esn0_db)
{
    gr::thread::scoped_lock l(d_setlock);
    set_sigma2_locked(std::pow(10.0, -esn0_db / 10.0), "Es/N0");
}

void ddpm_denoiser_impl::set_noise_var(double noise_var)
{
    gr::thread::scoped_lock l(d_setlock);
    set_sigma2_locked(noise_var, "noise_var");
}

double ddpm_denoiser_impl::noise_var() const
{
    if (d_em)
        return d_em->current();
    return d_sigma2;
}

void ddpm_denoiser_impl::check_mode(mode_t mode, int ddim_steps) const
{
    if (mode < TWEEDIE || mode > PAPER)
        throw std::invalid_argument("ddpm_denoiser: mode must be TWEEDIE(0), DDIM(1), "
                                    "POSTERIOR(2) or PAPER(3), got " +
                                    std::to_string(static_cast<int>(mode)));
    if (ddim_steps < 1 || ddim_steps > d_grid.T())
        throw std::invalid_argument(
            "ddpm_denoiser: ddim_steps must be in [1, T = " + std::to_string(d_grid.T()) +
            "], got " + std::to_string(ddim_steps));
}

void ddpm_denoiser_impl::set_mode(mode_t mode, int ddim_steps)
{
    check_mode(mode, ddim_steps);
    if (d_remote && (mode != d_mode || (mode == DDIM && ddim_steps != d_ddim_steps)))
        throw std::invalid_argument("ddpm_denoiser: the server at " + d_remote->url() +
                                    " runs the sampler given at construction; set_mode "
                                    "cannot change it");
    gr::thread::scoped_lock l(d_setlock);
    d_mode = mode;
    d_ddim_steps = ddim_steps;
    if (d_engine && !d_remote)
        d_engine->prefetch_table(
            static_cast<ddpm_engine::sampler>(d_mode), d_ddim_steps, d_sigma2);
}

void ddpm_denoiser_impl::handle_noise_msg(const pmt::pmt_t& msg)
{
    gr::thread::scoped_lock l(d_setlock);
    if (pmt::is_number(msg) && !pmt::is_complex(msg)) {
        set_sigma2_locked(std::pow(10.0, -pmt::to_double(msg) / 10.0), "Es/N0 message");
        return;
    }
    pmt::pmt_t dict = msg;
    if (pmt::is_pair(msg) && !pmt::is_dict(msg) && pmt::is_symbol(pmt::car(msg)))
        dict = pmt::dict_add(pmt::make_dict(), pmt::car(msg), pmt::cdr(msg));
    if (pmt::is_dict(dict)) {
        for (const auto& key : { KEY_ESN0_DB, KEY_SNR_DB, KEY_SNR, KEY_NOISE_VAR }) {
            pmt::pmt_t v = pmt::dict_ref(dict, key, pmt::PMT_NIL);
            if (pmt::is_number(v) && !pmt::is_complex(v)) {
                const double d = pmt::to_double(v);
                if (key == KEY_NOISE_VAR)
                    set_sigma2_locked(d, "noise_var message");
                else
                    set_sigma2_locked(std::pow(10.0, -d / 10.0), "Es/N0 message");
                return;
            }
        }
    }
    d_logger->warn(
        "ignoring message on port 'noise': expected a number (Es/N0 dB, e.g. "
        "from digital.probe_mpsk_snr_est_c's 'snr' port) or a dict with esn0_db, "
        "snr_db, snr or noise_var, got {}",
        pmt::write_string(msg));
}

// the first valid samples against the model's constellation (lib/input_check.h), once
void ddpm_denoiser_impl::check_input(int m, const float* s2in)
{
    const float* s2 = nullptr;
    if (s2in) {
        d_s2buf.resize(m);
        for (int k = 0; k < m; k++)
            d_s2buf[k] = s2in[d_pos[k]];
        s2 = d_s2buf.data();
    }
    if (d_check->feed(d_y.data(), s2, d_sigma2, m))
        for (const auto& msg : input_checker::messages(d_check->result(),
                                                       input_checker::describe(d_points)))
            d_logger->warn("{}", msg);
}

// PAPER on a schedule that reaches far above the input's noise level: say so, once
void ddpm_denoiser_impl::warn_paper(double sigma2)
{
    d_warned_paper = true;
    const double top = d_grid.sigma2_max();
    if (top > PAPER_WIDE_RATIO * sigma2)
        d_logger->warn("{}", paper_mode_warning(d_grid.T(), top, sigma2));
}

int ddpm_denoiser_impl::step_for(double s2)
{
    if (s2 != d_last_s2) {
        d_last_t = d_grid.matched_step(s2, &d_last_clamped);
        d_last_s2 = s2;
    }
    if (d_last_clamped) {
        d_clamped++;
        if (!d_warned_clamp) {
            d_warned_clamp = true;
            d_logger->warn(
                "noise variance {} lies outside the model's schedule [{}, {}] "
                "(Es/N0 {:.1f} .. {:.1f} dB): clamped to step {} (reported once)",
                s2,
                d_grid.sigma2_min(),
                d_grid.sigma2_max(),
                -10.0 * std::log10(d_grid.sigma2_max()),
                -10.0 * std::log10(d_grid.sigma2_min()),
                d_last_t);
        }
    }
    return d_last_t;
}

// a noise-level tag (snr_db / esn0_db / snr: Es/N0 dB; noise_var: sigma2)
void ddpm_denoiser_impl::apply_noise_tag(const gr::tag_t& t)
{
    if (!pmt::is_number(t.value) || pmt::is_complex(t.value)) {
        d_logger->warn("ignoring tag {} with non-numeric value {}",
                       pmt::symbol_to_string(t.key),
                       pmt::write_string(t.value));
        return;
    }
    const double v = pmt::to_double(t.value);
    if (t.key == KEY_NOISE_VAR)
        set_sigma2_locked(v, "noise_var tag");
    else
        set_sigma2_locked(std::pow(10.0, -v / 10.0), "Es/N0 tag");
}

// n <= batch samples; sigma2 per sample from s2in (stream) or the current value
void ddpm_denoiser_impl::process(
    const gr_complex* in, const float* s2in, gr_complex* out, int n, uint64_t out_offset)
{
    if (d_em)
        d_em->track(
            in, n, d_s2.data()); // windows on the absolute index, outliers rejected
    int m = 0;
    for (int i = 0; i < n; i++) {
        const bool ok = finite(in[i]) && (!s2in || !std::isnan(s2in[i]));
        if (!ok) {
            out[i] = in[i];
            d_invalid++;
            add_item_tag(0, out_offset + i, KEY_INVALID, pmt::from_uint64(d_invalid));
            continue;
        }
        d_y[m] = in[i];
        d_items[m] = out_offset + i;
        d_pos[m++] = i;
    }
    if (m == 0)
        return;
    if (d_check && !d_check->done())
        check_input(m, s2in);
    if (d_mode == PAPER && !d_warned_paper) {
        double level = d_sigma2;
        if (s2in) {
            level = 0.0;
            for (int k = 0; k < m; k++)
                level += s2in[d_pos[k]];
            level /= m;
        }
        warn_paper(level);
    }
    if (d_mode != PAPER) {
        for (int k = 0; k < m; k++) {
            const int i = d_pos[k];
            const double s2 = d_em   ? d_s2[i]
                              : s2in ? static_cast<double>(s2in[i])
                                     : d_sigma2;
            d_t[k] = step_for(s2);
            if (d_remote) {
                d_row_s2[k] = s2;
                d_row_off[k] = out_offset + i;
            }
        }
    }
    denoise_batch(m, m);
    for (int k = 0; k < m; k++)
        out[d_pos[k]] = d_out[k];
}

int ddpm_denoiser_impl::work(int noutput_items,
                             gr_vector_const_void_star& input_items,
                             gr_vector_void_star& output_items)
{
    gr::thread::scoped_lock l(d_setlock);
    const auto in = static_cast<const gr_complex*>(input_items[0]);
    const auto s2in =
        d_source == NOISE_STREAM ? static_cast<const float*>(input_items[1]) : nullptr;
    auto out = static_cast<gr_complex*>(output_items[0]);
    if (d_W > 1)
        return work_windows(noutput_items, in, s2in, out);
    const uint64_t r0 = nitems_read(0), w0 = nitems_written(0);

    // noise-level tags (parameter mode) split the work at their offsets
    std::vector<gr::tag_t> tags;
    if (d_source == NOISE_PARAMETER) {
        std::vector<gr::tag_t> all;
        get_tags_in_window(all, 0, 0, noutput_items);
        for (auto& t : all)
            if (t.key == KEY_SNR_DB || t.key == KEY_ESN0_DB || t.key == KEY_SNR ||
                t.key == KEY_NOISE_VAR)
                tags.push_back(t);
        std::sort(tags.begin(), tags.end(), gr::tag_t::offset_compare);
    }

    size_t next_tag = 0;
    int pos = 0;
    while (pos < noutput_items) {
        while (next_tag < tags.size() && tags[next_tag].offset <= r0 + pos)
            apply_noise_tag(tags[next_tag++]);
        int end = std::min(noutput_items, pos + d_batch);
        if (next_tag < tags.size())
            end = std::min<int>(end, static_cast<int>(tags[next_tag].offset - r0));
        try {
            process(
                in + pos, s2in ? s2in + pos : nullptr, out + pos, end - pos, w0 + pos);
        } catch (const std::exception& e) {
            // e.g. onnxruntime failing on a graph that passed the load-time probe: end
            // the flowgraph with the reason rather than stall it
            d_logger->error("inference failed, stopping: {}", e.what());
            return pos > 0 ? pos : WORK_DONE;
        }
        pos = end;
    }
    return noutput_items;
}

// window models: tiles of H outputs on the absolute grid (python/diffusion/core/windowing.py)
int ddpm_denoiser_impl::work_windows(int noutput_items,
                                     const gr_complex* in,
                                     const float* s2in,
                                     gr_complex* out)
{
    const int W = d_W, H = d_hop, hist = W - H;
    const int n = noutput_items - noutput_items % H;
    if (n <= 0)
        return 0;
    const uint64_t r0 = nitems_read(0), w0 = nitems_written(0);
    const gr_complex* fresh = in + hist; // the n new samples (history before them)
    d_s2new.resize(n);
    d_ok.resize(n);

    // sigma2 of every new sample
    std::vector<gr::tag_t> tags;
    get_tags_in_range(tags, 0, r0, r0 + n);
    std::sort(tags.begin(), tags.end(), gr::tag_t::offset_compare);
    if (d_em) {
        d_em->track(fresh, n, d_s2new.data());
    } else if (s2in) {
        for (int i = 0; i < n; i++)
            d_s2new[i] = s2in[hist + i];
    } else {
        size_t next = 0;
        for (int i = 0; i < n; i++) {
            while (next < tags.size() && tags[next].offset <= r0 + i) {
                const auto& t = tags[next++];
                if (t.key == KEY_SNR_DB || t.key == KEY_ESN0_DB || t.key == KEY_SNR ||
                    t.key == KEY_NOISE_VAR)
                    apply_noise_tag(t);
            }
            d_s2new[i] = d_sigma2;
        }
    }
    // tags move with their symbol (latency D); invalid samples pass through, tagged
    for (const auto& t : tags)
        add_item_tag(0, t.offset + d_latency, t.key, t.value, t.srcid);
    for (int i = 0; i < n; i++) {
        d_ok[i] = finite(fresh[i]) && !std::isnan(d_s2new[i]);
        if (!d_ok[i]) {
            d_invalid++;
            add_item_tag(0, r0 + i + d_latency, KEY_INVALID, pmt::from_uint64(d_invalid));
        }
    }
    if (d_check && !d_check->done()) {
        int m = 0;
        d_s2buf.resize(d_batch);
        for (int i = 0; i < n && m < d_batch; i++)
            if (d_ok[i]) {
                d_y[m] = fresh[i];
                d_s2buf[m++] = static_cast<float>(d_s2new[i]);
            }
        if (m > 0 && d_check->feed(d_y.data(), d_s2buf.data(), d_sigma2, m))
            for (const auto& msg : input_checker::messages(
                     d_check->result(), input_checker::describe(d_points)))
                d_logger->warn("{}", msg);
    }
    if (d_mode == PAPER && !d_warned_paper) {
        double level = 0.0;
        int cnt = 0;
        for (int i = 0; i < n; i++)
            if (d_ok[i]) {
                level += d_s2new[i];
                cnt++;
            }
        warn_paper(cnt ? level / cnt : d_sigma2);
    }

    const int tiles = n / H, per = std::max(1, d_batch / W);
    const uint64_t tile_abs = w0 / H;
    for (int a = 0; a < tiles; a += per) {
        const int b = std::min(tiles, a + per), nt = b - a;
        for (int q = 0; q < nt; q++) {
            const int tile = a + q;
            // the window: in[tile H .. tile H + W), non-finite samples as 0
            for (int k = 0; k < W; k++) {
                const gr_complex z = in[tile * H + k];
                d_y[q * W + k] = finite(z) ? z : gr_complex(0.0f, 0.0f);
                d_items[q * W + k] =
                    (tile_abs + uint64_t(tile)) * uint64_t(W) + uint64_t(k);
            }
            if (d_mode != PAPER) {
                double sum = 0.0;
                int cnt = 0;
                for (int r = 0; r < H; r++) {
                    const int i = tile * H + r;
                    if (d_ok[i] && std::isfinite(d_s2new[i])) {
                        sum += d_s2new[i];
                        cnt++;
                    }
                }
                const double s2 = cnt ? sum / cnt : d_sigma2;
                const int t = step_for(s2);
                if (d_remote) {
                    d_row_s2[q] = s2;
                    d_row_off[q] = w0 + uint64_t(tile) * H;
                }
                if (d_last_clamped)
                    d_clamped +=
                        W - 1; // step_for counted one: every sample of the window
                for (int k = 0; k < W; k++)
                    d_t[q * W + k] = t;
            }
        }
        try {
            denoise_batch(nt * W, nt);
        } catch (const std::exception& e) {
            d_logger->error("inference failed, stopping: {}", e.what());
            return a > 0 ? a * H : WORK_DONE;
        }
        for (int q = 0; q < nt; q++)
            for (int r = 0; r < H; r++) {
                const int j = (a + q) * H + r; // output index
                const gr_complex src = in[(a + q) * H + d_lead + r];
                out[j] = finite(src) ? d_out[q * W + d_lead + r] : src;
            }
    }
    return n;
}

// d_y[0, count) -> d_out: through the server (rows of count / rows symbols) when one is
// set; what it did not serve by the local engine, or passed through (d_out = d_y) without
// one (tags remote_gap local_fallback / passthrough, remote_resumed)
void ddpm_denoiser_impl::denoise_batch(int count, int rows)
{
    const auto local = [&] {
        d_engine->denoise(d_y.data(),
                          d_t.data(),
                          count,
                          static_cast<ddpm_engine::sampler>(d_mode),
                          d_ddim_steps,
                          d_seed,
                          d_items.data(),
                          d_out.data());
    };
    if (!d_remote) {
        local();
        return;
    }
    const int per = count / rows; // symbols per row (1, or W)
    for (int k = 0; k < count; k++) {
        d_rails[2 * k] = d_y[k].real();
        d_rails[2 * k + 1] = d_y[k].imag();
    }
    d_remote->run(d_rails.data(), d_row_s2.data(), rows, d_x0.data(), d_served.data());
    bool all = true;
    const uint64_t step =
        per > 1 ? uint64_t(d_hop) : 1; // output samples a row stands for
    for (int r = 0; r < rows; r++) {
        if (d_served[r] && d_gap) {
            add_item_tag(0, d_row_off[r], KEY_REMOTE_RESUMED, pmt::from_uint64(d_gap));
            d_gap = 0;
        } else if (!d_served[r]) {
            if (!d_gap)
                add_item_tag(0,
                             d_row_off[r],
                             KEY_REMOTE_GAP,
                             d_engine ? VALUE_LOCAL_FALLBACK : VALUE_PASSTHROUGH);
            d_gap += step;
        }
        all = all && d_served[r];
    }
    if (!all && d_engine)
        local(); // the whole batch; the served rows are overwritten below
    else if (!all)
        std::copy(d_y.begin(), d_y.begin() + count, d_out.begin()); // not denoised
    for (int r = 0; r < rows; r++)
        if (d_served[r])
            for (int k = r * per; k < (r + 1) * per; k++)
                d_out[k] = gr_complex(d_x0[2 * k], d_x0[2 * k + 1]);
}

} // namespace diffusion
} // namespace gr
