#!/usr/bin/env bash
# Kills a backfill of a local 2,000-page site with SIGKILL at random moments (10 times by
# default), restarts it each time, and checks exactly-once output. See scripts/crash_test.py.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product khabar >&2
exec python3 scripts/crash_test.py --khabar .build/release/khabar "$@"
