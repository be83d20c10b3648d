import Foundation
import Glibc
@testable import KhabarCore
import Testing

/// The open file is checkpointed so the exporter holds only the lines since the last
/// checkpoint in memory, and an output error cuts the part back to that checkpoint: the
/// finished file must come out byte for byte as without the error.
@Suite struct ExportCheckpointTests {
    typealias Compression = JSONLExporter.Configuration.Compression

    enum Failure: String, CaseIterable, Sendable {
        case write, sync
    }

    private static let checkpointBytes = 16 * 1024

    private func configuration(_ directory: URL, compression: Compression, checkpointBytes: Int = checkpointBytes)
        -> JSONLExporter.Configuration
    {
        .init(
            directory: directory, filePrefix: "articles", maxFileBytes: 64 << 20, maxFileAge: .seconds(3600),
            compression: compression, checkpointBytes: checkpointBytes)
    }

    /// A record whose text barely compresses, so gzip output reaches the disk between
    /// checkpoints instead of staying inside zlib until the end.
    private static func record(_ n: Int) -> ArticleRecord {
        var random = SeededRandom(seed: UInt64(n))
        let letters = Array("ابتثجحخدذرزسشصضطظعغفقكلمنهوي0123456789 ")
        let text = String((0..<1500).map { _ in letters[Int(random.next() % UInt64(letters.count))] })
        return ExportFixtures.record(n, text: text)
    }

    private static let recordCount = 120

    private func size(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    /// Exports the records into `directory` without any failure; returns the finished file's
    /// name and bytes.
    private func referenceRun(_ directory: URL, compression: Compression) async throws -> (String, [UInt8]) {
        let exporter = try JSONLExporter(
            configuration: configuration(directory, compression: compression), ledger: InMemoryStateStore(),
            clock: ExportTestClock().function)
        for n in 0..<Self.recordCount { try await exporter.append(Self.record(n)) }
        let entry = try #require(try await exporter.finishOpenFile())
        return (entry.name, Array(try Data(contentsOf: directory.appendingPathComponent(entry.name))))
    }

    @Test(arguments: [Compression.none, .gzip(level: 6)])
    func memoryHeldForTheOpenFileStaysWithinTheCheckpointBound(compression: Compression) async throws {
        let scratch = ScratchDirectory()
        let config = configuration(scratch.url, compression: compression)
        let exporter = try JSONLExporter(configuration: config, ledger: InMemoryStateStore())
        let lineLength = Self.record(0).jsonLine().count
        var total = 0
        for n in 0..<Self.recordCount {
            try await exporter.append(Self.record(n))
            total += Self.record(n).jsonLine().count
            let held = await exporter.heldLineBytes
            #expect(held <= Self.checkpointBytes, "\(held) bytes held after record \(n)")
        }
        // Far more was appended than is held: the rest was checkpointed to disk.
        #expect(total > 20 * Self.checkpointBytes)
        #expect(await exporter.heldLineBytes > 0)
        #expect(await exporter.heldLineBytes > Self.checkpointBytes - 2 * lineLength)
        let part = try #require(try ExportFixtures.partNames(in: scratch.url).first)
        #expect(try size(scratch.url.appendingPathComponent(part).path) > 0)

        let entry = try #require(try await exporter.finishOpenFile())
        #expect(await exporter.heldLineBytes == 0)
        let ids = try ExportFixtures.records(in: scratch.url).map { $0.object["id"] as? String }
        #expect(ids == (0..<Self.recordCount).map { "id-\($0)" })
        let path = scratch.url.appendingPathComponent(entry.name).path
        let sum = try ExportFixtures.runTool("/usr/bin/sha256sum", [path]).split(separator: " ").first.map(String.init)
        #expect(sum == entry.sha256)
        if compression != .none { _ = try ExportFixtures.runTool("/bin/gzip", ["-t", path]) }
    }

    /// A write (full disk) or fsync error well after the first checkpoints: the part is cut back
    /// to the last checkpoint, not deleted, only the lines since are kept, and once the disk
    /// works again the finished file is the one a run without the error writes.
    @Test(arguments: [Compression.none, .gzip(level: 6)], Failure.allCases)
    func failureAfterACheckpointRewindsAndFinishesTheSameFile(compression: Compression, failure: Failure) async throws {
        let scratch = ScratchDirectory()
        let (referenceName, reference) = try await referenceRun(
            scratch.url.appendingPathComponent("reference"), compression: compression)
        let directory = scratch.url.appendingPathComponent("failing")
        let failAfter = reference.count / 2
        #expect(failAfter > 2 * (compression == .none ? Self.checkpointBytes : 4096), "too little output to test")
        let fault: JSONLExporter.FaultInjection = switch failure {
        case .write: .failWrites(errno: ENOSPC, afterBytes: failAfter)
        case .sync: .failSyncs(errno: EIO, afterBytes: failAfter)
        }
        let store = InMemoryStateStore()
        let acks = AcknowledgementLog()
        let exporter = try JSONLExporter(
            configuration: configuration(directory, compression: compression), ledger: store,
            clock: ExportTestClock().function, faultInjection: fault)

        var failures = 0
        for n in 0..<Self.recordCount {
            do {
                try await exporter.append(Self.record(n), acknowledgement: acks.handle(for: "id-\(n)"))
            } catch let error as ExportError {
                failures += 1
                #expect(error.isRetryable)
                #expect(await exporter.blockedBy == error)
                #expect(await exporter.stoppedBy == nil)
                #expect(await exporter.heldLineBytes <= Self.checkpointBytes)
                // Cut back to a checkpoint that was synced before the failure point.
                let part = try #require(try ExportFixtures.partNames(in: directory).first, "the part was deleted")
                let partSize = try size(directory.appendingPathComponent(part).path)
                #expect(partSize > 0 && partSize <= failAfter, "part is \(partSize) bytes")
                #expect(Array(try Data(contentsOf: directory.appendingPathComponent(part))) == Array(reference[..<partSize]))
                // Still failing: the call is refused again and nothing is taken.
                await #expect(throws: ExportError.self) { try await exporter.append(Self.record(n)) }
                #expect(try ExportFixtures.finishedNames(in: directory).isEmpty)
                #expect(acks.acknowledged.isEmpty)

                await exporter.setFaultInjection(.none)
                try await exporter.append(Self.record(n), acknowledgement: acks.handle(for: "id-\(n)"))
                #expect(await exporter.blockedBy == nil)
            }
        }
        #expect(failures == 1)
        let entry = try #require(try await exporter.finishOpenFile())

        #expect(entry.name == referenceName)
        let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(entry.name)))
        #expect(bytes == reference, "the finished file differs from the run without failure")
        let manifest = try ExportManifest.read(from: directory.appendingPathComponent("_manifest.json"))
        let listed = try #require(manifest.files.first)
        let sum = try ExportFixtures.runTool(
            "/usr/bin/sha256sum", [directory.appendingPathComponent(entry.name).path]).split(separator: " ").first.map(String.init)
        #expect(listed.sha256 == sum)
        #expect(listed.bytes == reference.count)
        #expect(listed.records == Self.recordCount)
        #expect(acks.acknowledged == Set((0..<Self.recordCount).map { "id-\($0)" }))
        #expect(try ExportFixtures.partNames(in: directory).isEmpty)
    }

    /// A part removed behind the exporter's back after a checkpoint cannot be cut back, and the
    /// lines before the checkpoint are no longer in memory: the exporter stops, acknowledging
    /// nothing, instead of finishing a file that lacks them.
    @Test func partThatCannotBeRewoundStopsTheExporter() async throws {
        let scratch = ScratchDirectory()
        let store = InMemoryStateStore()
        let acks = AcknowledgementLog()
        let config = configuration(scratch.url, compression: .none)
        let exporter = try JSONLExporter(configuration: config, ledger: store)
        for n in 0..<20 { try await exporter.append(Self.record(n), acknowledgement: acks.handle(for: "id-\(n)")) }
        let part = try #require(try ExportFixtures.partNames(in: scratch.url).first)
        #expect(try size(scratch.url.appendingPathComponent(part).path) > 0, "no checkpoint was taken")
        try FileManager.default.removeItem(at: scratch.url.appendingPathComponent(part))

        await exporter.setFaultInjection(.failWrites(errno: ENOSPC, afterBytes: 0))
        do {
            try await exporter.finishOpenFile()
            Issue.record("finishing must fail")
        } catch let error as ExportError {
            guard case .partLost = error else { Issue.record("unexpected \(error)"); return }
            #expect(!error.isRetryable)
            #expect(error.description.contains("cannot be rewound"))
        }
        #expect(await exporter.stoppedBy != nil)
        await #expect(throws: ExportError.self) { try await exporter.append(Self.record(99)) }
        #expect(acks.acknowledged.isEmpty)
        #expect(try ExportFixtures.finishedNames(in: scratch.url).isEmpty)
        for n in 0..<20 { #expect(try !store.isExported(canonicalURL: Self.record(n).canonicalURL)) }
    }
}
