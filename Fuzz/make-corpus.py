#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/Corpus/<target>/ from the test fixtures and a few
hand-written samples. Run from the repository root: python3 Fuzz/make-corpus.py"""
import gzip
import hashlib
import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests/KhabarCoreTests/Fixtures")
TESTS = os.path.join(ROOT, "Tests/KhabarCoreTests")
OUT = os.path.join(ROOT, "Fuzz/Corpus")


def write(target, name, data):
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(FIX, path), "rb") as f:
        return f.read()


def literals(test_file, pattern=r'"((?:[^"\\\n]|\\.)*)"'):
    with open(os.path.join(TESTS, test_file), encoding="utf-8") as f:
        text = f.read()
    seen = []
    for value in re.findall(pattern, text):
        value = value.replace("\\n", "\n").replace('\\"', '"')
        if value and value not in seen:
            seen.append(value)
    return seen


def short(data, limit):
    """A prefix of at most `limit` bytes, cut at a UTF-8 character boundary."""
    if len(data) <= limit:
        return data
    cut = limit
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return data[:cut]


shutil.rmtree(OUT, ignore_errors=True)

# HTML cleaner: the golden pages, charset and metadata fixtures.
for folder in ("golden", "charset", "metadata"):
    for name in sorted(os.listdir(os.path.join(FIX, folder))):
        if name.endswith(".html"):
            write("FuzzArticleExtractor", f"{folder}-{name}", read(f"{folder}/{name}"))

# Feeds and sitemaps.
for name in sorted(os.listdir(os.path.join(FIX, "discover"))):
    data = read(f"discover/{name}")
    target = "FuzzSitemapParser" if "sitemap" in name else "FuzzFeedParser"
    write(target, name, data)
    if target == "FuzzSitemapParser":
        write(target, name + ".gz", gzip.compress(data, mtime=0))

# robots.txt
robots = """# comment
User-agent: Googlebot
Disallow: /

User-agent: khabar
User-agent: otherbot
Disallow: /private
Allow: /private/open
Disallow: /*.pdf$
Disallow: /search?
Allow: /search?q=news
Crawl-delay: 2.5

User-agent: *
Disallow: /everything-for-others
Sitemap: https://example.com/sitemap.xml
Sitemap: /news-sitemap.xml # relative
/private/x
"""
write("FuzzRobotsTxt", "groups.txt", robots)
write("FuzzRobotsTxt", "star.txt", "User-agent: *\nDisallow: /a/*/b$\nAllow: /%D8%A3\nCrawl-delay: 10\n/a/x/b\n")
write("FuzzRobotsTxt", "arabic.txt", "user-agent: KHABAR/1.0\ndisallow: /أخبار\nsitemap: http://example.com/s.xml\n/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1\n")

# Dates: the literals of the date parser tests, and the date lines of the golden pages.
for i, value in enumerate(literals("NewsDateParserTests.swift")):
    write("FuzzDateParser", f"test-{i:03d}.txt", value)

# Normalizer and text cleaner: the cleaner seeds (shortened), the dedup stories, test literals.
for folder in ("seeds", "dedup"):
    for name in sorted(os.listdir(os.path.join(FIX, folder))):
        if name.endswith(".txt"):
            write("FuzzNormalizer", f"{folder}-{name}", short(read(f"{folder}/{name}"), 4096))
for test in ("ArabicNormalizerTests.swift", "ArabicFoldingTests.swift", "MojibakeRepairTests.swift"):
    for i, value in enumerate(literals(test)):
        if len(value) > 3:
            write("FuzzNormalizer", f"{test.split('.')[0]}-{i:03d}.txt", value)

# URL canonicalizer: URLs of its tests, some with a base on the second line.
urls = literals("DiscoverURLCanonicalizerTests.swift")
for i, value in enumerate(urls):
    write("FuzzURLCanonicalizer", f"url-{i:03d}.txt", value)
for i, ref in enumerate(["../b?x=1#f", "//cdn.example.com/a", "?q=1", "/%D8%A7", "g;x?y#s", "news/وزير"]):
    write("FuzzURLCanonicalizer", f"relative-{i}.txt", f"{ref}\nhttps://Example.COM:443/a/b/c?d=1")

# WARC: a warcinfo, a request and responses (plain, chunked+gzip, windows-1256), plain and gzip.
def record(rtype, block, uri=None, content_type=None, extra=()):
    header = ["WARC/1.0", f"WARC-Type: {rtype}", "WARC-Date: 2024-06-20T12:00:00Z",
              "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>"]
    if uri:
        header.append(f"WARC-Target-URI: {uri}")
    if content_type:
        header.append(f"Content-Type: {content_type}")
    header += list(extra)
    header.append(f"Content-Length: {len(block)}")
    return ("\r\n".join(header) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def http(status, headers, body):
    return ("HTTP/1.1 " + status + "\r\n" + "\r\n".join(headers) + "\r\n\r\n").encode() + body


page = '<html><head><meta charset="utf-8"></head><body><p>خبر عاجل من القاهرة</p></body></html>'.encode()
zipped = gzip.compress(page, mtime=0)
half = len(zipped) // 2
chunked = (f"{half:x}\r\n".encode() + zipped[:half] + b"\r\n" + f"{len(zipped) - half:x}\r\n".encode()
           + zipped[half:] + b"\r\n0\r\n\r\n")
records = [
    record("warcinfo", b"software: khabar-fuzz\r\n", content_type="application/warc-fields"),
    record("request", b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", uri="https://example.com/",
           content_type="application/http; msgtype=request"),
    record("response", http("200 OK", ["Content-Type: text/html; charset=utf-8"], page),
           uri="https://example.com/news/1", content_type="application/http; msgtype=response"),
    record("response", http("200 OK", ["Content-Type: text/html", "Transfer-Encoding: chunked",
                                       "Content-Encoding: gzip"], chunked),
           uri="https://example.com/news/2", content_type="application/http; msgtype=response"),
    record("response", http("200 OK", ["Content-Type: text/html; charset=windows-1256"],
                            "<p>خبر</p>".encode("cp1256")),
           uri="https://example.com/news/3", content_type="application/http; msgtype=response"),
    record("revisit", http("304 Not Modified", [], b""), uri="https://example.com/news/1",
           content_type="application/http; msgtype=response"),
]
write("FuzzWARCReader", "mixed.warc", b"".join(records))
write("FuzzWARCReader", "mixed.warc.gz", b"".join(gzip.compress(r, mtime=0) for r in records))
write("FuzzWARCReader", "one.warc", records[2])

# Configuration: the shipped file and small variants.
with open(os.path.join(ROOT, "config/khabar.yaml"), "rb") as f:
    write("FuzzConfigLoader", "khabar.yaml", f.read())
write("FuzzConfigLoader", "small.yaml", """state: /var/lib/khabar
output: {directory: /tmp/out, rotate_after: 1h30m, rotate_bytes: 64MiB, compression: gzip}
fetch: {allow_private: yes, per_host_concurrency: 4, min_delay: 500ms, max_body_bytes: 10MB}
http: {listen: "127.0.0.1:0"}
log: {level: warning}
sources:
  - {name: rss, feed: "https://example.com/feed.xml", interval: 90, max_age: 7d}
  - {name: list, listing: "http://example.com/", link_pattern: "/news/**", include: ["**/2024/**"]}
""")
write("FuzzConfigLoader", "bad.yaml", "fetch:\n  timeout: forever\n  per_host_concurrency: 0\nsources: [{name: a}, {name: a, feed: ftp://x}]\n")
for i, value in enumerate(["500ms", "1h30m", "2.5", "7d", "64MiB", "1GB", "65536"]):
    write("FuzzConfigLoader", f"value-{i}.txt", value + "\n")

total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
count = sum(len(fs) for _, _, fs in os.walk(OUT))
print(f"{count} seed files, {total // 1024} KiB")
