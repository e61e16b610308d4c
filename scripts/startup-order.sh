#!/usr/bin/env bash
# Writes Sources/licensor/StaticLinking/startup-order.txt, the order lld lays out the release binary's functions in
# (--symbol-ordering-file, see Package.swift): every function the one-request paths run, so they share a few dozen
# pages at the front of .text instead of touching pages all over its 13 MB (each a page fault at every start).
#   scripts/startup-order.sh
# The paths: the 404 probe, /healthz, a Gumroad sale on SQLite (JSON envelope, raw HTTP, a repeated delivery), a
# sale from each signed storefront, activate and validate, and a sale and /healthz on PostgreSQL. Each runs once
# under callgrind, which lists every function executed (on a copy stripped of DWARF: valgrind 3.19 cannot read
# Swift 6.3's). Re-run it after changing what a request runs; .ci/run fails when most listed functions are gone.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "startup-order: needs valgrind (apt-get install -y valgrind)" >&2; exit 1; }
scripts/build-release.sh 2>&1 | tail -1
work=$(mktemp -d /tmp/licensor-order.XXXXXX)
chmod 755 "$work"
cleanup() {
    scripts/pg-test-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
objcopy --strip-debug .build/release/licensor "$work/licensor"
openssl genpkey -algorithm ed25519 -out "$work/key.pem" 2>/dev/null
chmod 600 "$work/key.pem"
export PRODUCTS_FILE="$PWD/config/products.yaml" EMAIL_TEMPLATES_DIR="$PWD/config" \
    LOG_LEVEL=warning LICENSE_SIGNING_KEY="$work/key.pem" DATABASE_URL="sqlite:$work/licensor.sqlite3" \
    GUMROAD_WEBHOOK_SECRET=demo-secret STRIPE_WEBHOOK_SECRET=whsec_order LEMONSQUEEZY_WEBHOOK_SECRET=ls-order \
    PADDLE_WEBHOOK_SECRET=pdl_ntfset_order POLAR_WEBHOOK_SECRET=polar_whs_order
profile() {  # profile NAME [STATUS] < REQUEST: runs one request under callgrind, which must answer STATUS (200)
    valgrind --tool=callgrind --demangle=no --compress-strings=no --callgrind-out-file="$work/$1.out" \
        "$work/licensor" >"$work/$1.response" 2>>"$work/valgrind.log"
    echo "$work/$1.out" >>"$work/profiles"
    # A profile of an error path would order the wrong functions: each request must get the answer it is made for.
    local status
    status=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["statusCode"])' <"$work/$1.response" 2>/dev/null ||
        head -c 12 "$work/$1.response" | cut -d" " -f2)
    [ "$status" = "${2:-200}" ] || { echo "startup-order: $1 answered $status" >&2; exit 1; }
}
envelope() {  # envelope METHOD PATH [BODY]
    python3 -c 'import json, sys; print(json.dumps({"method": sys.argv[1], "path": sys.argv[2], "headers":
        {"Content-Type": "application/x-www-form-urlencoded"}, "body": sys.argv[3]}))' "$1" "$2" "${3:-}"
}
gumroad="$(python3 -c 'import json; print(json.load(open("events/gumroad/sale.json"))["body"])')"
envelope GET /no-such-route | profile probe 404
envelope GET /healthz | profile healthz
envelope POST /webhooks/gumroad?secret=demo-secret "$gumroad" | profile gumroad
envelope POST /webhooks/gumroad?secret=demo-secret "$gumroad" | profile gumroad-again
printf 'POST /webhooks/gumroad?secret=demo-secret HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s' \
    application/x-www-form-urlencoded "${#gumroad}" "${gumroad/sale_id=/sale_id=RAW}" | profile raw-http
scripts/sign-event.py stripe events/stripe/checkout-session-completed.json whsec_order | profile stripe
scripts/sign-event.py lemonsqueezy events/lemonsqueezy/order-created.json ls-order | profile lemonsqueezy
scripts/sign-event.py paddle events/paddle/transaction-completed-custom-email.json pdl_ntfset_order | profile paddle
scripts/sign-event.py polar events/polar/order-paid.json polar_whs_order | profile polar
key=$(sqlite3 "$work/licensor.sqlite3" "select license_key from licenses where source = 'gumroad' limit 1")
envelope POST /v1/licenses/activate "license_key=$key&instance_name=Order&fingerprint=order-fp" | profile activate
envelope POST /v1/licenses/validate "license_key=$key&fingerprint=order-fp" | profile validate
# The zero-filled variables a start touches (.bss, one page fault per page touched) are laid out together too; lackey
# lists every address a run reads or writes.
trace() {  # trace NAME < REQUEST
    valgrind --tool=lackey --trace-mem=yes --log-file="$work/$1.trace" "$work/licensor" >/dev/null 2>&1
    echo "$work/$1.trace" >>"$work/traces"
}
envelope GET /no-such-route | trace probe
envelope POST /webhooks/gumroad?secret=demo-secret "${gumroad/sale_id=/sale_id=TRACE}" | trace gumroad
DATABASE_URL=$(scripts/pg-test-cluster.sh start "$work/pg" | sed -n 's/^DATABASE_URL=//p')
"$work/licensor" migrate >/dev/null
envelope POST /webhooks/gumroad?secret=demo-secret "$gumroad" | profile postgres
envelope GET /healthz | profile postgres-healthz
python3 - "$work/licensor" Sources/licensor/StaticLinking/startup-order.txt "$work/profiles" "$work/traces" <<'EOF'
import bisect, re, subprocess, sys
binary, target = sys.argv[1], sys.argv[2]
profiles, traces = open(sys.argv[3]).read().split(), open(sys.argv[4]).read().split()
order, seen = [], set()
for profile in profiles:  # the probe's functions first: every request runs them
    obj = called = None  # callgrind's format: ob= names the object of fn= lines, cob= that of the next cfn=
    for line in open(profile):
        key, _, value = line.rstrip("\n").partition("=")
        if key == "ob":
            obj = value
        elif key == "cob":
            called = value
        elif key in ("fn", "cfn"):
            value = value.split("'")[0]  # callgrind marks a recursion level as name'2
            if (called or obj if key == "cfn" else obj) == binary and value not in seen and not value.startswith("0x"):
                seen.add(value)
                order.append(value)
            if key == "cfn":
                called = None
functions = len(order)
# valgrind loads a position-independent program at 0x108000; the entry point's first instruction proves it.
base = 0x108000
header = subprocess.run(["readelf", "-hSW", binary], capture_output=True, text=True, check=True).stdout
entry = int(re.search(r"Entry point address:\s+0x([0-9a-f]+)", header).group(1), 16)
bss = re.search(r"\] \.bss\s+NOBITS\s+([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+)", header)
bss_start, bss_end = int(bss.group(1), 16), int(bss.group(1), 16) + int(bss.group(2), 16)
variables = []
for line in subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout.split("\n"):
    fields = line.split()
    if len(fields) == 3 and fields[1] in "bB":
        variables.append((int(fields[0], 16), fields[2]))
variables.sort()
starts = [address for address, _ in variables]
for trace in traces:
    entered = False
    for line in open(trace):
        if line.startswith("I  "):
            entered = entered or int(line[3:].split(",")[0], 16) == base + entry
        elif line[:1] == " " and line[1:2] in "SLM":
            address = int(line[3:].split(",")[0], 16) - base
            if bss_start <= address < bss_end:
                index = bisect.bisect_right(starts, address) - 1
                if index >= 0 and variables[index][1] not in seen:
                    seen.add(variables[index][1])
                    order.append(variables[index][1])
    if not entered:
        sys.exit(f"startup-order: {trace} never ran the entry point at {base:#x} + {entry:#x}")
with open(target, "w") as out:
    out.write("# Written by scripts/startup-order.sh: the functions a request runs, then the zero-filled variables it\n")
    out.write("# touches, for lld's --symbol-ordering-file.\n")
    out.write("\n".join(order) + "\n")
print(f"startup-order: {functions} functions from {len(profiles)} requests, {len(order) - functions} variables from"
      f" {len(traces)} -> {target}")
EOF
# The file is a linker input SwiftPM does not track: relink now.
rm -f "$(swift build -c release --show-bin-path)/licensor"
scripts/build-release.sh 2>&1 | tail -1
