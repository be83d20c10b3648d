#!/usr/bin/env bash
# Runs khabar on the bundled examples (installs system packages, builds in release mode first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product khabar >&2
exec .build/release/khabar extract examples/*.html
