internal import Foundation

/// One entry of a news feed.
public struct FeedItem: Sendable, Equatable {
    /// The article URL, absolute: Atom's `rel="alternate"` link first, then any other link
    /// meant for readers, RSS `<link>`, a permalink `<guid>`, RSS 1.0 `rdf:about`; resolved
    /// against `xml:base`, then the feed's URL, then the channel's `<link>`.
    public var link: String?
    /// `<guid>`, `<id>` or JSON Feed `id`, as written.
    public var id: String?
    public var title: String?
    /// `<description>`, `<summary>` or `summary` (HTML as published).
    public var summary: String?
    /// `<content:encoded>`, Atom `<content>` or `content_html`/`content_text`.
    public var content: String?
    public var published: NewsDate?
    public var updated: NewsDate?
    /// The date texts as written, for dates `NewsDateParser` could not read.
    public var publishedText: String?
    public var updatedText: String?
    public var authors: [String] = []
    public var categories: [String] = []

    public init(link: String? = nil, title: String? = nil) {
        self.link = link
        self.title = title
    }
}

/// A parsed feed.
public struct Feed: Sendable, Equatable {
    public enum Format: String, Sendable {
        case rss2, rss09x, rss1, atom1, jsonFeed
    }

    public var format: Format
    public var title: String?
    /// The site's home page, absolute when it could be resolved.
    public var link: String?
    public var language: String?
    public var items: [FeedItem]
    /// The feed had more items than `FeedParser.maxItems`; the rest were not read.
    public var isTruncated = false
    /// libxml2 recovered from broken markup on the way.
    public var hadMarkupErrors = false
}

/// Reads RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0 (and 0.3) and JSON Feed 1.0/1.1 documents.
///
/// XML is streamed through `SecureXMLReader`; the bytes are first decoded to UTF-8 with the
/// project's charset detection, so a feed that declares ISO-8859-1 but sends UTF-8 (or
/// windows-1256 labelled as windows-1252) reads as its bytes really are.
public struct FeedParser: Sendable {
    public var maxItems: Int

    public init(maxItems: Int = 10_000) {
        self.maxItems = maxItems
    }

    /// - Parameters:
    ///   - url: where the feed came from: names it in errors, and is the base for relative links.
    ///   - declaredCharset: the HTTP `Content-Type` charset, if any.
    public func parse(_ bytes: [UInt8], url: String, declaredCharset: String? = nil) throws(DiscoveryError) -> Feed {
        guard let first = DiscoveryInput.firstSignificantByte(bytes) else { throw DiscoveryError(source: url, reason: .empty) }
        if first == UInt8(ascii: "{") {
            return try JSONFeedReader.parse(bytes, url: url, maxItems: maxItems)
        }
        let utf8 = DiscoveryInput.utf8Document(bytes, declaredCharset: declaredCharset)
        return try SecureXMLReader.parse(utf8: utf8, source: url) { reader throws(DiscoveryError) in
            var builder = XMLFeedBuilder(feedURL: url, maxItems: maxItems)
            try builder.read(reader)
            return builder.finish(hadErrors: reader.hadErrors)
        }
    }
}

/// Input preparation shared by the feed and sitemap parsers.
enum DiscoveryInput {
    /// The first byte after a byte-order mark and whitespace.
    static func firstSignificantByte(_ bytes: [UInt8]) -> UInt8? {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index < bytes.count ? bytes[index] : nil
    }

    static func utf8Document(_ bytes: [UInt8], declaredCharset: String?) -> [UInt8] {
        CharsetDecoder.decodeToUTF8(bytes, declaredCharset: declaredCharset).utf8
    }

    /// `text` trimmed of whitespace, or nil when nothing is left.
    static func trimmed(_ text: String?) -> String? {
        guard let text else { return nil }
        let trimmed = trimmingWhitespace(text)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Trims Unicode whitespace (and BOM, zero-width space) from both ends. Foundation's
    /// `trimmingCharacters(in:)` goes through UTF-16 on Linux and dominated parse time.
    static func trimmingWhitespace(_ text: some StringProtocol) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return "" }
        if !isTrimmable(first) && !isTrimmable(last) { return String(text) }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isTrimmable(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isTrimmable(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(text[start..<end])
    }

    private static func isTrimmable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value <= 0x20 }
        return scalar.value == 0xFEFF || scalar.value == 0x200B || scalar.properties.isWhitespace
    }
}

// MARK: - XML feeds

private enum Namespace {
    static let atom = "http://www.w3.org/2005/Atom"
    static let atom03 = "http://purl.org/atom/ns#"
    static let rss1 = "http://purl.org/rss/1.0/"
    static let rss090 = "http://my.netscape.com/rdf/simple/0.9/"
    static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

    /// Namespaces whose `title`, `link`, `description`… are the feed's own, not an extension's
    /// (such as `media:title`).
    static func isCore(_ namespace: String?) -> Bool {
        guard let namespace else { return true }
        return namespace == atom || namespace == rss1 || namespace == atom03 || namespace == rss090
    }

    static func isAtom(_ namespace: String?) -> Bool { namespace == atom || namespace == atom03 }
}

/// The state of one pass over an XML feed.
private struct XMLFeedBuilder {
    enum Field {
        case title, link, guid, published, updated, summary, content, author, category, id, language
    }

    struct LinkCandidate {
        var href: String
        var rel: String
        /// The `xml:base` in effect, already absolute.
        var base: String?
    }

    struct ItemState {
        var item = FeedItem()
        var linkText: LinkCandidate?
        var atomLinks: [LinkCandidate] = []
        var permalinkGUID: LinkCandidate?
        var rdfAbout: LinkCandidate?
    }

    let feedURL: String
    let maxItems: Int
    var format: Feed.Format?
    var feedTitle: String?
    var feedLanguage: String?
    var channelLinkText: LinkCandidate?
    var channelAtomLinks: [LinkCandidate] = []
    var items: [ItemState] = []
    var isTruncated = false

    /// Local names of the open elements.
    var openElements: [String] = []
    /// `xml:base` values in effect, with the depth of the element that set them.
    var bases: [(depth: Int, base: String)] = []
    var itemDepth: Int?
    var current = ItemState()
    var capture: (field: Field, depth: Int, text: String, guidIsPermalink: Bool)?
    /// Inside XHTML content already taken whole: nodes below this depth are skipped.
    var skipBelowDepth: Int?

    init(feedURL: String, maxItems: Int) {
        self.feedURL = feedURL
        self.maxItems = maxItems
    }

    var currentBase: String? { bases.last?.base }

    mutating func read(_ reader: SecureXMLReader) throws(DiscoveryError) {
        while try reader.read() {
            guard let type = reader.nodeType else { continue }
            switch type {
            case .element:
                let depth = reader.depth
                if let skip = skipBelowDepth, depth > skip { continue }
                try startElement(reader, depth: depth)
                if isTruncated { return }
            case .endElement:
                let depth = reader.depth
                if let skip = skipBelowDepth {
                    if depth > skip { continue }
                    skipBelowDepth = nil
                }
                endElement(depth: depth)
            case .text, .cdata, .significantWhitespace, .whitespace:
                if capture != nil, let value = reader.value { capture!.text += value }
            default:
                continue
            }
        }
    }

    private mutating func startElement(_ reader: SecureXMLReader, depth: Int) throws(DiscoveryError) {
        let name = reader.localName
        let namespace = reader.namespaceURI
        if reader.hasAttributes, let base = reader.attribute("base", namespace: SecureXMLReader.xmlNamespace) {
            let resolved = URLReference.resolve(base, against: currentBase ?? feedURL) ?? base
            // An empty element has no end event, so its base must not outlive it.
            if !reader.isEmptyElement { bases.append((depth, resolved)) }
        }
        if format == nil {
            try recognizeRoot(reader, name: name, namespace: namespace)
        }
        defer { if !reader.isEmptyElement { openElements.append(name) } }
        let isEntryElement = (name == "item" && Namespace.isCore(namespace) && format != .atom1)
            || (name == "entry" && isAtomElement(namespace))
        // An item starting inside another is what libxml2's recovery makes of an unclosed tag
        // in the one before: that one ends here.
        if isEntryElement, itemDepth != nil, !reader.isEmptyElement {
            if let open = capture {
                capture = nil
                store(open.field, text: open.text, guidIsPermalink: open.guidIsPermalink)
            }
            items.append(current)
            itemDepth = nil
        }
        // Markup inside a captured field (HTML written unescaped into a description): its text counts.
        if capture != nil { return }

        if itemDepth == nil {
            if isEntryElement && !reader.isEmptyElement {
                guard items.count < maxItems else {
                    isTruncated = true
                    return
                }
                itemDepth = depth
                current = ItemState()
                if let about = reader.attribute("about", namespace: Namespace.rdf) {
                    current.rdfAbout = LinkCandidate(href: about, rel: "alternate", base: currentBase)
                }
                return
            }
            startChannelField(reader, name: name, namespace: namespace, depth: depth)
            return
        }
        startItemField(reader, name: name, namespace: namespace, depth: depth)
    }

    private mutating func recognizeRoot(_ reader: SecureXMLReader, name: String, namespace: String?) throws(DiscoveryError) {
        switch name {
        case "rss":
            let version = reader.attribute("version") ?? "2.0"
            format = version.hasPrefix("0.9") ? .rss09x : .rss2
        case "RDF":
            format = .rss1
        case "feed" where Namespace.isAtom(namespace) || namespace == nil:
            format = .atom1
            feedLanguage = reader.attribute("lang", namespace: SecureXMLReader.xmlNamespace)
        default:
            throw DiscoveryError(source: feedURL, reason: .unrecognizedFormat(found: "<\(name)> root element"))
        }
    }

    /// Atom's namespace, or none inside an Atom feed that forgot to declare it.
    private func isAtomElement(_ namespace: String?) -> Bool {
        Namespace.isAtom(namespace) || (format == .atom1 && namespace == nil)
    }

    private mutating func startChannelField(_ reader: SecureXMLReader, name: String, namespace: String?, depth: Int) {
        let parent = openElements.last
        guard parent == "channel" || parent == "feed" else { return }
        switch name {
        case "title" where Namespace.isCore(namespace) && feedTitle == nil:
            beginCapture(.title, depth: depth, reader)
        case "language":
            beginCapture(.language, depth: depth, reader)
        case "link" where isAtomElement(namespace):
            if let link = atomLink(reader) { channelAtomLinks.append(link) }
        case "link" where Namespace.isCore(namespace):
            beginCapture(.link, depth: depth, reader)
        default:
            break
        }
    }

    private mutating func startItemField(_ reader: SecureXMLReader, name: String, namespace: String?, depth: Int) {
        let parent = openElements.last
        let isCore = Namespace.isCore(namespace)
        switch name {
        case "title" where isCore && parent != "source":
            beginCapture(.title, depth: depth, reader)
        case "link" where isAtomElement(namespace):
            if let link = atomLink(reader) { current.atomLinks.append(link) }
        case "link" where isCore:
            beginCapture(.link, depth: depth, reader)
        case "guid":
            let isPermalink = reader.attribute("isPermaLink")?.lowercased() != "false"
            beginCapture(.guid, depth: depth, reader, guidIsPermalink: isPermalink)
        case "id" where isAtomElement(namespace) && parent != "source":
            beginCapture(.id, depth: depth, reader)
        case "pubDate", "published", "issued", "date":
            beginCapture(.published, depth: depth, reader)
        case "updated", "modified":
            beginCapture(.updated, depth: depth, reader)
        case "description" where isCore, "summary" where isCore:
            beginContent(.summary, depth: depth, reader)
        case "encoded":
            beginCapture(.content, depth: depth, reader)
        case "content" where isAtomElement(namespace):
            beginContent(.content, depth: depth, reader)
        case "creator":
            beginCapture(.author, depth: depth, reader)
        case "author" where isCore && parent != "source" && !isAtomElement(namespace):
            // RSS's <author> holds the text; Atom's holds <name>, taken below.
            beginCapture(.author, depth: depth, reader)
        case "name" where parent == "author":
            beginCapture(.author, depth: depth, reader)
        case "category":
            if let term = reader.attribute("term") {
                if let term = DiscoveryInput.trimmed(term) { current.item.categories.append(term) }
            } else {
                beginCapture(.category, depth: depth, reader)
            }
        case "subject":
            beginCapture(.category, depth: depth, reader)
        default:
            break
        }
    }

    private mutating func beginCapture(_ field: Field, depth: Int, _ reader: SecureXMLReader, guidIsPermalink: Bool = false) {
        guard !reader.isEmptyElement else { return }
        capture = (field, depth, "", guidIsPermalink)
    }

    /// Atom text constructs: XHTML content is taken whole as markup; text and HTML as text.
    private mutating func beginContent(_ field: Field, depth: Int, _ reader: SecureXMLReader) {
        guard !reader.isEmptyElement else { return }
        if reader.attribute("type")?.lowercased() == "xhtml" {
            let markup = DiscoveryInput.trimmed(reader.innerXML())
            if field == .content { current.item.content = markup } else { current.item.summary = markup }
            skipBelowDepth = depth
            return
        }
        beginCapture(field, depth: depth, reader)
    }

    private func atomLink(_ reader: SecureXMLReader) -> LinkCandidate? {
        guard let href = reader.attribute("href") else { return nil }
        let rel = reader.attribute("rel")?.lowercased() ?? "alternate"
        return LinkCandidate(href: href, rel: rel, base: currentBase)
    }

    private mutating func endElement(depth: Int) {
        if !openElements.isEmpty { openElements.removeLast() }
        if let last = bases.last, last.depth == depth { bases.removeLast() }
        if let open = capture, open.depth == depth {
            capture = nil
            store(open.field, text: open.text, guidIsPermalink: open.guidIsPermalink)
            return
        }
        if let itemDepth, itemDepth == depth {
            items.append(current)
            self.itemDepth = nil
        }
    }

    private mutating func store(_ field: Field, text: String, guidIsPermalink: Bool) {
        let value = DiscoveryInput.trimmed(text)
        guard itemDepth != nil else {
            switch field {
            case .title: feedTitle = value
            case .language: feedLanguage = feedLanguage ?? value
            case .link: if let value, channelLinkText == nil { channelLinkText = LinkCandidate(href: value, rel: "alternate", base: currentBase) }
            default: break
            }
            return
        }
        guard let value else { return }
        switch field {
        case .title: current.item.title = current.item.title ?? value
        case .link: current.linkText = current.linkText ?? LinkCandidate(href: value, rel: "alternate", base: currentBase)
        case .guid:
            current.item.id = current.item.id ?? value
            if guidIsPermalink { current.permalinkGUID = LinkCandidate(href: value, rel: "alternate", base: currentBase) }
        case .id: current.item.id = current.item.id ?? value
        case .published:
            if current.item.publishedText == nil {
                current.item.publishedText = value
                current.item.published = NewsDateParser.parse(value)
            }
        case .updated:
            if current.item.updatedText == nil {
                current.item.updatedText = value
                current.item.updated = NewsDateParser.parse(value)
            }
        case .summary: current.item.summary = current.item.summary ?? value
        case .content: current.item.content = current.item.content ?? value
        case .author: current.item.authors.append(value)
        case .category: current.item.categories.append(value)
        case .language: break
        }
    }

    func finish(hadErrors: Bool) -> Feed {
        // A feed cut off mid-item (recovered broken markup) still gives that item.
        var states = items
        if itemDepth != nil { states.append(current) }
        let homeCandidate = Self.preferredAtomLink(channelAtomLinks) ?? channelLinkText
        let home = homeCandidate.flatMap { URLReference.resolve($0.href, against: $0.base ?? feedURL) }
        // Relative links are relative to the feed's own address; the channel link stands in
        // when the caller knows no absolute one.
        let documentBase = URLReference.resolve(feedURL, against: nil) != nil ? feedURL : home
        let resolvedItems = states.map { state -> FeedItem in
            var item = state.item
            let candidates = [Self.preferredAtomLink(state.atomLinks), state.linkText, state.permalinkGUID.flatMap(Self.webAddress), state.rdfAbout]
            for candidate in candidates.compactMap({ $0 }) {
                let base = candidate.base ?? documentBase
                if let resolved = URLReference.resolve(candidate.href, against: base), let link = URLReference.webURL(resolved) {
                    item.link = link
                    break
                }
            }
            return item
        }
        var feed = Feed(format: format ?? .rss2, title: feedTitle, link: home, language: feedLanguage, items: resolvedItems)
        feed.isTruncated = isTruncated
        feed.hadMarkupErrors = hadErrors
        return feed
    }

    /// `rel="alternate"` (HTML first), else a link meant for readers rather than tools.
    private static func preferredAtomLink(_ links: [LinkCandidate]) -> LinkCandidate? {
        links.first { $0.rel == "alternate" }
            ?? links.first { !["self", "edit", "enclosure", "replies", "hub", "license", "via"].contains($0.rel) }
    }

    /// A permalink GUID counts only when it is written as a URL: many feeds leave
    /// `isPermaLink` out while their GUIDs are opaque ids.
    private static func webAddress(_ candidate: LinkCandidate) -> LinkCandidate? {
        let lowered = candidate.href.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || lowered.hasPrefix("/") ? candidate : nil
    }
}
