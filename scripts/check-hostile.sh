#!/usr/bin/env bash
# Runs the release `khabar extract` on hostile pages — empty, whitespace, binary noise, broken
# UTF-8, NUL bytes, no <body>, unclosed tags, scripts only, a 100,000-deep <div> nest, 5 MB and
# 50 MB pages — each under /usr/bin/time -v and a timeout, and prints a table.
# Fails (exit 1) when a run crashes (exit status other than 0 or 1), times out
# (HOSTILE_TIMEOUT, default 60 s) or peaks over HOSTILE_MAX_RSS_MIB (default 1024 MiB) of RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
timeout_s=${HOSTILE_TIMEOUT:-60}
max_rss_mib=${HOSTILE_MAX_RSS_MIB:-1024}
log() { echo "check-hostile: $*" >&2; }

if [ ! -x /usr/bin/time ]; then
    log "installing Debian's 'time' (for /usr/bin/time -v)"
    sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null
fi

log "building khabar (release)"
swift build -c release --product khabar >&2
khabar="$(swift build -c release --show-bin-path)/khabar"

work=$(mktemp -d "${TMPDIR:-/tmp}/khabar-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "writing hostile pages to $work"
python3 "$repo/scripts/hostile_inputs.py" write "$work/pages" > "$work/names"

failures=0
printf '%-20s %9s %6s %8s %9s  %s\n' case size exit seconds "RSS MiB" result
while read -r name; do
    page="$work/pages/$name.html"
    status=0
    /usr/bin/time -v -o "$work/$name.time" timeout -s KILL "$timeout_s" \
        "$khabar" extract "$page" > "$work/$name.jsonl" 2> "$work/$name.err" || status=$?
    rss_kib=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/$name.time")
    wall=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/$name.time" \
        | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
    result=$(python3 "$repo/scripts/hostile_inputs.py" summarize "$work/$name.jsonl")
    verdict=""
    if [ "$status" -eq 137 ]; then
        verdict="TIMEOUT (> ${timeout_s} s)"
    elif [ "$status" -gt 1 ]; then
        verdict="CRASH (exit $status: $(tail -c 200 "$work/$name.err" | tr '\n' ' '))"
    elif [ "$rss_kib" -gt $((max_rss_mib * 1024)) ]; then
        verdict="OVER ${max_rss_mib} MiB RSS"
    elif [[ $result == "bad JSON"* || $result == *"output lines" ]]; then
        verdict="BAD OUTPUT"
    fi
    if [ -n "$verdict" ]; then
        failures=$((failures + 1))
        result="$verdict; $result"
    fi
    printf '%-20s %9s %6s %8s %9s  %s\n' "$name" "$(stat -c %s "$page")" "$status" "$wall" \
        "$((rss_kib / 1024))" "$result"
done < "$work/names"

total=$(wc -l < "$work/names")
echo "$((total - failures)) passed, $failures failed"
if [ "$failures" -gt 0 ]; then
    log "$failures case(s) crashed, timed out, used too much memory or printed bad output"
    exit 1
fi
