/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// libFuzzer harness of the C++ model-file metadata contract (lib/model_contract.cc).
// Input: "key=value" lines, bytes as they are (tests/bad_models.py meta_from_bytes reads
// the same format). Anything but acceptance or std::invalid_argument (a crash, another
// exception, a sanitizer report) is a finding. Built and run by tests/fuzz/run_fuzz.sh.

#include "model_contract.h"
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::map<std::string, std::string> meta;
    const std::string s(reinterpret_cast<const char*>(data), size);
    size_t start = 0;
    while (start <= s.size()) {
        size_t nl = s.find('\n', start);
        if (nl == std::string::npos)
            nl = s.size();
        const std::string line = s.substr(start, nl - start);
        const size_t eq = line.find('=');
        if (eq != std::string::npos)
            meta[line.substr(0, eq)] = line.substr(eq + 1);
        start = nl + 1;
    }
    try {
        gr::diffusion::contract::check_metadata(meta, "fuzz: ");
    } catch (const std::invalid_argument&) {
    }
    // number parsers on the raw input too
    try {
        gr::diffusion::contract::parse_numbers(s, "fuzz");
    } catch (const std::invalid_argument&) {
    }
    try {
        gr::diffusion::contract::parse_count(s, "fuzz", 1000000);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
