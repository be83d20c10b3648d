import AsyncAlgorithms
import Foundation
import Synchronization
import Testing
@testable import KhabarCore

/// Serves the golden pages by URL, as a fetcher would.
struct GoldenPageFetcher: DocumentFetcher {
    let pages: [String: [UInt8]]
    var delay: Duration = .zero

    static func load() throws -> GoldenPageFetcher {
        let directory = GoldenExtractionTests.goldenDirectory
        var pages: [String: [UInt8]] = [:]
        for name in GoldenExtractionTests.pageNames {
            pages["https://news.example/\(name)"] = Array(try Data(contentsOf: directory.appendingPathComponent(name + ".html")))
        }
        return GoldenPageFetcher(pages: pages)
    }

    func fetch(_ item: CrawlItem) async -> FetchResult {
        if delay > .zero { try? await Task.sleep(for: delay) }
        let key = String(item.url.split(separator: "?").first ?? "")
        guard let body = pages[key] else { return .failed("404") }
        return .fetched(FetchedDocument(item: item, finalURL: item.url, body: body, charset: nil, fetchedAt: Date(timeIntervalSince1970: 1_750_000_000)))
    }
}

struct KeepEverything: DuplicateJudge {
    func judge(_ record: ArticleRecord) async throws -> ArticleRecord? { record }
}

/// Collects records; optionally slow, to exercise backpressure.
final class CollectingSink: ArticleSink, Sendable {
    let records = Mutex<[ArticleRecord]>([])
    let finished = Mutex(false)
    let delay: Duration
    let onWrite: @Sendable () -> Void

    init(delay: Duration = .zero, onWrite: @escaping @Sendable () -> Void = {}) {
        self.delay = delay
        self.onWrite = onWrite
    }

    func write(_ record: ArticleRecord) async throws -> Bool {
        onWrite()
        if delay > .zero { try await Task.sleep(for: delay) }
        records.withLock { $0.append(record) }
        return true
    }

    func finish() async throws {
        finished.withLock { $0 = true }
    }
}

@Suite struct PipelineTests {
    @Test func turnsFetchedPagesIntoRecords() async throws {
        let fetcher = try GoldenPageFetcher.load()
        let sink = CollectingSink()
        let pipeline = Pipeline(fetcher: fetcher, judge: KeepEverything(), sink: sink, options: .init(fetchers: 4, cleaners: 2))
        let items = fetcher.pages.keys.sorted().map { CrawlItem(url: $0, canonicalURL: $0, source: "golden") } + [CrawlItem(url: "https://news.example/missing", canonicalURL: "https://news.example/missing", source: "golden")]
        let report = try await pipeline.run(source: items.async)

        let records = sink.records.withLock { $0 }
        #expect(records.count == fetcher.pages.count)
        #expect(report[.exported] == fetcher.pages.count)
        #expect(report[.fetchFailed] == 1)
        #expect(sink.finished.withLock { $0 })
        for record in records {
            #expect(record.id == ArticleIdentity.id(canonicalURL: record.canonicalURL))
            #expect(record.id.count == 32)
            #expect(record.source == "golden")
            #expect(record.fetchedAt == "2025-06-15T15:06:40Z")
            #expect(record.lang == "ar")
            #expect(record.wordCount > 100)
            #expect(record.contentHash.count == 64)
        }
        // The same page under two URLs has the same content hash but its own id.
        let drupal = records.filter { $0.url.hasSuffix("drupal-ticker") }
        #expect(drupal.count == 1)
    }

    @Test func aSlowSinkBoundsWhatIsInFlight() async throws {
        let fetcher = try GoldenPageFetcher.load()
        let page = fetcher.pages.keys.sorted()[0]
        let counters = PipelineCounters()
        let worstBacklog = Mutex(0)
        let sink = CollectingSink(delay: .milliseconds(5)) {
            let snapshot = counters.snapshot()
            let backlog = snapshot[.discovered] - snapshot[.exported]
            worstBacklog.withLock { $0 = max($0, backlog) }
        }
        let options = Pipeline.Options(fetchers: 3, cleaners: 2)
        let pipeline = Pipeline(fetcher: fetcher, judge: KeepEverything(), sink: sink, options: options, counters: counters)
        let items = (0..<120).map { CrawlItem(url: "\(page)?n=\($0)", canonicalURL: "\(page)?n=\($0)", source: "golden") }
        let report = try await pipeline.run(source: items.async)

        #expect(report[.exported] == 120)
        // Workers of each stage, plus one item waiting at each of the three links.
        let bound = options.fetchers + options.cleaners + 1 + 3
        #expect(worstBacklog.withLock { $0 } <= bound)
        #expect((report.peakInFlight[.fetch] ?? 0) <= options.fetchers)
    }

    @Test func filtersDropShortAndOtherLanguageArticles() async throws {
        let fetcher = try GoldenPageFetcher.load()
        let sink = CollectingSink()
        let pipeline = Pipeline(fetcher: fetcher, judge: KeepEverything(), sink: sink, options: .init(fetchers: 2, cleaners: 1, languages: ["en"]))
        let items = fetcher.pages.keys.sorted().map { CrawlItem(url: $0, canonicalURL: $0, source: "golden") }
        let report = try await pipeline.run(source: items.async)
        #expect(report[.exported] == 0)
        #expect(report[.filtered] == fetcher.pages.count)
    }

    @Test func republishedCopiesAreFlaggedWithTheFirstRecordsID() async throws {
        let fetcher = try GoldenPageFetcher.load()
        let sink = CollectingSink()
        let judge = DeduplicatingJudge(store: InMemoryDeduplicationStore())
        let pipeline = Pipeline(fetcher: fetcher, judge: judge, sink: sink, options: .init(fetchers: 1, cleaners: 1))
        // The same story under three URLs (three sites' templates of one agency text), in order.
        let copies = ["levantine-date", "hijri-date", "jsonld-only-date"].map { "https://news.example/\($0)" }
        let items = (copies + ["https://news.example/forum"]).map { CrawlItem(url: $0, canonicalURL: $0, source: "golden") }
        let report = try await pipeline.run(source: items.async)

        let records = sink.records.withLock { $0 }
        #expect(records.count == 4, "keep policy: nothing is lost")
        let original = try #require(records.first { $0.url == copies[0] })
        #expect(original.duplicateOf == nil)
        for copy in copies.dropFirst() {
            #expect(records.first { $0.url == copy }?.duplicateOf == original.id)
        }
        #expect(records.first { $0.url.hasSuffix("forum") }?.duplicateOf == nil)
        #expect(report[.duplicatesFlagged] == 2)
    }

    @Test func dropPolicyLeavesCopiesOut() async throws {
        let fetcher = try GoldenPageFetcher.load()
        let sink = CollectingSink()
        let judge = DeduplicatingJudge(store: InMemoryDeduplicationStore(), policy: .drop)
        let pipeline = Pipeline(fetcher: fetcher, judge: judge, sink: sink, options: .init(fetchers: 1, cleaners: 1))
        let copies = ["levantine-date", "hijri-date", "jsonld-only-date"].map { "https://news.example/\($0)" }
        let report = try await pipeline.run(source: copies.map { CrawlItem(url: $0, canonicalURL: $0, source: "golden") }.async)
        #expect(sink.records.withLock { $0.map(\.url) } == [copies[0]])
        #expect(report[.duplicatesDropped] == 2)
    }
}

@Suite struct ArticleIdentityTests {
    @Test func timestampsRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_750_000_000)
        let text = ArticleIdentity.timestamp(date)
        #expect(text == "2025-06-15T15:06:40Z")
        #expect(ArticleIdentity.date(fromTimestamp: text) == date)
        #expect(ArticleIdentity.date(fromTimestamp: "not a time") == nil)
    }

    @Test func idsAreStableAndDistinct() {
        #expect(ArticleIdentity.id(canonicalURL: "https://a.example/x") == ArticleIdentity.id(canonicalURL: "https://a.example/x"))
        #expect(ArticleIdentity.id(canonicalURL: "https://a.example/x") != ArticleIdentity.id(canonicalURL: "https://a.example/y"))
    }
}
