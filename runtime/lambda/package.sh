#!/usr/bin/env bash
# Builds licensor for AWS Lambda (provided.al2023 / provided.al2, x86_64 from this machine) and zips it as
# `bootstrap` with the config folder: upload the zip, set the handler to anything (it is not read) and the
# environment (GUMROAD_WEBHOOK_SECRET, DATABASE_URL=postgres://..., LICENSE_SIGNING_KEY, POSTMARK_TOKEN, ...).
# The binary has SQLite and libyaml linked in, links glibc dynamically and opens libcurl and libpq with dlopen:
# build on (or in a container of) the Lambda base image's distribution, or ship libcurl and libpq under lib/ in the
# zip (Lambda adds $LAMBDA_TASK_ROOT/lib to LD_LIBRARY_PATH). Usage: runtime/lambda/package.sh [output.zip]
set -euo pipefail
cd "$(dirname "$0")/../.."
output=${1:-.build/lambda/licensor-lambda.zip}
scripts/build-release.sh
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp "$(swift build -c release --show-bin-path)/licensor" "$staging/bootstrap"
strip "$staging/bootstrap" 2>/dev/null || true
chmod 755 "$staging/bootstrap"
cp -R config "$staging/config"
mkdir -p "$(dirname "$output")"
output=$(cd "$(dirname "$output")" && pwd)/$(basename "$output")
rm -f "$output"
(cd "$staging" && zip -qr9 "$output" bootstrap config)
echo "wrote $output ($(du -h "$output" | cut -f1)); runtime provided.al2023, handler unused"
echo "PRODUCTS_FILE defaults to config/products.yaml and EMAIL_TEMPLATES_DIR to config, both relative to /var/task"
