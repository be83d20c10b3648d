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

    // Class/id fragments, as bytes so matching allocates nothing.
    private static let authorNeedles = bytes(["author", "byline", "writer", "byl", "kateb", "katib", "reporter"])
    private static let dateNeedles = bytes(["date", "time", "publish", "created", "posted", "updated"])
    private static let noiseNeedles = bytes(["comment", "avatar", "related", "share", "social", "popular", "widget", "reply", "sidebar"])
    private static let updateNeedles = bytes(["update", "modif"])
    private static let logoNeedles = bytes(["logo", "brand", "site-title", "site-name", "sitename", "site_title"])
    private static let hintNeedles = authorNeedles + dateNeedles
    private static let commentNeedles = bytes(["comment"])
    private static let authorRelation = Array("author".utf8)

    private static func bytes(_ needles: [String]) -> [[UInt8]] { needles.map { Array($0.utf8) } }

    init(tree: HTMLTree) {
        self.tree = tree
        var timeCandidates: [(value: String, rank: Int)] = []
        var authorHints = 0
        var dateHints = 0
        var itempropCount = 0
        var textNodes = 0
        tree.walk(from: tree.root == HTMLTree.none ? 0 : tree.root) { index in
            let node = tree[index]
            switch node.tag {
            case .text:
                textNodes += 1
                if textNodes <= Self.maximumTextNodesForBylines, bylineLineTexts.count < Self.maximumBylineLines,
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
                if let value = tree.attribute("datetime", of: index), !hasClass(index, Self.updateNeedles) {
                    let isPubdate = tree.attributeBytes("pubdate", of: index) != nil
                        || (tree.attribute("itemprop", of: index)?.lowercased().contains("datepublished") ?? false)
                    let rank = isPubdate ? 0 : (hasAncestor(index, tags: [.article, .main], levels: 30) ? 1 : 2)
                    if !isInBoilerplate(index) || isPubdate { timeCandidates.append((value, rank)) }
                }
            case .a where tree.attributeBytes("rel", of: index)?.containsASCIICaseInsensitive(Self.authorRelation) ?? false:
                if relAuthorTexts.count < 6, !isInBoilerplate(index) {
                    relAuthorTexts.append(Self.boundedText(tree, of: index, limit: 120))
                }
            default:
                break
            }
            guard node.tag != .text else { return false }
            if node.attributeCount > 0 {
                if itempropCount < Self.maximumItemprops, let property = tree.attribute("itemprop", of: index) {
                    itempropCount += 1
                    readItemprop(property.lowercased(), at: index)
                }
                // One look at class and id decides whether the element can matter at all.
                let wantsAuthor = authorHints < Self.maximumHints
                let wantsDate = dateHints < Self.maximumHints && node.tag != .time
                if wantsAuthor || wantsDate, hasClass(index, Self.hintNeedles), !hasClass(index, Self.noiseNeedles), !isInBoilerplate(index) {
                    if wantsAuthor, hasClass(index, Self.authorNeedles) {
                        authorHints += 1
                        let text = Self.boundedText(tree, of: index, limit: 200)
                        if !text.isEmpty, text.count <= 120 { authorHintTexts.append(text) }
                    }
                    if wantsDate, hasClass(index, Self.dateNeedles) {
                        dateHints += 1
                        readVisibleDate(Self.boundedText(tree, of: index, limit: 200), classSaysUpdate: hasClass(index, Self.updateNeedles))
                    }
                }
            }
            if node.tag == .time, tree.attributeBytes("datetime", of: index) == nil, dateHints < Self.maximumHints {
                dateHints += 1
                readVisibleDate(Self.boundedText(tree, of: index, limit: 200), classSaysUpdate: hasClass(index, Self.updateNeedles))
            }
            return true
        }
        preferredTimeValues = timeCandidates.enumerated()
            .sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }
            .map(\.element.value)
    }

    // MARK: Head elements

    private mutating func readMeta(_ index: HTMLTree.NodeIndex) {
        guard let content = tree.attribute("content", of: index) ?? tree.attribute("value", of: index) else { return }
        for key in [tree.attribute("property", of: index), tree.attribute("name", of: index),
                    tree.attribute("itemprop", of: index), tree.attribute("http-equiv", of: index)] {
            guard let key = key?.trimmed.lowercased(), !key.isEmpty else { continue }
            metaValues[key, default: []].append(content)
        }
    }

    private mutating func readLink(_ index: HTMLTree.NodeIndex) {
        guard let rel = tree.attribute("rel", of: index)?.lowercased(), let href = tree.attribute("href", of: index) else { return }
        let relations = rel.split(separator: " ")
        if relations.contains("canonical"), canonicalHref == nil { canonicalHref = href }
        if relations.contains("image_src"), imageSrcLink == nil { imageSrcLink = href }
    }

    private mutating func readScript(_ index: HTMLTree.NodeIndex) {
        let type = tree.attribute("type", of: index)?.lowercased() ?? ""
        if type.contains("ld+json") {
            jsonLDBlocks.append(scriptText(index))
        } else if nextDataText == nil, type.contains("json"), tree.attribute("id", of: index) == "__NEXT_DATA__" {
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
        let rest = bytes[start...]
        return bylinePrefixBytes.contains { rest.starts(with: $0) }
    }

    // MARK: Structure tests

    private func hasClass(_ index: HTMLTree.NodeIndex, _ needles: [[UInt8]]) -> Bool {
        guard tree[index].attributeCount > 0 else { return false }
        let classBytes = tree.attributeBytes("class", of: index)
        let idBytes = tree.attributeBytes("id", of: index)
        guard classBytes != nil || idBytes != nil else { return false }
        return needles.contains { needle in
            (classBytes?.containsASCIICaseInsensitive(needle) ?? false) || (idBytes?.containsASCIICaseInsensitive(needle) ?? false)
        }
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
    private func isInBoilerplate(_ index: HTMLTree.NodeIndex) -> Bool {
        var current = index
        var remaining = 25
        while current != HTMLTree.none && remaining > 0 {
            switch tree[current].tag {
            case .nav, .aside, .footer, .form: return true
            default: break
            }
            if remaining > 15, current != index, hasClass(current, Self.commentNeedles) { return true }
            current = tree[current].parent
            remaining -= 1
        }
        return false
    }

    /// A heading that holds the site's logo or name rather than an article title.
    private func isLogo(_ index: HTMLTree.NodeIndex) -> Bool {
        var current = index
        for _ in 0..<3 where current != HTMLTree.none {
            if hasClass(current, Self.logoNeedles) { return true }
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
        return TextFolding.collapseWhitespace(String(decoding: bytes, as: UTF8.self))
    }
}

extension HTMLTree {
    /// Text of a head element such as `<title>`, which `collapsedText` skips as non-content.
    func collapsedTextIncludingHead(of index: NodeIndex) -> String {
        var bytes: [UInt8] = []
        for child in children(of: index) where self[child].tag == .text {
            bytes.append(contentsOf: textBytes(of: child))
        }
        return TextFolding.collapseWhitespace(String(decoding: bytes, as: UTF8.self))
    }
}
