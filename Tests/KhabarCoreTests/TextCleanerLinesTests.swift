import Testing
@testable import KhabarCore

/// The cleaner's byte-level shortcuts must give what the `String` code they replace gives, on
/// text full of every whitespace, line break and separator kind (`noisyRandomText`) and on
/// real lines.
@Suite struct TextCleanerLinesTests {
    /// Random lines with the separators, brackets and ASCII spaces that menus and tickers hold.
    static func randomLines(count: Int, seed: UInt64) -> [String] {
        var random = SeededRandom(seed: seed)
        let extras = ["  ", " | ", "،", " - ", "•", "[ad_1]", "   ", "\u{00A0}\u{00A0}", " / ", "«", "—", "◄", " "]
        return (0..<count).map { _ in
            var line = ""
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                line += noisyRandomText(&random, maxLength: 12)
                line += extras.randomElement(using: &random)!
            }
            return line
        }
    }

    static let realLines = [
        "  اتصل بنا | من نحن | سياسة الخصوصية  ", "عاجل  بوتين يصل إلى بيونغ يانغ  الكرملين يعلق  أسعار النفط ترتفع",
        "قال الرئيس،\u{00A0}في كلمة ألقاها، إن «الاتفاق» تاريخي.", "\u{2003}شارك عبر:\u{2009}فيسبوك تويتر\u{3000}",
        "",
    ]

    @Test func linesAreCutWhereCharactersAreNewlines() {
        for text in Self.randomLines(count: 300, seed: 0x6C69_6E65) + [Self.realLines.joined(separator: "\r\n")] {
            var copy = text
            let cut = copy.withUTF8 { bytes in
                TextCleanerLines.lineRanges(bytes).map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
            }
            let expected = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).map(String.init)
            #expect(cut.map(ExactText.init) == expected.map(ExactText.init))
        }
    }

    @Test func whitespaceCollapsesAsTextFoldingDoes() {
        for line in Self.randomLines(count: 500, seed: 0x636F_6C6C) + Self.realLines {
            var copy = line
            let collapsed = copy.withUTF8 { bytes in TextCleanerLines.collapseWhitespace(bytes) { line } }
            #expect(ExactText(collapsed) == ExactText(TextFolding.collapseWhitespace(line)))
        }
    }

    /// `TickerDetector.segments` as it was written on `String`s.
    static func referenceSegments(of line: String) -> [String] {
        var segments: [String] = []
        var current = ""
        var spaceRun = 0
        func closeSegment() {
            let collapsed = TextFolding.collapseWhitespace(current)
            if !collapsed.isEmpty { segments.append(collapsed) }
            current = ""
        }
        for scalar in line.unicodeScalars {
            if TextFolding.isSpace(scalar) {
                spaceRun += 1
                continue
            }
            if spaceRun >= 2 { closeSegment() } else if spaceRun == 1 { current.unicodeScalars.append(" ") }
            spaceRun = 0
            current.unicodeScalars.append(scalar)
        }
        closeSegment()
        return segments
    }

    @Test func tickerSegmentsMatchTheStringVersion() {
        for line in Self.randomLines(count: 500, seed: 0x7365_676D) + Self.realLines {
            #expect(TickerDetector.segments(of: line).map(ExactText.init) == Self.referenceSegments(of: line).map(ExactText.init))
        }
    }

    @Test func lineFactsNeverSkipARuleThatCouldClaimTheLine() {
        for line in Self.randomLines(count: 500, seed: 0x6661_6374) + Self.realLines {
            var copy = line
            let (whitespaceRun, itemSeparator, letteredWords) = copy.withUTF8 {
                (TextCleanerLines.hasWhitespaceRun($0), TextCleanerLines.mayHoldItemSeparator($0), TextCleanerLines.letteredWords($0))
            }
            let segments = Self.referenceSegments(of: line)
            if !whitespaceRun { #expect(segments.count <= 1) }
            if !whitespaceRun && !itemSeparator {
                #expect(!segments.contains { $0.contains(where: TextCleanerRules.itemSeparators.contains) })
            }
            // A lower bound on the words of the comparison key and of the navigation items.
            let key = BoilerplateLexicon.comparisonKey(TextFolding.collapseWhitespace(line))
            #expect(letteredWords <= key.split(separator: " ").count)
            let items = segments.flatMap { $0.split(whereSeparator: TextCleanerRules.itemSeparators.contains) }
                .map { TextFolding.collapseWhitespace(String($0)) }
            #expect(letteredWords <= items.reduce(0) { $0 + TextCleanerText.words($1) })
        }
        var longLine = String(repeating: "كلمة ", count: 45)
        #expect(longLine.withUTF8(TextCleanerLines.letteredWords) == 45)
    }

    @Test func promotionCuesAreFoundAsWholeWords() {
        let cues = WholeWordCues([["اشترك الآن", "تطبيق"], ["لك", "you"]])
        #expect(cues.hits(inKey: BoilerplateLexicon.comparisonKey("اشترك الآن في تطبيق نبض لك")) == [2, 1])
        #expect(cues.hits(inKey: BoilerplateLexicon.comparisonKey("اشترك الان في التطبيق")) == [1, 0])
        #expect(cues.hits(inKey: BoilerplateLexicon.comparisonKey("your youth تطبيقات")) == [0, 0])
        #expect(cues.hits(inKey: BoilerplateLexicon.comparisonKey("You")) == [0, 1])
        #expect(cues.hits(inKey: "") == [0, 0])
    }
}
