#!/usr/bin/env bash
# Throughput, CPU and memory of khabar's fetcher next to `curl --parallel`, on loopback.
#
#   bash scripts/bench-fetch.sh            # BENCH_PAGES=20000 BENCH_PARALLEL=64 BENCH_REPEAT=3
#
# Builds khabar in release mode, installs Debian's nginx-light (and `time`) when missing, runs
# nginx as the current user on a free 127.0.0.1 port with a temporary config (every page a
# ~1 KB HTML answer, robots.txt a 404), then fetches the same BENCH_PAGES distinct URLs with
#   * curl -Z --parallel-max $BENCH_PARALLEL -K <list>   (output to /dev/null)
#   * khabar fetch-bench --concurrency $BENCH_PARALLEL     (robots.txt checked, SSRF guard on
#     with 127.0.0.0/8 allowed, politeness relaxed: no delay, per-host limit = parallelism)
# each under /usr/bin/time -v, BENCH_REPEAT times alternately, keeping each tool's fastest run.
# Reports pages/s, CPU seconds per 1,000 pages and peak RSS, and checks the targets: khabar
# pages/s >= 0.8x curl's, peak RSS < 64 MB. Exit status 0 when both hold, 1 otherwise.
# Raw output goes to bench-results/fetch-<UTC time>/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
pages=${BENCH_PAGES:-20000}
parallel=${BENCH_PARALLEL:-64}
repeat=${BENCH_REPEAT:-3}

log() { echo "bench-fetch: $*" >&2; }

# --- tools -----------------------------------------------------------------------------------
sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/bin/time ] || need+=(time)
command -v curl >/dev/null 2>&1 || need+=(curl)
if ((${#need[@]})); then
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
source scripts/lib/loopback-nginx.sh

log "building khabar (release)"
swift build -c release --product khabar >/dev/null
khabar="$repo/.build/release/khabar"

out="$repo/bench-results/fetch-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
work=$(mktemp -d)
cleanup() {
    stop_loopback_nginx
    rm -rf "$work"
}
trap cleanup EXIT

# --- server ----------------------------------------------------------------------------------
port=$(free_port)
page_body=$(python3 -c 'print("<!doctype html><html lang=ar><head><meta charset=utf-8><title>خبر</title></head><body><article><p>" + "نص الخبر " * 60 + "</p></article></body></html>")')
start_loopback_nginx "$work/nginx" "$port" "location = /robots.txt { return 404; } location / { default_type \"text/html; charset=utf-8\"; return 200 '$page_body'; }" /ready || exit 1
log "$pages pages, $parallel in parallel"

seq 1 "$pages" | sed "s|^|http://127.0.0.1:$port/news/|" > "$work/urls.txt"
sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$work/urls.txt" > "$work/curl.cfg"

# --- runs ------------------------------------------------------------------------------------
# Prints "seconds cpu_seconds peak_kb" for one run of "$@" under /usr/bin/time -v.
measure() {
    local name=$1; shift
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$out/$name.time" "$@" > "$out/$name.out" 2> "$out/$name.err"
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -F': ' '
        /User time/ {u=$2} /System time/ {k=$2} /Maximum resident/ {r=$2}
        END {printf "%.3f %.3f %d\n", e-s, u+k, r}' "$out/$name.time"
}

best_curl=""; best_khabar=""
faster() { # keeps the run with the smaller wall time
    if [ -z "$1" ] || awk -v a="$2" -v b="$1" 'BEGIN{split(a,x," ");split(b,y," ");exit !(x[1]<y[1])}'; then echo "$2"; else echo "$1"; fi
}
for run in $(seq "$repeat"); do
    c=$(measure "curl-$run" curl -s --no-progress-meter -Z --parallel-max "$parallel" -K "$work/curl.cfg")
    k=$(measure "khabar-$run" "$khabar" fetch-bench --urls "$work/urls.txt" --concurrency "$parallel")
    grep -q " ok $pages failed 0 " "$out/khabar-$run.out" || { log "khabar run $run did not fetch every page:"; cat "$out/khabar-$run.out" >&2; exit 1; }
    log "run $run: curl $c | khabar $k   (seconds cpu_seconds peak_kb)"
    best_curl=$(faster "$best_curl" "$c")
    best_khabar=$(faster "$best_khabar" "$k")
done

# --- report ----------------------------------------------------------------------------------
report() {
    awk -v name="$1" -v n="$pages" '{printf "%-8s %9.0f pages/s  %6.3f CPU s/1000 pages  %6.1f MB peak RSS\n", name, n/$1, $2*1000/n, $3/1024}' <<< "$2"
}
{
    echo "fetch benchmark: $pages pages from nginx on loopback, $parallel in parallel, best of $repeat"
    report curl "$best_curl"
    report khabar "$best_khabar"
} | tee "$out/summary.txt"
ratio=$(awk -v c="$best_curl" -v k="$best_khabar" 'BEGIN{split(c,x," ");split(k,y," ");printf "%.2f", x[1]/y[1]}')
rss_mb=$(awk '{printf "%.1f", $3/1024}' <<< "$best_khabar")
# Wall time swings with whatever else the machine runs; CPU per page is the steadier comparison.
cpu_ratio=$(awk -v c="$best_curl" -v k="$best_khabar" 'BEGIN{split(c,x," ");split(k,y," ");printf "%.2f", y[2]/x[2]}')
echo "khabar/curl CPU seconds per page: ${cpu_ratio}x (of the fastest runs)" | tee -a "$out/summary.txt"
echo "khabar/curl pages/s: ${ratio}x (target >= 0.8x); khabar peak RSS ${rss_mb} MB (target < 64 MB)" | tee -a "$out/summary.txt"
if awk -v r="$ratio" -v m="$rss_mb" 'BEGIN{exit !(r >= 0.8 && m < 64)}'; then
    log "targets met; raw output in $out"
else
    log "target missed; raw output in $out"
    exit 1
fi
