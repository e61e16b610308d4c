#!/usr/bin/env bash
# The whole test suite under AddressSanitizer (with LeakSanitizer) in its own scratch path: builds the library, the
# tests and the `licensor` binary with ASan, points the process tests at that binary, and runs `swift test` against
# a throwaway PostgreSQL cluster and PgBouncer, as scripts/test.sh does. .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-asan
# shellcheck source=scripts/lib-test-servers.sh
. scripts/lib-test-servers.sh
start_test_servers

# LSan suppressions for allocations that are not licensor's (see scripts/lsan-suppressions.txt).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan-suppressions.txt:print_suppressions=0"
swift build --sanitize=address --scratch-path "$scratch" --build-tests 2>&1 | grep -E "error|Build" | tail -3
export LICENSOR_BINARY="$PWD/$scratch/debug/licensor"
export LICENSOR_SANITIZED_BINARY=1  # tells the Lambda memory test that ASan's quarantine inflates RSS
[ -x "$LICENSOR_BINARY" ] || { echo "ASan build of licensor failed" >&2; exit 1; }
set +e
swift test --sanitize=address --scratch-path "$scratch" 2>&1 | tee "$scratch/swift-test.log" \
    | grep -E "^✘|error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY|Test run with"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { echo "swift test under ASan failed (exit $status)" >&2; exit "$status"; }
echo "ASan test run passed"
