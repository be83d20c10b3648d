internal import Foundation
internal import GRDB

/// The deduplicator's fingerprints, persisted next to the rest of the state so decisions hold
/// across restarts.
extension SQLiteStateStore: DeduplicationStore {
    public func fingerprint(canonicalURL: String) async throws -> FingerprintRecord? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM dedup_records WHERE canonical_url = ?"), arguments: [canonicalURL])
                .map { try Self.fingerprintRecord($0, db: db) }
        }
    }

    public func fingerprint(contentHash: String) async throws -> FingerprintRecord? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM dedup_records WHERE content_hash = ? ORDER BY sequence LIMIT 1"), arguments: [contentHash])
                .map { try Self.fingerprintRecord($0, db: db) }
        }
    }

    /// The records sharing the most band keys with `bandKeys`, at most `candidateLimit`. A
    /// story republished thousands of times would otherwise make every new copy read every
    /// earlier one; the closest copies share the most bands, and every member of a group points
    /// to the same root, so the best candidates are enough. Their band keys are not read back
    /// (candidates are compared by signature).
    public func fingerprints(sharingAnyOf bandKeys: [UInt64]) async throws -> [FingerprintRecord] {
        guard !bandKeys.isEmpty else { return [] }
        return try await pool.read { db in
            let keys = bandKeys.map { Int64(bitPattern: $0) }
            let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ",")
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT r.* FROM dedup_records r JOIN (
                    SELECT record_sequence, COUNT(*) AS shared FROM dedup_bands
                    WHERE band_key IN (\(placeholders)) GROUP BY record_sequence
                    ORDER BY shared DESC, record_sequence LIMIT \(Self.candidateLimit)
                ) c ON r.sequence = c.record_sequence
                ORDER BY r.sequence
                """), arguments: StatementArguments(keys))
            return try rows.map { try Self.fingerprintRecord($0, db: db, withBandKeys: false) }
        }
    }

    static let candidateLimit = 64

    public func commit(_ pending: PendingFingerprints) async throws {
        guard !pending.isEmpty else { return }
        try await pool.write { db in
            for record in pending.records {
                try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO dedup_records (record_id, canonical_url, content_hash, shingle_count, signature, duplicate_of)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [record.recordID, record.canonicalURL, record.contentHash, record.shingleCount,
                                     record.signature.map { Data($0.littleEndianBytes) }, record.duplicateOf])
                guard db.changesCount > 0 else { continue }
                let sequence = db.lastInsertedRowID
                for key in Set(record.bandKeys) {
                    try db.cachedStatement(sql: "INSERT OR IGNORE INTO dedup_bands (band_key, record_sequence) VALUES (?, ?)").execute(
                                   arguments: [Int64(bitPattern: key), sequence])
                }
            }
        }
    }

    private static func fingerprintRecord(_ row: Row, db: Database, withBandKeys: Bool = true) throws -> FingerprintRecord {
        let sequence: Int64 = row["sequence"]
        let bandKeys = withBandKeys
            ? try Int64.fetchAll(db.cachedStatement(sql: "SELECT band_key FROM dedup_bands WHERE record_sequence = ?"), arguments: [sequence]).map { UInt64(bitPattern: $0) }
            : []
        let signature = (row["signature"] as Data?).flatMap { MinHashSignature(littleEndianBytes: Array($0)) }
        return FingerprintRecord(
            recordID: row["record_id"], canonicalURL: row["canonical_url"], contentHash: row["content_hash"],
            shingleCount: row["shingle_count"], signature: signature, bandKeys: bandKeys, duplicateOf: row["duplicate_of"])
    }
}
