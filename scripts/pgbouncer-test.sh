#!/usr/bin/env bash
# A throwaway PgBouncer in transaction pool mode in front of the test cluster.
#
#   scripts/pgbouncer-test.sh start DIR DATABASE_PORT   start it (config, logs in DIR), print its settings
#   scripts/pgbouncer-test.sh stop DIR                  stop it and delete DIR
#
# DATABASE_PORT is the TCP port of scripts/pg-test-cluster.sh's cluster on 127.0.0.1. PgBouncer
# listens on 127.0.0.1 at a free port, authenticates clients with scram-sha-256 from a userlist
# (licensor/licensor) and logs into the server with the same credentials. Output is KEY=value:
#   set -a; eval "$(scripts/pgbouncer-test.sh start /tmp/licensor-pgbouncer "$PG_PORT")"; set +a
# Installs Debian's pgbouncer package when it is missing (needs root).
set -euo pipefail

MARKER=.licensor-pgbouncer-test

die() {
    echo "pgbouncer-test: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start DIR DATABASE_PORT | stop DIR" >&2
    exit 2
}

[ $# -ge 2 ] || usage
command=$1
dir=$2
case "$dir" in /*) ;; *) dir="$(pwd)/$dir" ;; esac
dir=${dir%/}
[ -n "$dir" ] || die "refusing to use / as the directory"

if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    as_owner() { runuser -u postgres -- "$@"; }
else
    owner=$(id -un)
    as_owner() { "$@"; }
fi

# shellcheck source=scripts/lib-free-port.sh
. "$(dirname "$0")/lib-free-port.sh"

pid_running() {
    [ -f "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
}

print_env() {
    local port
    port=$(cat "$dir/port")
    printf 'PGBOUNCER_DATABASE_URL=%q\n' "postgres://licensor:licensor@127.0.0.1:$port/licensor"
    printf 'PGBOUNCER_PORT=%q\n' "$port"
    printf 'LICENSOR_TEST_PGBOUNCER_URL=%q\n' "postgres://licensor:licensor@127.0.0.1:$port/licensor"
}

ensure_installed() {
    command -v pgbouncer >/dev/null 2>&1 && return 0
    [ "$(id -u)" -eq 0 ] || die "pgbouncer is not installed (apt-get install -y pgbouncer)"
    echo "pgbouncer-test: installing Debian's pgbouncer package" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >&2 ||
        { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >&2; } ||
        die "apt-get install pgbouncer failed"
}

write_config() {
    local database_port=$1 port=$2
    as_owner tee "$dir/userlist.txt" >/dev/null <<'EOF'
"licensor" "licensor"
EOF
    as_owner chmod 0600 "$dir/userlist.txt"
    as_owner tee "$dir/pgbouncer.ini" >/dev/null <<EOF
; licensor test PgBouncer: transaction pooling, as in production setups that share server connections.
[databases]
licensor = host=127.0.0.1 port=$database_port dbname=licensor

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 100
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
}

case "$command" in
start)
    [ $# -eq 3 ] || usage
    database_port=$3
    case "$database_port" in '' | *[!0-9]*) die "DATABASE_PORT must be a number, got '$database_port'" ;; esac
    ensure_installed
    if [ -e "$dir" ] && [ ! -f "$dir/$MARKER" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
        die "$dir exists, is not empty and was not made by this script"
    fi
    if pid_running; then
        print_env
        exit 0
    fi
    mkdir -p "$dir"
    chown "$owner" "$dir"
    chmod 0700 "$dir"
    if ! as_owner test -w "$dir"; then
        rmdir "$dir" 2>/dev/null || true
        die "user $owner cannot write $dir (a parent directory is not searchable by it; try /tmp/...)"
    fi
    as_owner touch "$dir/$MARKER"
    for _ in 1 2 3 4 5; do
        port=$(pick_port)
        echo "$port" | as_owner tee "$dir/port" >/dev/null
        write_config "$database_port" "$port"
        as_owner rm -f "$dir/pgbouncer.pid"
        if as_owner pgbouncer -d -q "$dir/pgbouncer.ini"; then
            for _ in $(seq 1 100); do
                if pid_running && ! port_is_free "$port"; then
                    print_env
                    exit 0
                fi
                sleep 0.1
            done
        fi
        grep -q "Address already in use" "$dir/pgbouncer.log" 2>/dev/null && continue
        tail -n 20 "$dir/pgbouncer.log" >&2 2>/dev/null || true
        die "pgbouncer did not start (log: $dir/pgbouncer.log)"
    done
    die "pgbouncer found no free port after 5 attempts"
    ;;
stop)
    [ -e "$dir" ] || exit 0
    [ -f "$dir/$MARKER" ] || die "$dir was not made by this script; not touching it"
    if pid_running; then
        pid=$(cat "$dir/pgbouncer.pid")
        kill -TERM "$pid"
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf -- "$dir"
    ;;
*)
    usage
    ;;
esac
