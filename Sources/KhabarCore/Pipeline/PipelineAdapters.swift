internal import Foundation
internal import Metrics

/// The fetcher stage over `CurlFetcher`: skips articles the ledger says were exported (so a
/// resumed run redoes nothing), passes pre-fetched bodies through, and maps outcomes.
public struct CurlDocumentFetcher: DocumentFetcher {
    let fetcher: CurlFetcher
    let ledger: any ExportLedger
    /// Whether articles go through the fetcher's validator store (`CurlFetcher.fetch(_:conditional:)`).
    let conditional: Bool
    private let latency = Metrics.Timer(label: "khabar_fetch_duration_seconds", preferredDisplayUnit: .seconds)
    private let bytes = Counter(label: "khabar_fetched_bytes_total")

    /// - Parameter conditional: `false` in the daemon, whose validators live in memory for as
    ///   long as it runs: an article is fetched once, so keeping its validators would only grow
    ///   the store by an entry per article, for months.
    public init(fetcher: CurlFetcher, ledger: any ExportLedger, conditional: Bool = true) {
        self.fetcher = fetcher
        self.ledger = ledger
        self.conditional = conditional
    }

    public func fetch(_ item: CrawlItem) async -> FetchResult {
        if (try? ledger.isExported(canonicalURL: item.canonicalURL)) == true { return .unchanged }
        if let prefetched = item.prefetched {
            return .fetched(FetchedDocument(item: item, finalURL: prefetched.finalURL, body: prefetched.body, charset: prefetched.charset, fetchedAt: prefetched.fetchedAt))
        }
        let started = ContinuousClock.now
        defer { latency.record(duration: ContinuousClock.now - started) }
        do {
            // The canonical form: tracking parameters and fragments are not the site's business.
            switch try await fetcher.fetch(item.canonicalURL, conditional: conditional) {
            case .fetched(let page):
                bytes.increment(by: page.body.count)
                return .fetched(FetchedDocument(item: item, finalURL: page.finalURL, body: page.body, charset: page.charset, fetchedAt: page.fetchedAt))
            case .notModified:
                return .unchanged
            }
        } catch let error as FetchError {
            if case .disallowedByRobots = error { return .skipped(error.description) }
            // Cut short by shutdown: not the page's fault, so it may be tried again.
            if error.isRetryable || error == .shutDown { return .failedForNow(error.description) }
            return .failed(error.description)
        } catch {
            return .failed("\(error)")
        }
    }
}

/// The sink stage over `JSONLExporter`: records go into `.part` files that become finished
/// `.jsonl` files on rotation and at `finish`.
///
/// When the output directory cannot be written (a full disk), the exporter blocks and throws a
/// retryable error; the sink then waits, with a backoff from `retryDelay` up to
/// `maxRetryDelay`, and tries again until it can write, holding the pipeline back meanwhile
/// (its channels are bounded). Cancellation (shutdown) ends the wait with `CancellationError`;
/// what was not exported is not marked in the ledger and is redone by the next run.
public struct ExporterSink: ArticleSink {
    let exporter: JSONLExporter
    let retryDelay: Duration
    let maxRetryDelay: Duration
    /// Seconds from fetching an article to handing it to the exporter.
    private let exportLag = Gauge(label: "khabar_export_lag_seconds")

    public init(exporter: JSONLExporter, retryDelay: Duration = .milliseconds(250), maxRetryDelay: Duration = .seconds(5)) {
        self.exporter = exporter
        self.retryDelay = retryDelay
        self.maxRetryDelay = max(retryDelay, maxRetryDelay)
    }

    public func write(_ record: ArticleRecord) async throws -> Bool {
        try await write(record, acknowledgement: nil)
    }

    /// The acknowledgement is called when the file holding the record is committed (or at
    /// once when the record was exported before).
    public func write(_ record: ArticleRecord, acknowledgement: ExportAcknowledgement?) async throws -> Bool {
        if let fetched = ArticleIdentity.date(fromTimestamp: record.fetchedAt) {
            exportLag.record(Date().timeIntervalSince(fetched))
        }
        return try await retryingWhileBlocked { try await exporter.append(record, acknowledgement: acknowledgement) == .appended }
    }

    public func finish() async throws {
        _ = try await retryingWhileBlocked { try await exporter.finishOpenFile() }
    }

    private func retryingWhileBlocked<T>(_ body: () async throws -> T) async throws -> T {
        var delay = retryDelay
        while true {
            do {
                return try await body()
            } catch let error as ExportError where error.isRetryable {
                // The exporter logged it and counts it; wait for space (cancellable).
                try await Task.sleep(for: delay)
                delay = min(delay * 2, maxRetryDelay)
            }
        }
    }
}

/// Validators for conditional GETs of discovery documents (feeds, sitemaps), committed to the
/// state store only by `commit()`, after what those documents listed has been exported: a run
/// that dies midway must not leave a validator that would answer the next run "304, nothing
/// new" for items it never exported. Article pages are not fetched conditionally (an exported
/// article is skipped before fetching; any other must be fetched in full), but their
/// validators are kept for later use, written `articleBatchSize` at a time: one transaction
/// per page would make the state database commit hundreds of times a second, and a crash
/// costs at most a batch of validators nothing reads yet.
public final class DiscoveryValidatorStore: FetchValidatorStore, Sendable {
    private let store: any URLStateStore
    private let discoveryURLs: Set<String>
    private let articleBatchSize: Int
    private let uncommitted = LockedValue<[String: FetchValidators]>([:])
    private let articleAttempts = LockedValue<[FetchAttempt]>([])

    /// - Parameter discoveryURLs: canonical keys (`CanonicalURL.key(for:)`) of the feeds and
    ///   sitemaps this run reads conditionally.
    public init(store: any URLStateStore, discoveryURLs: Set<String>, articleBatchSize: Int = 256) {
        self.store = store
        self.discoveryURLs = discoveryURLs
        self.articleBatchSize = max(1, articleBatchSize)
    }

    public func validators(for canonicalURL: String) async -> FetchValidators? {
        guard discoveryURLs.contains(canonicalURL), let state = try? store.urlState(for: canonicalURL),
              state.etag != nil || state.lastModified != nil
        else { return nil }
        return FetchValidators(etag: state.etag, lastModified: state.lastModified)
    }

    public func store(_ validators: FetchValidators, for canonicalURL: String) async {
        if discoveryURLs.contains(canonicalURL) {
            uncommitted.withLock { $0[canonicalURL] = validators }
            return
        }
        let attempt = FetchAttempt(canonicalURL: canonicalURL, status: 200, etag: validators.etag, lastModified: validators.lastModified, at: Date())
        let full = articleAttempts.withLock { attempts -> [FetchAttempt] in
            attempts.append(attempt)
            guard attempts.count >= articleBatchSize else { return [] }
            defer { attempts.removeAll(keepingCapacity: true) }
            return attempts
        }
        // Best effort, as before batching: a failed write loses validators nothing reads yet.
        try? store.recordFetches(full)
    }

    /// Saves the discovery documents' validators for the next run.
    public func commit() throws {
        let pending = uncommitted.withLock { entries -> [String: FetchValidators] in
            defer { entries.removeAll() }
            return entries
        }
        let articles = articleAttempts.withLock { attempts -> [FetchAttempt] in
            defer { attempts.removeAll() }
            return attempts
        }
        let now = Date()
        try store.recordFetches(
            articles + pending.map { url, validators in
                FetchAttempt(canonicalURL: url, status: 200, etag: validators.etag, lastModified: validators.lastModified, at: now)
            })
    }
}
