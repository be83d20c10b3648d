internal import AsyncAlgorithms
public import Foundation
internal import Crypto

/// A URL the pipeline should turn into an article, and where it came from.
public struct CrawlItem: Sendable, Equatable {
    public var url: String
    /// The URL in canonical form (tracking parameters dropped, host lower-cased…).
    public var canonicalURL: String
    /// The configured source's name, or the backfill input.
    public var source: String
    /// The page's bytes when they come with the item (a WARC record): nothing to fetch.
    public var prefetched: Prefetched?

    public struct Prefetched: Sendable, Equatable {
        public var finalURL: String
        public var body: [UInt8]
        public var charset: String?
        public var fetchedAt: Date

        public init(finalURL: String, body: [UInt8], charset: String?, fetchedAt: Date) {
            self.finalURL = finalURL
            self.body = body
            self.charset = charset
            self.fetchedAt = fetchedAt
        }
    }

    public init(url: String, canonicalURL: String, source: String, prefetched: Prefetched? = nil) {
        self.url = url
        self.canonicalURL = canonicalURL
        self.source = source
        self.prefetched = prefetched
    }
}

/// A fetched page on its way to the cleaner.
public struct FetchedDocument: Sendable {
    public var item: CrawlItem
    public var finalURL: String
    public var body: [UInt8]
    /// From the HTTP `Content-Type`, when it names one.
    public var charset: String?
    public var fetchedAt: Date

    public init(item: CrawlItem, finalURL: String, body: [UInt8], charset: String?, fetchedAt: Date) {
        self.item = item
        self.finalURL = finalURL
        self.body = body
        self.charset = charset
        self.fetchedAt = fetchedAt
    }
}

/// What fetching one item gave.
public enum FetchResult: Sendable {
    case fetched(FetchedDocument)
    /// The server said 304, or the URL was exported before: nothing to do.
    case unchanged
    /// Not fetched on purpose (robots.txt, policy), with the reason.
    case skipped(String)
    /// Fetching failed for good (after the fetcher's own retries), with the reason.
    case failed(String)
    /// Fetching failed after the fetcher's own retries, but trying later may succeed (a
    /// timeout, a 5xx or 429, a paused host, a fetch cut short by shutdown).
    case failedForNow(String)
}

/// Told what became of each item, for callers that hand out work and must know when each
/// piece is finished (the shared frontier). Called from the pipeline's workers.
public protocol CrawlItemObserver: Sendable {
    /// The item is handled and will not be exported: unchanged, skipped, failed cleaning,
    /// filtered or dropped as a duplicate.
    func settled(_ item: CrawlItem)
    /// Fetching the item failed; `retryable` when trying later may succeed.
    func fetchFailed(_ item: CrawlItem, reason: String, retryable: Bool)
    /// The item's record goes to the sink now: the acknowledgement returned (if any) is
    /// called once it is durably exported (or found exported already).
    func exporting(_ item: CrawlItem) -> ExportAcknowledgement?
}

/// Stage 1: turns crawl items into fetched documents.
public protocol DocumentFetcher: Sendable {
    func fetch(_ item: CrawlItem) async -> FetchResult
}

/// Stage 4: decides whether a record duplicates one exported before.
public protocol DuplicateJudge: Sendable {
    /// The record flagged with `duplicateOf`, or `nil` when policy drops it.
    func judge(_ record: ArticleRecord) async throws -> ArticleRecord?
    /// The part of judging that needs no earlier decision (a text's fingerprint): the
    /// pipeline runs it in its parallel cleaning workers, not in the one export task.
    func prepare(_ record: ArticleRecord) -> TextFingerprint?
    /// `judge` with what `prepare` made.
    func judge(_ record: ArticleRecord, prepared: TextFingerprint?) async throws -> ArticleRecord?
    /// Makes every decision so far persistent; called when the pipeline drains.
    func flush() async throws
}

extension DuplicateJudge {
    public func prepare(_ record: ArticleRecord) -> TextFingerprint? { nil }
    public func judge(_ record: ArticleRecord, prepared: TextFingerprint?) async throws -> ArticleRecord? {
        try await judge(record)
    }
    public func flush() async throws {}
}

/// A cleaned record on its way to the export stage, with what the judge prepared for it.
struct CleanedRecord: Sendable {
    var record: ArticleRecord
    var prepared: TextFingerprint?
    /// The item it came from (without a prefetched body), for the observer.
    var item: CrawlItem
}

/// Stage 5: where records end up. Writes may wait (backpressure); `finish` flushes, syncs and
/// commits everything written.
public protocol ArticleSink: Sendable {
    /// Writes `record`; `false` when the sink already holds its canonical URL (an alias of an
    /// article written before) and left it out.
    func write(_ record: ArticleRecord) async throws -> Bool
    /// `write`, then `acknowledgement` once the record is durable (or was written before).
    func write(_ record: ArticleRecord, acknowledgement: ExportAcknowledgement?) async throws -> Bool
    func finish() async throws
}

extension ArticleSink {
    /// For sinks whose writes are final when they return.
    public func write(_ record: ArticleRecord, acknowledgement: ExportAcknowledgement?) async throws -> Bool {
        let written = try await write(record)
        acknowledgement?.acknowledge()
        return written
    }
}

/// Scheduler → fetcher → cleaner (extraction and normalization) → deduplicator → sink, each
/// link a bounded `AsyncChannel` (a send waits until a worker takes the item), so a slow sink
/// slows fetching and the number of items in flight never exceeds the workers plus one per
/// link.
///
/// Shutdown is a drain: when the source sequence ends (a backfill ran out, or the daemon's
/// graceful shutdown stopped discovery), each stage finishes its work in flight and then its
/// output, and the sink is finished last. Failures of single items are counted and logged,
/// never fatal; a sink error is (the output cannot be trusted any more).
public struct Pipeline: Sendable {
    public struct Options: Sendable {
        public var fetchers: Int
        public var cleaners: Int
        public var minimumWords: Int
        public var languages: [String]
        /// Per-source learned boilerplate: lines recurring across a source's articles are
        /// dropped from its later ones (nil: off).
        public var learnedBoilerplate: StoredBoilerplateMemory?
        /// The normalizer's rules for `text` and `title` (and for `text_folded`).
        public var normalization: NormalizationOptions
        /// Records carry `text_folded`, the folded form of their `text`.
        public var exportFolded: Bool

        public init(
            fetchers: Int = 32, cleaners: Int = 2, minimumWords: Int = 0, languages: [String] = [],
            learnedBoilerplate: StoredBoilerplateMemory? = nil,
            normalization: NormalizationOptions = .default, exportFolded: Bool = false
        ) {
            self.fetchers = max(1, fetchers)
            self.cleaners = max(1, cleaners)
            self.minimumWords = minimumWords
            self.languages = languages
            self.learnedBoilerplate = learnedBoilerplate
            self.normalization = normalization
            self.exportFolded = exportFolded
        }

        /// The options `configuration` sets; `learnedBoilerplate` is the caller's (it needs the store).
        public init(configuration: KhabarConfiguration, learnedBoilerplate: StoredBoilerplateMemory?) {
            self.init(
                fetchers: configuration.fetch.globalConcurrency, cleaners: configuration.pipeline.cleaners,
                minimumWords: configuration.filters.minWords, languages: configuration.filters.languages,
                learnedBoilerplate: learnedBoilerplate,
                normalization: configuration.normalize.options, exportFolded: configuration.normalize.exportFolded)
        }
    }

    let fetcher: any DocumentFetcher
    let judge: any DuplicateJudge
    let sink: any ArticleSink
    let options: Options
    let counters: PipelineCounters
    let observer: (any CrawlItemObserver)?
    let extractor: ArticleExtractor
    /// Set when records carry `text_folded`.
    let folding: ArabicFolding?

    public init(
        fetcher: any DocumentFetcher, judge: any DuplicateJudge, sink: any ArticleSink, options: Options,
        counters: PipelineCounters = PipelineCounters(), observer: (any CrawlItemObserver)? = nil
    ) {
        self.fetcher = fetcher
        self.judge = judge
        self.sink = sink
        self.options = options
        self.counters = counters
        self.observer = observer
        extractor = ArticleExtractor(options: options.normalization)
        folding = options.exportFolded ? ArabicFolding(options: options.normalization) : nil
    }

    /// Runs every item of `source` through the stages and returns when all are done and the
    /// sink is finished.
    public func run<Source: AsyncSequence & Sendable>(source: Source) async throws -> PipelineCounters.Snapshot
    where Source.Element == CrawlItem {
        let items = AsyncChannel<CrawlItem>()
        let fetched = AsyncChannel<FetchedDocument>()
        let cleaned = AsyncChannel<CleanedRecord>()
        let counters = self.counters
        let observer = self.observer

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { items.finish() }
                for try await item in source {
                    counters.add(.discovered)
                    await items.send(item)
                }
            }
            group.addTask {
                await Self.workers(options.fetchers, input: items, output: fetched) { item in
                    counters.enter(.fetch)
                    defer { counters.leave(.fetch) }
                    switch await fetcher.fetch(item) {
                    case .fetched(let document):
                        counters.add(.fetched)
                        return document
                    case .unchanged:
                        counters.add(.unchanged)
                        observer?.settled(item)
                    case .skipped:
                        counters.add(.skipped)
                        observer?.settled(item)
                    case .failed(let reason):
                        counters.fail(item.url, stage: .fetch, reason: reason)
                        observer?.fetchFailed(item, reason: reason, retryable: false)
                    case .failedForNow(let reason):
                        counters.fail(item.url, stage: .fetch, reason: reason)
                        observer?.fetchFailed(item, reason: reason, retryable: true)
                    }
                    return nil
                }
            }
            group.addTask {
                await Self.workers(options.cleaners, input: fetched, output: cleaned) { document in
                    counters.enter(.clean)
                    defer { counters.leave(.clean) }
                    guard let cleanedRecord = makeRecord(from: document) else {
                        observer?.settled(document.item)
                        return nil
                    }
                    counters.add(.cleaned)
                    return cleanedRecord
                }
            }
            group.addTask {
                for await cleanedRecord in cleaned {
                    counters.enter(.export)
                    defer { counters.leave(.export) }
                    guard let judged = try await judge.judge(cleanedRecord.record, prepared: cleanedRecord.prepared) else {
                        counters.add(.duplicatesDropped)
                        observer?.settled(cleanedRecord.item)
                        continue
                    }
                    if judged.duplicateOf != nil { counters.add(.duplicatesFlagged) }
                    if try await sink.write(judged, acknowledgement: observer?.exporting(cleanedRecord.item)) {
                        counters.add(.exported)
                    } else {
                        counters.add(.sameCanonicalURL)
                    }
                }
                try await judge.flush()
                options.learnedBoilerplate?.flush()
                try await sink.finish()
            }
            try await group.waitForAll()
        }
        return counters.snapshot()
    }

    /// The page's own `<link rel=canonical>` names the article when it stays on the same host
    /// (a site's alias and tracking variants collapse into one); a canonical pointing elsewhere
    /// (syndication partners) is not trusted.
    static func preferredCanonicalURL(item: String, page: String?) -> String {
        guard let page, let canonical = URLCanonicalizer().canonicalize(page),
              let pageHost = URL(string: canonical)?.host?.lowercased(), let itemHost = URL(string: item)?.host?.lowercased(),
              pageHost == itemHost
        else { return item }
        return canonical
    }

    /// `count` workers take from `input` and send what `transform` makes to `output`, which is
    /// finished when the last worker is done.
    static func workers<Input: Sendable, Output: Sendable>(
        _ count: Int, input: AsyncChannel<Input>, output: AsyncChannel<Output>,
        transform: @escaping @Sendable (Input) async -> Output?
    ) async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<count {
                group.addTask {
                    for await value in input {
                        if let result = await transform(value) { await output.send(result) }
                    }
                }
            }
        }
        output.finish()
    }

    /// Cleaner and normalizer: the fetched page as an exportable record with what the judge
    /// prepared for it, or `nil` (counted) when it has no article or the filters reject it.
    func makeRecord(from document: FetchedDocument) -> CleanedRecord? {
        let article: ExtractedArticle
        switch extractor.extract(html: document.body, url: document.finalURL, charset: document.charset) {
        case .success(let extracted):
            article = extracted
        case .failure(let error):
            counters.fail(document.item.url, stage: .clean, reason: error.description)
            return nil
        }
        // The extractor's text and title are already in the normalizer's display form.
        var text = article.text
        var wordCount = article.wordCount
        if let memory = options.learnedBoilerplate {
            let lines = text.split(separator: "\n").map(String.init)
            let kept = memory.dropLearned(from: lines, source: document.item.source)
            if kept.count < lines.count {
                counters.add(.learnedBoilerplateLines, lines.count - kept.count)
                text = kept.joined(separator: "\n")
                wordCount = WordCounter.count(text)
            }
        }
        if wordCount < options.minimumWords || (!options.languages.isEmpty && !options.languages.contains(article.lang ?? "")) {
            counters.add(.filtered)
            return nil
        }
        let canonicalURL = Self.preferredCanonicalURL(item: document.item.canonicalURL, page: article.canonicalURL)
        var record = ArticleRecord(
            id: ArticleIdentity.id(canonicalURL: canonicalURL), url: document.item.url,
            canonicalURL: canonicalURL, source: document.item.source,
            fetchedAt: ArticleIdentity.timestamp(document.fetchedAt),
            title: article.title, author: article.author,
            publishedAt: article.publishedAt, modifiedAt: article.modifiedAt, siteName: article.siteName,
            lang: article.lang, dir: article.dir, description: article.description, image: article.image,
            tags: article.tags, text: text, textFolded: folding?.foldNormalized(text), wordCount: wordCount, contentHash: "")
        // A judge that fingerprints the text has its content hash already: not hashed twice.
        let prepared = judge.prepare(record)
        record.contentHash = prepared?.contentHash ?? ArticleIdentity.contentHash(text)
        var item = document.item
        item.prefetched = nil  // the body is in the record now; not held twice
        return CleanedRecord(record: record, prepared: prepared, item: item)
    }
}

/// Stable identifiers of articles and their content.
public enum ArticleIdentity {
    /// 32 hex digits of SHA-256 over the canonical URL: the same article always gets the same id.
    public static func id(canonicalURL: String) -> String {
        hex(SHA256.hash(data: Data(canonicalURL.utf8)).prefix(16))
    }

    /// SHA-256 (hex) of the text in folded form, so spelling variants of one text hash alike.
    public static func contentHash(_ text: String) -> String {
        hex(SHA256.hash(data: Data(BoilerplateLexicon.comparisonKey(text).utf8)))
    }

    /// ISO 8601 in UTC with seconds, e.g. `2026-11-23T05:10:00Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    /// Reads back a `timestamp(_:)` value.
    public static func date(fromTimestamp text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }

    static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var result: [UInt8] = []
        for byte in bytes {
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: result, as: UTF8.self)
    }
}
