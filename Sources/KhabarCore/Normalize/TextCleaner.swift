/// What a line of scraped text turned out to be.
public enum TextLineRole: String, Sendable, Equatable {
    /// Article text: kept.
    case text
    /// The headline, read into `CleanedText.title`.
    case title
    /// The headline again (a page repeats it above the body, or the record already has it).
    case repeatedTitle
    /// "بواسطة فلان": read into `author`.
    case byline
    /// A publication stamp: read into `publishedAt` (and `siteName`).
    case dateline
    case shortcode
    /// A close button, an arrow, a counter: no letters or a lone symbol.
    case uiToken
    case ticker
    /// A known furniture phrase or a menu line.
    case furniture
    case promotion
    case caption
    /// Recurring in many documents of the same source.
    case learnedBoilerplate
    /// A sentence containing a furniture phrase: decided by position (internal, never reported).
    case furnitureUnlessInArticle
    /// Short lines before the article starts that are not its headline (kickers, captions).
    case beforeArticle
    /// Short lines after the article ends that are not sentences (tags, widget headings).
    case afterArticle
}

/// A document after cleaning: its text and the metadata its lines stated.
public struct CleanedText: Sendable, Equatable {
    /// Article text, one paragraph or subheading per line, through `ArabicNormalizer`.
    public var text: String
    public var title: String?
    public var author: String?
    public var siteName: String?
    /// ISO 8601, as `NewsDate.iso8601` writes it (local time as written; no zone).
    public var publishedAt: String?
    /// The folded form of `text` (`ArabicFolding.foldNormalized(text)` under the cleaner's
    /// options), when `clean` was asked for it.
    public var foldedText: String?
    /// The non-blank input lines (whitespace collapsed) and what each was taken for, in order.
    /// Most lines are bytes of the input as they stand: they become Strings only when asked
    /// for (tests and debugging), not for every document cleaned.
    var lineTexts: [String] {
        lineTextSources.map { source in
            switch source {
            case .text(let text): return text
            case .input(let range):
                let utf8 = lineInput.utf8
                let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
                return String(Substring(utf8[start..<utf8.index(start, offsetBy: range.count)]))
            case .collapsingInput(let range):
                var input = lineInput
                return input.withUTF8 { TextCleanerLines.collapseWhitespace(UnsafeBufferPointer(rebasing: $0[range])) }
            }
        }
    }
    var lineRoles: [TextLineRole] = []
    /// Where each of `lineTexts` is: its own text, or a range of `lineInput`'s UTF-8 (as it
    /// is, or collapsed).
    var lineTextSources: [LineTextSource] = []
    var lineInput = ""

    enum LineTextSource: Sendable {
        case text(String)
        case input(Range<Int>)
        /// The range's whitespace collapsed.
        case collapsingInput(Range<Int>)
    }

    /// Every non-blank input line with what it was taken for, in order (for tests and
    /// debugging; paired up when asked for).
    public var lines: [(line: String, role: TextLineRole)] {
        get { zip(lineTexts, lineRoles).map { ($0, $1) } }
        set {
            lineTextSources = newValue.map { .text($0.line) }
            lineInput = ""
            lineRoles = newValue.map(\.role)
        }
    }

    public init(
        text: String, title: String? = nil, author: String? = nil, siteName: String? = nil, publishedAt: String? = nil,
        lines: [(line: String, role: TextLineRole)] = []
    ) {
        self.text = text
        self.title = title
        self.author = author
        self.siteName = siteName
        self.publishedAt = publishedAt
        self.lines = lines
    }

    public static func == (lhs: CleanedText, rhs: CleanedText) -> Bool {
        lhs.text == rhs.text && lhs.title == rhs.title && lhs.author == rhs.author && lhs.siteName == rhs.siteName
            && lhs.publishedAt == rhs.publishedAt && lhs.foldedText == rhs.foldedText && lhs.lineTexts == rhs.lineTexts
            && lhs.lineRoles == rhs.lineRoles
    }
}

/// Cleans text that arrives without HTML (scraped text, text fields of JSONL records): removes
/// lines that are not article text and reads the byline, date and site lines into metadata.
///
/// Two kinds of evidence, no per-site rules:
/// - each line on its own: a lexicon of furniture phrases (`BoilerplateLexicon` plus menu
///   items), and structure — shortcodes, lone symbols, tickers (runs of spaces between short
///   headlines), promotions (a call to action plus a channel), captions (a trailing agency
///   credit), short stamp lines with a date or a byline label;
/// - where the line sits: the article starts at its first paragraph (a long line or a full
///   sentence) and ends at its last. Before the start, the first headline-shaped line is the
///   title and other short lines are kickers and captions; after the end, short lines that are
///   not sentences are tags and widget headings. Short lines between paragraphs stay: they are
///   subheadings.
public struct TextCleaner: Sendable {
    /// Lines outside the paragraphs this long are kept as text (a lead without a full stop
    /// before them, unless it is the title; a truncated paragraph after them).
    static let keptLeadWords = 15

    /// Headlines are rarely shorter than this; section kickers rarely longer.
    static let titleWords = 5

    /// Built once: tables for options other than the defaults are not shared.
    private let normalizer: ArabicNormalizer
    private let scanTables: TextCleanerScanTables

    /// - Parameter options: the display-form rules `text` and `title` leave in.
    public init(options: NormalizationOptions = .default) {
        normalizer = ArabicNormalizer(options: options)
        scanTables = TextCleanerScanTables.shared(for: options)
    }

    public var options: NormalizationOptions { normalizer.options }

    /// A non-blank line and what the scan found out about it.
    private struct Line {
        /// Whitespace collapsed, inline shortcodes removed, when that changed the line; nil
        /// when the line is its raw bytes (`rawRange`) as they stand (most lines).
        var rewritten: String?
        /// As scraped, except inline shortcodes removed, when that changed the line; nil when
        /// it is the bytes at `rawRange`.
        var rewrittenRaw: String?
        /// Decided on the raw bytes: the line is a ticker (`TickerDetector`); its collapsed form
        /// is made only when asked for.
        var isTicker = false
        var words: Int
        var facts: TextCleanerLineFacts
        /// The line's key in the scanner's buffer; nil for lines whose shortcodes the cleaner
        /// removed (their key is computed from `rewritten`).
        var scannedKey: Range<Int>?
        var keyWords: Int
        /// The raw line's bytes in the document, when they are its raw form.
        var rawRange: Range<Int>?
        var mayBePromotion = true
        var mayHoldFurnitureItem = true
        var mayHoldContainedPhrase = true
        /// True when the scan saw a letter (false: not known).
        var containsLetter = false
        var isDisplayForm = false
        /// The line's folded form in the scanner's buffer, when the scanner wrote it.
        var folded: Range<Int>?
        /// The folded form may hold a mojibake signature (`TextCleanerLineScanner.Line`).
        var foldedMayHoldMojibake = false
    }

    /// - Parameters:
    ///   - knownTitle: the record's title, if it has one: lines repeating it are dropped and no
    ///     other title is guessed.
    ///   - memory, source: learned per-source boilerplate to drop (`memory` must already hold
    ///     the source's documents).
    ///   - folding: also give `foldedText`, mostly from the folded lines the scan wrote on
    ///     its way (cheaper than folding `text` afterwards).
    public func clean(
        _ text: String, knownTitle: String? = nil, memory: (any BoilerplateMemory)? = nil, source: String? = nil, folding: Bool = false
    ) -> CleanedText {
        var text = text
        // The lines' offsets are into this UTF-8, which `CleanedText` keeps for `lines`.
        text.makeContiguousUTF8()
        let input = text
        return text.withUTF8 { bytes in
            var scanner = TextCleanerLineScanner(bytes, tables: scanTables, writesFold: folding)
            var lines: [Line] = []
            while let scanned = scanner.nextLine() {
                let scan = scanned.scan
                let rawBytes = UnsafeBufferPointer(rebasing: bytes[scanned.range])
                guard scan.hasBracket else {
                    // No shortcode can be in the line: it is its own raw form. A ticker is
                    // told on its raw bytes (the first rule to claim such a line), and dropped
                    // without its collapsed form.
                    let isTicker = scan.whitespaceRuns >= TickerDetector.minimumSegments - 1 && TickerDetector.isTicker(bytes: rawBytes)
                    lines.append(Line(
                        rewritten: scan.isCollapsed || isTicker ? nil : TextCleanerLines.collapseWhitespace(rawBytes),
                        isTicker: isTicker, words: scan.words,
                        facts: TextCleanerLineFacts(
                            hasBracket: false, hasWhitespaceRun: scan.hasWhitespaceRun, whitespaceRuns: scan.whitespaceRuns,
                            hasItemSeparator: scan.hasItemSeparator, letteredWords: scan.letteredWords
                        ),
                        scannedKey: scanned.key, keyWords: scanned.keyWords, rawRange: scanned.range,
                        mayBePromotion: scanned.mayBePromotion, mayHoldFurnitureItem: scanned.mayHoldFurnitureItem,
                        mayHoldContainedPhrase: scanned.mayHoldContainedPhrase, containsLetter: scanned.containsLetter,
                        isDisplayForm: scanned.isDisplayForm, folded: scanned.folded,
                        foldedMayHoldMojibake: scanned.foldedMayHoldMojibake
                    ))
                    continue
                }
                let rawLine = String(validUTF8: rawBytes)
                let original = scan.isCollapsed ? rawLine : TextCleanerLines.collapseWhitespace(rawBytes)
                // Shortcode-only lines stay whole so that they are reported as such.
                if TextCleanerRules.isShortcodeOnly(original) {
                    lines.append(Line(rewritten: original, rewrittenRaw: rawLine, words: scan.words, facts: .unknown, keyWords: 0))
                    continue
                }
                let raw = TextCleanerRules.removingInlineShortcodes(rawLine)
                let line = TextFolding.collapseWhitespace(raw)
                if !line.isEmpty {
                    lines.append(Line(
                        rewritten: line, rewrittenRaw: raw, words: TextCleanerText.words(line), facts: .unknown, keyWords: 0
                    ))
                }
            }
            return clean(
                lines, scanner: scanner, input: input, bytes: bytes, knownTitle: knownTitle, memory: memory, source: source,
                folding: folding
            )
        }
    }

    private func clean(
        _ lines: [Line], scanner: borrowing TextCleanerLineScanner, input: String, bytes: UnsafeBufferPointer<UInt8>,
        knownTitle: String?, memory: (any BoilerplateMemory)?, source: String?, folding: Bool
    ) -> CleanedText {
        /// Line `index`'s collapsed UTF-8, for `body`: its rewritten text or its raw bytes (not
        /// for a ticker, whose collapsed form is not made).
        func withText<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            if var rewritten = lines[index].rewritten { return rewritten.withUTF8(body) }
            return body(UnsafeBufferPointer(rebasing: bytes[lines[index].rawRange!]))
        }
        /// Line `index`'s collapsed text as a String (made for the rules that read Strings).
        func text(_ index: Int) -> String {
            lines[index].rewritten ?? String(validUTF8: UnsafeBufferPointer(rebasing: bytes[lines[index].rawRange!]))
        }

        var result = CleanedText(text: "", lines: [])
        var roles: [TextLineRole] = []
        roles.reserveCapacity(lines.count)
        var candidates: [Int] = []
        // By index: `for line in lines` copied each line (its strings retained and released).
        for index in lines.indices {
            let role: TextLineRole
            if lines[index].isTicker {
                role = .ticker
            } else if let scannedKey = lines[index].scannedKey, let rawRange = lines[index].rawRange {
                role = withText(index) { lineBytes in
                    lineRole(
                        lines[index], text: lineBytes, key: scanner.key(of: scannedKey), keyWords: lines[index].keyWords,
                        rawBytes: UnsafeBufferPointer(rebasing: bytes[rawRange]), memory: memory, source: source, into: &result
                    )
                }
            } else {
                var line = lines[index].rewritten!
                var raw = lines[index].rewrittenRaw!
                let key = BoilerplateLexicon.comparisonKeyBytes(line)
                role = key.withUnsafeBufferPointer { key in
                    line.withUTF8 { lineBytes in
                        raw.withUTF8 { rawBytes in
                            lineRole(
                                lines[index], text: lineBytes, key: key, keyWords: BoilerplateLexicon.keyWords(key), rawBytes: rawBytes,
                                memory: memory, source: source, into: &result
                            )
                        }
                    }
                }
            }
            if role == .text || role == .furnitureUnlessInArticle { candidates.append(roles.count) }
            roles.append(role)
        }
        func key(_ index: Int) -> [UInt8] {
            if let scannedKey = lines[index].scannedKey { return Array(scanner.key(of: scannedKey)) }
            return BoilerplateLexicon.comparisonKeyBytes(lines[index].rewritten!)
        }
        /// Whether line `index` folds to `headline`: a line with more lettered words than
        /// the key has words cannot (its lettered words survive folding as words).
        func repeats(_ index: Int, _ headline: [UInt8]) -> Bool {
            if lines[index].facts.letteredWords > headline.reduce(1, { $1 == 0x20 ? $0 + 1 : $0 }) { return false }
            if let scannedKey = lines[index].scannedKey {
                return headline.withUnsafeBufferPointer { $0.elementsEqual(scanner.key(of: scannedKey)) }
            }
            return key(index) == headline
        }

        let titleKey = knownTitle.map(BoilerplateLexicon.comparisonKeyBytes).flatMap { $0.isEmpty ? nil : $0 }
        var titleIsDisplayForm = false
        let paragraphs = candidates.filter { index in
            roles[index] == .text && withText(index) { TextCleanerRules.isParagraph(bytes: $0, words: lines[index].words) }
        }
        func isInArticle(_ index: Int) -> Bool {
            guard let first = paragraphs.first, let last = paragraphs.last else { return true }
            return index > first && index < last
        }
        for index in candidates where roles[index] == .furnitureUnlessInArticle {
            roles[index] = isInArticle(index) ? .text : .furniture
        }
        candidates.removeAll { roles[$0] != .text }
        if let first = paragraphs.first, let last = paragraphs.last {
            // Section kickers ("أخبار عربية ودولية") are headline-shaped but short, and leads
            // without a full stop long: a header line of usual title length wins over both, the
            // first headline-shaped one otherwise.
            let header = candidates.filter { index in
                index < first && withText(index) { TextCleanerRules.isHeadline(bytes: $0, words: lines[index].words) }
            }
            let titleIndex = titleKey != nil ? nil
                : header.first { (Self.titleWords..<Self.keptLeadWords).contains(lines[$0].words) } ?? header.first
            var foundTitleKey: [UInt8]?
            for index in candidates where index < first {
                let key = key(index)
                if key == titleKey || key == foundTitleKey {
                    roles[index] = .repeatedTitle
                } else if index == titleIndex {
                    roles[index] = .title
                    result.title = text(index)
                    titleIsDisplayForm = lines[index].isDisplayForm
                    foundTitleKey = key
                } else if lines[index].words < Self.keptLeadWords {
                    roles[index] = .beforeArticle
                }
            }
            // A long line without a full stop after the last paragraph is a truncated one: kept.
            for index in candidates where index > last && lines[index].words < Self.keptLeadWords
                && !withText(index, TextCleanerText.endsSentence) {
                roles[index] = .afterArticle
            }
        }
        // A headline repeated inside the body (pages print it again above the text).
        let headlineKey = titleKey ?? result.title.map(BoilerplateLexicon.comparisonKeyBytes)
        if let headlineKey {
            for index in candidates where roles[index] == .text && repeats(index, headlineKey) {
                roles[index] = .repeatedTitle
            }
        }

        // The display pass works line by line: lines it would leave as they are (most
        // paragraphs) skip it, and a line it empties is dropped, as it drops blank lines.
        // The folded form goes line by line too: folding keeps lines, and a line folded to
        // nothing is dropped as the fold of the whole text drops it.
        let capacity = lines.indices.reduce(0) { total, index in
            roles[index] != .text ? total : total + 1 + (lines[index].rewritten?.utf8.count ?? lines[index].rawRange!.count)
        }
        var displayText: [UInt8] = []
        displayText.reserveCapacity(capacity)
        var folded: [UInt8] = []
        if folding { folded.reserveCapacity(capacity) }
        var foldedMayHoldMojibake = false
        for index in lines.indices where roles[index] == .text {
            /// The line's display form, when the line is not in it already.
            var display: String?
            if lines[index].isDisplayForm {
                withText(index) { Self.appendLine($0, to: &displayText) }
            } else {
                var normalized = normalizer.normalize(text(index))
                if normalized.isEmpty { continue }
                normalized.withUTF8 { Self.appendLine($0, to: &displayText) }
                display = normalized
            }
            guard folding else { continue }
            if let range = lines[index].folded {
                Self.appendLine(scanner.folded(range), to: &folded)
                foldedMayHoldMojibake = foldedMayHoldMojibake || lines[index].foldedMayHoldMojibake
            } else {
                let foldedLine = normalizer.foldOnce(display ?? text(index))
                Self.appendLine(foldedLine.text.utf8, to: &folded)
                foldedMayHoldMojibake = foldedMayHoldMojibake || !foldedLine.mojibakeRuledOut
            }
        }
        result.text = displayText.withUnsafeBufferPointer(String.init(validUTF8:))
        if folding {
            // A mojibake signature never spans a line break: a text none of whose lines can
            // hold one cannot either. (Where a line may, `completeFold` looks for one.)
            result.foldedText = normalizer.completeFold(FoldingFastPath.Folded(
                text: folded.withUnsafeBufferPointer(String.init(validUTF8:)), mojibakeRuledOut: !foldedMayHoldMojibake
            ))
        }
        if !titleIsDisplayForm { result.title = result.title.map(normalizer.normalize) }
        result.lineInput = input
        result.lineTextSources = lines.map { line in
            line.rewritten.map { .text($0) } ?? (line.isTicker ? .collapsingInput(line.rawRange!) : .input(line.rawRange!))
        }
        result.lineRoles = roles
        return result
    }

    /// Appends a folded line (nothing when it is empty), after a line break unless first.
    private static func appendLine(_ line: some Collection<UInt8>, to folded: inout [UInt8]) {
        guard !line.isEmpty else { return }
        if !folded.isEmpty { folded.append(0x0A) }
        folded.append(contentsOf: line)
    }

    /// What a line is on its own; `.text` when no rule claims it. Reads bylines and stamps
    /// into `result` (the first of each wins).
    /// The line's facts and the scan's filters let rules that cannot claim it be skipped;
    /// `key` is its comparison key (`keyWords` words), `rawBytes` its raw form.
    private func lineRole(
        _ line: borrowing Line, text lineBytes: UnsafeBufferPointer<UInt8>, key: UnsafeBufferPointer<UInt8>, keyWords: Int,
        rawBytes: UnsafeBufferPointer<UInt8>, memory: (any BoilerplateMemory)?, source: String?, into result: inout CleanedText
    ) -> TextLineRole {
        let (words, facts) = (line.words, line.facts)
        // The rules that read Strings get one, made once; most lines (paragraphs) reach none.
        var madeText: String?
        func text() -> String {
            if let madeText { return madeText }
            let made = String(validUTF8: lineBytes)
            madeText = made
            return made
        }
        if facts.hasBracket && TextCleanerRules.isShortcodeOnly(text()) { return .shortcode }
        if facts.whitespaceRuns >= TickerDetector.minimumSegments - 1 && TickerDetector.isTicker(bytes: rawBytes) { return .ticker }
        // A line of two words, one with a letter, is no lone control.
        if !(line.containsLetter && words >= 2) && TextCleanerRules.isUIToken(text(), words: words) { return .uiToken }
        if let memory, let source, memory.isLearnedBoilerplate(text(), source: source) { return .learnedBoilerplate }
        let mayHoldItems = facts.hasWhitespaceRun || facts.hasItemSeparator
        if TextCleanerRules.isFurniture(
            rawBytes: rawBytes, letteredWords: facts.letteredWords, mayHoldItems: mayHoldItems, key: key, keyWords: keyWords,
            itemsMayBeFurniture: line.mayHoldFurnitureItem, mayHoldContainedPhrase: line.mayHoldContainedPhrase
        ) {
            // A full sentence that merely contains a furniture phrase ("…الإبلاغ عن أي نشاط
            // مشبوه.") is furniture only outside the article: decided by position.
            return TextCleanerRules.isParagraph(bytes: lineBytes, words: words) ? .furnitureUnlessInArticle : .furniture
        }
        if line.mayBePromotion && words <= TextCleanerRules.maximumPromotionWords && TextCleanerRules.isPromotion(keyBytes: key) {
            return .promotion
        }
        if words <= TextCleanerRules.maximumMetadataLineWords && !TextCleanerText.endsSentence(lineBytes)
            && TextCleanerRules.mayBeBylineOrDateline(bytes: lineBytes)
        {
            // Asked once for both rules.
            let text = text()
            let isBylineOrDateline = BylineDetector.isBylineOrDateline(text)
            if let author = TextCleanerRules.bylineAuthor(text, words: words, isBylineOrDateline: isBylineOrDateline) {
                if result.author == nil { result.author = author }
                if result.publishedAt == nil, let date = NewsDateParser.parse(text) { result.publishedAt = date.iso8601 }
                return .byline
            }
            if let stamp = TextCleanerRules.dateline(text, words: words, isBylineOrDateline: isBylineOrDateline) {
                if result.publishedAt == nil { result.publishedAt = stamp.date.iso8601 }
                if result.siteName == nil { result.siteName = stamp.siteName }
                return .dateline
            }
        }
        // `isCaption` asks for a closing parenthesis at the end first.
        if lineBytes.last == UInt8(ascii: ")") && TextCleanerRules.isCaption(text(), words: words) { return .caption }
        return .text
    }
}

