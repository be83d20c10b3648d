/// What the store keeps per decided article.
public struct FingerprintRecord: Sendable, Hashable {
    public var recordID: String
    public var canonicalURL: String
    /// Nil when the text had no words: such texts never match by content.
    public var contentHash: String?
    /// Distinct shingles of the text (0 without a signature).
    public var shingleCount: Int
    /// Nil for texts too short for near-duplicate detection.
    public var signature: MinHashSignature?
    /// LSH band keys of the signature (empty without one); index these.
    public var bandKeys: [UInt64]
    /// The first record this one duplicates, nil for an original.
    public var duplicateOf: String?

    public init(
        recordID: String, canonicalURL: String, contentHash: String?, shingleCount: Int,
        signature: MinHashSignature?, bandKeys: [UInt64], duplicateOf: String?
    ) {
        self.shingleCount = shingleCount
        self.recordID = recordID
        self.canonicalURL = canonicalURL
        self.contentHash = contentHash
        self.signature = signature
        self.bandKeys = bandKeys
        self.duplicateOf = duplicateOf
    }

    /// The original of this record's group. Every record with one content hash has the same
    /// root, so a store may answer a content-hash lookup with any of them.
    public var rootID: String { duplicateOf ?? recordID }
}

/// Persistent fingerprints of committed records. The SQLite state store implements this;
/// `InMemoryDeduplicationStore` is the reference implementation.
///
/// Band keys are unsigned 64-bit values; a SQLite store keeps `Int64(bitPattern:)`. Signatures
/// round-trip through `MinHashSignature.littleEndianBytes`.
public protocol DeduplicationStore: Sendable {
    /// The record exported at this canonical URL, if any.
    func fingerprint(canonicalURL: String) async throws -> FingerprintRecord?
    /// Any record whose text folds to this content hash.
    func fingerprint(contentHash: String) async throws -> FingerprintRecord?
    /// Records sharing at least one band key with `bandKeys` (near-duplicate candidates), each
    /// once, in insertion order. Records a store returns may leave `bandKeys` empty: lookups
    /// need only their ids, roots and signatures.
    func fingerprints(sharingAnyOf bandKeys: [UInt64]) async throws -> [FingerprintRecord]
    /// Stores a batch's records; called with the batch's export file, in one transaction.
    func commit(_ pending: PendingFingerprints) async throws
}

/// Fingerprints decided but not yet committed, as one batch (typically: one export file).
/// Decisions see them like committed ones until the batch is committed or discarded.
public struct PendingFingerprints: Sendable, Equatable {
    /// Increases with every batch a `Deduplicator` seals.
    public let batchNumber: Int
    /// In decision order.
    public private(set) var records: [FingerprintRecord] = []

    private var indexByURL: [String: Int] = [:]
    private var indexByContentHash: [String: Int] = [:]
    private var indicesByBandKey: [UInt64: [Int]] = [:]

    init(batchNumber: Int) {
        self.batchNumber = batchNumber
    }

    public var isEmpty: Bool { records.isEmpty }

    mutating func append(_ record: FingerprintRecord) {
        let index = records.count
        records.append(record)
        if indexByURL[record.canonicalURL] == nil { indexByURL[record.canonicalURL] = index }
        if let hash = record.contentHash, indexByContentHash[hash] == nil { indexByContentHash[hash] = index }
        for key in record.bandKeys { indicesByBandKey[key, default: []].append(index) }
    }

    func fingerprint(canonicalURL: String) -> FingerprintRecord? {
        indexByURL[canonicalURL].map { records[$0] }
    }

    func fingerprint(contentHash: String) -> FingerprintRecord? {
        indexByContentHash[contentHash].map { records[$0] }
    }

    func fingerprints(sharingAnyOf bandKeys: [UInt64]) -> [FingerprintRecord] {
        var indices = Set<Int>()
        for key in bandKeys { indices.formUnion(indicesByBandKey[key] ?? []) }
        return indices.sorted().map { records[$0] }
    }

    public static func == (lhs: PendingFingerprints, rhs: PendingFingerprints) -> Bool {
        lhs.batchNumber == rhs.batchNumber && lhs.records == rhs.records
    }
}

/// A `DeduplicationStore` in memory: tests, one-shot runs, and the behaviour SQLite must match.
public actor InMemoryDeduplicationStore: DeduplicationStore {
    private var records: [FingerprintRecord] = []
    private var indexByURL: [String: Int] = [:]
    private var indexByContentHash: [String: Int] = [:]
    private var indicesByBandKey: [UInt64: [Int]] = [:]

    public init() {}

    public var count: Int { records.count }

    public func fingerprint(canonicalURL: String) -> FingerprintRecord? {
        indexByURL[canonicalURL].map { records[$0] }
    }

    public func fingerprint(contentHash: String) -> FingerprintRecord? {
        indexByContentHash[contentHash].map { records[$0] }
    }

    public func fingerprints(sharingAnyOf bandKeys: [UInt64]) -> [FingerprintRecord] {
        var indices = Set<Int>()
        for key in bandKeys { indices.formUnion(indicesByBandKey[key] ?? []) }
        return indices.sorted().map { records[$0] }
    }

    public func commit(_ pending: PendingFingerprints) {
        for record in pending.records {
            // A URL already stored keeps its first record, as a UNIQUE constraint would.
            guard indexByURL[record.canonicalURL] == nil else { continue }
            let index = records.count
            records.append(record)
            indexByURL[record.canonicalURL] = index
            if let hash = record.contentHash, indexByContentHash[hash] == nil { indexByContentHash[hash] = index }
            for key in record.bandKeys { indicesByBandKey[key, default: []].append(index) }
        }
    }
}
