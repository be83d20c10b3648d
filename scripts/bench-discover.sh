#!/usr/bin/env bash
# Throughput of the discovery parsers (sitemaps, feeds, URL canonicalization) next to Python's
# lxml parsing the same files, on one core.
#
#   bash scripts/bench-discover.sh
#
# Generates a 100,000-URL sitemap (plain, Google News, and .xml.gz) and a 10,000-item RSS feed
# under bench-results/discover/ (gitignored), sets up .venv-bench/ with lxml when missing, then
# runs lxml and the Swift parsers (DiscoverBenchmarkTests, release build) under `taskset -c 0`.
# Each figure is the fastest of 5 runs; lines starting with BENCH are the results.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "bench-discover: $*" >&2; }

data="$PWD/bench-results/discover"
mkdir -p "$data"

pin=()
if command -v taskset >/dev/null 2>&1; then pin=(taskset -c 0); else log "warning: taskset not found; running unpinned"; fi

if [ ! -x .venv-bench/bin/python ]; then
    log "creating .venv-bench/"
    python3 -m venv .venv-bench
fi
if ! .venv-bench/bin/python -c "import lxml" 2>/dev/null; then
    log "installing lxml into .venv-bench/"
    .venv-bench/bin/pip install -q lxml
fi

log "generating inputs in $data"
.venv-bench/bin/python scripts/bench_discover.py generate "$data"
ls -l "$data" >&2

log "lxml $(.venv-bench/bin/python -c 'import lxml.etree as e; print(e.__version__, "libxml2", ".".join(map(str, e.LIBXML_VERSION)))')"
"${pin[@]}" .venv-bench/bin/python scripts/bench_discover.py lxml "$data" | tee "$data/lxml.txt"

log "building the tests in release mode (slow the first time)"
swift build -c release --build-tests -Xswiftc -enable-testing >&2
KHABAR_BENCH_DISCOVER_DIR="$data" "${pin[@]}" swift test -c release -Xswiftc -enable-testing --skip-build \
    --filter DiscoverBenchmarkTests 2>&1 | tee "$data/swift.log" | grep -E "^BENCH|✘|failed" | tee "$data/swift.txt"
