#!/usr/bin/env bash
# Puts the onnxruntime C/C++ API headers into DEST (default: ./onnxruntime-include).
#
# Debian 12 packages no onnxruntime. Debian 13 (trixie) packages 1.21 as libonnxruntime-dev,
# whose headers are plain text and architecture independent. This downloads that .deb with
# apt (signature-checked against Debian's archive keyring, a private package list: the
# system's apt sources are not touched) and unpacks only its headers. The C++ API is
# header-only over onnxruntime's versioned C API, so these 1.21 headers work with any
# libonnxruntime >= 1.21, e.g. the one inside the onnxruntime PyPI wheel.
set -euo pipefail
DEST=${1:-$PWD/onnxruntime-include}
SUITE=${ORT_DEBIAN_SUITE:-trixie}
MIRROR=${ORT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
echo "deb $MIRROR $SUITE main" > "$tmp/sources.list"
o=(-o Dir::Etc::SourceList="$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
   -o Dir::State::Lists="$tmp/lists" -o Dir::Cache="$tmp/cache" -o APT::Sandbox::User=root
   -o Debug::NoLocking=1)
apt-get "${o[@]}" -q update > "$tmp/update.log" 2>&1 || { cat "$tmp/update.log"; exit 1; }
(cd "$tmp" && apt-get "${o[@]}" -q download libonnxruntime-dev > download.log 2>&1) \
  || { cat "$tmp/download.log"; exit 1; }
dpkg-deb -x "$tmp"/libonnxruntime-dev_*.deb "$tmp/root"
SUDO=""; [ -w "$(dirname "$DEST")" ] || [ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO mkdir -p "$DEST"
$SUDO cp -r "$tmp/root/usr/include/onnxruntime/." "$DEST/"
echo "onnxruntime headers ($(basename "$tmp"/libonnxruntime-dev_*.deb)) -> $DEST"
