public import Foundation

// The daemon's durable state, split by the stage that owns each part, so a stage depends only on
// what it uses and a different backend (PostgreSQL) can implement the same protocols later.
//
// Methods are synchronous: every call is one short SQLite statement or transaction, and the
// exporter's finalize sequence (fsync → commit → rename) must not interleave with other work
// on the exporter, which an `await` inside an actor would allow. Call them from async code
// directly; they block the calling thread only for the statement.

/// What the fetcher remembers about one canonical URL between fetches.
public struct URLFetchState: Sendable, Equatable {
    public var canonicalURL: String
    /// Validators for the next conditional GET (`If-None-Match` / `If-Modified-Since`).
    public var etag: String?
    public var lastModified: String?
    /// HTTP status of the last attempt; nil when it failed below HTTP (DNS, TLS, timeout).
    public var lastStatus: Int?
    public var firstSeenAt: Date
    public var lastFetchedAt: Date?
    /// The last time the page came back with new content (a 2xx, not a 304).
    public var lastChangedAt: Date?
    /// Failed attempts since the last success, for backoff.
    public var consecutiveFailures: Int

    public init(
        canonicalURL: String, etag: String? = nil, lastModified: String? = nil, lastStatus: Int? = nil,
        firstSeenAt: Date, lastFetchedAt: Date? = nil, lastChangedAt: Date? = nil,
        consecutiveFailures: Int = 0
    ) {
        self.canonicalURL = canonicalURL
        self.etag = etag
        self.lastModified = lastModified
        self.lastStatus = lastStatus
        self.firstSeenAt = firstSeenAt
        self.lastFetchedAt = lastFetchedAt
        self.lastChangedAt = lastChangedAt
        self.consecutiveFailures = consecutiveFailures
    }
}

/// One fetch attempt to remember (`URLStateStore.recordFetches`).
public struct FetchAttempt: Sendable, Equatable {
    public var canonicalURL: String
    /// HTTP status; nil when the attempt failed below HTTP.
    public var status: Int?
    public var etag: String?
    public var lastModified: String?
    public var time: Date

    public init(canonicalURL: String, status: Int?, etag: String?, lastModified: String?, at time: Date) {
        self.canonicalURL = canonicalURL
        self.status = status
        self.etag = etag
        self.lastModified = lastModified
        self.time = time
    }
}

/// Seen canonical URLs with their validators and fetch history.
public protocol URLStateStore: Sendable {
    func urlState(for canonicalURL: String) throws -> URLFetchState?
    /// Inserts or replaces the state of `state.canonicalURL`.
    func saveURLState(_ state: URLFetchState) throws
    /// Records many fetch attempts at once (one transaction where the store has them).
    func recordFetches(_ attempts: [FetchAttempt]) throws
}

extension URLFetchState {
    /// The state after `attempt`: keeps `firstSeenAt`, replaces validators only when the server
    /// sent some (a 304 may omit them), and counts failures (no status, or 4xx/5xx other than 304).
    public static func after(_ attempt: FetchAttempt, previous: URLFetchState?) -> URLFetchState {
        var state = previous ?? URLFetchState(canonicalURL: attempt.canonicalURL, firstSeenAt: attempt.time)
        state.lastStatus = attempt.status
        state.lastFetchedAt = attempt.time
        let succeeded = attempt.status.map { (200..<400).contains($0) } ?? false
        if succeeded {
            state.consecutiveFailures = 0
            if attempt.etag != nil || attempt.lastModified != nil {
                state.etag = attempt.etag
                state.lastModified = attempt.lastModified
            }
            if let status = attempt.status, (200..<300).contains(status) { state.lastChangedAt = attempt.time }
        } else {
            state.consecutiveFailures += 1
        }
        return state
    }
}

extension URLStateStore {
    /// Records one fetch attempt (`URLFetchState.after`).
    @discardableResult
    public func recordFetch(
        canonicalURL: String, status: Int?, etag: String?, lastModified: String?, at time: Date
    ) throws -> URLFetchState {
        let attempt = FetchAttempt(canonicalURL: canonicalURL, status: status, etag: etag, lastModified: lastModified, at: time)
        let state = URLFetchState.after(attempt, previous: try urlState(for: canonicalURL))
        try saveURLState(state)
        return state
    }

    public func recordFetches(_ attempts: [FetchAttempt]) throws {
        for attempt in attempts {
            try recordFetch(
                canonicalURL: attempt.canonicalURL, status: attempt.status, etag: attempt.etag,
                lastModified: attempt.lastModified, at: attempt.time)
        }
    }
}

/// One LSH band of a near-duplicate signature: records sharing a `(band, key)` pair are
/// candidates. Both numbers are the Deduplicator's; the store only indexes them.
public struct SignatureBand: Sendable, Hashable {
    public var band: Int
    public var key: UInt64

    public init(band: Int, key: UInt64) {
        self.band = band
        self.key = key
    }
}

/// The fingerprints of one exported record, as the Deduplicator computed them.
public struct ContentFingerprint: Sendable, Equatable {
    public var recordID: String
    /// Exact-duplicate key (e.g. the digest behind `ArticleRecord.contentHash`).
    public var contentHash: [UInt8]
    /// The whole near-duplicate signature (e.g. MinHash values), returned with candidates so
    /// the Deduplicator can estimate similarity without recomputing it.
    public var signature: [UInt8]
    public var bands: [SignatureBand]

    public init(recordID: String, contentHash: [UInt8], signature: [UInt8] = [], bands: [SignatureBand] = []) {
        self.recordID = recordID
        self.contentHash = contentHash
        self.signature = signature
        self.bands = bands
    }
}

/// A stored record that shares at least one signature band with a probe.
public struct NearDuplicateCandidate: Sendable, Equatable {
    public var recordID: String
    public var signature: [UInt8]
    public var sharedBands: Int

    public init(recordID: String, signature: [UInt8], sharedBands: Int) {
        self.recordID = recordID
        self.signature = signature
        self.sharedBands = sharedBands
    }
}

/// Content fingerprints of exported records. They are written together with the export file
/// that holds their records (`ExportLedger.commitFinishedFile`), so after a crash the store never
/// knows a fingerprint whose record is not in a finished file.
public protocol FingerprintStore: Sendable {
    /// The first record stored with this exact content hash.
    func recordID(forContentHash contentHash: [UInt8]) throws -> String?
    /// Stored records sharing any of `bands`, most shared bands first, at most `limit`.
    func nearDuplicateCandidates(sharingAnyOf bands: [SignatureBand], limit: Int) throws -> [NearDuplicateCandidate]
    /// Stores fingerprints outside an export (imports, tools). The first record stored for a
    /// content hash keeps it; storing a record id again replaces its signature and bands.
    func storeFingerprints(_ fingerprints: [ContentFingerprint]) throws
}

/// Per-source counts of line hashes, for learning a site's boilerplate lines (a line seen in
/// many of a source's documents is template, not article).
public protocol BoilerplateLineStore: Sendable {
    /// Counts one document of `source` and each distinct line hash in it once.
    func recordDocument(source: String, lineHashes: Set<UInt64>) throws
    /// Documents recorded for `source`.
    func documentCount(source: String) throws -> Int
    /// How many of `source`'s documents held each of `lineHashes` (absent: none).
    func lineDocumentCounts(source: String, lineHashes: [UInt64]) throws -> [UInt64: Int]
    /// Every line hash of `source` seen in at least `minimumDocuments` documents, with its count.
    func lineDocumentCounts(source: String, minimumDocuments: Int) throws -> [UInt64: Int]
    /// `recordDocument` for many documents (source → each document's line hashes), at once.
    func recordDocuments(_ documents: [String: [Set<UInt64>]]) throws
}

extension BoilerplateLineStore {
    public func recordDocuments(_ documents: [String: [Set<UInt64>]]) throws {
        for (source, hashSets) in documents {
            for hashes in hashSets { try recordDocument(source: source, lineHashes: hashes) }
        }
    }
}

/// A finished export file as the ledger records it.
public struct ExportFileEntry: Sendable, Equatable, Codable {
    /// File name in the output directory (`articles-20260101T120000Z-000001.jsonl`).
    public var name: String
    public var sequence: Int
    public var recordCount: Int
    /// Size on disk (compressed size for `.jsonl.gz`).
    public var byteCount: Int
    /// Lowercase hex SHA-256 of the bytes on disk.
    public var sha256: String
    /// Earliest and latest `fetched_at` of the file's records.
    public var firstFetchedAt: String?
    public var lastFetchedAt: String?
    public var finishedAt: Date

    public init(
        name: String, sequence: Int, recordCount: Int, byteCount: Int, sha256: String,
        firstFetchedAt: String?, lastFetchedAt: String?, finishedAt: Date
    ) {
        self.name = name
        self.sequence = sequence
        self.recordCount = recordCount
        self.byteCount = byteCount
        self.sha256 = sha256
        self.firstFetchedAt = firstFetchedAt
        self.lastFetchedAt = lastFetchedAt
        self.finishedAt = finishedAt
    }
}

/// A record written to an export file.
public struct ExportedRecordKey: Sendable, Hashable {
    public var recordID: String
    public var canonicalURL: String

    public init(recordID: String, canonicalURL: String) {
        self.recordID = recordID
        self.canonicalURL = canonicalURL
    }
}

/// State produced upstream for records in the open export file, committed in the same
/// transaction as that file, and dropped with it if it never finishes.
public struct PendingState: Sendable, Equatable {
    public var fingerprints: [ContentFingerprint]

    public init(fingerprints: [ContentFingerprint] = []) {
        self.fingerprints = fingerprints
    }

    public var isEmpty: Bool { fingerprints.isEmpty }

    public mutating func merge(_ other: PendingState) {
        fingerprints.append(contentsOf: other.fingerprints)
    }
}

/// Which export files are finished and which records they hold: the exporter's checkpoint.
public protocol ExportLedger: Sendable {
    /// In one transaction: records `file` as finished, marks each of `records` exported, and
    /// stores `pending`. Throws, committing nothing, if a canonical URL is already exported.
    func commitFinishedFile(_ file: ExportFileEntry, records: [ExportedRecordKey], pending: PendingState) throws
    func finishedFile(named name: String) throws -> ExportFileEntry?
    /// Every finished file, in sequence order.
    func finishedFiles() throws -> [ExportFileEntry]
    /// The highest sequence number of any finished file.
    func lastSequence() throws -> Int?
    func isExported(canonicalURL: String) throws -> Bool
    /// The subset of `canonicalURLs` already exported.
    func exportedCanonicalURLs(among canonicalURLs: [String]) throws -> Set<String>
    /// Record ids held by the finished file `name`, in no particular order.
    func recordIDs(inFile name: String) throws -> [String]
}

/// The whole state of the daemon, as one object.
public protocol StateStore: URLStateStore, FingerprintStore, BoilerplateLineStore, ExportLedger {}

/// A ledger refused a commit because some records were exported already.
public struct AlreadyExportedError: Error, CustomStringConvertible, Sendable {
    public var canonicalURLs: [String]
    /// Set when the file itself was recorded already.
    public var fileName: String?

    public init(canonicalURLs: [String], fileName: String? = nil) {
        self.canonicalURLs = canonicalURLs
        self.fileName = fileName
    }

    public var description: String {
        if let fileName { return "ledger: export file \(fileName) is recorded already" }
        return "ledger: \(canonicalURLs.count) record(s) already exported, e.g. \(canonicalURLs.first ?? "?")"
    }
}
