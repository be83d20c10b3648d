import Foundation
import Testing
@testable import KhabarCore

/// Feeds and sitemaps written to hurt the parser: entity bombs, external entities, broken markup.
@Suite struct DiscoverHostileXMLTests {
    static let billionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE rss [
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
        ]>
        <rss version="2.0"><channel><title>t</title>
        <item><title>&lol9;</title><link>https://example.com/a</link></item>
        </channel></rss>
        """

    @Test func billionLaughsIsRejectedQuickly() {
        let clock = ContinuousClock()
        var outcome: Result<Feed, DiscoveryError>?
        let elapsed = clock.measure {
            outcome = Result { () throws(DiscoveryError) in
                try FeedParser().parse(Array(Self.billionLaughs.utf8), url: "https://example.com/lol.xml")
            }
        }
        print("billion laughs:", String(describing: outcome), elapsed)
        #expect(elapsed < .seconds(2))
    }

    @Test func externalEntityIsNotRead() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
            <rss version="2.0"><channel><title>x</title>
            <item><title>before &xxe; after</title><description>&xxe;</description><link>https://example.com/a</link></item>
            </channel></rss>
            """
        let feed = try FeedParser().parse(Array(xml.utf8), url: "https://example.com/xxe.xml")
        print("xxe:", feed)
        #expect(!String(describing: feed).contains("root:"))
    }
}
