/// What to do with duplicates (config `dedup.policy`).
public enum DuplicatePolicy: String, Sendable, CaseIterable {
    /// Export every article at its own canonical URL, duplicates flagged with `duplicate_of`.
    case keep
    /// Export only the first of each group.
    case drop
}

public struct DeduplicationConfiguration: Sendable {
    public var policy: DuplicatePolicy
    /// Estimated Jaccard similarity of 5-word shingle sets at or above which a candidate is a
    /// near duplicate.
    public var nearDuplicateThreshold: Double
    /// A copy cut short (last paragraphs removed) has a low Jaccard with the full text but
    /// nearly all of its shingles in it: below `nearDuplicateThreshold`, a candidate is still a
    /// near duplicate when this share of the smaller text's shingles is in the other...
    public var containmentThreshold: Double
    /// ...and the Jaccard similarity stays at least this (a brief quoted whole inside a long
    /// analysis is not a copy of it).
    public var containmentMinimumJaccard: Double

    public init(
        policy: DuplicatePolicy = .keep, nearDuplicateThreshold: Double = 0.7,
        containmentThreshold: Double = 0.85, containmentMinimumJaccard: Double = 0.5
    ) {
        self.policy = policy
        self.nearDuplicateThreshold = nearDuplicateThreshold
        self.containmentThreshold = containmentThreshold
        self.containmentMinimumJaccard = containmentMinimumJaccard
    }

    /// Whether two texts with this estimated Jaccard similarity and these shingle counts are
    /// near duplicates.
    public func isNearDuplicate(jaccard: Double, shingleCounts: (Int, Int)) -> Bool {
        if jaccard >= nearDuplicateThreshold { return true }
        guard jaccard >= containmentMinimumJaccard, shingleCounts.0 > 0, shingleCounts.1 > 0 else { return false }
        // |A ∩ B| = J · (|A| + |B|) / (1 + J).
        let shared = jaccard * Double(shingleCounts.0 + shingleCounts.1) / (1 + jaccard)
        return shared / Double(min(shingleCounts.0, shingleCounts.1)) >= containmentThreshold
    }
}

public struct DeduplicationDecision: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        /// First sighting of this text.
        case original
        /// Folds to the same text as `of`.
        case exactDuplicate(of: String)
        /// Similar enough (estimated shingle Jaccard `similarity`, see
        /// `DeduplicationConfiguration`) to a record of group `of`.
        case nearDuplicate(of: String, similarity: Double)
        /// The canonical URL was already decided (as `recordID`): skip the article entirely.
        case seenURL(recordID: String)
    }

    public let verdict: Verdict
    /// Whether the article goes into the export, under the configured policy.
    public let shouldExport: Bool
    public let contentHash: String

    /// The record's `duplicate_of`: the root of its group, nil for originals.
    public var duplicateOf: String? {
        switch verdict {
        case .exactDuplicate(let root), .nearDuplicate(let root, _): root
        case .original, .seenURL: nil
        }
    }
}

/// Decides, article by article, whether a text was seen before: by canonical URL, by exact
/// folded-text hash, then by MinHash LSH with verification.
///
/// Decisions consult the committed store and the pending batches, then add the article to the
/// open pending batch. The value is owned by one task (the export stage); `mutating` calls
/// cannot interleave, so the same input order always gives the same decisions.
/// Fingerprints (`fingerprinter.fingerprint(of:)`) may be computed concurrently beforehand.
///
/// Exactly-once protocol with the exporter: decide the file's articles, `sealPending()` when
/// the file is complete, commit the batch with the file (`DeduplicationStore.commit`), then
/// `markCommitted(_:)`. If the file is abandoned, `discard(_:)` it instead.
public struct Deduplicator: Sendable {
    public let store: any DeduplicationStore
    public let configuration: DeduplicationConfiguration
    public let fingerprinter: TextFingerprinter

    /// Sealed batches awaiting commit, oldest first.
    private var sealed: [PendingFingerprints] = []
    private var open: PendingFingerprints
    private var nextBatchNumber: Int

    public init(
        store: any DeduplicationStore, configuration: DeduplicationConfiguration = .init(),
        fingerprinter: TextFingerprinter = .init()
    ) {
        self.store = store
        self.configuration = configuration
        self.fingerprinter = fingerprinter
        self.open = PendingFingerprints(batchNumber: 0)
        self.nextBatchNumber = 1
    }

    /// The record already decided at this canonical URL (committed or pending): the pipeline
    /// skips the article, before fetching it if it can.
    public func recordID(forCanonicalURL canonicalURL: String) async throws -> String? {
        for batch in pendingBatches {
            if let record = batch.fingerprint(canonicalURL: canonicalURL) { return record.recordID }
        }
        return try await store.fingerprint(canonicalURL: canonicalURL)?.recordID
    }

    public mutating func decide(recordID: String, canonicalURL: String, text: String) async throws
        -> DeduplicationDecision
    {
        try await decide(recordID: recordID, canonicalURL: canonicalURL, fingerprint: fingerprinter.fingerprint(of: text))
    }

    /// Decides for one article and records it in the open batch (unless its URL was seen).
    public mutating func decide(recordID: String, canonicalURL: String, fingerprint: TextFingerprint)
        async throws -> DeduplicationDecision
    {
        if let seen = try await self.recordID(forCanonicalURL: canonicalURL) {
            return DeduplicationDecision(
                verdict: .seenURL(recordID: seen), shouldExport: false, contentHash: fingerprint.contentHash)
        }
        let verdict = try await verdict(for: fingerprint)
        let decision = DeduplicationDecision(
            verdict: verdict, shouldExport: verdict == .original || configuration.policy == .keep,
            contentHash: fingerprint.contentHash)
        // Dropped articles are recorded too: their URL is decided, and seeing it again is a skip.
        open.append(
            FingerprintRecord(
                recordID: recordID, canonicalURL: canonicalURL,
                contentHash: fingerprint.wordCount > 0 ? fingerprint.contentHash : nil,
                shingleCount: fingerprint.shingleCount, signature: fingerprint.signature, bandKeys: fingerprint.bandKeys,
                duplicateOf: decision.duplicateOf))
        return decision
    }

    /// Closes the open batch and returns it for committing with its export file. It stays
    /// visible to decisions until `markCommitted` or `discard`.
    public mutating func sealPending() -> PendingFingerprints {
        let batch = open
        sealed.append(batch)
        open = PendingFingerprints(batchNumber: nextBatchNumber)
        nextBatchNumber += 1
        return batch
    }

    /// The batch is in the store now; stop keeping it in memory. Batches commit in sealing order.
    public mutating func markCommitted(_ batch: PendingFingerprints) {
        sealed.removeAll { $0.batchNumber == batch.batchNumber }
    }

    /// Forgets an abandoned batch, as if its articles had never been seen. Later batches (and
    /// the open one) may hold decisions that point into it, so they are discarded too; the
    /// returned batches (this one first) list every forgotten article, to be decided again.
    @discardableResult
    public mutating func discard(_ batch: PendingFingerprints) -> [PendingFingerprints] {
        guard let position = sealed.firstIndex(where: { $0.batchNumber == batch.batchNumber }) else { return [] }
        var forgotten = Array(sealed[position...])
        sealed.removeSubrange(position...)
        if !open.isEmpty { forgotten.append(open) }
        open = PendingFingerprints(batchNumber: nextBatchNumber)
        nextBatchNumber += 1
        return forgotten
    }

    /// Pending batches, newest first: the open one, then sealed ones.
    private var pendingBatches: [PendingFingerprints] {
        [open] + sealed.reversed()
    }

    private func verdict(for fingerprint: TextFingerprint) async throws -> DeduplicationDecision.Verdict {
        guard fingerprint.wordCount > 0 else { return .original }
        if let root = try await exactMatchRoot(contentHash: fingerprint.contentHash) {
            return .exactDuplicate(of: root)
        }
        guard let signature = fingerprint.signature else { return .original }
        var candidates: [FingerprintRecord] = []
        for batch in pendingBatches { candidates += batch.fingerprints(sharingAnyOf: fingerprint.bandKeys) }
        candidates += try await store.fingerprints(sharingAnyOf: fingerprint.bandKeys)
        // The most similar verified candidate; ties go to the smaller root id, for determinism.
        var best: (root: String, similarity: Double)?
        for candidate in candidates {
            guard let other = candidate.signature else { continue }
            let similarity = signature.estimatedJaccard(with: other)
            guard
                configuration.isNearDuplicate(
                    jaccard: similarity, shingleCounts: (fingerprint.shingleCount, candidate.shingleCount))
            else { continue }
            if let current = best,
                current.similarity > similarity || (current.similarity == similarity && current.root <= candidate.rootID)
            {
                continue
            }
            best = (candidate.rootID, similarity)
        }
        if let best { return .nearDuplicate(of: best.root, similarity: best.similarity) }
        return .original
    }

    private func exactMatchRoot(contentHash: String) async throws -> String? {
        for batch in pendingBatches {
            if let record = batch.fingerprint(contentHash: contentHash) { return record.rootID }
        }
        return try await store.fingerprint(contentHash: contentHash)?.rootID
    }
}
