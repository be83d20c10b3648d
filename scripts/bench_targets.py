#!/usr/bin/env python3
"""Checks khabar's benchmark targets against one evaluate.py run (dev-only helper of
scripts/bench-extract.sh).

Reads <results>/<dataset>/*.summary.json written by evaluate.py --out, plus the peak RSS and wall
time of one `khabar extract` run over the same pages, prints one line per target and exits 1
when any target misses (2 when a summary it needs is missing).
"""
import argparse
import json
import sys
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('results', help='the dataset folder evaluate.py wrote (…/scrapinghub)')
    ap.add_argument('--khabar', default='khabar')
    ap.add_argument('--rss-kib', type=int, required=True, help='peak RSS of the extract run, KiB')
    ap.add_argument('--wall-s', type=float, required=True, help='wall time of the extract run')
    ap.add_argument('--html-bytes', type=int, required=True, help='bytes of HTML it read')
    ap.add_argument('--pages', type=int, required=True)
    ap.add_argument('--min-speedup-trafilatura', type=float, default=8.0)
    ap.add_argument('--min-ratio-resiliparse', type=float, default=0.8)
    ap.add_argument('--min-f1', type=float, default=0.960)
    ap.add_argument('--max-rss-mb', type=float, default=100.0)
    args = ap.parse_args()

    results = Path(args.results)
    summaries = {}
    for path in results.glob('*.summary.json'):
        summary = json.loads(path.read_text())
        summaries[summary['extractor']] = summary
    needed = [args.khabar, 'trafilatura', 'resiliparse']
    missing = [n for n in needed if n not in summaries or not summaries[n].get('pages_per_s')]
    if missing:
        print(f'bench targets: no timing for {", ".join(missing)} in {results}', file=sys.stderr)
        return 2

    khabar = summaries[args.khabar]
    speed = khabar['pages_per_s']
    trafilatura = summaries['trafilatura']['pages_per_s']
    resiliparse = summaries['resiliparse']['pages_per_s']
    rss_mb = args.rss_kib * 1024 / 1e6
    checks = [
        (f'pages/s vs trafilatura (≥ {args.min_speedup_trafilatura:g}×)',
         f'{speed:.0f} / {trafilatura:.1f} = {speed / trafilatura:.1f}×',
         speed >= args.min_speedup_trafilatura * trafilatura),
        (f'pages/s vs resiliparse (≥ {args.min_ratio_resiliparse:g}×)',
         f'{speed:.0f} / {resiliparse:.0f} = {speed / resiliparse:.2f}×',
         speed >= args.min_ratio_resiliparse * resiliparse),
        (f'F1 (≥ {args.min_f1:.3f})', f'{khabar["F1"]:.3f}', khabar['F1'] >= args.min_f1),
        (f'peak RSS, one extract run over {args.pages} pages (< {args.max_rss_mb:g} MB)',
         f'{rss_mb:.1f} MB', rss_mb < args.max_rss_mb),
    ]
    parse_only = summaries.get(args.khabar + '-parse-only', {}).get('pages_per_s')
    width = max(len(c[0]) for c in checks)
    print('\nTargets (same run, one core):')
    for name, value, ok in checks:
        print(f'  {"PASS" if ok else "FAIL"}  {name:<{width}}  {value}')
    print(f'  info  extract run wall time {args.wall_s:.2f} s, {args.html_bytes / 1e6:.1f} MB of HTML: '
          f'{args.html_bytes / 1e6 / args.wall_s:.1f} MB/s, {args.pages / args.wall_s:.0f} pages/s '
          f'(process start and output included)')
    if parse_only:
        print(f'  info  libxml2 parse alone (khabar-parse-only): {parse_only:.0f} pages/s; '
              f'khabar takes {parse_only / speed:.2f}× the parse-only time')
    failed = [name for name, _, ok in checks if not ok]
    print(f'\n{len(checks) - len(failed)} passed, {len(failed)} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
