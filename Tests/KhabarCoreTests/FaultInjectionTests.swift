import Foundation
import Logging
import Testing
@testable import KhabarCore

/// `khabar backfill` (`BackfillRun`, the same code path) against a local news site that
/// misbehaves on purpose: 503 and 429 with Retry-After, stalls past the fetch timeout,
/// connections reset mid-body, truncated gzip, Content-Length shorter and longer than the body,
/// a redirect loop, a robots.txt that never answers, pages that change between fetches, and
/// pages that fail a few times before they work.
///
/// Each server is a host of its own (robots.txt and circuit breaker are per host): `flaky`
/// serves the pages that work in the end, every page that never works has a server of its own
/// (so its failures are its own, not the breaker's), and `silent` has a robots.txt that stalls.
@Suite(.serialized) struct FaultInjectionTests {
    /// What the site does for one article, and what the run must end with.
    struct Article {
        var path: String
        var server: Server
        var reachable: Bool
        /// Requests the page must get in one run (nil: only the retry bound is checked).
        var expectedRequests: Int?
        /// In the failure's reason, for unreachable pages.
        var reason: String = ""
    }

    enum Server { case flaky, broken, silent }

    static let maxAttempts = 3

    /// The pages, numbered so every one is a distinct article with its own canonical link.
    final class Site: Sendable {
        let flaky: TestHTTPServer
        /// One server per page that never works, by path.
        let broken: [String: TestHTTPServer]
        let silent: TestHTTPServer
        let articles: [Article]

        init() throws {
            flaky = try TestHTTPServer()
            silent = try TestHTTPServer()
            let pathsOfBroken = ["/news/503-always.html", "/news/stall-always.html", "/news/reset-always.html",
                                 "/news/truncated-gzip-always.html", "/news/long-length-always.html",
                                 "/news/short-length.html", "/news/loop-a.html"]
            var broken: [String: TestHTTPServer] = [:]
            for path in pathsOfBroken { broken[path] = try TestHTTPServer() }
            self.broken = broken
            let templates = try GoldenExtractionTests.pageNames.filter { !$0.contains("windows-1256") }.map {
                try String(contentsOf: GoldenExtractionTests.goldenDirectory.appendingPathComponent($0 + ".html"), encoding: .utf8)
            }
            var number = 0
            var articles: [Article] = []
            let (flaky, silent) = (self.flaky, self.silent)
            func page(_ server: TestHTTPServer, _ path: String, variant: Int = 0) -> [UInt8] {
                var html = templates[number % templates.count]
                let marker = variant == 0 ? "" : " (النسخة \(variant))"
                html = html.replacingOccurrences(
                    of: "<p>", with: "<p>هذا هو التقرير رقم \(number) من سلسلة تقارير الاختبار\(marker). ", options: [],
                    range: html.range(of: "<p>"))
                if let existing = html.range(of: #"<link rel="canonical"[^>]*>"#, options: .regularExpression) { html.removeSubrange(existing) }
                html = html.replacingOccurrences(of: "</head>", with: "<link rel=\"canonical\" href=\"\(server.url(path))\"></head>")
                return Array(html.utf8)
            }
            let html = [("Content-Type", "text/html; charset=utf-8")]
            func add(_ server: Server, _ path: String, reachable: Bool, requests: Int? = nil, reason: String = "",
                     _ handler: @escaping @Sendable (_ body: [UInt8], _ hit: Int, _ changing: @Sendable (Int) -> [UInt8]) -> TestHTTPServer.Reply) {
                let target = server == .flaky ? flaky : server == .broken ? broken[path]! : silent
                let body = page(target, path)
                let variants = (1...4).map { page(target, path, variant: $0) }
                target.route(path) { _, hit in handler(body, hit, { variants[min($0, variants.count) - 1] }) }
                articles.append(Article(path: path, server: server, reachable: reachable, expectedRequests: requests, reason: reason))
                number += 1
            }
            let ok: @Sendable ([UInt8]) -> TestHTTPServer.Reply = { .response(status: 200, headers: html, body: $0) }

            // Healthy pages, one of them gzip-encoded.
            for index in 0..<4 {
                add(.flaky, "/news/ok-\(index).html", reachable: true, requests: 1) { body, _, _ in ok(body) }
            }
            add(.flaky, "/news/gzip.html", reachable: true, requests: 1) { body, _, _ in
                .response(status: 200, headers: html + [("Content-Encoding", "gzip")], body: Gzip.compress(body)!)
            }
            // Fail a few times, then work.
            add(.flaky, "/news/503-twice.html", reachable: true, requests: 3) { body, hit, _ in
                hit <= 2 ? .response(status: 503, headers: [("Retry-After", "1")]) : ok(body)
            }
            add(.flaky, "/news/429-once.html", reachable: true, requests: 2) { body, hit, _ in
                hit == 1 ? .response(status: 429, headers: [("Retry-After", "1")]) : ok(body)
            }
            add(.flaky, "/news/reset-once.html", reachable: true, requests: 2) { body, hit, _ in
                hit == 1 ? .reset(declaredLength: body.count, sentPrefix: Array(body.prefix(body.count / 2))) : ok(body)
            }
            add(.flaky, "/news/stall-once.html", reachable: true, requests: 2) { body, hit, _ in
                hit == 1 ? .stall(declaredLength: body.count, sentPrefix: Array(body.prefix(100)), seconds: 5) : ok(body)
            }
            add(.flaky, "/news/truncated-gzip-once.html", reachable: true, requests: 2) { body, hit, _ in
                let gzip = Gzip.compress(body)!
                return .response(status: 200, headers: html + [("Content-Encoding", "gzip")],
                                 body: hit == 1 ? Array(gzip.prefix(gzip.count / 2)) : gzip)
            }
            add(.flaky, "/news/long-length-once.html", reachable: true, requests: 2) { body, hit, _ in
                // Declares more than it sends, then closes the connection.
                hit == 1 ? .stall(declaredLength: body.count + 500, sentPrefix: body, seconds: 0) : ok(body)
            }
            // Different on every request, and failing once: still one record.
            add(.flaky, "/news/changing.html", reachable: true, requests: 2) { _, hit, changing in
                hit == 1 ? .response(status: 503) : .response(status: 200, headers: html, body: changing(hit))
            }
            // Different on every request, and listed in the feed as well as the sitemap.
            add(.flaky, "/news/changing-twice-listed.html", reachable: true, requests: 1) { _, hit, changing in
                .response(status: 200, headers: html, body: changing(hit))
            }

            // Never works.
            add(.broken, "/news/503-always.html", reachable: false, requests: FaultInjectionTests.maxAttempts, reason: "HTTP 503") { _, _, _ in
                .response(status: 503, headers: [("Retry-After", "1")])
            }
            add(.broken, "/news/stall-always.html", reachable: false, requests: FaultInjectionTests.maxAttempts, reason: "timed out") { body, _, _ in
                .stall(declaredLength: body.count, sentPrefix: [], seconds: 5)
            }
            add(.broken, "/news/reset-always.html", reachable: false, requests: FaultInjectionTests.maxAttempts, reason: "connection failed") { body, _, _ in
                .reset(declaredLength: body.count, sentPrefix: Array(body.prefix(300)))
            }
            add(.broken, "/news/truncated-gzip-always.html", reachable: false, requests: FaultInjectionTests.maxAttempts, reason: "truncated") { body, _, _ in
                let gzip = Gzip.compress(body)!
                return .response(status: 200, headers: html + [("Content-Encoding", "gzip")], body: Array(gzip.prefix(gzip.count - 8)))
            }
            add(.broken, "/news/long-length-always.html", reachable: false, requests: FaultInjectionTests.maxAttempts, reason: "connection failed") { body, _, _ in
                .stall(declaredLength: body.count + 500, sentPrefix: body, seconds: 0)
            }
            // Declares 120 bytes of a page whose article comes much later: what the server said
            // is taken (as browsers do), and it holds no article.
            add(.broken, "/news/short-length.html", reachable: false, requests: 1, reason: "clean failed") { body, _, _ in
                .response(status: 200, headers: html + [("Content-Length", "120")], body: body)
            }
            let loopServer = broken["/news/loop-a.html"]!
            let loopA = loopServer.url("/news/loop-a.html"), loopB = loopServer.url("/news/loop-b.html")
            add(.broken, "/news/loop-a.html", reachable: false, requests: 1, reason: "redirect loop") { _, _, _ in
                .response(status: 302, headers: [("Location", loopB)])
            }
            loopServer.route("/news/loop-b.html") { _, _ in .response(status: 301, headers: [("Location", loopA)]) }

            // robots.txt never answers: nothing on the host may be fetched (RFC 9309 §2.3.1.4).
            for index in 0..<2 {
                add(.silent, "/news/behind-silent-robots-\(index).html", reachable: false, requests: 0, reason: "robots.txt") { body, _, _ in ok(body) }
            }
            silent.route("/robots.txt") { _, _ in .stall(declaredLength: 100, sentPrefix: [], seconds: 5) }
            for server in broken.values {
                server.serve("/robots.txt", body: "User-agent: *\nAllow: /\n", headers: [("Content-Type", "text/plain")])
            }
            flaky.serve("/robots.txt", body: "User-agent: *\nAllow: /\n", headers: [("Content-Type", "text/plain")])

            self.articles = articles
            let urls = articles.map { url(of: $0) }
            let sitemap = Array(("<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                + urls.map { "<url><loc>\($0)</loc></url>" }.joined() + "</urlset>").utf8)
            // The sitemap itself answers 503 (with Retry-After) once.
            flaky.route("/sitemap.xml") { _, hit in
                hit == 1 ? .response(status: 503, headers: [("Retry-After", "1")]) : .response(status: 200, headers: [("Content-Type", "application/xml")], body: sitemap)
            }
            let feedItems = [flaky.url("/news/changing-twice-listed.html"), flaky.url("/news/ok-0.html")]
                .map { "<item><title>t</title><link>\($0)?utm_source=rss</link></item>" }.joined()
            flaky.serve("/feed.xml", body: "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>s</title>\(feedItems)</channel></rss>",
                        headers: [("Content-Type", "application/rss+xml")])
        }

        func server(of article: Article) -> TestHTTPServer {
            switch article.server {
            case .flaky: flaky
            case .broken: broken[article.path]!
            case .silent: silent
            }
        }

        func url(of article: Article) -> String { server(of: article).url(article.path) }

        func stop() {
            flaky.stop()
            broken.values.forEach { $0.stop() }
            silent.stop()
        }
    }

    static func settings(_ site: Site, directory: URL) -> BackfillRun.Settings {
        var configuration = KhabarConfiguration()
        configuration.state = directory.appendingPathComponent("state").path
        configuration.output.directory = directory.appendingPathComponent("out").path
        configuration.output.rotateBytes = 16 * 1024
        configuration.pipeline.cleaners = 2
        configuration.fetch.timeout = .seconds(1)
        configuration.fetch.maxAttempts = maxAttempts
        configuration.fetch.retryDelay = .milliseconds(50)
        configuration.fetch.maxRetryAfter = .seconds(2)
        configuration.fetch.breakerPause = .milliseconds(300)
        configuration.fetch.globalConcurrency = 16
        var inputs = BackfillInputs()
        inputs.sitemaps = [site.flaky.url("/sitemap.xml")]
        inputs.feeds = [site.flaky.url("/feed.xml")]
        var settings = BackfillRun.Settings(configuration: configuration, inputs: inputs)
        settings.allowPrivate = true
        settings.minDelay = .zero
        settings.perHostConcurrency = 4
        return settings
    }

    @Test func everyReachableArticleIsExportedOnceAndEveryOtherFailsWithItsReason() async throws {
        let site = try Site()
        defer { site.stop() }
        let scratch = ScratchDirectory()
        var logger = Logger(label: "test")
        logger.logLevel = .critical

        let report = try await BackfillRun.run(Self.settings(site, directory: scratch.url), logger: logger)

        // Exactly once per reachable article, nothing of the others.
        let lines = try BackfillEndToEndTests.exportedLines(scratch.url)
        var perURL: [String: Int] = [:]
        for line in lines { perURL[try #require(line["canonical_url"] as? String), default: 0] += 1 }
        let reachable = site.articles.filter(\.reachable)
        for article in site.articles {
            let count = perURL[site.url(of: article)] ?? 0
            #expect(count == (article.reachable ? 1 : 0), "\(article.path): \(count) records")
        }
        #expect(perURL.count == reachable.count, "records of unknown URLs: \(perURL.keys.sorted())")
        #expect(report.counts[.exported] == reachable.count)
        #expect(report.discoveryProblems.isEmpty, "\(report.discoveryProblems)")

        // Each unreachable article is counted once, with its URL and a reason that says why.
        let unreachable = site.articles.filter { !$0.reachable }
        #expect(report.counts[.fetchFailed] + report.counts[.cleanFailed] == unreachable.count)
        for article in unreachable {
            let failures = report.failures.filter { $0.url == site.url(of: article) }
            #expect(failures.count == 1, "\(article.path): \(failures)")
            if let failure = failures.first {
                #expect(failure.description.contains(article.reason), "\(article.path): \(failure)")
                #expect(failure.description.hasPrefix(site.url(of: article)))
            }
        }

        // Bounded retries: never more than `max_attempts` requests per page.
        for article in site.articles {
            let requests = site.server(of: article).requests(to: article.path).count
            #expect(requests <= Self.maxAttempts, "\(article.path): \(requests) requests")
            if let expected = article.expectedRequests {
                #expect(requests == expected, "\(article.path): \(requests) requests, expected \(expected)")
            }
        }
        #expect(site.broken["/news/loop-a.html"]?.requests(to: "/news/loop-b.html").count == 1)
        // robots.txt that never answers: asked once (then remembered as unavailable), bounded
        // by the timeout, and no page behind it requested.
        #expect(site.silent.requests(to: "/robots.txt").count == 1)
        #expect(site.silent.requests().allSatisfy { $0.path == "/robots.txt" })
        // Retry-After honoured: the retry did not come before the server allowed it.
        let retried = site.flaky.requests(to: "/news/503-twice.html")
        if retried.count >= 2 {
            #expect(retried[1].receivedAt - retried[0].receivedAt >= .milliseconds(900))
        }

        // A second run with the same state redoes nothing and exports nothing twice; the
        // unreachable pages are tried again (bounded the same way).
        let second = try await BackfillRun.run(Self.settings(site, directory: scratch.url), logger: logger)
        #expect(second.counts[.exported] == 0)
        #expect(try BackfillEndToEndTests.exportedLines(scratch.url).count == reachable.count)
        for article in reachable {
            #expect(site.server(of: article).requests(to: article.path).count == article.expectedRequests,
                    "\(article.path) fetched again after it was exported")
        }
        for article in site.articles {
            #expect(site.server(of: article).requests(to: article.path).count <= 2 * Self.maxAttempts)
        }
    }

    /// libcurl 7.88 takes a gzip body that ends early for a whole page; the fetcher must not.
    @Test func truncatedGzipIsATruncatedBodyNotAPage() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let body = Array(String(repeating: "<p>نص المقال الكامل هنا</p>", count: 400).utf8)
        let gzip = try #require(Gzip.compress(body))
        server.route("/cut-mid-stream") { _, _ in .response(status: 200, headers: [("Content-Encoding", "gzip")], body: Array(gzip.prefix(gzip.count / 2))) }
        server.route("/no-trailer") { _, _ in .response(status: 200, headers: [("Content-Encoding", "gzip")], body: Array(gzip.dropLast(8))) }
        server.route("/whole") { _, _ in .response(status: 200, headers: [("Content-Encoding", "gzip")], body: gzip) }
        server.route("/deflate") { _, _ in .response(status: 200, headers: [("Content-Encoding", "deflate")], body: Array(gzip.dropFirst(10).dropLast(8))) }
        server.route("/brotli") { _, _ in .response(status: 200, headers: [("Content-Encoding", "br")], body: [1, 2, 3]) }
        var configuration = FetchConfiguration()
        configuration.refusesInternalAddresses = false
        configuration.obeysRobotsTxt = false
        configuration.minimumDelayPerHost = .zero
        configuration.maxAttempts = 2
        configuration.retryBaseDelay = .milliseconds(10)
        let fetcher = try CurlFetcher(configuration: configuration)
        defer { fetcher.shutdown() }

        #expect(try await fetcher.fetch(server.url("/whole")).page.body == body)
        #expect(try await fetcher.fetch(server.url("/deflate")).page.body == body, "raw deflate")
        #expect(server.requests(to: "/whole").first?.headers["accept-encoding"] == "gzip, deflate")
        for path in ["/cut-mid-stream", "/no-trailer"] {
            do {
                let outcome = try await fetcher.fetch(server.url(path))
                Issue.record("\(path) accepted as a \(outcome.page.body.count)-byte page")
            } catch let error as FetchError {
                #expect(error.description.contains("truncated"), "\(path): \(error)")
                #expect(error.isRetryable)
            }
            #expect(server.requests(to: path).count == 2)
        }
        await #expect(throws: FetchError.badContentEncoding("unsupported Content-Encoding \"br\"")) {
            try await fetcher.fetch(server.url("/brotli"))
        }
    }
}
