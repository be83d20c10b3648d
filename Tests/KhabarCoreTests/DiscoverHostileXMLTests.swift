import Foundation
import Testing
@testable import KhabarCore

/// Feeds and sitemaps written to hurt the parser: entity bombs, external entities, broken markup.
@Suite struct DiscoverHostileXMLTests {
    static let laughEntities = """
        <!ENTITY lol "lol">
        <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
        <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
        <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
        <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
        <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
        <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
        <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
        <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        """

    /// Billion laughs, in a well-formed document and in one the streaming reader gives up on
    /// first (so the recovering parser meets the bomb too).
    @Test(arguments: [
        "<item><title>&lol9;</title><link>https://example.com/a</link></item>",
        "<item><title>broken <b></title><link>https://example.com/a</link></item><item><title>&lol9;</title></item>",
    ])
    func billionLaughsIsRejectedQuickly(items: String) {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n\(Self.laughEntities)\n]>\n<rss version=\"2.0\"><channel><title>t</title>\(items)</channel></rss>"
        let clock = ContinuousClock()
        let start = clock.now
        #expect(throws: DiscoveryError(source: "https://example.com/lol.xml", reason: .entityExpansionRejected)) {
            try FeedParser().parse(Array(xml.utf8), url: "https://example.com/lol.xml")
        }
        #expect(clock.now - start < .seconds(1))
    }

    @Test func billionLaughsInASitemapIsRejected() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE urlset [\n\(Self.laughEntities)\n]>\n<urlset><url><loc>https://example.com/&lol9;</loc></url></urlset>"
        #expect(throws: DiscoveryError(source: "s", reason: .entityExpansionRejected)) {
            try SitemapParser().parse(Array(xml.utf8), url: "s")
        }
    }

    @Test func externalEntityIsNotRead() throws {
        // A file of our own, so the test does not depend on /etc/passwd existing.
        let secret = "secret-\(UInt64.random(in: 0...UInt64.max))"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-xxe-\(secret).txt").path
        try secret.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }

        for target in ["file://\(path)", path, "file:///etc/passwd"] {
            let xml = """
                <?xml version="1.0"?>
                <!DOCTYPE rss [ <!ENTITY xxe SYSTEM "\(target)"> ]>
                <rss version="2.0"><channel><title>x</title>
                <item><title>before &xxe; after</title><description>&xxe;</description><link>https://example.com/a</link></item>
                </channel></rss>
                """
            let feed = try FeedParser().parse(Array(xml.utf8), url: "https://example.com/xxe.xml")
            let dump = String(describing: feed)
            #expect(!dump.contains(secret) && !dump.contains("root:"))
            #expect(feed.items.first?.title == "before  after")
        }
        // The loader itself refuses, so no other libxml2 path in the process can fetch either.
        #expect(!SecureXMLReader.wouldLoadExternalEntity("file://\(path)"))
        #expect(!SecureXMLReader.wouldLoadExternalEntity(path))
    }

    @Test func externalDTDIsNotLoaded() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE urlset SYSTEM "http://attacker.invalid/evil.dtd">
            <urlset><url><loc>https://example.com/a</loc></url></urlset>
            """
        let sitemap = try SitemapParser().parse(Array(xml.utf8), url: "s")
        #expect(sitemap.entries.map(\.url) == ["https://example.com/a"])
    }

    @Test func garbageIsAnErrorNotACrash() {
        var noise = SeededRandom(seed: 7)
        for length in [1, 10, 1000, 100_000] {
            let bytes = noise.bytes(length)
            #expect(throws: DiscoveryError.self) { try FeedParser().parse(bytes, url: "g") }
            #expect(throws: DiscoveryError.self) { try SitemapParser().parse(bytes, url: "g") }
        }
    }

    /// Deep nesting is bounded by libxml2 (256 levels without XML_PARSE_HUGE), and every walk
    /// here is iterative: no stack overflow.
    @Test func deepNestingDoesNotCrash() throws {
        let depth = 100_000
        let xml = "<rss version=\"2.0\"><channel><item><link>https://example.com/a</link><description>"
            + String(repeating: "<b>", count: depth) + "x" + String(repeating: "</b>", count: depth)
            + "</description></item></channel></rss>"
        _ = try? FeedParser().parse(Array(xml.utf8), url: "deep")
    }
}
