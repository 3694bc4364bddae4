#!/usr/bin/env bash
# Installs everything (scripts/install.sh), then runs the main job: the headless DDPM demo on
# the shipped models (examples/ddpm_demo.py), which prints a before/after table and writes a
# constellation plot (ddpm_demo.png). Extra arguments go to the demo.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/install.sh"
exec "${VENV:-$ROOT/.venv}/bin/python" "$ROOT/examples/ddpm_demo.py" "$@"
