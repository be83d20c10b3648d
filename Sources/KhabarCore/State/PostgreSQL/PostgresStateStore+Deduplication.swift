internal import Foundation
internal import PostgresNIO

/// The deduplicator's fingerprints in PostgreSQL, global to every daemon sharing the database:
/// whichever daemon decides an article first makes it the original, and copies other daemons
/// see afterwards point to it.
extension PostgresStateStore: DeduplicationStore {
    private static let recordColumns = "record_id, canonical_url, content_hash, shingle_count, signature, duplicate_of"

    public func fingerprint(canonicalURL: String) async throws -> FingerprintRecord? {
        try pool.withConnection { session in
            try session.query("SELECT \(unescaped: Self.recordColumns) FROM dedup_records WHERE canonical_url = \(canonicalURL)")
                .first.map(Self.fingerprintRecord)
        }
    }

    public func fingerprint(contentHash: String) async throws -> FingerprintRecord? {
        try pool.withConnection { session in
            try session.query("""
                SELECT \(unescaped: Self.recordColumns) FROM dedup_records WHERE content_hash = \(contentHash) ORDER BY sequence LIMIT 1
                """).first.map(Self.fingerprintRecord)
        }
    }

    /// The records sharing the most band keys with `bandKeys`, at most as many as the SQLite
    /// store returns, in one round trip. Records come back without their band keys.
    public func fingerprints(sharingAnyOf bandKeys: [UInt64]) async throws -> [FingerprintRecord] {
        let keys = Array(Set(bandKeys)).map { Int64(bitPattern: $0) }
        guard !keys.isEmpty else { return [] }
        return try pool.withConnection { session in
            try session.query("""
                SELECT r.record_id, r.canonical_url, r.content_hash, r.shingle_count, r.signature, r.duplicate_of
                FROM (
                    SELECT record_sequence, COUNT(*) AS shared FROM dedup_bands WHERE band_key = ANY(\(keys))
                    GROUP BY record_sequence ORDER BY shared DESC, record_sequence LIMIT \(SQLiteStateStore.candidateLimit)
                ) AS best
                JOIN dedup_records r ON r.sequence = best.record_sequence
                ORDER BY r.sequence
                """).map(Self.fingerprintRecord)
        }
    }

    public func commit(_ pending: PendingFingerprints) async throws {
        guard !pending.isEmpty else { return }
        try pool.transaction { session in
            for record in pending.records {
                // A URL already stored (by any daemon) keeps its first record.
                let inserted = try session.query("""
                    INSERT INTO dedup_records (record_id, canonical_url, content_hash, shingle_count, signature, duplicate_of)
                    VALUES (\(record.recordID), \(record.canonicalURL), \(record.contentHash), \(record.shingleCount),
                        \(record.signature.map { Data($0.littleEndianBytes) }), \(record.duplicateOf))
                    ON CONFLICT DO NOTHING
                    RETURNING sequence
                    """)
                guard let sequence = try inserted.first.map({ try $0.decode(Int64.self) }) else { continue }
                let keys = Array(Set(record.bandKeys)).map { Int64(bitPattern: $0) }
                guard !keys.isEmpty else { continue }
                try session.query("""
                    INSERT INTO dedup_bands (band_key, record_sequence)
                    SELECT band_key, \(sequence) FROM unnest(\(keys)) AS probe (band_key)
                    ON CONFLICT DO NOTHING
                    """)
            }
        }
    }

    private static func fingerprintRecord(_ row: PostgresRow) throws -> FingerprintRecord {
        let (id, url, contentHash, shingles, signature, duplicateOf) = try row.decode((String, String, String?, Int, Data?, String?).self)
        return FingerprintRecord(
            recordID: id, canonicalURL: url, contentHash: contentHash, shingleCount: shingles,
            signature: signature.flatMap { MinHashSignature(littleEndianBytes: Array($0)) }, bandKeys: [], duplicateOf: duplicateOf)
    }
}
