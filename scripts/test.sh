#!/usr/bin/env bash
# Installs everything (scripts/install.sh), then runs the whole test suite:
#   ctest   C++ QA (Boost) and the GNU Radio QA flowgraphs in python/diffusion/qa_*.py
#   pytest  integration, example, flowgraph (grcc) and engine checks in tests/
# Exits non-zero when any test fails.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/install.sh" || exit 1
PY=${VENV:-$ROOT/.venv}/bin/python
status=0
echo "== ctest (build/) =="
(cd "$ROOT/build" && ctest --output-on-failure -j "$(nproc)") || status=1
echo "== pytest (tests/) =="
(cd "$ROOT" && QT_QPA_PLATFORM=offscreen "$PY" -m pytest -q -p no:cacheprovider tests "$@") || status=1
exit $status
