#!/usr/bin/env bash
# The whole test suite: builds, starts a throwaway PostgreSQL cluster and a PgBouncer in transaction mode in front
# of it, runs `swift test` (every store test runs on SQLite and PostgreSQL) and the recorded-event smoke test, then
# stops the servers. README.md names this command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib-test-servers.sh
. scripts/lib-test-servers.sh
start_test_servers

swift build --build-tests 2>&1 | grep -E "error|Build" | tail -3
set +e
swift test 2>&1 | tee "$test_servers/swift-test.log" | grep -E "^✘|error:|Test run with"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { echo "swift test failed (exit $status)" >&2; exit "$status"; }
scripts/smoke.sh
