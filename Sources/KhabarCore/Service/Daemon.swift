internal import AsyncAlgorithms
internal import Foundation
public import Logging
public import Prometheus
internal import ServiceLifecycle
internal import UnixSignals

/// `khabar run`: watches the configured sources and exports what they publish, until SIGTERM
/// or SIGINT.
///
/// Services, in start order: the operations endpoint, the watchdog, file rotation, the
/// pipeline, the config reloader and the scheduler. A graceful shutdown runs in reverse: the
/// scheduler stops discovering first and finishes the pipeline's input, the pipeline drains
/// what is in flight, the exporter finishes (fsyncs, commits) its open file, and the rest
/// stop. `pipeline.drain_timeout` bounds the drain; past it, shutdown turns into cancellation.
public enum Daemon {
    public struct Options: Sendable {
        public var configurationPath: String
        public var configuration: KhabarConfiguration
        public var registry: PrometheusCollectorRegistry
        /// Called with the operations endpoint's port once it listens (tests use port 0).
        public var onListening: @Sendable (Int) async -> Void = { _ in }

        public init(configurationPath: String, configuration: KhabarConfiguration, registry: PrometheusCollectorRegistry) {
            self.configurationPath = configurationPath
            self.configuration = configuration
            self.registry = registry
        }
    }

    public static func run(_ options: Options, logger: Logger) async throws {
        let configuration = options.configuration
        let notifier = SystemdNotifier()
        let state = try OpenedState.open(configuration, logger: logger)
        defer { withExtendedLifetime(state) {} }
        let store = state.store
        let exporter = try JSONLExporter(configuration: BackfillRun.exporterConfiguration(configuration), ledger: store, logger: logger)

        var fetchSettings = BackfillRun.Settings(configuration: configuration, inputs: BackfillInputs())
        fetchSettings.allowPrivate = configuration.fetch.allowPrivate
        // Feeds and sitemaps are read conditionally within a run; validators are not kept across
        // restarts, so items discovered before a crash are found again by the first poll.
        // Articles are fetched unconditionally and leave nothing in this store (see below).
        // Daemons sharing a PostgreSQL state share each host's politeness (slots, pacing,
        // robots.txt, breaker pauses) and poll each source once.
        let member = (store as? PostgresStateStore).map { ClusterMember(store: $0, lease: configuration.lease) }
        try member?.beat()
        defer { try? member?.leave() }
        let fetcher = try CurlFetcher.sharingPoliteness(
            with: member, configuration: BackfillRun.fetchConfiguration(fetchSettings), validatorStore: InMemoryValidatorStore())
        defer { fetcher.shutdown() }

        let counters = PipelineCounters()
        let pipeline = Pipeline(
            fetcher: CurlDocumentFetcher(fetcher: fetcher, ledger: store, conditional: false),
            judge: DeduplicatingJudge(store: store, policy: configuration.duplicatePolicy == .drop ? .drop : .keep),
            sink: ExporterSink(exporter: exporter),
            options: .init(
                configuration: configuration,
                learnedBoilerplate: StoredBoilerplateMemory.forPipeline(configuration, store: store, logger: logger)),
            counters: counters)
        let items = AsyncChannel<CrawlItem>()
        let scheduler = SourceScheduler(
            sources: configuration.sources, discovery: BackfillDiscovery(fetcher: fetcher, logger: logger), logger: logger,
            pollClaims: member.map { SharedSourceOwnership(member: $0) })

        let isHealthy: @Sendable () -> Bool = { true }
        guard let (host, port) = OperationsServer.hostAndPort(configuration.httpListen) else {
            throw ConfigurationError(problems: [.init(file: options.configurationPath, line: nil, key: "http.listen", message: "expected host:port")])
        }
        let operations = OperationsServer.make(host: host, port: port, registry: options.registry, isHealthy: isHealthy, onServerRunning: options.onListening)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // First, so it is the last to stop: claims stay this daemon's while the pipeline drains.
        if let member { services.append(.init(service: HeartbeatService(member: member, logger: logger))) }
        services.append(.init(service: operations))
        if let interval = SystemdNotifier.watchdogInterval() {
            services.append(.init(service: WatchdogService(notifier: notifier, interval: interval, isHealthy: isHealthy)))
        }
        services.append(.init(service: RotationService(exporter: exporter, logger: logger)))
        services.append(.init(service: PipelineService(pipeline: pipeline, items: items, logger: logger), successTerminationBehavior: .gracefullyShutdownGroup))
        services.append(.init(service: ReloadService(path: options.configurationPath, scheduler: scheduler, notifier: notifier, logger: logger)))
        services.append(.init(service: SchedulerService(scheduler: scheduler, items: items, notifier: notifier, logger: logger)))

        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.pipeline.drainTimeout
        let group = ServiceGroup(configuration: groupConfiguration)
        notifier.ready(status: "watching \(configuration.sources.count) source(s)")
        logger.info("khabar running", metadata: ["sources": "\(configuration.sources.count)", "output": "\(configuration.output.directory)", "http": "\(configuration.httpListen)"])
        try await group.run()
        let counts = counters.snapshot()
        logger.info("khabar stopped", metadata: ["exported": "\(counts[.exported])", "discovered": "\(counts[.discovered])"])
    }
}

/// Runs the pipeline until its input ends. Graceful shutdown does not stop it: it drains
/// whatever the scheduler sent before stopping.
struct PipelineService: Service {
    let pipeline: Pipeline
    let items: AsyncChannel<CrawlItem>
    let logger: Logger

    func run() async throws {
        let counts = try await pipeline.run(source: items)
        logger.info("pipeline drained", metadata: ["exported": "\(counts[.exported])"])
    }
}

/// Discovers until graceful shutdown, then finishes the pipeline's input.
struct SchedulerService: Service {
    let scheduler: SourceScheduler
    let items: AsyncChannel<CrawlItem>
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        let polling = Task { await scheduler.run(into: items) }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await polling.value
            } onGracefulShutdown: {
                notifier.stopping()
                logger.info("stopping discovery; draining the pipeline")
                polling.cancel()
            }
        } onCancel: {
            polling.cancel()
        }
    }
}

/// Finishes export files that reached their age while no record came to rotate them.
struct RotationService: Service {
    let exporter: JSONLExporter
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .seconds(2))
            do {
                try await exporter.rotateIfDue()
            } catch let error as ExportError where error.isRetryable {
                // Blocked on the output directory (full disk): the exporter logged it, and the
                // pipeline's sink retries; so does the next tick.
                continue
            } catch {
                logger.error("export stopped: \(error)")
                throw error
            }
        }
    }
}

/// SIGHUP: reads the configuration again; a valid one replaces the watched sources, an invalid
/// one is logged and the old one kept.
struct ReloadService: Service {
    let path: String
    let scheduler: SourceScheduler
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            notifier.reloading()
            do {
                let configuration = try KhabarConfiguration.load(contentsOf: path)
                scheduler.replaceSources(configuration.sources)
                logger.info("configuration reloaded", metadata: ["sources": "\(configuration.sources.count)"])
            } catch {
                logger.error("configuration not reloaded, keeping the running one: \(error)")
            }
            notifier.ready(status: "watching \(scheduler.sourceNames.count) source(s)")
        }
    }
}

/// Keeps this daemon alive in a shared state (`ClusterMember`) until the group stops.
struct HeartbeatService: Service {
    let member: ClusterMember
    let logger: Logger

    func run() async throws {
        let beating = Task { await member.keepAlive { error in logger.warning("shared state heartbeat failed: \(error)") } }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await beating.value
            } onGracefulShutdown: {
                beating.cancel()
            }
        } onCancel: {
            beating.cancel()
        }
    }
}
