#!/usr/bin/env python3
"""A local news site for end-to-end tests and benchmarks (dev-only; loopback only).

Serves N distinct Arabic articles built from the golden test pages, plus what discovery reads:
  /robots.txt         disallows /private/
  /sitemap.xml        a sitemap index -> /sitemap-1.xml.gz (gzip), /sitemap-2.xml
  /feed.xml           RSS 2.0 linking articles with tracking parameters (?utm_source=rss)
  /atom.xml           Atom 1.0 with xml:base and relative links
  /news/<i>.html      article i (rel=canonical to itself)
  /alias/<i>.html     the same article under another path (rel=canonical to /news/<i>.html)
  /private/<i>.html   disallowed by robots.txt: must never be fetched
Feeds and sitemaps send ETag and answer If-None-Match with 304. Every request is logged to the
file given by --log (one path per line), so tests can check what was fetched.

    python3 scripts/test_site.py --port 0 --articles 50 --log /tmp/requests.log --port-file /tmp/port
"""
import argparse, glob, gzip, hashlib, html, os, re, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, '..', 'Tests', 'KhabarCoreTests', 'Fixtures', 'golden')


def load_templates():
    pages = []
    for path in sorted(glob.glob(os.path.join(GOLDEN, '*.html'))):
        raw = open(path, 'rb').read()
        if b'windows-1256' in raw[:2000].lower():
            continue  # keep the generator simple: UTF-8 templates only
        pages.append(raw.decode('utf-8'))
    return pages


def article(templates, i, base):
    page = templates[i % len(templates)]
    marker = f'تقرير {i}: '
    # Make each article distinct: number the title (at its start, as sites do) and the lead.
    page = re.sub(r'(<title>\s*)', lambda m: m.group(1) + marker, page, count=1)
    page = re.sub(r'(<h1[^>]*>(?:\s*<[^>]+>)*\s*)', lambda m: m.group(1) + marker, page, count=1)
    page = re.sub(r'(property="og:title" content=")', lambda m: m.group(1) + marker, page, count=1)
    page = re.sub(r'("headline":\s*")', lambda m: m.group(1) + marker, page, count=1)
    page = re.sub(r'(<p>)', lambda m: m.group(1) + f'هذا هو التقرير رقم {i} من سلسلة التقارير المحلية. ', page, count=1)
    page = re.sub(r'<link rel="canonical"[^>]*>', '', page)
    page = page.replace('</head>', f'<link rel="canonical" href="{base}/news/{i}.html">\n</head>', 1)
    return page.encode('utf-8')


class Site:
    def __init__(self, count, log_path):
        self.count = count
        self.templates = load_templates()
        self.log_path = log_path
        self.lock = threading.Lock()

    def log(self, path):
        if self.log_path:
            with self.lock, open(self.log_path, 'a') as f:
                f.write(path + '\n')


def make_handler(site):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *args):
            pass

        def send(self, status, body, content_type, etag=None):
            if etag and self.headers.get('If-None-Match') == etag:
                self.send_response(304)
                self.send_header('ETag', etag)
                self.send_header('Content-Length', '0')
                self.end_headers()
                return
            self.send_response(status)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(body)))
            if etag:
                self.send_header('ETag', etag)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            site.log(self.path)
            base = f'http://{self.headers.get("Host")}'
            path = self.path.split('?')[0]
            n = site.count
            if path == '/robots.txt':
                return self.send(200, b'User-agent: *\nDisallow: /private/\n', 'text/plain')
            if path == '/sitemap.xml':
                body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        f'<sitemap><loc>{base}/sitemap-1.xml.gz</loc><lastmod>2024-06-20</lastmod></sitemap>'
                        f'<sitemap><loc>{base}/sitemap-2.xml</loc></sitemap></sitemapindex>').encode()
                return self.send(200, body, 'application/xml', etag='"index-1"')
            if path in ('/sitemap-1.xml.gz', '/sitemap-2.xml'):
                half = n // 2
                ids = range(0, half) if path.endswith('.gz') else range(half, n)
                urls = ''.join(f'<url><loc>{base}/news/{i}.html</loc><lastmod>2024-06-{1 + i % 28:02d}</lastmod></url>' for i in ids)
                if path == '/sitemap-2.xml':
                    urls += ''.join(f'<url><loc>{base}/private/{i}.html</loc></url>' for i in range(3))
                    urls += ''.join(f'<url><loc>{base}/alias/{i}.html</loc></url>' for i in range(0, min(n, 5)))
                body = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
                if path.endswith('.gz'):
                    body = gzip.compress(body, mtime=0)
                    return self.send(200, body, 'application/gzip', etag='"s1"')
                return self.send(200, body, 'application/xml', etag='"s2"')
            if path == '/feed.xml':
                items = ''.join(f'<item><title>تقرير {i}</title><link>{base}/news/{i}.html?utm_source=rss&amp;utm_medium=feed</link>'
                                f'<pubDate>Thu, 20 Jun 2024 14:{i % 60:02d}:00 +0300</pubDate><description><![CDATA[<p>ملخص {i}</p>]]></description></item>'
                                for i in range(0, min(n, 20)))
                body = f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>موقع</title><link>{base}/</link>{items}</channel></rss>'.encode()
                return self.send(200, body, 'application/rss+xml; charset=utf-8', etag='"feed-1"')
            if path == '/atom.xml':
                entries = ''.join(f'<entry><title>تقرير {i}</title><link rel="alternate" href="news/{i}.html#top"/><id>tag:site,2024:{i}</id>'
                                  f'<updated>2024-06-20T11:{i % 60:02d}:00Z</updated></entry>' for i in range(max(0, n - 10), n))
                body = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/">'
                        f'<title>موقع</title><id>tag:site</id><updated>2024-06-20T12:00:00Z</updated>{entries}</feed>').encode()
                return self.send(200, body, 'application/atom+xml', etag='"atom-1"')
            m = re.fullmatch(r'/(news|alias|private)/(\d+)\.html', path)
            if m and int(m.group(2)) < n:
                return self.send(200, article(site.templates, int(m.group(2)), base), 'text/html; charset=utf-8')
            return self.send(404, b'not found', 'text/plain')
    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--articles', type=int, default=50)
    parser.add_argument('--log')
    parser.add_argument('--port-file')
    args = parser.parse_args()
    site = Site(args.articles, args.log)
    server = ThreadingHTTPServer(('127.0.0.1', args.port), make_handler(site))
    server.daemon_threads = True
    if args.port_file:
        with open(args.port_file + '.tmp', 'w') as f:
            f.write(str(server.server_address[1]))
        os.replace(args.port_file + '.tmp', args.port_file)
    print(f'serving {args.articles} articles on http://127.0.0.1:{server.server_address[1]}', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
