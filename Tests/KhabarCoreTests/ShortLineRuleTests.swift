import Foundation
import Testing
@testable import KhabarCore

/// Short lines of the kinds the metadata rules look at: bylines, date stamps, captions,
/// headlines with numbers, in both digit scripts, with punctuation, odd capitals and the odd
/// scalar that is not plain (a mark, a no-break space, a decomposed hamza).
func randomShortLine(_ random: inout SeededRandom) -> String {
    let words = [
        "بقلم", "بقلم:", "بواسطة", "كتب", "كتب:", "كتبت -", "By", "by", "Written by", "Updated", "UPDATED", "Last updated:",
        "نشر في", "نُشر في", "آخر تحديث:", "تاريخ النشر", "التاريخ", "date:", "Posted on", "محمد", "علي", "الوطن",
        "يوم", "الساعة", "الثلاثاء،", "الثلاثاء", "الخميس", "نوفمبر", "يونيو", "يونيه", "حزيران", "تشرين", "الأول",
        "الاول", "أبريل", "ابريل", "إبريل", "آذار", "اذار", "أيار", "مساءً", "صباحا", "ص", "م", "م.", "هـ", "هـــ",
        "June", "JUNE", "Sept", "pm", "PM", "GMT", "at", "في", "on", "|", "-", "/", "·", "•", "–", "—", "«", "»",
        "(EPA)", "(رويترز)", "(أ ف ب)", "Reuters/John", "Smith", "بوتين", "وكيم", "بيونغ", "يانغ", "قال", "الرئيس",
        "مقتل", "أشخاص", "غزة", "اتفاقية", "2024", "20", "06", "19", "02:31", "14:49", "2024-06-19", "20/6/2024",
        "٢٠", "٢٠٢٤", "١٩/٦/٢٠٢٤", "۲۰۲۴", "10:00", "(20)", "3.", ":", ".", "(", ")", ",", "،", "...", "…", "“", "”",
        "a", "B", "xyz", "ـ", "x\u{0301}", "\u{064E}", "ا\u{0654}", "\u{00A0}", "\u{200F}", "Ü", "İ", "ß", "🙂",
    ]
    let separators = [" ", " ", " ", " ", "  ", "\t", "\n", ",", "، ", " - ", "\u{00A0}", "\u{2009}", ""]
    var line = Int.random(in: 0..<6, using: &random) == 0 ? separators.randomElement(using: &random)! : ""
    for index in 0..<Int.random(in: 0...16, using: &random) {
        if index > 0 { line += separators.randomElement(using: &random)! }
        line += words.randomElement(using: &random)!
    }
    if Int.random(in: 0..<8, using: &random) == 0 { line += separators.randomElement(using: &random)! }
    return line
}

/// Realistic lines, and each in decomposed and composed form.
let realisticShortLines: [String] = {
    let lines = [
        "بقلم: محمد علي", "نشر في الوطن يوم 20 - 06 - 2024", "الثلاثاء، 19 نوفمبر 2024 02:31 م",
        "بوتين وكيم في بيونغ يانغ (EPA)", "Reuters/John Smith", "١٩/٦/٢٠٢٤ - ١٤:٤٩", "۲۰ يونيو ۲۰۲۴",
        "نيسان ـ نشر في 2024-06-19 الساعة 14:49", "آخر تحديث: 2024-06-20 10:00", "Updated 3 June 2024",
        "20-06-2024, 05:00", "الخميس، 20 يونيو 2024", "٢٠/٦/٢٠٢٤", "مقتل 5 أشخاص في غزة", "Mon, 3 Jun 2024 | 10:00 GMT",
        "الساعة 10:00 صباحاً", "الأحد 1 كانون الثاني 2023", "« 20 يونيو 2024 »", "20 يونيو 2024 …", "2024",
        "JUNE 3, 2024 AT 5 PM", "3 يونيو، 2024 – 10:00 م.", "(2024)", "هـ 1445", "كتب: أحمد 20 يونيو",
    ]
    return lines + lines.map(\.decomposedStringWithCanonicalMapping) + lines.map(\.precomposedStringWithCanonicalMapping)
}()

@Suite struct ShortLineRuleTests {
    /// `BylineDetector.isBylineOrDateline` as it was before the byte scan of bare dates.
    static func referenceIsBylineOrDateline(_ line: String) -> Bool {
        let mayHaveLabel = BylineDetector.anyLabel.mayStart(line)
        if !mayHaveLabel {
            guard referenceContainsDigit(line), referenceASCIISeparatedWords(line) <= 12 else { return false }
        }
        let text = MetadataText.collapsedString(line)
        guard !text.isEmpty, text.utf8.count <= 120 || text.count <= 120 else { return false }
        let words = MetadataText.wordCount(text)
        if mayHaveLabel {
            if let rest = referenceRemainder(of: text, afterAnyOf: BylineDetector.strongBylinePrefixes) {
                return !rest.isEmpty && MetadataText.wordCount(rest) <= 10
            }
            if let rest = referenceRemainder(of: text, afterAnyOf: BylineDetector.weakBylinePrefixes, requirePunctuation: true) {
                return !rest.isEmpty && MetadataText.wordCount(rest) <= 10
            }
            if let rest = referenceRemainder(of: text, afterAnyOf: BylineDetector.dateLabels) {
                return referenceContainsDigit(rest) && words <= 14
            }
        }
        return words <= 12 && BylineDetector.isMostlyDateOnCharacters(text)
    }

    /// `BylineDetector.remainder` without its byte pre-checks and plain-line path.
    static func referenceRemainder(of text: String, afterAnyOf labels: LabelSet, requirePunctuation: Bool = false) -> String? {
        BylineDetector.remainderOnCharacters(of: text, afterAnyOf: labels, requirePunctuation: requirePunctuation)
    }

    static func referenceASCIISeparatedWords(_ text: String) -> Int {
        text.utf8.split(whereSeparator: { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }).count
    }

    static func referenceContainsDigit(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { (0x30...0x39).contains($0.value) || (0x660...0x669).contains($0.value) || (0x6F0...0x6F9).contains($0.value) }
    }

    static var generatedLines: [String] {
        var random = SeededRandom(seed: 0x5107_71E5)
        var lines = realisticShortLines
        for _ in 0..<30_000 { lines.append(randomShortLine(&random)) }
        for _ in 0..<5_000 { lines.append(noisyRandomText(&random, maxLength: 40)) }
        return lines
    }

    @Test func plainDateScanAgreesWithTheCharacterTest() {
        var plain = 0
        for line in Self.generatedLines {
            #expect(BylineDetector.isMostlyDate(line) == BylineDetector.isMostlyDateOnCharacters(line), "\(ExactText(line))")
            if PlainDateScan(line, collapsing: false) != nil { plain += 1 }
        }
        // The byte path must actually be taken, and its fallback too.
        #expect(plain > 4_000 && plain < 30_000)
    }

    @Test func labelPrefixCheckRulesOutOnlyLinesWithoutALabel() {
        var ruledOut = 0
        for line in Self.generatedLines {
            for text in [line, MetadataText.collapsedString(line)] {
                for (labels, punctuated) in [
                    (BylineDetector.strongBylinePrefixes, false), (BylineDetector.weakBylinePrefixes, true),
                    (BylineDetector.dateLabels, false), (BylineDetector.updateLabels, false),
                ] {
                    let expected = Self.referenceRemainder(of: text, afterAnyOf: labels, requirePunctuation: punctuated).map(ExactText.init)
                    let found = BylineDetector.remainder(of: text, afterAnyOf: labels, requirePunctuation: punctuated).map(ExactText.init)
                    #expect(found == expected, "\(ExactText(text))")
                    if !labels.mayPrefix(text) { ruledOut += 1 }
                }
            }
        }
        #expect(ruledOut > 100_000)
    }

    /// A label ending in a letter that has a decomposed spelling: the line's bytes match up to
    /// that letter, and the mark after it makes the `Character`s equal.
    @Test func labelPrefixCheckLooksPastTheLabel() {
        let labels = LabelSet(["بدأ", "by"])
        for text in ["بدا\u{0654} العمل", "بدا\u{0654}", "بدأ العمل", "by\u{0301}"] {
            let expected = Self.referenceRemainder(of: text, afterAnyOf: labels).map(ExactText.init)
            #expect(BylineDetector.remainder(of: text, afterAnyOf: labels).map(ExactText.init) == expected, "\(ExactText(text))")
        }
    }

    @Test func bylineOrDatelineIsUnchanged() {
        var bareDates = 0
        for line in Self.generatedLines {
            let expected = Self.referenceIsBylineOrDateline(line)
            #expect(BylineDetector.isBylineOrDateline(line) == expected, "\(ExactText(line))")
            if expected && !BylineDetector.anyLabel.mayStart(line) { bareDates += 1 }
        }
        #expect(bareDates > 1_000)
    }

    @Test func plainCaptionScanAgreesWithTheCharacterTest() {
        var random = SeededRandom(seed: 0xCA97_1011)
        let credits = [
            "(EPA)", "(رويترز)", "(أ ف ب)", "(أ ف ب)", "(عبر رويترز)", "(Reuters/John Smith)", "(AP Photo/Jane Doe)", "(صورة أرشيفية)",
            "(2024)", "(فيديو)", "(photo: EPA)", "(Getty Images)", "(الأناضول)", "(د ب أ)", "(تصوير: محمد علي - رويترز)", "()",
            "(Sputnik) (EPA)", "(epa.)", "(x\u{0301})", "(EPA\u{00A0})", "(رويترز)\u{0301}", "((EPA))", "(EPA) ",
        ]
        var lines = realisticShortLines
        for line in Self.generatedLines.prefix(20_000) {
            lines.append(line + " " + credits.randomElement(using: &random)!)
            lines.append(line + credits.randomElement(using: &random)! + " " + credits.randomElement(using: &random)!)
            lines.append(MetadataText.collapsedString(line) + ". " + randomShortLine(&random) + " " + credits.randomElement(using: &random)!)
        }
        var plain = 0
        var captions = 0
        for line in lines where line.utf8.last == UInt8(ascii: ")") {
            let expected = TextCleanerRules.isCaptionOnCharacters(line)
            if let found = TextCleanerRules.isCaptionOfPlainScalars(line) {
                #expect(found == expected, "\(ExactText(line))")
                plain += 1
            }
            if expected { captions += 1 }
        }
        #expect(plain > 5_000 && captions > 5_000)
    }
}
