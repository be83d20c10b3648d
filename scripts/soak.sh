#!/usr/bin/env bash
# Soak test (issue 7): `khabar run` for a long time against a local site that keeps publishing,
# with its memory, descriptors, state size and throughput sampled, and a verdict.
#
#   bash scripts/soak.sh [PAGES] [MINUTES]     # 200000 pages over 30 minutes by default;
#                                              # e.g. `bash scripts/soak.sh 5000 2` for a check
#
# 1. nginx (Debian's, installed when missing) serves a folder on a free 127.0.0.1 port, as the
#    current user; `scripts/soak_site.py drive` writes the site into it while the daemon runs:
#    it publishes PAGES articles at PAGES / MINUTES, each rendered when published from the
#    golden pages (distinct Arabic text; every 50th a republished copy of the article 4,017
#    before, under its own URL), in four sections, each with an RSS feed of its newest 1,000, and a
#    sitemap index of the newest two 2,000-URL chunk sitemaps. It holds back while the daemon's
#    backlog (published - exported) is 2,000, so no article leaves the feeds unseen: a site
#    faster than the daemon is followed at the daemon's pace.
# 2. `khabar run` with a generated configuration: those five sources polled every 3-5 s (the
#    scheduler adapts between a quarter and four times that), 16 requests per host, no delay,
#    127.0.0.0/8 allowed, the operations endpoint on another free port.
# 3. Every 5 s a sample (bench-results/soak-<UTC time>/samples.csv): pages published, the
#    daemon's counters (/metrics), VmRSS, open descriptors (/proc/PID/fd), CPU seconds, SQLite
#    database and WAL size, output bytes and files, /healthz, load average.
# 4. When every page is published and exported, SIGTERM; then the output is checked.
#
# Verdict (summary.txt; exit 0 only on PASS). Warm-up is until 10 % of PAGES were exported;
# the steady part runs from there to the end of publishing (then, with nothing left to fetch,
# idle connections close).
#   - pages published >= PAGES
#   - RSS flat in the steady part: max/min of the samples <= 1.10
#   - open descriptors: those other than sockets flat (max/min <= 1.10), and all of them not
#     growing (highest count in the second half of the steady part <= 1.10 x the first half's);
#     sockets alone follow libcurl's connection pool (3 to 20 in a run), leak or not
#   - throughput steady: the steady part split in two halves by time, the second half's rate
#     (records exported per second, from /metrics) within ±25 % of the first half's; and no
#     stall (60 s without an export while pages wait)
#   - /healthz 200 at every sample; SIGTERM drains and the daemon exits 0
#   - output: every line JSON, each canonical URL once, no .part left, records = pages
#     published, exactly the republished copies flagged with duplicate_of
#
# SIGINT/SIGTERM to this script stops publishing; the daemon then catches up, is stopped, and
# the run is judged on the pages published so far (pages published < PAGES fails).
#
# Environment:
#   KHABAR               a khabar binary (default: `swift build -c release --product khabar`)
#   SOAK_MAX_MINUTES     stop publishing after this long, whatever was reached (default: none)
#   SOAK_CONCURRENCY     requests per host in flight (16)
#   SOAK_INTERVAL        the feeds' poll interval (3s); the sitemap's is SOAK_SITEMAP_INTERVAL (5s)
#   SOAK_EVERY           seconds between samples (5)
#   SOAK_ROTATE_BYTES, SOAK_ROTATE_AFTER   output.rotate_bytes / rotate_after (64MiB, 5m: the defaults)
#   SOAK_KEEP=1          keep the site, state and output
#   TMPDIR               where those go (PAGES x ~15 KB)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
pages=${1:-200000}
minutes=${2:-30}
every=${SOAK_EVERY:-5}
[[ $pages =~ ^[0-9]+$ ]] && ((pages >= 100)) || { echo "usage: $0 [PAGES >= 100] [MINUTES]" >&2; exit 2; }
[[ $minutes =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "usage: $0 [PAGES >= 100] [MINUTES]" >&2; exit 2; }

log() { echo "soak: $*" >&2; }

# --- tools -----------------------------------------------------------------------------------
sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v curl >/dev/null 2>&1 || need+=(curl)
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

results="$repo/bench-results/soak-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$results"
work=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX")
khabar_pid=""; drive_pid=""
cleanup() {
    local pid
    for pid in $drive_pid $khabar_pid; do kill "$pid" 2>/dev/null || true; done
    stop_loopback_nginx
    if [ "${SOAK_KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- site ------------------------------------------------------------------------------------
port=$(free_port)
ops_port=$(free_port)
base="http://127.0.0.1:$port"
metrics="http://127.0.0.1:$ops_port"
mkdir -p "$work/site"
python3 scripts/soak_site.py init --site "$work/site" --base "$base"
start_loopback_nginx "$work/nginx" "$port" "root $work/site; location / { try_files \$uri =404; }" /robots.txt || exit 1

# --- daemon ----------------------------------------------------------------------------------
interval=${SOAK_INTERVAL:-3s}
sources=""
for section in politics economy sports culture; do
    sources+="  - name: soak-$section
    feed: $base/feeds/$section.xml
    interval: $interval
"
done
cat > "$work/soak.yaml" <<YAML
state: $work/state
output:
  directory: $work/out
  prefix: soak
  rotate_bytes: ${SOAK_ROTATE_BYTES:-64MiB}
  rotate_after: ${SOAK_ROTATE_AFTER:-5m}
fetch:
  per_host_concurrency: ${SOAK_CONCURRENCY:-16}
  min_delay: 0s
  global_concurrency: 32
  allowed_networks: [127.0.0.0/8]
http:
  listen: 127.0.0.1:$ops_port
log:
  level: info
sources:
${sources}  - name: soak-sitemap
    sitemap: $base/sitemap.xml
    interval: ${SOAK_SITEMAP_INTERVAL:-5s}
YAML
cp "$work/soak.yaml" "$results/"
"$khabar" validate --config "$work/soak.yaml" >/dev/null

"$khabar" run --config "$work/soak.yaml" 2> "$results/khabar.log" &
khabar_pid=$!
for _ in $(seq 100); do
    curl -sf -o /dev/null "$metrics/healthz" && break
    sleep 0.1
done
curl -sf -o /dev/null "$metrics/healthz" || { log "khabar did not start"; tail -20 "$results/khabar.log" >&2; exit 1; }
log "khabar run (pid $khabar_pid) healthy on $metrics; publishing $pages pages over $minutes min (load average $(cut -d' ' -f1-3 /proc/loadavg))"

# --- run -------------------------------------------------------------------------------------
stop_requested=0
trap 'stop_requested=1; log "stop requested: publishing stops, the daemon catches up"; [ -n "$drive_pid" ] && kill -TERM "$drive_pid" 2>/dev/null || true' INT TERM HUP
python3 scripts/soak_site.py drive --site "$work/site" --base "$base" --metrics "$metrics" --pid "$khabar_pid" \
    --state "$work/state" --out "$work/out" --pages "$pages" --minutes "$minutes" --every "$every" \
    ${SOAK_MAX_MINUTES:+--max-minutes "$SOAK_MAX_MINUTES"} \
    --csv "$results/samples.csv" --meta "$results/run.txt" &
drive_pid=$!
# `wait` returns early when a trapped signal arrives: wait again until the driver is done.
while kill -0 "$drive_pid" 2>/dev/null; do wait "$drive_pid" 2>/dev/null || true; done
drive_pid=""
trap 'log "interrupted"; exit 130' INT TERM HUP

# --- stop ------------------------------------------------------------------------------------
status=gone
stop_seconds=0
if kill -0 "$khabar_pid" 2>/dev/null; then
    log "SIGTERM to khabar"
    stop_start=$(date +%s.%N)
    kill -TERM "$khabar_pid"
    # drain_timeout (30 s) and a margin.
    for _ in $(seq 900); do kill -0 "$khabar_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$khabar_pid" 2>/dev/null; then
        log "khabar still running 90 s after SIGTERM: SIGKILL"
        kill -KILL "$khabar_pid" 2>/dev/null || true
        wait "$khabar_pid" 2>/dev/null || true
        status=hung
    else
        status=0
        wait "$khabar_pid" || status=$?
    fi
    stop_seconds=$(awk -v s="$stop_start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
else
    wait "$khabar_pid" 2>/dev/null && status=0 || status=$?
    log "khabar exited by itself (status $status) before the end"
    status="exited-early-$status"
fi
khabar_pid=""
log "khabar exit status $status after $stop_seconds s"
cp "$work/out/_manifest.json" "$results/" 2>/dev/null || true
grep -E 'warning|error|critical' "$results/khabar.log" | head -20 > "$results/khabar-warnings.txt" || true
[ -s "$results/khabar-warnings.txt" ] && { log "khabar logged warnings or errors (first ones in khabar-warnings.txt):"; head -5 "$results/khabar-warnings.txt" >&2; }

# --- verdict ---------------------------------------------------------------------------------
verdict=0
python3 scripts/soak_site.py report --csv "$results/samples.csv" --meta "$results/run.txt" --out "$work/out" \
    --base "$base" --pages "$pages" --every "$every" --exit-status "$status" --stop-seconds "$stop_seconds" \
    --summary "$results/summary.txt" || verdict=$?
if [ "$verdict" = 0 ]; then
    log "PASS; figures in $results"
else
    log "FAIL; figures in $results"
    exit 1
fi
