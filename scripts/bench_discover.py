"""Dev-only helper for scripts/bench-discover.sh: generates the benchmark inputs and times lxml
on them, printing lines in the same `BENCH ...` format as the Swift benchmark."""
import gzip
import random
import sys
import time
from pathlib import Path

REPEATS = 5
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
WORDS = ["وزير", "الخارجية", "القاهرة", "اقتصاد", "غزة", "رياضة", "election", "markets", "oil", "weather"]


def url(rng, index):
    slug = "-".join(rng.choice(WORDS) for _ in range(4))
    return f"https://www.example.com/ar/news/2024/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{slug}-{index}"


def generate(directory: Path):
    rng = random.Random(20240620)
    urls = [url(rng, i) for i in range(100_000)]
    plain = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">']
    plain += [f"<url><loc>{u}</loc><lastmod>2024-06-{1 + i % 28:02d}T10:{i % 60:02d}:00+03:00</lastmod></url>" for i, u in enumerate(urls)]
    plain.append("</urlset>\n")
    text = "\n".join(plain).encode()
    (directory / "sitemap-100k.xml").write_bytes(text)
    (directory / "sitemap-100k.xml.gz").write_bytes(gzip.compress(text))
    news = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">']
    news += [
        f"<url><loc>{u}</loc><news:news><news:publication><news:name>الخبر</news:name><news:language>ar</news:language>"
        f"</news:publication><news:publication_date>2024-06-20T14:{i % 60:02d}:00+03:00</news:publication_date>"
        f"<news:title><![CDATA[{' '.join(rng.choice(WORDS) for _ in range(8))}]]></news:title></news:news></url>"
        for i, u in enumerate(urls)
    ]
    news.append("</urlset>\n")
    (directory / "news-sitemap-100k.xml").write_bytes("\n".join(news).encode())
    items = [
        f"<item><title><![CDATA[{' '.join(rng.choice(WORDS) for _ in range(8))}]]></title><link>{urls[i]}</link>"
        f"<guid isPermaLink=\"false\">id-{i}</guid><pubDate>Thu, 20 Jun 2024 14:{i % 60:02d}:00 +0300</pubDate>"
        f"<description><![CDATA[<p>{' '.join(rng.choice(WORDS) for _ in range(40))}</p>]]></description></item>"
        for i in range(10_000)
    ]
    rss = f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Bench</title><link>https://www.example.com/</link>{"".join(items)}</channel></rss>\n'
    (directory / "rss-10k.xml").write_bytes(rss.encode())


def fastest(body, expected):
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        count = body()
        best = min(best, time.perf_counter() - start)
        assert count == expected, (count, expected)
    return best


def report(name, entries, seconds, size):
    print(f"BENCH lxml {name} entries={entries} seconds={seconds:.4f} entries_per_s={entries / seconds:.0f} MB_per_s={size / seconds / 1e6:.1f}")


def bench_lxml(directory: Path):
    from lxml import etree

    def sitemap_entries(data):
        # What the Swift parser does: every <url>'s loc and lastmod (or news fields) as text.
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
        entries = []
        for node in root.iterchildren(f"{{{SITEMAP_NS}}}url"):
            entry = {}
            for child in node.iter():
                if child.text and child is not node:
                    entry[etree.QName(child).localname] = child.text.strip()
            entries.append(entry)
        return len(entries)

    def rss_items(data):
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
        items = []
        for item in root.iter("item"):
            items.append({child.tag: (child.text or "").strip() for child in item})
        return len(items)

    for name in ["sitemap-100k.xml", "news-sitemap-100k.xml", "sitemap-100k.xml.gz"]:
        data = (directory / name).read_bytes()
        report(name, 100_000, fastest(lambda: sitemap_entries(data), 100_000), len(data))
    data = (directory / "rss-10k.xml").read_bytes()
    report("rss-10k.xml", 10_000, fastest(lambda: rss_items(data), 10_000), len(data))


if __name__ == "__main__":
    command, directory = sys.argv[1], Path(sys.argv[2])
    directory.mkdir(parents=True, exist_ok=True)
    if command == "generate":
        generate(directory)
    else:
        bench_lxml(directory)
