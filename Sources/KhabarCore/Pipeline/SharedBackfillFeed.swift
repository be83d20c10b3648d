public import AsyncAlgorithms
internal import Foundation
public import Logging
internal import Synchronization

/// Feeds a backfill's pipeline from the frontier shared by every backfill of one PostgreSQL
/// state, instead of straight from its own discovery: what this process discovers goes into
/// the frontier, and what it fetches is what it claims there.
public struct SharedBackfillFeed: Sendable {
    public let frontier: SharedFrontier
    let logger: Logger
    /// Items claimed at once: enough to keep the fetchers busy, few enough that claimed items
    /// do not wait long in this process while others could fetch them.
    let claimBatch: Int
    /// Discovered items written to the frontier per statement.
    let addBatch = 500

    public init(frontier: SharedFrontier, claimBatch: Int = 64, logger: Logger) {
        self.frontier = frontier
        self.claimBatch = max(1, claimBatch)
        self.logger = logger
    }

    /// Runs discovery into the frontier and sends claimed items to `items` until nothing is
    /// left to claim, then finishes `items`. Items that bring their page (WARC records) are not
    /// shared: they go straight on.
    public func feed(_ discovery: BackfillDiscovery, inputs: BackfillInputs, into items: AsyncChannel<CrawlItem>) async throws {
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
            group.addTask { try await claimUntilExhausted(discoveryFinished: discoveryFinished, into: items) }
            try await group.waitForAll()
        }
    }

    private func claimUntilExhausted(discoveryFinished: DoneFlag, into items: AsyncChannel<CrawlItem>) async throws {
        var quietSince: ContinuousClock.Instant?
        while true {
            try Task.checkCancellation()
            let claimed = try frontier.claim(limit: claimBatch)
            if !claimed.isEmpty {
                quietSince = nil
                for item in claimed { await items.send(item) }
                continue
            }
            if discoveryFinished.isSet, try !frontier.hasClaimableWork() {
                // Nothing left to take now. A live daemon still holding claims may yet die and
                // leave them: wait one lease for that (its claims are done when it finishes).
                guard try frontier.othersHoldClaims() else { return }
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
