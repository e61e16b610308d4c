# shellcheck shell=bash
# Sourced by scripts/test.sh and scripts/asan-test.sh: start_test_servers starts a throwaway PostgreSQL cluster and
# a PgBouncer in transaction mode in front of it under a new folder in /tmp, exports their settings
# (LICENSOR_TEST_DATABASE_URL, LICENSOR_TEST_PGBOUNCER_URL, …) and stops both when the calling script exits.

stop_test_servers() {
    scripts/pgbouncer-test.sh stop "$test_servers/pgbouncer" >/dev/null 2>&1 || true
    scripts/pg-test-cluster.sh stop "$test_servers/pg" >/dev/null 2>&1 || true
    rm -rf "$test_servers"
}

start_test_servers() {
    test_servers=$(mktemp -d /tmp/licensor-test.XXXXXX)
    chmod 755 "$test_servers"  # the postgres user must reach the cluster folder inside
    trap stop_test_servers EXIT
    scripts/pg-test-cluster.sh start "$test_servers/pg" >"$test_servers/env"
    local port
    port=$(sed -n 's/^PG_PORT=//p' "$test_servers/env")
    scripts/pgbouncer-test.sh start "$test_servers/pgbouncer" "$port" >>"$test_servers/env"
    set -a
    # shellcheck disable=SC1091
    . "$test_servers/env"
    set +a
    unset DATABASE_URL  # the tests choose their own database; the smoke test uses SQLite
    echo "PostgreSQL on port $port; PgBouncer at ${LICENSOR_TEST_PGBOUNCER_URL:-?}"
}
