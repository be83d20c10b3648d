#!/usr/bin/env python3
"""Helpers of scripts/bench-pipeline.sh (dev-only; standard library only).

    bench_pipeline.py generate --dir SITE --pages N --base http://127.0.0.1:PORT
    bench_pipeline.py sample   --pid PID --log STDERR_LOG --csv SAMPLES.csv
    bench_pipeline.py report   --pages N --site SITE --out OUT --csv SAMPLES.csv --time TIME_V ...

generate: a static news site of N article pages built from the golden UTF-8 pages
(Tests/KhabarCoreTests/Fixtures/golden). Each page keeps its template's markup and chrome
(navigation, tickers, related links, footer: the same on every page of a template, as on a real
site), but its article paragraphs are replaced by generated Arabic prose (words drawn from the
golden texts, so with their frequencies), numbered in the title and the lead paragraph: texts
differ as real articles do, so near-duplicate detection (5-word shingles, MinHash LSH) has few
candidates, as on a real site. Every 50th page (i % 50 == 49; --copy-every, 0 for none) is a republished copy:
the exact text of page i - 17 under its own URL (with its own rel=canonical), which the
deduplicator must flag. Pages live at /news/<i // 1000>/<i>.html; sitemaps of at most 50,000
URLs each, a sitemap index at /sitemap.xml and a robots.txt allowing everything.

sample: once a second, the process's VmRSS and the latest progress line of its log, as CSV.

report: checks the finished JSONL files and prints the figures and the verdict (exit 1 when a
target misses).
"""
import argparse, glob, html, json, os, random, re, sys, time
from multiprocessing import Pool

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, '..', 'Tests', 'KhabarCoreTests', 'Fixtures', 'golden')
SITEMAP_LIMIT = 50_000
COPY_EVERY = 50
COPY_BACK = 17  # page i (i % COPY_EVERY == COPY_EVERY - 1) repeats the text of page i - COPY_BACK
SLOT = '\x00SLOT{}\x00'
TITLE = '\x00TITLE\x00'
BASE = '\x00BASE\x00'
URL = '\x00URL\x00'
# Arabic letters and marks only: safe in HTML text, attributes and JSON strings alike.
ARABIC_WORD = re.compile('[\u0621-\u065f\u0670-\u06d3]+')


def is_copy(i):
    return COPY_EVERY > 0 and i % COPY_EVERY == COPY_EVERY - 1 and i >= COPY_BACK


def page_path(i):
    return f'news/{i // 1000}/{i}.html'


# --- templates ----------------------------------------------------------------------------------

class Template:
    """A golden page cut into fixed parts and slots: the title marker, the base URL, the
    canonical URL and one slot per article paragraph (with its original word count)."""

    def __init__(self, page, paragraphs):
        page = re.sub(r'<link rel="canonical"[^>]*>', '', page)
        page = page.replace('</head>', f'<link rel="canonical" href="{URL}">\n</head>', 1)
        page = page.replace('http://fixtures.khabar.test', BASE)
        # The title, as test_site.py numbers it: at its start, as sites do.
        page = re.sub(r'(<title>\s*)', lambda m: m.group(1) + TITLE, page, count=1)
        page = re.sub(r'(<h1[^>]*>(?:\s*<[^>]+>)*\s*)', lambda m: m.group(1) + TITLE, page, count=1)
        page = re.sub(r'(property="og:title" content=")', lambda m: m.group(1) + TITLE, page, count=1)
        page = re.sub(r'("(?:headline|title)":\s*")', lambda m: m.group(1) + TITLE, page, count=1)
        self.words = []
        # Longest first, so a paragraph inside another one is not cut out of it.
        for paragraph in sorted(set(paragraphs), key=len, reverse=True):
            forms = {paragraph, html.escape(paragraph), html.escape(paragraph, quote=False),
                     paragraph.replace('"', '&quot;'), json.dumps(paragraph, ensure_ascii=False)[1:-1]}
            slot = SLOT.format(len(self.words))
            hit = False
            for form in sorted(forms, key=len, reverse=True):
                if form in page:
                    page = page.replace(form, slot)
                    hit = True
            if hit:
                self.words.append(len(paragraph.split()))
        self.parts = re.split('(\x00[A-Z]+[0-9]*\x00)', page)
        # The slot that comes first on the page is the lead paragraph, which gets the number.
        self.lead = next((int(p[5:-1]) for p in self.parts if p.startswith('\x00SLOT')), 0)


def load_templates():
    templates, pool = [], []
    for path in sorted(glob.glob(os.path.join(GOLDEN, '*.html'))):
        raw = open(path, 'rb').read()
        if b'windows-1256' in raw[:2000].lower():
            continue  # UTF-8 templates only, as test_site.py
        expected = json.load(open(path[:-len('.html')] + '.expected.json', encoding='utf-8'))
        paragraphs = [p for p in expected['text'].split('\n') if p.strip()]
        templates.append(Template(raw.decode('utf-8'), paragraphs))
        for paragraph in paragraphs:
            for token in paragraph.split():
                word = token.strip('.,:;!?()[]«»"“”\'-–—،؛؟…/')
                if ARABIC_WORD.fullmatch(word):
                    pool.append(word)
    return templates, pool


def render(templates, pool, text_of, i, base):
    """Page i: the template and text of page `text_of` (i itself unless a copy), at URL i."""
    template = templates[text_of % len(templates)]
    rng = random.Random(text_of * 7919 + 1)
    slots = []
    for n, count in enumerate(template.words):
        words = rng.choices(pool, k=max(8, count + rng.randint(-count // 4, count // 4)))
        sentences, start = [], 0
        while start < len(words):
            end = start + rng.randint(8, 20)
            sentence = words[start:end]
            if len(sentence) > 6:
                sentence[len(sentence) // 2] += '،'
            sentences.append(' '.join(sentence) + '.')
            start = end
        text = ' '.join(sentences)
        if n == template.lead:
            text = f'هذا هو التقرير رقم {text_of} من سلسلة التقارير المحلية. ' + text
        slots.append(text)
    title = f'تقرير {text_of}: '
    url = f'{base}/{page_path(i)}'
    out = []
    for part in template.parts:
        if part == TITLE:
            out.append(title)
        elif part == BASE:
            out.append(base)
        elif part == URL:
            out.append(url)
        elif part.startswith('\x00SLOT'):
            out.append(slots[int(part[5:-1])])
        else:
            out.append(part)
    return ''.join(out).encode('utf-8')


_state = {}


def _init(base):
    _state['templates'], _state['pool'] = load_templates()
    _state['base'] = base


def _write_chunk(args):
    directory, first, last = args
    templates, pool, base = _state['templates'], _state['pool'], _state['base']
    total = 0
    for thousand in range(first // 1000, (last - 1) // 1000 + 1):
        os.makedirs(os.path.join(directory, 'news', str(thousand)), exist_ok=True)
    for i in range(first, last):
        body = render(templates, pool, i - COPY_BACK if is_copy(i) else i, i, base)
        with open(os.path.join(directory, page_path(i)), 'wb') as f:
            f.write(body)
        total += len(body)
    return total


def generate(args):
    started = time.monotonic()
    os.makedirs(args.dir, exist_ok=True)
    templates, _ = load_templates()
    if not templates:
        sys.exit('bench_pipeline: no golden templates found')
    chunks = [(args.dir, s, min(s + 1000, args.pages)) for s in range(0, args.pages, 1000)]
    with Pool(args.jobs, initializer=_init, initargs=(args.base,)) as pool:
        total = sum(pool.imap_unordered(_write_chunk, chunks))
    sitemaps = []
    for number, first in enumerate(range(0, args.pages, SITEMAP_LIMIT), 1):
        name = f'sitemap-{number}.xml'
        with open(os.path.join(args.dir, name), 'w', encoding='utf-8') as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
            for i in range(first, min(first + SITEMAP_LIMIT, args.pages)):
                f.write(f'<url><loc>{args.base}/{page_path(i)}</loc><lastmod>2024-06-{1 + i % 28:02d}</lastmod></url>\n')
            f.write('</urlset>\n')
        sitemaps.append(name)
    with open(os.path.join(args.dir, 'sitemap.xml'), 'w', encoding='utf-8') as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
        for name in sitemaps:
            f.write(f'<sitemap><loc>{args.base}/{name}</loc><lastmod>2024-06-30</lastmod></sitemap>\n')
        f.write('</sitemapindex>\n')
    with open(os.path.join(args.dir, 'robots.txt'), 'w') as f:
        f.write('User-agent: *\nAllow: /\n')
    copies = sum(1 for i in range(args.pages) if is_copy(i))
    print(f'generated {args.pages} pages ({copies} republished copies, {total / args.pages / 1024:.1f} KB a page on average, '
          f'{total / 2**20:.0f} MB), {len(sitemaps)} sitemaps, in {time.monotonic() - started:.1f} s', file=sys.stderr)


# --- sampling -----------------------------------------------------------------------------------

PROGRESS = re.compile(r'discovered (\d+), fetched (\d+), exported (\d+), already done (\d+), duplicates (\d+), failed (\d+), skipped (\d+)')


def sample(args):
    """Every second: elapsed seconds, VmRSS (kB), and the counts of the newest progress line
    (khabar logs one every 10 s without a terminal) with the elapsed time it was first seen."""
    started = time.monotonic()
    last = ('', '', '', '', '')
    seen_at = ''
    position = 0
    with open(args.csv, 'w') as out:
        out.write('elapsed_s,rss_kb,progress_seen_s,discovered,fetched,exported,duplicates,failed\n')
        while True:
            try:
                with open(f'/proc/{args.pid}/status') as f:
                    rss = next((line.split()[1] for line in f if line.startswith('VmRSS:')), None)
            except OSError:
                break
            if rss is None:  # a zombie: the process has exited
                break
            now = time.monotonic() - started
            try:
                with open(args.log, 'rb') as f:
                    f.seek(position)
                    chunk = f.read()
                cut = chunk.rfind(b'\n') + 1
                position += cut
                for line in chunk[:cut].decode('utf-8', 'replace').splitlines():
                    m = PROGRESS.search(line)
                    if m:
                        d, fe, ex, _, du, fa, _ = m.groups()
                        last, seen_at = (d, fe, ex, du, fa), f'{now:.1f}'
            except OSError:
                pass
            out.write(f'{now:.1f},{rss},{seen_at},{",".join(last)}\n')
            out.flush()
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started - now)))


# --- report -------------------------------------------------------------------------------------

def rss_at_pages(rows, done, pages):
    """The RSS (kB) when `pages` records had been exported: the time is interpolated between
    the progress lines around it (the final count at the end of the run), and the RSS is the
    highest sample within 2 s of that time."""
    points = []
    for row in rows:
        if row['progress_seen_s'] and row['exported']:
            point = (float(row['progress_seen_s']), int(row['exported']))
            if not points or points[-1] != point:
                points.append(point)
    points.append(done)
    previous = (0.0, 0)
    when = None
    for t, exported in points:
        if exported >= pages:
            t0, e0 = previous
            when = t0 + (t - t0) * (pages - e0) / max(1, exported - e0)
            break
        previous = (t, exported)
    if when is None:
        return None, None
    near = [int(r['rss_kb']) for r in rows if abs(float(r['elapsed_s']) - when) <= 2.0]
    if not near:
        near = [int(min(rows, key=lambda r: abs(float(r['elapsed_s']) - when))['rss_kb'])]
    return when, max(near)


def parse_time_v(path):
    values = {}
    for line in open(path):
        key, _, value = line.strip().rpartition(': ')
        values[key] = value
    return {
        'user': float(values.get('User time (seconds)', 0)),
        'system': float(values.get('System time (seconds)', 0)),
        'peak_kb': int(values.get('Maximum resident set size (kbytes)', 0)),
        'status': int(values.get('Exit status', -1)),
    }


def check_output(out_dir, pages, base):
    """Every finished file's lines are JSON objects; each canonical URL once; the expected URLs."""
    files = sorted(glob.glob(os.path.join(out_dir, '*.jsonl')) + glob.glob(os.path.join(out_dir, '*.jsonl.gz')))
    parts = glob.glob(os.path.join(out_dir, '*.part'))
    problems = []
    urls = set()
    records = bad_lines = repeated = flagged = flagged_right = 0
    identity = {}  # page number -> (id, duplicate_of)
    import gzip
    for path in files:
        opener = gzip.open if path.endswith('.gz') else open
        with opener(path, 'rb') as f:
            for line in f:
                records += 1
                try:
                    record = json.loads(line)
                    url = record.get('canonical_url') or record.get('url')
                except (ValueError, AttributeError):
                    bad_lines += 1
                    continue
                if url in urls:
                    repeated += 1
                urls.add(url)
                number = re.search(r'/(\d+)\.html$', url or '')
                if number:
                    identity[int(number.group(1))] = (record.get('id'), record.get('duplicate_of'))
                if record.get('duplicate_of'):
                    flagged += 1
                    m = re.search(r'/(\d+)\.html$', url or '')
                    if m and is_copy(int(m.group(1))):
                        flagged_right += 1
    expected_urls = {f'{base}/{page_path(i)}' for i in range(pages)}
    missing = len(expected_urls - urls)
    unexpected = len(urls - expected_urls)
    copies = sum(1 for i in range(pages) if is_copy(i))
    if parts:
        problems.append(f'{len(parts)} unfinished .part file(s) left')
    if bad_lines:
        problems.append(f'{bad_lines} line(s) not JSON')
    if repeated:
        problems.append(f'{repeated} canonical URL(s) repeated')
    if records != pages:
        problems.append(f'{records} records, expected {pages}')
    if missing or unexpected:
        problems.append(f'{missing} expected URL(s) missing, {unexpected} unexpected')
    # Each copy and its original form a pair; with many pages in flight the copy is sometimes
    # decided first, and then the original is the one flagged (pointing at the copy): either way
    # exactly one of the two is flagged, pointing at the other, and nothing else is flagged.
    pairs_right = copy_first = 0
    for i in range(pages):
        if not is_copy(i):
            continue
        copy, original = identity.get(i), identity.get(i - COPY_BACK)
        if not copy or not original:
            continue
        if copy[1] == original[0] and original[1] is None:
            pairs_right += 1
        elif original[1] == copy[0] and copy[1] is None:
            pairs_right += 1
            copy_first += 1
    if pairs_right != copies or flagged != copies:
        problems.append(f'{flagged} records flagged duplicate_of; {pairs_right} of the {copies} copy/original pairs '
                        f'have exactly one flagged, pointing at the other')
    return {'files': len(files), 'records': records, 'flagged': flagged, 'flagged_right': flagged_right,
            'copies': copies, 'copy_first': copy_first, 'problems': problems}


def report(args):
    import csv
    rows = list(csv.DictReader(open(args.csv)))
    timing = parse_time_v(args.time)
    wall = args.wall
    checks = check_output(args.out, args.pages, args.base)
    exported = checks['records']
    rate = exported / wall if wall > 0 else 0.0
    cpu = timing['user'] + timing['system']
    peak_mb = timing['peak_kb'] / 1024
    load = [float(x) for x in args.load.split(',')] if args.load else []
    marks = [m for m in (50_000, 100_000, 150_000, 200_000) if m <= args.pages]
    if args.pages < 200_000:
        marks = sorted({max(1, args.pages * k // 4) for k in (1, 2, 3, 4)})
    at = {m: rss_at_pages(rows, (wall, exported), m) for m in marks}
    lines = [f'pipeline benchmark: {args.pages} pages ({checks["copies"]} republished copies) from nginx on loopback '
             f'to finished JSONL; khabar backfill, {args.concurrency} requests in flight']
    lines.append('')
    lines.append(f'{"figure":<44} {"measured":>22}')
    lines.append(f'{"wall seconds (site generation excluded)":<44} {wall:>22.1f}')
    lines.append(f'{"records exported":<44} {exported:>22}')
    lines.append(f'{"pages/s end to end":<44} {rate:>22.1f}')
    lines.append(f'{"CPU seconds (user+sys)":<44} {cpu:>22.1f}')
    lines.append(f'{"CPU seconds per 1,000 pages":<44} {cpu * 1000 / max(1, exported):>22.2f}')
    lines.append(f'{"CPU use (of 2 cores)":<44} {cpu / wall * 100 if wall else 0:>21.0f}%')
    lines.append(f'{"peak RSS (time -v)":<44} {peak_mb:>19.1f} MB')
    for m in marks:
        when, kb = at[m]
        value = f'{kb / 1024:.1f} MB at {when:.0f} s' if kb else 'n/a'
        lines.append(f'{"RSS at " + format(m, ",") + " pages":<44} {value:>22}')
    if load:
        lines.append(f'{"load average during the run (mean of 1-min)":<44} {sum(load) / len(load):>22.2f}')
        lines.append(f'{"load average (1-min) min / max":<44} {f"{min(load):.2f} / {max(load):.2f}":>22}')
    lines.append(f'{"JSONL files / records flagged duplicate_of":<44} {str(checks["files"]) + " / " + str(checks["flagged"]):>22}')
    lines.append(f'{"copy/original pairs decided copy first":<44} {checks["copy_first"]:>22}')
    lines.append('')
    verdicts = []
    verdicts.append((f'pages/s end to end >= {args.target_rate:g}', f'{rate:.1f}', rate >= args.target_rate))
    verdicts.append((f'peak RSS < {args.target_rss:g} MB', f'{peak_mb:.1f} MB', peak_mb < args.target_rss))
    first, last = at[marks[0]][1], at[marks[-1]][1]
    if first and last:
        change = (last - first) / first * 100
        verdicts.append((f'RSS flat (±10 %) between {marks[0]:,} and {marks[-1]:,} pages',
                         f'{first / 1024:.1f} → {last / 1024:.1f} MB ({change:+.1f} %)', abs(change) <= 10))
    else:
        verdicts.append(('RSS flat (±10 %)', 'no samples', False))
    verdicts.append(('khabar backfill exit status 0', str(timing['status']), timing['status'] == 0))
    verdicts.append(('output: JSON lines, each canonical URL once, records = pages, copies flagged',
                     'ok' if not checks['problems'] else '; '.join(checks['problems']), not checks['problems']))
    lines.append(f'{"target":<76} {"measured":>28}  verdict')
    for name, value, ok in verdicts:
        lines.append(f'{name:<76} {value:>28}  {"pass" if ok else "MISS"}')
    text = '\n'.join(lines)
    print(text)
    if args.summary:
        with open(args.summary, 'w') as f:
            f.write(text + '\n')
    sys.exit(0 if all(ok for _, _, ok in verdicts) else 1)


def main():
    global COPY_EVERY
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    g = sub.add_parser('generate')
    g.add_argument('--dir', required=True)
    g.add_argument('--pages', type=int, required=True)
    g.add_argument('--base', required=True)
    g.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    g.add_argument('--copy-every', type=int, default=COPY_EVERY)
    s = sub.add_parser('sample')
    s.add_argument('--pid', type=int, required=True)
    s.add_argument('--log', required=True)
    s.add_argument('--csv', required=True)
    r = sub.add_parser('report')
    r.add_argument('--pages', type=int, required=True)
    r.add_argument('--base', required=True)
    r.add_argument('--out', required=True)
    r.add_argument('--csv', required=True)
    r.add_argument('--time', required=True)
    r.add_argument('--wall', type=float, required=True)
    r.add_argument('--load', default='')
    r.add_argument('--concurrency', type=int, default=64)
    r.add_argument('--target-rate', type=float, default=300)
    r.add_argument('--target-rss', type=float, default=200)
    r.add_argument('--summary')
    r.add_argument('--copy-every', type=int, default=COPY_EVERY)
    args = parser.parse_args()
    COPY_EVERY = getattr(args, 'copy_every', COPY_EVERY)
    {'generate': generate, 'sample': sample, 'report': report}[args.command](args)


if __name__ == '__main__':
    main()
