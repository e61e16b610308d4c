#!/usr/bin/env bash
# The release build that the README, the demo, the Lambda package and the benchmarks all use:
#   scripts/build-release.sh [more swift build arguments]
# --static-swift-stdlib: the binary needs only glibc's libraries (Package.swift links the rest statically in release).
# --disable-local-rpath: no $ORIGIN run path, so the loader does not first look for libc beside the binary.
# -function-sections (Swift) and -ffunction-sections (C): every function in its own section, so lld can put the ones
# a request runs together (Sources/licensor/StaticLinking/startup-order.txt); without them it can only move whole
# files' code, and a start touches pages all over .text. See docs/benchmarks.md, "What changed in session 12".
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift build -c release --static-swift-stdlib --disable-local-rpath --product licensor \
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections "$@"
