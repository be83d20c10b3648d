import Foundation
import Testing
@testable import KhabarCore

/// The cleaner's per-line rules rewritten for speed must answer as the versions they replace
/// (kept here as references), and their filters must never rule out a line the rule claims.
@Suite struct CleanerRuleFastPathTests {
    // MARK: Tickers

    /// `TickerDetector.isTicker` as it was: segments collected, then scanned one by one.
    static func referenceIsTicker(_ line: String) -> Bool {
        var line = line
        return line.withUTF8 { bytes in
            let segments = TickerDetector.segmentRanges(bytes).map { UnsafeBufferPointer(rebasing: bytes[$0]) }
            guard segments.count >= TickerDetector.minimumSegments else { return false }
            let wordCounts = segments.map { TextCleanerLines.scan($0).words }
            guard wordCounts.sorted()[wordCounts.count / 2] <= TickerDetector.maximumMedianSegmentWords else { return false }
            let headlineSized = wordCounts.filter { $0 >= 2 }.count
            guard headlineSized * 4 >= segments.count * 3 else { return false }
            let sentences = segments.dropLast().filter(TextCleanerText.endsSentence).count
            return sentences * 2 < segments.count - 1
        }
    }

    /// Lines of segments of one to twenty words, some ending in a full stop, between runs of
    /// one to three whitespace scalars of every kind (and noise).
    static func randomTickerLine(_ random: inout SeededRandom) -> String {
        let words = ["بوتين", "يصل", "إلى", "بيونغ", "يانغ", "عاجل", "x", "2024", "«الاتفاق»", "تاريخي.", "…", "ـ", "\u{064E}", "a.b"]
        let spaces = [" ", " ", "\u{00A0}", "\t", "\u{2009}", "\u{3000}", "\u{FEFF}", "\u{1680}", "\u{205F}"]
        let ends = ["", "", "", ".", "…", ".\"", ". »", "?"]
        var line = Int.random(in: 0..<5, using: &random) == 0 ? spaces.randomElement(using: &random)! : ""
        for segment in 0..<Int.random(in: 1...9, using: &random) {
            if segment > 0 {
                for _ in 0..<Int.random(in: 1...3, using: &random) { line += spaces.randomElement(using: &random)! }
            }
            let count = Int.random(in: 0..<4, using: &random) == 0 ? Int.random(in: 1...20, using: &random) : Int.random(in: 1...5, using: &random)
            line += (0..<count).map { _ in words.randomElement(using: &random)! }.joined(separator: spaces.randomElement(using: &random)!)
            line += ends.randomElement(using: &random)!
        }
        if Int.random(in: 0..<5, using: &random) == 0 { line += spaces.randomElement(using: &random)! + spaces.randomElement(using: &random)! }
        return line
    }

    @Test func tickerInOnePassIsTheSegmentTest() {
        var random = SeededRandom(seed: 0x7469_636B)
        var lines = TextCleanerLinesTests.randomLines(count: 3_000, seed: 0x7469_636C) + TextCleanerLinesTests.realLines
        for _ in 0..<30_000 { lines.append(Self.randomTickerLine(&random)) }
        Self.expectAgreement(on: lines, eachAnswerAtLeast: 3_001, { TickerDetector.isTicker($0) }, Self.referenceIsTicker)
    }

    /// `fast` answers as `reference` on every input, and each answer comes up at least
    /// `minimum` times: if one were rare, the comparison would prove little.
    static func expectAgreement(
        on inputs: [String], eachAnswerAtLeast minimum: Int, _ fast: (String) -> Bool, _ reference: (String) -> Bool
    ) {
        var yes = 0
        for input in inputs {
            let expected = reference(input)
            #expect(fast(input) == expected, "\(ExactText(input))")
            if expected { yes += 1 }
        }
        #expect(yes >= minimum && yes <= inputs.count - minimum)
    }

    // MARK: Share prompts

    /// `TextCleanerRules.isSharePrompt(keyBytes:)` as it was: every word looked up in both
    /// sets, to the end of the key.
    static func referenceIsSharePrompt(_ key: String) -> Bool {
        let networks = Set([
            "فيسبوك", "فيس", "تويتر", "واتساب", "تيليجرام", "تلغرام", "تليجرام", "لينكدإن", "لينكدان", "انستغرام",
            "انستجرام", "يوتيوب", "ماسنجر", "facebook", "twitter", "whatsapp", "telegram", "linkedin", "instagram",
            "youtube", "messenger", "pinterest", "reddit",
        ].map { Array(BoilerplateLexicon.comparisonKey($0).utf8) })
        let shareWords = Set([
            "شارك", "شاركها", "مشاركة", "المشاركة", "انشر", "عبر", "على", "بوك", "اكس", "x", "طباعة", "البريد",
            "الإلكتروني", "نسخ", "الرابط", "share", "via", "on", "email", "print", "copy", "link", "tweet",
        ].map { Array(BoilerplateLexicon.comparisonKey($0).utf8) })
        var words = 0
        var buttonWords = 0
        var namesNetwork = false
        for piece in Array(key.utf8).split(separator: 0x20, omittingEmptySubsequences: false) {
            let word = Array(piece.drop { $0 == UInt8(ascii: ":") }.reversed().drop { $0 == UInt8(ascii: ":") }.reversed())
            guard !word.isEmpty else { continue }
            words += 1
            if words > TextCleanerRules.maximumShareWords { return false }
            if networks.contains(word) {
                namesNetwork = true
                buttonWords += 1
            } else if shareWords.contains(word) {
                buttonWords += 1
            }
        }
        return words >= 1 && namesNetwork && buttonWords * 10 >= words * 7
    }

    @Test func sharePromptStopsOnlyWhenItCannotBeOne() {
        var random = SeededRandom(seed: 0x7368_6172)
        let words = [
            "شارك", "عبر:", "فيسبوك", "تويتر", "واتساب", "على", "x", "share", "on", "facebook", "via", "email", ":", "::",
            "twitter:", "الرابط", "نسخ", "الخبر", "اليوم", "في", "غزة", "بوتين", "news", "the",
        ]
        var keys: [String] = []
        for _ in 0..<40_000 {
            let count = Int.random(in: 0...15, using: &random)
            let separator = Int.random(in: 0..<10, using: &random) == 0 ? "  " : " "
            let line = (0..<count).map { _ in words.randomElement(using: &random)! }.joined(separator: separator)
            keys.append(BoilerplateLexicon.comparisonKey(line))
            keys.append(line)
        }
        Self.expectAgreement(on: keys, eachAnswerAtLeast: 1_001, { TextCleanerRules.isSharePrompt($0) }, Self.referenceIsSharePrompt)
    }

    // MARK: Publication labels

    /// Without a label's first word in its bytes, a line neither starts with a publication
    /// label nor names a site after one: `dateline` skips both.
    @Test func siteAfterALabelNeedsTheLabelsWords() {
        var random = SeededRandom(seed: 0x7369_7465)
        let labels = ["نشر في", "نُشر في", "Published in", "PUBLISHED ON", "posted in", "Posted In", "publİshed in", "nashr", "نشر", "Published"]
        var lines = ShortLineRuleTests.generatedLines
        for _ in 0..<20_000 {
            lines.append(labels.randomElement(using: &random)! + " " + randomShortLine(&random))
        }
        var sites = 0
        var ruledOut = 0
        for line in lines {
            let site = TextCleanerRules.siteAfterPublicationLabel(line)
            if site != nil { sites += 1 }
            guard !TextCleanerRules.mayHoldPublicationLabel(line) else { continue }
            ruledOut += 1
            #expect(site == nil, "\(ExactText(line))")
            #expect(!TextCleanerRules.startsWithPublicationLabel(line), "\(ExactText(line))")
        }
        #expect(sites > 1_000 && ruledOut > 10_000)
    }

    // MARK: Labels and words on bytes

    /// The byte path of `BylineDetector.remainder` must be taken for plain lines and agree with
    /// the `Character` path (`ShortLineRuleTests.referenceRemainder`), labels in capitals too.
    @Test func plainRemainderIsTheCharacterRemainder() {
        var random = SeededRandom(seed: 0x7265_6D61)
        let starts = ["بواسطة", "كتب", "كتب:", "كتب -", "كتب –", "BY", "By:", "Written By", "نشر في", "آخر تحديث:", "Last Updated", "تحديث،", "date.", "بقلم/"]
        var lines = ShortLineRuleTests.generatedLines
        for _ in 0..<20_000 { lines.append(starts.randomElement(using: &random)! + [" ", "", ":", " - ", "–"].randomElement(using: &random)! + randomShortLine(&random)) }
        var plain = 0
        var found = 0
        for line in lines {
            let text = MetadataText.collapsedString(line)
            for (labels, punctuated) in [
                (BylineDetector.strongBylinePrefixes, false), (BylineDetector.weakBylinePrefixes, true), (BylineDetector.dateLabels, false),
            ] {
                let expected = ShortLineRuleTests.referenceRemainder(of: text, afterAnyOf: labels, requirePunctuation: punctuated)
                guard let fast = labels.plainRemainder(of: text, requirePunctuation: punctuated) else { continue }
                plain += 1
                #expect(fast.map(ExactText.init) == expected.map(ExactText.init), "\(ExactText(text))")
                if expected != nil { found += 1 }
            }
        }
        #expect(plain > 30_000 && found > 5_000)
    }

    @Test func wordCountOnBytesIsTheSplitCount() {
        var random = SeededRandom(seed: 0x776F_7264)
        var plain = 0
        for line in ShortLineRuleTests.generatedLines + (0..<5_000).map({ _ in randomShortLine(&random) + "  " }) {
            for text in [line, MetadataText.collapsedString(line), " " + line] {
                #expect(MetadataText.wordCount(text) == text.split(whereSeparator: { $0 == " " }).count, "\(ExactText(text))")
                if !text.unicodeScalars.contains(where: { $0.value > 0x7E && !(0x621...0x64A).contains($0.value) }) { plain += 1 }
            }
        }
        #expect(plain > 10_000)
    }

    /// The byte search for a site separator finds what Foundation's `range(of:)` finds, on
    /// plain lines.
    @Test func separatorSearchOnBytesIsFoundationsSearch() {
        var random = SeededRandom(seed: 0x7365_7061)
        let separators = [" ـ ", " - ", " – ", " — ", " | ", " · ", " • ", "، "]
        var lines = ShortLineRuleTests.generatedLines
        for _ in 0..<10_000 {
            lines.append(randomShortLine(&random) + separators.randomElement(using: &random)! + "نشر في " + randomShortLine(&random))
        }
        var plainHits = 0
        for line in lines {
            let isPlain = TextCleanerRules.isPlain(line)
            #expect(isPlain == !line.unicodeScalars.contains { scalar in
                var bytes = Array(String(scalar).utf8)
                return bytes.withUnsafeMutableBufferPointer { PlainScalars.length(UnsafeBufferPointer($0), at: 0) } != bytes.count
            }, "\(ExactText(line))")
            for separator in separators {
                let expected = line.range(of: separator).map { line.utf8.distance(from: line.startIndex, to: $0.lowerBound) }
                let found = TextCleanerRules.firstRange(of: separator, in: line, lineIsPlain: isPlain)
                #expect(found.map { line.utf8.distance(from: line.startIndex, to: $0.lowerBound) } == expected, "\(ExactText(line))")
                #expect(found.map { String(line[$0]) } == expected.map { _ in separator })
                if isPlain && found != nil { plainHits += 1 }
            }
        }
        #expect(plainHits > 1_000)
    }

    /// `startsWithPublicationLabel` and `siteAfterPublicationLabel` with their byte check, against
    /// the `Character` tests without it.
    @Test func publicationLabelByteCheckKeepsLabelledLines() {
        var random = SeededRandom(seed: 0x6C61_626C)
        let labels = ["نشر في", "نُشر في", "نشر بتاريخ", "Published in", "PUBLISHED ON", "posted in", "published", "نشر", "نشرت"]
        let publicationLabels = ["نشر في", "نُشر في", "نشر بتاريخ", "نُشر بتاريخ", "نشر", "نُشر", "published in", "published on", "published", "posted in"]
        var lines = ShortLineRuleTests.generatedLines
        for _ in 0..<20_000 { lines.append(labels.randomElement(using: &random)! + [" ", "  ", "", "\u{0301} "].randomElement(using: &random)! + randomShortLine(&random)) }
        var labelled = 0
        for line in lines {
            let expected = publicationLabels.contains { line.lowercased().hasPrefix($0 + " ") }
            #expect(TextCleanerRules.startsWithPublicationLabel(line) == expected, "\(ExactText(line))")
            if expected { labelled += 1 }
            if !expected { #expect(TextCleanerRules.siteAfterPublicationLabel(line) == nil, "\(ExactText(line))") }
        }
        #expect(labelled > 5_000)
    }

    /// Lines the metadata filter rules out are no byline, no stamp, and not either for
    /// `BylineDetector`.
    @Test func metadataFilterRulesOutOnlyLinesNoRuleClaims() {
        var random = SeededRandom(seed: 0x6D65_7461)
        var lines = ShortLineRuleTests.generatedLines
        for _ in 0..<10_000 { lines.append(noisyRandomText(&random, maxLength: 30) + " ½ ٣ ①") }
        var ruledOut = 0
        var claimed = 0
        for line in lines {
            let claims = BylineDetector.isBylineOrDateline(line) || TextCleanerRules.bylineAuthor(line) != nil
                || TextCleanerRules.dateline(line) != nil
            if claims { claimed += 1 }
            guard !TextCleanerRules.mayBeBylineOrDateline(line) else { continue }
            ruledOut += 1
            #expect(!claims, "\(ExactText(line))")
        }
        #expect(ruledOut > 5_000 && claimed > 5_000)
    }
}
