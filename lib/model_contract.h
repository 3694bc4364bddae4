/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_MODEL_CONTRACT_H
#define INCLUDED_DIFFUSION_MODEL_CONTRACT_H

// Internal: the gr-diffusion ONNX file contract (gr_diffusion_format "1"), checked the
// same way as python/diffusion/core/onnx_model.py (DdpmModel). No onnxruntime here: the
// callers describe the graph's inputs/outputs as plain tensor_desc values, so the checks
// (and the fuzzer in tests/fuzz/) run without a session.
//
//   inputs   "x"   float32 [N, 2],  "t" int64 [N]      (N dynamic or any size)
//   output   "eps" float32 [N, 2]                      (exactly one output)
//   window models (metadata window_length W > 1): x and eps float32 [N, W, 2], dimension
//            1 equal to W or dynamic; per-symbol models are W = 1 ([N, 2] or [N, 1, 2]).
//   metadata gr_diffusion_format "1", parameterization "eps", T (decimal integer,
//            1 <= T <= max_steps), alphas (T comma-separated decimal numbers in (0, 1],
//            abar_T > 0), constellation_points (empty, or >= 2 I,Q pairs, finite, unit
//            average power within 1e-3), constellation_labels (empty or one non-negative
//            integer per point) and the other REQUIRED keys present.
// Numbers: optional ASCII blanks around a decimal literal
// [+-]digits[.digits][e[+-]digits]; anything else (trailing garbage, hex, inf/nan, empty
// items) is rejected.
//
// Every failure throws std::invalid_argument whose message starts with `where`.

#include <gnuradio/gr_complex.h>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gr {
namespace diffusion {
namespace contract {

// ONNX TensorProto element types (the values of ONNXTensorElementDataType)
enum elem_type : int { FLOAT32 = 1, INT64 = 7, FLOAT64 = 11 };

struct tensor_desc {
    std::string name;
    int type;                   // elem_type value (ONNX numbering)
    std::vector<int64_t> shape; // -1 (or any value < 0) = dynamic
};

struct model_info {
    int T = 0;
    std::string schedule;
    std::string constellation;
    std::vector<double> alphas;
    std::vector<double> abar;
    std::vector<gr_complex> points; // empty: data that are not a constellation
    std::vector<int64_t> labels;    // one per point (0..M-1 when the file has none)
    int window_length = 1;          // symbols per network input (metadata; absent = 1)
};

constexpr int max_steps = 100000;       // T bound (memory of the schedule tables)
constexpr int max_points = 1 << 16;     // constellation size bound
constexpr double unit_power_tol = 1e-3; // |mean |c|^2 - 1|
constexpr int max_window = 4096;        // window_length bound

extern const char* const required_keys[]; // nullptr-terminated
extern const char* const format_version;  // "1"

//! ONNX element type name for messages ("float32", "int64", "float64", "type 5")
std::string type_name(int type);

//! Strict decimal number (see above); throws std::invalid_argument "<what>: ..."
double parse_number(const std::string& text, const std::string& what);
//! Comma-separated strict numbers; empty (all blanks) text -> empty list
std::vector<double> parse_numbers(const std::string& text, const std::string& what);
//! Strict non-negative decimal integer (blanks around allowed), at most max_value
int64_t parse_count(const std::string& text, const std::string& what, int64_t max_value);

//! I/O names, element types and ranks; throws naming the tensor
void check_io(const std::vector<tensor_desc>& inputs,
              const std::vector<tensor_desc>& outputs,
              const std::string& where);

//! Declared window dimension of x / eps against the metadata's window_length
void check_window(const std::vector<int64_t>& x_shape,
                  const std::vector<int64_t>& eps_shape,
                  int window_length,
                  const std::string& where);

//! Metadata contract; returns the parsed schedule and constellation
model_info check_metadata(const std::map<std::string, std::string>& meta,
                          const std::string& where);

} // namespace contract
} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_MODEL_CONTRACT_H */
