#!/usr/bin/env bash
# Fails when the licensor executable links full Foundation, FoundationNetworking or ICU (the check the Swift AWS
# Lambda runtime and Hummingbird run): start-up is the product, and those cost ~50 MB and milliseconds per request.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product licensor >/dev/null
binary=.build/debug/licensor
linked=$(ldd "$binary")
if grep -E 'libFoundation\.so|libFoundationNetworking|libFoundationXML|libicu' <<<"$linked"; then
    echo "FAIL: $binary links full Foundation or ICU (see above); use FoundationEssentials only" >&2
    exit 1
fi
echo "ok: $binary links FoundationEssentials only"
