#!/usr/bin/env bash
# Builds the libFuzzer harness (Fuzz/, with AddressSanitizer and LeakSanitizer) and runs every parser target for a
# bounded time. Fails on any crash, sanitizer report, leak, input slower than 5 s or RSS over 2 GiB; the input that
# did it is kept in .build-fuzz/artifacts/<target>/ (replay: LICENSOR_FUZZ_TARGET=<target> <binary> <file>).
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]   (default 30 s, every target; 0 only prepares)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json envelope form webhook-json products token lease http)
scratch=.build-fuzz

# Every Swift module in the graph is instrumented for coverage and ASan; the C libraries (libyaml, OpenSSL) are not,
# but ASan still checks every access Swift makes to their memory.
swift build -c debug --package-path Fuzz --scratch-path "$scratch" --product licensor-fuzz \
    -Xswiftc -sanitize=fuzzer,address 2>&1 | grep -v "Cannot export local symbol" | grep -E "error|Compiling|Build" \
    | tail -3
binary="$scratch/debug/licensor-fuzz"
[ -x "$binary" ] || { echo "fuzz build failed" >&2; exit 1; }

rm -rf "$scratch/seeds"
scripts/fuzz-seeds.sh "$scratch/seeds" "$binary"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=0
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt:print_suppressions=0"
# 16 KiB inputs: ten times a real webhook. The unoptimised ASan build decodes about 10 000 form fields a second, so
# 64 KiB of `a&a&…` nears the 5 s timeout without any superlinear cost (checked up to 128 KiB: linear).
# The working corpus grows across local runs; a fresh clone (CI) starts from the committed, minimised corpus in
# Fuzz/corpus/ that scripts/fuzz-long.sh keeps, so each run begins where the last long run left off.
for target in "${targets[@]}"; do
    mkdir -p "$scratch/corpus/$target" "$scratch/artifacts/$target"
    if [ -d "Fuzz/corpus/$target" ]; then cp -n "Fuzz/corpus/$target"/* "$scratch/corpus/$target"/ 2>/dev/null || true; fi
done
# 0 s prepares only (build, seeds, corpora), for scripts/fuzz-long.sh; libFuzzer would read 0 as "no time limit".
[ "$seconds" -gt 0 ] || exit 0
failed=()
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target"
    log="$scratch/fuzz-$target.log"
    set +e
    LICENSOR_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 \
        -detect_leaks=1 -max_len=16384 -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$corpus" "$scratch/seeds/$target" >"$log" 2>&1
    status=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -oE "cov: [0-9]+ ft: [0-9]+" "$log" | tail -1)
    echo "fuzz $target: exit $status, ${runs:-?} runs in ${seconds}s (${rate:-?}/s), ${cov:-no coverage line}"
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        grep -E "ERROR|SUMMARY|Fatal error|Test unit written|timeout|leak" "$log" | head -20 >&2
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (logs: $scratch/fuzz-<target>.log)" >&2
    exit 1
fi
echo "fuzzing: no findings in ${targets[*]}"
