#!/usr/bin/env bash
# Runs khabar on the bundled examples (installs system packages, builds in release mode first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product khabar >&2
# The golden test pages: real Arabic news pages in five site templates, each beside its
# expected record (Tests/KhabarCoreTests/Fixtures/golden/*.expected.json).
exec .build/release/khabar extract Tests/KhabarCoreTests/Fixtures/golden/*.html
