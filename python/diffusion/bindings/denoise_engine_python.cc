/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BINDTOOL_GEN_AUTOMATIC(0)                                                       */
/* BINDTOOL_USE_PYGCCXML(0)                                                        */
/* BINDTOOL_HEADER_FILE(denoise_engine.h)                                          */
/* BINDTOOL_HEADER_FILE_HASH(d1ac3bd7f034af23a677468b4bee40f5)                     */

#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

#include <gnuradio/diffusion/denoise_engine.h>

void bind_denoise_engine(py::module& m)
{
    using gr::diffusion::denoise_engine;
    using carr = py::array_t<gr_complex, py::array::c_style | py::array::forcecast>;
    using iarr = py::array_t<int, py::array::c_style | py::array::forcecast>;
    using uarr = py::array_t<uint64_t, py::array::c_style | py::array::forcecast>;
    using farr = py::array_t<float, py::array::c_style | py::array::forcecast>;
    using larr = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

    py::class_<denoise_engine, std::shared_ptr<denoise_engine>>(
        m,
        "denoise_engine",
        "The C++ DDPM inference engine (table engine, fused kernel or onnxruntime) "
        "without a block.\n"
        "denoise_engine(model_path, engine='auto', threads=1, max_batch=8192, "
        "provider='cpu', intra_op_threads=1, provider_options='', table_mb=16.0)")
        .def(py::init(&denoise_engine::make),
             py::arg("model_path"),
             py::arg("engine") = "auto",
             py::arg("threads") = 1,
             py::arg("max_batch") = 8192,
             py::arg("provider") = "cpu",
             py::arg("intra_op_threads") = 1,
             py::arg("provider_options") = "",
             py::arg("table_mb") = 16.0,
             "Constructor Specific Documentation:\n\n"
             "The C++ DDPM engine on a gr-diffusion ONNX model (docs/model-format.md).\n\n"
             "Args:\n"
             "    model_path : gr-diffusion ONNX eps-network\n"
             "    engine : 'auto' (table engine for the deterministic modes of per-symbol "
             "models when it passes its probe; the network on the fused kernel if it "
             "recognises the graph and matches onnxruntime on a probe batch, else "
             "onnxruntime), 'table' (as auto, error if the table cannot run), 'fused' "
             "or 'onnxruntime'\n"
             "    threads : workers a batch is split across (>= 1)\n"
             "    max_batch : most samples per denoise() call\n"
             "    provider : onnxruntime execution provider: 'cpu', 'cuda' or 'tensorrt'\n"
             "    intra_op_threads : onnxruntime threads per call (0 = its default)\n"
             "    provider_options : 'key=value;...' for the cuda / tensorrt providers\n"
             "    table_mb : memory of the table engine's cached steps (MiB)\n")
        .def("table_active", &denoise_engine::table_active)
        .def("table_wait",
             &denoise_engine::table_wait,
             py::call_guard<py::gil_scoped_release>())
        .def("table_levels", &denoise_engine::table_levels)
        .def("table_bytes", &denoise_engine::table_bytes)
        .def("table_build_seconds", &denoise_engine::table_build_seconds)
        .def("table_lookups", &denoise_engine::table_lookups)
        .def("table_misses", &denoise_engine::table_misses)
        .def(
            "denoise_sigma2",
            [](denoise_engine& e,
               carr y,
               py::object sigma2,
               int mode,
               int steps,
               uint64_t seed,
               py::object items,
               py::object out_obj) {
                const auto n = y.size();
                farr sa;
                double s2c = 0.0;
                const bool per = py::isinstance<py::array>(sigma2);
                if (per) {
                    sa = sigma2.cast<farr>();
                    if (sa.size() != n)
                        throw std::invalid_argument(
                            "sigma2 must be a number or have one value per sample");
                } else {
                    s2c = sigma2.cast<double>();
                }
                uarr ia;
                if (!items.is_none()) {
                    ia = items.cast<uarr>();
                    if (ia.size() != n)
                        throw std::invalid_argument(
                            "items must have one index per sample");
                }
                // out: a writable C-contiguous complex64 [N] to fill in place (no copy)
                carr out;
                if (out_obj.is_none()) {
                    out = carr(n);
                } else {
                    auto a = py::array::ensure(out_obj);
                    if (!a || !py::isinstance<carr>(a) || !a.writeable() ||
                        !(a.flags() & py::array::c_style) || a.size() != n)
                        throw std::invalid_argument(
                            "out must be a writable contiguous complex64 array of N");
                    out = py::reinterpret_borrow<carr>(a);
                }
                uint64_t clamped;
                {
                    py::gil_scoped_release nogil;
                    clamped = e.denoise_sigma2(y.data(),
                                               per ? sa.data() : nullptr,
                                               s2c,
                                               int(n),
                                               mode,
                                               steps,
                                               seed,
                                               items.is_none() ? nullptr : ia.data(),
                                               out.mutable_data());
                }
                return py::make_tuple(out, clamped);
            },
            py::arg("y"),
            py::arg("sigma2"),
            py::arg("mode") = 0,
            py::arg("steps") = 5,
            py::arg("seed") = 0,
            py::arg("items") = py::none(),
            py::arg("out") = py::none(),
            "complex64 [N] y, sigma2 (a number or float32 [N], noise variance per complex "
            "sample; the matched steps are found here), mode 0..3, DDIM steps, seed, "
            "uint64 [N] item indices (None: 0..N-1), out (None, or a writable complex64 "
            "[N] filled in place) -> (complex64 [N], clamped count)")
        .def("num_steps", &denoise_engine::num_steps)
        .def("engine_name", &denoise_engine::engine_name)
        .def("engine_note", &denoise_engine::engine_note)
        .def("threads", &denoise_engine::threads)
        .def("matched_step", &denoise_engine::matched_step, py::arg("sigma2"))
        .def("flops_per_eval", &denoise_engine::flops_per_eval)
        .def(
            "denoise",
            [](denoise_engine& e,
               carr y,
               py::object t,
               int mode,
               int steps,
               uint64_t seed,
               py::object items) {
                const auto n = y.size();
                iarr ta;
                if (!t.is_none()) {
                    ta = t.cast<iarr>();
                    if (ta.size() != n)
                        throw std::invalid_argument("t must have one step per sample");
                }
                uarr ia;
                if (!items.is_none()) {
                    ia = items.cast<uarr>();
                    if (ia.size() != n)
                        throw std::invalid_argument(
                            "items must have one index per sample");
                }
                carr out(n);
                {
                    py::gil_scoped_release nogil;
                    e.denoise(y.data(),
                              t.is_none() ? nullptr : ta.data(),
                              int(n),
                              mode,
                              steps,
                              seed,
                              items.is_none() ? nullptr : ia.data(),
                              out.mutable_data());
                }
                return out;
            },
            py::arg("y"),
            py::arg("t"),
            py::arg("mode") = 0,
            py::arg("steps") = 5,
            py::arg("seed") = 0,
            py::arg("items") = py::none(),
            "complex64 [N] y, int [N] steps t (None for mode 3), mode 0..3, DDIM steps, "
            "seed, uint64 [N] absolute item indices (None: 0..N-1) -> complex64 [N]")
        .def(
            "predict_eps",
            [](denoise_engine& e, farr x, larr t, bool onnxruntime) {
                if (x.ndim() != 2 || x.shape(1) != 2)
                    throw std::invalid_argument("x must be float32 [N, 2]");
                const auto n = x.shape(0);
                if (t.size() != n)
                    throw std::invalid_argument("t must have one step per row of x");
                farr out({ n, py::ssize_t(2) });
                {
                    py::gil_scoped_release nogil;
                    e.predict_eps(
                        x.data(), t.data(), int(n), out.mutable_data(), onnxruntime);
                }
                return out;
            },
            py::arg("x"),
            py::arg("t"),
            py::arg("onnxruntime") = false);
}
