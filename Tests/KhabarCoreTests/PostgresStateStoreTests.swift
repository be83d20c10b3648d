import Foundation
import Testing
@testable import KhabarCore

/// What only the shared PostgreSQL state has: schema migration by concurrent daemons, a ledger
/// per daemon, and global decisions (one export per article, one original per story) between
/// daemons. The contract every store keeps is in `StateStoreTests`.
@Suite struct PostgresStateStoreTests {
    private let epoch = Date(timeIntervalSince1970: 1_767_225_600)

    private func file(_ name: String, sequence: Int, records: Int = 1) -> ExportFileEntry {
        ExportFileEntry(
            name: name, sequence: sequence, recordCount: records, byteCount: 10 * records, sha256: "ab",
            firstFetchedAt: nil, lastFetchedAt: nil, finishedAt: epoch)
    }

    private func key(_ n: Int) -> ExportedRecordKey {
        ExportedRecordKey(recordID: "id-\(n)", canonicalURL: "https://example.com/\(n)")
    }

    private func record(_ number: Int, hash: String, bands: [UInt64], duplicateOf: String? = nil) -> FingerprintRecord {
        let signature = MinHashSignature(littleEndianBytes: (0..<512).map { UInt8(truncatingIfNeeded: $0 &* (number + 3)) })
        return FingerprintRecord(recordID: "id\(number)", canonicalURL: "https://s.example/\(number)", contentHash: hash,
                                 shingleCount: 100 + number, signature: signature, bandKeys: bands, duplicateOf: duplicateOf)
    }

    @Test func locationURLsParseAndNeverShowThePassword() throws {
        let location = try PostgresLocation(url: "postgresql://khabar:s3cr%40t@db.internal:6432/news?sslmode=require")
        #expect(location == PostgresLocation(host: "db.internal", port: 6432, username: "khabar", password: "s3cr@t", database: "news", tls: .require))
        #expect(!location.description.contains("s3cr"))
        #expect(try PostgresLocation(url: "postgres://me@localhost").database == "me")
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: "postgresql://localhost/db") }
        let error = try #require(throws: PostgresLocationError.self) { try PostgresLocation(url: "postgresql://u:pw@h/db?sslmode=sometimes") }
        #expect(!error.description.contains("pw"))
        #expect(PostgresLocation.isPostgresURL("postgresql://x") && !PostgresLocation.isPostgresURL("/var/lib/khabar"))
    }

    @Test func daemonsStartingTogetherMigrateOnce() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        try await withThrowingTaskGroup(of: [String].self) { group in
            for number in 0..<4 {
                group.addTask { try PostgresStateStore(location: location, instance: "d\(number)").appliedMigrations() }
            }
            for try await applied in group { #expect(applied == PostgresStateStore.knownMigrations) }
        }
        // Reopening applies nothing new.
        #expect(try PostgresStateStore(location: location, instance: "again").appliedMigrations() == PostgresStateStore.knownMigrations)
    }

    @Test func eachDaemonHasItsOwnLedgerButAnArticleIsExportedOnce() throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let first = try PostgresStateStore(location: location, instance: "host-a:/out")
        let second = try PostgresStateStore(location: location, instance: "host-b:/out")
        // Both daemons name their first file alike: the ledger keeps them apart.
        try first.commitFinishedFile(file("articles-1.jsonl", sequence: 1), records: [key(1)], pending: PendingState())
        try second.commitFinishedFile(file("articles-1.jsonl", sequence: 1), records: [key(2)], pending: PendingState())
        #expect(try first.finishedFiles().map(\.name) == ["articles-1.jsonl"])
        #expect(try first.recordIDs(inFile: "articles-1.jsonl") == ["id-1"])
        #expect(try second.recordIDs(inFile: "articles-1.jsonl") == ["id-2"])
        #expect(try first.allFinishedFiles().map(\.instance) == ["host-a:/out", "host-b:/out"])

        // What one daemon exported, the other sees, and may not export again.
        #expect(try second.isExported(canonicalURL: key(1).canonicalURL))
        let refused = try #require(throws: AlreadyExportedError.self) {
            try second.commitFinishedFile(file("articles-2.jsonl", sequence: 2, records: 2), records: [key(3), key(1)], pending: PendingState())
        }
        #expect(refused.canonicalURLs == [key(1).canonicalURL])
        #expect(try !second.isExported(canonicalURL: key(3).canonicalURL))
        #expect(try second.lastSequence() == 1)
    }

    /// Two daemons committing files that share an article at the same moment: the unique key
    /// lets exactly one of them have it.
    @Test func concurrentCommitsOfOneArticleHaveOneWinner() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let stores = try (0..<2).map { try PostgresStateStore(location: location, instance: "d\($0)") }
        for round in 0..<20 {
            let shared = key(1000 + round)
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for (number, store) in stores.enumerated() {
                    group.addTask {
                        (try? store.commitFinishedFile(
                            file("f\(round).jsonl", sequence: round + 1, records: 2),
                            records: [key(10_000 * (number + 1) + round), shared], pending: PendingState())) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1, "round \(round): \(outcomes)")
        }
    }

    @Test func deduplicationIsSharedAndTheFirstRecordOfAURLWins() async throws {
        let location = try PostgresTestServer.start().makeDatabase()
        let first = try PostgresStateStore(location: location, instance: "a")
        let second = try PostgresStateStore(location: location, instance: "b")
        var batch = PendingFingerprints(batchNumber: 1)
        batch.append(record(1, hash: "h1", bands: [1, 2, UInt64.max]))
        batch.append(record(2, hash: "h2", bands: [2, 3], duplicateOf: "id1"))
        try await first.commit(batch)
        try await second.commit(batch)  // committing again changes nothing

        let found = try #require(try await second.fingerprint(canonicalURL: "https://s.example/1"))
        #expect(found.recordID == "id1")
        #expect(found.signature == record(1, hash: "h1", bands: []).signature)
        #expect(try await second.fingerprint(contentHash: "h2")?.rootID == "id1")
        #expect(try await second.fingerprint(contentHash: "missing") == nil)
        #expect(try await second.fingerprints(sharingAnyOf: [2]).map(\.recordID) == ["id1", "id2"])
        #expect(try await second.fingerprints(sharingAnyOf: [UInt64.max]).map(\.recordID) == ["id1"])
        #expect(try await second.fingerprints(sharingAnyOf: [99]).isEmpty)

        var many = PendingFingerprints(batchNumber: 2)
        for number in 10..<(10 + SQLiteStateStore.candidateLimit + 20) { many.append(record(number, hash: "m\(number)", bands: [7])) }
        many.append(record(1000, hash: "close", bands: [7, 8, 9]))
        try await second.commit(many)
        let candidates = try await first.fingerprints(sharingAnyOf: [7, 8, 9])
        #expect(candidates.count == SQLiteStateStore.candidateLimit)
        #expect(candidates.contains { $0.recordID == "id1000" })
    }
}
