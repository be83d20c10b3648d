internal import Metrics

/// What the pipeline has done so far, per event, and what is in flight per stage.
///
/// Counts are kept here (for progress lines and tests) and mirrored to swift-metrics
/// (`khabar_items_total{event}`, `khabar_in_flight{stage}`) for the Prometheus endpoint.
public final class PipelineCounters: Sendable {
    public enum Event: String, Sendable, CaseIterable {
        case discovered, fetched, unchanged, skipped
        case fetchFailed = "fetch_failed"
        case cleaned
        case cleanFailed = "clean_failed"
        case filtered
        case duplicatesFlagged = "duplicates_flagged"
        case duplicatesDropped = "duplicates_dropped"
        case exported
        /// Left out by the sink: an alias of an article already written (same canonical URL).
        case sameCanonicalURL = "same_canonical_url"
        /// Lines dropped from articles as their source's learned boilerplate.
        case learnedBoilerplateLines = "learned_boilerplate_lines"
    }

    public enum Stage: String, Sendable, CaseIterable {
        case fetch, clean, export
    }

    public struct Snapshot: Sendable, Equatable {
        public var events: [Event: Int]
        public var inFlight: [Stage: Int]
        /// The most items ever in flight in a stage at once.
        public var peakInFlight: [Stage: Int]

        public subscript(event: Event) -> Int { events[event] ?? 0 }
    }

    private struct State {
        var events: [Event: Int] = [:]
        var inFlight: [Stage: Int] = [:]
        var peakInFlight: [Stage: Int] = [:]
    }

    /// An item that failed for good, and why.
    public struct ItemFailure: Sendable, Equatable, CustomStringConvertible {
        public enum Stage: String, Sendable { case fetch, clean }
        public var url: String
        public var stage: Stage
        public var reason: String

        public var description: String { "\(url): \(stage.rawValue) failed: \(reason)" }
    }

    /// The first failures are kept for the report; past this many only their count grows.
    static let keptFailures = 10_000

    private let state = LockedValue(State())
    private let failureLog = LockedValue<[ItemFailure]>([])
    private let eventCounters: [Event: Counter]
    private let inFlightGauges: [Stage: Gauge]

    public init() {
        var counters: [Event: Counter] = [:]
        for event in Event.allCases {
            counters[event] = Counter(label: "khabar_items_total", dimensions: [("event", event.rawValue)])
        }
        eventCounters = counters
        var gauges: [Stage: Gauge] = [:]
        for stage in Stage.allCases {
            gauges[stage] = Gauge(label: "khabar_in_flight", dimensions: [("stage", stage.rawValue)])
        }
        inFlightGauges = gauges
    }

    func add(_ event: Event, _ count: Int = 1) {
        state.withLock { $0.events[event, default: 0] += count }
        eventCounters[event]?.increment(by: count)
    }

    func enter(_ stage: Stage) {
        let now = state.withLock { state -> Int in
            state.inFlight[stage, default: 0] += 1
            let now = state.inFlight[stage]!
            state.peakInFlight[stage] = max(state.peakInFlight[stage] ?? 0, now)
            return now
        }
        inFlightGauges[stage]?.record(now)
    }

    func leave(_ stage: Stage) {
        let now = state.withLock { state -> Int in
            state.inFlight[stage, default: 0] -= 1
            return state.inFlight[stage]!
        }
        inFlightGauges[stage]?.record(now)
    }

    /// Counts the failure (`fetch_failed` or `clean_failed`) and keeps its URL and reason.
    func fail(_ url: String, stage: ItemFailure.Stage, reason: String) {
        add(stage == .fetch ? .fetchFailed : .cleanFailed)
        failureLog.withLock { log in
            if log.count < Self.keptFailures { log.append(ItemFailure(url: url, stage: stage, reason: reason)) }
        }
    }

    /// Items that failed for good, with their URL and reason (the first `keptFailures`).
    public func failures() -> [ItemFailure] {
        failureLog.withLock { $0 }
    }

    public func snapshot() -> Snapshot {
        state.withLock { Snapshot(events: $0.events, inFlight: $0.inFlight, peakInFlight: $0.peakInFlight) }
    }
}
