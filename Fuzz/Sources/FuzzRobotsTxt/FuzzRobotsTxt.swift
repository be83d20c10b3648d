import FuzzSupport
import KhabarCore

/// `RobotsRules` and `SitemapParser.sitemapURLs(inRobotsTxt:)`.
///
/// The input is a robots.txt; its last line is also used as a path to ask about. Checks:
/// /robots.txt is always allowed; a crawl delay is finite and not negative; CRLF line ends read
/// as LF ones; a comment line changes nothing; a `Disallow:` of a plain path forbids exactly
/// that path; sitemap URLs are absolute http(s) and unique.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Invariant.bytes(data, size)
    let rules = RobotsRules(parsing: body, productToken: "khabar")
    Invariant.check(rules.allows("/robots.txt"), "/robots.txt disallowed")
    if let delay = rules.crawlDelaySeconds {
        Invariant.check(delay.isFinite && delay >= 0, "crawl delay \(delay)")
    }
    let lastLine = body.split(separator: UInt8(ascii: "\n")).last.map { Array($0) } ?? []
    let path = "/" + String(decoding: lastLine, as: UTF8.self)
    _ = rules.allows(path)

    if !body.contains(UInt8(ascii: "\r")) {
        var crlf: [UInt8] = []
        for byte in body {
            if byte == UInt8(ascii: "\n") { crlf.append(UInt8(ascii: "\r")) }
            crlf.append(byte)
        }
        Invariant.check(RobotsRules(parsing: crlf, productToken: "khabar") == rules, "CRLF line ends read differently from LF")
    }
    let commented = Array("# robots.txt\n".utf8) + body
    Invariant.check(RobotsRules(parsing: commented, productToken: "khabar") == rules, "a leading comment line changed the rules")

    // A plain path (no wildcard, anchor, comment, whitespace or control) disallowed on its own.
    let plain = path.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "*" && $0 != "$" && $0 != "#" && $0 != "%" }
    if plain && path != "/robots.txt" && path.utf8.count > 1 {
        let only = RobotsRules(parsing: Array("User-agent: *\nDisallow: \(path)\n".utf8), productToken: "khabar")
        Invariant.check(!only.allows(path), "Disallow: \(Invariant.debug(path)) does not disallow it")
        Invariant.check(!only.allows(path + "x"), "Disallow: \(Invariant.debug(path)) does not disallow a longer path")
    }

    let text = String(decoding: body, as: UTF8.self)
    let sitemaps = SitemapParser.sitemapURLs(inRobotsTxt: text, robotsURL: "https://example.com/robots.txt")
    for url in sitemaps { Invariant.checkWebURL(url, "Sitemap:") }
    Invariant.check(Set(sitemaps).count == sitemaps.count, "duplicate sitemap URLs")
    return 0
}
