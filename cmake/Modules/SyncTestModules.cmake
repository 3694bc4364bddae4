# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# cmake -DSRC=<python/diffusion> -DDST=<build/test_modules/gnuradio/diffusion> -P this file
# Mirrors the Python sources of SRC into DST: Python files in DST that SRC no longer has are
# removed (compiled bindings and other build products are kept).
file(GLOB_RECURSE _old RELATIVE ${DST} ${DST}/*.py)
foreach(f ${_old})
  if(NOT EXISTS ${SRC}/${f})
    file(REMOVE ${DST}/${f})
  endif()
endforeach()
file(COPY ${SRC}/ DESTINATION ${DST} FILES_MATCHING PATTERN "*.py" PATTERN "bindings" EXCLUDE
     PATTERN "__pycache__" EXCLUDE)
