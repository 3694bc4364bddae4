#!/usr/bin/env bash
# Installs everything gr-diffusion needs on Debian 12 (bookworm) or a close Ubuntu,
# then builds and installs the module. Safe to re-run: every step checks first.
#
#   Debian packages   GNU Radio 3.10, Debian's pybind11 (must match GNU Radio's), cmake, g++ ...
#   .venv/            Python venv from /usr/bin/python3 with --system-site-packages
#                     (sees GNU Radio) + requirements.txt, NumPy pinned < 2
#   onnxruntime C++   system package if present, else ONNXRUNTIME_ROOT, else assembled in
#                     $ORT_HOME: headers from Debian 13's libonnxruntime-dev (unpacked, not
#                     installed) + libonnxruntime.so from the onnxruntime PyPI wheel
#   build/            cmake build, installed to $PREFIX (default /usr/local)
#
# Environment: PREFIX, VENV, ORT_HOME, ONNXRUNTIME_ROOT, JOBS, ORT_FLAVOUR.
#   ORT_FLAVOUR=gpu   onnxruntime-gpu (CUDA + TensorRT execution providers) instead of
#                     onnxruntime, same version as requirements.txt pins (ORT_GPU_VERSION
#                     overrides), for the Python block and the C++ SDK alike (its provider
#                     libraries are copied next to libonnxruntime.so). CUDA 12 / cuDNN 9 /
#                     TensorRT libraries must be installed separately (NVIDIA's packages).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
VENV=${VENV:-$ROOT/.venv}
JOBS=${JOBS:-$(nproc)}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
log() { printf '\033[1m[install]\033[0m %s\n' "$*"; }

# ---------------------------------------------------------------- Debian packages
# GNU Radio Companion's GUI: GTK 3 introspection data + cairo bindings (Recommends of
# python3-gi, skipped by --no-install-recommends); xdotool + x11-apps (xwd) let
# tests/test_grc_gui.py find GRC's window under Xvfb and take a screenshot.
APT_PKGS=(gnuradio-dev pybind11-dev cmake g++ make pkg-config libvolk2-dev libspdlog-dev
          libfmt-dev libgmp-dev libboost-test-dev python3-venv python3-dev python3-numpy
          python3-scipy git xvfb xauth clang-format gir1.2-gtk-3.0 python3-gi-cairo xdotool
          x11-apps gr-satellites)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ---------------------------------------------------------------- Python venv
PY=$VENV/bin/python
if [ ! -x "$PY" ]; then
  log "creating $VENV (system site packages, for GNU Radio)"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
fi
ORT_FLAVOUR=${ORT_FLAVOUR:-cpu}
case "$ORT_FLAVOUR" in cpu|gpu) ;; *) echo "ORT_FLAVOUR must be cpu or gpu" >&2; exit 1;; esac
ort_pin=$(sed -n 's/^onnxruntime==\([0-9.]*\).*/\1/p' "$ROOT/requirements.txt")
stamp=$VENV/.gr-diffusion-requirements
want=$( (cat "$ROOT/requirements.txt" "$ROOT/constraints.txt"; echo "$ORT_FLAVOUR") \
        | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if [ "$ORT_FLAVOUR" = gpu ]; then
    gpu_ver=${ORT_GPU_VERSION:-$ort_pin}
    log "pip install -r requirements.txt (onnxruntime-gpu==$gpu_ver for onnxruntime)"
    reqs=$(mktemp)
    grep -v '^onnxruntime==' "$ROOT/requirements.txt" > "$reqs"
    "$PY" -m pip uninstall -q -y onnxruntime > /dev/null 2>&1 || true
    "$PY" -m pip install -q --disable-pip-version-check \
        -r "$reqs" "onnxruntime-gpu==$gpu_ver" -c "$ROOT/constraints.txt"
    rm -f "$reqs"
  else
    log "pip install -r requirements.txt -c constraints.txt"
    "$PY" -m pip uninstall -q -y onnxruntime-gpu > /dev/null 2>&1 || true
    "$PY" -m pip install -q --disable-pip-version-check \
        -r "$ROOT/requirements.txt" -c "$ROOT/constraints.txt"
  fi
  echo "$want" > "$stamp"
fi
"$PY" -c "import numpy, onnxruntime, gnuradio.gr" \
  || { echo "venv $VENV cannot import numpy/onnxruntime/gnuradio" >&2; exit 1; }

# ---------------------------------------------------------------- onnxruntime C/C++ API
cmake_ort=()
if [ -n "${ONNXRUNTIME_ROOT:-}" ]; then
  cmake_ort=(-DONNXRUNTIME_ROOT="$ONNXRUNTIME_ROOT")
elif [ -f /usr/include/onnxruntime/onnxruntime_cxx_api.h ] && ldconfig -p | grep -q libonnxruntime.so; then
  log "using the system's onnxruntime"
else
  ort_ver=$("$PY" -c "import onnxruntime; print(onnxruntime.__version__)")
  if [ "$ORT_FLAVOUR" = gpu ]; then
    ORT_HOME=${ORT_HOME:-/opt/onnxruntime-gpu-$ort_ver}
  else
    ORT_HOME=${ORT_HOME:-/opt/onnxruntime-$ort_ver}
  fi
  if [ ! -f "$ORT_HOME/include/onnxruntime_cxx_api.h" ] || [ ! -e "$ORT_HOME/lib/libonnxruntime.so" ]; then
    log "assembling onnxruntime $ort_ver C++ SDK in $ORT_HOME"
    "$ROOT/scripts/fetch_onnxruntime_headers.sh" "$ORT_HOME/include"
    wheel_lib=$("$PY" -c "import onnxruntime, glob, os; print(glob.glob(os.path.join(os.path.dirname(onnxruntime.__file__), 'capi', 'libonnxruntime.so.*'))[0])")
    $SUDO mkdir -p "$ORT_HOME/lib"
    $SUDO cp "$wheel_lib" "$ORT_HOME/lib/"
    # GPU wheels: the CUDA / TensorRT provider libraries live beside libonnxruntime.so
    for prov_lib in "$(dirname "$wheel_lib")"/libonnxruntime_providers_*.so; do
      [ -e "$prov_lib" ] && $SUDO cp "$prov_lib" "$ORT_HOME/lib/"
    done
    base=$(basename "$wheel_lib")
    $SUDO ln -sf "$base" "$ORT_HOME/lib/libonnxruntime.so.1"
    $SUDO ln -sf "$base" "$ORT_HOME/lib/libonnxruntime.so"
  fi
  cmake_ort=(-DONNXRUNTIME_ROOT="$ORT_HOME")
fi

# ---------------------------------------------------------------- build + install
BUILD=$ROOT/build
# Debian's python3 looks in $PREFIX/lib/python3.X/dist-packages for PREFIX=/usr/local.
pydir=$(/usr/bin/python3 -c "import sys; print(f'lib/python3.{sys.version_info.minor}/dist-packages')")
cached_ort=$(sed -n 's/^ONNXRUNTIME_ROOT:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
want_ort=""
[ ${#cmake_ort[@]} -eq 0 ] || want_ort=${cmake_ort[0]#-DONNXRUNTIME_ROOT=}
if [ ! -f "$BUILD/Makefile" ] || { [ ${#cmake_ort[@]} -gt 0 ] && [ "$cached_ort" != "$want_ort" ]; }; then
  log "configuring $BUILD"
  mkdir -p "$BUILD"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" \
        -DPYTHON_EXECUTABLE="$PY" -DGR_PYTHON_DIR="$pydir" \
        -DENABLE_DOXYGEN=OFF "${cmake_ort[@]}" > "$BUILD/configure.log" 2>&1 \
    || { cat "$BUILD/configure.log"; exit 1; }
fi
log "building ($JOBS jobs)"
cmake --build "$BUILD" -j "$JOBS" > "$BUILD/build.log" 2>&1 \
  || { tail -60 "$BUILD/build.log"; echo "build failed: $BUILD/build.log" >&2; exit 1; }
$SUDO cmake --install "$BUILD" > "$BUILD/install.log" 2>&1 \
  || { tail -20 "$BUILD/install.log"; exit 1; }
$SUDO ldconfig
"$PY" -c "from gnuradio import diffusion" \
  || { echo "installed, but 'from gnuradio import diffusion' fails" >&2; exit 1; }
log "done: $PY sees gnuradio.diffusion (installed under $PREFIX)"
