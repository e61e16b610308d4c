#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for licensor's tests.
#
#   scripts/pg-test-cluster.sh start DIR   create (or restart) the cluster in DIR and print its settings
#   scripts/pg-test-cluster.sh env DIR     print the settings of the running cluster in DIR
#   scripts/pg-test-cluster.sh stop DIR    stop the cluster and delete DIR
#
# The settings are KEY=value lines (values shell-quoted), e.g. for a shell:
#   set -a; eval "$(scripts/pg-test-cluster.sh start /tmp/licensor-pg)"; set +a
#
# The cluster listens on a private unix socket directory DIR/socket (trust) and on 127.0.0.1 at a
# free port (scram-sha-256); role and database `licensor`, password `licensor`; fsync off (a server crash
# still keeps every commit; only an OS crash could lose some).
# Runs as root (the server then runs as the `postgres` user, since initdb refuses root) or as
# an ordinary user. Needs Debian's postgresql-15 package; the system service may stay stopped.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
MARKER=.licensor-pg-test-cluster

die() {
    echo "pg-test-cluster: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start|stop|env DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
command=$1
dir=$2
[ -n "$dir" ] || usage
case "$dir" in /*) ;; *) dir="$(pwd)/$dir" ;; esac
dir=${dir%/}
if [ -z "$dir" ] || [ "$dir" = "/" ]; then
    die "refusing to use / as the cluster directory"
fi

data="$dir/data"
socket_dir="$dir/socket"
log="$dir/postgres.log"

# Run a command as the cluster's owner: `postgres` when we are root, ourselves otherwise.
if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    as_owner() { runuser -u postgres -- "$@"; }
else
    owner=$(id -un)
    as_owner() { "$@"; }
fi

check_binaries() {
    local tool
    for tool in initdb pg_ctl pg_isready psql; do
        [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool not found (apt-get install -y postgresql-15)"
    done
    if [ "$owner" = postgres ]; then
        id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (apt-get install -y postgresql-15)"
    fi
}

# shellcheck source=scripts/lib-free-port.sh
. "$(dirname "$0")/lib-free-port.sh"

is_running() {
    [ -f "$data/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

current_port() {
    [ -f "$dir/port" ] || die "$dir/port is missing: is $dir a cluster made by this script?"
    cat "$dir/port"
}

print_env() {
    local port
    port=$(current_port)
    printf 'DATABASE_URL=%q\n' "postgres://licensor:licensor@127.0.0.1:$port/licensor"
    printf 'PG_SOCKET_DIR=%q\n' "$socket_dir"
    printf 'PG_PORT=%q\n' "$port"
    printf 'LICENSOR_TEST_DATABASE_URL=%q\n' "postgres://licensor:licensor@127.0.0.1:$port/licensor"
    printf 'LICENSOR_TEST_PG_SOCKET_DIR=%q\n' "$socket_dir"
}

wait_ready() {
    local port=$1
    for _ in $(seq 1 100); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -d licensor -U licensor; then
            return 0
        fi
        sleep 0.1
    done
    die "the server on port $port did not accept connections within 10 s (log: $log)"
}

# Starts the server on the port in $dir/port, or on new ports if that one was taken meanwhile.
start_server() {
    local port
    for _ in 1 2 3 4 5; do
        port=$(cat "$dir/port")
        if as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 30 \
            -o "-p $port" start >/dev/null; then
            return 0
        fi
        if grep -q "could not bind\|Address already in use\|could not create any TCP/IP sockets" "$log"; then
            port=$(pick_port)
            echo "$port" | as_owner tee "$dir/port" >/dev/null
            continue
        fi
        tail -n 20 "$log" >&2 || true
        die "pg_ctl could not start the server (log: $log)"
    done
    die "could not start the server on a free port after 5 attempts (log: $log)"
}

create_cluster() {
    mkdir -p "$dir"
    [ -z "$(ls -A "$dir")" ] || die "$dir exists and is not empty (and is no cluster of this script)"
    chown "$owner" "$dir"
    chmod 0700 "$dir"
    if ! as_owner test -w "$dir"; then
        rmdir "$dir" 2>/dev/null || true
        die "user $owner cannot write $dir (a parent directory is not searchable by it; try /tmp/...)"
    fi
    # Unix socket paths are limited to 107 bytes: DIR/socket/.s.PGSQL.NNNNN must fit.
    [ ${#socket_dir} -le 90 ] || die "$dir is too long for a unix socket path; use a shorter directory"
    as_owner touch "$dir/$MARKER"
    as_owner mkdir -p "$socket_dir"
    as_owner "$PG_BIN/initdb" -D "$data" -U postgres -E UTF8 --no-locale \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
        { tail -n 20 "$dir/initdb.log" >&2; die "initdb failed (log: $dir/initdb.log)"; }
    as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF

# licensor test cluster: fast and private, never for real data.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$socket_dir'
fsync = off
full_page_writes = off
password_encryption = 'scram-sha-256'
max_connections = 50
shared_buffers = 32MB
EOF
    as_owner tee "$data/pg_hba.conf" >/dev/null <<'EOF'
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   scram-sha-256
host    all       all   ::1/128        scram-sha-256
EOF
    pick_port | as_owner tee "$dir/port" >/dev/null
}

create_role_and_database() {
    local port=$1
    local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -p "$port" -U postgres -d postgres)
    as_owner "${psql[@]}" <<'EOF' >/dev/null
SELECT 'CREATE ROLE licensor LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'licensor')
\gexec
ALTER ROLE licensor LOGIN PASSWORD 'licensor';
SELECT 'CREATE DATABASE licensor OWNER licensor ENCODING ''UTF8'''
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'licensor')
\gexec
EOF
}

case "$command" in
start)
    check_binaries
    if [ -e "$dir" ] && [ ! -f "$dir/$MARKER" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
        die "$dir exists, is not empty and was not made by this script"
    fi
    if [ -f "$dir/$MARKER" ] && [ ! -f "$data/PG_VERSION" ]; then
        rm -rf -- "$dir"  # an earlier start died half-way through initdb: begin again
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
        create_cluster
    fi
    if ! is_running; then
        start_server
    fi
    port=$(current_port)
    wait_ready "$port"
    create_role_and_database "$port"
    print_env
    ;;
env)
    is_running || die "no cluster is running in $dir (start it with: $0 start $dir)"
    print_env
    ;;
stop)
    if [ ! -e "$dir" ]; then
        exit 0
    fi
    [ -f "$dir/$MARKER" ] || die "$dir was not made by this script; not touching it"
    if is_running; then
        as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null ||
            die "pg_ctl could not stop the server in $data"
    fi
    rm -rf -- "$dir"
    ;;
*)
    usage
    ;;
esac
