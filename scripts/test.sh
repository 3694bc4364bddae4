#!/usr/bin/env bash
# Installs everything (scripts/install.sh), runs the linters (scripts/lint.sh), then the whole
# test suite through ctest, the one test entry (docs/development.md):
#   C++ QA (Boost, lib/qa_*.cc), GNU Radio QA flowgraphs (python/diffusion/qa_*.py) and every
#   pytest file (tests/test_*.py: integration, example, flowgraph (grcc) and engine checks).
# Exits non-zero when lint or any test fails.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/install.sh" || exit 1
status=0
echo "== lint (scripts/lint.sh) =="
bash "$ROOT/scripts/lint.sh" || status=1
echo "== ctest (build/) =="
(cd "$ROOT/build" && ctest --output-on-failure -j "$(nproc)" "$@") || status=1
exit $status
