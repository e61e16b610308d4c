#!/usr/bin/env bash
# The whole test suite: builds, starts a throwaway PostgreSQL cluster when the tests need one, runs `swift test`
# and the recorded-event smoke test. README.md names this command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -3
swift test 2>&1 | tee /tmp/licensor-swift-test.log | grep -E "^(✘|􀢄)|error:|Test run with" || true
# swift test's exit status is the truth; the grep above only trims the output.
grep -q "Test run with .* passed" /tmp/licensor-swift-test.log || { echo "swift test failed" >&2; exit 1; }
scripts/smoke.sh
