import Foundation
import Testing
@testable import KhabarCore

/// Exporters of two processes sharing one PostgreSQL state that take the same article at the
/// same moment (reached under two URLs, so each had checked the ledger before the other
/// committed): the second commit is refused for that article, and its exporter drops the
/// article from its file and commits the rest instead of stopping.
@Suite struct SharedExportTests {
    private struct Side {
        let store: PostgresStateStore
        let configuration: JSONLExporter.Configuration
        let exporter: JSONLExporter
        let acknowledgements = AcknowledgementLog()
    }

    private func side(
        _ name: String, location: PostgresLocation, scratch: ScratchDirectory,
        compression: JSONLExporter.Configuration.Compression = .none, checkpointBytes: Int = 4 << 20
    ) throws -> Side {
        let store = try PostgresStateStore(location: location, instance: name)
        let configuration = JSONLExporter.Configuration(
            directory: scratch.url.appendingPathComponent(name), maxFileAge: .seconds(3600), compression: compression,
            checkpointBytes: checkpointBytes)
        return Side(store: store, configuration: configuration, exporter: try JSONLExporter(configuration: configuration, ledger: store))
    }

    /// Record `n` as reached under another URL (an alias): same canonical URL and id.
    private func alias(_ n: Int) -> ArticleRecord {
        var record = ExportFixtures.record(n)
        record.url = "https://example.com/amp/\(n)"
        return record
    }

    private func append(_ records: [ArticleRecord], to side: Side) async throws {
        for record in records {
            #expect(try await side.exporter.append(record, acknowledgement: side.acknowledgements.handle(for: record.id)) == .appended)
        }
    }

    @Test(arguments: [JSONLExporter.Configuration.Compression.none, .gzip(level: 6)])
    func aRefusedArticleIsDroppedFromTheFileAndTheRestCommitted(compression: JSONLExporter.Configuration.Compression) async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let scratch = ScratchDirectory()
        let first = try side("a", location: location, scratch: scratch, compression: compression)
        // A small checkpoint: most of the second file's lines are on disk only, not in memory.
        let second = try side("b", location: location, scratch: scratch, compression: compression, checkpointBytes: 600)

        try await append([1, 5, 7].map { ExportFixtures.record($0) }, to: first)
        let secondRecords = [ExportFixtures.record(2), alias(5), ExportFixtures.record(3), alias(7), ExportFixtures.record(4)]
        try await append(secondRecords, to: second)
        try await first.exporter.finishOpenFile()

        let entry = try #require(try await second.exporter.finishOpenFile())
        #expect(await second.exporter.stoppedBy == nil)
        #expect(await second.exporter.refusedRecordCount == 2)
        #expect(entry.recordCount == 3)
        let kept = [2, 3, 4].map { ExportFixtures.record($0) }
        #expect(try ExportFixtures.lines(of: entry.name, in: second.configuration.directory)
            == kept.map { String(decoding: $0.jsonLine().dropLast(), as: UTF8.self) })
        let path = second.configuration.directory.appendingPathComponent(entry.name).path
        let sum = try ExportFixtures.runTool("/usr/bin/sha256sum", [path]).split(separator: " ").first.map(String.init)
        #expect(sum == entry.sha256)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == entry.byteCount)
        #expect(try ExportFixtures.partNames(in: second.configuration.directory).isEmpty)
        #expect(entry.firstFetchedAt == kept.map(\.fetchedAt).min() && entry.lastFetchedAt == kept.map(\.fetchedAt).max())
        // The ledger holds the rewritten file's figures (finishedAt aside: a double's round trip).
        var stored = try #require(try second.store.finishedFile(named: entry.name))
        stored.finishedAt = entry.finishedAt
        #expect(stored == entry)
        #expect(Set(try second.store.recordIDs(inFile: entry.name)) == Set(kept.map(\.id)))
        // The dropped articles are exported, by the other process: acknowledged here too.
        #expect(second.acknowledgements.acknowledged == Set(secondRecords.map(\.id)))
        #expect(try ExportManifest.read(from: second.configuration.directory.appendingPathComponent("_manifest.json")).files.map(\.name) == [entry.name])

        // Exactly once across both directories, and the second exporter goes on.
        let all = try ExportFixtures.records(in: first.configuration.directory) + ExportFixtures.records(in: second.configuration.directory)
        #expect(all.compactMap { $0.object["canonical_url"] as? String }.sorted() == (1...7).filter { $0 != 6 }.map { "https://example.com/news/\($0)" }.sorted())
        try await append([ExportFixtures.record(8)], to: second)
        #expect(try await second.exporter.finishOpenFile()?.recordCount == 1)
    }

    @Test func aFileWhoseEveryArticleWasRefusedIsDeleted() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let scratch = ScratchDirectory()
        let first = try side("a", location: location, scratch: scratch)
        let second = try side("b", location: location, scratch: scratch)
        try await append([ExportFixtures.record(1), ExportFixtures.record(2)], to: first)
        try await append([alias(2), alias(1)], to: second)
        try await first.exporter.finishOpenFile()

        #expect(try await second.exporter.finishOpenFile() == nil)
        #expect(await second.exporter.stoppedBy == nil)
        #expect(await second.exporter.refusedRecordCount == 2)
        #expect(try ExportFixtures.finishedNames(in: second.configuration.directory).isEmpty)
        #expect(try ExportFixtures.partNames(in: second.configuration.directory).isEmpty)
        #expect(try second.store.finishedFiles().isEmpty)
        #expect(second.acknowledgements.acknowledged == ["id-1", "id-2"])
        try await append([ExportFixtures.record(3)], to: second)
        #expect(try await second.exporter.finishOpenFile()?.recordCount == 1)
    }

    /// The ledger of a single process refuses the same way (an article committed by an
    /// earlier run of a second exporter on the same state): the file is rewritten the same way.
    @Test func theSameHoldsForTheSQLiteLedger() async throws {
        let scratch = ScratchDirectory()
        let store = try SQLiteStateStore(directory: scratch.url.appendingPathComponent("state"))
        let one = try JSONLExporter(configuration: .init(directory: scratch.url.appendingPathComponent("one"), filePrefix: "one"), ledger: store)
        let two = try JSONLExporter(configuration: .init(directory: scratch.url.appendingPathComponent("two"), filePrefix: "two"), ledger: store)
        try await one.append(ExportFixtures.record(1))
        try await two.append(alias(1))
        try await two.append(ExportFixtures.record(2))
        try await one.finishOpenFile()
        #expect(try await two.finishOpenFile()?.recordCount == 1)
        #expect(await two.refusedRecordCount == 1)
    }
}
