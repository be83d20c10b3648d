#!/usr/bin/env bash
# Deduplication speed: fingerprints (fold + SHA-256 + MinHash) and decisions per second on
# 5 KB Arabic texts, release build. Usage: scripts/bench-dedup.sh [build-path]
set -euo pipefail
cd "$(dirname "$0")/.."
build_path="${1:-.build}"
# Other suites use @testable imports, so the release build must enable testing.
swift build -c release --build-tests -Xswiftc -enable-testing --build-path "$build_path"
KHABAR_BENCH_DEDUP=1 swift test -c release -Xswiftc -enable-testing --skip-build --build-path "$build_path" \
    --filter 'DeduplicateEvaluationTests/fingerprintSpeed' 2>&1 | grep -A4 'dedup bench'
