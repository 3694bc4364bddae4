#!/usr/bin/env bash
# Lint and format checks (CI runs them through scripts/test.sh, before the tests):
#   ruff check + ruff format --check   Python (ruff.toml: 100 columns)
#   clang-format --dry-run --Werror    C++ in lib/ and include/ (.clang-format)
# --fix applies the formatters and ruff's safe fixes instead of checking, then refreshes the
# bindings' header hashes and docstring templates.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUFF=${VENV:-$ROOT/.venv}/bin/ruff
mapfile -t cxx < <(git ls-files 'lib/*.cc' 'lib/*.h' 'include/*.h' 2>/dev/null || \
                   find lib include -name '*.cc' -o -name '*.h')
status=0
if [ "${1:-}" = "--fix" ]; then
  "$RUFF" check --fix . ; "$RUFF" format . ; clang-format -i "${cxx[@]}"
  # formatted headers change the md5 GNU Radio's CMake checks in every binding, and the
  # docstring templates generated from them
  for f in python/diffusion/bindings/*_python.cc; do
    h=$(sed -n 's/.*BINDTOOL_HEADER_FILE(\([a-z_0-9]*\.h\)).*/\1/p' "$f")
    [ -n "$h" ] || continue
    sum=$(md5sum "include/gnuradio/diffusion/$h" | cut -d' ' -f1)
    sed -i "s/BINDTOOL_HEADER_FILE_HASH([0-9a-f]*)/BINDTOOL_HEADER_FILE_HASH($sum)/" "$f"
  done
  "${VENV:-$ROOT/.venv}/bin/python" scripts/fill_pydoc_templates.py
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
