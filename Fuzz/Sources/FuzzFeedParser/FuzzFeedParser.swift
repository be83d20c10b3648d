import FuzzSupport
import KhabarCore

/// `FeedParser` (RSS 0.9x/1.0/2.0, Atom, JSON Feed): at most `maxItems` items, every item link
/// absolute http(s), every date in range, titles without control characters, and parsing is
/// deterministic.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Invariant.bytes(data, size)
    let parser = FeedParser(maxItems: 50)
    guard let feed = try? parser.parse(bytes, url: "https://news.example.com/feeds/rss.xml") else { return 0 }
    Invariant.check(feed.items.count <= 50, "\(feed.items.count) items, more than maxItems")
    for item in feed.items {
        if let link = item.link { Invariant.checkWebURL(link, "item.link") }
        if let date = item.published { Invariant.checkDate(date, "item.published") }
        if let date = item.updated { Invariant.checkDate(date, "item.updated") }
    }
    let again = try? parser.parse(bytes, url: "https://news.example.com/feeds/rss.xml")
    Invariant.check(again == feed, "parsing the same bytes twice gave different feeds")
    return 0
}
