#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer, and a leak check of
# `khabar extract` over at least 1,000 pages with LeakSanitizer.
#
#   bash scripts/sanitize.sh [address|thread|leak|all]...     (default: all)
#
# Builds go to their own scratch directories (.build-asan, .build-tsan), so they never clobber
# the normal .build. The leak check uses the ASan build of `khabar` (detect_leaks=1) on pages
# made from the test fixtures (copies varied by index) plus ../shared/bench/scrapinghub when it
# exists. Suppressions, each explained, are in scripts/sanitizers/*.supp. Extra arguments after
# `--` go to `swift test` (e.g. `-- --filter Normalizer`). Environment: SANITIZE_JOBS (build
# jobs, default 2), LEAK_PAGES (default 1000). Exits 1 when any sanitizer reported anything.
set -uo pipefail
cd "$(dirname "$0")/.."

MODES=()
TEST_ARGS=()
while [ $# -gt 0 ]; do
    case $1 in
        --) shift; TEST_ARGS=("$@"); break ;;
        all) MODES+=(address thread leak) ;;
        address|thread|leak) MODES+=("$1") ;;
        *) echo "usage: $0 [address|thread|leak|all]... [-- swift test arguments]" >&2; exit 64 ;;
    esac
    shift
done
[ ${#MODES[@]} -eq 0 ] && MODES=(address thread leak)
JOBS=${SANITIZE_JOBS:-2}
SUPP=$PWD/scripts/sanitizers
LOGS=$PWD/.build-sanitize-logs
mkdir -p "$LOGS"
failed=0
summary=()

build() {  # build SANITIZER SCRATCH
    echo "== building with --sanitize=$1 into $2" >&2
    swift build --build-tests --sanitize "$1" --scratch-path "$2" -j "$JOBS" >&2
}

# Runs the test suite; a sanitizer report anywhere in the output (the tests spawn khabar
# processes that inherit the options) counts as a failure even when the tests pass.
run_tests() {  # run_tests SANITIZER SCRATCH LOG
    local sanitizer=$1 scratch=$2 log=$3 status reports
    swift test --skip-build --sanitize "$sanitizer" --scratch-path "$scratch" "${TEST_ARGS[@]}" >"$log" 2>&1
    status=$?
    reports=$(grep -cE '^(==[0-9]+==ERROR: |WARNING: ThreadSanitizer:|SUMMARY: (Address|Thread|Leak|UndefinedBehavior)Sanitizer)' "$log")
    local tests
    tests=$(grep -E 'Test run with [0-9]+ tests' "$log" | tail -1)
    if [ $status -ne 0 ] || [ "$reports" -ne 0 ]; then
        failed=1
        summary+=("$sanitizer: FAILED (swift test exit $status, $reports sanitizer report lines) — see $log")
        grep -E -A12 '^(==[0-9]+==ERROR: |WARNING: ThreadSanitizer:)' "$log" | head -80 >&2
        grep -E '✘|error:' "$log" | head -20 >&2
    else
        summary+=("$sanitizer: clean — ${tests:-tests passed} (log $log)")
    fi
}

make_pages() {  # make_pages DIRECTORY COUNT
    python3 - "$1" "$2" <<'PY'
import os, sys, glob
out, count = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
fixtures = sorted(glob.glob("Tests/KhabarCoreTests/Fixtures/*/*.html"))
shared = sorted(glob.glob("../shared/bench/scrapinghub/*.html"))
written = 0
for path in shared[:count]:
    with open(path, "rb") as f:
        data = f.read()
    with open(os.path.join(out, f"shared-{written:04d}.html"), "wb") as f:
        f.write(data)
    written += 1
words = "خبر عاجل القاهرة الحكومة وزير المدينة الاقتصاد اجتماع المجلس اليوم".split()
index = 0
while written < count:
    path = fixtures[index % len(fixtures)]
    with open(path, "rb") as f:
        data = f.read()
    # Vary each copy: an extra paragraph and a changed title, so the pages differ in size and text.
    n = index // len(fixtures)
    paragraph = " ".join(words[(n + k) % len(words)] for k in range(12 + n % 40))
    extra = f"<p>{paragraph} {index}.</p>".encode()
    lower = data.lower()
    at = lower.rfind(b"</body>")
    data = data[:at] + extra + data[at:] if at >= 0 else data + extra
    data = data.replace(b"</title>", f" {index}</title>".encode(), 1)
    with open(os.path.join(out, f"fixture-{index:04d}.html"), "wb") as f:
        f.write(data)
    written += 1
    index += 1
print(f"{written} pages ({min(len(shared), count)} from ../shared/bench/scrapinghub)", file=sys.stderr)
PY
}

for mode in "${MODES[@]}"; do
    case $mode in
    address)
        build address .build-asan || { failed=1; summary+=("address: build failed"); continue; }
        ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:suppressions=$SUPP/asan.supp" \
            run_tests address .build-asan "$LOGS/address.log"
        ;;
    thread)
        build thread .build-tsan || { failed=1; summary+=("thread: build failed"); continue; }
        TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:suppressions=$SUPP/tsan.supp" \
            run_tests thread .build-tsan "$LOGS/thread.log"
        ;;
    leak)
        build address .build-asan || { failed=1; summary+=("leak: build failed"); continue; }
        pages=$(mktemp -d "${TMPDIR:-/tmp}/leakcheck.XXXXXX")
        make_pages "$pages" "${LEAK_PAGES:-1000}"
        log=$LOGS/leak.log
        count=$(find "$pages" -name '*.html' | wc -l)
        # khabar exits 1 when some page has no article; that is not a leak. Any LeakSanitizer or
        # AddressSanitizer report is.
        ( cd "$pages" && ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" \
            LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=1:report_objects=0" \
            "$OLDPWD/.build-asan/debug/khabar" extract ./*.html ) >"$pages.jsonl" 2>"$log"
        status=$?
        records=$(wc -l <"$pages.jsonl")
        errors=$(grep -c '"error"' "$pages.jsonl")
        reports=$(grep -cE '^==[0-9]+==ERROR: ' "$log")
        suppressed=$(grep -E '^ *[0-9]+ +[0-9]+ +' "$log" | awk '{s+=$1} END {print s+0}')
        if [ "$reports" -ne 0 ] || [ "$records" -ne "$count" ] || [ $status -gt 1 ]; then
            failed=1
            summary+=("leak: FAILED (exit $status, $reports reports, $records of $count records) — see $log")
            grep -A20 '^==[0-9]*==ERROR' "$log" | head -60 >&2
        else
            summary+=("leak: clean — khabar extract over $count pages ($errors without an article), 0 reports, $suppressed suppressed leak(s) (log $log)")
        fi
        rm -rf "$pages" "$pages.jsonl"
        ;;
    esac
done
printf '%s\n' "${summary[@]}"
exit $failed
