import Foundation
import Glibc
@testable import KhabarCore
import Testing

/// A wall clock the test moves by hand.
final class ExportTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) { current = start }

    var now: Date { lock.withLock { current } }
    func advance(seconds: TimeInterval) { lock.withLock { current += seconds } }
    var function: @Sendable () -> Date { { self.now } }
}

/// Which record ids upstream saw acknowledged, and how often.
final class AcknowledgementLog: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func handle(for id: String) -> ExportAcknowledgement {
        ExportAcknowledgement { self.lock.withLock { self.counts[id, default: 0] += 1 } }
    }

    var acknowledged: Set<String> { lock.withLock { Set(counts.keys) } }
    func count(_ id: String) -> Int { lock.withLock { counts[id] ?? 0 } }
}

enum ExportFixtures {
    static func record(_ n: Int, text: String? = nil, fetchedAt: String? = nil) -> ArticleRecord {
        ArticleRecord(
            id: "id-\(n)", url: "https://example.com/news/\(n)?utm=x", canonicalURL: "https://example.com/news/\(n)",
            source: "example", fetchedAt: fetchedAt ?? "2026-01-01T00:00:\(String(format: "%02d", n % 60))Z",
            title: "خبر \(n)", lang: "ar", dir: "rtl", tags: ["سياسة"],
            text: text ?? "نص الخبر رقم \(String(format: "%04d", n)).", wordCount: 4, contentHash: "hash-\(n)")
    }

    static func finishedNames(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".jsonl.gz") }.sorted()
    }

    static func partNames(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".part") }.sorted()
    }

    /// The lines of a finished file, decompressed when gzipped; each ends in exactly one `\n`.
    static func lines(of name: String, in directory: URL) throws -> [String] {
        var bytes = Array(try Data(contentsOf: directory.appendingPathComponent(name)))
        if name.hasSuffix(".gz") { bytes = try Gzip.decompress(bytes, limit: 1 << 30) }
        guard !bytes.isEmpty else { return [] }
        #expect(bytes.last == UInt8(ascii: "\n"), "\(name) does not end in a newline")
        return String(decoding: bytes.dropLast(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
    }

    /// Every line of every finished file, parsed as a JSON object; a line that does not parse
    /// fails the test.
    static func records(in directory: URL) throws -> [(file: String, object: [String: Any])] {
        var all: [(String, [String: Any])] = []
        for name in try finishedNames(in: directory) {
            for line in try lines(of: name, in: directory) {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                let dictionary = try #require(object as? [String: Any], "not an object in \(name): \(line)")
                all.append((name, dictionary))
            }
        }
        return all
    }

    static func runTool(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(path) \(arguments) failed")
        return String(decoding: output, as: UTF8.self)
    }
}

@Suite struct JSONLExporterTests {
    private func configuration(
        _ directory: URL, maxFileBytes: Int = 1 << 20, maxAge: Duration = .seconds(3600),
        compression: JSONLExporter.Configuration.Compression = .none
    ) -> JSONLExporter.Configuration {
        .init(
            directory: directory.appendingPathComponent("out"), filePrefix: "articles", maxFileBytes: maxFileBytes,
            maxFileAge: maxAge, compression: compression)
    }

    @Test func writesEveryKeyInFixedOrderWithRFC8259Escaping() async throws {
        let scratch = ScratchDirectory()
        let config = configuration(scratch.url)
        let exporter = try JSONLExporter(configuration: config, ledger: InMemoryStateStore())
        var record = ArticleRecord(
            id: "a1", url: "https://x.test/a?b=1&c=2", canonicalURL: "https://x.test/a", source: "x",
            fetchedAt: "2026-01-01T00:00:00Z", title: "قال \"الوزير\"\n", author: nil,
            description: "back\\slash\ttab\u{01}", tags: [], text: "سطر\r\nسطر", wordCount: 2, contentHash: "ff")
        record.duplicateOf = "a0"
        try await exporter.append(record)
        try await exporter.finishOpenFile()

        let names = try ExportFixtures.finishedNames(in: config.directory)
        #expect(names.count == 1)
        let lines = try ExportFixtures.lines(of: names[0], in: config.directory)
        let expected = #"{"schema_version":1,"id":"a1","url":"https://x.test/a?b=1&c=2","canonical_url":"https://x.test/a","#
            + #""source":"x","fetched_at":"2026-01-01T00:00:00Z","title":"قال \"الوزير\"\n","author":null,"#
            + #""published_at":null,"modified_at":null,"site_name":null,"lang":null,"dir":null,"#
            + #""description":"back\\slash\ttab\u0001","image":null,"tags":[],"text":"سطر\r\nسطر","#
            + #""word_count":2,"content_hash":"ff","duplicate_of":"a0"}"#
        #expect(lines == [expected])

        let parsed = try #require(try ExportFixtures.records(in: config.directory).first?.object)
        #expect(Set(parsed.keys) == Set(ArticleRecord.jsonKeys))
        #expect(parsed["title"] as? String == record.title)
        #expect(parsed["description"] as? String == record.description)
        #expect(parsed["text"] as? String == record.text)
        #expect(parsed["author"] is NSNull)
    }

    @Test func schemaFileListsTheSameKeysInTheSameOrder() throws {
        let schemaURL = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schema/article.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
        #expect(schema["required"] as? [String] == ArticleRecord.jsonKeys)
        #expect(Set((schema["properties"] as? [String: Any] ?? [:]).keys) == Set(ArticleRecord.jsonKeys + ArticleRecord.optionalJSONKeys))
    }

    @Test func rotatesBySizeAtRecordBoundariesKeepingOrder() async throws {
        let scratch = ScratchDirectory()
        let lineLength = ExportFixtures.record(0).jsonLine().count
        #expect((0..<10).allSatisfy { ExportFixtures.record($0).jsonLine().count == lineLength })
        let config = configuration(scratch.url, maxFileBytes: 3 * lineLength + lineLength / 2)
        let clock = ExportTestClock()
        let exporter = try JSONLExporter(configuration: config, ledger: InMemoryStateStore(), clock: clock.function)
        for n in 0..<10 {
            try await exporter.append(ExportFixtures.record(n))
            clock.advance(seconds: 1)
        }
        try await exporter.finishOpenFile()

        let names = try ExportFixtures.finishedNames(in: config.directory)
        #expect(names == [
            "articles-20260101T000000Z-000001.jsonl", "articles-20260101T000003Z-000002.jsonl",
            "articles-20260101T000006Z-000003.jsonl", "articles-20260101T000009Z-000004.jsonl",
        ])
        #expect(try names.map { try ExportFixtures.lines(of: $0, in: config.directory).count } == [3, 3, 3, 1])
        for name in names {
            let size = try #require(try FileManager.default.attributesOfItem(
                atPath: config.directory.appendingPathComponent(name).path)[.size] as? Int)
            #expect(size <= config.maxFileBytes)
        }
        // Names sort in sequence order, and records keep their order across files.
        let ids = try ExportFixtures.records(in: config.directory).map { $0.object["id"] as? String }
        #expect(ids == (0..<10).map { "id-\($0)" })
    }

    @Test func rotatesByAgeOnAppendAndOnTimer() async throws {
        let scratch = ScratchDirectory()
        let clock = ExportTestClock()
        let config = configuration(scratch.url, maxAge: .seconds(60))
        let exporter = try JSONLExporter(configuration: config, ledger: InMemoryStateStore(), clock: clock.function)
        try await exporter.append(ExportFixtures.record(1))
        clock.advance(seconds: 59)
        try await exporter.append(ExportFixtures.record(2))
        #expect(try await exporter.rotateIfDue() == nil)
        #expect(try ExportFixtures.finishedNames(in: config.directory).isEmpty)

        clock.advance(seconds: 1)
        try await exporter.append(ExportFixtures.record(3))  // the 60 s old file is finished first
        #expect(try ExportFixtures.finishedNames(in: config.directory).count == 1)
        #expect(await exporter.openRecordCount == 1)

        clock.advance(seconds: 61)
        let entry = try #require(try await exporter.rotateIfDue())
        #expect(entry.recordCount == 1)
        #expect(try await exporter.rotateIfDue() == nil)
        let names = try ExportFixtures.finishedNames(in: config.directory)
        #expect(try names.map { try ExportFixtures.lines(of: $0, in: config.directory).count } == [2, 1])
    }

    @Test func openPartIsNeverListedAsFinished() async throws {
        let scratch = ScratchDirectory()
        let config = configuration(scratch.url)
        let exporter = try JSONLExporter(configuration: config, ledger: InMemoryStateStore())
        for n in 0..<3 { try await exporter.append(ExportFixtures.record(n)) }

        let manifestURL = config.directory.appendingPathComponent("_manifest.json")
        #expect(try ExportFixtures.partNames(in: config.directory).count == 1)
        #expect(try ExportFixtures.partNames(in: config.directory)[0].hasSuffix(".jsonl.part"))
        #expect(try ExportFixtures.finishedNames(in: config.directory).isEmpty)
        #expect(try ExportManifest.read(from: manifestURL).files.isEmpty)

        try await exporter.finishOpenFile()
        #expect(try ExportFixtures.partNames(in: config.directory).isEmpty)
        #expect(try ExportManifest.read(from: manifestURL).files.map(\.records) == [3])
    }

    @Test(arguments: [JSONLExporter.Configuration.Compression.none, .gzip(level: 6)])
    func manifestMatchesTheFilesOnDisk(compression: JSONLExporter.Configuration.Compression) async throws {
        let scratch = ScratchDirectory()
        let lineLength = ExportFixtures.record(0).jsonLine().count
        let config = configuration(scratch.url, maxFileBytes: 4 * lineLength, compression: compression)
        let exporter = try JSONLExporter(configuration: config, ledger: InMemoryStateStore())
        for n in 0..<10 {
            try await exporter.append(ExportFixtures.record(n, fetchedAt: "2026-01-0\(n % 3 + 1)T00:00:00Z"))
        }
        try await exporter.finishOpenFile()

        let manifest = try ExportManifest.read(from: config.directory.appendingPathComponent("_manifest.json"))
        let names = try ExportFixtures.finishedNames(in: config.directory)
        #expect(manifest.files.map(\.name) == names)
        #expect(names.allSatisfy { $0.hasSuffix(compression == .none ? ".jsonl" : ".jsonl.gz") })
        #expect(manifest.files.map(\.records).reduce(0, +) == 10)
        for file in manifest.files {
            let path = config.directory.appendingPathComponent(file.name).path
            // Recomputed by independent tools, not by the exporter's own code.
            let sum = try ExportFixtures.runTool("/usr/bin/sha256sum", [path]).split(separator: " ").first.map(String.init)
            #expect(sum == file.sha256)
            if compression != .none { _ = try ExportFixtures.runTool("/bin/gzip", ["-t", path]) }
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == file.bytes)
            let lines = try ExportFixtures.lines(of: file.name, in: config.directory)
            #expect(lines.count == file.records)
            let times = try lines.map { line in
                try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["fetched_at"] as? String)
            }
            #expect(file.firstFetchedAt == times.min())
            #expect(file.lastFetchedAt == times.max())
        }
    }

    @Test func crashAfterLedgerCommitIsRenamedAtStart() async throws {
        let scratch = ScratchDirectory()
        let config = configuration(scratch.url)
        let stateDirectory = scratch.url.appendingPathComponent("state")
        let acks = AcknowledgementLog()
        do {
            let exporter = try JSONLExporter(
                configuration: config, ledger: try SQLiteStateStore(directory: stateDirectory),
                faultInjection: .crashAfterLedgerCommit)
            for n in 0..<3 { try await exporter.append(ExportFixtures.record(n), acknowledgement: acks.handle(for: "id-\(n)")) }
            await #expect(throws: ExportError.simulatedCrash("crashAfterLedgerCommit")) { try await exporter.finishOpenFile() }
            // Stopped: nothing more is accepted.
            await #expect(throws: ExportError.self) { try await exporter.append(ExportFixtures.record(9)) }
        }
        #expect(acks.acknowledged.isEmpty)
        let part = try #require(try ExportFixtures.partNames(in: config.directory).first)
        #expect(try ExportFixtures.finishedNames(in: config.directory).isEmpty)

        let store = try SQLiteStateStore(directory: stateDirectory)
        let restarted = try JSONLExporter(configuration: config, ledger: store)
        let finalName = String(part.dropLast(".part".count))
        #expect(restarted.recovery == .init(completedRenames: [finalName], discardedParts: [], missingFiles: []))
        #expect(try ExportFixtures.partNames(in: config.directory).isEmpty)
        #expect(try ExportFixtures.finishedNames(in: config.directory) == [finalName])
        let manifest = try ExportManifest.read(from: config.directory.appendingPathComponent("_manifest.json"))
        #expect(manifest.files.map(\.name) == [finalName])
        #expect(try ExportFixtures.records(in: config.directory).map { $0.object["id"] as? String } == ["id-0", "id-1", "id-2"])

        // Upstream never saw the acks, so it re-sends: dropped, and acknowledged now.
        #expect(try await restarted.append(ExportFixtures.record(1), acknowledgement: acks.handle(for: "id-1"))
            == .droppedAlreadyExported)
        #expect(acks.acknowledged == ["id-1"])
    }

    @Test func crashBeforeLedgerCommitDeletesThePart() async throws {
        let scratch = ScratchDirectory()
        let config = configuration(scratch.url, compression: .gzip(level: 1))
        let store = InMemoryStateStore()
        let acks = AcknowledgementLog()
        do {
            let exporter = try JSONLExporter(
                configuration: config, ledger: store, clock: { Date() }, faultInjection: .crashAfterPartSync)
            let pending = PendingState(fingerprints: [ContentFingerprint(recordID: "id-0", contentHash: [0])])
            try await exporter.append(ExportFixtures.record(0), pending: pending, acknowledgement: acks.handle(for: "id-0"))
            await #expect(throws: ExportError.self) { try await exporter.finishOpenFile() }
        }
        let part = try #require(try ExportFixtures.partNames(in: config.directory).first)
        #expect(part.hasSuffix(".jsonl.gz.part"))

        let restarted = try JSONLExporter(configuration: config, ledger: store)
        #expect(restarted.recovery == .init(completedRenames: [], discardedParts: [part], missingFiles: []))
        #expect(try ExportFixtures.partNames(in: config.directory).isEmpty)
        #expect(try ExportFixtures.finishedNames(in: config.directory).isEmpty)
        #expect(try !store.isExported(canonicalURL: ExportFixtures.record(0).canonicalURL))
        #expect(try store.recordID(forContentHash: [0]) == nil)
        #expect(acks.acknowledged.isEmpty)

        // Re-sent, it is exported normally, with its pending fingerprint.
        let pending = PendingState(fingerprints: [ContentFingerprint(recordID: "id-0", contentHash: [0])])
        #expect(try await restarted.append(ExportFixtures.record(0), pending: pending, acknowledgement: acks.handle(for: "id-0"))
            == .appended)
        try await restarted.finishOpenFile()
        #expect(acks.count("id-0") == 1)
        #expect(try store.recordID(forContentHash: [0]) == "id-0")
    }

    @Test func redeliveredRecordsAreDroppedAndAcknowledged() async throws {
        let scratch = ScratchDirectory()
        let config = configuration(scratch.url)
        let store = InMemoryStateStore()
        let acks = AcknowledgementLog()
        let exporter = try JSONLExporter(configuration: config, ledger: store)
        for n in [1, 2] { try await exporter.append(ExportFixtures.record(n), acknowledgement: acks.handle(for: "id-\(n)")) }
        try await exporter.finishOpenFile()
        #expect(acks.acknowledged == ["id-1", "id-2"])

        #expect(try await exporter.append(ExportFixtures.record(1), acknowledgement: acks.handle(for: "id-1")) == .droppedAlreadyExported)
        #expect(acks.count("id-1") == 2)
        #expect(try await exporter.append(ExportFixtures.record(3), acknowledgement: acks.handle(for: "id-3")) == .appended)
        #expect(try await exporter.append(ExportFixtures.record(3), acknowledgement: acks.handle(for: "id-3"))
            == .droppedDuplicateOfOpenFile)
        #expect(acks.count("id-3") == 0)  // not before its file is finished
        try await exporter.finishOpenFile()
        #expect(acks.count("id-3") == 2)

        let ids = try ExportFixtures.records(in: config.directory).compactMap { $0.object["id"] as? String }
        #expect(ids.sorted() == ["id-1", "id-2", "id-3"])
    }

    @Test func fullDiskBlocksKeepsFinishedFilesAndResumesLosingNothing() async throws {
        let scratch = ScratchDirectory()
        let config = configuration(scratch.url)
        let store = InMemoryStateStore()
        let acks = AcknowledgementLog()
        do {
            let exporter = try JSONLExporter(configuration: config, ledger: store)
            try await exporter.append(ExportFixtures.record(1), acknowledgement: acks.handle(for: "id-1"))
            try await exporter.finishOpenFile()
        }
        let finishedBefore = try ExportFixtures.finishedNames(in: config.directory)
        let exporter = try JSONLExporter(
            configuration: config, ledger: store,
            faultInjection: .failWrites(errno: ENOSPC, afterBytes: 100))
        for n in 2...4 { try await exporter.append(ExportFixtures.record(n), acknowledgement: acks.handle(for: "id-\(n)")) }
        do {
            try await exporter.finishOpenFile()
            Issue.record("finishing on a full disk must fail")
        } catch let error as ExportError {
            #expect(error.isNoSpaceLeft)
            #expect(error.isRetryable)
            #expect(error.description.contains("no space left on device"))
        }
        #expect(await exporter.blockedBy?.isNoSpaceLeft == true)
        #expect(await exporter.stoppedBy == nil)
        // Still full: every call retries, fails again and takes nothing.
        await #expect(throws: ExportError.self) { try await exporter.append(ExportFixtures.record(5)) }
        await #expect(throws: ExportError.self) { try await exporter.finishOpenFile() }

        // Blocked: the torn part is gone (its space freed), the finished file and manifest are
        // untouched, and nothing unwritten is acknowledged or marked exported.
        #expect(acks.acknowledged == ["id-1"])
        #expect(try ExportFixtures.partNames(in: config.directory).isEmpty)
        #expect(try ExportFixtures.finishedNames(in: config.directory) == finishedBefore)
        #expect(try ExportFixtures.records(in: config.directory).map { $0.object["id"] as? String } == ["id-1"])
        let manifest = try ExportManifest.read(from: config.directory.appendingPathComponent("_manifest.json"))
        #expect(manifest.files.map(\.records) == [1])
        for n in 2...5 { #expect(try !store.isExported(canonicalURL: ExportFixtures.record(n).canonicalURL)) }

        // Space returns: the next call writes the kept records again and goes on.
        await exporter.setFaultInjection(.none)
        try await exporter.append(ExportFixtures.record(5), acknowledgement: acks.handle(for: "id-5"))
        #expect(await exporter.blockedBy == nil)
        try await exporter.finishOpenFile()
        #expect(acks.acknowledged == ["id-1", "id-2", "id-3", "id-4", "id-5"])
        let ids = try ExportFixtures.records(in: config.directory).compactMap { $0.object["id"] as? String }
        #expect(ids.sorted() == ["id-1", "id-2", "id-3", "id-4", "id-5"])
        #expect(try ExportFixtures.partNames(in: config.directory).isEmpty)
        let restarted = try JSONLExporter(configuration: config, ledger: store)
        #expect(restarted.recovery == JSONLExporter.RecoveryReport())
    }
}
