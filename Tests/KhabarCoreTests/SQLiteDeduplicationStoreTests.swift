import Foundation
import Testing
@testable import KhabarCore

@Suite struct SQLiteDeduplicationStoreTests {
    private func record(_ number: Int, hash: String, bands: [UInt64], duplicateOf: String? = nil) -> FingerprintRecord {
        let signature = MinHashSignature(littleEndianBytes: (0..<512).map { UInt8(truncatingIfNeeded: $0 &* (number + 3)) })
        return FingerprintRecord(recordID: "id\(number)", canonicalURL: "https://s.example/\(number)", contentHash: hash,
                                 shingleCount: 100 + number, signature: signature, bandKeys: bands, duplicateOf: duplicateOf)
    }

    @Test func persistsAndFindsByURLHashAndBands() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-dedup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let store = try SQLiteStateStore(directory: directory)
            var batch = PendingFingerprints(batchNumber: 1)
            batch.append(record(1, hash: "h1", bands: [1, 2, UInt64.max]))
            batch.append(record(2, hash: "h2", bands: [2, 3], duplicateOf: "id1"))
            try await store.commit(batch)
            try await store.commit(batch)  // committing again changes nothing
        }
        // Reopened: the fingerprints survived.
        let store = try SQLiteStateStore(directory: directory)
        let first = try #require(try await store.fingerprint(canonicalURL: "https://s.example/1"))
        #expect(first.recordID == "id1")
        #expect(first.signature == record(1, hash: "h1", bands: []).signature)
        #expect(try await store.fingerprint(contentHash: "h2")?.rootID == "id1")
        #expect(try await store.fingerprint(contentHash: "missing") == nil)
        #expect(try await store.fingerprints(sharingAnyOf: [2]).map(\.recordID) == ["id1", "id2"])
        #expect(try await store.fingerprints(sharingAnyOf: [UInt64.max]).map(\.recordID) == ["id1"])
        #expect(try await store.fingerprints(sharingAnyOf: [99]).isEmpty)
    }

    @Test func candidatesAreTheRecordsSharingTheMostBands() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-dedup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStateStore(directory: directory)
        var batch = PendingFingerprints(batchNumber: 1)
        // Many records share one band; one shares three.
        for number in 0..<(SQLiteStateStore.candidateLimit + 20) { batch.append(record(number, hash: "h\(number)", bands: [7])) }
        batch.append(record(1000, hash: "close", bands: [7, 8, 9]))
        try await store.commit(batch)
        let candidates = try await store.fingerprints(sharingAnyOf: [7, 8, 9])
        #expect(candidates.count == SQLiteStateStore.candidateLimit)
        #expect(candidates.contains { $0.recordID == "id1000" })
    }

    /// Band keys move from the log to `dedup_bands` every `bandMergeThreshold` records; lookups
    /// find records on either side, after a reopen too, with unmerged keys in the log.
    @Test func recentBandsAreMergedAndSurviveReopening() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-dedup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        func batch(_ numbers: Range<Int>) -> PendingFingerprints {
            var batch = PendingFingerprints(batchNumber: numbers.lowerBound)
            for number in numbers { batch.append(record(number, hash: "h\(number)", bands: [UInt64(number), 1_000_000, UInt64.max - UInt64(number)])) }
            return batch
        }
        func loggedRecords(_ store: SQLiteStateStore) async throws -> Int {
            try store.unmergedBandRecordCount()
        }
        do {
            let store = try SQLiteStateStore(directory: directory, bandMergeThreshold: 10)
            try await store.commit(batch(0..<6))
            #expect(try await loggedRecords(store) == 6)
            try await store.commit(batch(6..<12))  // 12 ≥ 10: merged, log emptied
            #expect(try await loggedRecords(store) == 0)
            try await store.commit(batch(12..<15))
            #expect(try await loggedRecords(store) == 3)
        }
        let store = try SQLiteStateStore(directory: directory, bandMergeThreshold: 10)
        for number in [0, 7, 11, 12, 14] {
            // Merged (0, 7, 11) and logged (12, 14) records, by the key only they hold and by
            // its mirror image (negative as an Int64).
            #expect(try await store.fingerprints(sharingAnyOf: [UInt64(number)]).map(\.recordID) == ["id\(number)"])
            #expect(try await store.fingerprints(sharingAnyOf: [UInt64.max - UInt64(number)]).map(\.recordID) == ["id\(number)"])
        }
        // The key all share: each record once, in insertion order, the closest ones first kept.
        let all = try await store.fingerprints(sharingAnyOf: [1_000_000])
        #expect(all.map(\.recordID) == (0..<15).map { "id\($0)" })
        // A record sharing two keys with the query ranks above those sharing one.
        let ranked = try await store.fingerprints(sharingAnyOf: [1_000_000, 13])
        #expect(ranked.contains { $0.recordID == "id13" })
        // Re-merging what is already merged (an interrupted merge redone) changes nothing.
        try await store.mergeRecentBands()
        try await store.mergeRecentBands()
        #expect(try await loggedRecords(store) == 0)
        #expect(try await store.fingerprints(sharingAnyOf: [1_000_000]).count == 15)
        #expect(try await store.fingerprints(sharingAnyOf: [13]).map(\.recordID) == ["id13"])
    }
}
