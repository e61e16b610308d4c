# shellcheck shell=bash
# Sourced by the test-server scripts: finds a free TCP port on this machine. Needs a `die` function.

# Is TCP port $1 free on this machine? Reads the kernel's listening sockets (no ss/netstat needed).
port_is_free() {
    local hex
    hex=$(printf '%04X' "$1")
    ! awk -v port="$hex" 'NR > 1 && $4 == "0A" { split($2, a, ":"); if (a[2] == port) found = 1 }
        END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Prints a free port from 20000-59999.
pick_port() {
    local port tries=0
    while [ $tries -lt 200 ]; do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if port_is_free "$port"; then
            echo "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    die "could not find a free TCP port"
}
