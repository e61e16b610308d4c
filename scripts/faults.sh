#!/usr/bin/env bash
# Fault tests, scripted and repeatable: PostgreSQL stopped and killed mid-burst, Postmark stalling and failing, and
# the process SIGKILLed before each pipeline step. Builds a binary with fault points (-D LICENSOR_FAULT_POINTS,
# never in a release), starts a throwaway PostgreSQL cluster and a stand-in Postmark, and checks that after replay
# every sale has exactly one license and one email.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --scratch-path .build-faults -Xswiftc -DLICENSOR_FAULT_POINTS --product licensor 2>&1 | tail -1
root=$(mktemp -d /tmp/licensor-faults.XXXXXX)
chmod 755 "$root"
cleanup() {
    scripts/pg-test-cluster.sh stop "$root/pg" >/dev/null 2>&1 || true
    rm -rf "$root"
}
trap cleanup EXIT
scripts/pg-test-cluster.sh start "$root/pg" >"$root/env"
python3 scripts/faults.py .build-faults/debug/licensor "$root"
