#!/usr/bin/env bash
# Builds licensor, mints a license with `licensor issue` on a throwaway SQLite database, then builds
# examples/VerifyLicense (a seller's app depending on LicensorVerifier by path) and checks that it accepts the token
# and refuses a copy with one byte changed. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
swift build --product licensor 2>&1 | grep -E "error|Compiling|Build" | tail -2
licensor="$(swift build --product licensor --show-bin-path)/licensor"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$licensor" keygen --out "$work/signing-key.pem" >"$work/keygen.txt"
sed -n '/-----BEGIN PUBLIC KEY-----/,/-----END PUBLIC KEY-----/p' "$work/keygen.txt" >"$work/public-key.pem"
DATABASE_URL="sqlite:$work/licensor.sqlite3" LICENSE_SIGNING_KEY="$work/signing-key.pem" \
    PRODUCTS_FILE="$root/config/products.yaml" \
    "$licensor" issue --email buyer@example.com --product demo-product-id --json >"$work/issued.json" \
    2>"$work/issue.log" || { cat "$work/issue.log" >&2; exit 1; }
token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$work/issued.json")

# The example's own scratch path, so its build and Package.resolved stay out of the main package's.
example=examples/VerifyLicense
swift build --package-path "$example" --scratch-path "$example/.build" 2>&1 | grep -E "error|Compiling|Build" | tail -2
app="$(swift build --package-path "$example" --scratch-path "$example/.build" --show-bin-path)/VerifyLicense"

echo "--- a token the licensor binary minted:"
"$app" "$work/public-key.pem" "$token" demo-product-id | tee "$work/accepted.txt"
grep -q "^email    buyer@example.com$" "$work/accepted.txt" || { echo "claims not printed" >&2; exit 1; }

echo "--- the same token with one byte of its signature changed:"
tampered=$(python3 -c '
import sys
t = sys.argv[1]
i = t.rindex(".") - 10
print(t[:i] + ("B" if t[i] == "A" else "A") + t[i + 1:])' "$token")
set +e
"$app" "$work/public-key.pem" "$tampered" demo-product-id
status=$?
set -e
[ "$status" -eq 1 ] || { echo "a tampered token was not refused (exit $status)" >&2; exit 1; }

echo "--- for another product:"
set +e
"$app" "$work/public-key.pem" "$token" another-product
status=$?
set -e
[ "$status" -eq 1 ] || { echo "a token for another product was not refused (exit $status)" >&2; exit 1; }
echo "example app: ok"
