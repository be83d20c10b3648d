#!/usr/bin/env python3
"""Crash test: a backfill of a local site killed with SIGKILL at random moments, restarted each
time, must end with every article exactly once across the finished files, every line JSON, and
no finished file ever changed.

    python3 scripts/crash_test.py --khabar .build/release/khabar --articles 2000 --kills 10
"""
import argparse, glob, hashlib, json, os, random, signal, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))


def finished_files(out):
    return sorted(glob.glob(os.path.join(out, '*.jsonl')))


def digest(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--khabar', required=True)
    parser.add_argument('--articles', type=int, default=2000)
    parser.add_argument('--kills', type=int, default=10)
    parser.add_argument('--seed', type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix='khabar-crash-')
    port_file = os.path.join(work, 'port')
    site = subprocess.Popen([sys.executable, os.path.join(HERE, 'test_site.py'), '--articles', str(args.articles), '--port-file', port_file],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(port_file):
                break
            time.sleep(0.05)
        port = open(port_file).read().strip()
        base = f'http://127.0.0.1:{port}'
        out, state = os.path.join(work, 'out'), os.path.join(work, 'state')
        # Small files so kills land around rotations too.
        config = os.path.join(work, 'khabar.yaml')
        open(config, 'w').write('output:\n  rotate_bytes: 256KiB\n  rotate_after: 2s\n')
        command = [args.khabar, 'backfill', '--config', config, '--sitemap', f'{base}/sitemap.xml', '--feed', f'{base}/feed.xml',
                   '--feed', f'{base}/atom.xml', '--out', out, '--state', state, '--allow-private',
                   '--per-host-concurrency', '16', '--min-delay', '0']
        seen_files = {}
        kills = 0
        while kills < args.kills:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, 1.5))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()
                kills += 1
            else:
                print(f'run finished before the kill (exit {process.returncode}); starting again')
            for path in finished_files(out):
                h = digest(path)
                if path in seen_files and seen_files[path] != h:
                    sys.exit(f'FAIL: finished file changed: {path}')
                seen_files[path] = h
            print(f'kill {kills}: {len(finished_files(out))} finished files', flush=True)
        # Run to completion; fetches that failed (a busy test server times out) are recorded
        # and retried by the next run, as a user would re-run a backfill.
        for attempt in range(1, 6):
            final = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if final.returncode != 0:
                sys.exit(f'FAIL: final run exited {final.returncode}: {final.stderr[-2000:]}')
            summary = final.stderr.strip().splitlines()[-1] if final.stderr.strip() else '(no output)'
            print(f'final run {attempt}:', summary, flush=True)
            if ', failed 0,' in summary:
                break
        for path in finished_files(out):
            if path in seen_files and seen_files[path] != digest(path):
                sys.exit(f'FAIL: finished file changed: {path}')
        counts, lines = {}, 0
        for path in finished_files(out):
            for number, line in enumerate(open(path, encoding='utf-8'), 1):
                try:
                    record = json.loads(line)
                except ValueError:
                    sys.exit(f'FAIL: {path}:{number} is not JSON')
                counts[record['canonical_url']] = counts.get(record['canonical_url'], 0) + 1
                lines += 1
        expected = {f'{base}/news/{i}.html' for i in range(args.articles)}
        twice = [url for url, n in counts.items() if n > 1]
        missing = expected - set(counts)
        extra = set(counts) - expected
        leftovers = glob.glob(os.path.join(out, '*.part'))
        print(f'{kills} kills; {len(finished_files(out))} files, {lines} lines, {len(counts)} articles; '
              f'{len(twice)} twice, {len(missing)} missing, {len(extra)} unexpected, {len(leftovers)} .part left')
        if twice or missing or extra or leftovers:
            sys.exit('FAIL')
        print('PASS: every article exactly once, every line JSON, no finished file changed')
    finally:
        site.kill()


if __name__ == '__main__':
    main()
