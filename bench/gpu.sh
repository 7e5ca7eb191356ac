#!/usr/bin/env bash
# Every GPU benchmark as one prepared run, for a lent GPU machine (its python3 has torch; what it lacks travels as
# wheels in .whl, made here by `make gpu-wheels`). Usage: bench/gpu.sh [--tiny] [NAME ...]
#   NAME: zimage_gpu train controlnet upscale instruct_gpu (default: all, in that order, most wanted first)
#   --tiny: each benchmark's CPU dry run in this environment (what the test suite runs, so this script keeps working);
#           without it, the wheels in .whl (if any) are installed into /tmp/zflow-site and put first on the path
# Each benchmark's output goes to $OUT/NAME.log (OUT defaults to bench/out) and its last line, one JSON object, to
# $OUT/gpu.jsonl (made anew by each run); a benchmark stopped at its limit (LIMIT seconds, default 480) or failing
# is recorded there as {"bench": NAME, "failed": ...} and the next one still runs. Exits non-zero when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
tiny=()
if [ "${1:-}" = "--tiny" ]; then tiny=(--tiny); shift; fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(zimage_gpu train controlnet upscale instruct_gpu)
for name in "${names[@]}"; do
  [ -f "bench/$name.py" ] || { echo "bench/gpu.sh: no benchmark bench/$name.py" >&2; exit 2; }
done
out=${OUT:-bench/out}
mkdir -p "$out"
: >"$out/gpu.jsonl"
python=${PYTHON:-python3}
if [ ${#tiny[@]} -eq 0 ] && compgen -G ".whl/*.whl" >/dev/null; then
  "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/zflow-site \
    .whl/*.whl || exit 2
  export PYTHONPATH=/tmp/zflow-site${PYTHONPATH:+:$PYTHONPATH}
fi
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
failed=0
for name in "${names[@]}"; do
  echo "== $name ($(date -u +%H:%M:%S))"
  timeout "${LIMIT:-480}" "$python" "bench/$name.py" "${tiny[@]}" >"$out/$name.log" 2>&1
  code=$?
  tail -n 3 "$out/$name.log"
  last=$(tail -n 1 "$out/$name.log")
  if [ $code -eq 0 ] && [ "${last:0:1}" = "{" ]; then
    echo "{\"bench\": \"$name\", \"result\": $last}" >>"$out/gpu.jsonl"
  else
    failed=1
    echo "{\"bench\": \"$name\", \"failed\": \"exit $code$([ $code -eq 124 ] && echo ", over ${LIMIT:-480} s")\"}" \
      >>"$out/gpu.jsonl"
  fi
done
exit $failed
