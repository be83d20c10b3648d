import Foundation
import KhabarCore
import Testing

/// The exporter's end-to-end promise, checked across random crash/restart sequences: a record
/// acknowledged upstream is in exactly one finished file; a record not acknowledged is either
/// in no finished file and not marked exported (so upstream re-sends it), or was committed just
/// before a crash, in which case its re-send is dropped and acknowledged.
@Suite struct ExactlyOnceTests {
    private static let poolSize = 40

    /// One model run: several process lifetimes over the same output and state directories.
    @Test(arguments: 0..<12 as Range<UInt64>)
    func crashLoopExportsEveryAcknowledgedRecordExactlyOnce(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let scratch = ScratchDirectory()
        let stateDirectory = scratch.url.appendingPathComponent("state")
        let lineLength = ExportFixtures.record(0).jsonLine().count
        let config = JSONLExporter.Configuration(
            directory: scratch.url.appendingPathComponent("out"),
            maxFileBytes: lineLength * Int.random(in: 1...4, using: &random), maxFileAge: .seconds(60),
            compression: Bool.random(using: &random) ? .gzip(level: 1) : .none)
        let clock = ExportTestClock()
        let upstream = AcknowledgementLog()
        var sent: Set<Int> = []
        var simulatedCrashes = 0

        // Every run meets each crash point once, plus crash-by-abandoning and clean shutdowns.
        let faults: [JSONLExporter.FaultInjection] =
            [.crashAfterPartSync, .crashAfterLedgerCommit, .crashAfterRename, .none, .none, .none].shuffled(using: &random)
        for fault in faults {
            let store = try SQLiteStateStore(directory: stateDirectory)
            let exporter = try JSONLExporter(
                configuration: config, ledger: store, clock: clock.function, faultInjection: fault)
            try checkDirectoryMatchesLedger(config, store)

            var crashed = false
            operations: for _ in 0..<Int.random(in: 1...10, using: &random) {
                do {
                    switch Int.random(in: 0..<100, using: &random) {
                    case 0..<65:
                        for _ in 0..<Int.random(in: 1...5, using: &random) {
                            // Upstream re-sends what it has no ack for; now and then it also
                            // redelivers something acknowledged.
                            let unacknowledged = (0..<Self.poolSize).filter { !upstream.acknowledged.contains("id-\($0)") }
                            let redeliver = unacknowledged.isEmpty || Int.random(in: 0..<5, using: &random) == 0
                            let n = redeliver ? Int.random(in: 0..<Self.poolSize, using: &random) : unacknowledged.randomElement(using: &random)!
                            sent.insert(n)
                            try await exporter.append(ExportFixtures.record(n), acknowledgement: upstream.handle(for: "id-\(n)"))
                        }
                    case 65..<82:
                        clock.advance(seconds: Double(Int.random(in: 0...90, using: &random)))
                        try await exporter.rotateIfDue()
                    default:
                        try await exporter.finishOpenFile()
                    }
                } catch ExportError.simulatedCrash {
                    crashed = true
                    break operations
                }
            }
            if !crashed && (fault != .none || Bool.random(using: &random)) {
                do { try await exporter.finishOpenFile() } catch ExportError.simulatedCrash { crashed = true }
            }
            if crashed { simulatedCrashes += 1 }
            // Otherwise the exporter is simply abandoned with its part open: a crash as well.
        }

        // Last start: recovery, then the invariants.
        let store = try SQLiteStateStore(directory: stateDirectory)
        let exporter = try JSONLExporter(configuration: config, ledger: store, clock: clock.function)
        try checkDirectoryMatchesLedger(config, store)
        #expect(simulatedCrashes >= 1, "the run never reached a crash point (seed \(seed))")

        let inFiles = try fileCounts(config)
        #expect(inFiles.values.allSatisfy { $0 == 1 }, "a record was written twice (seed \(seed))")
        for id in upstream.acknowledged {
            #expect(inFiles[id] == 1, "\(id) acknowledged but in \(inFiles[id] ?? 0) finished files (seed \(seed))")
        }
        let exported = try store.exportedCanonicalURLs(among: (0..<Self.poolSize).map { ExportFixtures.record($0).canonicalURL })
        for n in 0..<Self.poolSize {
            let record = ExportFixtures.record(n)
            #expect(exported.contains(record.canonicalURL) == (inFiles[record.id] != nil), "ledger and files disagree on \(record.id)")
        }

        // Upstream re-sends everything it has no ack for; then every record it ever sent is
        // acknowledged and in exactly one finished file.
        for n in sent.sorted() where !upstream.acknowledged.contains("id-\(n)") {
            let outcome = try await exporter.append(ExportFixtures.record(n), acknowledgement: upstream.handle(for: "id-\(n)"))
            #expect(outcome == (inFiles["id-\(n)"] != nil ? .droppedAlreadyExported : .appended))
        }
        try await exporter.finishOpenFile()
        #expect(upstream.acknowledged == Set(sent.map { "id-\($0)" }))
        let finalCounts = try fileCounts(config)
        #expect(finalCounts == Dictionary(uniqueKeysWithValues: sent.map { ("id-\($0)", 1) }))
        try checkDirectoryMatchesLedger(config, store)
    }

    /// How often each record id occurs across finished files; every line must parse.
    private func fileCounts(_ config: JSONLExporter.Configuration) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for (_, object) in try ExportFixtures.records(in: config.directory) {
            let id = try #require(object["id"] as? String)
            counts[id, default: 0] += 1
        }
        return counts
    }

    /// After recovery: no `.part`, and the directory, the manifest and the ledger list the same
    /// finished files with the same record counts.
    private func checkDirectoryMatchesLedger(_ config: JSONLExporter.Configuration, _ store: SQLiteStateStore) throws {
        #expect(try ExportFixtures.partNames(in: config.directory).isEmpty)
        let onDisk = try ExportFixtures.finishedNames(in: config.directory)
        let ledger = try store.finishedFiles()
        let manifest = try ExportManifest.read(from: config.directory.appendingPathComponent(config.manifestFileName))
        #expect(ledger.map(\.name) == onDisk)
        #expect(manifest.files.map(\.name) == onDisk)
        for entry in ledger {
            #expect(try ExportFixtures.lines(of: entry.name, in: config.directory).count == entry.recordCount)
            #expect(try Set(store.recordIDs(inFile: entry.name)).count == entry.recordCount)
        }
    }
}
