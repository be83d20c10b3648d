#!/usr/bin/env bash
# Extraction quality of the release `khabar extract`, against the shared gold data:
#   1. check_extract.py on $KHABAR_SHARED/fixtures/arabic-news (25 Arabic pages): body F1,
#      boilerplate leaks, title, date — thresholds F1 >= 0.97, 0 leaks, title >= 0.95, date >= 0.95;
#   2. evaluate.py, quality only, on $KHABAR_SHARED/bench/scrapinghub (181 pages): the
#      ScrapingHub benchmark's F1, threshold >= 0.960 (SCORE_MIN_BENCH_F1).
# Exit status 0 only when every threshold holds; 1 otherwise. Both scorers need only python3.
# Raw output goes to bench-results/score-<UTC time>/ (gitignored).
# KHABAR_SHARED: the shared folder (default ../shared from the repository root).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

shared=${KHABAR_SHARED:-../shared}
fixtures="$shared/fixtures/arabic-news"
dataset="$shared/bench/scrapinghub"
score="$shared/score"
min_bench_f1=${SCORE_MIN_BENCH_F1:-0.960}
if [ ! -f "$score/check_extract.py" ] || [ ! -d "$fixtures" ]; then
    echo "score-extract: skipped: no scorer or fixtures under $shared; set KHABAR_SHARED to the shared folder" >&2
    exit 0
fi
log() { echo "score-extract: $*" >&2; }

log "building khabar (release)"
swift build -c release --product khabar >&2
khabar="$(swift build -c release --show-bin-path)/khabar"
out="$repo/bench-results/score-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
failed=()

log "check_extract.py on $fixtures"
status=0
python3 "$score/check_extract.py" --corpus "$fixtures" \
    --batch-cmd "$(printf '%q' "$khabar") extract {files}" -v \
    --min-f1 0.97 --max-leaks 0 --min-title 0.95 --min-date 0.95 \
    --json-out "$out/check_extract.json" 2>&1 | tee "$out/check_extract.txt" || status=$?
case $status in
    0) ;;
    1) failed+=("check_extract.py thresholds") ;;
    *) log "check_extract.py failed to run (status $status)"; exit "$status" ;;
esac

if [ -d "$dataset" ] && [ -f "$score/evaluate.py" ]; then
    log "evaluate.py (quality only) on $dataset"
    python3 "$score/evaluate.py" "$dataset" --batch-cmd "khabar=$khabar extract --benchmark-batch" \
        --out "$out" | tee "$out/evaluate.md"
    f1=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["F1"])' \
        "$out/$(basename "$dataset")/khabar.summary.json")
    if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$f1" "$min_bench_f1"; then
        log "ScrapingHub F1 $(printf '%.3f' "$f1") >= $min_bench_f1: pass"
    else
        log "ScrapingHub F1 $(printf '%.3f' "$f1") < $min_bench_f1: FAIL"
        failed+=("ScrapingHub F1 >= $min_bench_f1")
    fi
else
    log "no ScrapingHub data at $dataset: evaluate.py step skipped"
fi

if ((${#failed[@]})); then
    log "FAILED: ${failed[*]} (raw output in ${out#"$repo"/})"
    exit 1
fi
log "every threshold holds (raw output in ${out#"$repo"/})"
