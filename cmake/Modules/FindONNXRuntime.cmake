# FindONNXRuntime
# ---------------
# Finds the onnxruntime C/C++ API (headers + shared library) and defines the
# imported target ONNXRuntime::ONNXRuntime.
#
# Search order:
#   1. ONNXRUNTIME_ROOT (CMake or environment variable): the layout of
#      onnxruntime's release archives (ROOT/include/onnxruntime_cxx_api.h,
#      ROOT/lib/libonnxruntime.so).
#   2. Explicit ONNXRUNTIME_INCLUDE_DIR / ONNXRUNTIME_LIBRARY cache variables.
#      scripts/install.sh uses these on Debian 12: headers from Debian's
#      libonnxruntime-dev (unpacked, not installed) and the library shipped in
#      the onnxruntime PyPI wheel of the project's virtual environment.
#   3. System packages (/usr/include/onnxruntime, libonnxruntime.so), e.g.
#      Debian 13 / Ubuntu 24.10+ `libonnxruntime-dev`.
#
# The C++ API is header-only over the versioned C API: a library at least as
# new as the headers works (checked below when both versions are known).
#
# Result variables: ONNXRuntime_FOUND, ONNXRuntime_VERSION (of the headers'
# ORT_API_VERSION), ONNXRUNTIME_INCLUDE_DIR, ONNXRUNTIME_LIBRARY.

if(NOT ONNXRUNTIME_ROOT AND DEFINED ENV{ONNXRUNTIME_ROOT})
  set(ONNXRUNTIME_ROOT "$ENV{ONNXRUNTIME_ROOT}")
endif()

if(ONNXRUNTIME_ROOT)
  find_path(ONNXRUNTIME_INCLUDE_DIR onnxruntime_cxx_api.h
    PATHS "${ONNXRUNTIME_ROOT}/include"
    PATH_SUFFIXES onnxruntime onnxruntime/core/session
    NO_DEFAULT_PATH)
  find_library(ONNXRUNTIME_LIBRARY NAMES onnxruntime
    PATHS "${ONNXRUNTIME_ROOT}/lib" "${ONNXRUNTIME_ROOT}/lib64"
    NO_DEFAULT_PATH)
endif()

find_path(ONNXRUNTIME_INCLUDE_DIR onnxruntime_cxx_api.h
  PATH_SUFFIXES onnxruntime onnxruntime/core/session)
find_library(ONNXRUNTIME_LIBRARY NAMES onnxruntime)

if(ONNXRUNTIME_INCLUDE_DIR AND EXISTS "${ONNXRUNTIME_INCLUDE_DIR}/onnxruntime_c_api.h")
  file(STRINGS "${ONNXRUNTIME_INCLUDE_DIR}/onnxruntime_c_api.h" _ort_api_line
       REGEX "^#define ORT_API_VERSION [0-9]+")
  string(REGEX REPLACE ".* ([0-9]+)$" "\\1" ONNXRUNTIME_API_VERSION "${_ort_api_line}")
  set(ONNXRuntime_VERSION "1.${ONNXRUNTIME_API_VERSION}")
endif()

# A library file named libonnxruntime.so.1.X.Y (as in the wheel) tells its version.
if(ONNXRUNTIME_LIBRARY MATCHES "libonnxruntime\\.so\\.1\\.([0-9]+)")
  set(_ort_lib_minor "${CMAKE_MATCH_1}")
  if(ONNXRUNTIME_API_VERSION AND _ort_lib_minor LESS ONNXRUNTIME_API_VERSION)
    message(FATAL_ERROR
      "onnxruntime library ${ONNXRUNTIME_LIBRARY} (1.${_ort_lib_minor}) is older "
      "than its headers in ${ONNXRUNTIME_INCLUDE_DIR} (API ${ONNXRUNTIME_API_VERSION}); "
      "use headers of the same or an older release.")
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(ONNXRuntime
  REQUIRED_VARS ONNXRUNTIME_LIBRARY ONNXRUNTIME_INCLUDE_DIR
  VERSION_VAR ONNXRuntime_VERSION)

if(ONNXRuntime_FOUND AND NOT TARGET ONNXRuntime::ONNXRuntime)
  add_library(ONNXRuntime::ONNXRuntime SHARED IMPORTED)
  set_target_properties(ONNXRuntime::ONNXRuntime PROPERTIES
    IMPORTED_LOCATION "${ONNXRUNTIME_LIBRARY}"
    IMPORTED_NO_SONAME FALSE
    INTERFACE_INCLUDE_DIRECTORIES "${ONNXRUNTIME_INCLUDE_DIR}")
  get_filename_component(ONNXRUNTIME_LIBRARY_DIR "${ONNXRUNTIME_LIBRARY}" DIRECTORY)
endif()
mark_as_advanced(ONNXRUNTIME_INCLUDE_DIR ONNXRUNTIME_LIBRARY)
