import FuzzSupport
import KhabarCore

/// `SitemapParser` (urlset, index, news sitemaps, gzip): entries within the limit, URLs absolute
/// http(s), a urlset has no child sitemaps and an index no entries, children one level deeper,
/// dates in range.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Invariant.bytes(data, size)
    let parser = SitemapParser(limits: .init(maxEntries: 100, maxInflatedBytes: 1 << 20, maxIndexDepth: 3))
    guard let sitemap = try? parser.parse(bytes, url: "https://news.example.com/sitemaps/news.xml", depth: 1) else { return 0 }
    Invariant.check(sitemap.entries.count + sitemap.sitemaps.count <= 100, "\(sitemap.entries.count) entries and \(sitemap.sitemaps.count) sitemaps, more than maxEntries")
    switch sitemap.kind {
    case .urlSet: Invariant.check(sitemap.sitemaps.isEmpty, "a urlset with child sitemaps")
    case .index: Invariant.check(sitemap.entries.isEmpty, "a sitemap index with entries")
    }
    for entry in sitemap.entries {
        Invariant.checkWebURL(entry.url, "entry.url")
        if let date = entry.lastModified { Invariant.checkDate(date, "lastmod") }
        if let date = entry.news?.publicationDate { Invariant.checkDate(date, "news:publication_date") }
    }
    for child in sitemap.sitemaps {
        Invariant.checkWebURL(child.url, "sitemap.url")
        Invariant.check(child.depth == 2, "child depth \(child.depth) under depth 1")
        if let date = child.lastModified { Invariant.checkDate(date, "sitemap lastmod") }
    }
    return 0
}
