/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "remote_engine.h"
#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace gr {
namespace diffusion {

using json = nlohmann::json;

namespace {
const char* MODES[] = { "tweedie", "ddim" };
constexpr double reconnect_interval_s = 1.0;

double now_s()
{
    return std::chrono::duration<double>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void global_init()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* p, size_t size, size_t n, void* user)
{
    static_cast<std::string*>(user)->append(p, size * n);
    return size * n;
}

bool shape_ok(const json& shape, const std::vector<long>& want) // want -1: any
{
    if (!shape.is_array() || shape.size() != want.size())
        return false;
    for (size_t i = 0; i < want.size(); i++) {
        if (!shape[i].is_number_integer())
            return false;
        const long d = shape[i].get<long>();
        if (want[i] >= 0 && d != want[i] && d != -1)
            return false;
    }
    return true;
}
} // namespace

struct remote_engine::transfer {
    CURL* h = nullptr;
    curl_slist* headers = nullptr;
    std::string body, resp;
    long header_length = -1; // Inference-Header-Content-Length of the reply
    CURLcode rc = CURLE_OK;
    std::vector<double> abar;
    std::vector<int64_t> sampler;
    std::vector<float> x0;

    transfer() : h(curl_easy_init())
    {
        if (!h)
            throw std::runtime_error("remote_engine: curl_easy_init failed");
    }
    ~transfer()
    {
        if (headers)
            curl_slist_free_all(headers);
        curl_easy_cleanup(h);
    }
    static size_t on_header(char* p, size_t size, size_t n, void* user)
    {
        auto* t = static_cast<transfer*>(user);
        const std::string line(p, size * n);
        const std::string key = "inference-header-content-length:";
        if (line.size() > key.size()) {
            std::string low = line.substr(0, key.size());
            std::transform(low.begin(), low.end(), low.begin(), ::tolower);
            if (low == key)
                t->header_length = std::strtol(line.c_str() + key.size(), nullptr, 10);
        }
        return size * n;
    }
    void reset(const std::string& url, long timeout_ms)
    {
        resp.clear();
        header_length = -1;
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr); // before the list is freed
        if (headers) {
            curl_slist_free_all(headers);
            headers = nullptr;
        }
        curl_easy_setopt(h, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, this);
        curl_easy_setopt(h, CURLOPT_PROXY, ""); // loopback / LAN servers: no proxy
    }
    long status() const
    {
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        return code;
    }
    std::string error(const std::string& what) const
    {
        if (rc != CURLE_OK)
            return what + ": " + curl_easy_strerror(rc);
        return what + ": HTTP " + std::to_string(status()) + ": " + resp.substr(0, 300);
    }
    bool ok() const { return rc == CURLE_OK && status() == 200; }
};

remote_engine::remote_engine(const std::string& url,
                             const std::string& model_name,
                             double timeout_s,
                             int retries,
                             int in_flight,
                             int batch_size,
                             const expectation& expect,
                             log_fn log)
    : d_url(url),
      d_model(model_name),
      d_timeout_ms(static_cast<long>(std::ceil(timeout_s * 1000.0))),
      d_retries(retries),
      d_in_flight(in_flight),
      d_batch(std::max(1, batch_size)),
      d_expect(expect),
      d_log(std::move(log))
{
    while (!d_url.empty() && d_url.back() == '/')
        d_url.pop_back();
    if (d_url.rfind("http://", 0) != 0 || d_url.size() <= 7 ||
        d_url.find('/', 7) != std::string::npos)
        throw std::invalid_argument("server_url must be http://host:port, got '" + url +
                                    "'");
    if (d_model.empty())
        throw std::invalid_argument(
            "served_model (the served model's name) must not be empty");
    if (!(timeout_s > 0.0) || timeout_s > 3600.0)
        throw std::invalid_argument("request_timeout must be in (0, 3600] s, got " +
                                    std::to_string(timeout_s));
    if (retries < 0 || retries > 10)
        throw std::invalid_argument("retries must be in [0, 10], got " +
                                    std::to_string(retries));
    if (in_flight < 1 || in_flight > 2)
        throw std::invalid_argument("in_flight must be 1 or 2, got " +
                                    std::to_string(in_flight));
    if (!d_log)
        d_log = [](int, const std::string&) {};
    global_init();
    for (int i = 0; i < d_in_flight; i++)
        d_conns.emplace_back(std::make_unique<transfer>());
    d_multi = curl_multi_init();
    if (!ready(*d_conns[0]))
        throw std::runtime_error(
            "inference server " + d_url + " is not reachable or not ready (GET " +
            "/v2/health/ready within " + std::to_string(timeout_s) +
            " s); start it, or clear server_url to run the local model");
    check(*d_conns[0]);
    // a caller without a schedule of its own runs the one served now: a server that comes
    // back serving another schedule or window is refused like a mismatch at construction
    if (d_expect.abar.empty())
        d_expect.abar = d_abar;
    if (d_expect.window_length <= 0)
        d_expect.window_length = d_W;
}

remote_engine::~remote_engine()
{
    d_conns.clear();
    if (d_multi)
        curl_multi_cleanup(static_cast<CURLM*>(d_multi));
}

bool remote_engine::ready(transfer& c)
{
    c.reset(d_url + "/v2/health/ready", d_timeout_ms);
    curl_easy_setopt(c.h, CURLOPT_HTTPGET, 1L);
    c.rc = curl_easy_perform(c.h);
    return c.ok();
}

void remote_engine::check(transfer& c)
{
    const std::string where = "served model '" + d_model + "' at " + d_url;
    c.reset(d_url + "/v2/models/" + d_model, d_timeout_ms);
    curl_easy_setopt(c.h, CURLOPT_HTTPGET, 1L);
    c.rc = curl_easy_perform(c.h);
    if (!c.ok())
        throw std::invalid_argument(where + ": no metadata (" + c.error("GET") + ")");
    json meta = json::parse(c.resp, nullptr, false);
    if (meta.is_discarded() || !meta.is_object())
        throw std::invalid_argument(where + ": metadata is not JSON");
    std::map<std::string, json> ins, outs;
    for (const auto& t : meta.value("inputs", json::array()))
        ins[t.value("name", "")] = t;
    for (const auto& t : meta.value("outputs", json::array()))
        outs[t.value("name", "")] = t;
    if (ins.size() != 2 || !ins.count("y") || !ins.count("sigma2") || !outs.count("x0") ||
        !outs.count("abar") || !outs.count("sampler"))
        throw std::invalid_argument(
            where + ": not a gr-diffusion sampler graph (want inputs y, sigma2 and "
                    "outputs x0, abar, sampler: gr-diffusion-model export-sampler)");
    const json yshape = ins["y"].value("shape", json::array());
    int W = 1;
    if (yshape.size() == 3 && yshape[1].is_number_integer())
        W = yshape[1].get<int>();
    const std::vector<long> rows_shape =
        yshape.size() == 3 ? std::vector<long>{ -1, W, 2 } : std::vector<long>{ -1, 2 };
    if (W < 1 || ins["y"].value("datatype", "") != "FP32" ||
        !shape_ok(yshape, rows_shape))
        throw std::invalid_argument(where + ": input 'y' is " + ins["y"].dump() +
                                    ", the sampler contract wants FP32 [-1, 2] or "
                                    "[-1, W, 2]");
    if (ins["sigma2"].value("datatype", "") != "FP64" ||
        !shape_ok(ins["sigma2"].value("shape", json::array()), { -1 }))
        throw std::invalid_argument(where + ": input 'sigma2' is " +
                                    ins["sigma2"].dump() +
                                    ", the sampler contract wants FP64 [-1]");
    if (outs["x0"].value("datatype", "") != "FP32" ||
        !shape_ok(outs["x0"].value("shape", json::array()), rows_shape))
        throw std::invalid_argument(where + ": output 'x0' is " + outs["x0"].dump() +
                                    ", the sampler contract wants y's FP32 shape");
    // the 3-row probe: the schedule and the sampler the graph was built with
    d_W = W;
    std::vector<float> y(3 * W * 2, 0.0f), x0(3 * W * 2);
    for (size_t i = 0; i < y.size(); i += 2)
        y[i] = 0.5f;
    const double s2[3] = { 0.1, 1.0, 10.0 };
    prepare_infer(c, y.data(), s2, 3, true);
    c.rc = curl_easy_perform(c.h);
    std::string err;
    if (!parse_infer(c, 3, x0.data(), &err, true))
        throw std::invalid_argument(where + ": the 3-row probe failed (" + err + ")");
    if (c.sampler.size() != 3 || c.sampler[0] < 0 || c.sampler[0] > 1 ||
        c.sampler[2] != W)
        throw std::invalid_argument(where + ": output 'sampler' is not [mode, steps, W]");
    for (float v : x0)
        if (!std::isfinite(v))
            throw std::invalid_argument(where + ": the probe's x0 is not finite");
    const auto& want = d_expect.abar;
    if (!want.empty()) {
        bool same = want.size() == c.abar.size();
        double worst = 0.0;
        for (size_t i = 0; same && i < want.size(); i++) {
            worst = std::max(worst, std::fabs(c.abar[i] - want[i]));
            same = std::fabs(c.abar[i] - want[i]) <= 1e-12 * std::fabs(want[i]);
        }
        if (!same)
            throw std::invalid_argument(
                where + ": schedule differs from the local model's (T " +
                std::to_string(c.abar.size()) + " vs " + std::to_string(want.size()) +
                ", max |abar difference| " + std::to_string(worst) + ")");
    }
    if (d_expect.window_length > 0 && d_expect.window_length != W)
        throw std::invalid_argument(where + ": serves window_length " +
                                    std::to_string(W) + ", the block expects " +
                                    std::to_string(d_expect.window_length));
    const int mode = static_cast<int>(c.sampler[0]),
              steps = static_cast<int>(c.sampler[1]);
    if (d_expect.mode >= 0 && d_expect.mode != mode)
        throw std::invalid_argument(where + ": serves mode '" + MODES[mode] +
                                    "', the block expects '" + MODES[d_expect.mode] +
                                    "'");
    if (d_expect.steps > 0 && mode == 1 && d_expect.steps != steps)
        throw std::invalid_argument(where + ": serves steps " + std::to_string(steps) +
                                    ", the block expects " +
                                    std::to_string(d_expect.steps));
    d_abar = c.abar;
}

void remote_engine::prepare_infer(
    transfer& c, const float* y, const double* s2, int rows, bool all_outputs)
{
    const size_t ybytes = size_t(rows) * d_W * 2 * sizeof(float);
    const size_t sbytes = size_t(rows) * sizeof(double);
    json yspec = { { "name", "y" },
                   { "datatype", "FP32" },
                   { "parameters", { { "binary_data_size", ybytes } } } };
    yspec["shape"] = d_W > 1 ? json::array({ rows, d_W, 2 }) : json::array({ rows, 2 });
    json head = {
        { "inputs",
          json::array({ yspec,
                        { { "name", "sigma2" },
                          { "datatype", "FP64" },
                          { "shape", json::array({ rows }) },
                          { "parameters", { { "binary_data_size", sbytes } } } } }) },
    };
    json outs = json::array();
    for (const char* n : { "x0", "abar", "sampler" }) {
        outs.push_back({ { "name", n }, { "parameters", { { "binary_data", true } } } });
        if (!all_outputs)
            break;
    }
    head["outputs"] = outs;
    const std::string h = head.dump();
    c.reset(d_url + "/v2/models/" + d_model + "/infer", d_timeout_ms);
    c.body.assign(h);
    c.body.append(reinterpret_cast<const char*>(y), ybytes);
    c.body.append(reinterpret_cast<const char*>(s2), sbytes);
    c.headers = curl_slist_append(c.headers, "Content-Type: application/octet-stream");
    c.headers = curl_slist_append(
        c.headers,
        ("Inference-Header-Content-Length: " + std::to_string(h.size())).c_str());
    c.headers = curl_slist_append(c.headers, "Expect:"); // no 100-continue round trip
    curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
    curl_easy_setopt(c.h, CURLOPT_POST, 1L);
    curl_easy_setopt(c.h, CURLOPT_POSTFIELDS, c.body.data());
    curl_easy_setopt(c.h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(c.body.size()));
}

bool remote_engine::parse_infer(
    transfer& c, int rows, float* x0, std::string* err, bool all_outputs)
{
    if (!c.ok()) {
        *err = c.error(d_url + "/v2/models/" + d_model + "/infer");
        return false;
    }
    const size_t hl = c.header_length >= 0 ? size_t(c.header_length) : c.resp.size();
    if (hl > c.resp.size()) {
        *err = "reply shorter than its JSON header";
        return false;
    }
    json reply = json::parse(c.resp.begin(), c.resp.begin() + hl, nullptr, false);
    if (reply.is_discarded() || !reply.contains("outputs")) {
        *err = "malformed reply";
        return false;
    }
    size_t pos = hl;
    bool got_x0 = false;
    const size_t want_x0 = size_t(rows) * d_W * 2;
    for (const auto& o : reply["outputs"]) {
        const std::string name = o.value("name", ""), dt = o.value("datatype", "");
        const size_t el = dt == "FP32" ? 4 : (dt == "FP64" || dt == "INT64") ? 8 : 0;
        size_t count = 1;
        for (const auto& d : o.value("shape", json::array()))
            count *= d.get<size_t>();
        const json params = o.value("parameters", json::object());
        const char* src = nullptr;
        if (params.contains("binary_data_size")) {
            const size_t size = params["binary_data_size"].get<size_t>();
            if (el == 0 || size != count * el || pos + size > c.resp.size()) {
                *err = "output '" + name + "' has a bad binary size";
                return false;
            }
            src = c.resp.data() + pos;
            pos += size;
        } else if (!o.contains("data")) {
            *err = "output '" + name + "' has no data";
            return false;
        }
        if (name == "x0") {
            if (dt != "FP32" || count != want_x0) {
                *err = "output 'x0' is " + dt + " of " + std::to_string(count) +
                       " values, want FP32 of " + std::to_string(want_x0);
                return false;
            }
            if (src)
                std::memcpy(x0, src, count * 4);
            else
                for (size_t i = 0; i < count; i++)
                    x0[i] = o["data"][i].get<float>();
            got_x0 = true;
        } else if (name == "abar" && dt == "FP64") {
            c.abar.resize(count);
            if (src)
                std::memcpy(c.abar.data(), src, count * 8);
            else
                for (size_t i = 0; i < count; i++)
                    c.abar[i] = o["data"][i].get<double>();
        } else if (name == "sampler" && dt == "INT64") {
            c.sampler.resize(count);
            if (src)
                std::memcpy(c.sampler.data(), src, count * 8);
            else
                for (size_t i = 0; i < count; i++)
                    c.sampler[i] = o["data"][i].get<int64_t>();
        }
    }
    if (!got_x0 || (all_outputs && (c.abar.empty() || c.sampler.empty()))) {
        *err = "reply lacks an output";
        return false;
    }
    return true;
}

// all transfers at once (curl multi); each bounded by its own CURLOPT_TIMEOUT_MS
bool remote_engine::perform(std::vector<transfer*>& ts)
{
    auto* m = static_cast<CURLM*>(d_multi);
    for (auto* t : ts)
        curl_multi_add_handle(m, t->h);
    int running = 0;
    do {
        if (curl_multi_perform(m, &running) != CURLM_OK)
            break;
        if (running)
            curl_multi_poll(m, nullptr, 0, 100, nullptr);
    } while (running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m, &left))
        if (msg->msg == CURLMSG_DONE)
            for (auto* t : ts)
                if (t->h == msg->easy_handle)
                    t->rc = msg->data.result;
    for (auto* t : ts)
        curl_multi_remove_handle(m, t->h);
    return true;
}

void remote_engine::went_down(const std::string& why)
{
    d_failures++;
    if (d_up) {
        d_up = false;
        d_next_try = now_s() + reconnect_interval_s;
        d_log(2,
              "inference server " + d_url + " failed (" + why + "); retrying every " +
                  std::to_string(reconnect_interval_s).substr(0, 3) + " s");
    }
}

bool remote_engine::try_reconnect()
{
    const double t = now_s();
    if (t < d_next_try)
        return false;
    d_next_try = t + reconnect_interval_s;
    if (!ready(*d_conns[0]))
        return false;
    try {
        check(*d_conns[0]);
    } catch (const std::exception& e) {
        d_log(2, d_url + " is back but refused: " + e.what());
        return false;
    }
    d_up = true;
    d_log(0, "inference server " + d_url + " is back: remote inference resumed");
    return true;
}

void remote_engine::run(
    const float* y, const double* s2, int rows, float* x0, char* served)
{
    std::fill(served, served + rows, 0);
    if (rows <= 0 || (!d_up && !try_reconnect()))
        return;
    const int per = std::max(1, d_batch / d_W);
    const size_t stride = size_t(d_W) * 2;
    for (int a = 0; a < rows && d_up; a += per * d_in_flight) {
        struct span {
            int a, n, tries;
        };
        std::vector<span> spans;
        for (int k = 0; k < d_in_flight && a + k * per < rows; k++)
            spans.push_back({ a + k * per, std::min(per, rows - (a + k * per)), 0 });
        while (!spans.empty() && d_up) {
            std::vector<transfer*> ts;
            for (size_t k = 0; k < spans.size(); k++) {
                prepare_infer(*d_conns[k],
                              y + size_t(spans[k].a) * stride,
                              s2 + spans[k].a,
                              spans[k].n,
                              false);
                ts.push_back(d_conns[k].get());
            }
            perform(ts);
            std::vector<span> again;
            std::string last;
            for (size_t k = 0; k < spans.size(); k++) {
                std::string err;
                if (parse_infer(*ts[k],
                                spans[k].n,
                                x0 + size_t(spans[k].a) * stride,
                                &err,
                                false)) {
                    std::fill(served + spans[k].a, served + spans[k].a + spans[k].n, 1);
                } else if (++spans[k].tries <= d_retries) {
                    again.push_back(spans[k]);
                } else {
                    last = err;
                }
            }
            if (!last.empty())
                went_down(last);
            spans = again;
        }
    }
}

} // namespace diffusion
} // namespace gr
