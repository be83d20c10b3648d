public import AsyncAlgorithms
public import Foundation
public import Logging

/// What a backfill reads: feeds and sitemaps to fetch, and inputs that need no fetching.
public struct BackfillInputs: Sendable {
    public var feeds: [String] = []
    public var sitemaps: [String] = []
    public var urlFiles: [String] = []
    public var warcFiles: [String] = []
    /// Sitemap entries dated outside `since..<until` (news publication date, `lastmod`, or a
    /// date in the URL) are skipped; undated entries are kept.
    public var since: Date?
    public var until: Date?

    public init() {}

    public var isEmpty: Bool { feeds.isEmpty && sitemaps.isEmpty && urlFiles.isEmpty && warcFiles.isEmpty }
}

/// Turns backfill inputs into crawl items: fetches feeds and sitemaps (following sitemap
/// indexes), reads URL lists and WARC files, and hands on each canonical URL once.
public final class BackfillDiscovery: Sendable {
    let fetcher: CurlFetcher
    let logger: Logger
    let canonicalizer = URLCanonicalizer()
    let sitemapParser = SitemapParser()
    private let seen = LockedValue(RecentlySeen(generationSize: BackfillDiscovery.rememberedURLGeneration))
    private let failures = LockedValue<[String]>([])
    private let offeredCount = LockedValue(0)
    /// Discovery remembers the last 25,000 to 50,000 canonical URLs it sent on (two
    /// generations), enough for every feed's current window; an older URL listed again is
    /// skipped before fetching by the deduplicator's record of it. Remembering every URL kept
    /// RSS growing by 0.1 KB a page for as long as the daemon ran.
    static let rememberedURLGeneration = 25_000

    public init(fetcher: CurlFetcher, logger: Logger) {
        self.fetcher = fetcher
        self.logger = logger
    }

    /// How many items discovery has sent on so far.
    public var offered: Int { offeredCount.withLock { $0 } }

    /// Problems met while discovering (a feed that could not be fetched or parsed…), each
    /// naming the input and the reason.
    public var problems: [String] { failures.withLock { $0 } }

    /// Sends every discovered item to `output`, then finishes it.
    public func discover(_ inputs: BackfillInputs, into output: AsyncChannel<CrawlItem>) async {
        defer { output.finish() }
        for feed in inputs.feeds {
            await discoverFeed(feed, into: output)
        }
        for sitemap in inputs.sitemaps {
            await discoverSitemap(sitemap, depth: 0, inputs: inputs, into: output)
        }
        for file in inputs.urlFiles {
            do {
                let (urls, rejected) = try URLListReader.read(contentsOf: file)
                for line in rejected { problem("\(file):\(line.number): not a URL: \(line.url)") }
                for line in urls { await offer(line.url, source: file, into: output) }
            } catch {
                problem("\(file): \(error)")
            }
        }
        for file in inputs.warcFiles {
            await discoverWARC(file, into: output)
        }
    }

    /// Reads a feed; `false` when it could not be had or has not changed.
    @discardableResult
    func discoverFeed(_ url: String, source: KhabarConfiguration.Source? = nil, into output: AsyncChannel<CrawlItem>) async -> Bool {
        guard let bytes = await fetchDocument(url, kind: "feed") else { return false }
        do {
            let feed = try FeedParser().parse(bytes.body, url: bytes.finalURL, declaredCharset: bytes.charset)
            let oldest = source?.maxAge.map { Date().addingTimeInterval(-$0.seconds) }
            for item in feed.items {
                guard let link = item.link else { continue }
                if let oldest, let published = (item.published ?? item.updated).flatMap(Self.date), published < oldest { continue }
                await offer(link, source: source?.name ?? url, filter: source, into: output)
            }
        } catch {
            problem("\(url): \(error)")
        }
        return true
    }

    /// Reads a listing page: links matching the source's `link_pattern`.
    @discardableResult
    func discoverListing(_ source: KhabarConfiguration.Source, into output: AsyncChannel<CrawlItem>) async -> Bool {
        guard let bytes = await fetchDocument(source.url, kind: "listing page") else { return false }
        let pattern = URLPattern(glob: source.linkPattern ?? "**")
        for link in ListingPage.articleLinks(html: bytes.body, pageURL: bytes.finalURL, matching: pattern) {
            await offer(link, source: source.name, filter: source, into: output)
        }
        return true
    }

    /// Reads a sitemap and the children of an index; `false` when it could not be had or has
    /// not changed.
    @discardableResult
    func discoverSitemap(_ url: String, depth: Int, inputs: BackfillInputs, source: KhabarConfiguration.Source? = nil, into output: AsyncChannel<CrawlItem>) async -> Bool {
        guard let opened = await openSitemap(url, depth: depth) else { return false }
        guard let reader = opened else { return true }
        // Entries are offered as they are read, so a 50,000-URL sitemap never exists as 50,000
        // parsed entries (tens of MB of small allocations) while the pipeline takes them in.
        var children: [SitemapIndexEntry] = []
        while let item = nextItem(of: reader, url: url) {
            switch item {
            case .child(let child):
                if isWanted(child, inputs: inputs) { children.append(child) }
            case .page(let entry):
                if isInRange(entry, inputs: inputs) {
                    await offer(entry.url, source: source?.name ?? url, filter: source, into: output)
                }
            }
        }
        if reader.isTruncated { problem("\(url): more entries than the sitemap limit; the rest were not read") }
        for child in children {
            await discoverSitemap(child.url, depth: child.depth, inputs: inputs, source: source, into: output)
        }
        return true
    }

    /// Fetches a sitemap and starts reading it: nil when it could not be had or has not
    /// changed, `.some(nil)` when it is not a readable sitemap (the problem is recorded). The
    /// fetched bytes go once the reader has its own copy.
    private func openSitemap(_ url: String, depth: Int) async -> SitemapReader?? {
        guard let bytes = await fetchDocument(url, kind: "sitemap") else { return nil }
        do {
            return .some(try sitemapParser.reader(bytes.body, url: bytes.finalURL, depth: depth))
        } catch {
            problem("\(url): \(error)")
            return .some(nil)
        }
    }

    /// The sitemap's next entry; nil at its end or at an error, which is recorded.
    private func nextItem(of reader: SitemapReader, url: String) -> SitemapItem? {
        do {
            return try reader.next()
        } catch {
            problem("\(url): \(error)")
            return nil
        }
    }

    /// A child sitemap last changed before `since` holds nothing newer; one nested too deep
    /// is not read.
    private func isWanted(_ child: SitemapIndexEntry, inputs: BackfillInputs) -> Bool {
        if let since = inputs.since, let modified = child.lastModified.flatMap(Self.date), modified < since { return false }
        guard child.depth <= sitemapParser.limits.maxIndexDepth else {
            problem("\(child.url): sitemap index nested deeper than \(sitemapParser.limits.maxIndexDepth)")
            return false
        }
        return true
    }

    /// Whether an entry's date (news publication date, `lastmod`, or a date in its URL) is
    /// inside `since..<until`; undated entries are.
    private func isInRange(_ entry: SitemapEntry, inputs: BackfillInputs) -> Bool {
        guard inputs.since != nil || inputs.until != nil else { return true }
        let dated = entry.news?.publicationDate ?? entry.lastModified ?? FrameworkStateReader.dateInURL(entry.url).flatMap { NewsDateParser.parse($0) }
        guard let date = dated.flatMap(Self.date) else { return true }
        if let since = inputs.since, date < since { return false }
        if let until = inputs.until, date >= until { return false }
        return true
    }

    func discoverWARC(_ file: String, into output: AsyncChannel<CrawlItem>) async {
        do {
            let reader = try WARCReader(path: file)
            while let response = try reader.next() {
                guard (200..<300).contains(response.httpStatus), let canonical = canonicalizer.canonicalize(response.targetURI) else { continue }
                guard remember(canonical) else { continue }
                let prefetched = CrawlItem.Prefetched(finalURL: response.targetURI, body: response.body, charset: response.charset, fetchedAt: response.date.flatMap { NewsDateParser.parse($0) }.flatMap(Self.date) ?? Date())
                await output.send(CrawlItem(url: response.targetURI, canonicalURL: canonical, source: file, prefetched: prefetched))
            }
        } catch {
            problem("\(file): \(error)")
        }
    }

    /// Sends `url` on unless this run has seen its canonical form already, or the source's
    /// include/exclude patterns rule it out.
    func offer(_ url: String, source: String, filter: KhabarConfiguration.Source? = nil, into output: AsyncChannel<CrawlItem>) async {
        guard let canonical = canonicalizer.canonicalize(url) else {
            problem("\(source): not an http(s) URL: \(LogExcerpt.escaped(url))")
            return
        }
        if let filter {
            if !filter.include.isEmpty && !filter.include.contains(where: { URLPattern(glob: $0).matches(canonical) }) { return }
            if filter.exclude.contains(where: { URLPattern(glob: $0).matches(canonical) }) { return }
        }
        guard remember(canonical) else { return }
        await output.send(CrawlItem(url: url, canonicalURL: canonical, source: source))
        offeredCount.withLock { $0 += 1 }
    }

    private func remember(_ canonical: String) -> Bool {
        seen.withLock { $0.insert(canonical) }
    }

    /// Fetches a feed or sitemap; `nil` (with the reason recorded) when it cannot be had, or
    /// when the server says it has not changed since the last run.
    func fetchDocument(_ url: String, kind: String) async -> (body: [UInt8], finalURL: String, charset: String?)? {
        do {
            switch try await fetcher.fetch(url) {
            case .fetched(let page):
                return (page.body, page.finalURL, page.charset)
            case .notModified:
                logger.debug("not modified since it was last read (304)", metadata: ["kind": "\(kind)", "url": "\(url)"])
                return nil
            }
        } catch {
            problem("\(url): \(kind) not fetched: \(error)")
            return nil
        }
    }

    func problem(_ text: String) {
        logger.warning("\(text)")
        failures.withLock { $0.append(text) }
    }

    static func date(_ date: NewsDate) -> Date? {
        var components = DateComponents(year: date.year, month: date.month, day: date.day, hour: date.hour ?? 0, minute: date.minute ?? 0, second: date.second ?? 0)
        components.timeZone = TimeZone(secondsFromGMT: (date.utcOffsetMinutes ?? 0) * 60)
        return Calendar(identifier: .gregorian).date(from: components)
    }
}

/// A set that remembers its most recent insertions only: a full current generation becomes the
/// previous one, and the previous one is forgotten. Memory stays within two generations.
struct RecentlySeen: Sendable {
    let generationSize: Int
    private var current: Set<String> = []
    private var previous: Set<String> = []

    init(generationSize: Int) {
        self.generationSize = max(1, generationSize)
    }

    func contains(_ element: String) -> Bool {
        current.contains(element) || previous.contains(element)
    }

    /// Whether `element` was not remembered (and now is).
    mutating func insert(_ element: String) -> Bool {
        guard !contains(element) else { return false }
        if current.count >= generationSize {
            previous = current
            current = Set(minimumCapacity: generationSize)
        }
        current.insert(element)
        return true
    }
}
