import Foundation
import Testing
@testable import KhabarCore

/// The fetcher against `TestHTTPServer` on 127.0.0.1, port 0. Every test ends with the
/// fetcher shut down; tests that break a connection check that the next fetch still works.
@Suite struct FetchClientTests {
    static func configuration() -> FetchConfiguration {
        var configuration = FetchConfiguration()
        configuration.userAgent = "khabar-test/1.0 (+http://example.invalid/contact)"
        configuration.allowedNetworks = ["127.0.0.0/8"]
        configuration.minimumDelayPerHost = .zero
        configuration.connectTimeout = .seconds(2)
        configuration.totalTimeout = .seconds(5)
        configuration.lowSpeedBytesPerSecond = 1000
        configuration.lowSpeedTime = .seconds(1)
        configuration.retryBaseDelay = .milliseconds(10)
        configuration.retryMaxDelay = .milliseconds(50)
        configuration.maxRetryAfter = .milliseconds(200)
        return configuration
    }

    /// Runs `body` with a fresh server and fetcher, and tears both down afterwards.
    func withFetcher(
        _ configure: (inout FetchConfiguration) -> Void = { _ in },
        store: (any FetchValidatorStore)? = nil,
        _ body: (TestHTTPServer, CurlFetcher) async throws -> Void
    ) async throws {
        let server = try TestHTTPServer()
        var configuration = Self.configuration()
        configure(&configuration)
        let fetcher = try CurlFetcher(configuration: configuration, validatorStore: store)
        defer {
            fetcher.shutdown()
            server.stop()
        }
        try await body(server, fetcher)
    }

    func expectFailure(_ expected: (FetchError) -> Bool, _ operation: () async throws -> FetchOutcome,
                       sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            let outcome = try await operation()
            Issue.record("expected an error, got status \(outcome.page.status)", sourceLocation: sourceLocation)
        } catch let error as FetchError {
            #expect(expected(error), "unexpected \(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Fetches /ok: the fetcher (and its curl thread) still works after a failure.
    func expectHealthy(_ server: TestHTTPServer, _ fetcher: CurlFetcher, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        server.serve("/ok", body: "<p>ok</p>")
        let outcome = try await fetcher.fetch(server.url("/ok"))
        #expect(outcome.page.status == 200, sourceLocation: sourceLocation)
        #expect(outcome.page.body == Array("<p>ok</p>".utf8), sourceLocation: sourceLocation)
    }

    @Test func fetchesPageWithCharsetAndUserAgent() async throws {
        try await withFetcher { server, fetcher in
            let html = "<html><body><p>خبر عاجل</p></body></html>"
            server.serve("/news/1", body: html, headers: [("Content-Type", "text/html; Charset=\"windows-1256\""), ("ETag", "\"v1\"")])
            let outcome = try await fetcher.fetch(server.url("/news/1#comments"))
            guard case .fetched(let page) = outcome else { Issue.record("not .fetched"); return }
            #expect(page.status == 200)
            #expect(page.body == Array(html.utf8))
            #expect(page.charset == "windows-1256")
            #expect(page.etag == "\"v1\"")
            #expect(page.requestedURL == server.url("/news/1#comments"))
            #expect(page.finalURL == server.url("/news/1"))
            #expect(page.redirectCount == 0 && page.attempts == 1)
            let request = try #require(server.requests(to: "/news/1").first)
            #expect(request.headers["user-agent"] == "khabar-test/1.0 (+http://example.invalid/contact)")
            #expect(request.headers["accept-encoding"]?.contains("gzip") == true)
            #expect(request.headers["cookie"] == nil)
            // robots.txt was asked first (404 here: everything allowed).
            #expect(server.requests(to: "/robots.txt").count == 1)
        }
    }

    @Test func conditionalGetReportsNotModified() async throws {
        let store = InMemoryValidatorStore()
        try await withFetcher(store: store) { server, fetcher in
            let lastModified = "Wed, 21 Oct 2015 07:28:00 GMT"
            server.route("/page") { request, _ in
                if request.headers["if-none-match"] == "\"abc\"" { return .response(status: 304, headers: [("ETag", "\"abc\"")]) }
                return .response(status: 200, headers: [("ETag", "\"abc\""), ("Last-Modified", lastModified)], body: Array("<p>body</p>".utf8))
            }
            let first = try await fetcher.fetch(server.url("/page"))
            guard case .fetched = first else { Issue.record("first fetch not .fetched"); return }
            let key = try #require(CanonicalURL.key(for: server.url("/page")))
            #expect(await store.validators(for: key) == FetchValidators(etag: "\"abc\"", lastModified: lastModified))

            let second = try await fetcher.fetch(server.url("/page"))
            guard case .notModified(let page) = second else { Issue.record("second fetch not .notModified"); return }
            #expect(page.status == 304)
            #expect(page.body.isEmpty)
            let sent = try #require(server.requests(to: "/page").last)
            #expect(sent.headers["if-none-match"] == "\"abc\"")
            #expect(sent.headers["if-modified-since"] == lastModified)
        }
    }

    /// Articles in the daemon: fetched in full, their validators neither sent nor kept. The
    /// daemon's validator store lives in memory for as long as it runs; an entry per article
    /// grew it without bound (soak test, issue 7).
    @Test func unconditionalFetchNeitherSendsNorStoresValidators() async throws {
        let store = InMemoryValidatorStore()
        try await withFetcher(store: store) { server, fetcher in
            server.route("/article") { request, _ in
                if request.headers["if-none-match"] != nil { return .response(status: 304, headers: [("ETag", "\"v1\"")]) }
                return .response(status: 200, headers: [("ETag", "\"v1\""), ("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")],
                                 body: Array("<p>article</p>".utf8))
            }
            let key = try #require(CanonicalURL.key(for: server.url("/article")))
            guard case .fetched = try await fetcher.fetch(server.url("/article"), conditional: false) else {
                Issue.record("first fetch not .fetched"); return
            }
            #expect(await store.validators(for: key) == nil)
            // Validators a conditional fetch stored are not sent by an unconditional one.
            await store.store(FetchValidators(etag: "\"v1\""), for: key)
            guard case .fetched = try await fetcher.fetch(server.url("/article"), conditional: false) else {
                Issue.record("second fetch not .fetched"); return
            }
            #expect(server.requests(to: "/article").count == 2)
            #expect(server.requests(to: "/article").allSatisfy { $0.headers["if-none-match"] == nil })
        }
    }

    /// The daemon's article stage (`CurlDocumentFetcher(conditional: false)`) leaves nothing in
    /// the validator store.
    @Test func daemonArticleStageKeepsNoValidators() async throws {
        let store = InMemoryValidatorStore()
        try await withFetcher(store: store) { server, fetcher in
            server.route("/news/1.html") { _, _ in
                .response(status: 200, headers: [("ETag", "\"a1\""), ("Content-Type", "text/html; charset=utf-8")],
                          body: Array("<html><body><p>مقال</p></body></html>".utf8))
            }
            let url = try #require(URLCanonicalizer().canonicalize(server.url("/news/1.html")))
            let stage = CurlDocumentFetcher(fetcher: fetcher, ledger: InMemoryStateStore(), conditional: false)
            guard case .fetched = await stage.fetch(CrawlItem(url: url, canonicalURL: url, source: "test")) else {
                Issue.record("article not fetched"); return
            }
            #expect(await store.validators(for: try #require(CanonicalURL.key(for: url))) == nil)
        }
    }

    @Test func notFoundIsFinal() async throws {
        try await withFetcher { server, fetcher in
            await expectFailure({ $0 == .httpStatus(404, retryAfterSeconds: nil) && !$0.isRetryable }) {
                try await fetcher.fetch(server.url("/missing"))
            }
            #expect(server.requests(to: "/missing").count == 1)
        }
    }

    @Test func tooManyRequestsHonorsRetryAfterThenSucceeds() async throws {
        try await withFetcher { server, fetcher in
            server.route("/busy") { _, hit in
                hit == 1 ? .response(status: 429, headers: [("Retry-After", "1")]) : .response(status: 200, body: Array("fine".utf8))
            }
            let outcome = try await fetcher.fetch(server.url("/busy"))
            #expect(outcome.page.status == 200)
            #expect(outcome.page.attempts == 2)
            let hits = server.requests(to: "/busy")
            #expect(hits.count == 2)
            // Retry-After 1 s, capped by maxRetryAfter (200 ms) in this configuration: a lower
            // bound only, which sleeping guarantees.
            if hits.count == 2 { #expect(hits[1].receivedAt - hits[0].receivedAt >= .milliseconds(190)) }
        }
    }

    @Test func serviceUnavailableRetriesThenFailsRetryable() async throws {
        try await withFetcher { server, fetcher in
            server.route("/down") { _, _ in
                .response(status: 503, headers: [("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")])
            }
            await expectFailure({ error in
                if case .httpStatus(503, retryAfterSeconds: 0) = error { return error.isRetryable }
                return false
            }) {
                try await fetcher.fetch(server.url("/down"))
            }
            #expect(server.requests(to: "/down").count == 3)
        }
    }

    /// An open breaker sends nothing to the host for its pause; pages of the host wait for it
    /// rather than fail unasked, and no page gets more than `maxAttempts` requests.
    @Test func circuitBreakerPausesFailingHostAndPagesWaitForIt() async throws {
        try await withFetcher({ $0.circuitBreakerThreshold = 2; $0.maxAttempts = 2; $0.circuitBreakerPause = .milliseconds(300) }) { server, fetcher in
            server.route("/flaky") { _, _ in .response(status: 500) }
            server.serve("/ok", body: "<p>ok</p>")
            await expectFailure({ $0 == .httpStatus(500, retryAfterSeconds: nil) }) { try await fetcher.fetch(server.url("/flaky")) }
            #expect(server.requests(to: "/flaky").count == 2)
            // The breaker is open now: the healthy page waits out the pause, then is fetched.
            #expect(try await fetcher.fetch(server.url("/ok")).page.status == 200)
            let lastFailure = try #require(server.requests(to: "/flaky").last)
            let ok = try #require(server.requests(to: "/ok").first)
            #expect(ok.receivedAt - lastFailure.receivedAt >= .milliseconds(250), "a request reached the host while it was paused")
            // Still failing: half-open attempts re-open the breaker; requests stay bounded.
            await expectFailure({ $0 == .httpStatus(500, retryAfterSeconds: nil) }) { try await fetcher.fetch(server.url("/flaky")) }
            #expect(server.requests(to: "/flaky").count == 4)
        }
    }

    @Test func followsRedirectChainAndRecordsFinalURL() async throws {
        try await withFetcher { server, fetcher in
            let target = server.url("/b")
            server.route("/a") { _, _ in .response(status: 301, headers: [("Location", target)]) }
            server.route("/b") { _, _ in .response(status: 302, headers: [("Location", "c?x=1")]) }
            server.serve("/c?x=1", body: "<p>end</p>")
            let outcome = try await fetcher.fetch(server.url("/a"))
            #expect(outcome.page.status == 200)
            #expect(outcome.page.finalURL == server.url("/c?x=1"))
            #expect(outcome.page.requestedURL == server.url("/a"))
            #expect(outcome.page.redirectCount == 2)
        }
    }

    @Test func detectsRedirectLoop() async throws {
        try await withFetcher { server, fetcher in
            server.route("/x") { _, _ in .response(status: 302, headers: [("Location", "/y")]) }
            server.route("/y") { _, _ in .response(status: 302, headers: [("Location", "/x")]) }
            await expectFailure({ if case .redirectLoop = $0 { return true } else { return false } }) {
                try await fetcher.fetch(server.url("/x"))
            }
            #expect(server.requests(to: "/x").count == 1)
        }
    }

    @Test func stopsAfterRedirectLimit() async throws {
        try await withFetcher({ $0.maxRedirects = 3 }) { server, fetcher in
            for step in 1...10 {
                server.route("/r\(step)") { _, _ in .response(status: 307, headers: [("Location", "/r\(step + 1)")]) }
            }
            await expectFailure({ $0 == .tooManyRedirects(limit: 3) }) { try await fetcher.fetch(server.url("/r1")) }
        }
    }

    @Test func refusesRedirectToOtherScheme() async throws {
        try await withFetcher { server, fetcher in
            server.route("/to-file") { _, _ in .response(status: 302, headers: [("Location", "file:///etc/passwd")]) }
            await expectFailure({ if case .badRedirect = $0 { return true } else { return false } }) {
                try await fetcher.fetch(server.url("/to-file"))
            }
        }
    }

    @Test func stallingServerTimesOut() async throws {
        try await withFetcher({ $0.maxAttempts = 1 }) { server, fetcher in
            server.route("/stall") { _, _ in .stall(declaredLength: 100_000, sentPrefix: Array("<html>".utf8), seconds: 10) }
            await expectFailure({ if case .timedOut = $0 { return $0.isRetryable } else { return false } }) {
                try await fetcher.fetch(server.url("/stall"))
            }
            try await expectHealthy(server, fetcher)
        }
    }

    @Test func connectionResetMidBodyFails() async throws {
        try await withFetcher({ $0.maxAttempts = 1 }) { server, fetcher in
            server.route("/reset") { _, _ in .reset(declaredLength: 50_000, sentPrefix: Array(repeating: UInt8(ascii: "a"), count: 1000)) }
            await expectFailure({ if case .connectionFailed = $0 { return $0.isRetryable } else { return false } }) {
                try await fetcher.fetch(server.url("/reset"))
            }
            try await expectHealthy(server, fetcher)
        }
    }

    @Test func refusesDeclaredOversizedBody() async throws {
        try await withFetcher({ $0.maxBodyBytes = 64 * 1024 }) { server, fetcher in
            let big = [UInt8](repeating: UInt8(ascii: "x"), count: 256 * 1024)
            server.route("/big") { _, _ in .response(status: 200, body: big) }
            await expectFailure({ $0 == .bodyTooLarge(limit: 64 * 1024) && !$0.isRetryable }) {
                try await fetcher.fetch(server.url("/big"))
            }
            try await expectHealthy(server, fetcher)
        }
    }

    @Test func cutsOffUndeclaredOversizedBody() async throws {
        try await withFetcher({ $0.maxBodyBytes = 64 * 1024 }) { server, fetcher in
            let big = [UInt8](repeating: UInt8(ascii: "x"), count: 512 * 1024)
            server.route("/stream") { _, _ in .closeDelimited(headers: [("Content-Type", "text/html")], body: big) }
            await expectFailure({ error in
                // Whichever counter trips first: bytes on the wire or bytes written.
                error == .bodyTooLarge(limit: 64 * 1024) || error == .decompressedBodyTooLarge(limit: 16 << 20)
            }) {
                try await fetcher.fetch(server.url("/stream"))
            }
            try await expectHealthy(server, fetcher)
        }
    }

    @Test func cutsOffGzipBomb() async throws {
        try await withFetcher({ $0.maxDecompressedBytes = 1 << 20; $0.maxBodyBytes = 8 << 20 }) { server, fetcher in
            let bomb = GzipBomb.oneGiBOfZeros
            server.route("/bomb") { _, _ in
                .response(status: 200, headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], body: bomb)
            }
            await expectFailure({ $0 == .decompressedBodyTooLarge(limit: 1 << 20) && !$0.isRetryable }) {
                try await fetcher.fetch(server.url("/bomb"))
            }
            try await expectHealthy(server, fetcher)
        }
    }

    @Test func obeysRobotsDisallow() async throws {
        try await withFetcher { server, fetcher in
            server.serve("/robots.txt", body: """
                User-agent: otherbot
                Disallow: /

                User-agent: *
                Disallow: /private
                Allow: /private/open$
                """, headers: [("Content-Type", "text/plain")])
            server.serve("/public", body: "<p>public</p>")
            server.serve("/private/open", body: "<p>open</p>")
            await expectFailure({ if case .disallowedByRobots = $0 { return !$0.isRetryable } else { return false } }) {
                try await fetcher.fetch(server.url("/private/secret"))
            }
            #expect(server.requests(to: "/private/secret").isEmpty)
            let publicPage = try await fetcher.fetch(server.url("/public")).page
            let openPage = try await fetcher.fetch(server.url("/private/open")).page
            #expect(publicPage.status == 200)
            #expect(openPage.status == 200)
            // Fetched once, then cached.
            #expect(server.requests(to: "/robots.txt").count == 1)
        }
    }

    @Test func honorsCrawlDelay() async throws {
        try await withFetcher { server, fetcher in
            server.serve("/robots.txt", body: "User-agent: khabar-test\nCrawl-delay: 0.3\n", headers: [("Content-Type", "text/plain")])
            server.serve("/one", body: "1")
            server.serve("/two", body: "2")
            _ = try await fetcher.fetch(server.url("/one"))
            _ = try await fetcher.fetch(server.url("/two"))
            let one = try #require(server.requests(to: "/one").first)
            let two = try #require(server.requests(to: "/two").first)
            // A lower bound only (the gate sleeps at least this long): cannot flake.
            #expect(two.receivedAt - one.receivedAt >= .milliseconds(290))
        }
    }

    @Test func unavailableRobotsMeansTryLater() async throws {
        try await withFetcher { server, fetcher in
            server.route("/robots.txt") { _, _ in .response(status: 503) }
            server.serve("/page", body: "<p>x</p>")
            await expectFailure({ if case .robotsUnavailable = $0 { return $0.isRetryable } else { return false } }) {
                try await fetcher.fetch(server.url("/page"))
            }
            #expect(server.requests(to: "/page").isEmpty)
        }
    }

    @Test func refusesLoopbackWhenNotAllowed() async throws {
        try await withFetcher({ $0.allowedNetworks = [] }) { server, fetcher in
            server.serve("/page", body: "<p>x</p>")
            for url in [server.url("/page"), server.url("/page", host: "localhost"), server.url("/page", host: "[::ffff:127.0.0.1]")] {
                await expectFailure({ if case .addressRefused = $0 { return !$0.isRetryable } else { return false } }) {
                    try await fetcher.fetch(url)
                }
            }
            // Refused before any packet: not even robots.txt was asked.
            #expect(server.requests().isEmpty)
        }
    }

    @Test func refusesRedirectToDisallowedAddress() async throws {
        try await withFetcher({ $0.allowedNetworks = ["127.0.0.1/32"] }) { server, fetcher in
            let elsewhere = server.url("/page", host: "127.0.0.2")
            server.route("/hop") { _, _ in .response(status: 302, headers: [("Location", elsewhere)]) }
            await expectFailure({ if case .addressRefused(_, "127.0.0.2") = $0 { return true } else { return false } }) {
                try await fetcher.fetch(server.url("/hop"))
            }
        }
    }

    @Test func refusesNonHTTPSchemes() async throws {
        try await withFetcher { _, fetcher in
            await expectFailure({ $0 == .unsupportedScheme("file") }) { try await fetcher.fetch("file:///etc/passwd") }
            await expectFailure({ $0 == .unsupportedScheme("ftp") }) { try await fetcher.fetch("ftp://127.0.0.1/x") }
        }
    }

    @Test func cancellationRemovesTransferInFlight() async throws {
        try await withFetcher { server, fetcher in
            server.route("/slow") { _, _ in .stall(declaredLength: 100_000, sentPrefix: [], seconds: 10) }
            let task = Task { try await fetcher.fetch(server.url("/slow")) }
            // Cancel once the request is on the wire, not before.
            while server.requests(to: "/slow").isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            task.cancel()
            let result = await task.result
            #expect(throws: CancellationError.self) { try result.get() }
            try await expectHealthy(server, fetcher)
        }
    }

    @Test func cancellationWhileQueuedForPoliteness() async throws {
        // Far longer than the test can be delayed under load (the whole suite under
        // ThreadSanitizer starved the task for over 30 s, and the gate opened before the cancel).
        try await withFetcher({ $0.minimumDelayPerHost = .seconds(600); $0.obeysRobotsTxt = false }) { server, fetcher in
            server.serve("/first", body: "1")
            _ = try await fetcher.fetch(server.url("/first"))
            // The next start on this host is 600 s away: the fetch waits in the gate.
            let task = Task { try await fetcher.fetch(server.url("/second")) }
            try await Task.sleep(for: .milliseconds(50))
            task.cancel()
            let result = await task.result
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(server.requests(to: "/second").isEmpty)
        }
    }

    @Test func shutdownFailsLaterFetches() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let fetcher = try CurlFetcher(configuration: Self.configuration())
        fetcher.shutdown()
        fetcher.shutdown()
        await expectFailure({ $0 == .shutDown }) { try await fetcher.fetch(server.url("/x")) }
    }
}

/// A gzip stream that inflates to 1 GiB of zeros but is only ~1 MB: the gzip header, then
/// 1024 copies of one raw-deflate block sequence that zlib (level 9) emits for 1 MiB of
/// zeros followed by Z_FULL_FLUSH (which resets the window, so every copy decodes alike).
/// No trailer: the client must give up long before the end.
enum GzipBomb {
    static let oneGiBOfZeros: [UInt8] = {
        let header: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]
        let mebibyteOfZeros: [UInt8] = [0xEC, 0xC1, 0x31, 0x01, 0x00, 0x00, 0x00, 0xC2, 0xA0, 0xF5, 0x4F, 0x6D, 0x08, 0x5F, 0xA0]
            + [UInt8](repeating: 0, count: 1016) + [0x3E, 0x03, 0x00, 0x00, 0xFF, 0xFF]
        var bytes = header
        bytes.reserveCapacity(header.count + 1024 * mebibyteOfZeros.count)
        for _ in 0..<1024 { bytes += mebibyteOfZeros }
        return bytes
    }()
}
