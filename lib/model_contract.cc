/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "model_contract.h"
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace gr {
namespace diffusion {
namespace contract {

const char* const required_keys[] = { "gr_diffusion_format",
                                      "T",
                                      "schedule",
                                      "alphas",
                                      "constellation",
                                      "constellation_points",
                                      "normalization",
                                      "noise_variance_convention",
                                      "parameterization",
                                      nullptr };
const char* const format_version = "1";

namespace {

bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string trim(const std::string& s)
{
    size_t a = 0, b = s.size();
    while (a < b && blank(s[a]))
        a++;
    while (b > a && blank(s[b - 1]))
        b--;
    return s.substr(a, b - a);
}

bool digit(char c) { return c >= '0' && c <= '9'; }

// [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
bool decimal_literal(const std::string& s)
{
    size_t i = 0, n = s.size();
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t d0 = i;
    while (i < n && digit(s[i]))
        i++;
    size_t int_digits = i - d0, frac_digits = 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t f0 = i;
        while (i < n && digit(s[i]))
            i++;
        frac_digits = i - f0;
    }
    if (int_digits + frac_digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < n && digit(s[i]))
            i++;
        if (i == e0)
            return false;
    }
    return i == n;
}

std::string shorten(const std::string& s)
{
    return s.size() <= 40 ? s : s.substr(0, 37) + "...";
}

std::string shape_str(const std::vector<int64_t>& shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); i++)
        s += (i ? ", " : "") +
             (shape[i] < 0 ? std::string("N") : std::to_string(shape[i]));
    return s + "]";
}

const tensor_desc* find(const std::vector<tensor_desc>& v, const std::string& name)
{
    for (const auto& t : v)
        if (t.name == name)
            return &t;
    return nullptr;
}

std::string names(const std::vector<tensor_desc>& v)
{
    std::string s;
    for (const auto& t : v)
        s += (s.empty() ? "'" : ", '") + t.name + "'";
    return s.empty() ? "none" : s;
}

} // namespace

std::string type_name(int type)
{
    switch (type) {
    case FLOAT32:
        return "float32";
    case INT64:
        return "int64";
    case FLOAT64:
        return "float64";
    case 10:
        return "float16";
    case 6:
        return "int32";
    default:
        return "type " + std::to_string(type);
    }
}

double parse_number(const std::string& text, const std::string& what)
{
    const std::string s = trim(text);
    if (!decimal_literal(s))
        throw std::invalid_argument(what + ": '" + shorten(s) +
                                    "' is not a decimal number");
    errno = 0;
    const double v = std::strtod(s.c_str(), nullptr);
    if (!std::isfinite(v))
        throw std::invalid_argument(what + ": '" + shorten(s) + "' is out of range");
    return v;
}

std::vector<double> parse_numbers(const std::string& text, const std::string& what)
{
    std::vector<double> v;
    if (trim(text).empty())
        return v;
    size_t start = 0;
    size_t k = 0;
    while (true) {
        const size_t comma = text.find(',', start);
        const std::string item = text.substr(
            start, comma == std::string::npos ? std::string::npos : comma - start);
        v.push_back(parse_number(item, what + " item " + std::to_string(k)));
        k++;
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return v;
}

int64_t parse_count(const std::string& text, const std::string& what, int64_t max_value)
{
    const std::string s = trim(text);
    if (s.empty() || s.size() > 18)
        throw std::invalid_argument(what + ": '" + shorten(s) +
                                    "' is not a non-negative integer");
    for (char c : s)
        if (!digit(c))
            throw std::invalid_argument(what + ": '" + shorten(s) +
                                        "' is not a non-negative integer");
    const int64_t v = std::strtoll(s.c_str(), nullptr, 10);
    if (v > max_value)
        throw std::invalid_argument(what + ": " + s + " exceeds " +
                                    std::to_string(max_value));
    return v;
}

void check_io(const std::vector<tensor_desc>& inputs,
              const std::vector<tensor_desc>& outputs,
              const std::string& where)
{
    const tensor_desc* x = find(inputs, "x");
    const tensor_desc* t = find(inputs, "t");
    if (inputs.size() != 2 || !x || !t)
        throw std::invalid_argument(where + "inputs must be named 'x' and 't', found " +
                                    names(inputs));
    if (outputs.size() != 1 || outputs[0].name != "eps")
        throw std::invalid_argument(
            where + "needs exactly one output named 'eps', found " + names(outputs));
    struct want_t {
        const tensor_desc* d;
        const char* kind;
        int type;
        size_t rank;
        std::string txt;
    };
    const size_t x_rank = x->shape.size() == 3 ? 3 : 2;
    const std::string rows = x_rank == 2 ? "float32 [N, 2]" : "float32 [N, W, 2]";
    const want_t want[] = {
        { x, "input", FLOAT32, x_rank, "float32 [N, 2] or [N, W, 2]" },
        { t, "input", INT64, 1, "int64 [N]" },
        { &outputs[0], "output", FLOAT32, x_rank, rows + " (the shape of 'x')" }
    };
    for (const auto& w : want) {
        const std::string head = where + w.kind + " '" + w.d->name + "' ";
        if (w.d->type != w.type)
            throw std::invalid_argument(head + "has type " + type_name(w.d->type) +
                                        ", must be " + w.txt);
        const auto& s = w.d->shape;
        bool ok = s.size() == w.rank && s[0] < 0;
        if (ok && w.rank >= 2)
            ok = s.back() == 2 || s.back() < 0;
        if (ok && w.rank == 3)
            ok = s[1] < 0 || s[1] >= 1;
        if (!ok)
            throw std::invalid_argument(head + "has shape " + shape_str(s) +
                                        ", must be " + w.txt + " with a dynamic N");
    }
}

void check_window(const std::vector<int64_t>& x_shape,
                  const std::vector<int64_t>& eps_shape,
                  int window_length,
                  const std::string& where)
{
    const std::string W = std::to_string(window_length);
    const struct {
        const char* kind;
        const char* name;
        const std::vector<int64_t>* shape;
    } io[] = { { "input", "x", &x_shape }, { "output", "eps", &eps_shape } };
    for (const auto& d : io) {
        const auto& s = *d.shape;
        if (s.size() == 2 && window_length != 1)
            throw std::invalid_argument(
                where + "metadata window_length is " + W + " but " + d.kind + " '" +
                d.name + "' has shape " + shape_str(s) +
                " (a per-symbol graph): must be [N, " + W + ", 2]");
        if (s.size() == 3 && s[1] >= 0 && s[1] != window_length)
            throw std::invalid_argument(where + d.kind + " '" + d.name +
                                        "' has window dimension " + std::to_string(s[1]) +
                                        " but metadata window_length is " + W +
                                        " (absent means 1)");
    }
}

model_info check_metadata(const std::map<std::string, std::string>& meta,
                          const std::string& where)
{
    std::string missing;
    for (const char* const* k = required_keys; *k; k++)
        if (!meta.count(*k))
            missing += (missing.empty() ? "" : ", ") + std::string(*k);
    if (!missing.empty())
        throw std::invalid_argument(
            where + "not a gr-diffusion model: metadata key(s) missing: " + missing);
    const auto get = [&](const char* k) { return meta.at(k); };
    if (get("gr_diffusion_format") != format_version)
        throw std::invalid_argument(where + "unsupported gr_diffusion_format '" +
                                    shorten(get("gr_diffusion_format")) +
                                    "' (this reader knows '" + format_version + "')");
    if (get("parameterization") != "eps")
        throw std::invalid_argument(where + "parameterization '" +
                                    shorten(get("parameterization")) +
                                    "': the graph output must be eps");

    model_info info;
    info.schedule = get("schedule");
    info.constellation = get("constellation");
    const int64_t T = parse_count(get("T"), where + "metadata 'T'", max_steps);
    if (T < 1)
        throw std::invalid_argument(where + "metadata 'T' must be >= 1, got 0");
    info.T = static_cast<int>(T);
    info.alphas = parse_numbers(get("alphas"), where + "metadata 'alphas'");
    if (info.alphas.size() != static_cast<size_t>(T))
        throw std::invalid_argument(where + "metadata alphas has " +
                                    std::to_string(info.alphas.size()) +
                                    " values, T = " + std::to_string(T));
    double ab = 1.0;
    for (double a : info.alphas) {
        if (!(a > 0.0 && a <= 1.0))
            throw std::invalid_argument(where +
                                        "metadata alphas must be finite and in (0, 1]");
        ab *= a;
        info.abar.push_back(ab);
    }
    if (!(ab > 0.0) || !std::isnormal(ab))
        throw std::invalid_argument(where +
                                    "metadata alphas: abar_T underflows (must be > 0)");

    const auto flat = parse_numbers(get("constellation_points"),
                                    where + "metadata 'constellation_points'");
    if (!flat.empty()) {
        if (flat.size() % 2 || flat.size() < 4)
            throw std::invalid_argument(where +
                                        "constellation_points needs I,Q pairs, got " +
                                        std::to_string(flat.size()) + " values");
        if (flat.size() / 2 > static_cast<size_t>(max_points))
            throw std::invalid_argument(where + "constellation_points has more than " +
                                        std::to_string(max_points) + " points");
        double p = 0.0;
        for (size_t i = 0; i < flat.size(); i += 2) {
            info.points.emplace_back(static_cast<float>(flat[i]),
                                     static_cast<float>(flat[i + 1]));
            p += flat[i] * flat[i] + flat[i + 1] * flat[i + 1];
        }
        p /= static_cast<double>(info.points.size());
        if (!(std::abs(p - 1.0) <= unit_power_tol))
            throw std::invalid_argument(where +
                                        "constellation_points must have unit average "
                                        "power, got " +
                                        std::to_string(p));
        const auto it = meta.find("constellation_labels");
        const std::string lab = it == meta.end() ? "" : trim(it->second);
        if (lab.empty()) {
            for (size_t i = 0; i < info.points.size(); i++)
                info.labels.push_back(static_cast<int64_t>(i));
        } else {
            size_t start = 0, k = 0;
            while (true) {
                const size_t comma = lab.find(',', start);
                info.labels.push_back(parse_count(
                    lab.substr(start,
                               comma == std::string::npos ? std::string::npos
                                                          : comma - start),
                    where + "metadata 'constellation_labels' item " + std::to_string(k),
                    int64_t(1) << 40));
                k++;
                if (comma == std::string::npos)
                    break;
                start = comma + 1;
            }
            if (info.labels.size() != info.points.size())
                throw std::invalid_argument(
                    where + "constellation_labels has " +
                    std::to_string(info.labels.size()) + " entries for " +
                    std::to_string(info.points.size()) + " points");
        }
    }
    const auto wl = meta.find("window_length");
    if (wl != meta.end()) {
        info.window_length = static_cast<int>(
            parse_count(wl->second, where + "metadata 'window_length'", max_window));
        if (info.window_length < 1)
            throw std::invalid_argument(where +
                                        "metadata 'window_length' must be >= 1, got 0");
    }
    return info;
}

} // namespace contract
} // namespace diffusion
} // namespace gr
