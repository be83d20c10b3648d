internal import Foundation
public import Logging
internal import PostgresNIO
internal import Synchronization

/// The state in a PostgreSQL database, shared by every khabar daemon that names it
/// (`state: postgresql://…`).
///
/// What is global: URL fetch state and validators, the deduplicator's fingerprints, learned
/// boilerplate, and which canonical URLs are exported (the first daemon to commit an article
/// wins; a later commit of the same URL is refused with `AlreadyExportedError`). What is per
/// daemon: its export files, which live in its own output directory and are listed in
/// `export_files` under its `instance` name.
///
/// Migrations are versioned like the SQLite store's, applied under an advisory lock so
/// daemons starting together apply each once.
public final class PostgresStateStore: StateStore {
    public let location: PostgresLocation
    /// Names this daemon's export files in the shared ledger.
    public let instance: String
    let pool: PostgresConnectionPool

    /// Connects, and creates or migrates the schema.
    /// - Parameters:
    ///   - instance: this daemon's name in `export_files`; the same daemon (same output
    ///     directory) must use the same name across restarts.
    ///   - connections: connections held open (the pipeline's concurrent state calls).
    public init(location: PostgresLocation, instance: String, connections: Int = 8, logger: Logger = Logger(label: "khabar.state")) throws {
        self.location = location
        self.instance = instance
        pool = PostgresConnectionPool(location: location, size: connections, logger: logger)
        try migrate()
    }

    /// Statements sent to the server so far by this store (each is one round trip).
    public var statementCount: Int { pool.statements.count.load(ordering: .relaxed) }

    /// The default instance name: the host and the output directory, which two daemons never share.
    public static func defaultInstance(outputDirectory: String) -> String {
        "\(ProcessInfo.processInfo.hostName):\(URL(fileURLWithPath: outputDirectory).standardizedFileURL.path)"
    }

    // MARK: Schema

    /// Each migration is a list of statements (the extended protocol takes one at a time).
    /// A released migration is never edited; a change is a new one appended here.
    static let migrations: [(id: String, statements: [String])] = [
        ("v1-state", [
            """
            CREATE TABLE url_state (
                canonical_url TEXT PRIMARY KEY,
                etag TEXT,
                last_modified TEXT,
                last_status INTEGER,
                first_seen_at DOUBLE PRECISION NOT NULL,
                last_fetched_at DOUBLE PRECISION,
                last_changed_at DOUBLE PRECISION,
                consecutive_failures INTEGER NOT NULL DEFAULT 0
            )
            """,
            "CREATE TABLE content_hashes (content_hash BYTEA PRIMARY KEY, record_id TEXT NOT NULL)",
            "CREATE TABLE signatures (record_id TEXT PRIMARY KEY, signature BYTEA NOT NULL)",
            """
            CREATE TABLE signature_bands (
                band INTEGER NOT NULL, band_key BIGINT NOT NULL, record_id TEXT NOT NULL,
                PRIMARY KEY (band, band_key, record_id)
            )
            """,
            "CREATE INDEX signature_bands_record ON signature_bands (record_id)",
            "CREATE TABLE boilerplate_sources (source TEXT PRIMARY KEY, document_count BIGINT NOT NULL)",
            """
            CREATE TABLE boilerplate_lines (
                source TEXT NOT NULL, line_hash BIGINT NOT NULL, document_count BIGINT NOT NULL,
                PRIMARY KEY (source, line_hash)
            )
            """,
            """
            CREATE TABLE export_files (
                instance TEXT NOT NULL,
                name TEXT NOT NULL,
                sequence BIGINT NOT NULL,
                record_count BIGINT NOT NULL,
                byte_count BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                first_fetched_at TEXT,
                last_fetched_at TEXT,
                finished_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (instance, name)
            )
            """,
            """
            CREATE TABLE exported_records (
                canonical_url TEXT PRIMARY KEY,
                record_id TEXT NOT NULL,
                instance TEXT NOT NULL,
                file_name TEXT NOT NULL,
                FOREIGN KEY (instance, file_name) REFERENCES export_files (instance, name)
            )
            """,
            "CREATE INDEX exported_records_file ON exported_records (instance, file_name)",
            """
            CREATE TABLE dedup_records (
                sequence BIGSERIAL PRIMARY KEY,
                record_id TEXT NOT NULL UNIQUE,
                canonical_url TEXT NOT NULL UNIQUE,
                content_hash TEXT,
                shingle_count INTEGER NOT NULL,
                signature BYTEA,
                duplicate_of TEXT
            )
            """,
            "CREATE INDEX dedup_records_content_hash ON dedup_records (content_hash)",
            """
            CREATE TABLE dedup_bands (
                band_key BIGINT NOT NULL, record_sequence BIGINT NOT NULL,
                PRIMARY KEY (band_key, record_sequence)
            )
            """,
        ]),
        // Work sharing between daemons (`SharedFrontier`, `SharedHostSlots`): the URLs to
        // fetch, who holds which, and who is alive. A claim is good for as long as its holder's
        // heartbeat is; a dead daemon's claims return to the pool when its heartbeat runs out.
        ("v2-work-sharing", [
            """
            CREATE TABLE holders (
                holder TEXT PRIMARY KEY,
                alive_until TIMESTAMPTZ NOT NULL,
                started_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE frontier (
                canonical_url TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                source TEXT NOT NULL,
                discovered BIGSERIAL,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'claimed', 'done')),
                holder TEXT,
                claims INTEGER NOT NULL DEFAULT 0,
                claimed_at TIMESTAMPTZ
            )
            """,
            "CREATE INDEX frontier_pending ON frontier (discovered) WHERE state = 'pending'",
            "CREATE INDEX frontier_holder ON frontier (holder) WHERE state = 'claimed'",
            """
            CREATE TABLE source_owners (
                source TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                polled_at TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE host_slots (
                host TEXT NOT NULL,
                slot INTEGER NOT NULL,
                holder TEXT,
                taken_at TIMESTAMPTZ,
                PRIMARY KEY (host, slot)
            )
            """,
        ]),
        // Per-URL outcomes in the frontier: each claim ends done or failed as its item is
        // handled, not only when its holder finishes. A transient failure goes back to
        // `pending` with the attempts so far and a time before which no one claims it again;
        // past the attempts allowed, or at once for a failure that retrying cannot mend, it is
        // `failed`, with its last error.
        ("v3-frontier-outcomes", [
            "ALTER TABLE frontier DROP CONSTRAINT frontier_state_check",
            """
            ALTER TABLE frontier ADD CONSTRAINT frontier_state_check
                CHECK (state IN ('pending', 'claimed', 'done', 'failed'))
            """,
            "ALTER TABLE frontier ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE frontier ADD COLUMN next_attempt_at TIMESTAMPTZ",
            "ALTER TABLE frontier ADD COLUMN last_error TEXT",
            "ALTER TABLE frontier ADD COLUMN finished_at TIMESTAMPTZ",
        ]),
        // Request spacing per host across daemons (`SharedHostSlots`): the earliest start of
        // the next request to the host, reserved by whoever takes it.
        ("v4-host-pacing", [
            "CREATE TABLE host_pacing (host TEXT PRIMARY KEY, next_start_at TIMESTAMPTZ NOT NULL)",
        ]),
        // The rest of per-host politeness across daemons: robots.txt as one daemon fetched it,
        // for the others to use until it expires (`SharedRobotsTxtCache`; a `loading` row is
        // one daemon's claim to fetch it, until `expires_at`), and circuit-breaker pauses one
        // daemon decided, for the others to keep too (`SharedHostBreakers`).
        ("v5-shared-politeness", [
            """
            CREATE TABLE robots_txt (
                origin TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                answer TEXT NOT NULL CHECK (answer IN ('body', 'allow_all', 'unavailable', 'loading')),
                body BYTEA,
                fetched_at TIMESTAMPTZ NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX robots_txt_host ON robots_txt (host)",
            """
            CREATE TABLE host_pauses (
                host TEXT PRIMARY KEY,
                paused_until TIMESTAMPTZ NOT NULL,
                reason TEXT NOT NULL,
                paused_by TEXT NOT NULL,
                paused_at TIMESTAMPTZ NOT NULL
            )
            """,
        ]),
    ]

    public static var knownMigrations: [String] { migrations.map(\.id) }

    /// Identifiers of the migrations applied to the database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.withConnection { session in
            try session.query("SELECT id FROM khabar_migrations ORDER BY applied_order").map { try $0.decode(String.self) }
        }
    }

    /// An arbitrary constant: the advisory lock every khabar takes while migrating.
    private static let migrationLock: Int64 = 0x6B68_6162_6172

    private func migrate() throws {
        try pool.transaction { session in
            try session.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            try session.execute("""
                CREATE TABLE IF NOT EXISTS khabar_migrations (
                    id TEXT PRIMARY KEY,
                    applied_order INTEGER NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """)
            let applied = try session.query("SELECT id FROM khabar_migrations ORDER BY applied_order").map { try $0.decode(String.self) }
            if let unknown = applied.first(where: { !Self.knownMigrations.contains($0) }) { throw PostgresStateError.schemaTooNew(unknown) }
            for (order, migration) in Self.migrations.enumerated() where !applied.contains(migration.id) {
                for statement in migration.statements { try session.execute(statement) }
                try session.query("INSERT INTO khabar_migrations (id, applied_order) VALUES (\(migration.id), \(order))")
            }
        }
    }
}

// MARK: URLStateStore

extension PostgresStateStore {
    public func urlState(for canonicalURL: String) throws -> URLFetchState? {
        try pool.withConnection { try Self.urlState(for: canonicalURL, $0) }
    }

    public func saveURLState(_ state: URLFetchState) throws {
        try pool.withConnection { try Self.save(state, $0) }
    }

    public func recordFetches(_ attempts: [FetchAttempt]) throws {
        guard !attempts.isEmpty else { return }
        // In URL order, so two daemons recording overlapping batches lock rows in one order.
        let ordered = attempts.enumerated().sorted { ($0.element.canonicalURL, $0.offset) < ($1.element.canonicalURL, $1.offset) }.map(\.element)
        try pool.transaction { session in
            for attempt in ordered {
                try Self.save(URLFetchState.after(attempt, previous: try Self.urlState(for: attempt.canonicalURL, session, lock: true)), session)
            }
        }
    }

    private static func urlState(for canonicalURL: String, _ session: PostgresSession, lock: Bool = false) throws -> URLFetchState? {
        let rows = try session.query(lock
            ? """
              SELECT canonical_url, etag, last_modified, last_status, first_seen_at, last_fetched_at, last_changed_at,
                  consecutive_failures FROM url_state WHERE canonical_url = \(canonicalURL) FOR UPDATE
              """
            : """
              SELECT canonical_url, etag, last_modified, last_status, first_seen_at, last_fetched_at, last_changed_at,
                  consecutive_failures FROM url_state WHERE canonical_url = \(canonicalURL)
              """)
        return try rows.first.map { row in
            let (url, etag, lastModified, status, firstSeen, lastFetched, lastChanged, failures) = try row.decode(
                (String, String?, String?, Int?, Double, Double?, Double?, Int).self)
            return URLFetchState(
                canonicalURL: url, etag: etag, lastModified: lastModified, lastStatus: status,
                firstSeenAt: Date(timeIntervalSince1970: firstSeen), lastFetchedAt: lastFetched.map(Date.init(timeIntervalSince1970:)),
                lastChangedAt: lastChanged.map(Date.init(timeIntervalSince1970:)), consecutiveFailures: failures)
        }
    }

    private static func save(_ state: URLFetchState, _ session: PostgresSession) throws {
        try session.query("""
            INSERT INTO url_state (canonical_url, etag, last_modified, last_status, first_seen_at, last_fetched_at,
                last_changed_at, consecutive_failures)
            VALUES (\(state.canonicalURL), \(state.etag), \(state.lastModified), \(state.lastStatus),
                \(state.firstSeenAt.timeIntervalSince1970), \(state.lastFetchedAt?.timeIntervalSince1970),
                \(state.lastChangedAt?.timeIntervalSince1970), \(state.consecutiveFailures))
            ON CONFLICT (canonical_url) DO UPDATE SET etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,
                last_status = EXCLUDED.last_status, first_seen_at = EXCLUDED.first_seen_at,
                last_fetched_at = EXCLUDED.last_fetched_at, last_changed_at = EXCLUDED.last_changed_at,
                consecutive_failures = EXCLUDED.consecutive_failures
            """)
    }
}

// MARK: FingerprintStore

extension PostgresStateStore {
    public func recordID(forContentHash contentHash: [UInt8]) throws -> String? {
        try pool.withConnection { session in
            try session.query("SELECT record_id FROM content_hashes WHERE content_hash = \(Data(contentHash))")
                .first.map { try $0.decode(String.self) }
        }
    }

    public func nearDuplicateCandidates(sharingAnyOf bands: [SignatureBand], limit: Int) throws -> [NearDuplicateCandidate] {
        let unique = Array(Set(bands))
        guard !unique.isEmpty, limit > 0 else { return [] }
        return try pool.withConnection { session in
            let rows = try session.query("""
                SELECT b.record_id, COUNT(*) AS shared, s.signature
                FROM signature_bands b
                JOIN unnest(\(unique.map(\.band)), \(unique.map { Int64(bitPattern: $0.key) })) AS probe (band, band_key)
                    ON b.band = probe.band AND b.band_key = probe.band_key
                LEFT JOIN signatures s ON s.record_id = b.record_id
                GROUP BY b.record_id, s.signature
                ORDER BY shared DESC, b.record_id
                LIMIT \(limit)
                """)
            return try rows.map { row in
                let (id, shared, signature) = try row.decode((String, Int, Data?).self)
                return NearDuplicateCandidate(recordID: id, signature: signature.map { Array($0) } ?? [], sharedBands: shared)
            }
        }
    }

    public func storeFingerprints(_ fingerprints: [ContentFingerprint]) throws {
        try pool.transaction { try Self.insert(fingerprints, $0) }
    }

    fileprivate static func insert(_ fingerprints: [ContentFingerprint], _ session: PostgresSession) throws {
        for fingerprint in fingerprints {
            try session.query("""
                INSERT INTO content_hashes (content_hash, record_id) VALUES (\(Data(fingerprint.contentHash)), \(fingerprint.recordID))
                ON CONFLICT DO NOTHING
                """)
            try session.query("""
                INSERT INTO signatures (record_id, signature) VALUES (\(fingerprint.recordID), \(Data(fingerprint.signature)))
                ON CONFLICT (record_id) DO UPDATE SET signature = EXCLUDED.signature
                """)
            try session.query("DELETE FROM signature_bands WHERE record_id = \(fingerprint.recordID)")
            let bands = Array(Set(fingerprint.bands))
            guard !bands.isEmpty else { continue }
            try session.query("""
                INSERT INTO signature_bands (band, band_key, record_id)
                SELECT band, band_key, \(fingerprint.recordID)
                FROM unnest(\(bands.map(\.band)), \(bands.map { Int64(bitPattern: $0.key) })) AS probe (band, band_key)
                ON CONFLICT DO NOTHING
                """)
        }
    }
}

// MARK: BoilerplateLineStore

extension PostgresStateStore {
    public func recordDocument(source: String, lineHashes: Set<UInt64>) throws {
        try pool.transaction { try Self.recordDocument(source: source, lineHashes: lineHashes, $0) }
    }

    public func recordDocuments(_ documents: [String: [Set<UInt64>]]) throws {
        guard !documents.isEmpty else { return }
        try pool.transaction { session in
            // Sources and lines in one order in every daemon, so concurrent batches cannot deadlock.
            for source in documents.keys.sorted() {
                for hashes in documents[source]! { try Self.recordDocument(source: source, lineHashes: hashes, session) }
            }
        }
    }

    private static func recordDocument(source: String, lineHashes: Set<UInt64>, _ session: PostgresSession) throws {
        try session.query("""
            INSERT INTO boilerplate_sources (source, document_count) VALUES (\(source), 1)
            ON CONFLICT (source) DO UPDATE SET document_count = boilerplate_sources.document_count + 1
            """)
        guard !lineHashes.isEmpty else { return }
        let hashes = lineHashes.map { Int64(bitPattern: $0) }.sorted()
        try session.query("""
            INSERT INTO boilerplate_lines (source, line_hash, document_count)
            SELECT \(source), line_hash, 1 FROM unnest(\(hashes)) AS line (line_hash)
            ON CONFLICT (source, line_hash) DO UPDATE SET document_count = boilerplate_lines.document_count + 1
            """)
    }

    public func documentCount(source: String) throws -> Int {
        try pool.withConnection { session in
            try session.query("SELECT document_count FROM boilerplate_sources WHERE source = \(source)").first.map { try $0.decode(Int.self) } ?? 0
        }
    }

    public func lineDocumentCounts(source: String, lineHashes: [UInt64]) throws -> [UInt64: Int] {
        guard !lineHashes.isEmpty else { return [:] }
        return try pool.withConnection { session in
            try Self.counts(session.query("""
                SELECT line_hash, document_count FROM boilerplate_lines
                WHERE source = \(source) AND line_hash = ANY(\(Array(Set(lineHashes)).map { Int64(bitPattern: $0) }))
                """))
        }
    }

    public func lineDocumentCounts(source: String, minimumDocuments: Int) throws -> [UInt64: Int] {
        try pool.withConnection { session in
            try Self.counts(session.query("""
                SELECT line_hash, document_count FROM boilerplate_lines WHERE source = \(source) AND document_count >= \(minimumDocuments)
                """))
        }
    }

    private static func counts(_ rows: PostgresQueryResult) throws -> [UInt64: Int] {
        var counts: [UInt64: Int] = [:]
        for row in rows {
            let (hash, count) = try row.decode((Int64, Int).self)
            counts[UInt64(bitPattern: hash)] = count
        }
        return counts
    }
}

// MARK: ExportLedger

extension PostgresStateStore {
    /// Refuses the whole file, committing nothing, when another daemon (or this one) has
    /// exported any of its canonical URLs: the unique key on `exported_records` decides,
    /// so two daemons committing the same article at once cannot both win.
    public func commitFinishedFile(_ file: ExportFileEntry, records: [ExportedRecordKey], pending: PendingState) throws {
        try pool.transaction { session in
            if try session.query("SELECT 1 FROM export_files WHERE instance = \(instance) AND name = \(file.name)").first != nil {
                throw AlreadyExportedError(canonicalURLs: [], fileName: file.name)
            }
            try session.query("""
                INSERT INTO export_files (instance, name, sequence, record_count, byte_count, sha256, first_fetched_at,
                    last_fetched_at, finished_at)
                VALUES (\(instance), \(file.name), \(file.sequence), \(file.recordCount), \(file.byteCount), \(file.sha256),
                    \(file.firstFetchedAt), \(file.lastFetchedAt), \(file.finishedAt.timeIntervalSince1970))
                """)
            let inserted = try session.query("""
                INSERT INTO exported_records (canonical_url, record_id, instance, file_name)
                SELECT canonical_url, record_id, \(instance), \(file.name)
                FROM unnest(\(records.map(\.canonicalURL)), \(records.map(\.recordID))) AS record (canonical_url, record_id)
                ON CONFLICT (canonical_url) DO NOTHING
                RETURNING canonical_url
                """).map { try $0.decode(String.self) }
            if inserted.count != Set(records.map(\.canonicalURL)).count {
                let refused = Set(records.map(\.canonicalURL)).subtracting(inserted)
                throw AlreadyExportedError(canonicalURLs: refused.sorted())
            }
            try Self.insert(pending.fingerprints, session)
        }
    }

    public func finishedFile(named name: String) throws -> ExportFileEntry? {
        try pool.withConnection { session in
            try session.query("\(unescaped: Self.fileColumns) WHERE instance = \(instance) AND name = \(name)").first.map(Self.fileEntry)
        }
    }

    public func finishedFiles() throws -> [ExportFileEntry] {
        try pool.withConnection { session in
            try session.query("\(unescaped: Self.fileColumns) WHERE instance = \(instance) ORDER BY sequence, name").map(Self.fileEntry)
        }
    }

    /// Every daemon's finished files, for `khabar status` and readers that collect them all.
    public func allFinishedFiles() throws -> [(instance: String, file: ExportFileEntry)] {
        try pool.withConnection { session in
            try session.query("SELECT instance, \(unescaped: Self.fileColumnList) FROM export_files ORDER BY instance, sequence, name").map { row in
                (try row.decode(String.self), try Self.fileEntry(row, offset: 1))
            }
        }
    }

    public func lastSequence() throws -> Int? {
        try pool.withConnection { session in
            try session.query("SELECT MAX(sequence) FROM export_files WHERE instance = \(instance)").first.flatMap { try $0.decode(Int?.self) }
        }
    }

    public func isExported(canonicalURL: String) throws -> Bool {
        try pool.withConnection { session in
            try session.query("SELECT 1 FROM exported_records WHERE canonical_url = \(canonicalURL)").first != nil
        }
    }

    public func exportedCanonicalURLs(among canonicalURLs: [String]) throws -> Set<String> {
        guard !canonicalURLs.isEmpty else { return [] }
        return try pool.withConnection { session in
            Set(try session.query("SELECT canonical_url FROM exported_records WHERE canonical_url = ANY(\(Array(Set(canonicalURLs))))")
                .map { try $0.decode(String.self) })
        }
    }

    public func recordIDs(inFile name: String) throws -> [String] {
        try pool.withConnection { session in
            try session.query("SELECT record_id FROM exported_records WHERE instance = \(instance) AND file_name = \(name)")
                .map { try $0.decode(String.self) }
        }
    }

    private static let fileColumnList = "name, sequence, record_count, byte_count, sha256, first_fetched_at, last_fetched_at, finished_at"
    private static let fileColumns = "SELECT \(fileColumnList) FROM export_files"

    private static func fileEntry(_ row: PostgresRow) throws -> ExportFileEntry {
        try fileEntry(row, offset: 0)
    }

    private static func fileEntry(_ row: PostgresRow, offset: Int) throws -> ExportFileEntry {
        let cells = row.makeRandomAccess()
        return ExportFileEntry(
            name: try cells[offset].decode(String.self), sequence: try cells[offset + 1].decode(Int.self),
            recordCount: try cells[offset + 2].decode(Int.self), byteCount: try cells[offset + 3].decode(Int.self),
            sha256: try cells[offset + 4].decode(String.self), firstFetchedAt: try cells[offset + 5].decode(String?.self),
            lastFetchedAt: try cells[offset + 6].decode(String?.self),
            finishedAt: Date(timeIntervalSince1970: try cells[offset + 7].decode(Double.self)))
    }
}
