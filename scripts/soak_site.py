#!/usr/bin/env python3
"""Helpers of scripts/soak.sh (dev-only; standard library only; loopback only).

    soak_site.py drive  --site DIR --base http://127.0.0.1:PORT --metrics http://127.0.0.1:PORT2
                        --pid PID --state DIR --out DIR --pages N --minutes M --csv SAMPLES.csv
    soak_site.py report --csv SAMPLES.csv --out DIR --base ... --pages N --exit-status S ...
    soak_site.py init   --site DIR --base http://127.0.0.1:PORT   (robots.txt, empty feeds)

drive: a news site that keeps publishing, and the sampler of the daemon that watches it.

  The site is a folder that nginx serves; this process writes into it. Article i is rendered
  when it is published, from the golden UTF-8 pages as scripts/bench_pipeline.py does (each
  article its own generated Arabic text; every 50th a republished copy of article i - 4,017
  under its own URL, which deduplication must flag), at /news/<i // 1000>/<i>.html. Articles are
  published at PAGES / (MINUTES * 60) a second, in ticks of half a second, into four sections
  (article i in section i % 4), and what discovery reads is rewritten atomically (temporary
  file, rename) after every tick:
    /feeds/<section>.xml   RSS 2.0: the section's newest --feed-items (1,000) articles, links
                           with ?utm_source=rss (the canonical form drops it)
    /sitemap.xml           a sitemap index of the newest two chunk sitemaps
    /sitemaps/<k>.xml      articles k * 2,000 ... k * 2,000 + 1,999 (a full chunk never changes,
                           so nginx answers the daemon's conditional GET with 304)
  No article may fall out of every feed and sitemap before the daemon has seen it, so the site
  holds back while the daemon's backlog (published - exported, from /metrics) is at --max-backlog
  (2,000; the feeds together list the newest 4,000): if the daemon cannot keep up, publishing
  follows it instead of losing articles, and the samples say how long it held back.
  When every page is published (or --max-minutes passed: publishing stops where it is), it waits
  until the daemon has exported all of them (at most --catch-up seconds without progress).

  Every --every (5) seconds a sample goes to the CSV: pages published, the daemon's counters
  (/metrics), its RSS (VmRSS), open descriptors (/proc/PID/fd), CPU seconds, the SQLite state's
  size (database and WAL), the output's size and files, /healthz's status and the load average.

report: reads the samples and checks the output; prints the figures and the verdict (exit 1
  unless every check passes). See scripts/soak.sh for the checks.
"""
import argparse, csv, datetime, glob, os, re, signal, sys, time, urllib.error, urllib.request
from email.utils import formatdate

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_pipeline  # noqa: E402  (templates, rendering, copies, output check)

SECTIONS = ['politics', 'economy', 'sports', 'culture']
CHUNK = 2000          # articles per chunk sitemap
SITEMAP_KEEP = 2      # chunk sitemaps listed in the index (the newest)
# A republished copy (every 50th article) repeats the text of the article published this many
# before it: well behind the daemon's backlog (at most 2,000), so the original is exported first
# and the copy is the one flagged, as on a real site.
COPY_BACK = 4017
COUNTER = re.compile(r'^khabar_items_total\{event="([a-z_]+)"\}\s+([0-9.e+]+)', re.M)
FIELDS = ['elapsed_s', 'utc', 'published', 'held_back_s', 'discovered', 'fetched', 'exported', 'duplicates_flagged',
          'failed', 'same_canonical_url', 'backlog', 'rss_kb', 'fds', 'sockets', 'cpu_s', 'db_bytes', 'wal_bytes',
          'out_bytes', 'out_files', 'part_files', 'healthz', 'load1']


def write_atomically(path, text):
    temporary = path + '.tmp'
    with open(temporary, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(temporary, path)


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


class Site:
    def __init__(self, directory, base, feed_items):
        self.dir = directory
        self.base = base
        self.feed_items = feed_items
        self.templates, self.pool = bench_pipeline.load_templates()
        if not self.templates:
            sys.exit('soak_site: no golden templates found')
        self.published = 0
        # Per article, its feed item and sitemap entry, made once.
        self.feed_lines, self.sitemap_lines, self.lastmods = [], [], []
        for folder in ('news', 'feeds', 'sitemaps'):
            os.makedirs(os.path.join(directory, folder), exist_ok=True)
        write_atomically(os.path.join(directory, 'robots.txt'), 'User-agent: *\nAllow: /\n')
        self.write_discovery()

    def url(self, i):
        return f'{self.base}/{bench_pipeline.page_path(i)}'

    def publish(self, count):
        """Renders and writes the next `count` articles, then rewrites feeds and sitemaps."""
        now = time.time()
        pub_date, lastmod = formatdate(now, usegmt=True), iso(now)
        for i in range(self.published, self.published + count):
            if i % 1000 == 0:
                os.makedirs(os.path.join(self.dir, 'news', str(i // 1000)), exist_ok=True)
            text_of = i - bench_pipeline.COPY_BACK if bench_pipeline.is_copy(i) else i
            body = bench_pipeline.render(self.templates, self.pool, text_of, i, self.base)
            path = os.path.join(self.dir, bench_pipeline.page_path(i))
            with open(path + '.tmp', 'wb') as f:
                f.write(body)
            os.replace(path + '.tmp', path)
            url = self.url(i)
            self.feed_lines.append(f'<item><title>تقرير {i}</title><link>{url}?utm_source=rss</link>'
                                   f'<guid isPermaLink="false">soak-{i}</guid><pubDate>{pub_date}</pubDate></item>\n')
            self.sitemap_lines.append(f'<url><loc>{url}</loc><lastmod>{lastmod}</lastmod></url>\n')
            self.lastmods.append(lastmod)
        first_new_chunk = self.published // CHUNK
        self.published += count
        if count:
            self.write_discovery(chunks=range(first_new_chunk, (self.published - 1) // CHUNK + 1))

    def write_discovery(self, chunks=()):
        n = self.published
        for s, section in enumerate(SECTIONS):
            # The section's newest articles, newest first.
            newest = (n - 1) - ((n - 1 - s) % len(SECTIONS)) if n > s else -1
            oldest = max(-1, newest - self.feed_items * len(SECTIONS))
            items = self.feed_lines[newest:oldest:-len(SECTIONS)] if oldest >= 0 else self.feed_lines[newest::-len(SECTIONS)]
            write_atomically(os.path.join(self.dir, 'feeds', f'{section}.xml'),
                             '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
                             f'<title>soak {section}</title><link>{self.base}/</link><description>soak</description>\n'
                             + ''.join(items) + '</channel></rss>\n')
        for k in chunks:
            write_atomically(os.path.join(self.dir, 'sitemaps', f'{k}.xml'),
                             '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                             + ''.join(self.sitemap_lines[k * CHUNK:(k + 1) * CHUNK]) + '</urlset>\n')
        last = (n - 1) // CHUNK if n else -1
        children = ''.join(f'<sitemap><loc>{self.base}/sitemaps/{k}.xml</loc>'
                           f'<lastmod>{self.lastmods[min(n, (k + 1) * CHUNK) - 1]}</lastmod></sitemap>\n'
                           for k in range(max(0, last - SITEMAP_KEEP + 1), last + 1))
        write_atomically(os.path.join(self.dir, 'sitemap.xml'),
                         '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                         + children + '</sitemapindex>\n')


def fetch_counters(metrics):
    try:
        with urllib.request.urlopen(metrics + '/metrics', timeout=5) as response:
            text = response.read().decode('utf-8', 'replace')
    except OSError:
        return None
    return {event: int(float(value)) for event, value in COUNTER.findall(text)}


def healthz(metrics):
    try:
        with urllib.request.urlopen(metrics + '/healthz', timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def process_figures(pid):
    """VmRSS (kB), open descriptors (all, and sockets among them) and CPU seconds of `pid`;
    None when it is gone."""
    try:
        with open(f'/proc/{pid}/status') as f:
            rss = next((int(line.split()[1]) for line in f if line.startswith('VmRSS:')), None)
        sockets = fds = 0
        for fd in os.listdir(f'/proc/{pid}/fd'):
            fds += 1
            try:
                sockets += os.readlink(f'/proc/{pid}/fd/{fd}').startswith('socket:')
            except OSError:
                pass  # closed meanwhile
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, StopIteration, IndexError, ValueError):
        return None
    if rss is None:
        return None  # a zombie
    return rss, fds, sockets, cpu


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def drive(args):
    bench_pipeline.COPY_EVERY, bench_pipeline.COPY_BACK = args.copy_every, args.copy_back
    site = Site(args.site, args.base, args.feed_items)
    rate = args.pages / (args.minutes * 60.0)
    started = time.monotonic()
    deadline = started + args.max_minutes * 60 if args.max_minutes else None
    tick = 0.5
    state = {'held_back': 0.0, 'counters': {}, 'stop': False}
    started_utc = iso(time.time())

    def stop_publishing(signum, frame):
        state['stop'] = True
    # SIGTERM/SIGINT (soak.sh forwards its own): stop publishing, let the daemon catch up.
    signal.signal(signal.SIGTERM, stop_publishing)
    signal.signal(signal.SIGINT, stop_publishing)
    out = open(args.csv, 'w', newline='')
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()

    def sample(now, figures):
        rss, fds, sockets, cpu = figures
        counters = state['counters']
        out_files = glob.glob(os.path.join(args.out, '*.jsonl')) + glob.glob(os.path.join(args.out, '*.jsonl.gz'))
        parts = glob.glob(os.path.join(args.out, '*.part'))
        writer.writerow({
            'elapsed_s': f'{now - started:.1f}', 'utc': iso(time.time()), 'published': site.published,
            'held_back_s': f'{state["held_back"]:.1f}', 'discovered': counters.get('discovered', 0),
            'fetched': counters.get('fetched', 0), 'exported': counters.get('exported', 0),
            'duplicates_flagged': counters.get('duplicates_flagged', 0),
            'failed': counters.get('fetch_failed', 0) + counters.get('clean_failed', 0),
            'same_canonical_url': counters.get('same_canonical_url', 0),
            'backlog': site.published - counters.get('exported', 0),
            'rss_kb': rss, 'fds': fds, 'sockets': sockets, 'cpu_s': f'{cpu:.2f}',
            'db_bytes': size(os.path.join(args.state, 'khabar.sqlite')),
            'wal_bytes': size(os.path.join(args.state, 'khabar.sqlite-wal')),
            'out_bytes': sum(size(p) for p in out_files + parts), 'out_files': len(out_files),
            'part_files': len(parts), 'healthz': healthz(args.metrics),
            'load1': open('/proc/loadavg').read().split()[0]})
        out.flush()

    next_sample = started
    next_print = started
    last_progress = (started, -1)
    publishing_done_at = None
    reason = ''
    while True:
        now = time.monotonic()
        state['counters'] = fetch_counters(args.metrics) or state['counters']
        exported = state['counters'].get('exported', 0)
        figures = process_figures(args.pid)
        if figures is None:
            reason = 'the daemon exited'
            break
        # Publish what is due, unless the daemon's backlog is at the limit.
        if publishing_done_at is None:
            due = min(args.pages, int(rate * (now - started)) + 1)
            allowed = min(due, exported + args.max_backlog)
            if allowed < due:
                state['held_back'] += tick  # the backlog limit binds
            if allowed > site.published:
                site.publish(allowed - site.published)
            if site.published >= args.pages:
                publishing_done_at = time.monotonic()
                print(f'soak: published {site.published} pages in {publishing_done_at - started:.0f} s', file=sys.stderr)
            elif (deadline and now >= deadline) or state['stop']:
                publishing_done_at = time.monotonic()
                why = 'stopped by a signal' if state['stop'] else '--max-minutes reached'
                print(f'soak: {why}: publishing stopped at {site.published} of {args.pages} pages', file=sys.stderr)
        if exported != last_progress[1]:
            last_progress = (now, exported)
        if now >= next_sample:
            sample(now, figures)
            next_sample += args.every
        if now >= next_print:
            rss, fds, _, _ = figures
            print(f'soak: {now - started:5.0f} s  published {site.published:>7}  exported {exported:>7}  '
                  f'RSS {rss / 1024:6.1f} MB  fds {fds:>3}  held back {state["held_back"]:.0f} s', file=sys.stderr)
            next_print += 60
        if publishing_done_at is not None:
            if exported >= site.published:
                reason = 'caught up'
                break
            if now - last_progress[0] > args.catch_up:
                reason = f'no export for {args.catch_up:.0f} s with {site.published - exported} pages outstanding'
                break
        time.sleep(max(0.0, tick - (time.monotonic() - now)))
    figures = process_figures(args.pid)
    if figures:
        sample(time.monotonic(), figures)  # the state after catching up
    out.close()
    ended = time.monotonic()
    print(f'soak: drive ended: {reason}; published {site.published}, exported {state["counters"].get("exported", 0)}', file=sys.stderr)
    with open(args.meta, 'w') as f:
        f.write(f'started=started {started_utc}, {args.pages:,} pages planned over {args.minutes:g} min\n'
                f'published={site.published}\nrate={rate:.3f}\n'
                f'publishing_s={(publishing_done_at or ended) - started:.1f}\n'
                f'held_back_s={state["held_back"]:.1f}\nend_reason={reason}\nend_s={ended - started:.1f}\n')
    return 0


def read_meta(path):
    meta = {}
    for line in open(path):
        key, _, value = line.strip().partition('=')
        meta[key] = value
    return meta


def report(args):
    """The figures and the verdict; exit 1 unless every check passes."""
    bench_pipeline.COPY_EVERY, bench_pipeline.COPY_BACK = args.copy_every, args.copy_back
    rows = [{k: (v if k in ('utc',) else float(v or 0)) for k, v in row.items()} for row in csv.DictReader(open(args.csv))]
    meta = read_meta(args.meta)
    published = int(meta['published'])
    publishing_s = float(meta['publishing_s'])
    lines, verdicts = [], []

    def figure(name, value):
        lines.append(f'{name:<68} {value}')

    if not rows:
        print('soak: no samples', file=sys.stderr)
        return 1
    # Warm-up: until 10 % of the pages were exported. The steady part runs from there to the
    # end of publishing; RSS, descriptors and throughput are judged on it (after it, with
    # nothing left to fetch, the daemon's idle connections close).
    warm = max(1, int(args.pages * args.warm_up))
    after = [r for r in rows if r['exported'] >= warm]
    steady = [r for r in after if r['elapsed_s'] <= publishing_s + args.every]
    last = rows[-1]
    duration = last['elapsed_s']
    figure('pages to publish (target)', f'{args.pages:,}')
    figure('pages published', f'{published:,} in {publishing_s / 60:.1f} min (target rate {float(meta["rate"]):.1f}/s)')
    figure('publishing held back by the backlog limit', f'{float(meta["held_back_s"]):.0f} s')
    figure('records exported (metrics, last sample)', f'{int(last["exported"]):,} after {duration / 60:.1f} min ({meta["end_reason"]})')
    figure('samples (every %g s)' % args.every, f'{len(rows)}, {len(after)} after warm-up ({warm:,} pages exported at {after[0]["elapsed_s"]:.0f} s)' if after else f'{len(rows)}, none after warm-up')
    ok_published = published >= args.pages
    verdicts.append((f'pages published >= {args.pages:,}', f'{published:,}', ok_published))

    def flat(name, key, scale, unit):
        values = [r[key] for r in steady]
        if not values:
            verdicts.append((f'{name} flat in the steady part (max/min <= {1 + args.flat:.2f})', 'no samples', False))
            return
        low, high = min(values), max(values)
        ratio = high / low if low else float('inf')
        at_low = next(r['elapsed_s'] for r in steady if r[key] == low)
        at_high = next(r['elapsed_s'] for r in steady if r[key] == high)
        figure(f'{name} in the steady part: min / max; at the end',
               f'{low / scale:.1f} / {high / scale:.1f}; {last[key] / scale:.1f} {unit} (min at {at_low:.0f} s, max at {at_high:.0f} s)')
        verdicts.append((f'{name} flat in the steady part (max/min <= {1 + args.flat:.2f})', f'{ratio:.3f}', ratio <= 1 + args.flat))

    first_rss = rows[0]['rss_kb']
    figure('RSS at the first sample / peak over the run', f'{first_rss / 1024:.1f} / {max(r["rss_kb"] for r in rows) / 1024:.1f} MB')
    flat('RSS', 'rss_kb', 1024, 'MB')
    # Descriptors: the sockets among them follow libcurl's connection pool (idle connections
    # close when fewer pages are in flight), so the max/min test is on the others (files,
    # pipes, event descriptors), and all of them together must not grow: the highest count in
    # the second half of the steady part at most 1.10 x the highest in the first half.
    for r in rows:
        r['other_fds'] = r['fds'] - r['sockets']
    figure('open descriptors in the steady part: min / max (sockets min / max)',
           f'{min((r["fds"] for r in steady), default=0):.0f} / {max((r["fds"] for r in steady), default=0):.0f} '
           f'({min((r["sockets"] for r in steady), default=0):.0f} / {max((r["sockets"] for r in steady), default=0):.0f})')
    flat('open descriptors other than sockets', 'other_fds', 1, '')
    if len(steady) >= 4:
        half = len(steady) // 2
        first_max, second_max = max(r['fds'] for r in steady[:half]), max(r['fds'] for r in steady[half:])
        verdicts.append((f'open descriptors not growing (max of the 2nd half <= {1 + args.flat:.2f} x max of the 1st)',
                         f'{first_max:.0f} -> {second_max:.0f}', second_max <= first_max * (1 + args.flat)))
    else:
        verdicts.append(('open descriptors not growing', 'too few samples', False))
    # Throughput: records exported per second over each half (by time) of the steady part.
    if len(steady) >= 4:
        middle = (steady[0]['elapsed_s'] + steady[-1]['elapsed_s']) / 2
        mid = min(steady, key=lambda r: abs(r['elapsed_s'] - middle))
        def rate(a, b):
            return (b['exported'] - a['exported']) / max(1e-9, b['elapsed_s'] - a['elapsed_s'])
        first_half, second_half = rate(steady[0], mid), rate(mid, steady[-1])
        change = second_half / first_half - 1 if first_half else float('inf')
        per_minute = []
        step = max(1, int(round(60 / args.every)))
        for k in range(0, len(steady) - step, step):
            per_minute.append(rate(steady[k], steady[k + step]) * 60)
        figure('steady part (warm-up end to end of publishing)', f'{steady[0]["elapsed_s"]:.0f} s to {steady[-1]["elapsed_s"]:.0f} s')
        figure('throughput, first half / second half', f'{first_half:.1f} / {second_half:.1f} records/s ({change * 100:+.1f} %)')
        if per_minute:
            ordered = sorted(per_minute)
            figure('records per minute in the steady part: min / median / max',
                   f'{ordered[0]:.0f} / {ordered[len(ordered) // 2]:.0f} / {ordered[-1]:.0f}')
        verdicts.append((f'throughput steady (second half within ±{args.steady * 100:.0f} % of the first)', f'{change * 100:+.1f} %', abs(change) <= args.steady))
    else:
        verdicts.append(('throughput steady', 'too few samples after warm-up', False))
    # A stall: a minute without any export while pages were waiting.
    stalls = 0
    window = int(round(60 / args.every))
    for k in range(len(rows) - window):
        a, b = rows[k], rows[k + window]
        if b['exported'] == a['exported'] and a['backlog'] > 0:
            stalls += 1
    verdicts.append(('no stall (a minute without exports while pages wait)', f'{stalls} stalled minute(s)' if stalls else 'none', stalls == 0))
    cpu = last['cpu_s']
    figure('khabar CPU seconds / per 1,000 pages', f'{cpu:.0f} / {cpu * 1000 / max(1, last["exported"]):.2f}')
    loads = [r['load1'] for r in rows]
    figure('load average (1 min) mean / max', f'{sum(loads) / len(loads):.2f} / {max(loads):.2f}')
    db, wal = last['db_bytes'], last['wal_bytes']
    figure('SQLite state at the end: database + WAL', f'{db / 2**20:.1f} + {wal / 2**20:.1f} MB ({(db + wal) / max(1, last["exported"]):.0f} bytes a page)')
    figure('SQLite WAL, largest after warm-up', f'{max((r["wal_bytes"] for r in after), default=0) / 2**20:.1f} MB')
    figure('output at the end (before SIGTERM): bytes / finished files', f'{last["out_bytes"] / 2**20:.1f} MB / {int(last["out_files"])}')
    unhealthy = [r for r in rows if r['healthz'] != 200]
    verdicts.append(('/healthz 200 at every sample, the last one included', f'{len(unhealthy)} other' if unhealthy else f'{len(rows)} x 200', not unhealthy and rows[-1]['healthz'] == 200))
    verdicts.append(('SIGTERM: the daemon drains and exits 0', f'status {args.exit_status} after {args.stop_seconds:.1f} s', args.exit_status == '0'))
    checks = bench_pipeline.check_output(args.out, published, args.base)
    figure('finished JSONL files / records / flagged duplicate_of', f'{checks["files"]} / {checks["records"]:,} / {checks["flagged"]:,}')
    verdicts.append(('output: JSON lines, each canonical URL once, no .part, records = pages published, copies flagged',
                     'ok' if not checks['problems'] else '; '.join(checks['problems']), not checks['problems']))
    text = [f'khabar soak: `khabar run` watching 4 RSS feeds and a sitemap index of a local site that keeps publishing',
            f'{meta.get("started", "")}', '']
    text += lines
    text.append('')
    text.append(f'{"check":<92} {"measured":>30}  verdict')
    for name, value, ok in verdicts:
        text.append(f'{name:<92} {value:>30}  {"pass" if ok else "FAIL"}')
    passed = all(ok for _, _, ok in verdicts)
    text.append('')
    text.append('VERDICT: ' + ('PASS' if passed else 'FAIL'))
    output = '\n'.join(text)
    print(output)
    if args.summary:
        with open(args.summary, 'w') as f:
            f.write(output + '\n')
    return 0 if passed else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    d = sub.add_parser('drive')
    d.add_argument('--site', required=True)
    d.add_argument('--base', required=True)
    d.add_argument('--metrics', required=True)
    d.add_argument('--pid', type=int, required=True)
    d.add_argument('--state', required=True)
    d.add_argument('--out', required=True)
    d.add_argument('--csv', required=True)
    d.add_argument('--meta', required=True)
    d.add_argument('--pages', type=int, required=True)
    d.add_argument('--minutes', type=float, required=True)
    d.add_argument('--max-minutes', type=float, default=0)
    d.add_argument('--every', type=float, default=5)
    d.add_argument('--feed-items', type=int, default=1000)
    d.add_argument('--max-backlog', type=int, default=2000)
    d.add_argument('--catch-up', type=float, default=300)
    d.add_argument('--copy-every', type=int, default=bench_pipeline.COPY_EVERY)
    d.add_argument('--copy-back', type=int, default=COPY_BACK)
    r = sub.add_parser('report')
    r.add_argument('--csv', required=True)
    r.add_argument('--meta', required=True)
    r.add_argument('--out', required=True)
    r.add_argument('--base', required=True)
    r.add_argument('--pages', type=int, required=True)
    r.add_argument('--every', type=float, default=5)
    r.add_argument('--warm-up', type=float, default=0.10, help='share of the pages (exported) that is warm-up')
    r.add_argument('--flat', type=float, default=0.10, help='RSS and descriptors: max/min at most 1 + this')
    r.add_argument('--steady', type=float, default=0.25, help='second half throughput within ± this of the first')
    r.add_argument('--exit-status', required=True)
    r.add_argument('--stop-seconds', type=float, default=0)
    r.add_argument('--copy-every', type=int, default=bench_pipeline.COPY_EVERY)
    r.add_argument('--copy-back', type=int, default=COPY_BACK)
    r.add_argument('--summary')
    i = sub.add_parser('init')
    i.add_argument('--site', required=True)
    i.add_argument('--base', required=True)
    args = parser.parse_args()
    if args.command == 'init':
        Site(args.site, args.base, 0)  # robots.txt and empty feeds and sitemap index
        sys.exit(0)
    sys.exit({'drive': drive, 'report': report}[args.command](args))


if __name__ == '__main__':
    main()
