/// The deduplicator stage: exact and near-duplicate (MinHash LSH) decisions against every
/// article decided before, persisted in the state store.
///
/// Decisions are committed in batches (`batchSize` records, or `batchAge` after the batch's
/// first decision, and on `flush` when the pipeline drains) instead of one transaction per
/// article; until then they stay visible to later decisions in memory. A record's id is
/// derived from its canonical URL, so an article re-sent after a crash either finds its own
/// fingerprint (same id: treated as itself, never as a duplicate) or, if its batch was not
/// committed yet, is decided afresh; whether it is exported again is the export ledger's call.
/// What a crash can cost is the flags of later copies of the last few articles decided.
public actor DeduplicatingJudge: DuplicateJudge {
    private var deduplicator: Deduplicator
    private let policy: DuplicatePolicy
    private let fingerprinter: TextFingerprinter
    /// Holds `deduplicator`'s place while a judge call has it out.
    private let standIn: Deduplicator
    private let batchSize: Int
    private let batchAge: Duration
    private var batchStarted: ContinuousClock.Instant?
    private var batchCount = 0
    /// Judge calls under way (suspended in the store): the deduplicator is taken out then, so
    /// a late commit must not touch it.
    private var judging = 0

    public init(store: any DeduplicationStore, policy: DuplicatePolicy = .keep, batchSize: Int = 64, batchAge: Duration = .seconds(1)) {
        self.policy = policy
        let deduplicator = Deduplicator(store: store, configuration: DeduplicationConfiguration(policy: policy))
        self.deduplicator = deduplicator
        standIn = deduplicator
        fingerprinter = deduplicator.fingerprinter
        self.batchSize = max(1, batchSize)
        self.batchAge = batchAge
    }

    public nonisolated func prepare(_ record: ArticleRecord) -> TextFingerprint? {
        fingerprinter.fingerprint(of: record.text)
    }

    public func judge(_ record: ArticleRecord) async throws -> ArticleRecord? {
        try await judge(record, prepared: nil)
    }

    /// The pipeline's export stage calls this from one task, one record at a time; the
    /// deduplicator is taken out for the call and put back after it.
    public func judge(_ record: ArticleRecord, prepared: TextFingerprint?) async throws -> ArticleRecord? {
        judging += 1
        var deduplicator = self.deduplicator
        // Leave an empty stand-in meanwhile: with a second reference held here, every decision
        // would copy the whole open batch before appending to it.
        self.deduplicator = standIn
        defer {
            self.deduplicator = deduplicator
            judging -= 1
        }
        let fingerprint = prepared ?? fingerprinter.fingerprint(of: record.text)
        let decision = try await deduplicator.decide(recordID: record.id, canonicalURL: record.canonicalURL, fingerprint: fingerprint)
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
        batchCount += 1
        let now = ContinuousClock.now
        if batchStarted == nil {
            batchStarted = now
            scheduleLateCommit(of: now)
        }
        if batchCount >= batchSize || now - batchStarted! >= batchAge {
            try await commit(&deduplicator)
        }
        return keep ? judged : nil
    }

    /// A daemon may go quiet with a batch open: commit it once it is `batchAge` old even if no
    /// further record comes to trigger that.
    private func scheduleLateCommit(of batchStart: ContinuousClock.Instant) {
        let age = batchAge
        Task { [weak self] in
            try? await Task.sleep(for: age)
            try? await self?.commitIfStillOpen(since: batchStart)
        }
    }

    private func commitIfStillOpen(since batchStart: ContinuousClock.Instant) async throws {
        guard batchStarted == batchStart else { return }
        // The deduplicator is out with a judge call: look again later.
        guard judging == 0 else { return scheduleLateCommit(of: batchStart) }
        try await flush()
    }

    public func flush() async throws {
        var deduplicator = self.deduplicator
        defer { self.deduplicator = deduplicator }
        try await commit(&deduplicator)
    }

    private func commit(_ deduplicator: inout Deduplicator) async throws {
        batchCount = 0
        batchStarted = nil
        let batch = deduplicator.sealPending()
        try await deduplicator.store.commit(batch)
        deduplicator.markCommitted(batch)
    }
}
