import Foundation
import Testing
@testable import KhabarCore

func discoverFixture(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/discover/\(name)", withExtension: nil))
    return [UInt8](try Data(contentsOf: url))
}

@Suite struct DiscoverFeedTests {
    let parser = FeedParser()

    @Test func rssWithCDATAAndOddDates() throws {
        let feed = try parser.parse(try discoverFixture("rss-arabic-cdata.xml"), url: "https://www.aljazeera.net/rss")
        #expect(feed.format == .rss2)
        #expect(feed.title == "الجزيرة نت - أخبار")
        #expect(feed.link == "https://www.aljazeera.net/")
        #expect(feed.language == "ar")
        try #require(feed.items.count == 4)

        let first = feed.items[0]
        #expect(first.title == "وزير الخارجية يصل إلى القاهرة في زيارة رسمية")
        #expect(first.link == "https://www.aljazeera.net/news/2024/6/20/وزير-الخارجية-يصل?utm_source=rss&utm_medium=feed")
        #expect(first.id == "article-2024-6-20-101")
        #expect(first.published?.iso8601 == "2024-06-20T14:49:00+03:00")
        #expect(first.publishedText == "Thu, 20 Jun 2024 14:49:00 +0300")
        #expect(first.authors == ["أحمد محمد"])
        #expect(first.categories == ["سياسة", "أخبار عربية"])
        #expect(first.summary == "<p>وصل وزير الخارجية إلى <b>القاهرة</b> صباح اليوم.</p>")
        #expect(first.content?.hasPrefix("<p>وصل وزير الخارجية إلى القاهرة صباح اليوم في زيارة رسمية تستمر يومين.</p>") == true)

        // A relative link resolves against the feed's URL; an escaped-HTML description stays HTML.
        #expect(feed.items[1].link == "https://www.aljazeera.net/news/economy/2024/6/20/markets")
        #expect(feed.items[1].title == "Markets close higher & oil steadies")
        #expect(feed.items[1].published?.iso8601 == "2024-06-20T14:49:00Z")
        #expect(feed.items[1].summary == "Stocks <b>rose</b> on Thursday.")

        // No <link>: a GUID without isPermaLink="false" is the link. Arabic day and month names.
        #expect(feed.items[2].link == "https://www.aljazeera.net/news/2024/6/21/statement")
        #expect(feed.items[2].published?.iso8601 == "2024-06-21T09:30:00+03:00")

        #expect(feed.items[3].published?.year == 2024 && feed.items[3].published?.month == 6 && feed.items[3].published?.day == 21)
    }

    @Test func atomPrefersAlternateAndResolvesXMLBase() throws {
        let feed = try parser.parse(try discoverFixture("atom-xml-base.xml"), url: "https://feeds.example-news.com/world.atom")
        #expect(feed.format == .atom1)
        #expect(feed.title == "Example News — World")
        #expect(feed.language == "en")
        #expect(feed.link == "https://www.example-news.com/world/")
        try #require(feed.items.count == 3)
        let first = feed.items[0]
        #expect(first.link == "https://www.example-news.com/world/2024/06/20/ceasefire-talks")
        #expect(first.id == "tag:example-news.com,2024:1")
        #expect(first.published?.iso8601 == "2024-06-20T09:15:00+03:00")
        #expect(first.updated?.iso8601 == "2024-06-20T11:00:00Z")
        #expect(first.authors == ["Jane Reporter"])
        #expect(first.categories == ["middle-east"])
        #expect(first.summary == "<p>Negotiators met in <em>Doha</em>.</p>")
        #expect(first.content?.contains("<em>Doha</em> on Thursday.") == true)
        // An entry's own xml:base wins; a link without rel is an alternate link.
        #expect(feed.items[1].link == "https://cdn.example-news.com/live/results.html")
        #expect(feed.items[1].published == nil)
        #expect(feed.items[1].updated?.iso8601 == "2024-06-20T10:00:00Z")
        // No link at all: nothing is invented from the id.
        #expect(feed.items[2].link == nil)
    }

    @Test func rss1RDF() throws {
        let feed = try parser.parse(try discoverFixture("rss1-rdf.xml"), url: "https://news.example.jp/rss")
        #expect(feed.format == .rss1)
        #expect(feed.title == "RDF News")
        #expect(feed.items.map(\.link) == ["https://news.example.jp/a/1", "https://news.example.jp/a/2"])
        #expect(feed.items[0].published?.iso8601 == "2024-06-20T08:00:00+09:00")
        #expect(feed.items[0].authors == ["Desk"])
        #expect(feed.items[1].published?.iso8601 == "2024-06-19")
    }

    /// RSS 0.91 with a DTD that is never fetched: undefined HTML entities are dropped,
    /// character references and predefined entities kept.
    @Test func rss091WithUnfetchedDTD() throws {
        let feed = try parser.parse(try discoverFixture("rss091.xml"), url: "http://old.example.org/rss.xml")
        #expect(feed.format == .rss09x)
        try #require(feed.items.count == 1)
        #expect(feed.items[0].link == "http://old.example.org/cafe.html")
        #expect(feed.items[0].summary == "A new café & bakery.")
        #expect(feed.items[0].title?.hasPrefix("Caf") == true)
    }

    @Test func jsonFeed() throws {
        let feed = try parser.parse(try discoverFixture("feed.json"), url: "https://blog.example.sa/feed.json")
        #expect(feed.format == .jsonFeed)
        #expect(feed.title == "مدونة الأخبار")
        #expect(feed.language == "ar")
        try #require(feed.items.count == 3)
        #expect(feed.items[0].link == "https://blog.example.sa/posts/1")
        #expect(feed.items[0].content == "<p>نص</p>")
        #expect(feed.items[0].published?.iso8601 == "2024-06-20T14:49:00+03:00")
        #expect(feed.items[0].authors == ["فريق التحرير"])
        #expect(feed.items[0].categories == ["اقتصاد"])
        #expect(feed.items[1].id == "2")
        #expect(feed.items[1].link == "https://blog.example.sa/posts/2")
        #expect(feed.items[1].content == "Plain text")
        #expect(feed.items[1].updated?.iso8601 == "2024-06-19T12:00:00Z")
        #expect(feed.items[1].authors == ["Sara"])
        #expect(feed.items[2].link == "https://other.example.com/story")
    }

    @Test func jsonThatIsNotAFeedNamesTheProblem() {
        #expect(throws: DiscoveryError(source: "u", reason: .unrecognizedFormat(found: "a JSON object without a JSON Feed version"))) {
            try parser.parse(Array(#"{"items": []}"#.utf8), url: "u")
        }
        #expect(throws: DiscoveryError.self) { try parser.parse(Array("{not json".utf8), url: "u") }
    }

    /// A feed that declares ISO-8859-1 but is UTF-8 must not turn into mojibake.
    @Test func wrongEncodingDeclarationIsNotMojibake() throws {
        let xml = """
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <rss version="2.0"><channel><title>أخبار اليوم</title>
            <item><title>رئيس الوزراء يلتقي الوفد — café</title><link>https://example.com/a</link></item>
            </channel></rss>
            """
        let feed = try parser.parse(Array(xml.utf8), url: "https://example.com/rss")
        #expect(feed.title == "أخبار اليوم")
        #expect(feed.items.first?.title == "رئيس الوزراء يلتقي الوفد — café")
    }

    /// A true ISO-8859-1 feed still reads as ISO-8859-1.
    @Test func honestLatin1Declaration() throws {
        let bytes = Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><item><title>Caf"#.utf8)
            + [0xE9] + Array("</title><link>https://example.com/c</link></item></channel></rss>".utf8)
        let feed = try parser.parse(bytes, url: "https://example.com/rss")
        #expect(feed.items.first?.title == "Café")
    }

    @Test func windows1256FeedDeclaredOverHTTP() throws {
        // "خبر" in windows-1256.
        let bytes = Array(#"<?xml version="1.0"?><rss version="2.0"><channel><item><title>"#.utf8)
            + [0xCE, 0xC8, 0xD1] + Array("</title></item></channel></rss>".utf8)
        let feed = try parser.parse(bytes, url: "https://example.com/rss", declaredCharset: "windows-1256")
        #expect(feed.items.first?.title == "خبر")
    }

    @Test func unclosedTagsAreRecovered() throws {
        let xml = """
            <rss version="2.0"><channel><title>Broken</title>
            <item><title>One</title><link>https://example.com/1</link><description>open <b>bold</item>
            <item><title>Two</title><link>https://example.com/2</link>
            """
        let feed = try parser.parse(Array(xml.utf8), url: "https://example.com/rss")
        #expect(feed.hadMarkupErrors)
        #expect(feed.items.compactMap(\.link) == ["https://example.com/1", "https://example.com/2"])
        #expect(feed.items.map(\.title) == ["One", "Two"])
    }

    @Test func htmlPageIsNotAFeed() {
        #expect(throws: DiscoveryError(source: "https://example.com/", reason: .unrecognizedFormat(found: "<html> root element"))) {
            try parser.parse(Array("<html><body><p>hi</p></body></html>".utf8), url: "https://example.com/")
        }
        #expect(throws: DiscoveryError(source: "https://example.com/", reason: .empty)) {
            try parser.parse(Array("  \n".utf8), url: "https://example.com/")
        }
    }

    @Test func itemLimit() throws {
        let items = (0..<30).map { "<item><link>https://example.com/\($0)</link></item>" }.joined()
        let feed = try FeedParser(maxItems: 10).parse(Array("<rss version=\"2.0\"><channel>\(items)</channel></rss>".utf8), url: "https://example.com/rss")
        #expect(feed.items.count == 10)
        #expect(feed.isTruncated)
    }
}
