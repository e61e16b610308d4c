#!/usr/bin/env bash
# The test suite under AddressSanitizer (with LeakSanitizer): a separate build in .build-asan. The tests that run
# the built binary as a process use the ordinary debug build (scripts/test.sh builds it); the library code they
# exercise in-process is instrumented. Needs the same servers as scripts/test.sh, which this script starts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d /tmp/licensor-asan.XXXXXX)
chmod 755 "$root"
trap 'scripts/pgbouncer-test.sh stop "$root/pgbouncer" >/dev/null 2>&1 || true
      scripts/pg-test-cluster.sh stop "$root/pg" >/dev/null 2>&1 || true; rm -rf "$root"' EXIT
scripts/pg-test-cluster.sh start "$root/pg" >"$root/env"
scripts/pgbouncer-test.sh start "$root/pgbouncer" "$(sed -n 's/^PG_PORT=//p' "$root/env")" >>"$root/env"
set -a
# shellcheck disable=SC1091
. "$root/env"
set +a
unset DATABASE_URL
swift build --product licensor 2>&1 | grep -E "error|Build" | tail -1
# Leaks inside the Swift runtime's and the test harness's own one-time allocations are not ours.
export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan-suppressions.txt:print_suppressions=0
set +e
swift test --sanitize=address --scratch-path .build-asan 2>&1 | tee "$root/asan.log" \
    | grep -E "^✘|ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY|Test run with|leak of|^    #[0-9]+ "
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { echo "swift test under ASan failed (exit $status)" >&2; exit "$status"; }
