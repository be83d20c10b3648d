#!/usr/bin/env bash
# Runs the khabar daemon on the default configuration (config/khabar.yaml: state in ./state,
# output in ./out) after installing system packages and building in release mode.
# `bash scripts/run.sh --extract` runs `khabar extract` on the bundled example pages instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product khabar >&2
if [ "${1:-}" = "--extract" ]; then
    # The golden test pages: real Arabic news pages in several site templates, each beside its
    # expected record (Tests/KhabarCoreTests/Fixtures/golden/*.expected.json).
    exec .build/release/khabar extract Tests/KhabarCoreTests/Fixtures/golden/*.html
fi
exec .build/release/khabar run --config config/khabar.yaml
