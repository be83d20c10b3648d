internal import Foundation
public import Logging

/// A `BoilerplateMemory` kept in the state store, for the daemon and backfills: per source,
/// lines that recur in many of its documents (a signature, "follow us on …", a disclaimer the
/// extractor kept) are dropped from its later articles, across restarts.
///
/// Only short lines are counted (`maximumLineWords`): boilerplate is short, and counting every
/// paragraph of every article would grow the store by a row per paragraph for nothing.
/// Memory stays bounded: documents are written to the store in batches (`flushEvery`), and per
/// source only the lines already past `threshold.minimumDocuments` are held (read at the
/// source's first use, then updated with the counts of each batch's lines). Decisions therefore
/// lag the newest batch, which is harmless.
public final class StoredBoilerplateMemory: BoilerplateMemory, @unchecked Sendable {
    /// Lines longer than this are article text, never counted or dropped.
    public static let maximumLineWords = 30

    public let threshold: BoilerplateThreshold
    private let store: any BoilerplateLineStore
    private let flushEvery: Int
    private let logger: Logger

    private struct SourceState {
        var documents = 0
        /// Lines seen in at least `threshold.minimumDocuments` documents, with that count.
        var recurring: [UInt64: Int] = [:]
    }

    // Guards everything below; every access holds it (store calls included: they are short
    // and batched).
    private let lock = NSLock()
    private var sources: [String: SourceState] = [:]
    private var pending: [String: [Set<UInt64>]] = [:]
    private var pendingCount = 0

    public init(store: any BoilerplateLineStore, threshold: BoilerplateThreshold = BoilerplateThreshold(minimumDocuments: 20), flushEvery: Int = 64, logger: Logger = Logger(label: "khabar.boilerplate")) {
        self.store = store
        self.threshold = threshold
        self.flushEvery = max(1, flushEvery)
        self.logger = logger
    }

    private static func key(_ line: String) -> UInt64? {
        guard TextCleanerText.words(line) <= maximumLineWords else { return nil }
        return BoilerplateLineKey(line: line)?.value
    }

    public func recordDocument(lines: [String], source: String) {
        let keys = lines.map(Self.key)
        lock.lock()
        defer { lock.unlock() }
        record(keys, source: source)
    }

    public func isLearnedBoilerplate(_ line: String, source: String) -> Bool {
        guard let key = Self.key(line) else { return false }
        lock.lock()
        defer { lock.unlock() }
        return isLearned(key, source: source)
    }

    /// `lines` without the source's learned boilerplate, judged on what was learned before
    /// them; then records them as one more document of the source. Each line is folded once.
    public func dropLearned(from lines: [String], source: String) -> [String] {
        let keys = lines.map(Self.key)
        lock.lock()
        defer { lock.unlock() }
        let kept = zip(lines, keys).filter { line, key in key.map { !isLearned($0, source: source) } ?? true }.map(\.0)
        record(keys, source: source)
        return kept
    }

    /// Writes the documents recorded since the last batch to the store.
    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        flushLocked()
    }

    // The functions below run with `lock` held.

    private func isLearned(_ key: UInt64, source: String) -> Bool {
        loadIfNeeded(source)
        let state = sources[source]!
        return threshold.isMet(documentsWithLine: state.recurring[key] ?? 0, documentsOfSource: state.documents)
    }

    private func record(_ keys: [UInt64?], source: String) {
        loadIfNeeded(source)
        sources[source]!.documents += 1
        pending[source, default: []].append(Set(keys.compactMap { $0 }))
        pendingCount += 1
        if pendingCount >= flushEvery { flushLocked() }
    }

    private func loadIfNeeded(_ source: String) {
        guard sources[source] == nil else { return }
        var state = SourceState()
        do {
            state.documents = try store.documentCount(source: source) + (pending[source]?.count ?? 0)
            state.recurring = try store.lineDocumentCounts(source: source, minimumDocuments: threshold.minimumDocuments)
        } catch {
            logger.warning("learned boilerplate unavailable", metadata: ["source": "\(source)", "error": "\(error)"])
        }
        sources[source] = state
    }

    private func flushLocked() {
        guard pendingCount > 0 else { return }
        let batch = pending
        pending = [:]
        pendingCount = 0
        do {
            try store.recordDocuments(batch)
        } catch {
            // Counts are a heuristic: a lost batch only delays what is learned.
            logger.warning("learned boilerplate not saved", metadata: ["error": "\(error)"])
        }
        // Only the batch's own lines can have crossed the threshold: read back their counts.
        for (source, hashSets) in batch {
            guard var state = sources[source] else { continue }
            do {
                let counts = try store.lineDocumentCounts(source: source, lineHashes: Array(hashSets.reduce(into: Set<UInt64>()) { $0.formUnion($1) }))
                for (hash, count) in counts where count >= threshold.minimumDocuments { state.recurring[hash] = count }
            } catch {
                logger.warning("learned boilerplate not re-read", metadata: ["source": "\(source)", "error": "\(error)"])
            }
            sources[source] = state
        }
    }
}

extension StoredBoilerplateMemory {
    /// The memory a pipeline uses under `configuration` (`normalize.*`), or nil when off.
    static func forPipeline(_ configuration: KhabarConfiguration, store: any BoilerplateLineStore, logger: Logger) -> StoredBoilerplateMemory? {
        guard configuration.normalize.learnBoilerplate else { return nil }
        return StoredBoilerplateMemory(
            store: store, threshold: BoilerplateThreshold(minimumDocuments: configuration.normalize.boilerplateMinDocuments), logger: logger)
    }
}
