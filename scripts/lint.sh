#!/usr/bin/env bash
# Lint and format checks (CI runs them through scripts/test.sh, before the tests):
#   ruff check + ruff format --check   Python (ruff.toml: 100 columns)
#   clang-format --dry-run --Werror    C++ in lib/ and include/ (.clang-format)
# --fix applies the formatters and ruff's safe fixes instead of checking.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUFF=${VENV:-$ROOT/.venv}/bin/ruff
mapfile -t cxx < <(git ls-files 'lib/*.cc' 'lib/*.h' 'include/*.h' 2>/dev/null || \
                   find lib include -name '*.cc' -o -name '*.h')
status=0
if [ "${1:-}" = "--fix" ]; then
  "$RUFF" check --fix . ; "$RUFF" format . ; clang-format -i "${cxx[@]}"
  exit 0
fi
echo "== ruff check =="
"$RUFF" check . || status=1
echo "== ruff format --check =="
"$RUFF" format --check . || status=1
echo "== clang-format --dry-run --Werror (${#cxx[@]} files) =="
clang-format --dry-run --Werror "${cxx[@]}" || status=1
[ $status -eq 0 ] && echo "lint: clean"
exit $status
