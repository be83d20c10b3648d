import Foundation
import Logging
import Testing
@testable import KhabarCore
#if canImport(Glibc)
import Glibc
#endif

/// A backfill whose output directory is a 1 MiB tmpfs filled up by another file: the exporter
/// must stop exporting, say so (with the path), keep what it had, hold the pipeline back, and
/// resume when space returns, every article exactly once. Needs root and a working `mount`;
/// elsewhere the tests print why they did not run and pass.
@Suite(.serialized) struct DiskFullTests {
    static let articleCount = 30

    /// A tmpfs mounted for the length of a test.
    final class TmpfsMount {
        let path: String

        /// nil (with the reason printed) where a tmpfs cannot be mounted.
        init?(at path: String, size: String) {
            self.path = path
            guard geteuid() == 0 else {
                print("DiskFullTests skipped: not root, cannot mount a tmpfs for the output directory")
                return nil
            }
            guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path]) else {
                print("DiskFullTests skipped: mount -t tmpfs failed here (no CAP_SYS_ADMIN?)")
                return nil
            }
        }

        func unmount() {
            if !Self.run("/bin/umount", [path]) { _ = Self.run("/bin/umount", ["-l", path]) }
        }

        @discardableResult
        static func run(_ tool: String, _ arguments: [String]) -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
    }

    /// Fills the file system of `directory` with a file, leaving `room` bytes free; returns its path.
    static func fill(_ directory: String, leaving room: Int) throws -> String {
        let path = directory + "/filler.bin"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var total = 0
        for chunkSize in [64 * 1024, 4096, 512] {
            let chunk = [UInt8](repeating: 0x41, count: chunkSize)
            while true {
                let written = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                total += written
            }
        }
        if room > 0 { ftruncate(descriptor, off_t(max(0, total - room))) }
        fsync(descriptor)
        return path
    }

    /// Log lines at notice and above, for checking what the exporter said.
    final class LogCapture: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] = []

        func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
            lock.withLock { lines.append((level, message, metadata)) }
        }

        func contains(level: Logger.Level, _ text: String, directory: String) -> Bool {
            lock.withLock {
                lines.contains { $0.level == level && $0.message.contains(text) && $0.metadata["directory"]?.description == directory }
            }
        }
    }

    struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .notice

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append(event.level, event.message.description, metadata.merging(event.metadata ?? [:]) { $1 })
        }
    }

    /// A site of `articleCount` distinct article pages listed in one sitemap.
    static func makeSite() throws -> (TestHTTPServer, [String]) {
        let server = try TestHTTPServer()
        let templates = try GoldenExtractionTests.pageNames.filter { !$0.contains("windows-1256") }.map {
            try String(contentsOf: GoldenExtractionTests.goldenDirectory.appendingPathComponent($0 + ".html"), encoding: .utf8)
        }
        var urls: [String] = []
        for number in 0..<articleCount {
            let path = "/news/\(number).html"
            var page = templates[number % templates.count]
            page = page.replacingOccurrences(of: "<p>", with: "<p>هذا هو التقرير رقم \(number) من تقارير القرص الممتلئ. ", options: [], range: page.range(of: "<p>"))
            if let existing = page.range(of: #"<link rel="canonical"[^>]*>"#, options: .regularExpression) { page.removeSubrange(existing) }
            page = page.replacingOccurrences(of: "</head>", with: "<link rel=\"canonical\" href=\"\(server.url(path))\"></head>")
            server.serve(path, body: page)
            urls.append(server.url(path))
        }
        server.serve("/sitemap.xml", body: "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
            + urls.map { "<url><loc>\($0)</loc></url>" }.joined() + "</urlset>", headers: [("Content-Type", "application/xml")])
        return (server, urls)
    }

    static func settings(server: TestHTTPServer, scratch: URL, output: String) -> BackfillRun.Settings {
        var configuration = KhabarConfiguration()
        configuration.state = scratch.appendingPathComponent("state").path
        configuration.output.directory = output
        configuration.output.rotateBytes = 8 * 1024
        configuration.pipeline.cleaners = 2
        var inputs = BackfillInputs()
        inputs.sitemaps = [server.url("/sitemap.xml")]
        var settings = BackfillRun.Settings(configuration: configuration, inputs: inputs)
        settings.allowPrivate = true
        settings.minDelay = .zero
        settings.perHostConcurrency = 4
        settings.exportMaxRetryDelay = .milliseconds(300)
        return settings
    }

    /// Waits (polling) until `condition` holds; false after `seconds`.
    static func eventually(seconds: Double = 90, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    /// canonical_url → records, over the finished files; every line must parse.
    static func recordsPerURL(_ directory: String) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jsonl") }
        for name in names {
            for line in try String(contentsOfFile: directory + "/" + name, encoding: .utf8).split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                counts[try #require(object["canonical_url"] as? String), default: 0] += 1
            }
        }
        return counts
    }

    /// The manifest lists exactly the finished files, with their record counts. While the
    /// exporter is blocked (`mayLag`), the disk may have filled up between a file's rename and
    /// the manifest's rewrite: then it lists a subset (rewritten when space returns).
    static func checkManifest(_ directory: String, mayLag: Bool = false) throws {
        let manifest = try ExportManifest.read(from: URL(fileURLWithPath: directory + "/_manifest.json"))
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jsonl") }.sorted()
        if mayLag {
            #expect(Set(manifest.files.map(\.name)).isSubset(of: onDisk))
        } else {
            #expect(manifest.files.map(\.name) == onDisk)
        }
        for file in manifest.files {
            let lines = try String(contentsOfFile: directory + "/" + file.name, encoding: .utf8).split(separator: "\n").count
            #expect(lines == file.records, "\(file.name)")
        }
    }

    @Test func fullDiskBlocksExportSaysSoAndResumesWhenSpaceReturns() async throws {
        let scratch = ScratchDirectory()
        let output = scratch.url.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        guard let mount = TmpfsMount(at: output, size: "1m") else { return }
        defer { mount.unmount() }
        let (server, urls) = try Self.makeSite()
        defer { server.stop() }
        // Room for a few files, not for all of them.
        let filler = try Self.fill(output, leaving: 24 * 1024)
        let capture = LogCapture()
        let logger = Logger(label: "test") { _ in CapturingHandler(capture: capture) }

        let settings = Self.settings(server: server, scratch: scratch.url, output: output)
        let run = Task { try await BackfillRun.run(settings, logger: logger) }

        // It stops exporting and says why, naming the directory.
        let reported = await Self.eventually { capture.contains(level: .error, "the output disk is full", directory: output) }
        #expect(reported, "no 'disk is full' error was logged")
        // Meanwhile what was finished stays finished and listed: complete files, once each.
        let before = try Self.recordsPerURL(output)
        #expect(before.values.allSatisfy { $0 == 1 })
        #expect(before.count < urls.count, "everything fit: the disk never filled")
        try Self.checkManifest(output, mayLag: true)

        // Space returns: it resumes and finishes, losing nothing.
        try FileManager.default.removeItem(atPath: filler)
        let report = try await run.value
        #expect(capture.contains(level: .notice, "export resumed", directory: output))
        let after = try Self.recordsPerURL(output)
        #expect(after == Dictionary(uniqueKeysWithValues: urls.map { ($0, 1) }), "missing or doubled: \(after)")
        #expect(report.counts[.exported] == urls.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).allSatisfy { !$0.hasSuffix(".part") })
        try Self.checkManifest(output)
        let store = try SQLiteStateStore(directory: scratch.url.appendingPathComponent("state"))
        #expect(try store.finishedFiles().map(\.name) == FileManager.default.contentsOfDirectory(atPath: output).filter { $0.hasSuffix(".jsonl") }.sorted())
    }

    /// Shutdown while waiting for space (the daemon cancels after its drain timeout; a backfill
    /// task is cancelled): the run ends, nothing unwritten counts as exported, and the next
    /// run with space does the rest, every article once.
    @Test func cancellingWhileBlockedLeavesTheRestToTheNextRun() async throws {
        let scratch = ScratchDirectory()
        let output = scratch.url.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        guard let mount = TmpfsMount(at: output, size: "1m") else { return }
        defer { mount.unmount() }
        let (server, urls) = try Self.makeSite()
        defer { server.stop() }
        let filler = try Self.fill(output, leaving: 0)
        let capture = LogCapture()
        let logger = Logger(label: "test") { _ in CapturingHandler(capture: capture) }

        let settings = Self.settings(server: server, scratch: scratch.url, output: output)
        let run = Task { try await BackfillRun.run(settings, logger: logger) }
        #expect(await Self.eventually { capture.contains(level: .error, "the output disk is full", directory: output) })
        run.cancel()
        let result = await run.result
        #expect(throws: (any Error).self) { try result.get() }
        #expect(try Self.recordsPerURL(output).isEmpty)

        try FileManager.default.removeItem(atPath: filler)
        let report = try await BackfillRun.run(settings, logger: logger)
        #expect(report.counts[.exported] == urls.count)
        #expect(try Self.recordsPerURL(output) == Dictionary(uniqueKeysWithValues: urls.map { ($0, 1) }))
        try Self.checkManifest(output)
    }
}
