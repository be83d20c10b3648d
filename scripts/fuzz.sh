#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (Swift `-sanitize=fuzzer,address`, release) and runs each
# for SECONDS (default 60), one after another, pinned to one CPU (FUZZ_CPU, default 1).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]      # targets: FuzzDateParser or DateParser…
#
# Each target starts from its seed corpus Fuzz/Corpus/<target>/ (read only) plus a working
# corpus in .fuzz-work/<target>/corpus that grows across runs. A crash or a failed invariant
# leaves its input in .fuzz-work/<target>/ (crash-…, timeout-…, oom-…, leak-…); reproduce with
#   .build-fuzz/release/<target> .fuzz-work/<target>/crash-…
# Environment: FUZZ_CPU (CPU to pin to; empty = no pinning), FUZZ_SKIP_BUILD=1, FUZZ_JOBS
# (build jobs, default 2), FUZZ_FRESH=1 (start from the seeds only).
# Prints per target: executions, exec/s, coverage (cov: edges, ft: features), corpus size, verdict;
# exits 1 if any target failed.
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-60}
shift || true
ALL=(FuzzArticleExtractor FuzzFeedParser FuzzSitemapParser FuzzRobotsTxt FuzzDateParser
     FuzzNormalizer FuzzURLCanonicalizer FuzzWARCReader FuzzConfigLoader)
TARGETS=()
for name in "$@"; do
    [[ $name == Fuzz* ]] || name="Fuzz$name"
    TARGETS+=("$name")
done
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

# Longest input (bytes) and per-input timeout (seconds) for each target.
max_len() {
    case $1 in
        FuzzArticleExtractor) echo 32768 ;;
        FuzzFeedParser|FuzzSitemapParser|FuzzWARCReader) echo 16384 ;;
        FuzzNormalizer|FuzzRobotsTxt|FuzzConfigLoader) echo 4096 ;;
        FuzzURLCanonicalizer) echo 1024 ;;
        FuzzDateParser) echo 256 ;;
        *) echo 4096 ;;
    esac
}
timeout_for() {
    case $1 in
        FuzzArticleExtractor|FuzzFeedParser|FuzzSitemapParser|FuzzWARCReader) echo 10 ;;
        *) echo 5 ;;
    esac
}

SCRATCH=.build-fuzz
BIN=$SCRATCH/release
if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
    echo "building fuzz targets (release, -sanitize=fuzzer,address) into $SCRATCH…" >&2
    swift build --package-path Fuzz --scratch-path "$SCRATCH" -c release -j "${FUZZ_JOBS:-2}" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -g >&2 || { echo "build failed" >&2; exit 2; }
fi

PIN=()
if [ -n "${FUZZ_CPU-1}" ] && command -v taskset >/dev/null; then PIN=(taskset -c "${FUZZ_CPU-1}"); fi

failed=0
printf '%-22s %12s %9s %8s %8s %8s %9s  %s\n' target executions exec/s cov ft corpus seconds verdict
for target in "${TARGETS[@]}"; do
    exe=$BIN/$target
    if [ ! -x "$exe" ]; then echo "$target: no binary at $exe" >&2; failed=1; continue; fi
    work=.fuzz-work/$target
    [ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$work"
    mkdir -p "$work/corpus"
    log=$work/last-run.log
    start=$(date +%s)
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
    "${PIN[@]}" "$exe" "$work/corpus" "Fuzz/Corpus/$target" \
        -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$target")" -timeout="$(timeout_for "$target")" \
        -rss_limit_mb=2048 -artifact_prefix="$work/" -print_final_stats=1 >"$log" 2>&1
    status=$?
    elapsed=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -1)
    cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*')
    ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*')
    corp=$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*')
    if [ $status -eq 0 ]; then
        verdict=ok
    else
        failed=1
        artifact=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
        reason=$(grep -m1 -E 'INVARIANT FAILED|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|Fatal error|SUMMARY: ' "$log" | cut -c1-200)
        verdict="FAILED (exit $status): ${reason:-see $log} ${artifact:+→ $artifact}"
    fi
    printf '%-22s %12s %9s %8s %8s %8s %9s  %s\n' "$target" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$elapsed" "$verdict"
done
exit $failed
