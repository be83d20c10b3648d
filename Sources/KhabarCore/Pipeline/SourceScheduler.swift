public import AsyncAlgorithms
internal import Foundation
public import Logging

/// Decides which of several daemons sharing a state polls a source (`SharedSourceOwnership`).
public protocol SourcePollClaims: Sendable {
    /// Whether this daemon polls `source` now; false while another daemon that is alive owns it.
    func mayPoll(source: String) throws -> Bool
    /// How soon a daemon that may not poll a source asks again.
    var recheckInterval: Duration { get }
}

/// Watches the configured sources: polls each feed, sitemap or listing page on its interval
/// (with jitter, so sources configured alike do not poll in lockstep) and sends what it finds
/// to the pipeline. Sources that publish often are polled more often, quiet ones less, within
/// a quarter and four times the configured interval. Sources can be replaced while running
/// (SIGHUP).
public final class SourceScheduler: Sendable {
    public struct Poll: Sendable, Equatable {
        public var source: String
        public var newItems: Int
        public var unchanged: Bool
    }

    let discovery: BackfillDiscovery
    let logger: Logger
    private let sources: LockedValue<[String: KhabarConfiguration.Source]>
    private let generation = LockedValue(0)
    private let onPoll: @Sendable (Poll) -> Void
    /// With daemons sharing a state: which sources are this one's to poll (nil: all).
    let pollClaims: (any SourcePollClaims)?

    public init(
        sources: [KhabarConfiguration.Source], discovery: BackfillDiscovery, logger: Logger,
        pollClaims: (any SourcePollClaims)? = nil, onPoll: @escaping @Sendable (Poll) -> Void = { _ in }
    ) {
        self.sources = LockedValue(Dictionary(uniqueKeysWithValues: sources.map { ($0.name, $0) }))
        self.discovery = discovery
        self.logger = logger
        self.pollClaims = pollClaims
        self.onPoll = onPoll
    }

    /// Replaces the watched sources: removed ones stop after their current poll, new ones start,
    /// changed ones continue with their new settings.
    public func replaceSources(_ newSources: [KhabarConfiguration.Source]) {
        sources.withLock { $0 = Dictionary(uniqueKeysWithValues: newSources.map { ($0.name, $0) }) }
        generation.withLock { $0 += 1 }
    }

    public var sourceNames: [String] { sources.withLock { $0.keys.sorted() } }

    /// Polls until cancelled, then finishes `output` so the pipeline drains.
    public func run(into output: AsyncChannel<CrawlItem>) async {
        defer { output.finish() }
        await withDiscardingTaskGroup { group in
            var running: Set<String> = []
            var seenGeneration = -1
            while !Task.isCancelled {
                let current = generation.withLock { $0 }
                if current != seenGeneration {
                    seenGeneration = current
                    for name in sourceNames where !running.contains(name) {
                        running.insert(name)
                        group.addTask { await self.watch(name, into: output) }
                    }
                    running = running.intersection(sourceNames)
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    private func watch(_ name: String, into output: AsyncChannel<CrawlItem>) async {
        var interval: Duration?
        while !Task.isCancelled {
            guard let source = sources.withLock({ $0[name] }) else { return }  // removed
            let configured = source.interval
            if let pollClaims {
                // Another live daemon polls it; ask again soon, to take over if it stops.
                // A failed question polls anyway: a duplicate poll costs a request, a missed one news.
                if (try? pollClaims.mayPoll(source: name)) == false {
                    try? await Task.sleep(for: min(configured, pollClaims.recheckInterval))
                    continue
                }
            }
            let poll = await self.poll(source, into: output)
            onPoll(poll)
            // Adapt: new items bring the next poll closer, a quiet source drifts away.
            var next = interval ?? configured
            if poll.newItems > 0 { next = next * 0.75 } else { next = next * 1.5 }
            next = min(max(next, configured / 4), configured * 4)
            interval = next
            let jitter = Double.random(in: 0.9...1.1)
            try? await Task.sleep(for: next * jitter)
        }
    }

    /// One poll of one source.
    func poll(_ source: KhabarConfiguration.Source, into output: AsyncChannel<CrawlItem>) async -> Poll {
        let before = discovery.offered
        var unchanged = false
        switch source.kind {
        case .feed:
            unchanged = !(await discovery.discoverFeed(source.url, source: source, into: output))
        case .sitemap:
            var inputs = BackfillInputs()
            if let maxAge = source.maxAge { inputs.since = Date().addingTimeInterval(-maxAge.seconds) }
            unchanged = !(await discovery.discoverSitemap(source.url, depth: 0, inputs: inputs, source: source, into: output))
        case .listing:
            unchanged = !(await discovery.discoverListing(source, into: output))
        }
        let found = discovery.offered - before
        logger.debug("polled", metadata: ["source": "\(source.name)", "new": "\(found)", "unchanged": "\(unchanged)"])
        return Poll(source: source.name, newItems: found, unchanged: unchanged)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
