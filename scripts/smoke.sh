#!/usr/bin/env bash
# Pipes each recorded event in events/gumroad/ through the built binary, the way a runner would, and checks the
# response and what landed in the SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${LICENSOR_BINARY:-.build/debug/licensor}
[ -x "$binary" ] || { echo "build first: $binary is missing" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DATABASE_URL="sqlite:$work/licensor.sqlite3" GUMROAD_WEBHOOK_SECRET=demo-secret \
    STRIPE_WEBHOOK_SECRET=whsec_smoke LEMONSQUEEZY_WEBHOOK_SECRET=ls-smoke-secret \
    PADDLE_WEBHOOK_SECRET=pdl_ntfset_smoke POLAR_WEBHOOK_SECRET=polar_whs_smoke \
    PRODUCTS_FILE=config/products.yaml EMAIL_TEMPLATES_DIR=config LOG_LEVEL=warning
passed=0 failed=0

# send EVENT: prints "STATUS BODY" of the response envelope.
send() {
    "$binary" <"events/gumroad/$1.json" 2>>"$work/stderr.log" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["statusCode"], r["body"])'
}
sql() { sqlite3 -batch -noheader "$work/licensor.sqlite3" "$1"; }
check() {  # check NAME ACTUAL EXPECTED
    if [ "$2" == "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1: got [$2], want [$3]"; fi
}
status_of() { send "$1" | cut -d' ' -f1; }
body_of() { send "$1" | cut -d' ' -f2-; }

check "wrong secret" "$(status_of wrong-secret)" 404
check "missing secret" "$(status_of missing-secret)" 404
check "unauthenticated requests write nothing" "$(test -e "$work/licensor.sqlite3" && echo db || echo none)" none
check "GET with the secret" "$(status_of get)" 405

check "sale" "$(body_of sale | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" processed
check "sale row" "$(sql "select name, email, tier, amount_paid, currency, source from licenses where source_order_id='FO8TXN-dbxYaBdahG97Y-Q=='")" \
    "Jane Doe|jane.doe+gumroad@example.com|pro|49|USD|gumroad"
check "sale emailed" "$(sql "select email_provider from licenses where source_order_id='FO8TXN-dbxYaBdahG97Y-Q=='")" log
check "duplicate delivery" "$(status_of duplicate-delivery)" 200
check "one license per sale_id" "$(sql "select count(*) from licenses where source_order_id='FO8TXN-dbxYaBdahG97Y-Q=='")" 1
check "both deliveries audited" "$(sql "select count(*) from gumroad_events where order_id='FO8TXN-dbxYaBdahG97Y-Q==' and processed")" 2
# An authenticated body that does not decode is recorded with its exact bytes and fails the parse step (replayable).
check "malformed body answered" "$(body_of malformed-body | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" failed
check "malformed body recorded" "$(sql "select event_type, processed, error like 'parse: body cannot be decoded%' from gumroad_events where raw_body is not null")" \
    "sale|0|1"

status_of no-full-name >/dev/null
check "name from email" "$(sql "select name from licenses where source_order_id='NOFULLNAME-sale=='")" "Jane Doe"
status_of test-purchase >/dev/null
check "test purchase noted" "$(sql "select notes from licenses where source_order_id='TESTPURCHASE-sale=='")" "test purchase"
status_of offer-code >/dev/null
check "offer code" "$(sql "select promotion, amount_paid from licenses where source_order_id='OFFERCODE-sale=='")" "LAUNCH50|24.5"
status_of variants >/dev/null
check "variant tier" "$(sql "select tier, notes from licenses where source_order_id='VARIANTS-sale=='")" "team|variant Tier: Team"
status_of gift >/dev/null
check "gift" "$(sql "select email, notes from licenses where source_order_id='GIFT-sale=='")" "gia@example.com|gift from giver@example.com"
status_of non-usd >/dev/null
check "non-USD product is USD cents" "$(sql "select amount_paid, currency, notes from licenses where source_order_id='EURO-sale=='")" \
    "10.85|USD|product priced in EUR"
status_of lifetime >/dev/null
check "lifetime" "$(sql "select expires_at from licenses where source_order_id='LIFETIME-sale=='")" "9999-12-31 23:59:59.000000"

check "unmapped product answers 200" "$(status_of unmapped-product)" 200
check "unmapped product recorded" "$(sql "select processed, error like 'map: product \"no-such-product\"%' from gumroad_events where order_id='UNMAPPED-sale=='")" "0|1"
check "no license for unmapped" "$(sql "select count(*) from licenses where source_order_id='UNMAPPED-sale=='")" 0
check "missing email answers 200" "$(status_of missing-email)" 200
check "missing email recorded" "$(sql "select error from gumroad_events where order_id='NOEMAIL-sale=='")" \
    'parse: missing required field "email"'

# One sale per signed storefront, signed as the storefront signs it (scripts/sign-event.py, Python's hmac).
signed() {  # signed SOURCE EVENT SECRET: prints the answer's status field
    scripts/sign-event.py "$1" "events/$1/$2.json" "$3" | "$binary" 2>>"$work/stderr.log" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["statusCode"], json.loads(r["body"]).get("status", ""))'
}
check "stripe sale" "$(signed stripe checkout-session-completed whsec_smoke)" "200 processed"
check "stripe row" "$(sql "select tier, email, currency from licenses where source='stripe' and source_order_id='pi_3Pstripe0001'")" \
    "pro|jane.doe+stripe@example.com|USD"
check "stripe wrong secret" "$(signed stripe checkout-session-completed whsec_other)" "404 "
check "lemonsqueezy sale" "$(signed lemonsqueezy order-created ls-smoke-secret)" "200 processed"
check "lemonsqueezy row" "$(sql "select tier, email from licenses where source='lemonsqueezy' and source_order_id='1001'")" \
    "pro|lee.mon@example.com"
check "paddle sale (buyer in custom_data)" "$(signed paddle transaction-completed-custom-email pdl_ntfset_smoke)" "200 processed"
check "paddle row" "$(sql "select tier, email from licenses where source='paddle' and source_order_id='txn_01paddle0002'")" \
    "pro|custom.email@example.com"
check "polar sale" "$(signed polar order-paid polar_whs_smoke)" "200 processed"
check "polar row" "$(sql "select tier, email from licenses where source='polar'")" "pro|polly.polar@example.com"
check "signed rows beside gumroad_events" "$(sql "select count(*) from storefront_events where processed")" 4

# The app-facing API on the license of the first sale: activate one machine, then validate it.
key=$(sql "select license_key from licenses where source_order_id='FO8TXN-dbxYaBdahG97Y-Q=='")
api() {  # api ROUTE FORM-BODY: prints the answer's status and code
    printf '{"method":"POST","path":"/v1/licenses/%s","body":"%s"}' "$1" "$2" | "$binary" 2>>"$work/stderr.log" \
        | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["statusCode"], json.loads(r["body"])["code"])'
}
check "activate" "$(api activate "license_key=$key&instance_name=Smoke&fingerprint=smoke-fp")" "200 VALID"
check "validate by fingerprint" "$(api validate "license_key=$key&fingerprint=smoke-fp")" "200 VALID"
check "seat recorded" "$(sql "select count(*) from license_instances where license_key='$key' and deactivated_at is null")" 1
check "unknown key" "$(api validate "license_key=22222-22222-22222-22222-22222")" "404 NOT_FOUND"

token=$(sql "select blob from licenses where source_order_id='FO8TXN-dbxYaBdahG97Y-Q=='")
check "token verifies" "$("$binary" verify "$token" 2>/dev/null | head -1)" "valid license token"
check "secret never logged" "$(grep -c -e demo-secret -e whsec_smoke -e ls-smoke-secret "$work/stderr.log" || true)" 0

echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
