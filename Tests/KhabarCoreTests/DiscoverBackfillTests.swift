import Foundation
import Testing
@testable import KhabarCore

@Suite struct DiscoverBackfillTests {
    // MARK: URL lists

    @Test func urlList() {
        let text = "\u{FEFF}# backfill for June\nhttps://example.com/a\r\n\n   \n  https://example.com/b  \n# https://example.com/commented\nnot a url\nftp://x/y\nHTTP://EXAMPLE.com/c"
        let (urls, rejected) = URLListReader.read(text)
        #expect(urls.map(\.url) == ["https://example.com/a", "https://example.com/b", "HTTP://EXAMPLE.com/c"])
        #expect(urls.map(\.number) == [2, 5, 9])
        #expect(rejected.map(\.url) == ["not a url", "ftp://x/y"])
        #expect(rejected.map(\.number) == [7, 8])
    }

    @Test func urlListFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-urls-\(UUID().uuidString).txt").path
        try "https://example.com/1\n#c\nhttps://example.com/2\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try URLListReader.read(contentsOf: path).urls.map(\.url) == ["https://example.com/1", "https://example.com/2"])
        #expect(throws: DiscoveryError(source: "/nonexistent/urls.txt", reason: .unreadableFile("missing or unreadable"))) {
            try URLListReader.read(contentsOf: "/nonexistent/urls.txt")
        }
    }

    // MARK: WARC

    static func record(type: String, uri: String? = nil, contentType: String? = nil, block: [UInt8], extra: [String] = []) -> [UInt8] {
        var header = ["WARC/1.0", "WARC-Type: \(type)", "WARC-Date: 2024-06-20T12:00:00Z",
                      "WARC-Record-ID: <urn:uuid:\(UUID().uuidString)>"]
        if let uri { header.append("WARC-Target-URI: \(uri)") }
        if let contentType { header.append("Content-Type: \(contentType)") }
        header += extra
        header.append("Content-Length: \(block.count)")
        return Array((header.joined(separator: "\r\n") + "\r\n\r\n").utf8) + block + Array("\r\n\r\n".utf8)
    }

    static func httpResponse(status: String = "200 OK", headers: [String], body: [UInt8]) -> [UInt8] {
        Array(("HTTP/1.1 \(status)\r\n" + headers.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
    }

    static let arabicPage = Array("<html><head><meta charset=\"utf-8\"></head><body><p>خبر عاجل من القاهرة</p></body></html>".utf8)

    /// warcinfo, request, response (plain), metadata, response (chunked + gzip), revisit,
    /// a DNS response, and a response with windows-1256 charset.
    static func mixedRecords() throws -> [[UInt8]] {
        let gzipped = try #require(Gzip.compress(arabicPage))
        let half = gzipped.count / 2
        var chunked: [UInt8] = Array(String(half, radix: 16).utf8) + Array("\r\n".utf8)
        chunked += gzipped[..<half]
        chunked += Array("\r\n".utf8) + Array(String(gzipped.count - half, radix: 16).utf8) + Array(";ext=1\r\n".utf8)
        chunked += gzipped[half...]
        chunked += Array("\r\n0\r\n\r\n".utf8)
        return [
            record(type: "warcinfo", contentType: "application/warc-fields", block: Array("software: test\r\nformat: WARC File Format 1.0\r\n".utf8)),
            record(type: "request", uri: "https://www.example.com/a", contentType: "application/http; msgtype=request",
                   block: Array("GET /a HTTP/1.1\r\nHost: www.example.com\r\n\r\n".utf8)),
            record(type: "response", uri: "https://www.example.com/a", contentType: "application/http; msgtype=response",
                   block: httpResponse(headers: ["Content-Type: text/html; charset=UTF-8", "Content-Length: \(arabicPage.count)"], body: arabicPage)),
            record(type: "metadata", uri: "https://www.example.com/a", contentType: "application/warc-fields", block: Array("fetchTimeMs: 12\r\n".utf8)),
            record(type: "response", uri: "<https://www.example.com/b>", contentType: "application/http;msgtype=response",
                   block: httpResponse(headers: ["Content-Type: text/html", "Transfer-Encoding: chunked", "Content-Encoding: gzip"], body: chunked),
                   extra: ["WARC-Truncated: length"]),
            record(type: "revisit", uri: "https://www.example.com/a", contentType: "application/http; msgtype=response",
                   block: httpResponse(status: "304 Not Modified", headers: [], body: [])),
            record(type: "response", uri: "dns:www.example.com", contentType: "text/dns", block: Array("20240620120000\nwww.example.com. 300 IN A 1.2.3.4\n".utf8)),
            record(type: "response", uri: "https://www.example.com/c", contentType: "application/http; msgtype=response",
                   block: httpResponse(status: "404 Not Found", headers: ["content-type: text/html; charset=\"windows-1256\"", "X-Folded: a", " b"], body: [0xCE, 0xC8, 0xD1])),
        ]
    }

    func readAll(_ reader: WARCReader) throws -> [WARCResponse] {
        var responses: [WARCResponse] = []
        while let response = try reader.next() { responses.append(response) }
        return responses
    }

    func checkMixed(_ responses: [WARCResponse], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(responses.map(\.targetURI) == ["https://www.example.com/a", "https://www.example.com/b", "https://www.example.com/c"], sourceLocation: sourceLocation)
        guard responses.count == 3 else { return }
        #expect(responses[0].httpStatus == 200, sourceLocation: sourceLocation)
        #expect(responses[0].charset == "UTF-8", sourceLocation: sourceLocation)
        #expect(responses[0].body == Self.arabicPage, sourceLocation: sourceLocation)
        #expect(responses[0].date == "2024-06-20T12:00:00Z", sourceLocation: sourceLocation)
        #expect(responses[1].body == Self.arabicPage, sourceLocation: sourceLocation)
        #expect(responses[1].bodyDecodingIssue == nil, sourceLocation: sourceLocation)
        #expect(responses[1].truncatedBecause == "length", sourceLocation: sourceLocation)
        #expect(responses[1].charset == nil, sourceLocation: sourceLocation)
        #expect(responses[2].httpStatus == 404, sourceLocation: sourceLocation)
        #expect(responses[2].charset == "windows-1256", sourceLocation: sourceLocation)
        #expect(responses[2].header("X-FOLDED") == "a b", sourceLocation: sourceLocation)
        #expect(responses[2].body == [0xCE, 0xC8, 0xD1], sourceLocation: sourceLocation)
    }

    @Test func plainWARC() throws {
        let reader = WARCReader(bytes: Array(try Self.mixedRecords().joined()), source: "test.warc")
        checkMixed(try readAll(reader))
        #expect(reader.skippedRecords == 5)
    }

    /// One gzip member per record, as Common Crawl writes them.
    @Test func gzipMemberPerRecord() throws {
        let members = try Self.mixedRecords().map { try #require(Gzip.compress($0)) }
        checkMixed(try readAll(WARCReader(bytes: Array(members.joined()), source: "test.warc.gz")))
    }

    /// A real file read in 1 MiB chunks, with a 3 MiB body crossing chunk boundaries and a
    /// large skipped record in between.
    @Test func fileStreamedInChunks() throws {
        var noise = SeededRandom(seed: 3)
        let bigBody = noise.bytes(3 << 20)
        var records = try Self.mixedRecords()
        records.insert(Self.record(type: "resource", uri: "https://www.example.com/big.bin", contentType: "application/octet-stream", block: noise.bytes(2 << 20)), at: 1)
        records.append(Self.record(type: "response", uri: "https://www.example.com/big", contentType: "application/http; msgtype=response",
                                   block: Self.httpResponse(headers: ["Content-Type: application/octet-stream"], body: bigBody)))
        let members = try records.map { try #require(Gzip.compress($0)) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-\(UUID().uuidString).warc.gz").path
        try Data(members.joined()).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let responses = try readAll(try WARCReader(path: path))
        checkMixed(Array(responses.prefix(3)))
        #expect(responses.count == 4)
        #expect(responses.last?.body == bigBody)
    }

    @Test func truncatedFinalRecordIsAnError() throws {
        let whole = Array(try Self.mixedRecords().joined())
        // Cut inside the last record's block.
        let cut = Array(whole.dropLast(6))
        let reader = WARCReader(bytes: cut, source: "cut.warc")
        for _ in 0..<2 { _ = try reader.next() }
        #expect {
            _ = try reader.next()
        } throws: { error in
            guard let error = error as? DiscoveryError, case .invalidWARCRecord(_, let message) = error.reason else { return false }
            return error.source == "cut.warc" && message.contains("ends inside")
        }
        // Compressed, cut mid-member.
        let members = try Self.mixedRecords().map { try #require(Gzip.compress($0)) }
        let compressed = Array(Array(members.joined()).dropLast(20))
        let gzReader = WARCReader(bytes: compressed, source: "cut.warc.gz")
        #expect(throws: DiscoveryError.self) { _ = try readAll(gzReader) }
    }

    @Test func notAWARCFile() {
        #expect(throws: DiscoveryError.self) { _ = try WARCReader(bytes: Array("<html>hello</html>\r\n\r\n".utf8), source: "x").next() }
        #expect(throws: DiscoveryError(source: "/nonexistent.warc.gz", reason: .unreadableFile("cannot open"))) {
            try WARCReader(path: "/nonexistent.warc.gz")
        }
        #expect((try? WARCReader(bytes: [], source: "empty").next()) == .some(nil))
    }

    @Test func dechunk() {
        #expect(WARCReader.dechunk(Array("4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n".utf8)) == Array("Wikipedia".utf8))
        #expect(WARCReader.dechunk(Array("zz\r\nWiki".utf8)) == nil)
        #expect(WARCReader.dechunk(Array("ff\r\nshort".utf8)) == nil)
    }
}

@Suite struct DiscoverListingPageTests {
    static let page = """
        <!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><base href="https://www.example.com/ar/"></head>
        <body><nav><a href="/ar/">الرئيسية</a><a href="/ar/section/politics">سياسة</a></nav>
        <main>
          <a href="news/2024/06/20/وزير-الخارجية?utm_source=home#comments">وزير الخارجية</a>
          <a href="https://www.example.com/ar/news/2024/06/20/%d9%88%d8%b2%d9%8a%d8%b1-%d8%a7%d9%84%d8%ae%d8%a7%d8%b1%d8%ac%d9%8a%d8%a9">duplicate</a>
          <a href="/ar/news/2024/06/19/sport/final">nested path</a>
          <a href="https://other.example.org/ar/news/2024/06/20/x">other site</a>
          <a href="javascript:void(0)">js</a><a>no href</a>
          <a href="/ar/video/2024/06/20/clip">video</a>
        </main></body></html>
        """

    @Test func globPattern() {
        let links = ListingPage.articleLinks(
            html: Array(Self.page.utf8), pageURL: "https://www.example.com/ar/section/politics",
            matching: URLPattern(glob: "https://www.example.com/ar/news/*/*/*/*"))
        #expect(links == ["https://www.example.com/ar/news/2024/06/20/%D9%88%D8%B2%D9%8A%D8%B1-%D8%A7%D9%84%D8%AE%D8%A7%D8%B1%D8%AC%D9%8A%D8%A9"])
        let deep = ListingPage.articleLinks(
            html: Array(Self.page.utf8), pageURL: "https://www.example.com/ar/section/politics",
            matching: URLPattern(glob: "https://www.example.com/ar/news/**"))
        #expect(deep.count == 2)
        #expect(deep.last == "https://www.example.com/ar/news/2024/06/19/sport/final")
    }

    @Test func regexPattern() throws {
        let links = ListingPage.articleLinks(
            html: Array(Self.page.utf8), pageURL: "https://www.example.com/ar/",
            matching: try URLPattern(regex: #"/(news|video)/\d{4}/\d{2}/\d{2}/"#))
        #expect(links.count == 4)
        #expect(links.contains("https://other.example.org/ar/news/2024/06/20/x"))
        #expect(throws: DiscoveryError.self) { try URLPattern(regex: "([unclosed") }
    }

    @Test func globSemantics() {
        let pattern = URLPattern(glob: "https://e.com/a/*.html")
        #expect(pattern.matches("https://e.com/a/story.html"))
        #expect(!pattern.matches("https://e.com/a/b/story.html"))
        #expect(URLPattern(glob: "https://e.com/**.html").matches("https://e.com/a/b/story.html"))
        #expect(URLPattern(glob: "https://e.com/?").matches("https://e.com/x"))
        #expect(!URLPattern(glob: "https://e.com/?").matches("https://e.com/xy"))
        // No exponential backtracking.
        let text = "https://e.com/" + String(repeating: "a", count: 5000)
        #expect(!URLPattern(glob: "https://e.com/" + String(repeating: "*a", count: 50) + "b").matches(text))
    }
}
