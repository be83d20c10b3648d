#!/usr/bin/env bash
# Backfills sharing one PostgreSQL state (issue 8): pages/s with 1, 2 and 3 `khabar backfill`
# processes on one sitemap of a fast local site, and the state's round trips per page.
#
#   bash scripts/bench-shared.sh [PAGES]       # PAGES defaults to 20000
#
# 1. Generates a static site of PAGES article pages (scripts/bench_pipeline.py generate, as
#    bench-pipeline.sh) and serves it with nginx on a free loopback port.
# 2. Starts a PostgreSQL server of its own (Debian's initdb and pg_ctl, in the work folder, as
#    the `postgres` user when run as root; fsync on, as in production).
# 3. For N = 1, 2, 3: a fresh database; N processes `khabar backfill --sitemap … --state
#    postgresql://… --instance pI --out out-N-I` started together (global concurrency 64 each,
#    per-host concurrency 64 shared); wall time until the last exits.
# 4. Reports pages/s (records in all output folders / wall seconds), the scaling against one
#    process, statements (round trips) per page from each process's report, and checks every
#    page is in the output exactly once.
# All of it runs on this machine: nginx, PostgreSQL and the khabar processes share its cores.
#
# Environment: KHABAR (a khabar binary; default: build release), BENCH_KEEP=1, TMPDIR.
# Figures go to bench-results/shared-<UTC time>-<PAGES>/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
pages=${1:-20000}
[[ $pages =~ ^[0-9]+$ ]] && ((pages >= 100)) || { echo "usage: $0 [PAGES >= 100]" >&2; exit 2; }
log() { echo "bench-shared: $*" >&2; }

source scripts/lib/loopback-nginx.sh
[ -x "$(loopback_nginx_binary)" ] || { log "nginx is needed (apt-get install nginx-light)"; exit 2; }
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pg_bin" ] || { log "PostgreSQL is needed (bash scripts/setup.sh)"; exit 2; }
if [ -n "${KHABAR:-}" ]; then khabar=$KHABAR; else
    log "building khabar (release)"; swift build -c release --product khabar >/dev/null; khabar="$repo/.build/release/khabar"
fi

results="$repo/bench-results/shared-$(date -u +%Y%m%dT%H%M%SZ)-$pages"
mkdir -p "$results"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-shared.XXXXXX")
chmod 755 "$work"
as_pg=(); if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi
cleanup() {
    stop_loopback_nginx
    [ -d "$work/pg" ] && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- site -------------------------------------------------------------------------------------
port=$(free_port)
base="http://127.0.0.1:$port"
log "generating $pages pages"
python3 scripts/bench_pipeline.py generate --dir "$work/site" --pages "$pages" --base "$base" --copy-every 50 >"$results/generate.txt" 2>&1
start_loopback_nginx "$work/nginx" "$port" "root $work/site; location / { try_files \$uri =404; }" /robots.txt || exit 1

# --- PostgreSQL -------------------------------------------------------------------------------
pg_port=$(free_port)
mkdir -p "$work/pg"
[ "$(id -u)" -eq 0 ] && chown postgres: "$work/pg"
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U khabar --auth=trust -E UTF8 --locale=C >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pg -c max_connections=100 -c shared_buffers=128MB" start >/dev/null
log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $pg_port; nginx on $base"
psql_bin="$pg_bin/psql"; [ -x "$psql_bin" ] || psql_bin=psql

echo "processes pages_per_s scaling statements_per_page records wall_s" > "$results/figures.txt"
one=""
for n in 1 2 3; do
    db="bench_$n"
    "$psql_bin" -h 127.0.0.1 -p "$pg_port" -U khabar -d postgres -q -c "CREATE DATABASE $db" >/dev/null
    state="postgresql://khabar@127.0.0.1:$pg_port/$db"
    pids=()
    start=$(date +%s.%N)
    for i in $(seq 1 "$n"); do
        "$khabar" backfill --sitemap "$base/sitemap.xml" --state "$state" --instance "p$i" --out "$work/out-$n-$i" \
            --allow-private --per-host-concurrency 64 --min-delay 0 >"$results/run-$n-$i.log" 2>&1 &
        pids+=($!)
    done
    status=0
    for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
    end=$(date +%s.%N)
    ((status == 0)) || { log "a backfill failed ($status): see $results/run-$n-*.log"; exit 1; }
    python3 - "$work" "$n" "$pages" "$start" "$end" "$results" "${one:-0}" <<'PY' >>"$results/figures.txt"
import glob, json, os, re, sys
work, n, pages, start, end, results, one = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6], float(sys.argv[7])
urls = []
for path in glob.glob(f'{work}/out-{n}-*/*.jsonl'):
    with open(path, encoding='utf-8') as f:
        urls += [json.loads(line)['canonical_url'] for line in f]
statements = 0
for path in glob.glob(f'{results}/run-{n}-*.log'):
    found = re.findall(r'shared state: (\d+) statements', open(path).read())
    statements += int(found[-1]) if found else 0
assert len(urls) == pages and len(set(urls)) == pages, f'{len(urls)} records, {len(set(urls))} distinct, {pages} pages'
wall = end - start
rate = pages / wall
print(f'{n} {rate:.1f} {rate / one if one else 1.0:.2f} {statements / pages:.1f} {len(urls)} {wall:.1f}')
PY
    rate=$(tail -1 "$results/figures.txt" | awk '{print $2}')
    [ -z "$one" ] && one=$rate
    log "$n process(es): $(tail -1 "$results/figures.txt")"
done
column -t "$results/figures.txt"
