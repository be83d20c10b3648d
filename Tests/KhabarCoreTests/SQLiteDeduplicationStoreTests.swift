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
        #expect(Set(first.bandKeys) == [1, 2, UInt64.max])
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
}
