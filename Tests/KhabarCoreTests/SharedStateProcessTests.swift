import Foundation
import Testing
@testable import KhabarCore
#if canImport(Glibc)
import Glibc
#endif

/// Several `khabar backfill` processes sharing one PostgreSQL state, as a team past one machine
/// runs them: one is killed with SIGKILL midway, and still every article ends up exported
/// exactly once across their output directories, no article is fetched twice except those the
/// killed process had claimed, and the site never sees more requests at once than the per-host
/// limit they share.
@Suite(.serialized) struct SharedStateProcessTests {
    static let pageCount = 2_000
    static let perHostConcurrency = 4

    /// A site of `pageCount` distinct articles listed in one sitemap. Pages take a few
    /// milliseconds to answer, so that requests overlap and the concurrency limit is tested.
    static func makeSite(pages pageCount: Int = pageCount) throws -> TestHTTPServer {
        let server = try TestHTTPServer()
        let template = try String(
            contentsOf: GoldenExtractionTests.goldenDirectory.appendingPathComponent(GoldenExtractionTests.pageNames.first { !$0.contains("windows-1256") }! + ".html"),
            encoding: .utf8)
        var locs = ""
        for number in 0..<pageCount {
            let path = "/news/\(number).html"
            var page = template.replacingOccurrences(
                of: "<p>", with: "<p>هذا هو التقرير رقم \(number) من سلسلة التقارير الخاصة بالاختبار. ", options: [], range: template.range(of: "<p>"))
            if let existing = page.range(of: #"<link rel="canonical"[^>]*>"#, options: .regularExpression) { page.removeSubrange(existing) }
            let body = Array(page.utf8)
            server.route(path) { _, _ in
                usleep(3_000)
                return .response(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: body)
            }
            locs += "<url><loc>\(server.url(path))</loc></url>"
        }
        server.serve("/sitemap.xml", body: "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\(locs)</urlset>",
                     headers: [("Content-Type", "application/xml")])
        server.serve("/robots.txt", body: "User-agent: *\nAllow: /\n", headers: [("Content-Type", "text/plain")])
        return server
    }

    /// Starts `count` `khabar backfill` processes on the site's sitemap sharing `state`; process
    /// `n` is instance `p<n>` and writes into `directory/out-<n>`.
    static func startBackfills(
        _ count: Int, site server: TestHTTPServer, state: String, directory: URL, lease: Int
    ) throws -> [Process] {
        try (0..<count).map { number -> Process in
            let log = directory.appendingPathComponent("p\(number).log").path
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            return try DaemonProcessTests.launch([
                "backfill", "--sitemap", server.url("/sitemap.xml"), "--state", state, "--instance", "p\(number)",
                "--out", directory.appendingPathComponent("out-\(number)").path, "--allow-private",
                "--per-host-concurrency", "\(perHostConcurrency)", "--min-delay", "0", "--lease", "\(lease)",
            ], standardError: try #require(FileHandle(forWritingAtPath: log)))
        }
    }

    /// Polls `condition`, sleeping this thread between polls. Not `Task.sleep`: its wake-up
    /// waits for a free thread of the cooperative pool, which CPU-bound tests running alongside
    /// can hold for tens of seconds, and a kill meant for midway would land after the work ends.
    static func waitHoldingThisThread(seconds: Double, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else {
                Issue.record("condition not met within \(seconds) s")
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The end of what backfill process `number` wrote to standard error, for failure messages.
    static func logTail(_ directory: URL, process number: Int) -> String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("p\(number).log"), encoding: .utf8)) ?? ""
        return "p\(number): " + text.split(separator: "\n").suffix(8).joined(separator: "\n")
    }

    /// The canonical URL of every record in the finished files of `directory/out-0…count-1`.
    static func exportedCanonicalURLs(_ directory: URL, processes count: Int) throws -> [String] {
        var exported: [String] = []
        for number in 0..<count {
            let out = directory.appendingPathComponent("out-\(number)")
            for name in try FileManager.default.contentsOfDirectory(atPath: out.path) where name.hasSuffix(".jsonl") {
                for line in try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8).split(separator: "\n") {
                    let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    exported.append(try #require(record["canonical_url"] as? String))
                }
            }
        }
        return exported
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: DaemonProcessTests.binary.path), "build the khabar product first (swift build)"),
          .enabled(if: PostgresTestServer.isInstalled, "PostgreSQL is not installed: run scripts/setup.sh"))
    func threeBackfillsShareTheWorkAndSurviveOneBeingKilled() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let server = try Self.makeSite()
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-shared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = "postgresql://\(location.username)@\(location.host):\(location.port)/\(location.database)"

        let processes = try Self.startBackfills(3, site: server, state: state, directory: directory, lease: 2)
        defer { for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // Midway: a fifth of the articles fetched.
        func articleRequests() -> [TestHTTPServer.Request] { server.requests().filter { $0.path.hasPrefix("/news/") } }
        Self.waitHoldingThisThread(seconds: 120) { articleRequests().count >= Self.pageCount / 5 }
        kill(processes[0].processIdentifier, SIGKILL)
        try await DaemonProcessTests.waitUntil(seconds: 300) { !processes[1].isRunning && !processes[2].isRunning }
        processes[0].waitUntilExit()
        #expect(processes[0].terminationReason == .uncaughtSignal, "\(Self.logTail(directory, process: 0))")
        #expect(processes[1].terminationStatus == 0 && processes[2].terminationStatus == 0,
                "\(Self.logTail(directory, process: 1))\n\(Self.logTail(directory, process: 2))")

        // Exactly once across the three output directories.
        let exported = try Self.exportedCanonicalURLs(directory, processes: 3)
        let expected = Set((0..<Self.pageCount).map { server.url("/news/\($0).html") })
        #expect(exported.count == Self.pageCount)
        #expect(Set(exported) == expected)

        // Fetched twice: only articles whose claim was taken over from the killed process.
        let store = try PostgresStateStore(location: location, instance: "check")
        let frontier = SharedFrontier(member: ClusterMember(store: store))
        let reclaimed = try frontier.claimedMoreThanOnce()
        var fetches: [String: Int] = [:]
        for request in articleRequests() { fetches[server.url(request.path), default: 0] += 1 }
        let fetchedAgain = Set(fetches.filter { $0.value > 1 }.keys)
        #expect(fetchedAgain.isSubset(of: reclaimed), "fetched twice without a reclaimed claim: \(fetchedAgain.subtracting(reclaimed).sorted().prefix(5))")
        #expect(!reclaimed.isEmpty, "the killed process held claims that the others took over")
        #expect(try ClusterStatus.read(store).frontier == ["done": Self.pageCount])

        #expect(server.peakConcurrentRequests <= Self.perHostConcurrency)
        // Every process wrote its files into the shared list.
        #expect(Set(try store.allFinishedFiles().map(\.instance)).isSuperset(of: ["p1", "p2"]))

        // `khabar status` tells the same story.
        let status = Process()
        status.executableURL = DaemonProcessTests.binary
        status.arguments = ["status", "--state", state]
        let output = Pipe()
        status.standardOutput = output
        try status.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        status.waitUntilExit()
        #expect(status.terminationStatus == 0)
        #expect(report.contains("daemons alive: 0"), "\(report)")
        #expect(report.contains("frontier: \(Self.pageCount) URLs — 0 waiting, 0 claimed"), "\(report)")
        #expect(report.contains("exports: \(Self.pageCount) records"), "\(report)")
    }

    /// Backfills that run out of work together do not wait for each other. Each keeps the
    /// claims of what it exported until the file holding it is committed; when that was only
    /// at exit, each waited a whole lease for the other's claims before exiting. The lease here
    /// is far longer than the work, so a wait for it shows.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: DaemonProcessTests.binary.path), "build the khabar product first (swift build)"),
          .enabled(if: PostgresTestServer.isInstalled, "PostgreSQL is not installed: run scripts/setup.sh"))
    func backfillsRunningOutOfWorkTogetherDoNotWaitALeaseForEachOther() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let pages = 200
        let server = try Self.makeSite(pages: pages)
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-shared-end-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = "postgresql://\(location.username)@\(location.host):\(location.port)/\(location.database)"
        let lease = 600

        let started = ContinuousClock.now
        let processes = try Self.startBackfills(2, site: server, state: state, directory: directory, lease: lease)
        defer { for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await DaemonProcessTests.waitUntil(seconds: Double(lease) / 3) { processes.allSatisfy { !$0.isRunning } }
        #expect(ContinuousClock.now - started < .seconds(lease / 3), "a backfill waited for the other's claims")
        #expect(processes.allSatisfy { !$0.isRunning && $0.terminationStatus == 0 },
                "\(Self.logTail(directory, process: 0))\n\(Self.logTail(directory, process: 1))")

        let exported = try Self.exportedCanonicalURLs(directory, processes: 2)
        #expect(exported.count == pages)
        #expect(Set(exported) == Set((0..<pages).map { server.url("/news/\($0).html") }))
    }

    /// Two `khabar run` daemons on one shared state: each source is polled by one of them, and
    /// when that one is killed the other takes its sources within one lease.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: DaemonProcessTests.binary.path), "build the khabar product first (swift build)"),
          .enabled(if: PostgresTestServer.isInstalled, "PostgreSQL is not installed: run scripts/setup.sh"))
    func twoDaemonsPollEachSourceOnceAndOneTakesOverWhenTheOtherDies() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let (server, _) = try BackfillEndToEndTests.makeSite()
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-shared-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let lease = 3.0
        let feeds = ["/feed.xml", "/atom.xml", "/sitemap.xml"]

        func start(_ name: String) throws -> Process {
            let config = directory.appendingPathComponent("\(name).yaml").path
            try """
                state: "postgresql://\(location.username)@\(location.host):\(location.port)/\(location.database)"
                instance: \(name)
                lease: \(Int(lease))s
                output: {directory: \(directory.path)/out-\(name), rotate_after: 1s}
                fetch: {allow_private: true, per_host_concurrency: 4, min_delay: 0s, user_agent: "khabar-test-\(name)"}
                http: {listen: "127.0.0.1:0"}
                log: {level: warning}
                sources:
                  - {name: rss, feed: "\(server.url("/feed.xml"))", interval: 1s}
                  - {name: atom, feed: "\(server.url("/atom.xml"))", interval: 1s}
                  - {name: map, sitemap: "\(server.url("/sitemap.xml"))", interval: 1s}

                """.write(toFile: config, atomically: true, encoding: .utf8)
            return try DaemonProcessTests.launch(["run", "--config", config])
        }
        func polls(by name: String, since: ContinuousClock.Instant = .now - .seconds(3600)) -> [String: Int] {
            var counts: [String: Int] = [:]
            for request in server.requests() where feeds.contains(request.path) && request.receivedAt >= since
                && request.headers["user-agent"]?.contains("khabar-test-\(name)") == true {
                counts[request.path, default: 0] += 1
            }
            return counts
        }

        let first = try start("a")
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        try await DaemonProcessTests.waitUntil(seconds: 30) { Set(polls(by: "a").keys) == Set(feeds) }
        let second = try start("b")
        defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
        // Both running: the first keeps polling every source, the second polls none.
        let bothRunning = ContinuousClock.now
        try await Task.sleep(for: .seconds(6))
        #expect(polls(by: "b").isEmpty, "the second daemon polled sources the first owns: \(polls(by: "b"))")
        #expect(Set(polls(by: "a", since: bothRunning + .seconds(2)).keys) == Set(feeds), "the first daemon kept polling")

        kill(first.processIdentifier, SIGKILL)
        let killed = ContinuousClock.now
        try await DaemonProcessTests.waitUntil(seconds: 30) { Set(polls(by: "b").keys) == Set(feeds) }
        let takeover = ContinuousClock.now - killed
        #expect(takeover <= .seconds(lease + 2), "took \(takeover) to take over with a \(lease) s lease")

        kill(second.processIdentifier, SIGTERM)
        try await DaemonProcessTests.waitUntil(seconds: 30) { !second.isRunning }
        #expect(second.terminationStatus == 0)
    }
}
