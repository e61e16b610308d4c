#!/usr/bin/env bash
# The whole test suite: builds, starts a throwaway PostgreSQL cluster and a PgBouncer in transaction mode in front
# of it, runs `swift test` (every store test runs on SQLite and PostgreSQL) and the recorded-event smoke test, then
# stops the servers. README.md names this command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d /tmp/licensor-test.XXXXXX)
chmod 755 "$root"  # the postgres user must reach the cluster folder inside
stop_servers() {
    scripts/pgbouncer-test.sh stop "$root/pgbouncer" >/dev/null 2>&1 || true
    scripts/pg-test-cluster.sh stop "$root/pg" >/dev/null 2>&1 || true
    rm -rf "$root"
}
trap stop_servers EXIT
scripts/pg-test-cluster.sh start "$root/pg" >"$root/env"
port=$(sed -n 's/^PG_PORT=//p' "$root/env")
scripts/pgbouncer-test.sh start "$root/pgbouncer" "$port" >>"$root/env"
set -a
# shellcheck disable=SC1091
. "$root/env"
set +a
unset DATABASE_URL  # the tests choose their own database; the smoke test uses SQLite
echo "PostgreSQL on port $port; PgBouncer at ${LICENSOR_TEST_PGBOUNCER_URL:-?}"

swift build --build-tests 2>&1 | grep -E "error|Build" | tail -3
set +e
swift test 2>&1 | tee "$root/swift-test.log" | grep -E "^✘|error:|Test run with"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { echo "swift test failed (exit $status)" >&2; exit "$status"; }
scripts/smoke.sh
