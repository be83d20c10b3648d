internal import Foundation

/// A page listed in a `<urlset>` sitemap.
public struct SitemapEntry: Sendable, Equatable {
    /// `<loc>`, absolute.
    public var url: String
    public var lastModified: NewsDate?
    public var lastModifiedText: String?
    /// Google News extension (`<news:news>`), present for news sitemaps.
    public var news: NewsInfo?

    public struct NewsInfo: Sendable, Equatable {
        public var publicationName: String?
        public var language: String?
        public var title: String?
        public var publicationDate: NewsDate?
        public var publicationDateText: String?
        public var keywords: String?

        public init() {}
    }

    public init(url: String) {
        self.url = url
    }
}

/// A child sitemap listed in a `<sitemapindex>`.
public struct SitemapIndexEntry: Sendable, Equatable {
    public var url: String
    public var lastModified: NewsDate?
    public var lastModifiedText: String?
    /// The index depth to pass when parsing this child: the parent's depth plus one.
    public var depth: Int

    public init(url: String, depth: Int) {
        self.url = url
        self.depth = depth
    }
}

/// A parsed sitemap file: either pages (`urlset`) or child sitemaps (`sitemapindex`).
public struct Sitemap: Sendable, Equatable {
    public enum Kind: Sendable { case urlSet, index }

    public var kind: Kind
    public var entries: [SitemapEntry] = []
    public var sitemaps: [SitemapIndexEntry] = []
    /// The index depth this file was parsed at (0 for a sitemap found directly).
    public var depth: Int
    /// The file had more entries than `SitemapParser.Limits.maxEntries`; the rest were not read.
    public var isTruncated = false
    /// The bytes were gzip-compressed.
    public var wasCompressed = false
    public var hadMarkupErrors = false
}

/// Reads sitemaps (sitemaps.org 0.9, Google News and `.xml.gz`) and `Sitemap:` lines of
/// robots.txt. Fetching children of an index is the caller's job; `depth` keeps its count.
public struct SitemapParser: Sendable {
    public struct Limits: Sendable {
        /// Entries read per file; the protocol allows 50,000.
        public var maxEntries: Int
        /// Decompressed size of a `.gz` file; the protocol allows 50 MB uncompressed.
        public var maxInflatedBytes: Int
        /// Deepest index-in-index nesting parsed; an index at a deeper level is an error.
        public var maxIndexDepth: Int

        public init(maxEntries: Int = 50_000, maxInflatedBytes: Int = 50 * 1024 * 1024, maxIndexDepth: Int = 3) {
            self.maxEntries = maxEntries
            self.maxInflatedBytes = maxInflatedBytes
            self.maxIndexDepth = maxIndexDepth
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// - Parameters:
    ///   - bytes: the file as fetched, gzip-compressed or not (detected from the bytes).
    ///   - url: the sitemap's address: names it in errors and resolves relative `<loc>`s.
    ///   - depth: 0 for a sitemap found directly; a child's `SitemapIndexEntry.depth`.
    public func parse(_ bytes: [UInt8], url: String, depth: Int = 0) throws(DiscoveryError) -> Sitemap {
        let reader = try SitemapReader(bytes, url: url, depth: depth, limits: limits)
        var sitemap = Sitemap(kind: reader.kind, depth: depth)
        while let item = try reader.next() {
            switch item {
            case .page(let entry): sitemap.entries.append(entry)
            case .child(let child): sitemap.sitemaps.append(child)
            }
        }
        sitemap.isTruncated = reader.isTruncated
        sitemap.wasCompressed = reader.wasCompressed
        sitemap.hadMarkupErrors = reader.hadMarkupErrors
        return sitemap
    }

    /// A reader that gives the sitemap's entries one at a time, for callers that act on each
    /// as it comes: 50,000 entries never exist as values at once.
    func reader(_ bytes: consuming [UInt8], url: String, depth: Int = 0) throws(DiscoveryError) -> SitemapReader {
        try SitemapReader(bytes, url: url, depth: depth, limits: limits)
    }

    /// The sitemap URLs of `Sitemap:` lines in a robots.txt (any case, any group), absolute,
    /// without duplicates, in order.
    public static func sitemapURLs(inRobotsTxt text: String, robotsURL: String? = nil) -> [String] {
        var found: [String] = []
        var seen = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" }
            guard let colon = trimmed.firstIndex(of: ":"),
                  trimmed[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "sitemap"
            else { continue }
            var value = trimmed[trimmed.index(after: colon)...]
            // The URL is the first word: a URL has no whitespace, and what follows it is a
            // comment ("# …") or junk. A `#` inside the URL is a fragment.
            value = value.drop { $0.isWhitespace }
            value = value.prefix { !$0.isWhitespace }
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
                  let raw = DiscoveryInput.trimmed(String(value)),
                  let resolved = URLReference.resolve(raw, against: robotsURL),
                  let absolute = URLReference.webURL(resolved), seen.insert(absolute).inserted
            else { continue }
            found.append(absolute)
        }
        return found
    }
}

private enum SitemapNamespace {
    static let news = "http://www.google.com/schemas/sitemap-news/0.9"
}

/// One entry of a sitemap: a page of a `urlset` or a child of a `sitemapindex`.
enum SitemapItem {
    case page(SitemapEntry)
    case child(SitemapIndexEntry)
}

/// Pulls a sitemap's entries from libxml2's streaming reader one at a time. The document is
/// held once (the reader's copy) for as long as the entries are being read.
final class SitemapReader {
    private enum Field { case loc, lastmod, newsName, newsLanguage, newsTitle, newsDate, newsKeywords }

    let url: String
    let depth: Int
    private(set) var kind: Sitemap.Kind = .urlSet
    /// The file had more entries than `SitemapParser.Limits.maxEntries`; the rest were not read.
    private(set) var isTruncated = false
    let wasCompressed: Bool
    var hadMarkupErrors: Bool { reader.hadErrors }
    /// Streaming gave up on broken markup and the recovering parser read the document again.
    private(set) var restartedOnRecoveringParser = false

    private let limits: SitemapParser.Limits
    /// The sitemap's own URL when absolute: the base for relative `<loc>`s.
    private let documentBase: String?
    private var reader: SecureXMLReader
    private var sawRoot = false
    private var finished = false
    private var entryDepth: Int?
    private var entry = SitemapEntry(url: "")
    private var capture: (field: Field, depth: Int, text: String)?
    /// Entries produced in the current pass over the document, and entries handed out in all.
    /// A pass that restarts on the recovering parser skips those already handed out.
    private var position = 0
    private var delivered = 0

    init(_ bytes: consuming [UInt8], url: String, depth: Int, limits: SitemapParser.Limits) throws(DiscoveryError) {
        self.url = url
        self.depth = depth
        self.limits = limits
        documentBase = URLReference.resolve(url, against: nil) != nil ? url : nil
        wasCompressed = Gzip.hasMagic(bytes)
        if wasCompressed {
            do {
                bytes = try Gzip.decompress(bytes, limit: limits.maxInflatedBytes)
            } catch {
                switch error {
                case .limitExceeded:
                    throw DiscoveryError(source: url, reason: .inflatedSizeLimitExceeded(limit: limits.maxInflatedBytes))
                case .corrupt(let message):
                    throw DiscoveryError(source: url, reason: .corruptCompressedData(message))
                case .zlibUnavailable:
                    throw DiscoveryError(source: url, reason: .corruptCompressedData("zlib could not be loaded"))
                }
            }
        }
        guard DiscoveryInput.firstSignificantByte(bytes) != nil else { throw DiscoveryError(source: url, reason: .empty) }
        reader = try SecureXMLReader(utf8: DiscoveryInput.utf8Document(bytes, declaredCharset: nil), source: url)
        // The root element says what the file is, and rejects what is not a sitemap up front.
        while !sawRoot {
            guard try advance() else { break }
        }
    }

    /// The next entry, or nil at the end of the file (or at the entry limit).
    func next() throws(DiscoveryError) -> SitemapItem? {
        while !finished {
            guard try advance() else {
                finished = true
                // Broken markup that ends inside an entry still gives it.
                if entryDepth != nil, let item = finishEntry(), let fresh = handOut(item) { return fresh }
                return nil
            }
            guard let type = reader.nodeType else { continue }
            switch type {
            case .element:
                guard !reader.isEmptyElement else { continue }
                let depth = reader.depth
                if entryDepth == nil {
                    // <url> or <sitemap> directly under the root.
                    guard depth == 1 else { continue }
                    let isEntry = kind == .urlSet ? reader.localNameIs("url") : reader.localNameIs("sitemap")
                    guard isEntry else { continue }
                    if position >= limits.maxEntries {
                        isTruncated = true
                        finished = true
                        return nil
                    }
                    entryDepth = depth
                    entry = SitemapEntry(url: "")
                } else if capture == nil {
                    beginField(depth: depth)
                }
            case .endElement:
                let depth = reader.depth
                if let open = capture, open.depth == depth {
                    capture = nil
                    store(open.field, open.text)
                } else if entryDepth == depth {
                    entryDepth = nil
                    if let item = finishEntry(), let fresh = handOut(item) { return fresh }
                }
            case .text, .cdata, .significantWhitespace:
                if capture != nil, let value = reader.value { capture!.text += value }
            default:
                continue
            }
        }
        return nil
    }

    /// Moves the reader one node on; the root element is recognized on the way. A streaming
    /// reader that gives up on broken markup is replaced by the recovering parser, which starts
    /// the document again. False at the end.
    private func advance() throws(DiscoveryError) -> Bool {
        while true {
            if try reader.read() {
                if !sawRoot, reader.nodeType == .element {
                    sawRoot = true
                    // At depth 0, the root is then passed over as neither an entry nor a field.
                    try recognizeRoot(reader.localName)
                }
                return true
            }
            guard reader.streamingFailed else { return false }
            reader = try reader.recoveringReader()
            restartedOnRecoveringParser = true
            sawRoot = false
            entryDepth = nil
            capture = nil
            position = 0
        }
    }

    /// `item` unless the pass before the recovering one handed it out already.
    private func handOut(_ item: SitemapItem) -> SitemapItem? {
        position += 1
        guard position > delivered else { return nil }
        delivered = position
        return item
    }

    private func recognizeRoot(_ name: String) throws(DiscoveryError) {
        switch name {
        case "urlset": kind = .urlSet
        case "sitemapindex":
            kind = .index
            if depth >= limits.maxIndexDepth {
                throw DiscoveryError(source: url, reason: .sitemapIndexTooDeep(depth: depth, limit: limits.maxIndexDepth))
            }
        default:
            throw DiscoveryError(source: url, reason: .unrecognizedFormat(found: "<\(name)> root element"))
        }
    }

    private func beginField(depth: Int) {
        let field: Field
        if reader.localNameIs("loc") {
            field = .loc
        } else if reader.localNameIs("lastmod") {
            field = .lastmod
        } else if reader.localNameIs("publication_date") {
            field = .newsDate
        } else if reader.localNameIs("title") {
            field = .newsTitle
        } else if reader.localNameIs("name") {
            field = .newsName
        } else if reader.localNameIs("language") {
            field = .newsLanguage
        } else if reader.localNameIs("keywords") {
            field = .newsKeywords
        } else {
            return
        }
        // <image:loc> and <video:title> share local names with the fields above.
        if field != .loc && field != .lastmod && reader.namespaceURI != SitemapNamespace.news { return }
        if field == .loc && depth != entryDepth! + 1 { return }
        capture = (field, depth, "")
    }

    private func store(_ field: Field, _ text: String) {
        guard let value = DiscoveryInput.trimmed(text) else { return }
        switch field {
        case .loc: if entry.url.isEmpty { entry.url = value }
        case .lastmod:
            entry.lastModifiedText = value
            entry.lastModified = NewsDateParser.parse(value)
        case .newsName: news { $0.publicationName = value }
        case .newsLanguage: news { $0.language = value }
        case .newsTitle: news { $0.title = value }
        case .newsKeywords: news { $0.keywords = value }
        case .newsDate:
            news {
                $0.publicationDateText = value
                $0.publicationDate = NewsDateParser.parse(value)
            }
        }
    }

    private func news(_ update: (inout SitemapEntry.NewsInfo) -> Void) {
        var info = entry.news ?? SitemapEntry.NewsInfo()
        update(&info)
        entry.news = info
    }

    /// The finished entry, or nil when its `<loc>` is not an http(s) link (`ftp:`,
    /// `javascript:` and host-less `<loc>`s are dropped).
    private func finishEntry() -> SitemapItem? {
        guard !entry.url.isEmpty, let resolved = URLReference.resolve(entry.url, against: documentBase),
              let absolute = URLReference.webURL(resolved) else { return nil }
        switch kind {
        case .urlSet:
            entry.url = absolute
            return .page(entry)
        case .index:
            var child = SitemapIndexEntry(url: absolute, depth: depth + 1)
            child.lastModified = entry.lastModified
            child.lastModifiedText = entry.lastModifiedText
            return .child(child)
        }
    }
}
