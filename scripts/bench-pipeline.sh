#!/usr/bin/env bash
# The whole pipeline end to end: pages/s from a local static news site to finished JSONL, with
# peak RSS and RSS over the run (issue 6).
#
#   bash scripts/bench-pipeline.sh [PAGES]      # PAGES defaults to 200000; 20000 for a quick run
#
# 1. Generates a static site of PAGES distinct Arabic article pages from the golden UTF-8 pages
#    (scripts/bench_pipeline.py generate: every 50th page republishes another page's text under
#    its own URL, so deduplication has real work), sitemaps of <= 50,000 URLs, a sitemap index
#    and a robots.txt allowing everything. Not timed.
# 2. Serves it with Debian's nginx (installed when missing) as the current user on a free
#    127.0.0.1 port: static files, keepalive on, access log off.
# 3. Runs `khabar backfill --sitemap http://127.0.0.1:PORT/sitemap.xml --allow-private
#    --per-host-concurrency 64 --min-delay 0` (global concurrency 64) under /usr/bin/time -v,
#    sampling its VmRSS and progress line every second and the load average every 5 s.
# 4. Reports pages/s (records exported / wall seconds), CPU seconds per 1,000 pages, peak RSS,
#    RSS at 50k/100k/150k/200k pages (quarters of PAGES for smaller runs) and the load average;
#    checks the output (every line JSON, each canonical URL once, records = PAGES, exactly the
#    republished copies flagged with duplicate_of).
# Exit status 0 when every target holds (>= 300 pages/s, peak RSS < 200 MB, RSS flat within
# ±10 % from the first to the last mark, output correct), 1 otherwise.
#
# Environment:
#   KHABAR             a khabar binary (default: `swift build -c release --product khabar`, then
#                      .build/release/khabar)
#   BENCH_CONCURRENCY  requests in flight, per host and in all (64)
#   BENCH_COPY_EVERY   every Nth page a republished copy (50); 0 for none
#   BENCH_PERF=1       `perf record -g` for 20 s from BENCH_PERF_AT (30) seconds into the run;
#                      flat reports perf-dso.txt and perf-top.txt in the results folder
#   BENCH_KEEP=1       keep the site, output and state
#   TMPDIR             where those go (PAGES x ~15 KB)
# Figures go to bench-results/pipeline-<UTC time>-<PAGES>/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
pages=${1:-200000}
concurrency=${BENCH_CONCURRENCY:-64}
copy_every=${BENCH_COPY_EVERY:-50}
[[ $pages =~ ^[0-9]+$ ]] && ((pages >= 100)) || { echo "usage: $0 [PAGES >= 100]" >&2; exit 2; }

log() { echo "bench-pipeline: $*" >&2; }

# --- tools -----------------------------------------------------------------------------------
sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/bin/time ] || need+=(time)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ "${BENCH_PERF:-0}" = 1 ] && ! command -v perf >/dev/null 2>&1; then need+=(linux-perf); fi
if ((${#need[@]})); then
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
source scripts/lib/loopback-nginx.sh

if [ -n "${KHABAR:-}" ]; then
    khabar=$KHABAR
else
    log "building khabar (release)"
    swift build -c release --product khabar >/dev/null
    khabar="$repo/.build/release/khabar"
fi
[ -x "$khabar" ] || { log "no khabar binary at $khabar"; exit 2; }

results="$repo/bench-results/pipeline-$(date -u +%Y%m%dT%H%M%SZ)-$pages"
mkdir -p "$results"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-pipeline.XXXXXX")
sampler_pid=""; load_pid=""; run_pid=""; khabar_pid=""; perf_pid=""; tail_pid=""
cleanup() {
    local pid
    for pid in $khabar_pid $run_pid $sampler_pid $load_pid; do kill "$pid" 2>/dev/null || true; done
    stop_loopback_nginx
    if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# --- site ------------------------------------------------------------------------------------
port=$(free_port)
base="http://127.0.0.1:$port"
log "generating $pages pages into $work/site"
python3 scripts/bench_pipeline.py generate --dir "$work/site" --pages "$pages" --base "$base" --copy-every "$copy_every" 2>&1 | tee "$results/generate.txt" >&2

start_loopback_nginx "$work/nginx" "$port" "root $work/site; location / { try_files \$uri =404; }" /robots.txt || exit 1
curl -sf -o /dev/null "$base/news/0/0.html" || { log "nginx does not serve the pages"; exit 1; }

# --- run -------------------------------------------------------------------------------------
cat > "$work/bench.yaml" <<YAML
fetch:
  global_concurrency: $concurrency
log:
  level: info
YAML
"$khabar" validate --config "$work/bench.yaml" >/dev/null

# The 1-minute load average every 5 s, from just before the run to its end.
( while :; do cut -d' ' -f1 /proc/loadavg; sleep 5; done ) > "$results/loadavg.txt" &
load_pid=$!

log "khabar backfill: $pages pages, $concurrency in flight (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
start=$(date +%s.%N)
/usr/bin/time -v -o "$results/time.txt" "$khabar" backfill --config "$work/bench.yaml" \
    --sitemap "$base/sitemap.xml" --out "$work/out" --state "$work/state" --allow-private \
    --per-host-concurrency "$concurrency" --min-delay 0 > "$results/backfill.out" 2> "$results/backfill.log" &
run_pid=$!
for _ in $(seq 100); do
    khabar_pid=$(ps -o pid= --ppid "$run_pid" | tr -d ' ' | head -1)
    [ -n "$khabar_pid" ] && break
    sleep 0.05
done
[ -n "$khabar_pid" ] || { log "khabar did not start"; cat "$results/backfill.log" >&2; exit 1; }
python3 scripts/bench_pipeline.py sample --pid "$khabar_pid" --log "$results/backfill.log" --csv "$results/samples.csv" &
sampler_pid=$!

if [ "${BENCH_PERF:-0}" = 1 ]; then
    (
        sleep "${BENCH_PERF_AT:-30}"
        kill -0 "$khabar_pid" 2>/dev/null || exit 0
        perf record -g -o "$results/perf.data" -p "$khabar_pid" -- sleep 20 >/dev/null 2>&1 || exit 0
        # Flat profiles (no call graphs); `|| true`: head closing the pipe early is no failure.
        { perf report -i "$results/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -v -e '^#' -e '^$' | head -20 > "$results/perf-dso.txt"; } || true
        { perf report -i "$results/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -v -e '^#' -e '^$' | head -60 > "$results/perf-top.txt"; } || true
    ) &
    perf_pid=$!
fi

# Progress lines every 10 s (no terminal): show one a minute.
( tail -n +1 -f "$results/backfill.log" --pid "$run_pid" 2>/dev/null | grep --line-buffered -E 'discovered|done:|error|warning' | awk 'NR % 6 == 1 || /done:|error|warning/ {print; fflush()}' >&2 ) &
tail_pid=$!
status=0
wait "$run_pid" || status=$?
end=$(date +%s.%N)
run_pid=""; khabar_pid=""
wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""
kill "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; load_pid=""
for pid in $perf_pid $tail_pid; do wait "$pid" 2>/dev/null || true; done
cut -d' ' -f1 /proc/loadavg >> "$results/loadavg.txt"
wall=$(awk -v s="$start" -v e="$end" 'BEGIN{printf "%.3f", e-s}')
log "khabar backfill exited with status $status after $wall s"
[ "$status" = 0 ] || tail -20 "$results/backfill.log" >&2
cp "$work/out/_manifest.json" "$results/" 2>/dev/null || true

# --- report ----------------------------------------------------------------------------------
verdict=0
python3 scripts/bench_pipeline.py report --pages "$pages" --base "$base" --out "$work/out" \
    --csv "$results/samples.csv" --time "$results/time.txt" --wall "$wall" --concurrency "$concurrency" --copy-every "$copy_every" \
    --load "$(paste -sd, "$results/loadavg.txt")" --summary "$results/summary.txt" || verdict=$?
if [ -s "$results/perf-dso.txt" ]; then log "perf profile (20 s), by library:"; head -8 "$results/perf-dso.txt" >&2; fi
if [ "$verdict" = 0 ]; then
    log "targets met; figures in $results"
else
    log "target missed; figures in $results"
    exit 1
fi
