import Foundation
import Testing
@testable import KhabarCore

/// The minimum delay between two requests to one host, held across processes sharing a
/// PostgreSQL state: two fetchers, each with its own store and heartbeat as two processes
/// would have, fetch from one local site at once, and the site never sees two requests
/// closer than the delay. Each fetcher alone would only space its own requests.
@Suite struct SharedHostPacingTests {
    private static let spacing = Duration.milliseconds(250)

    private func fetcher(_ location: PostgresLocation, instance: String, perHost: Int) throws -> CurlFetcher {
        let store = try PostgresStateStore(location: location, instance: instance)
        let member = ClusterMember(store: store)
        try member.beat()
        var configuration = FetchConfiguration()
        configuration.refusesInternalAddresses = false
        configuration.obeysRobotsTxt = false
        configuration.perHostConcurrency = perHost
        configuration.minimumDelayPerHost = Self.spacing
        return try CurlFetcher(configuration: configuration, sharedHostLimit: SharedHostSlots(member: member, perHost: perHost))
    }

    @Test(.enabled(if: PostgresTestServer.isInstalled, "PostgreSQL is not installed: run scripts/setup.sh"))
    func twoProcessesTogetherKeepTheHostsMinimumDelay() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let server = try TestHTTPServer()
        defer { server.stop() }
        for n in 0..<8 { server.serve("/\(n)", body: "<p>\(n)</p>") }
        let fetchers = try (0..<2).map { try fetcher(location, instance: "p\($0)", perHost: 2) }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<8 {
                let fetcher = fetchers[n % 2]
                group.addTask { _ = try await fetcher.fetch(server.url("/\(n)"), conditional: false) }
            }
            try await group.waitForAll()
        }
        fetchers.forEach { $0.shutdown() }

        let arrivals = server.requests().map(\.receivedAt).sorted()
        #expect(arrivals.count == 8)
        let gaps = zip(arrivals.dropFirst(), arrivals).map { $0 - $1 }
        // Under the delay by a margin: a reservation fixes when a request may start, and a
        // loaded machine (tests run in parallel on two cores) can send one a little late and
        // the next on time. Unshared, the two fetchers' first requests arrive together.
        #expect(gaps.allSatisfy { $0 >= Self.spacing - .milliseconds(100) }, "gaps: \(gaps)")
        #expect(arrivals.last! - arrivals.first! >= Self.spacing * 7 - .milliseconds(100))
    }
}
