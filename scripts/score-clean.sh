#!/usr/bin/env bash
# Text-cleaning quality: `khabar clean --format text` on the seed documents, scored against
# their gold (token F1 >= 0.98 per document, title/site/date/author where the gold states them).
# Seeds: Tests/KhabarCoreTests/Fixtures/seeds (copies of the shared seeds), or SEEDS=<folder>.
# Exit status 0 only when every document passes.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${SEEDS:-Tests/KhabarCoreTests/Fixtures/seeds}
swift build --product khabar >&2
khabar="$(swift build --show-bin-path)/khabar"
"$khabar" clean --format text "$seeds"/*.txt | python3 scripts/score_clean.py "$seeds/gold.json" --min-f1 "${MIN_F1:-0.98}" "$@"
