import Foundation
import Synchronization
import Testing
@testable import KhabarCore

/// The robots.txt cache and the circuit breaker, held across processes sharing a PostgreSQL
/// state: two fetchers, each with its own store and heartbeat as two processes would have, on
/// one database and one local site. Alone, each would fetch robots.txt itself and pause a
/// failing host only for itself.
@Suite(.enabled(if: PostgresTestServer.isInstalled, "PostgreSQL is not installed: run scripts/setup.sh"))
struct SharedHostPolitenessTests {
    /// One process's view of the shared state.
    private struct Process {
        let store: PostgresStateStore
        let member: ClusterMember
        let robotsTxt: CountingRobotsTxtStore
        let pauses: SharedHostBreakers

        init(_ location: PostgresLocation, instance: String) throws {
            store = try PostgresStateStore(location: location, instance: instance)
            member = ClusterMember(store: store)
            try member.beat()
            robotsTxt = CountingRobotsTxtStore(SharedRobotsTxtCache(member: member))
            pauses = SharedHostBreakers(member: member)
        }

        func fetcher(_ adjust: (inout FetchConfiguration) -> Void = { _ in }) throws -> CurlFetcher {
            var configuration = FetchConfiguration()
            configuration.refusesInternalAddresses = false
            configuration.minimumDelayPerHost = .zero
            adjust(&configuration)
            return try CurlFetcher(
                configuration: configuration, sharedHostLimit: SharedHostSlots(member: member, perHost: configuration.perHostConcurrency),
                sharedRobotsTxt: robotsTxt, sharedHostPauses: pauses)
        }
    }

    @Test func robotsTxtFetchedByOneProcessIsUsedByTheOthersUntilItExpires() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.serve("/robots.txt", body: "User-agent: *\nDisallow: /private\n", headers: [("Content-Type", "text/plain")])
        for path in ["/a", "/b", "/c", "/d", "/private/x"] { server.serve(path, body: "<p>\(path)</p>") }
        let first = try Process(location, instance: "p0")
        let second = try Process(location, instance: "p1")
        let fetchers = try [first.fetcher(), second.fetcher()]
        defer { fetchers.forEach { $0.shutdown() } }

        _ = try await fetchers[0].fetch(server.url("/a"), conditional: false)
        for path in ["/b", "/c", "/d"] { _ = try await fetchers[1].fetch(server.url(path), conditional: false) }
        // The second process goes by the file the first one fetched.
        await #expect(throws: FetchError.disallowedByRobots(url: server.url("/private/x"))) {
            _ = try await fetchers[1].fetch(server.url("/private/x"), conditional: false)
        }
        #expect(server.requests(to: "/robots.txt").count == 1)
        #expect(server.requests(to: "/private/x").isEmpty)
        // Its own cache stands in front: the shared table was asked once, not per page.
        #expect(second.robotsTxt.lookups.load(ordering: .relaxed) == 1)

        let lookup = try await second.robotsTxt.lookUpRobotsTxt(origin: "http://127.0.0.1:\(server.port)", host: "127.0.0.1:\(server.port)", claimFor: .seconds(1))
        guard case .stored(let stored) = lookup else { Issue.record("\(lookup)"); return }
        #expect(stored.answer == .body(Array("User-agent: *\nDisallow: /private\n".utf8)))
        #expect(stored.remaining > .seconds(23 * 3600) && stored.remaining <= .seconds(24 * 3600))

        // Once it has expired, the next process without a copy of its own fetches it again.
        try PostgresTestServer.start().execute("UPDATE robots_txt SET expires_at = now() - interval '1 second'", in: location)
        let third = try Process(location, instance: "p2").fetcher()
        defer { third.shutdown() }
        _ = try await third.fetch(server.url("/a"), conditional: false)
        #expect(server.requests(to: "/robots.txt").count == 2)
    }

    /// Processes that miss robots.txt at the same moment (started together, or their copies
    /// expired together) ask the site once: one claims the fetch, the others wait for it.
    @Test func processesMissingRobotsTxtTogetherAskTheSiteOnce() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.route("/robots.txt") { _, _ in
            Thread.sleep(forTimeInterval: 0.3)  // long enough for every process to miss it
            return .response(status: 200, headers: [("Content-Type", "text/plain")], body: Array("User-agent: *\nDisallow: /private\n".utf8))
        }
        for n in 0..<6 { server.serve("/\(n)", body: "<p>\(n)</p>") }
        let fetchers = try (0..<3).map { try Process(location, instance: "p\($0)").fetcher() }
        defer { fetchers.forEach { $0.shutdown() } }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<6 {
                let fetcher = fetchers[n % 3]
                group.addTask { _ = try await fetcher.fetch(server.url("/\(n)"), conditional: false) }
            }
            try await group.waitForAll()
        }
        #expect(server.requests(to: "/robots.txt").count == 1)
        #expect(server.requests().count == 7)
    }

    @Test func unavailableRobotsTxtIsSharedToo() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.route("/robots.txt") { _, _ in .response(status: 503) }
        server.serve("/a", body: "<p>a</p>")
        let fetchers = try (0..<2).map { try Process(location, instance: "p\($0)").fetcher() }
        defer { fetchers.forEach { $0.shutdown() } }

        for fetcher in fetchers {
            await #expect(throws: FetchError.robotsUnavailable(host: "127.0.0.1")) {
                _ = try await fetcher.fetch(server.url("/a"), conditional: false)
            }
        }
        #expect(server.requests(to: "/robots.txt").count == 1)
        #expect(server.requests(to: "/a").isEmpty)
    }

    @Test func hostPausedByOneProcessIsLeftAloneByTheOther() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.route("/fail") { _, _ in .response(status: 503) }
        server.serve("/ok", body: "<p>ok</p>")
        let pause = Duration.seconds(2)
        let failing = try Process(location, instance: "p0").fetcher {
            $0.obeysRobotsTxt = false
            $0.maxAttempts = 2
            $0.circuitBreakerThreshold = 2
            $0.circuitBreakerPause = pause
            $0.retryBaseDelay = .milliseconds(10)
        }
        let other = try Process(location, instance: "p1").fetcher { $0.obeysRobotsTxt = false }
        defer { [failing, other].forEach { $0.shutdown() } }

        await #expect(throws: FetchError.httpStatus(503, retryAfterSeconds: nil)) {
            _ = try await failing.fetch(server.url("/fail"), conditional: false)
        }
        let host = try #require(try ClusterStatus.read(try PostgresStateStore(location: location, instance: "status")).hosts.first)
        #expect(host.host == "127.0.0.1:\(server.port)")
        #expect(host.pauseReason == FetchError.httpStatus(503, retryAfterSeconds: nil).description)
        #expect(host.pausedUntil != nil)

        // The other process has had no failure of its own, yet waits out the pause.
        _ = try await other.fetch(server.url("/ok"), conditional: false)
        let lastFailure = try #require(server.requests(to: "/fail").map(\.receivedAt).max())
        let ok = try #require(server.requests(to: "/ok").first?.receivedAt)
        #expect(server.requests(to: "/fail").count == 2)
        #expect(ok - lastFailure >= pause - .milliseconds(50), "sent \(ok - lastFailure) after the last failure")
    }

    @Test func statusShowsEachHostsPoliteness() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let process = try Process(location, instance: "p0")
        let slots = SharedHostSlots(member: process.member, perHost: 2)
        _ = try await slots.reserve(host: "site.example:443", spacing: .seconds(30))
        _ = try await slots.reserve(host: "site.example:443", spacing: .seconds(30))
        try await process.pauses.pause(host: "site.example:443", for: .seconds(40), reason: "HTTP 503")
        try await process.robotsTxt.storeRobotsTxt(.allowAll, origin: "https://site.example:443", host: "site.example:443", lifetime: .seconds(3600))
        // A pause that ran out and pacing in the past show nothing.
        try await process.pauses.pause(host: "quiet.example:80", for: .seconds(40), reason: "timed out")
        try PostgresTestServer.start().execute("UPDATE host_pauses SET paused_until = now() - interval '1 second' WHERE host = 'quiet.example:80'", in: location)

        let status = try ClusterStatus.read(process.store)
        #expect(status.hosts.map(\.host) == ["quiet.example:80", "site.example:443"])
        let quiet = status.hosts[0], site = status.hosts[1]
        #expect(quiet.pausedUntil == nil && quiet.nextStartAt == nil && quiet.robotsTxtUntil == nil)
        #expect(site.slotsTaken == 2 && site.slots == 2)
        // The second reservation starts 30 s after the first; the next one 30 s after that.
        let nextStart = try #require(site.nextStartAt).timeIntervalSince(status.readAt)
        #expect(nextStart > 55 && nextStart <= 60)
        let paused = try #require(site.pausedUntil).timeIntervalSince(status.readAt)
        #expect(paused > 35 && paused <= 40)
        #expect(site.pauseReason == "HTTP 503")
        let robots = try #require(site.robotsTxtUntil).timeIntervalSince(status.readAt)
        #expect(robots > 3500 && robots <= 3600)

        let report = status.report
        #expect(report.contains("site.example:443: 2 of 2 slots in use; next start at "), "\(report)")
        #expect(report.contains("paused until ") && report.contains("after HTTP 503") && report.contains("robots.txt cached until "), "\(report)")
        #expect(!report.contains("quiet.example"), "\(report)")
    }
}

/// The real shared store, counting how often the fetcher asks it.
private final class CountingRobotsTxtStore: SharedRobotsTxtStore {
    let wrapped: SharedRobotsTxtCache
    let lookups = Atomic<Int>(0)

    init(_ wrapped: SharedRobotsTxtCache) {
        self.wrapped = wrapped
    }

    func lookUpRobotsTxt(origin: String, host: String, claimFor: Duration) async throws -> SharedRobotsTxtLookup {
        lookups.add(1, ordering: .relaxed)
        return try await wrapped.lookUpRobotsTxt(origin: origin, host: host, claimFor: claimFor)
    }

    func releaseRobotsTxtClaim(origin: String) async throws {
        try await wrapped.releaseRobotsTxtClaim(origin: origin)
    }

    func storeRobotsTxt(_ answer: SharedRobotsTxt.Answer, origin: String, host: String, lifetime: Duration) async throws {
        try await wrapped.storeRobotsTxt(answer, origin: origin, host: host, lifetime: lifetime)
    }
}
