#!/usr/bin/env bash
# Throughput, quality and memory of `khabar extract` next to its peers, on ONE core.
#
#   bash scripts/bench-extract.sh            # BENCH_REPEAT=3 timing runs, fastest kept
#
# Builds khabar in release mode, sets up .venv-bench/ (trafilatura, resiliparse, lxml, pinned
# by $KHABAR_SHARED/score/requirements.txt), then runs under `taskset -c 0`:
#   * evaluate.py on $KHABAR_SHARED/bench/scrapinghub (181 pages): trafilatura, resiliparse,
#     lxml parse only, khabar (the whole cleaner), khabar-parse-only (libxml2's parse alone);
#   * one `khabar extract` over every page under /usr/bin/time -v: peak RSS and MB/s.
# and checks the targets: khabar pages/s >= 8x trafilatura and >= 0.8x resiliparse (same run),
# F1 >= 0.960, peak RSS < 100 MB. Exit status 0 when every target holds, 1 when one misses.
# Raw output goes to bench-results/<UTC time>/ (gitignored).
# KHABAR_SHARED: the shared folder (default ../shared from the repository root).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

shared=${KHABAR_SHARED:-../shared}
dataset="$shared/bench/scrapinghub"
evaluate="$shared/score/evaluate.py"
requirements="$shared/score/requirements.txt"
if [ ! -d "$dataset" ] || [ ! -f "$evaluate" ] || [ ! -f "$requirements" ]; then
    echo "bench-extract: skipped: no benchmark data at $dataset (or no $evaluate); set KHABAR_SHARED to the shared folder" >&2
    exit 0
fi
dataset=$(cd "$dataset" && pwd)
evaluate=$(cd "$(dirname "$evaluate")" && pwd)/evaluate.py
repeat=${BENCH_REPEAT:-3}

log() { echo "bench-extract: $*" >&2; }

# --- tools -----------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    log "installing Debian's 'time' (for /usr/bin/time -v)"
    sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null
fi
pin=()
if command -v taskset >/dev/null 2>&1; then
    pin=(taskset -c 0)
else
    log "warning: taskset not found (util-linux); running unpinned"
fi

# --- khabar ----------------------------------------------------------------------------------
log "building khabar (release)"
swift build -c release --product khabar >&2
khabar="$(swift build -c release --show-bin-path)/khabar"

# --- peers' venv -----------------------------------------------------------------------------
venv="$repo/.venv-bench"
wanted=$(grep -iE '^(trafilatura|htmldate|resiliparse|lxml|lxml_html_clean)==' "$requirements" | sed 's/[[:space:]]*#.*//')
if [ ! -f "$venv/.requirements" ] || [ "$(cat "$venv/.requirements")" != "$wanted" ]; then
    log "setting up $venv: $(echo $wanted)"
    python3 -m venv "$venv"
    # Debian 12's pip 23 trips over lxml[html_clean] extras; a current pip resolves them.
    "$venv/bin/pip" install -q --upgrade pip
    echo "$wanted" > "$venv/requirements-bench.txt"
    "$venv/bin/pip" install -q -r "$venv/requirements-bench.txt"
    echo "$wanted" > "$venv/.requirements"
fi

# --- evaluate.py -----------------------------------------------------------------------------
out="$repo/bench-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
pages=("$dataset"/*.html)
html_bytes=$(cat "${pages[@]}" | wc -c)
log "evaluate.py on ${#pages[@]} pages, ${pin[*]:-unpinned}, --repeat $repeat; raw output in ${out#"$repo"/}"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
    echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1), nproc $(nproc)"
    echo "swift: $(swift --version 2>/dev/null | head -1)"
} > "$out/machine.txt"
"${pin[@]}" "$venv/bin/python" "$evaluate" "$dataset" \
    -e trafilatura -e resiliparse -e parse-lxml \
    --batch-cmd "khabar=$khabar extract --benchmark-batch" \
    --batch-cmd "khabar-parse-only=$khabar extract --benchmark-batch --benchmark-parse-only" \
    --repeat "$repeat" --out "$out" | tee "$out/evaluate.md"

# --- memory: one extract run over every page -------------------------------------------------
log "peak RSS: one 'khabar extract' over ${#pages[@]} pages"
status=0
"${pin[@]}" /usr/bin/time -v -o "$out/extract.time" "$khabar" extract "${pages[@]}" > "$out/extract.jsonl" || status=$?
if [ "$status" -gt 1 ]; then
    log "khabar extract exited with status $status (see $out/extract.time)"
    exit 1
fi
rss_kib=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$out/extract.time")
wall=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/extract.time" \
    | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
failed_pages=$(grep -c '"error":' "$out/extract.jsonl" || true)
log "extract: $(wc -l < "$out/extract.jsonl") records, $failed_pages with an error, peak RSS $rss_kib KiB, wall $wall s"

python3 "$repo/scripts/bench_targets.py" "$out/$(basename "$dataset")" \
    --rss-kib "$rss_kib" --wall-s "$wall" --html-bytes "$html_bytes" --pages "${#pages[@]}" \
    | tee "$out/targets.txt"
