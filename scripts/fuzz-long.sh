#!/usr/bin/env bash
# The longer fuzzing run: at least RUNS executions per target (default 100 000), then the corpus that run grew is
# minimised with libFuzzer's merge and written back to Fuzz/corpus/<target>/, which is committed so CI and the next
# run start from it. Prints executions, rate and coverage per target; fails on any finding as scripts/fuzz.sh does.
# Usage: scripts/fuzz-long.sh [RUNS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100000}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json envelope form webhook-json products token lease http)
scratch=.build-fuzz
# A zero-second pass builds the harness, writes the seeds and copies the committed corpus in.
scripts/fuzz.sh 0 "${targets[@]}" >/dev/null
binary="$scratch/debug/licensor-fuzz"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=0
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt:print_suppressions=0"
failed=()
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target"
    log="$scratch/fuzz-long-$target.log"
    started=$(date +%s)
    set +e
    LICENSOR_FUZZ_TARGET=$target "$binary" -runs="$runs" -rss_limit_mb=2048 -timeout=5 -detect_leaks=1 \
        -max_len=16384 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$scratch/seeds/$target" \
        >"$log" 2>&1
    status=$?
    set -e
    seconds=$(($(date +%s) - started))
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -oE "cov: [0-9]+ ft: [0-9]+" "$log" | tail -1)
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        grep -E "ERROR|SUMMARY|Fatal error|Test unit written|timeout|leak" "$log" | head -20 >&2
        continue
    fi
    minimised=$(mktemp -d)
    LICENSOR_FUZZ_TARGET=$target "$binary" -merge=1 -max_len=16384 -timeout=5 "$minimised" "$corpus" \
        >"$scratch/merge-$target.log" 2>&1
    rm -rf "Fuzz/corpus/$target"
    mkdir -p "Fuzz/corpus/$target"
    cp "$minimised"/* "Fuzz/corpus/$target"/ 2>/dev/null || true
    rm -rf "$minimised"
    kept=$(find "Fuzz/corpus/$target" -type f | wc -l)
    echo "fuzz-long $target: ${executed:-?} executions in ${seconds}s, ${cov:-no coverage line}, corpus $kept inputs"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (logs: $scratch/fuzz-long-<target>.log)" >&2
    exit 1
fi
echo "fuzz-long: no findings in ${targets[*]}; minimised corpora in Fuzz/corpus/"
