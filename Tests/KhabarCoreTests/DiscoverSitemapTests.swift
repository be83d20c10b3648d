import Foundation
import Testing
@testable import KhabarCore

@Suite struct DiscoverSitemapTests {
    let parser = SitemapParser()

    @Test func googleNewsSitemap() throws {
        let sitemap = try parser.parse(try discoverFixture("news-sitemap.xml"), url: "https://www.alarabiya.net/sitemaps/news.xml")
        #expect(sitemap.kind == .urlSet)
        #expect(!sitemap.wasCompressed)
        try #require(sitemap.entries.count == 2)
        let first = sitemap.entries[0]
        #expect(first.url == "https://www.alarabiya.net/arab-and-world/2024/06/20/مقتل-وإصابة")
        #expect(first.news?.publicationName == "العربية")
        #expect(first.news?.language == "ar")
        #expect(first.news?.title == "مقتل وإصابة العشرات في غارات جديدة")
        #expect(first.news?.keywords == "غزة, غارات")
        #expect(first.news?.publicationDate?.iso8601 == "2024-06-20T14:49:00+03:00")
        // <image:loc> is not the page's <loc>.
        #expect(!sitemap.entries.map(\.url).contains { $0.contains("photo.jpg") })
        let second = sitemap.entries[1]
        #expect(second.url == "https://www.alarabiya.net/sport/2024/06/20/football")
        #expect(second.lastModified?.iso8601 == "2024-06-20")
        #expect(second.news?.title == "Football & politics")
    }

    /// An index whose children are .xml.gz files: the caller fetches each child and parses it
    /// at the depth the index gave it.
    @Test func indexThenGzipChildren() throws {
        let index = try parser.parse(try discoverFixture("sitemap-index.xml"), url: "https://www.example.com/sitemap.xml")
        #expect(index.kind == .index)
        #expect(index.depth == 0)
        #expect(index.sitemaps.map(\.url) == [
            "https://www.example.com/sitemaps/posts-2024-06.xml.gz",
            "https://www.example.com/sitemaps/posts-2024-05.xml.gz",
            "https://www.example.com/sitemaps/news.xml",
        ])
        #expect(index.sitemaps.allSatisfy { $0.depth == 1 })
        #expect(index.sitemaps[0].lastModified?.iso8601 == "2024-06-20T10:00:00Z")

        let child = urlset((0..<3).map { "https://www.example.com/2024/06/\($0)" })
        let compressed = try #require(Gzip.compress(Array(child.utf8)))
        #expect(Gzip.hasMagic(compressed))
        let parsed = try parser.parse(compressed, url: index.sitemaps[0].url, depth: index.sitemaps[0].depth)
        #expect(parsed.wasCompressed)
        #expect(parsed.depth == 1)
        #expect(parsed.entries.map(\.url) == (0..<3).map { "https://www.example.com/2024/06/\($0)" })
    }

    /// Several gzip members one after another (as `cat a.gz b.gz` makes) are one document.
    @Test func multiMemberGzip() throws {
        let document = Array(urlset(["https://example.com/a", "https://example.com/b"]).utf8)
        let half = document.count / 2
        let first = try #require(Gzip.compress(Array(document[..<half])))
        let second = try #require(Gzip.compress(Array(document[half...])))
        let sitemap = try parser.parse(first + second, url: "s.xml.gz")
        #expect(sitemap.entries.map(\.url) == ["https://example.com/a", "https://example.com/b"])
    }

    /// A small gzip that inflates to 1 GiB is cut at the limit with an error, quickly.
    @Test func gzipBombIsCutAtTheLimit() throws {
        let block = try #require(Gzip.compress([UInt8](repeating: 0x20, count: 16 << 20)))
        let bomb = Array([[UInt8]](repeating: block, count: 64).joined())
        #expect(bomb.count < 2 << 20)
        let clock = ContinuousClock()
        let start = clock.now
        let limit = 50 * 1024 * 1024
        #expect(throws: DiscoveryError(source: "bomb.xml.gz", reason: .inflatedSizeLimitExceeded(limit: limit))) {
            try parser.parse(bomb, url: "bomb.xml.gz")
        }
        #expect(clock.now - start < .seconds(5))
        let small = SitemapParser(limits: .init(maxInflatedBytes: 1000))
        #expect(throws: DiscoveryError(source: "b", reason: .inflatedSizeLimitExceeded(limit: 1000))) {
            try small.parse(block, url: "b")
        }
    }

    @Test func corruptAndTruncatedGzipAreErrors() throws {
        let good = try #require(Gzip.compress(Array(urlset(["https://example.com/a"]).utf8)))
        var corrupt = good
        for index in 12..<min(40, corrupt.count) { corrupt[index] ^= 0x5A }
        #expect(throws: DiscoveryError.self) { try parser.parse(corrupt, url: "c") }
        let truncated = Array(good.prefix(good.count / 2))
        #expect(throws: DiscoveryError(source: "t", reason: .corruptCompressedData("compressed data ends early"))) {
            try parser.parse(truncated, url: "t")
        }
    }

    @Test func entryLimitTruncates() throws {
        let urls = (0..<120).map { "https://example.com/\($0)" }
        let sitemap = try SitemapParser(limits: .init(maxEntries: 100)).parse(Array(urlset(urls).utf8), url: "s")
        #expect(sitemap.entries.count == 100)
        #expect(sitemap.isTruncated)
        let whole = try parser.parse(Array(urlset(urls).utf8), url: "s")
        #expect(whole.entries.count == 120 && !whole.isTruncated)
    }

    @Test func indexNestingLimit() throws {
        let index = Array(#"<sitemapindex><sitemap><loc>https://e.com/s.xml</loc></sitemap></sitemapindex>"#.utf8)
        let limited = SitemapParser(limits: .init(maxIndexDepth: 2))
        #expect(try limited.parse(index, url: "i", depth: 1).sitemaps.first?.depth == 2)
        #expect(throws: DiscoveryError(source: "i", reason: .sitemapIndexTooDeep(depth: 2, limit: 2))) {
            try limited.parse(index, url: "i", depth: 2)
        }
    }

    @Test func unclosedSitemapIsRecovered() throws {
        let xml = "<urlset><url><loc>https://example.com/a</loc></url><url><loc>https://example.com/b<url><loc>https://example.com/c</loc>"
        let sitemap = try parser.parse(Array(xml.utf8), url: "s")
        #expect(sitemap.hadMarkupErrors)
        #expect(sitemap.entries.first?.url == "https://example.com/a")
    }

    /// The reader hands entries out as it reads them. When libxml2's streaming reader gives up
    /// partway, the recovering parser reads the document again from the start; the entries
    /// already handed out are not handed out twice.
    @Test func readerHandsOutEachEntryOnceAcrossTheRecoveringRestart() throws {
        let xml = "<urlset><url><loc>https://example.com/a</loc></url><url><loc>https://example.com/b</loc></url>"
            + "</wrong><url><loc>https://example.com/c</loc></url></urlset>"
        let reader = try parser.reader(Array(xml.utf8), url: "s")
        #expect(reader.kind == .urlSet)
        var urls: [String] = []
        while let item = try reader.next() {
            guard case .page(let entry) = item else { Issue.record("a child in a urlset"); continue }
            urls.append(entry.url)
        }
        #expect(reader.hadMarkupErrors && reader.restartedOnRecoveringParser)
        #expect(Array(urls.prefix(2)) == ["https://example.com/a", "https://example.com/b"])
        #expect(Set(urls).count == urls.count)
        #expect(urls == (try parser.parse(Array(xml.utf8), url: "s")).entries.map(\.url))
    }

    @Test func notASitemap() {
        #expect(throws: DiscoveryError(source: "s", reason: .unrecognizedFormat(found: "<rss> root element"))) {
            try parser.parse(Array("<rss version=\"2.0\"><channel/></rss>".utf8), url: "s")
        }
    }

    @Test func robotsTxtSitemapLines() {
        let robots = """
            User-agent: *
            Disallow: /search
            Sitemap: https://www.example.com/sitemap_index.xml
            sitemap:https://www.example.com/news-sitemap.xml # news
            SITEMAP: /relative-sitemap.xml
              Sitemap: https://www.example.com/sitemap_index.xml
            # Sitemap: https://www.example.com/commented.xml
            Sitemap-Extra: https://www.example.com/not-this.xml
            Sitemap: ftp://example.com/x.xml
            """
        #expect(SitemapParser.sitemapURLs(inRobotsTxt: robots, robotsURL: "https://www.example.com/robots.txt") == [
            "https://www.example.com/sitemap_index.xml",
            "https://www.example.com/news-sitemap.xml",
            "https://www.example.com/relative-sitemap.xml",
        ])
    }

    func urlset(_ urls: [String]) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
            + urls.map { "<url><loc>\($0)</loc><lastmod>2024-06-20</lastmod></url>" }.joined() + "</urlset>"
    }
}
