import Foundation
import Testing
@testable import KhabarCore

/// Compares text scalar by scalar: `String ==` is canonical equivalence, so it cannot see
/// whether normalization composed or reordered anything.
struct ExactText: Equatable, CustomStringConvertible {
    let text: String
    init(_ text: String) { self.text = text }

    static func == (lhs: ExactText, rhs: ExactText) -> Bool { lhs.text.utf8.elementsEqual(rhs.text.utf8) }

    var description: String {
        "\(text.debugDescription) [" + text.unicodeScalars.map { String($0.value, radix: 16, uppercase: true) }
            .joined(separator: " ") + "]"
    }
}

/// Random text full of what the normalizer handles: letters, marks in any order, composable
/// hamza, tatweel, presentation forms, every space and line break kind, invisible characters,
/// controls, punctuation, Latin with accents, digits, emoji.
func noisyRandomText(_ random: inout SeededRandom, maxLength: Int = 60) -> String {
    let pool: [UInt32] = [
        0x0627, 0x0628, 0x062A, 0x0644, 0x0645, 0x0646, 0x0648, 0x064A, 0x0649, 0x0629, 0x0623, 0x0625,
        0x0622, 0x0671, 0x0624, 0x0626, 0x06A9, 0x06CC, 0x06D5, 0x06C1, 0x06D2, 0x0640, 0x064B, 0x064E,
        0x064F, 0x0650, 0x0651, 0x0652, 0x0653, 0x0654, 0x0655, 0x0670, 0x06D6, 0x0610, 0xFEFB, 0xFEF7,
        0xFDF2, 0xFE91, 0xFE70, 0xFE7D, 0x0660, 0x0669, 0x06F4, 0x060C, 0x061B, 0x061F, 0x066B, 0x20,
        0x20, 0x20, 0xA0, 0x2009, 0x3000, 0x2003, 0x09, 0x0A, 0x0D, 0x2028, 0x2029, 0x85, 0x0B, 0x200B,
        0x200C, 0x200D, 0x200E, 0x200F, 0x202B, 0x202C, 0x2067, 0x2069, 0xFEFF, 0xAD, 0x01, 0x1B, 0x7F,
        0x9F, 0x41, 0x5A, 0x61, 0x7A, 0x30, 0x39, 0x2C, 0x2E, 0x3F, 0x22, 0x28, 0xE9, 0xC9, 0xFC, 0xAB,
        0xBB, 0xD8, 0xC3, 0x65, 0x0301, 0x0308, 0x2026, 0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x1F600,
        0x0130, 0x212B, 0x1E9E, 0x0637, 0x0638, 0x0639, 0x063A, 0xA7, 0x201E,
    ]
    let length = Int.random(in: 0...maxLength, using: &random)
    var scalars = String.UnicodeScalarView()
    for _ in 0..<length {
        scalars.append(Unicode.Scalar(pool.randomElement(using: &random)!)!)
    }
    return String(scalars)
}

@Suite struct ArabicNormalizerTests {
    let normalizer = ArabicNormalizer()

    @Test(arguments: [
        // NFC: the Arabic compositions and canonical order of harakat.
        ("ا\u{0654}", "أ"), ("ا\u{0655}", "إ"), ("ا\u{0653}", "آ"), ("و\u{0654}", "ؤ"), ("ي\u{0654}", "ئ"),
        ("ه\u{0654}", "ه\u{0654}"), ("ە\u{0654}", "ۀ"), ("ے\u{0654}", "ۓ"),
        ("م\u{0651}\u{064E}", "م\u{064E}\u{0651}"), ("ا\u{064E}\u{0654}", "أ\u{064E}"),
        ("ا\u{0654}\u{064E}", "أ\u{064E}"), ("أ\u{0655}", "إ\u{0654}"), ("ا\u{200D}\u{0654}", "أ"),
        ("\u{064E}\u{0651} بدء", "\u{064E}\u{0651} بدء"), ("ب\u{0652}\u{064B}\u{0651}", "ب\u{064B}\u{0651}\u{0652}"),
        // NFC elsewhere, through Foundation.
        ("e\u{0301}cole", "école"), ("\u{212B}ngstr\u{00F6}m", "Ångström"), ("a\u{0308}\u{0301}", "ä\u{0301}"),
        // Presentation forms.
        ("\u{FEFB}", "لا"), ("\u{FEF7}", "لأ"), ("\u{FDF2}", "الله"), ("\u{FE91}\u{FEB4}\u{FEE2}", "بسم"),
        ("\u{FE8D}\u{FEDF}\u{FEE8}\u{FEBC}", "النص"), ("ب\u{FE7D}", "ب\u{0651}"),
        // Tatweel.
        ("العـــربية", "العربية"), ("ـــ", "ـ"),  // a run of tatweel alone: the first stands as a dash
        ("نيسان ـ قال", "نيسان ـ قال"),  // a dash between words stays
        ("كـتـب ـــ", "كتب ـ"),
        // Zero-width, bidi, soft hyphen, BOM.
        ("a\u{200B}b", "ab"), ("\u{200F}نص\u{200E}", "نص"), ("\u{202B}x\u{202C}", "x"), ("\u{2067}y\u{2069}", "y"),
        ("\u{FEFF}z", "z"), ("co\u{00AD}op", "coop"), ("ن\u{200C}ص\u{200D}", "نص"), ("\u{061C}١", "١"),
        // Spaces.
        ("a\u{00A0}b", "a b"), ("a\u{2009}b", "a b"), ("a\u{3000}b", "a b"), ("a\u{2003}\u{2002}b", "a b"),
        ("a\u{202F}b", "a b"), ("a \t  b", "a b"), ("  a  ", "a"), ("a\u{205F}\u{1680}b", "a b"),
        // Line breaks, trimming, blank lines.
        ("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\u{2028}b", "a\nb"), ("a\u{2029}b", "a\nb"), ("a\u{0085}b", "a\nb"),
        ("a\u{000B}b\u{000C}c", "a\nb\nc"), ("  a  \n  b  ", "a\nb"), ("a\n\n\n b", "a\nb"),
        ("\n\na\n\n", "a"), ("a \u{00A0}\n\u{3000} \nb", "a\nb"), ("   ", ""), ("", ""),
        // Controls.
        ("a\u{0001}b", "ab"), ("a\u{009F}b", "ab"), ("a\u{007F}b", "ab"), ("a\u{0000}b", "ab"), ("a\tb", "a b"),
        // Orthography kept.
        ("إِنَّ ٢٠٢٤ أ آ ى ة ٱ ک ی", "إِنَّ ٢٠٢٤ أ آ ى ة ٱ ک ی"), ("قال: «نعم»، ثم غادر؟", "قال: «نعم»، ثم غادر؟"),
        ("BBC News – “quoted”…", "BBC News – “quoted”…"), ("😀 café", "😀 café"),
    ])
    func displayRules(input: String, expected: String) {
        #expect(ExactText(normalizer.normalize(input)) == ExactText(expected))
    }

    @Test(arguments: [
        (NormalizationOptions(removeTatweel: false), "عـــربي", "عـــربي"),
        (NormalizationOptions(mapPresentationForms: false), "\u{FEFB} \u{FDF2}", "\u{FEFB} \u{FDF2}"),
        (NormalizationOptions(repairMojibake: false), "Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©"),
        (NormalizationOptions(), "Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "العربية"),
    ])
    func displayOptions(options: NormalizationOptions, input: String, expected: String) {
        #expect(ExactText(ArabicNormalizer(options: options).normalize(input)) == ExactText(expected))
    }

    static let idempotenceInputs = [
        "  قال الرئيس:\u{00A0}«نعم»\r\n\r\n\tثم غادر\u{200F}  ", "ا\u{0654}\u{064E} م\u{0651}\u{064E}", "\u{FEF7}\u{FE7D}",
        "e\u{0301}\u{0308}", "\u{212B} Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "ط§ظ„ط¹ط±ط¨ظٹط©", "…“x”", "\u{0130}STANBUL ẞ",
    ]

    @Test(arguments: idempotenceInputs)
    func normalizingTwiceChangesNothing(input: String) {
        let once = normalizer.normalize(input)
        #expect(ExactText(normalizer.normalize(once)) == ExactText(once))
    }

    @Test func randomTextIsNormalizedIdempotentlyIntoNFCLines() {
        var random = SeededRandom(seed: 0x6E6F_726D)
        for _ in 0..<3000 {
            let input = noisyRandomText(&random)
            let once = normalizer.normalize(input)
            #expect(ExactText(normalizer.normalize(once)) == ExactText(once), "input: \(ExactText(input))")
            #expect(ExactText(once.precomposedStringWithCanonicalMapping) == ExactText(once), "input: \(ExactText(input))")
            for line in once.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) where !once.isEmpty {
                #expect(!line.isEmpty && line.first != 0x20 && line.last != 0x20, "input: \(ExactText(input))")
                #expect(!zip(line, line.dropFirst()).contains { $0 == 0x20 && $1 == 0x20 }, "input: \(ExactText(input))")
            }
            #expect(!once.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) })
            #expect(!once.unicodeScalars.contains { [0x200B, 0x200F, 0x202B, 0xFEFF, 0xAD, 0xA0].contains($0.value) })
            // Tatweel survives only as a dash: at the start of a line or after a space.
            let scalars = Array(once.unicodeScalars)
            for (position, scalar) in scalars.enumerated() where scalar.value == 0x0640 && position > 0 {
                #expect(scalars[position - 1] == " " || scalars[position - 1] == "\n", "input: \(ExactText(input))")
            }
        }
    }

    /// Prose of real Arabic words (with harakat, hamza forms, punctuation, digits) and Latin
    /// words with accents, spread over lines by any whitespace: only the whitespace changes.
    @Test func cleanProseComesOutUnchangedExceptWhitespace() {
        let words = [
            "قال", "الرئيس", "إنّ", "الاتفاقيةَ", "ستُوقَّع", "في", "القاهرة،", "يومَ", "٢٠٢٤", "آلاف", "مؤتمر",
            "رئيسٌ", "شيئًا", "مسؤول؛", "لماذا؟", "«نعم»", "على", "مدرسة", "ٱلله", "café", "naïve", "über",
            "Ångström", "BBC", "2024", "(أ.ف.ب)", "—", "ط،", "ع؛", "ظ»", "Øst", "Ã©", "ک", "ی", "ہ", "ۀ",
        ]
        let spaces = [" ", "  ", "\u{00A0}", "\t", " \u{2009}"]
        let breaks = ["\n", "\r\n", "\n\n", " \n ", "\u{2029}"]
        for word in words { #expect(ExactText(word.precomposedStringWithCanonicalMapping) == ExactText(word)) }
        var random = SeededRandom(seed: 0x7072_6F73)
        for _ in 0..<500 {
            var expectedLines: [String] = []
            var input = String(repeating: " ", count: Int.random(in: 0...2, using: &random))
            for lineIndex in 0..<Int.random(in: 1...4, using: &random) {
                let line = (0..<Int.random(in: 1...12, using: &random)).map { _ in words.randomElement(using: &random)! }
                expectedLines.append(line.joined(separator: " "))
                if lineIndex > 0 { input += breaks.randomElement(using: &random)! }
                input += line.map { $0 }.reduce("") { partial, word in
                    partial.isEmpty ? word : partial + spaces.randomElement(using: &random)! + word
                }
            }
            let expected = expectedLines.joined(separator: "\n")
            #expect(ExactText(normalizer.normalize(input)) == ExactText(expected))
        }
    }

    @Test func oneNormalizerServesConcurrentTasks() async {
        let normalizer = self.normalizer
        let input = "العـــربية\u{00A0}\u{00A0}ا\u{0654}\r\nØ§Ù„Ø¹Ø±Ø¨ÙŠØ©"
        let results = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { normalizer.normalize(input) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { ExactText($0) == ExactText("العربية أ\nالعربية") })
    }

    @Test func optionsDecodeWithDefaultsForMissingKeys() throws {
        let partial = try JSONDecoder().decode(
            NormalizationOptions.self, from: Data(#"{"punctuation": "remove", "foldAlef": false}"#.utf8))
        var expected = NormalizationOptions.default
        expected.punctuation = .remove
        expected.foldAlef = false
        #expect(partial == expected)
        #expect(try JSONDecoder().decode(NormalizationOptions.self, from: Data("{}".utf8)) == .default)
        let roundTrip = try JSONDecoder().decode(NormalizationOptions.self, from: JSONEncoder().encode(expected))
        #expect(roundTrip == expected)
    }
}

@Suite struct ExtractorNormalizationTests {
    @Test func extractedTextAndTitleAreInDisplayForm() throws {
        let paragraph = "قالت الوزارة في بيان رسمي إن الاجتماعـــات\u{00A0}\u{00A0}ستستمر حتى نهاية الأسبوع المقبل\u{200F} في العاصمة، وإن الوفود ستناقش ملفات التعاون الاقتصادي والأمني بين البلدين."
        let html = """
            <html><head><title>العنـــوان\u{200B} الرئيسي للخبر</title></head><body><article>
            <h1>العنـــوان\u{200B} الرئيسي للخبر</h1><p>\(paragraph)</p><p>\(paragraph)</p><p>\(paragraph)</p>
            </article></body></html>
            """
        let article = try ArticleExtractor().extract(html: Array(html.utf8)).get()
        let normalizer = ArabicNormalizer()
        #expect(article.title.map(ExactText.init) == ExactText("العنوان الرئيسي للخبر"))
        #expect(ExactText(article.text) == ExactText(normalizer.normalize(article.text)))
        #expect(article.text.contains("الاجتماعات ستستمر"))
        #expect(!article.text.unicodeScalars.contains { $0.value == 0x200F || $0.value == 0xA0 || $0.value == 0x0640 })
    }
}
