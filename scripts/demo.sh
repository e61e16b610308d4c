#!/usr/bin/env bash
# Builds the release binary and runs one recorded Gumroad sale through it on the embedded SQLite store with the
# logging email service: shows the response, the stored rows and the license token verified offline.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-release.sh 2>&1 | tail -1
binary=.build/release/licensor
work=$(mktemp -d /tmp/licensor-demo.XXXXXX)
export DATABASE_URL="sqlite:$work/licensor.sqlite3" GUMROAD_WEBHOOK_SECRET=demo-secret \
    PRODUCTS_FILE=config/products.yaml EMAIL_TEMPLATES_DIR=config

echo "== request: events/gumroad/sale.json through $binary (the email is written to stderr)"
"$binary" <events/gumroad/sale.json >"$work/response.json" 2>"$work/stderr.log"
echo "== response (stdout)"
cat "$work/response.json"
echo "== audit row"
sqlite3 -header -column "$work/licensor.sqlite3" "select id, event_type, order_id, processed, error from gumroad_events"
echo "== license row"
sqlite3 -line "$work/licensor.sqlite3" \
    "select license_key, name, email, tier, issued_at, expires_at, source, source_order_id, amount_paid, currency,
            email_sent_at, email_provider from licenses"
echo "== the token, verified offline with the public key"
"$binary" verify "$(sqlite3 "$work/licensor.sqlite3" 'select blob from licenses limit 1')"
echo "== log (stderr), with the rendered email"
sed -n '1,12p' "$work/stderr.log"
echo "(database, key and full log in $work)"
