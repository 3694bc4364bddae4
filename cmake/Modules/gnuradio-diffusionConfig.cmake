find_package(PkgConfig)

PKG_CHECK_MODULES(PC_GR_DIFFUSION gnuradio-diffusion)

FIND_PATH(
    GR_DIFFUSION_INCLUDE_DIRS
    NAMES gnuradio/diffusion/api.h
    HINTS $ENV{DIFFUSION_DIR}/include
        ${PC_DIFFUSION_INCLUDEDIR}
    PATHS ${CMAKE_INSTALL_PREFIX}/include
          /usr/local/include
          /usr/include
)

FIND_LIBRARY(
    GR_DIFFUSION_LIBRARIES
    NAMES gnuradio-diffusion
    HINTS $ENV{DIFFUSION_DIR}/lib
        ${PC_DIFFUSION_LIBDIR}
    PATHS ${CMAKE_INSTALL_PREFIX}/lib
          ${CMAKE_INSTALL_PREFIX}/lib64
          /usr/local/lib
          /usr/local/lib64
          /usr/lib
          /usr/lib64
          )

include("${CMAKE_CURRENT_LIST_DIR}/gnuradio-diffusionTarget.cmake")

INCLUDE(FindPackageHandleStandardArgs)
FIND_PACKAGE_HANDLE_STANDARD_ARGS(GR_DIFFUSION DEFAULT_MSG GR_DIFFUSION_LIBRARIES GR_DIFFUSION_INCLUDE_DIRS)
MARK_AS_ADVANCED(GR_DIFFUSION_LIBRARIES GR_DIFFUSION_INCLUDE_DIRS)
