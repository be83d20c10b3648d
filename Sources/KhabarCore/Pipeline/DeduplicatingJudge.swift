/// The deduplicator stage: exact and near-duplicate (MinHash LSH) decisions against every
/// article decided before, persisted in the state store.
///
/// Each decision's fingerprint is committed right away, before the article reaches a finished
/// file. That is safe because a record's id is derived from its canonical URL: an article
/// re-sent after a crash finds its own fingerprint (same id) and is treated as itself, never as
/// a duplicate; whether it is exported again is the export ledger's call.
public actor DeduplicatingJudge: DuplicateJudge {
    private var deduplicator: Deduplicator
    private let policy: DuplicatePolicy

    public init(store: any DeduplicationStore, policy: DuplicatePolicy = .keep) {
        self.policy = policy
        self.deduplicator = Deduplicator(store: store, configuration: DeduplicationConfiguration(policy: policy))
    }

    /// The pipeline's export stage calls this from one task, one record at a time; the
    /// deduplicator is taken out for the call and put back after it.
    public func judge(_ record: ArticleRecord) async throws -> ArticleRecord? {
        var deduplicator = self.deduplicator
        defer { self.deduplicator = deduplicator }
        let decision = try await deduplicator.decide(recordID: record.id, canonicalURL: record.canonicalURL, text: record.text)
        var judged = record
        judged.contentHash = decision.contentHash
        var keep = true
        switch decision.verdict {
        case .original, .seenURL:
            break
        case .exactDuplicate(let root), .nearDuplicate(let root, _):
            if root != record.id {
                judged.duplicateOf = root
                keep = policy == .keep
            }
        }
        let batch = deduplicator.sealPending()
        try await deduplicator.store.commit(batch)
        deduplicator.markCommitted(batch)
        return keep ? judged : nil
    }
}
