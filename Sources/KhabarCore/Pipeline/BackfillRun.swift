internal import AsyncAlgorithms
internal import Foundation
public import Logging

/// A backfill: the whole pipeline run to completion over a finite set of inputs, into the
/// configured state and output. Finished work is never redone: exported articles are skipped
/// before fetching, and feeds and sitemaps are read with conditional requests.
public struct BackfillRun {
    public struct Settings: Sendable {
        public var configuration: KhabarConfiguration
        public var inputs: BackfillInputs
        /// Permit loopback and private addresses (testing against a local site).
        public var allowPrivate = false
        public var perHostConcurrency: Int?
        public var minDelay: Duration?
        /// Longest wait between two attempts to write a blocked (full) output directory.
        public var exportMaxRetryDelay: Duration = .seconds(5)

        public init(configuration: KhabarConfiguration, inputs: BackfillInputs) {
            self.configuration = configuration
            self.inputs = inputs
        }
    }

    public struct Report: Sendable {
        public var counts: PipelineCounters.Snapshot
        public var discoveryProblems: [String]
        /// Articles that could not be had, each with its URL and the reason (after the
        /// fetcher's bounded retries).
        public var failures: [PipelineCounters.ItemFailure]
        public var recovery: JSONLExporter.RecoveryReport
        /// With a shared PostgreSQL state: statements (round trips) this process sent to it.
        public var sharedStateStatements: Int?
    }

    /// The fetcher's settings from the configuration and command-line overrides.
    public static func fetchConfiguration(_ settings: Settings) -> FetchConfiguration {
        let fetch = settings.configuration.fetch
        var configuration = FetchConfiguration()
        configuration.userAgent = fetch.userAgent
        configuration.perHostConcurrency = settings.perHostConcurrency ?? fetch.perHostConcurrency
        configuration.minimumDelayPerHost = settings.minDelay ?? fetch.minDelay
        configuration.globalConcurrency = fetch.globalConcurrency
        configuration.totalTimeout = fetch.timeout
        configuration.maxBodyBytes = fetch.maxBodyBytes
        configuration.maxDecompressedBytes = max(configuration.maxDecompressedBytes, fetch.maxBodyBytes * 2)
        configuration.refusesInternalAddresses = !(settings.allowPrivate || fetch.allowPrivate)
        configuration.allowedNetworks = fetch.allowedNetworks
        configuration.maxAttempts = max(1, fetch.maxAttempts)
        configuration.retryBaseDelay = fetch.retryDelay
        configuration.maxRetryAfter = fetch.maxRetryAfter
        configuration.circuitBreakerPause = fetch.breakerPause
        return configuration
    }

    public static func exporterConfiguration(_ configuration: KhabarConfiguration) -> JSONLExporter.Configuration {
        JSONLExporter.Configuration(
            directory: URL(fileURLWithPath: configuration.output.directory),
            filePrefix: configuration.output.prefix,
            maxFileBytes: configuration.output.rotateBytes,
            maxFileAge: configuration.output.rotateAfter,
            compression: configuration.output.compression == .gzip ? .gzip(level: 6) : .none)
    }

    /// Runs the backfill; `progress` is called with the counts every `progressInterval`.
    public static func run(
        _ settings: Settings, logger: Logger,
        progressInterval: Duration = .seconds(1),
        progress: @escaping @Sendable (PipelineCounters.Snapshot) -> Void = { _ in }
    ) async throws -> Report {
        let state = try OpenedState.open(settings.configuration, logger: logger)
        defer { withExtendedLifetime(state) {} }
        let store = state.store
        let exporter = try JSONLExporter(configuration: exporterConfiguration(settings.configuration), ledger: store, logger: logger)
        let recovery = exporter.recovery

        let discoveryKeys = Set((settings.inputs.feeds + settings.inputs.sitemaps).compactMap(CanonicalURL.key(for:)))
        let validators = DiscoveryValidatorStore(store: store, discoveryURLs: discoveryKeys)
        // Several backfills sharing a PostgreSQL state share out the URLs and each host's
        // politeness (slots, pacing, robots.txt, breaker pauses).
        let member = (store as? PostgresStateStore).map { ClusterMember(store: $0, lease: settings.configuration.lease) }
        try member?.beat()
        let retry = SharedFrontier.RetryPolicy(
            maxAttempts: settings.configuration.frontierAttempts, baseDelay: settings.configuration.frontierRetryDelay)
        let sharedFeed = member.map {
            SharedBackfillFeed(
                frontier: SharedFrontier(member: $0, retry: retry), claimBatch: settings.configuration.fetch.globalConcurrency, logger: logger)
        }
        let fetcher = try CurlFetcher.sharingPoliteness(with: member, configuration: fetchConfiguration(settings), validatorStore: validators)
        defer { fetcher.shutdown() }

        let counters = PipelineCounters()
        let sink = ExporterSink(exporter: exporter, maxRetryDelay: settings.exportMaxRetryDelay)
        let pipeline = Pipeline(
            fetcher: CurlDocumentFetcher(fetcher: fetcher, ledger: store),
            judge: DeduplicatingJudge(store: store, policy: settings.configuration.duplicatePolicy == .drop ? .drop : .keep),
            sink: sink,
            options: .init(
                configuration: settings.configuration,
                learnedBoilerplate: StoredBoilerplateMemory.forPipeline(settings.configuration, store: store, logger: logger)),
            counters: counters, observer: sharedFeed?.outcomes)
        let discovery = BackfillDiscovery(fetcher: fetcher, logger: logger)
        let items = AsyncChannel<CrawlItem>()

        let counts: PipelineCounters.Snapshot
        do {
            counts = try await withThrowingTaskGroup(of: PipelineCounters.Snapshot?.self) { group in
                if let sharedFeed {
                    group.addTask {
                        try await sharedFeed.feed(discovery, inputs: settings.inputs, into: items, commitExported: { try await sink.finish() })
                        return nil
                    }
                    // Beats until the run ends: claims stay this process's while its pipeline drains.
                    group.addTask {
                        await sharedFeed.frontier.member.keepAlive { error in logger.warning("shared state heartbeat failed: \(error)") }
                        return nil
                    }
                } else {
                    group.addTask {
                        await discovery.discover(settings.inputs, into: items)
                        return nil
                    }
                }
                group.addTask { try await pipeline.run(source: items) }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: progressInterval)
                        progress(counters.snapshot())
                    }
                    return nil
                }
                var result: PipelineCounters.Snapshot?
                // The progress task never ends by itself: stop it when the pipeline has.
                while let finished = try await group.next() {
                    if let finished {
                        result = finished
                        group.cancelAll()
                    }
                }
                return result ?? counters.snapshot()
            }
        } catch {
            // Claims not handled go back to the other processes at once.
            try? sharedFeed?.frontier.release()
            try? sharedFeed?.frontier.member.leave()
            throw error
        }
        if Task.isCancelled {
            try? sharedFeed?.frontier.release()
        } else {
            try sharedFeed?.finish()
        }
        try? sharedFeed?.frontier.member.leave()
        // A cancelled run (channels end early) has not handled everything listed: the next run
        // must read the feeds and sitemaps in full again.
        try Task.checkCancellation()
        // Everything listed has been exported, skipped or failed with a reason: the next run
        // may now trust "304 Not Modified" for these feeds and sitemaps.
        try validators.commit()
        return Report(
            counts: counts, discoveryProblems: discovery.problems, failures: counters.failures(), recovery: recovery,
            sharedStateStatements: (store as? PostgresStateStore)?.statementCount)
    }
}
