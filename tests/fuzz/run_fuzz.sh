#!/usr/bin/env bash
# Bounded fuzzing of the model-file contract (not part of ctest: run it by hand or in CI).
#   tests/fuzz/run_fuzz.sh [SECONDS_C] [SECONDS_PY] [SECONDS_DIFF]    (defaults 120 60 120)
# 1. C++: libFuzzer + ASan/UBSan on lib/model_contract.cc (tests/fuzz/fuzz_metadata.cc);
#    needs clang++ (apt-get install clang).
# 2. Python: atheris on core.onnx_model.check_metadata (pip install atheris).
# 3. Differential (atheris --diff): fuzzed metadata on the shipped QPSK graph, loaded by the
#    Python DdpmModel and the C++ ddpm_denoiser; both must agree.
# Seeds: the shipped model's metadata and the bad-model corpus (tests/bad_models.py).
# Crashing / mismatching inputs are written to tests/fuzz/regressions/ (crash-*, as
# libFuzzer names them); tests/test_model_contract.py runs every file there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SC=${1:-120}; SP=${2:-60}; SD=${3:-120}
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
export PYTHONPATH=$ROOT/build/test_modules${PYTHONPATH:+:$PYTHONPATH}
export GR_DIFFUSION_MODEL_DIR=$ROOT/models
WORK=$(mktemp -d /tmp/gr_diffusion_fuzz.XXXXXX)
REG=$ROOT/tests/fuzz/regressions
mkdir -p "$WORK/seeds" "$REG"
"$PY" - "$WORK/seeds" <<'PYEOF'
import os, sys
sys.path.insert(0, os.path.join(os.environ["GR_DIFFUSION_MODEL_DIR"], "..", "tests"))
import bad_models
out = sys.argv[1]
base = bad_models.base_metadata()
open(os.path.join(out, "base"), "wb").write(bad_models.meta_to_bytes(base))
for name, m, _ in bad_models.cases_from():
    if not isinstance(m, bytes):
        meta = bad_models._meta(m)
        if meta != base:
            open(os.path.join(out, name), "wb").write(bad_models.meta_to_bytes(meta))
PYEOF
echo "seeds: $(ls "$WORK/seeds" | wc -l)"
if command -v clang++ >/dev/null; then
  clang++ -g -O1 -std=c++17 -fsanitize=fuzzer,address,undefined -I"$ROOT/lib" -I"$ROOT/include" \
    "$ROOT/tests/fuzz/fuzz_metadata.cc" "$ROOT/lib/model_contract.cc" -o "$WORK/fuzz_metadata"
  mkdir -p "$WORK/corpus_c"; cp "$WORK"/seeds/* "$WORK/corpus_c/"
  echo "== C++ libFuzzer, $SC s =="
  "$WORK/fuzz_metadata" -max_total_time="$SC" -artifact_prefix="$REG/" -print_final_stats=1 \
    "$WORK/corpus_c" 2>&1 | grep -E "^#|Done|stat::number_of_executed_units|crash|ERROR" | tail -5 || true
else
  echo "clang++ not found: C++ fuzzing skipped"
fi
if "$PY" -c "import atheris" 2>/dev/null; then
  mkdir -p "$WORK/corpus_py" "$WORK/corpus_diff"
  cp "$WORK"/seeds/* "$WORK/corpus_py/"; cp "$WORK"/seeds/* "$WORK/corpus_diff/"
  echo "== Python atheris (check_metadata), $SP s =="
  "$PY" "$ROOT/tests/fuzz/fuzz_metadata.py" -max_total_time="$SP" -artifact_prefix="$REG/" \
    -print_final_stats=1 "$WORK/corpus_py" 2>&1 | grep -E "Done|executed_units|crash|Error" | tail -4 || true
  echo "== differential Python vs C++ loader, $SD s =="
  "$PY" "$ROOT/tests/fuzz/fuzz_metadata.py" --diff -max_total_time="$SD" -artifact_prefix="$REG/" \
    -print_final_stats=1 "$WORK/corpus_diff" 2>&1 | grep -E "Done|executed_units|crash|Error|mismatch" | tail -4 || true
else
  echo "atheris not installed: Python fuzzing skipped"
fi
echo "regression files: $(ls "$REG" | grep -v README | wc -l) in $REG"
rm -rf "$WORK"
