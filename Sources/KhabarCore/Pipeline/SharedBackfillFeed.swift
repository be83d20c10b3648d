public import AsyncAlgorithms
internal import Foundation
public import Logging
internal import Synchronization

/// Feeds a backfill's pipeline from the frontier shared by every backfill of one PostgreSQL
/// state, instead of straight from its own discovery: what this process discovers goes into
/// the frontier, and what it fetches is what it claims there.
public struct SharedBackfillFeed: Sendable {
    public let frontier: SharedFrontier
    /// Give to the pipeline (`Pipeline(observer:)`): records each claimed item's outcome.
    public let outcomes: FrontierOutcomes
    let logger: Logger
    /// Items claimed at once: enough to keep the fetchers busy, few enough that claimed items
    /// do not wait long in this process while others could fetch them.
    let claimBatch: Int
    /// Discovered items written to the frontier per statement.
    let addBatch = 500

    public init(frontier: SharedFrontier, claimBatch: Int = 64, logger: Logger) {
        self.frontier = frontier
        outcomes = FrontierOutcomes(frontier: frontier)
        self.claimBatch = max(1, claimBatch)
        self.logger = logger
    }

    /// The pipeline has drained and its sink finished: records the last outcomes, and marks
    /// done whatever claim had none recorded (none should be left).
    public func finish() throws {
        try outcomes.flush()
        let unrecorded = try frontier.finish()
        if unrecorded > 0 { logger.warning("claims without a recorded outcome marked done", metadata: ["count": "\(unrecorded)"]) }
    }

    /// Runs discovery into the frontier and sends claimed items to `items` until nothing is
    /// left to claim, then finishes `items`. Items that bring their page (WARC records) are not
    /// shared: they go straight on.
    /// - Parameter commitExported: finishes the exporter's open file, so that the records in it
    ///   are committed and their claims done (see `claimUntilExhausted`).
    public func feed(
        _ discovery: BackfillDiscovery, inputs: BackfillInputs, into items: AsyncChannel<CrawlItem>,
        commitExported: (@Sendable () async throws -> Void)? = nil
    ) async throws {
        defer { items.finish() }
        let discovered = AsyncChannel<CrawlItem>()
        let discoveryFinished = DoneFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await discovery.discover(inputs, into: discovered) }
            group.addTask {
                var batch: [CrawlItem] = []
                for await item in discovered {
                    if item.prefetched != nil {
                        await items.send(item)
                        continue
                    }
                    batch.append(item)
                    if batch.count >= addBatch {
                        try frontier.add(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                try frontier.add(batch)
                discoveryFinished.set()
            }
            group.addTask {
                try await claimUntilExhausted(discoveryFinished: discoveryFinished, into: items, commitExported: commitExported)
            }
            try await group.waitForAll()
        }
    }

    private func claimUntilExhausted(
        discoveryFinished: DoneFlag, into items: AsyncChannel<CrawlItem>, commitExported: (@Sendable () async throws -> Void)?
    ) async throws {
        var quietSince: ContinuousClock.Instant?
        while true {
            try Task.checkCancellation()
            // Outcomes first: a failure due for a retry is in the pool again before claiming.
            try outcomes.flush()
            let claimed = try frontier.claim(limit: claimBatch)
            if !claimed.isEmpty {
                quietSince = nil
                for item in claimed {
                    outcomes.claimed(item)
                    await items.send(item)
                }
                continue
            }
            // Items still in this pipeline may yet fail and come back for a retry, so the feed
            // ends only when each has an outcome (recorded just now, after the last of them).
            guard discoveryFinished.isSet, outcomes.inPipeline == 0 else {
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            try outcomes.flush()
            if try !frontier.hasClaimableWork() {
                // Nothing left to take now. A live daemon still holding claims may yet die and
                // leave them: wait one lease for that (its claims are done when it finishes).
                guard try frontier.othersHoldClaims() else { return }
                // The others may be waiting for this process as it waits for them: its exported
                // records stay claimed until their file is committed, which would otherwise be
                // when this run ends. Commit them now, so only real work is waited for.
                if outcomes.awaitingCommit > 0, let commitExported {
                    try await commitExported()
                    try outcomes.flush()
                }
                let since = quietSince ?? .now
                quietSince = since
                if ContinuousClock.now - since > frontier.lease + .seconds(1) {
                    logger.info("other daemons still hold claims; leaving them to finish")
                    return
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// Set once, read from any task.
final class DoneFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// What became of each item this process claimed from the shared frontier, gathered from the
/// pipeline's workers and written to the frontier in batches (`flush`, from the claim loop):
/// one statement per batch, not per page. An exported item is done only once the file holding
/// it is committed; until then a crash leaves it claimed, to be taken over.
public final class FrontierOutcomes: CrawlItemObserver {
    private struct Pending {
        /// Claimed items not yet out of the pipeline (exported to the sink, or settled).
        var inPipeline: Set<String> = []
        /// Items handed to the sink whose file is not committed yet.
        var awaitingCommit = 0
        var done: [String] = []
        var failures: [SharedFrontier.Failure] = []
    }

    let frontier: SharedFrontier
    private let state = LockedValue(Pending())

    init(frontier: SharedFrontier) {
        self.frontier = frontier
    }

    /// The item was claimed and goes into the pipeline. Items that were not (a WARC's) are
    /// not tracked.
    func claimed(_ item: CrawlItem) {
        _ = state.withLock { $0.inPipeline.insert(item.canonicalURL) }
    }

    /// Claimed items the pipeline has not yet settled, failed or handed to its sink.
    var inPipeline: Int { state.withLock { $0.inPipeline.count } }

    /// Claimed items handed to the sink and not yet in a committed file.
    var awaitingCommit: Int { state.withLock { $0.awaitingCommit } }

    public func settled(_ item: CrawlItem) {
        state.withLock { pending in
            if pending.inPipeline.remove(item.canonicalURL) != nil { pending.done.append(item.canonicalURL) }
        }
    }

    public func fetchFailed(_ item: CrawlItem, reason: String, retryable: Bool) {
        state.withLock { pending in
            if pending.inPipeline.remove(item.canonicalURL) != nil {
                pending.failures.append(.init(canonicalURL: item.canonicalURL, reason: reason, retryable: retryable))
            }
        }
    }

    public func exporting(_ item: CrawlItem) -> ExportAcknowledgement? {
        let url = item.canonicalURL
        let tracked = state.withLock { pending in
            guard pending.inPipeline.remove(url) != nil else { return false }
            pending.awaitingCommit += 1
            return true
        }
        guard tracked else { return nil }
        return ExportAcknowledgement { self.recordDone(url) }
    }

    private func recordDone(_ url: String) {
        state.withLock { pending in
            pending.done.append(url)
            pending.awaitingCommit = max(0, pending.awaitingCommit - 1)
        }
    }

    /// Writes the outcomes gathered so far. On failure they are kept for the next try.
    func flush() throws {
        let (done, failures) = state.withLock { pending in
            defer {
                pending.done.removeAll()
                pending.failures.removeAll()
            }
            return (pending.done, pending.failures)
        }
        do {
            try frontier.markDone(done)
            try frontier.markFailed(failures)
        } catch {
            state.withLock { pending in
                pending.done += done
                pending.failures += failures
            }
            throw error
        }
    }
}
