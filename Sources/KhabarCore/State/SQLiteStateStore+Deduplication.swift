internal import Foundation
internal import GRDB
internal import Synchronization

/// The deduplicator's fingerprints, persisted next to the rest of the state so decisions hold
/// across restarts.
///
/// Band keys live in two places: `dedup_bands`, a (band key, record) B-tree, and for the
/// records committed since the last merge, `dedup_band_log` plus its in-memory index
/// (`RecentBandIndex`). Lookups consult both; every `bandMergeThreshold` records the recent
/// keys are merged into the B-tree in key order and the log is cleared. The deduplicator's
/// lookups run on the writer connection, whose page cache survives other connections' commits.
extension SQLiteStateStore: DeduplicationStore {
    public func fingerprint(canonicalURL: String) async throws -> FingerprintRecord? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM dedup_records WHERE canonical_url = ?"), arguments: [canonicalURL])
                .map(Self.fingerprintRecord)
        }
    }

    public func fingerprint(contentHash: String) async throws -> FingerprintRecord? {
        try await pool.writeWithoutTransaction { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM dedup_records WHERE content_hash = ? ORDER BY sequence LIMIT 1"), arguments: [contentHash])
                .map(Self.fingerprintRecord)
        }
    }

    /// The records sharing the most band keys with `bandKeys`, at most `candidateLimit`. A
    /// story republished thousands of times would otherwise make every new copy read every
    /// earlier one; the closest copies share the most bands, and every member of a group points
    /// to the same root, so the best candidates are enough. Records come back without their
    /// band keys (candidates are compared by signature).
    public func fingerprints(sharingAnyOf bandKeys: [UInt64]) async throws -> [FingerprintRecord] {
        let keys = Array(Set(bandKeys))
        guard !keys.isEmpty else { return [] }
        let recent = recentBands.withLock { $0.sharedKeyCounts(keys) }
        let limit = Self.candidateLimit
        return try await pool.writeWithoutTransaction { db in
            var shared = recent
            let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ",")
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT record_sequence, COUNT(*) AS shared FROM dedup_bands
                WHERE band_key IN (\(placeholders)) GROUP BY record_sequence
                ORDER BY shared DESC, record_sequence LIMIT \(limit)
                """), arguments: StatementArguments(keys.map { Int64(bitPattern: $0) }))
            for row in rows {
                // A record is in both places only after an interrupted merge.
                let sequence: Int64 = row["record_sequence"]
                shared[sequence] = max(shared[sequence] ?? 0, row["shared"])
            }
            let best = shared.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map(\.key)
            guard !best.isEmpty else { return [] }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM dedup_records WHERE sequence IN (\(best.map(String.init).joined(separator: ","))) ORDER BY sequence"
            ).map(Self.fingerprintRecord)
        }
    }

    static let candidateLimit = 64

    public func commit(_ pending: PendingFingerprints) async throws {
        guard !pending.isEmpty else { return }
        let added = try await pool.write { db -> [(sequence: Int64, bandKeys: [UInt64])] in
            var added: [(sequence: Int64, bandKeys: [UInt64])] = []
            for record in pending.records {
                try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO dedup_records (record_id, canonical_url, content_hash, shingle_count, signature, duplicate_of)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [record.recordID, record.canonicalURL, record.contentHash, record.shingleCount,
                                     record.signature.map { Data($0.littleEndianBytes) }, record.duplicateOf])
                guard db.changesCount > 0 else { continue }
                let sequence = db.lastInsertedRowID
                let keys = Array(Set(record.bandKeys))
                guard !keys.isEmpty else { continue }
                try db.cachedStatement(sql: "INSERT INTO dedup_band_log (record_sequence, band_keys) VALUES (?, ?)")
                    .execute(arguments: [sequence, Self.blob(keys)])
                added.append((sequence, keys))
            }
            return added
        }
        let recordCount = recentBands.withLock { index in
            for record in added { index.add(sequence: record.sequence, bandKeys: record.bandKeys) }
            return index.recordCount
        }
        guard recordCount >= bandMergeThreshold else { return }
        // The batch is committed either way; a merge that fails (a full disk) leaves the keys
        // in the log and in memory, and the next commit tries again.
        try? await mergeRecentBands()
    }

    /// Moves the recent band keys into `dedup_bands`, in key order, in transactions of
    /// `mergeChunk` rows, then clears the log. Interrupted, it is redone from the log when the
    /// store next opens or merges (rows already moved are ignored).
    func mergeRecentBands() async throws {
        // Merges run one at a time (from `commit`, which the deduplicator awaits); the rows'
        // storage is taken out of its lock for the merge and put back after.
        var rows = mergeRows.withLock { stored in
            var taken: [(bandKey: Int64, sequence: Int64)] = []
            swap(&taken, &stored)
            return taken
        }
        defer {
            rows.removeAll(keepingCapacity: true)
            mergeRows.withLock { swap(&$0, &rows) }
        }
        let through = recentBands.withLock { index in
            index.sortedRows(into: &rows)
            return index.highestSequence
        }
        guard !rows.isEmpty else { return }
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + Self.mergeChunk, rows.count)]
            try await pool.write { db in
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO dedup_bands (band_key, record_sequence) VALUES (?, ?)")
                for row in chunk { try insert.execute(arguments: [row.bandKey, row.sequence]) }
            }
            start += Self.mergeChunk
        }
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM dedup_band_log WHERE record_sequence <= ?", arguments: [through])
        }
        recentBands.withLock { $0.removeAll() }
    }

    static let mergeChunk = 50_000

    /// Records whose band keys wait in `dedup_band_log` for the next merge.
    func unmergedBandRecordCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dedup_band_log") ?? 0 }
    }

    /// Rebuilds the in-memory index from `dedup_band_log` (opening the store).
    func loadRecentBands() throws {
        let logged = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT record_sequence, band_keys FROM dedup_band_log ORDER BY record_sequence").map { row in
                (sequence: row["record_sequence"] as Int64, bandKeys: Self.bandKeys(row["band_keys"] as Data))
            }
        }
        recentBands.withLock { index in
            index.removeAll()
            for record in logged { index.add(sequence: record.sequence, bandKeys: record.bandKeys) }
        }
    }

    private static func blob(_ keys: [UInt64]) -> Data {
        var data = Data(capacity: keys.count * 8)
        for key in keys { withUnsafeBytes(of: key.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    private static func bandKeys(_ blob: Data) -> [UInt64] {
        let bytes = [UInt8](blob)
        return stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { offset in
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
        }
    }

    /// A stored record, without its band keys: nothing that looks a record up needs them, and
    /// finding them would take an index on `dedup_bands.record_sequence` that every insert
    /// would have to maintain.
    private static func fingerprintRecord(_ row: Row) -> FingerprintRecord {
        let signature = (row["signature"] as Data?).flatMap { MinHashSignature(littleEndianBytes: Array($0)) }
        return FingerprintRecord(
            recordID: row["record_id"], canonicalURL: row["canonical_url"], contentHash: row["content_hash"],
            shingleCount: row["shingle_count"], signature: signature, bandKeys: [], duplicateOf: row["duplicate_of"])
    }
}
