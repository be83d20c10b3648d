import Foundation
import Testing
@testable import KhabarCore

/// Inputs the fuzz targets (`Fuzz/`, `scripts/fuzz.sh`) found, each with the invariant it
/// broke. The byte inputs are the fuzzer's own files, base64-encoded.
@Suite struct FuzzRegressionTests {
    static func bytes(_ base64: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: base64)!)
    }

    static func hasControlCharacter(_ text: String, allowingNewlines: Bool = false) -> Bool {
        text.unicodeScalars.contains {
            ($0.value < 0x20 && !(allowingNewlines && $0 == "\n")) || (0x7F...0x9F).contains($0.value)
        }
    }

    // MARK: Configuration (FuzzConfigLoader)

    /// "61533533615335336\0…" trapped: `Double` stopped at the NUL, and 6e16 s did not fit in
    /// Int64 milliseconds. "inf" and "1e300" trapped the same way; "99999999999999999d"
    /// overflowed the sum.
    @Test func durationRejectsWhatItCannotHold() throws {
        for text in ["61533533615335336\u{0}-?536\u{0}-?5366", "inf", "1e300", "nan", "0x1p9", "99999999999999999d",
                     "9223372036854775807ms1ms", "1.5.5", ""] {
            #expect(ConfigurationValues.duration(text) == nil, "\(text.debugDescription)")
        }
        #expect(ConfigurationValues.duration("2.5") == .milliseconds(2500))
        #expect(ConfigurationValues.duration("1h30m") == .seconds(5400))
        #expect(ConfigurationValues.duration("0") == .zero)
        #expect(ConfigurationValues.duration("500ms") == .milliseconds(500))
        #expect(throws: ConfigurationError.self) { try KhabarConfiguration.parse(yaml: "fetch: {timeout: 1e300}", file: "t.yaml") }
    }

    /// "https://news.un.org/feed/subscrs every langall/rs#.xml" passed as an http(s) URL:
    /// Foundation's `URL(string:)` accepts spaces.
    @Test func sourceURLsWithSpacesAreRejected() throws {
        for url in ["https://news.un.org/feed/subscrs every langall/rs#.xml", "https://example.com/a\u{7F}", " "] {
            #expect(throws: ConfigurationError.self) {
                try KhabarConfiguration.parse(yaml: "sources:\n  - {name: a, feed: \"\(url)\"}\n", file: "t.yaml")
            }
        }
        let ok = try KhabarConfiguration.parse(yaml: "sources:\n  - {name: a, feed: \"https://example.com/feed.xml\"}\n", file: "t.yaml")
        #expect(ok.sources.map(\.url) == ["https://example.com/feed.xml"])
    }

    // MARK: XML documents (FuzzFeedParser, FuzzSitemapParser: LeakSanitizer)

    /// A feed or sitemap with a DOCTYPE leaked its whole libxml2 document on every parse:
    /// asking the streaming reader for the document (`xmlTextReaderCurrentDoc`) makes it keep
    /// every node and never free them. Parsing such documents again and again must not grow
    /// the process (the two documents kept would be about 16 MB a round, measured with lxml).
    /// Tests running beside this one grow the process too, in bursts: the smallest growth of
    /// six rounds is the one taken (three were not always enough with the PostgreSQL tests).
    @Test func parsingDocumentsWithADoctypeDoesNotLeak() throws {
        let items = (0..<150).map { "<item><title>خبر رقم \($0) من القاهرة</title><link>https://example.com/news/\($0)</link><description>نص الخبر \($0) بالتفصيل</description></item>" }
        let feed = Array(("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY site \"example\">]>\n<rss version=\"2.0\"><channel><title>t</title>"
            + items.joined() + "</channel></rss>").utf8)
        let entries = (0..<150).map { "<url><loc>https://example.com/news/\($0)</loc><lastmod>2024-06-20</lastmod></url>" }
        let sitemap = Array(("<?xml version=\"1.0\"?>\n<!DOCTYPE urlset>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
            + entries.joined() + "</urlset>").utf8)
        func round() throws -> Int {
            let before = Self.residentBytes()
            for _ in 0..<60 {
                #expect(try FeedParser().parse(feed, url: "https://example.com/feed.xml").items.count == 150)
                #expect(try SitemapParser().parse(sitemap, url: "https://example.com/sitemap.xml").entries.count == 150)
            }
            return Self.residentBytes() - before
        }
        _ = try round()  // warm-up: allocator pools, caches
        let growth = try (0..<6).map { _ in try round() }.min()!
        #expect(growth < 4 << 20, "the process grew by \(growth) bytes per 60 parses")
    }

    static func residentBytes() -> Int {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    // MARK: Links (FuzzFeedParser, FuzzSitemapParser, FuzzRobotsTxt)

    /// A broken `<link>` ("…cafe.html<3link>…") recovered into a link with spaces in it.
    @Test func feedLinksAreFetchableURLs() throws {
        let feed = try FeedParser().parse(Self.bytes(
            "PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iSVNPLTg4NTktMSI/Pgo8IURPQ1RZUEUgcnNzIFBVQkxJQyAiLS8vTmV0c2Nh" +
            "cGUgQ29tbXVuaWNhdGlvbnMvL0RURCBSU1MgMC45MS8vRU4iICJodHRwOi8vbXkubmV0c2NhcGUuY29tL3B1Ymxpc2gvZm9ybWF0" +
            "cy9yc3MtMC45MS5kdGQiPgo8cnNzIHZlcnNpb249IjAuOTEiPgogIDxjaGFubmVsPgogICAgPHRpdGxlPk9sZCBTaXRlPC90aXRs" +
            "ZT4KICAgIDxsaW5rPmh0dHA6Ly9vbGQuZXhhbXBsZS5vcmcvPC9saW5rPgogICAgPGxhbmd1YWdlPmVuLXVzPC9sYW5ndWFnZT4K" +
            "ICAgIDxpdGVtPjx0aXRsZT5DYWYmZWFjdXRlOyBvcGVuczwvdGl0bGU+PGxpbms+aHR0cDovL29sZC5leGFtcGxlLm9yZy9jYWZl" +
            "Lmh0bWw8M2xpbms+PGRlc2NyaXB0aW9uPkEgbmV3IGNhZiYjMjMzOyAmYW1wOyBiYWtlcnkuPC8yMzM7ICZhbXA7IGJha2VyeS48" +
            "L2Rlc2NyaXB0aW9uPjwvaXRzcz4K"), url: "https://news.example.com/feeds/rss.xml")
        for item in feed.items {
            let link = try #require(item.link)
            #expect(link.hasPrefix("http://") || link.hasPrefix("https://"))
            #expect(!link.contains(" ") && !Self.hasControlCharacter(link), "\(link)")
        }
        let json = try FeedParser().parse(Array(#"{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "javascript:alert(1)"}, {"url": "mailto:a@b.c"}, {"url": "/a b"}, {"url": "http:/x"}]}"#.utf8),
                                          url: "https://example.com/feed.json")
        #expect(json.items.map(\.link) == [nil, nil, "https://example.com/a%20b", nil])
    }

    /// A `<loc>` cut open by a stray quote kept its spaces; `ftp:` and `javascript:` locations
    /// were kept as entries.
    @Test func sitemapLocationsAreFetchableURLs() throws {
        let sitemap = try SitemapParser().parse(Self.bytes(
            "PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iVVRGLTgiPz4KPHVybHNldCB4bWxucz0iaHR0cDovL3d3dy5zaXRlbWFwcy5v" +
            "cmcvc2NoZW1hcy9zaXRlbWFwLzAuOSIgeG1sbnM6bmV3cz0iaHR0cDovL3d3dy5nb29nbGUuY29tL3NjaGVtYXMvc2l0ZW1hcC1u" +
            "ZXdzLzAuOSIgeG1sbnM6aW1hZ2U9Imh0dHA6Ly93d3cuZ29vZ2xlLmNvbS9zY2hlbWFzL3NpdGVtYXAtaW1hZ2UvMS4xIj4KICA8" +
            "dXJsPgogICAgPGxvYz5odHRwczovL3d3dy5hbGFyYWJpeWEubmV0L2FyYWItYW5kLXdvcmxkLzIwMjQvMDYvMjAv2YXZgiJodHRw" +
            "Oi8vd3d3Lmdvb2dsZS5jb20vc2NoZW1hcy9zaXRlbWFwLWltYWdlLzEuMSI+CiAgPHVybD4KICAgIDxsb2M+aHR0cHM6Ly93d3cu" +
            "YWxhcmFiaXlhLm5ldC9hcmFiLWFuZC13b3JsZC8yMDI0LzA2LzIwL9mF2YLYqtmELdmI2KXYtdin2KjYqTwvbG9jPgogICAgPG5l" +
            "d3M6bmV3cz4KICAgICAgPG5ld3M6cHVibGljYXRpb24+PG5ld3M6bmFtZT7Yp9mE2LnYsdio2YrYqTwvbmV3czpuYW1lPjxuZXdz" +
            "Omxhbmd1YWdlPmFyPC9uZXdzOmxhbmd1YWdlPjwvbmV3czpwdWJsaWNhdGlvbj4KICAgICAgPG5ld3M6cHVibGljYXRpb25fZGF0" +
            "ZT4yMDI0LTA2LTIwVDE0OjQ5OjAwKzAzOjAwPC9uZXdzOnB1YmxpY2F0aW9uX2RhdGU+CiAgICAgIDxuZXdzOnRpdGxlPjwhW0NE" +
            "QVRBW9mF2YLYqtmEINmI2KXYtdin2KjYqSDYp9mE2LnYtNix2KfYqiDZgdmKINi62KfYsdin2Kog2KzYr9mK2K/YqV1dPjwvbmV3" +
            "czp0aXRsZT4KICAgICAgPG5ld3M6a2V5d29yZHM+2LrYstipLCDYutin2LHYp9iqPC9uZXdzOmtleXdvcmRzPgogICAgPC9uZXdz" +
            "Om5ld3M+CiAgICA8aW1hZ2U6aW1hZ2U+PGltYWdlOmxvYz5odHRwczovL3ZpZC5hbGFyYWJpeWEubmV0L2ltYWdlcy8yMDI0LzA2" +
            "LzIwL3Bob3RvLmpwZzwvaW1hZ2U6bG9jPjxpbWFnZTp0aXRsZT7YtdmI2LHYqTwvaW1hZ2U6dGl0bGU+PC9pbWFnZTppbWFnZT4K" +
            "ICA8L3VybD4KICA8dXJsPgogICAgPGxvYz4KICAgICAgaHR0cHM6Ly93d3cuYWxhcmFiaXlhLm5ldC9zcG9ydC8yMDI0LzA2LzIw" +
            "L2Zvb3RiYWxsCiAgICA8L2xvYz4KICAgIDxsYXN0bW9kPjIwMjQtMDYtMjA8L2xhc3Rtb2Q+CiAgICA8bmV3czpuZXdzPgogICAg" +
            "ICA8bmV3czpwdWJsaWNhdGlvbj48bmV3czpuYW1lPkFsIEFyYWJpeWE8L25ld3M6bmFtZT48bmV3czpsYW5ndWFnZT5lbjwvbmV3" +
            "czpsYW5vbGl0aWNzPC9uZXdzOnRpdGxlPgogICAgPC9uZXdzOm5ld3M+CiAgPC91cmw+CjwvdXJsc2V0Pgo="), url: "https://news.example.com/sitemaps/news.xml")
        #expect(!sitemap.entries.isEmpty)
        for entry in sitemap.entries {
            #expect(!entry.url.contains(" ") && !Self.hasControlCharacter(entry.url), "\(entry.url)")
        }
        let odd = try SitemapParser().parse(Array(("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
            + "<url><loc>ftp://example.com/a</loc></url><url><loc>javascript:alert(1)</loc></url>"
            + "<url><loc>/relative</loc></url></urlset>").utf8), url: "https://example.com/sitemap.xml")
        #expect(odd.entries.map(\.url) == ["https://example.com/relative"])
    }

    /// "Sitemap: /news-sitemap.xml 3 relative" gave a URL with spaces; "sitemap: http:␡␡…//x"
    /// one without a host.
    @Test func robotsSitemapURLsAreFetchableURLs() {
        let text = "Sitemap: /news-sitemap.xml 3 relative\nsitemap: http:\u{7F}\u{7F}//example.com/s.xml\nSitemap: https://example.com/a.xml # comment\n"
        #expect(SitemapParser.sitemapURLs(inRobotsTxt: text, robotsURL: "https://example.com/robots.txt")
                == ["https://example.com/news-sitemap.xml", "https://example.com/a.xml"])
    }

    // MARK: Normalizer (FuzzNormalizer)

    /// Windows-1256 mojibake next to a word the repair could not read: folding unified a quote
    /// and made the word readable, so folding the folded text repaired it (fold was not
    /// idempotent, and two copies of one text could fold differently).
    @Test func foldingIsIdempotentWhenFoldingCompletesMojibake() {
        let text = String(decoding: Self.bytes(
            "2LjigJrYt8Kn2LjigJ4g2LfCp9i44oCe2LfCsdi3wqbYuNm52LfCsyDYt8Kl2LjigKAg2LfCp9i44oCe2LfCp9i32r7YuNm+2LfC" +
            "p9i44oCa2LjZudi3wqkg2LfCs9i32r7YuNqI2LjLhti44oCa2LjamNi44oCY2LfCuSDYuNm+2LjZuSDYt8JaJ0cdf2EnR+KAmti3" +
            "wqfYuOKAodi3wrHYt8KpLg=="), as: UTF8.self)
        let folding = ArabicFolding()
        let normalizer = ArabicNormalizer()
        let folded = folding.fold(text)
        #expect(folding.fold(folded) == folded)
        let display = normalizer.normalize(text)
        #expect(normalizer.normalize(display) == display)
        #expect(folding.foldNormalized(display) == folded)
        #expect(normalizer.normalizeAndFold(text) == (display, folded))
    }

    // MARK: HTML cleaner (FuzzArticleExtractor)

    /// A windows-1256 title with a DEL (0x7F) and NULs kept the DEL; a UTF-16 page with a C1
    /// character (U+0098) kept it in the text; another began a line with a hair space (U+200A).
    @Test(arguments: [
        "PCFET0NUWVBFIGh0bWw+CjxodG1sIGxhbmc9ImFyIiBkaXI9InJ0bCI+CjxoZWFkPgoKPHRpdGxlPsfhx97K1cfPIMfh2tHI7SDt" +
        "fwAAAAAAAADk4+Yg0dvjIMfhys3P7cfKPC90aXRsZT4KPC9oZWFkPgo8Ym9keT4KPGFydGljbGU+PGgxPsfhx2gxPgo8cD7ex+Eg" +
        "5tLt0SDH4ePH4e3JIMXkIMfhx97K1cfPINPM4SDk4+bHIOPhzebZxyDO4cfhIMfh0cjaIMfhw+bhIOPkIMfh2sfjoSDj2iDH0crd" +
        "x9ogx+HVx8/Rx8og5srRx8zaIOPaz+HHyiDH4cjYx+HJIN3tIMfh48/kIMfh38jR7C48L3A+PC9hcnRpY2xlPgo8L2JvZHk+Cjwv" +
        "aHRtbD4K",
        "/v8APAAhAEQATwBDAFQAWQBQAEUAIABoAHQAbQBsAD4ACgA8AGgAdABtAGwAIABsBjoGRQAgBicGRAYqBi0GLwZKBicGKgA8AC8A" +
        "dABpAHQAbABlAD4ACgA8AC8AaABlAGEAZAA+AAoAPABiAG8AZAB5AD4ACgA8AGEAcgB0AGkAYwBsAGUAPgA8AJj/0AA+BicGRAYn" +
        "BkIGKgY1BicGLwAgBicGRAY5BjEGKAZKACAGSgZGBkUGSAAgBjEGOgZFACAGJwZEBioGLQYvBkoGJwYqADwALwBoADEAPgAKADwA" +
        "cAA+BkIGJwZEACAGSAYyBkoGMQAgBicGRAZFBicGRAZKBikAIAYlBkYAIAYnBkQGJwZCBioGNQYnBi8AIAYzBiwGRAAgBkYGRQZI" +
        "BicAIAZFBkQGLQZIBjgGJwAgBi4GRAYnBkQAIAYnBkQGMQYoBjkAIAYnBkQGIwZIBkQAIAZFBkYAIAYnBkQGOQYnBkUGDAAgBkUG" +
        "OQAgBicGMQYqBkEGJwY5ACAGJwZEBjUGJwYvBjEGJwYqACAGSAYqBjEGJwYsBjkAIAZFBjkGLwZEBicGKgAgBicGRAYoBjcGJwZE" +
        "BikAIAZBBkoAIAYnBkQGRQYvBkYAIAYnBkQGQwYoBjEGSZMuADwALwBwAD4APAAvAGEAcgB0AGkAYwBsAGUAPgAKADwALwBiAG8A" +
        "ZAB5AD4ACgA8AC8AaAB0AG0AbAA+AAo=",
        "/v8APAAhAEQATwBDAFQAWQBQAEUAIABoAHQAbQBsAD4gCgA8AGgAdABtAGwAIABsBjoGRQAgBicGRAYqBi0GLwZKBicGKgA8AC8A" +
        "dABpAHQAbG0AbAA+AAoAPABoAHQAbQBsACAAbAY6BkUAIAYnBkQGKgYtBi8GSgYnBioAPAAvAHQAaQB0AGwAZQA+AAoAPAAvAGgA" +
        "i2UAYQBkAD4ACgYoBkoAIAZKBkYGRQZIACAGMQY6BkUAIAYnBkQGKgYtAQAAIQYnBioAPAAvAGgAMQAGQgYqBjUGJwYvACAGMwYs" +
        "BkQAIAZGBkUGSAYnACAGRQZEBi0GSAY4BicAIAYuBkQGJwZEACAGJwZEBjEGKAY5ACAGJwZE+tz5uQZEACAGQwZGACAGJwZEBjkG" +
        "JwZFBgwAIAZFBjkAIAYnBjEGKgZBBicGOQAgBicGRAY1BicGLwYxBicGKgAgBkgGKgYxBicGLAY5ACAGRQY5Bi8GRAYnBioAIAYn" +
        "BkQGKAY3BicGRAYpACAGQQZrACAGJwZEBkUGLwZGACAGJwZEBkMGKAYxBkmTLgA8AC8AcAA+ADwALwBhAHIAdABpAGMAbABlAD4A" +
        "CgA8AC8AYgBvAGQAeQA+AAoAPAAvAGgAdABtAGwAPgAK",
    ])
    func extractedFieldsHaveNoControlCharacters(_ base64: String) throws {
        let result = ArticleExtractor().extract(html: Self.bytes(base64), url: "https://news.example.com/2024/05/article.html")
        let article = try result.get()
        #expect(!Self.hasControlCharacter(article.text, allowingNewlines: true), "\(article.text.debugDescription)")
        for line in article.text.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(!line.isEmpty && line.first?.isWhitespace == false && line.last?.isWhitespace == false, "\(line.debugDescription)")
        }
        for value in [article.title, article.author, article.siteName, article.description].compactMap({ $0 }) + article.tags {
            #expect(!Self.hasControlCharacter(value), "\(value.debugDescription)")
        }
    }

    // MARK: WARC (FuzzWARCReader)

    /// A status line "HTTP/1.1 -20 OK" gave status -20; only three-digit codes count.
    @Test func warcStatusIsAThreeDigitCodeOrZero() throws {
        func status(_ line: String) throws -> Int? {
            let block = DiscoverBackfillTests.httpResponse(status: line, headers: ["Content-Type: text/html"], body: Array("<p>x</p>".utf8))
            let record = DiscoverBackfillTests.record(type: "response", uri: "https://example.com/a", contentType: "application/http; msgtype=response", block: block)
            return try WARCReader(bytes: record, source: "t.warc").next()?.httpStatus
        }
        #expect(try status("-20 OK") == 0)
        #expect(try status("2000 OK") == 0)
        #expect(try status("+20 OK") == 0)
        #expect(try status("204 No Content") == 204)
    }

    /// A response record with an empty `WARC-Target-URI` came out with an empty target URI; a
    /// missing one ended the whole file with an error. Both are passed over now.
    @Test func warcResponsesWithoutTargetURIArePassedOver() throws {
        let block = DiscoverBackfillTests.httpResponse(headers: ["Content-Type: text/html"], body: Array("<p>x</p>".utf8))
        let type = "application/http; msgtype=response"
        let records = DiscoverBackfillTests.record(type: "response", contentType: type, block: block, extra: ["WARC-Target-URI:"])
            + DiscoverBackfillTests.record(type: "response", contentType: type, block: block)
            + DiscoverBackfillTests.record(type: "response", uri: "https://example.com/ok", contentType: type, block: block)
        let reader = WARCReader(bytes: records, source: "t.warc")
        #expect(try reader.next()?.targetURI == "https://example.com/ok")
        #expect(try reader.next() == nil)
        #expect(reader.skippedRecords == 2)
    }
}
