import AsyncAlgorithms
import Foundation
import Logging
import Synchronization
import Testing
@testable import KhabarCore

/// The shared frontier's per-URL outcomes, on the tests' own PostgreSQL server: each claim ends
/// done or failed as its item is handled; a failure that may mend comes back after a backoff,
/// up to the attempts allowed.
@Suite struct SharedFrontierTests {
    private func item(_ n: Int) -> CrawlItem {
        CrawlItem(url: "https://site.example/\(n)", canonicalURL: "https://site.example/\(n)", source: "site")
    }

    private func member(_ store: PostgresStateStore, lease: Duration = .seconds(30)) throws -> ClusterMember {
        let member = ClusterMember(store: store, lease: lease)
        try member.beat()
        return member
    }

    /// Time passes for the frontier: every retry waiting is due now. (Waiting for real would
    /// make the test's checks race the backoff on a loaded machine.)
    private func makeRetriesDue(_ store: PostgresStateStore) throws {
        try PostgresTestServer.start().execute("UPDATE frontier SET next_attempt_at = now() WHERE next_attempt_at > now()", in: store.location)
    }

    /// Time passes for a holder: its heartbeat runs out now, as if it had died a lease ago.
    private func expireHeartbeat(_ member: ClusterMember, _ store: PostgresStateStore) throws {
        // Holder names are the instance, a process id and hex digits: nothing to quote.
        try PostgresTestServer.start().execute(
            "UPDATE holders SET alive_until = now() - interval '1 second' WHERE holder = '\(member.holder)'", in: store.location)
    }

    @Test func eachClaimEndsDoneOrFailedAndTransientFailuresComeBackAfterABackoff() async throws {
        let store = try PostgresStateStore(location: try PostgresTestServer.start().makeDatabase(), instance: "a")
        let retry = SharedFrontier.RetryPolicy(maxAttempts: 3, baseDelay: .seconds(20), maxDelay: .seconds(60))
        let frontier = SharedFrontier(member: try member(store), retry: retry)
        try frontier.add((1...4).map(item))
        #expect(try frontier.claim(limit: 10).map(\.canonicalURL) == (1...4).map { item($0).canonicalURL })

        try frontier.markDone([item(1).canonicalURL])
        try frontier.markFailed([
            .init(canonicalURL: item(2).canonicalURL, reason: "HTTP 404", retryable: false),
            .init(canonicalURL: item(3).canonicalURL, reason: "timed out", retryable: true),
        ])
        #expect(try frontier.entry(canonicalURL: item(1).canonicalURL)?.state == "done")
        let gone = try #require(try frontier.entry(canonicalURL: item(2).canonicalURL))
        #expect(gone.state == "failed" && gone.attempts == 1 && gone.lastError == "HTTP 404" && gone.retryIn == nil)
        let again = try #require(try frontier.entry(canonicalURL: item(3).canonicalURL))
        #expect(again.state == "pending" && again.attempts == 1 && again.lastError == "timed out")
        #expect((10...20).contains(again.retryIn ?? 0), "\(again)")

        // Not claimable before its time, but still work to wait for.
        #expect(try frontier.claim(limit: 10).isEmpty)
        #expect(try frontier.hasClaimableWork())
        let status = try ClusterStatus.read(store)
        #expect(status.frontier == ["done": 1, "failed": 1, "pending": 1, "claimed": 1])
        #expect(status.retriesWaiting == 1)
        #expect(status.report.contains("1 done, 1 failed"), "\(status.report)")
        // The host's queue: the URL waiting for its retry (the claimed one is not queued).
        #expect(status.hosts.map { "\($0.host) \($0.waiting)" } == ["site.example:443 1"], "\(status.hosts)")
        #expect(status.report.contains("site.example:443: 1 URLs waiting"), "\(status.report)")

        // Due: claimed again; the next failure waits twice as long; the third is final.
        try makeRetriesDue(store)
        #expect(try frontier.claim(limit: 10).map(\.canonicalURL) == [item(3).canonicalURL])
        try frontier.markFailed([.init(canonicalURL: item(3).canonicalURL, reason: "HTTP 503", retryable: true)])
        let second = try #require(try frontier.entry(canonicalURL: item(3).canonicalURL))
        #expect(second.state == "pending" && second.attempts == 2)
        #expect((30...40).contains(second.retryIn ?? 0), "\(second)")
        #expect(try frontier.claim(limit: 10).isEmpty)
        try makeRetriesDue(store)
        #expect(try frontier.claim(limit: 10).map(\.canonicalURL) == [item(3).canonicalURL])
        try frontier.markFailed([.init(canonicalURL: item(3).canonicalURL, reason: "HTTP 503", retryable: true)])
        let last = try #require(try frontier.entry(canonicalURL: item(3).canonicalURL))
        #expect(last.state == "failed" && last.attempts == 3 && last.claims == 3 && last.lastError == "HTTP 503")
        #expect(try frontier.claim(limit: 10).isEmpty)

        // Outcomes only touch the holder's own claims.
        let other = SharedFrontier(member: try member(store))
        try other.markDone([item(4).canonicalURL])
        try other.markFailed([.init(canonicalURL: item(4).canonicalURL, reason: "x", retryable: false)])
        #expect(try frontier.entry(canonicalURL: item(4).canonicalURL)?.state == "claimed")
        #expect(try frontier.finish() == 1)
        #expect(try ClusterStatus.read(store).frontier == ["done": 2, "failed": 2])
    }

    @Test func anExpiredClaimReturnsToThePoolWithItsAttempts() async throws {
        let store = try PostgresStateStore(location: try PostgresTestServer.start().makeDatabase(), instance: "a")
        let dyingMember = try member(store)
        let dying = SharedFrontier(member: dyingMember)
        try dying.add([item(1)])
        _ = try dying.claim(limit: 1)
        try dying.markFailed([.init(canonicalURL: item(1).canonicalURL, reason: "timed out", retryable: true)])
        try makeRetriesDue(store)
        #expect(try dying.claim(limit: 1).count == 1)
        // Its holder stops beating: once its lease has run out the claim is another's,
        // attempts kept.
        let survivor = SharedFrontier(member: try member(store))
        #expect(try survivor.claim(limit: 1).isEmpty)
        try expireHeartbeat(dyingMember, store)
        #expect(try survivor.claim(limit: 1).map(\.canonicalURL) == [item(1).canonicalURL])
        let entry = try #require(try survivor.entry(canonicalURL: item(1).canonicalURL))
        #expect(entry.state == "claimed" && entry.attempts == 1 && entry.claims == 3)
        // The dead holder's late outcome does not touch what is no longer its own.
        try dying.markDone([item(1).canonicalURL])
        #expect(try survivor.entry(canonicalURL: item(1).canonicalURL)?.state == "claimed")
    }

    /// A whole shared backfill over real pages with a fetcher that fails some URLs: every item
    /// gets its outcome from the pipeline (none is left for `finish` to guess), a URL that
    /// fails for now is fetched again after its backoff and exported, one that keeps failing
    /// ends failed after the attempts allowed, and a 404 fails at once.
    @Test func aSharedBackfillRecordsEveryItemsOutcome() async throws {
        let store = try PostgresStateStore(location: try PostgresTestServer.start().makeDatabase(), instance: "a")
        let scratch = ScratchDirectory()
        let golden = try GoldenPageFetcher.load()
        let pages = golden.pages.keys.sorted()
        let flaky = pages[0]
        let down = "https://news.example/down"
        let missing = "https://news.example/missing"
        let fetcher = FlakyFetcher(pages: golden, failuresFirst: [flaky: 2, down: 100])

        let retry = SharedFrontier.RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(200), maxDelay: .seconds(1))
        let feed = SharedBackfillFeed(
            frontier: SharedFrontier(member: try member(store), retry: retry), claimBatch: 4, logger: Logger(label: "test"))
        let urls = pages + [down, missing]
        try feed.frontier.add(urls.map { CrawlItem(url: $0, canonicalURL: $0, source: "golden") })

        // Small files, so most are committed (and their items done) while the run goes on.
        let exporter = try JSONLExporter(
            configuration: .init(directory: scratch.url.appendingPathComponent("out"), maxFileBytes: 40_000), ledger: store)
        let pipeline = Pipeline(
            fetcher: fetcher, judge: KeepEverything(), sink: ExporterSink(exporter: exporter),
            options: .init(fetchers: 3, cleaners: 2), observer: feed.outcomes)
        let items = AsyncChannel<CrawlItem>()
        let discovery = BackfillDiscovery(fetcher: try CurlFetcher(), logger: Logger(label: "test"))
        async let fed: Void = feed.feed(discovery, inputs: BackfillInputs(), into: items)
        let report = try await pipeline.run(source: items)
        try await fed
        try feed.outcomes.flush()
        #expect(try feed.frontier.finish() == 0, "every claim has an outcome of its own")

        #expect(fetcher.count(flaky) == 3)
        #expect(fetcher.count(down) == 3)
        #expect(fetcher.count(missing) == 1)
        let exported = try feed.frontier.entry(canonicalURL: flaky)
        #expect(exported?.state == "done" && exported?.attempts == 2 && exported?.claims == 3)
        #expect(try store.isExported(canonicalURL: flaky))
        let failed = try #require(try feed.frontier.entry(canonicalURL: down))
        #expect(failed.state == "failed" && failed.attempts == 3 && failed.lastError == "timed out: test")
        #expect(try feed.frontier.entry(canonicalURL: missing)?.state == "failed")
        #expect(try feed.frontier.entry(canonicalURL: missing)?.attempts == 1)
        #expect(try ClusterStatus.read(store).frontier == ["done": pages.count, "failed": 2])
        #expect(report[.exported] > 0 && report[.fetchFailed] == 2 + 3 + 1)
    }
}

/// Golden pages, with some URLs failing "for now" their first N fetches; unknown URLs are 404s.
final class FlakyFetcher: DocumentFetcher {
    let pages: GoldenPageFetcher
    let failuresFirst: [String: Int]
    private let fetches = Mutex<[String: Int]>([:])

    init(pages: GoldenPageFetcher, failuresFirst: [String: Int]) {
        self.pages = pages
        self.failuresFirst = failuresFirst
    }

    func count(_ url: String) -> Int { fetches.withLock { $0[url] ?? 0 } }

    func fetch(_ item: CrawlItem) async -> FetchResult {
        let attempt = fetches.withLock { counts -> Int in
            counts[item.url, default: 0] += 1
            return counts[item.url]!
        }
        if attempt <= failuresFirst[item.url] ?? 0 { return .failedForNow("timed out: test") }
        return await pages.fetch(item)
    }
}
