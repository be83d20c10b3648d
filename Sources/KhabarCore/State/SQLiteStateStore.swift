public import Foundation
internal import GRDB

/// The embedded state store: one SQLite database (`khabar.sqlite`) in the state directory,
/// opened as a GRDB `DatabasePool` in WAL mode (readers never wait for the writer).
///
/// `synchronous = FULL`: a commit is on disk when `write` returns. The exporter relies on it:
/// it renames a finished file only after the ledger commit, and a commit lost in a power cut
/// after the rename would leave a finished file whose records are re-sent and written twice.
///
/// Migrations are versioned (`DatabaseMigrator`); a released migration is never edited, a
/// change is a new one appended in `makeMigrator()`. Opening an up-to-date database does nothing.
public final class SQLiteStateStore: StateStore {
    public static let databaseFileName = "khabar.sqlite"

    public let databaseURL: URL
    let pool: DatabasePool
    /// Band keys committed but not yet merged into `dedup_bands` (`RecentBandIndex`).
    let recentBands = LockedValue(RecentBandIndex())
    /// The sorted rows of a merge; its storage is kept for the next one (`RecentBandIndex.sortedRows`).
    let mergeRows = LockedValue<[(bandKey: Int64, sequence: Int64)]>([])
    /// Records whose band keys are merged into `dedup_bands` at once.
    let bandMergeThreshold: Int

    /// Opens (creating if needed) the store in `directory` and runs pending migrations.
    public convenience init(directory: URL) throws {
        try self.init(directory: directory, bandMergeThreshold: 10_000)
    }

    init(directory: URL, bandMergeThreshold: Int) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        databaseURL = directory.appendingPathComponent(Self.databaseFileName)
        self.bandMergeThreshold = max(1, bandMergeThreshold)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with NORMAL: a commit survives the process being killed (the WAL is written
            // before it returns) but not necessarily a power loss, and costs no fsync. The
            // export ledger, which the output's exactly-once rests on, commits with FULL
            // (`commitFinishedFile`); everything else can be redone after a power loss.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            guard !db.configuration.readonly else { return }
            // The writer also answers the deduplicator's lookups (a reader's page cache is
            // dropped whenever anyone commits, the writer's is not), so it gets a larger cache:
            // 16 MB instead of 2 MB. Checkpoints every 32 MB of WAL rather than 4 MB write a
            // page rewritten by several commits once.
            try db.execute(sql: "PRAGMA cache_size = -16384")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000")
        }
        pool = try DatabasePool(path: databaseURL.path, configuration: configuration)
        try Self.makeMigrator().migrate(pool)
        try loadRecentBands()
    }

    /// Identifiers of the migrations applied to the database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Self.makeMigrator().appliedMigrations(db) }
    }

    /// Every known migration identifier, oldest first.
    public static var knownMigrations: [String] { makeMigrator().migrations }

    private static func makeMigrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-state") { db in
            // Times are Unix seconds (REAL); UInt64 keys are stored as their Int64 bit pattern.
            try db.execute(sql: """
                CREATE TABLE url_state (
                    canonical_url TEXT PRIMARY KEY NOT NULL,
                    etag TEXT,
                    last_modified TEXT,
                    last_status INTEGER,
                    first_seen_at REAL NOT NULL,
                    last_fetched_at REAL,
                    last_changed_at REAL,
                    consecutive_failures INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;

                CREATE TABLE content_hashes (
                    content_hash BLOB PRIMARY KEY NOT NULL,
                    record_id TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE signatures (
                    record_id TEXT PRIMARY KEY NOT NULL,
                    signature BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE signature_bands (
                    band INTEGER NOT NULL,
                    band_key INTEGER NOT NULL,
                    record_id TEXT NOT NULL,
                    PRIMARY KEY (band, band_key, record_id)
                ) WITHOUT ROWID;
                CREATE INDEX signature_bands_record ON signature_bands(record_id);

                CREATE TABLE boilerplate_sources (
                    source TEXT PRIMARY KEY NOT NULL,
                    document_count INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE boilerplate_lines (
                    source TEXT NOT NULL,
                    line_hash INTEGER NOT NULL,
                    document_count INTEGER NOT NULL,
                    PRIMARY KEY (source, line_hash)
                ) WITHOUT ROWID;

                CREATE TABLE export_files (
                    name TEXT PRIMARY KEY NOT NULL,
                    sequence INTEGER NOT NULL,
                    record_count INTEGER NOT NULL,
                    byte_count INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    first_fetched_at TEXT,
                    last_fetched_at TEXT,
                    finished_at REAL NOT NULL
                );
                CREATE INDEX export_files_sequence ON export_files(sequence);
                CREATE TABLE exported_records (
                    canonical_url TEXT PRIMARY KEY NOT NULL,
                    record_id TEXT NOT NULL,
                    file_name TEXT NOT NULL REFERENCES export_files(name)
                ) WITHOUT ROWID;
                CREATE INDEX exported_records_file ON exported_records(file_name);
                """)
        }
        // Deduplication's own records: each decided article with its group's root, content
        // hash, MinHash signature and LSH band keys (`SQLiteStateStore+Deduplication.swift`).
        migrator.registerMigration("v2-deduplication") { db in
            try db.execute(sql: """
                CREATE TABLE dedup_records (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    record_id TEXT NOT NULL UNIQUE,
                    canonical_url TEXT NOT NULL UNIQUE,
                    content_hash TEXT,
                    shingle_count INTEGER NOT NULL,
                    signature BLOB,
                    duplicate_of TEXT
                );
                CREATE INDEX dedup_records_content_hash ON dedup_records(content_hash);
                CREATE TABLE dedup_bands (
                    band_key INTEGER NOT NULL,
                    record_sequence INTEGER NOT NULL,
                    PRIMARY KEY (band_key, record_sequence)
                ) WITHOUT ROWID;
                """)
        }
        // Band keys of records not yet merged into `dedup_bands`, one row per record (the keys
        // as little-endian UInt64s), appended in sequence order (`RecentBandIndex`).
        migrator.registerMigration("v3-band-log") { db in
            try db.execute(sql: """
                CREATE TABLE dedup_band_log (
                    record_sequence INTEGER PRIMARY KEY NOT NULL,
                    band_keys BLOB NOT NULL
                );
                """)
        }
        return migrator
    }

    // SQLite's default limit on bound parameters is 32766; stay far below it.
    private static let parameterChunk = 500
}

// MARK: URLStateStore

extension SQLiteStateStore {
    public func urlState(for canonicalURL: String) throws -> URLFetchState? {
        try pool.read { db in try Self.urlState(for: canonicalURL, db) }
    }

    public func saveURLState(_ state: URLFetchState) throws {
        try pool.write { db in try Self.save(state, db) }
    }

    public func recordFetches(_ attempts: [FetchAttempt]) throws {
        guard !attempts.isEmpty else { return }
        try pool.write { db in
            for attempt in attempts {
                try Self.save(URLFetchState.after(attempt, previous: try Self.urlState(for: attempt.canonicalURL, db)), db)
            }
        }
    }

    private static func urlState(for canonicalURL: String, _ db: Database) throws -> URLFetchState? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM url_state WHERE canonical_url = ?"), arguments: [canonicalURL])
            .map { row in
                URLFetchState(
                    canonicalURL: row["canonical_url"], etag: row["etag"], lastModified: row["last_modified"],
                    lastStatus: row["last_status"], firstSeenAt: date(row["first_seen_at"]) ?? Date(timeIntervalSince1970: 0),
                    lastFetchedAt: date(row["last_fetched_at"]), lastChangedAt: date(row["last_changed_at"]),
                    consecutiveFailures: row["consecutive_failures"])
            }
    }

    private static func save(_ state: URLFetchState, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO url_state (canonical_url, etag, last_modified, last_status,
                    first_seen_at, last_fetched_at, last_changed_at, consecutive_failures)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(
            arguments: [
                state.canonicalURL, state.etag, state.lastModified, state.lastStatus,
                state.firstSeenAt.timeIntervalSince1970, state.lastFetchedAt?.timeIntervalSince1970,
                state.lastChangedAt?.timeIntervalSince1970, state.consecutiveFailures,
            ])
    }

    private static func date(_ seconds: Double?) -> Date? { seconds.map(Date.init(timeIntervalSince1970:)) }
}

// MARK: FingerprintStore

extension SQLiteStateStore {
    public func recordID(forContentHash contentHash: [UInt8]) throws -> String? {
        try pool.read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT record_id FROM content_hashes WHERE content_hash = ?"), arguments: [Data(contentHash)])
        }
    }

    public func nearDuplicateCandidates(sharingAnyOf bands: [SignatureBand], limit: Int) throws -> [NearDuplicateCandidate] {
        guard !bands.isEmpty, limit > 0 else { return [] }
        return try pool.read { db in
            var shared: [String: Int] = [:]
            for band in Set(bands) {
                let ids = try String.fetchAll(
                    db.cachedStatement(sql: "SELECT record_id FROM signature_bands WHERE band = ? AND band_key = ?"),
                    arguments: [band.band, Int64(bitPattern: band.key)])
                for id in ids { shared[id, default: 0] += 1 }
            }
            let best = shared.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit)
            return try best.map { id, count in
                let signature = try Data.fetchOne(db.cachedStatement(sql: "SELECT signature FROM signatures WHERE record_id = ?"), arguments: [id])
                return NearDuplicateCandidate(recordID: id, signature: signature.map { Array($0) } ?? [], sharedBands: count)
            }
        }
    }

    public func storeFingerprints(_ fingerprints: [ContentFingerprint]) throws {
        try pool.write { db in try Self.insert(fingerprints, db) }
    }

    fileprivate static func insert(_ fingerprints: [ContentFingerprint], _ db: Database) throws {
        for fingerprint in fingerprints {
            try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO content_hashes (content_hash, record_id) VALUES (?, ?)").execute(
                arguments: [Data(fingerprint.contentHash), fingerprint.recordID])
            try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO signatures (record_id, signature) VALUES (?, ?)").execute(
                arguments: [fingerprint.recordID, Data(fingerprint.signature)])
            try db.cachedStatement(sql: "DELETE FROM signature_bands WHERE record_id = ?").execute(arguments: [fingerprint.recordID])
            for band in Set(fingerprint.bands) {
                try db.cachedStatement(
                    sql: "INSERT OR IGNORE INTO signature_bands (band, band_key, record_id) VALUES (?, ?, ?)").execute(
                    arguments: [band.band, Int64(bitPattern: band.key), fingerprint.recordID])
            }
        }
    }
}

// MARK: BoilerplateLineStore

extension SQLiteStateStore {
    public func recordDocuments(_ documents: [String: [Set<UInt64>]]) throws {
        try pool.write { db in
            for (source, hashSets) in documents {
                for hashes in hashSets { try Self.recordDocument(source: source, lineHashes: hashes, db) }
            }
        }
    }

    public func recordDocument(source: String, lineHashes: Set<UInt64>) throws {
        try pool.write { db in try Self.recordDocument(source: source, lineHashes: lineHashes, db) }
    }

    private static func recordDocument(source: String, lineHashes: Set<UInt64>, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO boilerplate_sources (source, document_count) VALUES (?, 1)
                ON CONFLICT(source) DO UPDATE SET document_count = document_count + 1
                """).execute(
            arguments: [source])
        for hash in lineHashes {
            try db.cachedStatement(
                sql: """
                    INSERT INTO boilerplate_lines (source, line_hash, document_count) VALUES (?, ?, 1)
                    ON CONFLICT(source, line_hash) DO UPDATE SET document_count = document_count + 1
                    """).execute(
                arguments: [source, Int64(bitPattern: hash)])
        }
    }

    public func documentCount(source: String) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT document_count FROM boilerplate_sources WHERE source = ?"), arguments: [source]) ?? 0
        }
    }

    public func lineDocumentCounts(source: String, lineHashes: [UInt64]) throws -> [UInt64: Int] {
        try pool.read { db in
            var counts: [UInt64: Int] = [:]
            for chunk in Array(Set(lineHashes)).chunked(Self.parameterChunk) {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT line_hash, document_count FROM boilerplate_lines
                        WHERE source = ? AND line_hash IN (\(databaseQuestionMarks(count: chunk.count)))
                        """,
                    arguments: StatementArguments([source as any DatabaseValueConvertible] + chunk.map { Int64(bitPattern: $0) }))
                for row in rows { counts[UInt64(bitPattern: row["line_hash"])] = row["document_count"] }
            }
            return counts
        }
    }

    public func lineDocumentCounts(source: String, minimumDocuments: Int) throws -> [UInt64: Int] {
        try pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT line_hash, document_count FROM boilerplate_lines WHERE source = ? AND document_count >= ?",
                arguments: [source, minimumDocuments])
            var counts: [UInt64: Int] = [:]
            for row in rows { counts[UInt64(bitPattern: row["line_hash"])] = row["document_count"] }
            return counts
        }
    }
}

// MARK: ExportLedger

extension SQLiteStateStore {
    public func commitFinishedFile(_ file: ExportFileEntry, records: [ExportedRecordKey], pending: PendingState) throws {
        try pool.writeWithoutTransaction { db in
            // Durable before the file is renamed: fsync the WAL at this commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
            try db.inTransaction {
                try Self.commitFinishedFile(file, records: records, pending: pending, db)
                return .commit
            }
        }
    }

    private static func commitFinishedFile(_ file: ExportFileEntry, records: [ExportedRecordKey], pending: PendingState, _ db: Database) throws {
        let already = try exported(among: records.map(\.canonicalURL), db)
        guard already.isEmpty else { throw AlreadyExportedError(canonicalURLs: already.sorted()) }
        try db.cachedStatement(
            sql: """
                INSERT INTO export_files (name, sequence, record_count, byte_count, sha256,
                    first_fetched_at, last_fetched_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(
            arguments: [
                file.name, file.sequence, file.recordCount, file.byteCount, file.sha256,
                file.firstFetchedAt, file.lastFetchedAt, file.finishedAt.timeIntervalSince1970,
            ])
        for record in records {
            try db.cachedStatement(
                sql: "INSERT INTO exported_records (canonical_url, record_id, file_name) VALUES (?, ?, ?)").execute(
                arguments: [record.canonicalURL, record.recordID, file.name])
        }
        try insert(pending.fingerprints, db)
    }

    public func finishedFile(named name: String) throws -> ExportFileEntry? {
        try pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM export_files WHERE name = ?"), arguments: [name]).map(Self.fileEntry)
        }
    }

    public func finishedFiles() throws -> [ExportFileEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM export_files ORDER BY sequence, name").map(Self.fileEntry)
        }
    }

    public func lastSequence() throws -> Int? {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT MAX(sequence) FROM export_files") }
    }

    public func isExported(canonicalURL: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM exported_records WHERE canonical_url = ?)"),
                arguments: [canonicalURL]) ?? false
        }
    }

    public func exportedCanonicalURLs(among canonicalURLs: [String]) throws -> Set<String> {
        try pool.read { db in try Self.exported(among: canonicalURLs, db) }
    }

    public func recordIDs(inFile name: String) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT record_id FROM exported_records WHERE file_name = ?"), arguments: [name])
        }
    }

    private static func exported(among canonicalURLs: [String], _ db: Database) throws -> Set<String> {
        var found: Set<String> = []
        for chunk in Array(Set(canonicalURLs)).chunked(parameterChunk) {
            let urls = try String.fetchAll(
                db,
                sql: """
                    SELECT canonical_url FROM exported_records
                    WHERE canonical_url IN (\(databaseQuestionMarks(count: chunk.count)))
                    """,
                arguments: StatementArguments(chunk))
            found.formUnion(urls)
        }
        return found
    }

    private static func fileEntry(_ row: Row) -> ExportFileEntry {
        ExportFileEntry(
            name: row["name"], sequence: row["sequence"], recordCount: row["record_count"],
            byteCount: row["byte_count"], sha256: row["sha256"], firstFetchedAt: row["first_fetched_at"],
            lastFetchedAt: row["last_fetched_at"],
            finishedAt: Date(timeIntervalSince1970: row["finished_at"]))
    }
}

extension Array {
    fileprivate func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
