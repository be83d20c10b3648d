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

    /// The reservations themselves, on the server's clock: whatever the load on this machine,
    /// no two starts on a host are closer than the spacing, across holders and slots.
    @Test func reservedStartsAreSpacedAcrossProcesses() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let slots = try (0..<2).map { number -> SharedHostSlots in
            let member = ClusterMember(store: try PostgresStateStore(location: location, instance: "p\(number)"))
            try member.beat()
            return SharedHostSlots(member: member, perHost: 16)
        }
        let starts = try await withThrowingTaskGroup(of: Date?.self) { group in
            for n in 0..<12 {
                group.addTask {
                    let taken = try await slots[n % 2].reserve(host: "site.example", spacing: .milliseconds(300))
                    slots[n % 2].release(host: "site.example", slot: taken.slot)
                    return taken.start
                }
            }
            return try await group.reduce(into: [Date]()) { $0.append(try #require($1)) }
        }.sorted()
        let gaps = zip(starts.dropFirst(), starts).map { $0.timeIntervalSince($1) }
        #expect(gaps.allSatisfy { $0 >= 0.3 - 1e-6 }, "gaps: \(gaps)")
        // Another host is paced on its own; no spacing reserves nothing.
        #expect(try await slots[0].reserve(host: "other.example", spacing: .milliseconds(300)).wait == .zero)
        #expect(try await slots[0].reserve(host: "site.example", spacing: .zero).start == nil)
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
        // Seven delays between the first and the last request. Alone, each fetcher would
        // space only its own four (three delays); gaps between single arrivals are not
        // checked here, since a loaded machine (tests run in parallel on two cores) can send
        // one request late and the next on time: `reservedStartsAreSpacedAcrossProcesses`
        // checks the spacing itself.
        #expect(arrivals.last! - arrivals.first! >= Self.spacing * 6, "arrivals: \(arrivals)")
    }
}
