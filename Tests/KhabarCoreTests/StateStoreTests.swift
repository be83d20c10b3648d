import Foundation
import KhabarCore
import Testing

/// A fresh directory under the system temp directory, removed when the value is dropped.
final class ScratchDirectory: Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("khabar-tests-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Every implementation, so they are held to the same contract. PostgreSQL runs on the tests'
/// own server (`PostgresTestServer`), a fresh database each time.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, memory, postgresql

    var testDescription: String { rawValue }

    func make(in directory: ScratchDirectory) throws -> any StateStore {
        switch self {
        case .sqlite: return try SQLiteStateStore(directory: directory.url.appendingPathComponent("state"))
        case .memory: return InMemoryStateStore()
        case .postgresql: return try PostgresStateStore(location: PostgresTestServer.start().makeDatabase(), instance: "test")
        }
    }
}

@Suite struct StateStoreTests {
    private let epoch = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    private func file(_ name: String, sequence: Int, records: Int = 1) -> ExportFileEntry {
        ExportFileEntry(
            name: name, sequence: sequence, recordCount: records, byteCount: 10 * records, sha256: "ab",
            firstFetchedAt: "2026-01-01T00:00:00Z", lastFetchedAt: "2026-01-01T00:01:00Z",
            finishedAt: epoch)
    }

    private func key(_ n: Int) -> ExportedRecordKey {
        ExportedRecordKey(recordID: "id-\(n)", canonicalURL: "https://example.com/\(n)")
    }

    @Test func migrationsRunOnAnEmptyDirectoryAndReopenIdempotently() throws {
        let scratch = ScratchDirectory()
        let directory = scratch.url.appendingPathComponent("nested/state")
        do {
            let store = try SQLiteStateStore(directory: directory)
            #expect(try store.appliedMigrations() == SQLiteStateStore.knownMigrations)
            #expect(!SQLiteStateStore.knownMigrations.isEmpty)
            try store.commitFinishedFile(file("a.jsonl", sequence: 1), records: [key(1)], pending: PendingState())
            try store.recordDocument(source: "site", lineHashes: [7])
        }
        for _ in 0..<2 {
            let reopened = try SQLiteStateStore(directory: directory)
            #expect(try reopened.appliedMigrations() == SQLiteStateStore.knownMigrations)
            #expect(try reopened.finishedFiles().map(\.name) == ["a.jsonl"])
            #expect(try reopened.isExported(canonicalURL: key(1).canonicalURL))
            #expect(try reopened.documentCount(source: "site") == 1)
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("khabar.sqlite").path))
    }

    @Test(arguments: StoreKind.allCases)
    func fetchHistoryKeepsValidatorsAcrossNotModifiedAndCountsFailures(kind: StoreKind) throws {
        let scratch = ScratchDirectory()
        let store = try kind.make(in: scratch)
        let url = "https://example.com/a"
        #expect(try store.urlState(for: url) == nil)

        try store.recordFetch(canonicalURL: url, status: 200, etag: "\"v1\"", lastModified: "Thu, 01 Jan 2026", at: epoch)
        // A 304 without validators keeps the old ones and does not count as a change.
        try store.recordFetch(canonicalURL: url, status: 304, etag: nil, lastModified: nil, at: epoch + 60)
        try store.recordFetch(canonicalURL: url, status: 503, etag: nil, lastModified: nil, at: epoch + 120)
        try store.recordFetch(canonicalURL: url, status: nil, etag: nil, lastModified: nil, at: epoch + 180)
        var state = try #require(try store.urlState(for: url))
        #expect(state.etag == "\"v1\"")
        #expect(state.lastModified == "Thu, 01 Jan 2026")
        #expect(state.firstSeenAt == epoch)
        #expect(state.lastChangedAt == epoch)
        #expect(state.lastFetchedAt == epoch + 180)
        #expect(state.lastStatus == nil)
        #expect(state.consecutiveFailures == 2)

        try store.recordFetch(canonicalURL: url, status: 200, etag: "\"v2\"", lastModified: nil, at: epoch + 240)
        state = try #require(try store.urlState(for: url))
        #expect(state.etag == "\"v2\"")
        #expect(state.lastModified == nil)
        #expect(state.consecutiveFailures == 0)
        #expect(state.lastChangedAt == epoch + 240)
    }

    @Test(arguments: StoreKind.allCases)
    func fingerprintsKeepTheFirstRecordPerHashAndRankCandidatesBySharedBands(kind: StoreKind) throws {
        let scratch = ScratchDirectory()
        let store = try kind.make(in: scratch)
        let high = UInt64.max - 3  // needs all 64 bits, so the Int64 bit-pattern round trip is tested
        try store.storeFingerprints([
            ContentFingerprint(
                recordID: "r1", contentHash: [1, 2, 3], signature: [9, 9],
                bands: [SignatureBand(band: 0, key: high), SignatureBand(band: 1, key: 11)]),
            ContentFingerprint(recordID: "r2", contentHash: [1, 2, 3], signature: [8], bands: [SignatureBand(band: 1, key: 11)]),
            ContentFingerprint(recordID: "r3", contentHash: [4], signature: [7], bands: [SignatureBand(band: 2, key: 5)]),
        ])
        #expect(try store.recordID(forContentHash: [1, 2, 3]) == "r1")
        #expect(try store.recordID(forContentHash: [4]) == "r3")
        #expect(try store.recordID(forContentHash: [5]) == nil)

        let probe = [SignatureBand(band: 0, key: high), SignatureBand(band: 1, key: 11), SignatureBand(band: 2, key: 6)]
        let candidates = try store.nearDuplicateCandidates(sharingAnyOf: probe, limit: 10)
        #expect(candidates == [
            NearDuplicateCandidate(recordID: "r1", signature: [9, 9], sharedBands: 2),
            NearDuplicateCandidate(recordID: "r2", signature: [8], sharedBands: 1),
        ])
        #expect(try store.nearDuplicateCandidates(sharingAnyOf: probe, limit: 1).map(\.recordID) == ["r1"])
        // Same key in another band is not a match.
        #expect(try store.nearDuplicateCandidates(sharingAnyOf: [SignatureBand(band: 3, key: 11)], limit: 10).isEmpty)

        // Storing a record again replaces its bands.
        try store.storeFingerprints([ContentFingerprint(recordID: "r1", contentHash: [1, 2, 3], signature: [1], bands: [])])
        #expect(try store.nearDuplicateCandidates(sharingAnyOf: probe, limit: 10).map(\.recordID) == ["r2"])
    }

    @Test(arguments: StoreKind.allCases)
    func boilerplateCountsDocumentsPerSourceAndLine(kind: StoreKind) throws {
        let scratch = ScratchDirectory()
        let store = try kind.make(in: scratch)
        let footer = UInt64.max
        try store.recordDocument(source: "a", lineHashes: [footer, 1])
        try store.recordDocument(source: "a", lineHashes: [footer, 2])
        try store.recordDocument(source: "a", lineHashes: [footer])
        try store.recordDocument(source: "b", lineHashes: [footer])

        #expect(try store.documentCount(source: "a") == 3)
        #expect(try store.documentCount(source: "b") == 1)
        #expect(try store.documentCount(source: "c") == 0)
        #expect(try store.lineDocumentCounts(source: "a", lineHashes: [footer, 1, 99]) == [footer: 3, 1: 1])
        #expect(try store.lineDocumentCounts(source: "a", minimumDocuments: 2) == [footer: 3])
        #expect(try store.lineDocumentCounts(source: "b", minimumDocuments: 1) == [footer: 1])
    }

    @Test(arguments: StoreKind.allCases)
    func ledgerCommitIsAllOrNothing(kind: StoreKind) throws {
        let scratch = ScratchDirectory()
        let store = try kind.make(in: scratch)
        let fingerprint = ContentFingerprint(recordID: "id-1", contentHash: [1])
        try store.commitFinishedFile(
            file("f1.jsonl", sequence: 1, records: 2), records: [key(1), key(2)],
            pending: PendingState(fingerprints: [fingerprint]))
        #expect(try store.isExported(canonicalURL: key(1).canonicalURL))
        #expect(try store.recordID(forContentHash: [1]) == "id-1")
        #expect(try Set(store.recordIDs(inFile: "f1.jsonl")) == ["id-1", "id-2"])

        // key(2) is exported already: nothing of this commit may land.
        #expect(throws: (any Error).self) {
            try store.commitFinishedFile(
                file("f2.jsonl", sequence: 2, records: 2), records: [key(3), key(2)],
                pending: PendingState(fingerprints: [ContentFingerprint(recordID: "id-3", contentHash: [3])]))
        }
        #expect(try !store.isExported(canonicalURL: key(3).canonicalURL))
        #expect(try store.finishedFile(named: "f2.jsonl") == nil)
        #expect(try store.recordID(forContentHash: [3]) == nil)
        #expect(try store.lastSequence() == 1)

        try store.commitFinishedFile(file("f3.jsonl", sequence: 3), records: [key(3)], pending: PendingState())
        #expect(try store.finishedFiles().map(\.name) == ["f1.jsonl", "f3.jsonl"])
        #expect(try store.finishedFile(named: "f3.jsonl") == file("f3.jsonl", sequence: 3))
        #expect(try store.lastSequence() == 3)
        #expect(try store.exportedCanonicalURLs(among: [key(1), key(3), key(4)].map(\.canonicalURL))
            == [key(1).canonicalURL, key(3).canonicalURL])
    }
}
