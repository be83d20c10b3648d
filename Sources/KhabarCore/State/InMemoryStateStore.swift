internal import Foundation

/// The whole `StateStore` in memory, behind one lock: for tests and one-shot runs. It keeps the
/// SQLite store's semantics (a ledger commit is all or nothing; first content hash wins).
public final class InMemoryStateStore: StateStore, @unchecked Sendable {
    // Every stored property below is read and written only while `lock` is held.
    private let lock = NSLock()
    private var urlStates: [String: URLFetchState] = [:]
    private var contentHashes: [[UInt8]: String] = [:]
    private var signatures: [String: [UInt8]] = [:]
    private var bandsByRecord: [String: Set<SignatureBand>] = [:]
    private var recordsByBand: [SignatureBand: Set<String>] = [:]
    private var boilerplateDocuments: [String: Int] = [:]
    private var boilerplateLines: [String: [UInt64: Int]] = [:]
    private var files: [String: ExportFileEntry] = [:]
    private var exported: [String: (recordID: String, fileName: String)] = [:]

    public init() {}

    // MARK: URLStateStore

    public func urlState(for canonicalURL: String) throws -> URLFetchState? {
        lock.withLock { urlStates[canonicalURL] }
    }

    public func saveURLState(_ state: URLFetchState) throws {
        lock.withLock { urlStates[state.canonicalURL] = state }
    }

    // MARK: FingerprintStore

    public func recordID(forContentHash contentHash: [UInt8]) throws -> String? {
        lock.withLock { contentHashes[contentHash] }
    }

    public func nearDuplicateCandidates(sharingAnyOf bands: [SignatureBand], limit: Int) throws -> [NearDuplicateCandidate] {
        lock.withLock {
            var shared: [String: Int] = [:]
            for band in Set(bands) {
                for id in recordsByBand[band] ?? [] { shared[id, default: 0] += 1 }
            }
            return shared.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(max(0, limit))
                .map { NearDuplicateCandidate(recordID: $0.key, signature: signatures[$0.key] ?? [], sharedBands: $0.value) }
        }
    }

    public func storeFingerprints(_ fingerprints: [ContentFingerprint]) throws {
        lock.withLock { insertLocked(fingerprints) }
    }

    private func insertLocked(_ fingerprints: [ContentFingerprint]) {
        for fingerprint in fingerprints {
            if contentHashes[fingerprint.contentHash] == nil { contentHashes[fingerprint.contentHash] = fingerprint.recordID }
            signatures[fingerprint.recordID] = fingerprint.signature
            for band in bandsByRecord[fingerprint.recordID] ?? [] { recordsByBand[band]?.remove(fingerprint.recordID) }
            let bands = Set(fingerprint.bands)
            bandsByRecord[fingerprint.recordID] = bands
            for band in bands { recordsByBand[band, default: []].insert(fingerprint.recordID) }
        }
    }

    // MARK: BoilerplateLineStore

    public func recordDocument(source: String, lineHashes: Set<UInt64>) throws {
        lock.withLock {
            boilerplateDocuments[source, default: 0] += 1
            for hash in lineHashes { boilerplateLines[source, default: [:]][hash, default: 0] += 1 }
        }
    }

    public func documentCount(source: String) throws -> Int {
        lock.withLock { boilerplateDocuments[source] ?? 0 }
    }

    public func lineDocumentCounts(source: String, lineHashes: [UInt64]) throws -> [UInt64: Int] {
        lock.withLock {
            let counts = boilerplateLines[source] ?? [:]
            var found: [UInt64: Int] = [:]
            for hash in lineHashes { if let count = counts[hash] { found[hash] = count } }
            return found
        }
    }

    public func lineDocumentCounts(source: String, minimumDocuments: Int) throws -> [UInt64: Int] {
        lock.withLock { (boilerplateLines[source] ?? [:]).filter { $0.value >= minimumDocuments } }
    }

    // MARK: ExportLedger

    public func commitFinishedFile(_ file: ExportFileEntry, records: [ExportedRecordKey], pending: PendingState) throws {
        try lock.withLock {
            // Validate everything first so a refused commit changes nothing.
            var seen: Set<String> = []
            let clashing = records.map(\.canonicalURL).filter { exported[$0] != nil || !seen.insert($0).inserted }
            guard clashing.isEmpty else { throw AlreadyExportedError(canonicalURLs: clashing.sorted()) }
            guard files[file.name] == nil else { throw AlreadyExportedError(canonicalURLs: [], fileName: file.name) }
            files[file.name] = file
            for record in records { exported[record.canonicalURL] = (record.recordID, file.name) }
            insertLocked(pending.fingerprints)
        }
    }

    public func finishedFile(named name: String) throws -> ExportFileEntry? {
        lock.withLock { files[name] }
    }

    public func finishedFiles() throws -> [ExportFileEntry] {
        lock.withLock { files.values.sorted { ($0.sequence, $0.name) < ($1.sequence, $1.name) } }
    }

    public func lastSequence() throws -> Int? {
        lock.withLock { files.values.map(\.sequence).max() }
    }

    public func isExported(canonicalURL: String) throws -> Bool {
        lock.withLock { exported[canonicalURL] != nil }
    }

    public func exportedCanonicalURLs(among canonicalURLs: [String]) throws -> Set<String> {
        lock.withLock { Set(canonicalURLs.filter { exported[$0] != nil }) }
    }

    public func recordIDs(inFile name: String) throws -> [String] {
        lock.withLock { exported.values.filter { $0.fileName == name }.map(\.recordID) }
    }
}
