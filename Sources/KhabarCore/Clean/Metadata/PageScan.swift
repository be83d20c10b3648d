internal import Foundation

/// Everything the metadata pass reads from a page, gathered in one walk over the tree.
///
/// The walk itself only compares tags and attribute bytes; text is built for `<title>`,
/// headings, metadata scripts and a bounded number of byline/date elements.
struct PageScan {
    struct Microdata {
        var headline: String?
        var authors: [String] = []
        var datePublished: String?
        var dateModified: String?
        var publisher: String?
        var image: String?
        var keywords: [String] = []
    }

    struct VisibleDate {
        var date: NewsDate
        var isUpdate: Bool
    }

    private(set) var metaValues: [String: [String]] = [:]
    private(set) var titleTag: String?
    private(set) var baseHref: String?
    private(set) var canonicalHref: String?
    private(set) var imageSrcLink: String?
    private(set) var jsonLDBlocks: [String] = []
    private(set) var nextDataText: String?
    /// Text of the page's `<h1>`s that are not the site logo.
    private(set) var headings: [String] = []
    /// The first `<h2>`s, for pages whose headline is not an `<h1>`.
    private(set) var secondaryHeadings: [String] = []
    private(set) var htmlLang: String?
    private(set) var htmlDir: String?
    private(set) var bodyDir: String?
    private(set) var itemprop = Microdata()
    private(set) var relAuthorTexts: [String] = []
    /// Text of elements whose class or id says they hold the author.
    private(set) var authorHintTexts: [String] = []
    /// Dates read from elements whose class or id says they hold a date, and from `<time>` text.
    private(set) var visibleDates: [VisibleDate] = []
    /// `<time datetime>` values, the most trustworthy first.
    private(set) var preferredTimeValues: [String] = []
    /// Short lines that begin like a byline ("بقلم …", "By …").
    private(set) var bylineLineTexts: [String] = []

    private let tree: HTMLTree

    func meta(_ key: String) -> String? { metaValues[key]?.first }
    func metas(_ key: String) -> [String] { metaValues[key] ?? [] }

    // Bounds on the body work, so a huge page costs no more than a normal one.
    private static let maximumHints = 12
    private static let maximumItemprops = 40
    private static let maximumBylineLines = 6
    private static let maximumTextNodesForBylines = 4_000

    private static let authorRelation = Array("author".utf8)

    /// Counters and partial results that only live during the walk.
    private struct WalkState {
        var timeCandidates: [(value: String, rank: Int)] = []
        var authorHints = 0
        var dateHints = 0
        var itempropCount = 0
        var textNodes = 0
        /// What each element's class/id says, computed on first use (`ClassFlags.unknown` before).
        var classFlags: [UInt8] = []
    }

    private var walkState = WalkState()

    init(tree: HTMLTree) {
        self.tree = tree
        walkState.classFlags = [UInt8](repeating: ClassFlags.unknown, count: tree.nodes.count)
        // The walk is written out (rather than `tree.walk` with a closure) so that visiting can
        // mutate `self` without the closure copying the whole scan for every node.
        let start = tree.root == HTMLTree.none ? 0 : tree.root
        if start >= 0 && Int(start) < tree.nodes.count {
            var current = start
            while true {
                let descend = visit(current)
                let node = tree[current]
                if descend, node.firstChild != HTMLTree.none {
                    current = node.firstChild
                    continue
                }
                while current != start && tree[current].nextSibling == HTMLTree.none {
                    current = tree[current].parent
                }
                if current == start { break }
                current = tree[current].nextSibling
            }
        }
        preferredTimeValues = walkState.timeCandidates.enumerated()
            .sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }
            .map(\.element.value)
        walkState = WalkState()
    }

    /// Reads one node; returns whether its subtree can matter.
    private mutating func visit(_ index: HTMLTree.NodeIndex) -> Bool {
        let node = tree[index]
        switch node.tag {
        case .text:
            walkState.textNodes += 1
            if walkState.textNodes <= Self.maximumTextNodesForBylines, bylineLineTexts.count < Self.maximumBylineLines,
               Self.startsLikeByline(tree.textBytes(of: index)), node.parent != HTMLTree.none {
                let line = Self.boundedText(tree, of: node.parent, limit: 200)
                if line.count <= 160, BylineDetector.isBylineOrDateline(line), !isInBoilerplate(node.parent) {
                    bylineLineTexts.append(line)
                }
            }
            return false
        case .html:
            htmlLang = tree.attribute("lang", of: index) ?? tree.attribute("xml:lang", of: index)
            htmlDir = tree.attribute("dir", of: index)
        case .body:
            bodyDir = tree.attribute("dir", of: index)
        case .meta:
            readMeta(index)
            return false
        case .title:
            if titleTag == nil { titleTag = tree.collapsedTextIncludingHead(of: index) }
            return false
        case .base:
            if baseHref == nil { baseHref = tree.attribute("href", of: index) }
            return false
        case .link:
            readLink(index)
            return false
        case .script:
            readScript(index)
            return false
        case .style, .noscript, .template, .svg, .math, .iframe, .object, .select, .textarea:
            return false
        case .h1 where headings.count < 5:
            let text = Self.boundedText(tree, of: index, limit: 400)
            if !text.isEmpty, !isLogo(index) { headings.append(text) }
        case .h2 where secondaryHeadings.count < 3:
            let text = Self.boundedText(tree, of: index, limit: 400)
            if !text.isEmpty { secondaryHeadings.append(text) }
        case .time:
            if let value = tree.attribute("datetime", of: index), !classFlags(index).contains(.update) {
                let isPubdate = tree.attributeBytes("pubdate", of: index) != nil
                    || (tree.attribute("itemprop", of: index)?.lowercased().contains("datepublished") ?? false)
                let rank = isPubdate ? 0 : (hasAncestor(index, tags: [.article, .main], levels: 30) ? 1 : 2)
                if !isInBoilerplate(index) || isPubdate { walkState.timeCandidates.append((value, rank)) }
            }
        case .a where tree.attributeBytes("rel", of: index)?.containsASCIICaseInsensitive(Self.authorRelation) ?? false:
            if relAuthorTexts.count < 6, !isInBoilerplate(index) {
                relAuthorTexts.append(Self.boundedText(tree, of: index, limit: 120))
            }
        default:
            break
        }
        if node.attributeCount > 0 {
            if walkState.itempropCount < Self.maximumItemprops, let property = tree.attribute("itemprop", of: index) {
                walkState.itempropCount += 1
                readItemprop(property.lowercased(), at: index)
            }
            // One look at class and id decides whether the element can matter at all.
            let wantsAuthor = walkState.authorHints < Self.maximumHints
            let wantsDate = walkState.dateHints < Self.maximumHints && node.tag != .time
            if wantsAuthor || wantsDate {
                let flags = classFlags(index)
                if !flags.isDisjoint(with: [.author, .date]), !flags.contains(.noise), !isInBoilerplate(index) {
                    if wantsAuthor, flags.contains(.author) {
                        walkState.authorHints += 1
                        let text = Self.boundedText(tree, of: index, limit: 200)
                        if !text.isEmpty, text.count <= 120 { authorHintTexts.append(text) }
                    }
                    if wantsDate, flags.contains(.date) {
                        walkState.dateHints += 1
                        readVisibleDate(Self.boundedText(tree, of: index, limit: 200), classSaysUpdate: flags.contains(.update))
                    }
                }
            }
        }
        if node.tag == .time, tree.attributeBytes("datetime", of: index) == nil, walkState.dateHints < Self.maximumHints {
            walkState.dateHints += 1
            readVisibleDate(Self.boundedText(tree, of: index, limit: 200), classSaysUpdate: classFlags(index).contains(.update))
        }
        return true
    }

    // MARK: Head elements

    private mutating func readMeta(_ index: HTMLTree.NodeIndex) {
        guard let content = tree.attribute("content", of: index) ?? tree.attribute("value", of: index) else { return }
        for key in [tree.attributeBytes("property", of: index), tree.attributeBytes("name", of: index),
                    tree.attributeBytes("itemprop", of: index), tree.attributeBytes("http-equiv", of: index)] {
            guard let key = key.flatMap(Self.metaKey), !key.isEmpty else { continue }
            metaValues[key, default: []].append(content)
        }
    }

    /// A meta name as a lookup key: trimmed and lower-cased (bytewise when it is ASCII, which
    /// gives the same key as the Unicode-aware String functions).
    private static func metaKey(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return String(decoding: bytes, as: UTF8.self).trimmed.lowercased() }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        let needsLowering = bytes[start..<end].contains { $0 >= 65 && $0 <= 90 }
        guard needsLowering else { return String(decoding: bytes[start..<end], as: UTF8.self) }
        return String(decoding: bytes[start..<end].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    private mutating func readLink(_ index: HTMLTree.NodeIndex) {
        guard let rel = tree.attribute("rel", of: index)?.lowercased(), let href = tree.attribute("href", of: index) else { return }
        let relations = rel.split(separator: " ")
        if relations.contains("canonical"), canonicalHref == nil { canonicalHref = href }
        if relations.contains("image_src"), imageSrcLink == nil { imageSrcLink = href }
    }

    private mutating func readScript(_ index: HTMLTree.NodeIndex) {
        guard let type = tree.attributeBytes("type", of: index) else { return }
        // ASCII case-insensitive bytes, or the String functions for (odd) non-ASCII types.
        let isASCII = type.allSatisfy { $0 < 0x80 }
        let loweredType = isASCII ? "" : String(decoding: type, as: UTF8.self).lowercased()
        func typeContains(_ needle: String) -> Bool {
            isASCII ? type.containsASCIICaseInsensitive(Array(needle.utf8)) : loweredType.contains(needle)
        }
        if typeContains("ld+json") {
            jsonLDBlocks.append(scriptText(index))
        } else if nextDataText == nil, typeContains("json"), tree.attribute("id", of: index) == "__NEXT_DATA__" {
            nextDataText = scriptText(index)
        }
    }

    private func scriptText(_ index: HTMLTree.NodeIndex) -> String {
        var bytes: [UInt8] = []
        for child in tree.children(of: index) where tree[child].tag == .text {
            bytes.append(contentsOf: tree.textBytes(of: child))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Microdata

    private mutating func readItemprop(_ property: String, at index: HTMLTree.NodeIndex) {
        let names = property.split(separator: " ")
        let node = tree[index]
        func value() -> String {
            tree.attribute("content", of: index) ?? tree.attribute("datetime", of: index) ?? Self.boundedText(tree, of: index, limit: 200)
        }
        for name in names {
            switch name {
            case "headline" where itemprop.headline == nil && node.tag != .meta:
                itemprop.headline = Self.boundedText(tree, of: index, limit: 400)
            case "author", "creator":
                guard node.tag != .meta, itemprop.authors.count < 6, !isInBoilerplate(index) else { continue }
                let text = nestedName(in: index) ?? value()
                if !text.isEmpty { itemprop.authors.append(text) }
            case "datepublished" where itemprop.datePublished == nil && node.tag != .meta:
                itemprop.datePublished = value()
            case "datemodified" where itemprop.dateModified == nil && node.tag != .meta:
                itemprop.dateModified = value()
            case "publisher" where itemprop.publisher == nil:
                itemprop.publisher = nestedName(in: index)
            case "image" where itemprop.image == nil:
                itemprop.image = tree.attribute("src", of: index) ?? tree.attribute("content", of: index) ?? tree.attribute("href", of: index)
            case "keywords" where itemprop.keywords.isEmpty && node.tag != .meta:
                itemprop.keywords = [value()]
            default:
                continue
            }
        }
    }

    /// The `itemprop="name"` inside an author or publisher scope.
    private func nestedName(in scope: HTMLTree.NodeIndex) -> String? {
        var found: String?
        var visited = 0
        tree.walk(from: scope) { index in
            visited += 1
            guard found == nil, visited < 200 else { return false }
            guard index != scope, tree[index].tag != .text else { return true }
            if tree.attribute("itemprop", of: index)?.lowercased().split(separator: " ").contains("name") ?? false {
                found = tree.attribute("content", of: index) ?? Self.boundedText(tree, of: index, limit: 200)
                return false
            }
            return true
        }
        return found.flatMap { $0.isEmpty ? nil : $0 }
    }

    // MARK: Visible bylines and dates

    private mutating func readVisibleDate(_ text: String, classSaysUpdate: Bool) {
        guard !text.isEmpty, text.count <= 160 else { return }
        let isUpdateLabel = BylineDetector.remainder(of: text, afterAnyOf: BylineDetector.updateLabels) != nil
        let unlabeled = BylineDetector.remainder(of: text, afterAnyOf: BylineDetector.dateLabels)
        guard let date = unlabeled.flatMap({ NewsDateParser.parse($0) }) ?? NewsDateParser.parse(text) else { return }
        visibleDates.append(VisibleDate(date: date, isUpdate: classSaysUpdate || isUpdateLabel))
    }

    private static let bylinePrefixBytes: [[UInt8]] = ["بقلم", "بواسطة", "كتب", "الكاتب", "إعداد", "اعداد", "by ", "By ", "BY ", "Written", "Reporting"].map { Array($0.utf8) }

    private static func startsLikeByline(_ bytes: ArraySlice<UInt8>) -> Bool {
        var start = bytes.startIndex
        while start < bytes.endIndex && (bytes[start] == 0x20 || (bytes[start] >= 0x09 && bytes[start] <= 0x0D)) { start += 1 }
        // Every prefix starts with an Arabic letter (lead byte D8/D9) or b, B, W, R.
        guard start < bytes.endIndex else { return false }
        switch bytes[start] {
        case 0xD8, 0xD9, UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "W"), UInt8(ascii: "R"): break
        default: return false
        }
        let rest = bytes[start...]
        return bylinePrefixBytes.contains { rest.starts(with: $0) }
    }

    // MARK: Structure tests

    /// What an element's class and id contain, each name fragment tested once per element.
    private mutating func classFlags(_ index: HTMLTree.NodeIndex) -> ClassFlags {
        let known = walkState.classFlags[Int(index)]
        if known != ClassFlags.unknown { return ClassFlags(rawValue: known) }
        var flags: ClassFlags = []
        if tree[index].attributeCount > 0 {
            if let classBytes = tree.attributeBytes("class", of: index) { flags.formUnion(ClassFlags(scanning: classBytes)) }
            if let idBytes = tree.attributeBytes("id", of: index) { flags.formUnion(ClassFlags(scanning: idBytes)) }
        }
        walkState.classFlags[Int(index)] = flags.rawValue
        return flags
    }

    private func hasAncestor(_ index: HTMLTree.NodeIndex, tags: [HTMLTag], levels: Int) -> Bool {
        var current = tree[index].parent
        var remaining = levels
        while current != HTMLTree.none && remaining > 0 {
            if tags.contains(tree[current].tag) { return true }
            current = tree[current].parent
            remaining -= 1
        }
        return false
    }

    /// Inside navigation, sidebars, footers, forms or comment threads (within a few levels).
    private mutating func isInBoilerplate(_ index: HTMLTree.NodeIndex) -> Bool {
        var current = index
        var remaining = 25
        while current != HTMLTree.none && remaining > 0 {
            switch tree[current].tag {
            case .nav, .aside, .footer, .form: return true
            default: break
            }
            if remaining > 15, current != index, classFlags(current).contains(.comment) { return true }
            current = tree[current].parent
            remaining -= 1
        }
        return false
    }

    /// A heading that holds the site's logo or name rather than an article title.
    private mutating func isLogo(_ index: HTMLTree.NodeIndex) -> Bool {
        var current = index
        for _ in 0..<3 where current != HTMLTree.none {
            if classFlags(current).contains(.logo) { return true }
            current = tree[current].parent
        }
        return false
    }

    /// Collapsed visible text below `index`, giving up (and returning at most `limit`
    /// characters' worth of bytes) on large subtrees.
    static func boundedText(_ tree: HTMLTree, of index: HTMLTree.NodeIndex, limit: Int) -> String {
        var bytes: [UInt8] = []
        var visited = 0
        tree.walk(from: index) { node in
            visited += 1
            guard bytes.count <= limit * 2, visited < 400 else { return false }
            let tag = tree[node].tag
            if tag == .text {
                bytes.append(contentsOf: tree.textBytes(of: node))
                return false
            }
            if tag.isBlock || tag == .br { bytes.append(0x20) }
            return !tag.isNonContent
        }
        return MetadataText.collapsedString(utf8: bytes)
    }
}

/// The kinds of element a class or id name points at, found by ASCII-case-insensitive
/// substring tests ("post-author", "entry-date", "comment-list").
struct ClassFlags: OptionSet {
    let rawValue: UInt8

    static let author = ClassFlags(rawValue: 1 << 0)   // author, byline, writer, kateb…
    static let date = ClassFlags(rawValue: 1 << 1)     // date, time, publish, posted…
    static let noise = ClassFlags(rawValue: 1 << 2)    // comment, share, related, sidebar…
    static let update = ClassFlags(rawValue: 1 << 3)   // update, modif
    static let logo = ClassFlags(rawValue: 1 << 4)     // logo, brand, site-name…
    static let comment = ClassFlags(rawValue: 1 << 5)  // comment
    /// Marks a memo slot not computed yet; no combination of flags has this value.
    static let unknown: UInt8 = 0xFF

    init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Every needle tested in one pass: at each position only the needles starting with that
    /// letter are compared.
    init(scanning name: ArraySlice<UInt8>) {
        var flags: ClassFlags = []
        name.withUnsafeBufferPointer { bytes in
            func has(_ needle: StaticString, at start: Int) -> Bool {
                let length = needle.utf8CodeUnitCount
                guard start + length <= bytes.count else { return false }
                let wanted = needle.utf8Start
                for offset in 1..<length where Self.lowercased(bytes[start + offset]) != wanted[offset] { return false }
                return true
            }
            for start in bytes.indices {
                switch Self.lowercased(bytes[start]) {
                case UInt8(ascii: "a"):
                    if has("author", at: start) { flags.insert(.author) }
                    if has("avatar", at: start) { flags.insert(.noise) }
                case UInt8(ascii: "b"):
                    if has("byl", at: start) { flags.insert(.author) }  // also "byline"
                    if has("brand", at: start) { flags.insert(.logo) }
                case UInt8(ascii: "w"):
                    if has("writer", at: start) { flags.insert(.author) }
                    if has("widget", at: start) { flags.insert(.noise) }
                case UInt8(ascii: "k"):
                    if has("kateb", at: start) || has("katib", at: start) { flags.insert(.author) }
                case UInt8(ascii: "r"):
                    if has("reporter", at: start) { flags.insert(.author) }
                    if has("related", at: start) || has("reply", at: start) { flags.insert(.noise) }
                case UInt8(ascii: "d"):
                    if has("date", at: start) { flags.insert(.date) }
                case UInt8(ascii: "t"):
                    if has("time", at: start) { flags.insert(.date) }
                case UInt8(ascii: "p"):
                    if has("publish", at: start) || has("posted", at: start) { flags.insert(.date) }
                    if has("popular", at: start) { flags.insert(.noise) }
                case UInt8(ascii: "c"):
                    if has("created", at: start) { flags.insert(.date) }
                    if has("comment", at: start) { flags.formUnion([.noise, .comment]) }
                case UInt8(ascii: "u"):
                    if has("update", at: start) { flags.insert(.update) }
                    if has("updated", at: start) { flags.insert(.date) }
                case UInt8(ascii: "m"):
                    if has("modif", at: start) { flags.insert(.update) }
                case UInt8(ascii: "s"):
                    if has("share", at: start) || has("social", at: start) || has("sidebar", at: start) { flags.insert(.noise) }
                    if has("site-title", at: start) || has("site-name", at: start) || has("sitename", at: start)
                        || has("site_title", at: start) { flags.insert(.logo) }
                case UInt8(ascii: "l"):
                    if has("logo", at: start) { flags.insert(.logo) }
                default:
                    break
                }
            }
        }
        self = flags
    }

    @inline(__always)
    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }
}

extension HTMLTree {
    /// Text of a head element such as `<title>`, which `collapsedText` skips as non-content.
    func collapsedTextIncludingHead(of index: NodeIndex) -> String {
        var bytes: [UInt8] = []
        for child in children(of: index) where self[child].tag == .text {
            bytes.append(contentsOf: textBytes(of: child))
        }
        return MetadataText.collapsedString(utf8: bytes)
    }
}
