import Foundation
import Testing
@testable import KhabarCore
#if canImport(Glibc)
import Glibc
#endif

/// `khabar run` as a process: it watches a local site, takes a new source on SIGHUP and drains
/// on SIGTERM, exiting 0 with everything it found in finished files.
@Suite(.serialized) struct DaemonProcessTests {
    /// The `khabar` built with these tests: `$KHABAR_BINARY`, else the one beside the test
    /// executable (so that a build with `--scratch-path`, such as the sanitizer builds of
    /// scripts/sanitize.sh, runs its own), else `.build/debug/khabar`.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["KHABAR_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let beside = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("khabar")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/khabar")
    }()

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary.path), "build the khabar product first (swift build)"))
    func reloadsOnSIGHUPAndDrainsOnSIGTERM() async throws {
        let (server, articles) = try BackfillEndToEndTests.makeSite()
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configPath = directory.appendingPathComponent("khabar.yaml").path
        func writeConfig(withSitemap: Bool) throws {
            var yaml = """
                state: \(directory.path)/state
                output: {directory: \(directory.path)/out, rotate_after: 1s}
                fetch: {allow_private: true, per_host_concurrency: 4, min_delay: 0s}
                http: {listen: "127.0.0.1:0"}
                log: {level: warning}
                sources:
                  - {name: rss, feed: "\(server.url("/feed.xml"))", interval: 1s}

                """
            if withSitemap { yaml += "  - {name: map, sitemap: \"\(server.url("/sitemap.xml"))\", interval: 1s}\n" }
            try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        try writeConfig(withSitemap: false)

        let process = try Self.launch(["run", "--config", configPath])
        defer { if process.isRunning { process.terminate() } }

        // The feed lists 5 articles: wait until they are fetched.
        try await Self.waitUntil { server.requests().filter { $0.path.hasPrefix("/news/") }.count >= 5 }
        #expect(server.requests(to: "/sitemap.xml").isEmpty)

        try writeConfig(withSitemap: true)
        kill(process.processIdentifier, SIGHUP)
        try await Self.waitUntil { !server.requests(to: "/sitemap.xml").isEmpty }
        try await Self.waitUntil { Set(server.requests().filter { $0.path.hasPrefix("/news/") }.map(\.path)).count >= articles.count }

        kill(process.processIdentifier, SIGTERM)
        try await Self.waitUntil(seconds: 30) { !process.isRunning }
        #expect(process.terminationStatus == 0)

        let lines = try BackfillEndToEndTests.exportedLines(directory)
        let canonical = lines.compactMap { $0["canonical_url"] as? String }
        #expect(Set(canonical) == Set(articles.map { server.url($0) }))
        #expect(canonical.count == Set(canonical).count)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("out").path).filter { $0.hasSuffix(".part") }
        #expect(leftovers.isEmpty, "a drained shutdown leaves no open file")
    }

    /// Starts the `khabar` under test with `arguments`; standard output is discarded, standard
    /// error goes to `standardError`.
    static func launch(_ arguments: [String], standardError: FileHandle = .nullDevice) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = standardError
        try process.run()
        return process
    }

    static func waitUntil(seconds: Double = 20, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else {
                Issue.record("condition not met within \(seconds) s")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
