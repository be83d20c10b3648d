import Foundation
import Logging
import Testing
@testable import KhabarCore

/// `khabar backfill` against an in-process news site on a loopback port: a sitemap index with a
/// gzip child, RSS with tracking parameters, Atom with relative links, robots.txt, aliases.
@Suite(.serialized) struct BackfillEndToEndTests {
    /// Builds the site: articles are the golden pages, each numbered so every one is distinct.
    static func makeSite() throws -> (server: TestHTTPServer, articles: [String]) {
        let server = try TestHTTPServer()
        let base = server.url("")
        let templates = try GoldenExtractionTests.pageNames.filter { !$0.contains("windows-1256") }.map {
            try String(contentsOf: GoldenExtractionTests.goldenDirectory.appendingPathComponent($0 + ".html"), encoding: .utf8)
        }
        var articles: [String] = []
        for number in 0..<12 {
            let path = "/news/\(number).html"
            articles.append(path)
            var page = templates[number % templates.count]
            page = page.replacingOccurrences(of: "<p>", with: "<p>هذا هو التقرير رقم \(number) من سلسلة التقارير. ", options: [], range: page.range(of: "<p>"))
            if let existing = page.range(of: #"<link rel="canonical"[^>]*>"#, options: .regularExpression) { page.removeSubrange(existing) }
            page = page.replacingOccurrences(of: "</head>", with: "<link rel=\"canonical\" href=\"\(base)\(path)\"></head>")
            server.serve(path, body: page)
            if number < 2 { server.serve("/alias/\(number).html", body: page) }
            server.serve("/private/\(number).html", body: page)
        }
        server.serve("/robots.txt", body: "User-agent: *\nDisallow: /private/\n", headers: [("Content-Type", "text/plain")])
        func conditional(_ path: String, _ body: [UInt8], type: String, etag: String) {
            server.route(path) { request, _ in
                if request.headers["if-none-match"] == etag { return .response(status: 304, headers: [("ETag", etag)]) }
                return .response(status: 200, headers: [("Content-Type", type), ("ETag", etag)], body: body)
            }
        }
        let urlset = { (paths: [String]) in
            "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">" + paths.map { "<url><loc>\(base)\($0)</loc><lastmod>2024-06-20</lastmod></url>" }.joined() + "</urlset>"
        }
        let firstHalf = Array(articles[0..<6])
        let secondHalf = Array(articles[6...]) + ["/private/0.html", "/private/1.html", "/alias/0.html", "/alias/1.html"]
        conditional("/sitemap.xml", Array(("<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
            + "<sitemap><loc>\(base)/sitemap-1.xml.gz</loc></sitemap><sitemap><loc>\(base)/sitemap-2.xml</loc></sitemap></sitemapindex>").utf8),
            type: "application/xml", etag: "\"index\"")
        conditional("/sitemap-1.xml.gz", try #require(Gzip.compress(Array(urlset(firstHalf).utf8))), type: "application/gzip", etag: "\"s1\"")
        conditional("/sitemap-2.xml", Array(urlset(secondHalf).utf8), type: "application/xml", etag: "\"s2\"")
        let rssItems = articles.prefix(5).map { "<item><title>t</title><link>\(base)\($0)?utm_source=rss&amp;fbclid=x</link><pubDate>Thu, 20 Jun 2024 14:49:00 +0300</pubDate></item>" }
        conditional("/feed.xml", Array("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>s</title>\(rssItems.joined())</channel></rss>".utf8), type: "application/rss+xml", etag: "\"rss\"")
        let atomEntries = articles.suffix(3).map { "<entry><title>t</title><link href=\"\(String($0.dropFirst()))#top\"/><id>\($0)</id><updated>2024-06-20T11:00:00Z</updated></entry>" }
        conditional("/atom.xml", Array("<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"\(base)/\"><title>s</title><id>x</id><updated>2024-06-20T12:00:00Z</updated>\(atomEntries.joined())</feed>".utf8), type: "application/atom+xml", etag: "\"atom\"")
        return (server, articles)
    }

    static func settings(server: TestHTTPServer, directory: URL) -> BackfillRun.Settings {
        var configuration = KhabarConfiguration()
        configuration.state = directory.appendingPathComponent("state").path
        configuration.output.directory = directory.appendingPathComponent("out").path
        configuration.pipeline.cleaners = 2
        var inputs = BackfillInputs()
        inputs.sitemaps = [server.url("/sitemap.xml")]
        inputs.feeds = [server.url("/feed.xml"), server.url("/atom.xml")]
        var settings = BackfillRun.Settings(configuration: configuration, inputs: inputs)
        settings.allowPrivate = true
        settings.minDelay = .zero
        settings.perHostConcurrency = 4
        return settings
    }

    static func exportedLines(_ directory: URL) throws -> [[String: Any]] {
        let out = directory.appendingPathComponent("out")
        return try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".jsonl") }.sorted().flatMap { name in
            try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
    }

    @Test func exportsEachArticleOnceAndRespectsRobots() async throws {
        let (server, articles) = try Self.makeSite()
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical

        let first = try await BackfillRun.run(Self.settings(server: server, directory: directory), logger: logger)
        let lines = try Self.exportedLines(directory)
        let canonical = lines.compactMap { $0["canonical_url"] as? String }
        #expect(Set(canonical).count == canonical.count, "an article was exported twice")
        #expect(Set(canonical) == Set(articles.map { server.url($0) }))
        #expect(first.counts[.exported] == articles.count)
        #expect(first.counts[.skipped] == 2, "the two /private/ pages")
        #expect(server.requests().allSatisfy { !$0.path.hasPrefix("/private/") }, "fetched a page robots.txt disallows")
        // No article fetched twice: the tracking-parameter variants collapse before fetching.
        var fetchesPerArticle: [String: Int] = [:]
        for request in server.requests() where request.path.hasPrefix("/news/") {
            fetchesPerArticle[String(request.path.split(separator: "?")[0]), default: 0] += 1
        }
        #expect(fetchesPerArticle.values.allSatisfy { $0 == 1 }, "\(fetchesPerArticle)")
        for line in lines {
            #expect((line["text"] as? String)?.isEmpty == false)
            #expect(line["schema_version"] as? Int == 1)
            #expect(line["lang"] as? String == "ar")
        }

        // A second run with the same state: conditional requests, nothing fetched or exported.
        let before = server.requests().count
        let second = try await BackfillRun.run(Self.settings(server: server, directory: directory), logger: logger)
        let secondRequests = server.requests().dropFirst(before)
        #expect(second.counts[.exported] == 0)
        #expect(secondRequests.allSatisfy { !$0.path.hasPrefix("/news/") && !$0.path.hasPrefix("/alias/") })
        #expect(secondRequests.filter { $0.path == "/sitemap.xml" }.allSatisfy { $0.headers["if-none-match"] == "\"index\"" })
        #expect(try Self.exportedLines(directory).count == articles.count)
    }
}
