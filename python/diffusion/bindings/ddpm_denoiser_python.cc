/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BINDTOOL_GEN_AUTOMATIC(0)                                                       */
/* BINDTOOL_USE_PYGCCXML(0)                                                        */
/* BINDTOOL_HEADER_FILE(ddpm_denoiser.h)                                           */
/* BINDTOOL_HEADER_FILE_HASH(27c6eb70f8b4f7dba161ab2eeffe551e)                     */

#include <pybind11/complex.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

#include <gnuradio/diffusion/ddpm_denoiser.h>
#include <ddpm_denoiser_pydoc.h>

void bind_ddpm_denoiser(py::module& m)
{
    using ddpm_denoiser = gr::diffusion::ddpm_denoiser;

    py::class_<ddpm_denoiser,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<ddpm_denoiser>>
        cls(m, "ddpm_denoiser", D(ddpm_denoiser));

    py::enum_<ddpm_denoiser::mode_t>(cls, "mode_t")
        .value("TWEEDIE", ddpm_denoiser::TWEEDIE)
        .value("DDIM", ddpm_denoiser::DDIM)
        .value("POSTERIOR", ddpm_denoiser::POSTERIOR)
        .value("PAPER", ddpm_denoiser::PAPER)
        .export_values();
    py::enum_<ddpm_denoiser::noise_source_t>(cls, "noise_source_t")
        .value("NOISE_PARAMETER", ddpm_denoiser::NOISE_PARAMETER)
        .value("NOISE_STREAM", ddpm_denoiser::NOISE_STREAM)
        .value("NOISE_BLIND", ddpm_denoiser::NOISE_BLIND)
        .export_values();
    // GRC choosers and plain Python pass ints (0 = TWEEDIE ...)
    py::implicitly_convertible<int, ddpm_denoiser::mode_t>();
    py::implicitly_convertible<int, ddpm_denoiser::noise_source_t>();

    cls.def(py::init(&ddpm_denoiser::make),
            py::arg("model_path"),
            py::arg("mode") = ddpm_denoiser::TWEEDIE,
            py::arg("ddim_steps") = 5,
            py::arg("noise_source") = ddpm_denoiser::NOISE_PARAMETER,
            py::arg("esn0_db") = 10.0,
            py::arg("provider") = "cpu",
            py::arg("intra_op_threads") = 1,
            py::arg("batch_size") = 8192,
            py::arg("seed") = 0,
            py::arg("engine") = "auto",
            py::arg("threads") = 1,
            py::arg("provider_options") = "",
            py::arg("window_hop") = 0,
            py::arg("table_mb") = 16.0,
            py::arg("server_url") = "",
            py::arg("served_model") = "",
            py::arg("request_timeout") = 2.0,
            py::arg("in_flight") = 2,
            py::arg("retries") = 1,
            D(ddpm_denoiser, make))
        .def("remote_up", &ddpm_denoiser::remote_up)
        .def("set_esn0_db", &ddpm_denoiser::set_esn0_db, py::arg("esn0_db"))
        .def("set_noise_var", &ddpm_denoiser::set_noise_var, py::arg("noise_var"))
        .def("noise_var", &ddpm_denoiser::noise_var)
        .def("set_mode", &ddpm_denoiser::set_mode, py::arg("mode"), py::arg("ddim_steps") = 5)
        .def("mode", &ddpm_denoiser::mode)
        .def("invalid_count", &ddpm_denoiser::invalid_count)
        .def("clamped_count", &ddpm_denoiser::clamped_count)
        .def("num_steps", &ddpm_denoiser::num_steps)
        .def("noise_var_min", &ddpm_denoiser::noise_var_min)
        .def("noise_var_max", &ddpm_denoiser::noise_var_max)
        .def("engine_name", &ddpm_denoiser::engine_name)
        .def("table_levels", &ddpm_denoiser::table_levels)
        .def("table_wait",
             &ddpm_denoiser::table_wait,
             py::call_guard<py::gil_scoped_release>())
        .def("window_length", &ddpm_denoiser::window_length)
        .def("window_hop", &ddpm_denoiser::window_hop)
        .def("latency", &ddpm_denoiser::latency);
}
