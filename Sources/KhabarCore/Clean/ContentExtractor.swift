/// Finds the article body in a page: the lines of text that belong to the story.
///
/// The approach combines the ideas of Readability (score text-bearing containers, pick the best,
/// merge its siblings) with block-level filtering in the spirit of jusText and trafilatura (drop
/// link-heavy, boilerplate and metadata lines), all over the `HTMLTree` arena:
/// 1. a forward pass marks junk elements (non-content tags, navigation and other page-furniture
///    roles, hidden elements, class/id names that say "comments", "share", "related"…);
/// 2. the remaining tree is cut into lines at block boundaries, each knowing its owner element,
///    its length and how much of it is link text;
/// 3. lines of prose score their ancestors; the best-scoring container (penalized by its link
///    density) and its worthy siblings make the article;
/// 4. lines inside it that are link lists, bylines, title repeats or boilerplate are dropped.
/// When that leaves too little text, the extraction is retried without class-based junking.
struct ContentExtractor {
    struct Result {
        /// The article's lines, in reading order.
        var blocks: [String]
        /// The block element holding the article (the top candidate).
        var container: HTMLTree.NodeIndex
        /// Lines of the article container dropped as bylines or date lines (metadata, not text).
        var droppedBylines: [String] = []
    }

    /// What the extractor knows about the page beyond its markup.
    struct Hints {
        /// The article's title, to drop headings and lines that repeat it.
        var title: String?
        /// Lines that belong to the page's metadata (bylines, date lines), to drop from the body.
        var isMetadataLine: (@Sendable (String) -> Bool)?
    }

    let tree: HTMLTree
    let hints: Hints

    init(tree: HTMLTree, hints: Hints = Hints()) {
        self.tree = tree
        self.hints = hints
    }

    func extract() -> Result {
        let top = tree.body != HTMLTree.none ? tree.body : tree.root
        guard top != HTMLTree.none else { return Result(blocks: [], container: HTMLTree.none) }
        let classWeights = ClassWeightCache(tree: tree)
        let strict = extract(from: top, useClassNames: true, classWeights: classWeights)
        let strictLength = strict.blocks.reduce(0) { $0 + $1.utf8.count }
        if strictLength >= Self.minimumArticleBytes { return strict }
        // Class names can mislabel a whole page ("main-content with-sidebar"); retry without them
        // and keep whichever found more text, as Readability does.
        let relaxed = extract(from: top, useClassNames: false, classWeights: classWeights)
        let relaxedLength = relaxed.blocks.reduce(0) { $0 + $1.utf8.count }
        return relaxedLength > strictLength ? relaxed : strict
    }

    /// Below this many bytes of text, a class-based extraction is suspected of having dropped
    /// the article.
    static let minimumArticleBytes = 250

    private func extract(from top: HTMLTree.NodeIndex, useClassNames: Bool, classWeights: ClassWeightCache) -> Result {
        let junk = JunkMarker(tree: tree, classWeights: classWeights, useClassNames: useClassNames).mark()
        var lines = LineBuilder(tree: tree, junk: junk).build(from: top)
        guard !lines.lines.isEmpty else { return Result(blocks: [], container: HTMLTree.none) }
        let scorer = CandidateScorer(tree: tree, lines: lines, classWeights: classWeights, useClassNames: useClassNames)
        let selection = scorer.selectArticle()
        lines.markSelected(selection)
        let filtered = LineFilter(tree: tree, hints: hints).filter(lines)
        return Result(blocks: filtered.kept, container: selection.topCandidate, droppedBylines: filtered.metadataLines)
    }
}

// MARK: - Junk elements

/// Decides, for every element, whether its subtree is page furniture rather than content.
struct JunkMarker {
    let tree: HTMLTree
    let classWeights: ClassWeightCache
    let useClassNames: Bool

    /// One flag per node: `true` when the node or an ancestor is junk.
    func mark() -> [Bool] {
        let nodes = tree.nodes
        var junk = [Bool](repeating: false, count: nodes.count)
        let textShare = useClassNames ? TextShare(tree: tree) : nil
        // Parents precede children in the arena, so one forward pass propagates the flag.
        for index in nodes.indices {
            let node = nodes[index]
            if node.parent != HTMLTree.none && junk[Int(node.parent)] {
                junk[index] = true
                continue
            }
            guard node.tag != .text else { continue }
            junk[index] = isJunk(HTMLTree.NodeIndex(index), node: node, textShare: textShare)
        }
        return junk
    }

    private func isJunk(_ index: HTMLTree.NodeIndex, node: HTMLTree.Node, textShare: TextShare?) -> Bool {
        switch node.tag {
        case _ where node.tag.isNonContent: return true
        case .nav, .aside, .footer, .menu, .header, .figcaption, .label:
            return true
        case .form where isSmallForm(index, textShare):
            return true
        default: break
        }
        guard node.attributeCount > 0 else { return false }
        if isHidden(index) || hasFurnitureRole(index) { return true }
        guard useClassNames, let textShare else { return false }
        let weight = classWeights.weight(of: index)
        if weight <= ClassWeightCache.junkThreshold {
            // A weakly negative name on an element that holds most of the page's text is more
            // likely a layout wrapper ("content with-sidebar") than furniture.
            return weight <= ClassWeightCache.strongJunkThreshold || textShare.fraction(of: index) < 0.5
        }
        return false
    }

    private func isSmallForm(_ index: HTMLTree.NodeIndex, _ textShare: TextShare?) -> Bool {
        guard tree[index].tag == .form else { return true }
        // ASP.NET pages wrap the whole page in one <form>; only small forms are furniture.
        return (textShare ?? TextShare(tree: tree)).fraction(of: index) < 0.5
    }

    private func isHidden(_ index: HTMLTree.NodeIndex) -> Bool {
        if tree.attributeBytes("hidden", of: index) != nil { return true }
        if let ariaHidden = tree.attributeBytes("aria-hidden", of: index), ariaHidden.elementsEqual("true".utf8) {
            return true
        }
        if let style = tree.attributeBytes("style", of: index) {
            return Self.declares(style, property: "display", value: "none")
                || Self.declares(style, property: "visibility", value: "hidden")
        }
        return false
    }

    /// Whether an inline style sets `property` to `value`, ignoring case and spaces.
    static func declares(_ style: ArraySlice<UInt8>, property: StaticString, value: StaticString) -> Bool {
        var compact: [UInt8] = []
        compact.reserveCapacity(style.count)
        for byte in style where byte > 0x20 { compact.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
        var wanted = Array(UnsafeBufferPointer(start: property.utf8Start, count: property.utf8CodeUnitCount))
        wanted.append(0x3A)
        wanted.append(contentsOf: UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
        guard compact.count >= wanted.count else { return false }
        for start in 0...(compact.count - wanted.count) where compact[start] == wanted[0] {
            // The declaration must start the style or follow a ";".
            guard start == 0 || compact[start - 1] == 0x3B else { continue }
            if compact[start..<start + wanted.count].elementsEqual(wanted) { return true }
        }
        return false
    }

    private func hasFurnitureRole(_ index: HTMLTree.NodeIndex) -> Bool {
        guard let role = tree.attributeBytes("role", of: index) else { return false }
        let lowered = role.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        return Self.furnitureRoles.contains { $0.elementsEqual(lowered) }
    }

    private static let furnitureRoles: [[UInt8]] = [
        "navigation", "banner", "complementary", "contentinfo", "dialog", "alertdialog", "menu",
        "menubar", "search", "toolbar", "tablist", "form",
    ].map { Array($0.utf8) }
}

/// The share of the page's visible text below each element, computed once bottom-up.
struct TextShare {
    private let characters: [Int32]
    private let total: Int32

    init(tree: HTMLTree) {
        var characters = [Int32](repeating: 0, count: tree.nodes.count)
        // Children follow parents in the arena, so a reverse pass sums subtrees.
        for index in tree.nodes.indices.reversed() {
            let node = tree.nodes[index]
            if node.tag == .text {
                characters[index] = Int32(UTF8Counting.visibleCharacters(tree.textBytes(of: HTMLTree.NodeIndex(index))))
            } else if node.tag.isNonContent {
                characters[index] = 0
            }
            if node.parent != HTMLTree.none {
                characters[Int(node.parent)] += characters[index]
            }
        }
        self.characters = characters
        let top = tree.body != HTMLTree.none ? tree.body : max(tree.root, 0)
        self.total = characters.isEmpty ? 0 : characters[Int(top)]
    }

    func fraction(of index: HTMLTree.NodeIndex) -> Double {
        total > 0 ? Double(characters[Int(index)]) / Double(total) : 0
    }
}

enum UTF8Counting {
    /// Characters that are not whitespace: UTF-8 lead bytes other than ASCII space and controls.
    @inline(__always)
    static func visibleCharacters<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int {
        var count = 0
        for byte in bytes where byte > 0x20 && (byte & 0xC0) != 0x80 { count += 1 }
        return count
    }
}

// MARK: - Lines

/// One line of visible text: what lies between two block boundaries.
struct TextLine {
    /// The line's bytes in `Lines.bytes`.
    var start: Int32
    var length: Int32
    /// Non-space characters, and how many of them are inside links.
    var characters: Int32
    var linkCharacters: Int32
    var commas: Int32
    /// The innermost block element around the line.
    var owner: HTMLTree.NodeIndex
    var selected = false
}

struct Lines {
    var bytes: [UInt8] = []
    var lines: [TextLine] = []

    func text(of line: TextLine) -> String {
        String(decoding: bytes[Int(line.start)..<Int(line.start + line.length)], as: UTF8.self)
    }

    mutating func markSelected(_ selection: CandidateScorer.Selection) {
        for index in lines.indices where selection.contains(lines[index].owner) {
            lines[index].selected = true
        }
    }
}

/// Cuts the non-junk tree into lines at block-element boundaries and `<br>`s, folding
/// whitespace at the byte level.
struct LineBuilder {
    let tree: HTMLTree
    let junk: [Bool]

    private struct State {
        var result = Lines()
        var lineStart: Int32 = 0
        var characters: Int32 = 0
        var linkCharacters: Int32 = 0
        var commas: Int32 = 0
        var pendingSpace = false
        var linkDepth = 0
        var blockStack: [HTMLTree.NodeIndex] = []

        mutating func flush() {
            let length = Int32(result.bytes.count) - lineStart
            if characters > 0, let owner = blockStack.last {
                result.lines.append(TextLine(
                    start: lineStart, length: length, characters: characters,
                    linkCharacters: linkCharacters, commas: commas, owner: owner))
            } else {
                result.bytes.removeSubrange(Int(lineStart)...)
            }
            lineStart = Int32(result.bytes.count)
            characters = 0
            linkCharacters = 0
            commas = 0
            pendingSpace = false
        }

        mutating func append<Bytes: Collection<UInt8>>(text bytes: Bytes) where Bytes.Index == Int {
            var index = bytes.startIndex
            let end = bytes.endIndex
            let inLink = linkDepth > 0
            while index < end {
                let byte = bytes[index]
                if byte <= 0x20 {
                    pendingSpace = true
                    index += 1
                    continue
                }
                // U+00A0 no-break space.
                if byte == 0xC2 && index + 1 < end && bytes[index + 1] == 0xA0 {
                    pendingSpace = true
                    index += 2
                    continue
                }
                if pendingSpace {
                    if Int32(result.bytes.count) > lineStart { result.bytes.append(0x20) }
                    pendingSpace = false
                }
                result.bytes.append(byte)
                if (byte & 0xC0) != 0x80 {
                    characters += 1
                    if inLink { linkCharacters += 1 }
                    if byte == 0x2C { commas += 1 }
                } else if byte == 0x8C && index > 0 && bytes[index - 1] == 0xD8 {
                    commas += 1  // U+060C Arabic comma
                }
                index += 1
            }
        }
    }

    func build(from top: HTMLTree.NodeIndex) -> Lines {
        var state = State()
        state.result.bytes.reserveCapacity(tree.text.count / 2)
        state.blockStack.append(top)
        let nodes = tree.nodes
        var current = top
        // Iterative walk with enter and exit events.
        walk: while true {
            let node = nodes[Int(current)]
            var descend = false
            if junk[Int(current)] {
                if node.tag.isBlock { state.flush() } else { state.pendingSpace = true }
            } else if node.tag == .text {
                state.append(text: tree.textBytes(of: current))
            } else if current != top {
                switch node.tag {
                case .br, .hr:
                    state.flush()
                case .img:
                    break
                default:
                    if node.tag.isBlock {
                        state.flush()
                        state.blockStack.append(current)
                    } else if node.tag == .a {
                        state.linkDepth += 1
                    }
                    descend = node.firstChild != HTMLTree.none
                    if !descend { exit(current, &state) }
                }
            } else {
                descend = node.firstChild != HTMLTree.none
            }
            if descend {
                current = node.firstChild
                continue walk
            }
            while nodes[Int(current)].nextSibling == HTMLTree.none {
                if current == top { break walk }
                current = nodes[Int(current)].parent
                if current == top { break walk }
                exit(current, &state)
            }
            if current == top { break walk }
            current = nodes[Int(current)].nextSibling
        }
        state.flush()
        return state.result
    }

    private func exit(_ element: HTMLTree.NodeIndex, _ state: inout State) {
        let tag = tree[element].tag
        if tag.isBlock {
            state.flush()
            if state.blockStack.last == element { state.blockStack.removeLast() }
        } else if tag == .a {
            state.linkDepth -= 1
        }
    }
}

// MARK: - Scoring

/// Readability-style container scoring over lines.
struct CandidateScorer {
    let tree: HTMLTree
    let lines: Lines
    let classWeights: ClassWeightCache
    let useClassNames: Bool

    struct Selection {
        var topCandidate: HTMLTree.NodeIndex
        /// The elements whose lines form the article: the top candidate and merged siblings.
        var roots: [HTMLTree.NodeIndex]
        /// For each node, whether it lies below one of `roots`.
        var inside: [Bool]

        func contains(_ node: HTMLTree.NodeIndex) -> Bool { inside[Int(node)] }
    }

    /// Lines shorter than this (in characters) do not vote for their containers.
    static let minimumScoredCharacters: Int32 = 25

    func selectArticle() -> Selection {
        let count = tree.nodes.count
        var characters = [Int32](repeating: 0, count: count)
        var linkCharacters = [Int32](repeating: 0, count: count)
        for line in lines.lines {
            characters[Int(line.owner)] += line.characters
            linkCharacters[Int(line.owner)] += line.linkCharacters
        }
        for index in tree.nodes.indices.reversed() {
            let parent = tree.nodes[index].parent
            guard parent != HTMLTree.none else { continue }
            characters[Int(parent)] += characters[index]
            linkCharacters[Int(parent)] += linkCharacters[index]
        }

        // Each prose line votes for its block's ancestors, less with distance.
        var scores = [Double](repeating: 0, count: count)
        var isCandidate = [Bool](repeating: false, count: count)
        var paragraphScore = [Double](repeating: 0, count: count)
        for line in lines.lines where line.characters >= Self.minimumScoredCharacters {
            let prose = 1 + Double(line.commas) + min(Double(line.characters) / 100, 3)
            let linkShare = Double(line.linkCharacters) / Double(line.characters)
            let vote = prose * (1 - linkShare)
            paragraphScore[Int(line.owner)] += vote
            var ancestor = votingParent(of: line.owner)
            var level = 0
            while ancestor != HTMLTree.none && level < 5 {
                if !isCandidate[Int(ancestor)] {
                    isCandidate[Int(ancestor)] = true
                    scores[Int(ancestor)] = initialScore(of: ancestor)
                }
                let divider: Double = level == 0 ? 1 : (level == 1 ? 2 : Double(level) * 3)
                scores[Int(ancestor)] += vote / divider
                ancestor = tree[ancestor].parent
                level += 1
            }
        }

        var best = HTMLTree.none
        var bestScore = -Double.infinity
        var finalScores = [Double](repeating: 0, count: count)
        for index in 0..<count where isCandidate[index] {
            let total = Double(characters[index])
            let density = total > 0 ? Double(linkCharacters[index]) / total : 0
            finalScores[index] = scores[index] * (1 - density)
            if finalScores[index] > bestScore {
                bestScore = finalScores[index]
                best = HTMLTree.NodeIndex(index)
            }
        }
        let fallback = tree.body != HTMLTree.none ? tree.body : tree.root
        guard best != HTMLTree.none else {
            return selection(roots: [fallback], top: fallback)
        }
        best = promoteThroughWrappers(best, scores: finalScores, characters: characters)

        // Siblings that carry prose of their own belong to the article too (a story split into
        // several containers, a lead paragraph outside the body div).
        var roots: [HTMLTree.NodeIndex] = []
        let parent = tree[best].parent
        if parent != HTMLTree.none {
            let threshold = max(10, finalScores[Int(best)] * 0.2)
            for sibling in tree.children(of: parent) {
                if sibling == best {
                    roots.append(sibling)
                    continue
                }
                guard tree[sibling].tag != .text else { continue }
                let total = Double(characters[Int(sibling)])
                guard total > 0 else { continue }
                let density = Double(linkCharacters[Int(sibling)]) / total
                if isCandidate[Int(sibling)] && finalScores[Int(sibling)] >= threshold {
                    roots.append(sibling)
                } else if tree[sibling].tag == .p || paragraphScore[Int(sibling)] > 0 {
                    if total > 80 && density < 0.25 {
                        roots.append(sibling)
                    }
                }
            }
        } else {
            roots = [best]
        }
        return selection(roots: roots, top: best)
    }

    /// Lines owned by an inline-ish block (a `<p>`, a list item) vote for the block's parent;
    /// lines directly in a container vote for the container itself.
    private func votingParent(of owner: HTMLTree.NodeIndex) -> HTMLTree.NodeIndex {
        switch tree[owner].tag {
        case .p, .li, .dd, .dt, .td, .th, .pre, .h1, .h2, .h3, .h4, .h5, .h6, .caption, .summary:
            return tree[owner].parent
        default:
            return owner
        }
    }

    private func initialScore(of element: HTMLTree.NodeIndex) -> Double {
        var score: Double
        switch tree[element].tag {
        case .div, .article, .main, .section: score = 5
        case .pre, .td, .blockquote: score = 3
        case .address, .ol, .ul, .dl, .dd, .dt, .li, .form: score = -3
        case .h1, .h2, .h3, .h4, .h5, .h6, .th: score = -5
        default: score = 0
        }
        if tree[element].tag == .article { score += 10 }
        if useClassNames { score += Double(classWeights.weight(of: element)) }
        if let itemprop = tree.attributeBytes("itemprop", of: element), itemprop.elementsEqual("articleBody".utf8) {
            score += 50
        }
        return score
    }

    /// When the best candidate is a thin wrapper's only substantial child, or several strong
    /// candidates share a near ancestor, the ancestor holds the article.
    private func promoteThroughWrappers(
        _ candidate: HTMLTree.NodeIndex, scores: [Double], characters: [Int32]
    ) -> HTMLTree.NodeIndex {
        var best = candidate
        var parent = tree[best].parent
        let bestScore = scores[Int(best)]
        while parent != HTMLTree.none && tree[parent].tag != .body && tree[parent].tag != .html {
            // Same text, so the parent only wraps the candidate.
            if characters[Int(parent)] == characters[Int(best)] {
                best = parent
                parent = tree[best].parent
                continue
            }
            // The parent scores nearly as well: the article spreads over its children.
            if scores[Int(parent)] >= bestScore * 0.9 && scores[Int(parent)] > 0 {
                best = parent
                parent = tree[best].parent
                continue
            }
            break
        }
        return best
    }

    private func selection(roots: [HTMLTree.NodeIndex], top: HTMLTree.NodeIndex) -> Selection {
        var inside = [Bool](repeating: false, count: tree.nodes.count)
        for root in roots {
            tree.walk(from: root) { node in
                inside[Int(node)] = true
                return true
            }
        }
        return Selection(topCandidate: top, roots: roots, inside: inside)
    }
}

// MARK: - Line filtering

/// Drops the lines of the selected container that are not article text.
struct LineFilter {
    let tree: HTMLTree
    let hints: ContentExtractor.Hints

    func filter(_ lines: Lines) -> (kept: [String], metadataLines: [String]) {
        let titleKey = hints.title.map(BoilerplateLexicon.comparisonKey)
        var kept: [String] = []
        var metadataLines: [String] = []
        for line in lines.lines where line.selected {
            let linkShare = Double(line.linkCharacters) / Double(max(line.characters, 1))
            if linkShare > 0.5 { continue }
            let text = lines.text(of: line)
            let ownerTag = tree[line.owner].tag
            if ownerTag == .h1 && line.characters < 300 { continue }
            if line.characters < 300 {
                let key = BoilerplateLexicon.comparisonKey(text)
                if let titleKey, key == titleKey { continue }
                if line.characters < 200, BoilerplateLexicon.isBoilerplate(key: key) { continue }
            }
            if line.characters < 200, let isMetadataLine = hints.isMetadataLine, isMetadataLine(text) {
                metadataLines.append(text)
                continue
            }
            kept.append(text)
        }
        return (kept, metadataLines)
    }
}
