import Testing
@testable import KhabarCore

/// `FoldingFastPath` against the reference it replaces: `NormalizingScanner` with the folding
/// tables, and the folding of `ArabicNormalizer` before the fast path (scanner, then the
/// mojibake re-check on the whole folded text).
@Suite struct FoldingFastPathTests {
    static let optionSets: [NormalizationOptions] = [
        .default,
        NormalizationOptions(removeDiacritics: false),
        NormalizationOptions(punctuation: .keep),
        NormalizationOptions(punctuation: .remove),
        NormalizationOptions(lowercase: false),
        NormalizationOptions(repairMojibake: false),
        NormalizationOptions(removeTatweel: false),
        NormalizationOptions(mapPresentationForms: false, removeDiacritics: false, lowercase: false),
        NormalizationOptions(
            foldAlef: false, foldAlefMaksura: false, foldTaaMarbuta: false, foldDigits: false,
            foldPersianLetters: false, punctuation: .keep, lowercase: false
        ),
    ]

    static let trickyInputs = [
        // Marks between spaces, lines of marks only, marks at line ends.
        "كَتَبَ الوَلَدُ", "قال \u{064E} \u{0651} ثم", "\u{064E}\u{0651}\nنص\n\u{0652}\u{064B}\nآخر",
        "نص \u{064E}\n \u{0651} \nتالٍ ", "\u{064E} \u{0650}", "ب\u{0654}\u{0651}",
        // Lam-alef, alef forms, maksura, taa marbuta, Persian letters, tatweel.
        "لا إله إلا الله", "\u{FEFB}\u{FEF7} \u{FDF2}", "أحمد إسلام آمن ٱلله ٲ ٳ على مدرسة", "کتاب ی ڪ", "العـــربية ـ قال",
        // Digits.
        "٢٠٢٤ ۱۴۰۳ 2025 ٣٫٥٪ ١٬٠٠٠",
        // Punctuation: Arabic, quotes, guillemets, dashes, ellipsis.
        "نعم، لا؛ لماذا؟", "«قال» “x” ‘y’ ‹z› „w‟", "a–b—c‐d−e―f", "انتظر… ثم…", "انتهى۔ ٭ ″ ′", "(قال) [نعم] {لا} a.b!",
        // Latin: capitals, accents, ß, İ, Greek, Cyrillic, a capital whose lowercase is longer.
        "BBC News ÉCOLE Ångström straße STRASSE", "\u{0130}STANBUL ẞ", "ΑΘΗΝΑ Москва", "\u{023A}\u{023E} x",
        "e\u{0301}cole \u{212B}", "ÀÉÎÕÜ àéîõü Ç",
        // Mojibake: Latin-1, windows-1256, doubled, and genuine text that looks close.
        "Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "ط§ظ„ط¹ط±ط¨ظٹط©", "Ã˜Â§Ã™â€žÃ˜Â¹", "ط·ع، ط· غ", "الشارع، ثم", "Øx Ãy ط· ظ¸",
        // CJK, emoji, other four-byte scalars, fullwidth forms.
        "北京 东京 ソウル", "😀 خبر 👍🏽 \u{1F1F8}\u{1F1E6}", "𝐀𝐁 𠀋", "Ａ＂ｂ＇－",
        // Spaces, line breaks, invisible characters, controls (folding text that was not normalized).
        "  a \u{00A0}\u{2009} b  \n\n\r\n c\t", "\u{200B}\u{200F}\n\u{2028}x\u{2029}\u{0085}y\u{000B}",
        "a\u{0001}b\u{007F}c\u{009F}", "\u{FEFF}نص\u{00AD}", "\u{3000}x\u{3000}", "   ", "\n\n", "",
        // Long lines (past the small-string size) and a long run of replacements.
        String(repeating: "المدرسةُ الأولى، ", count: 40), String(repeating: "ةىأ", count: 30),
    ]

    /// One option set's fast path, reference scanner tables and normalizer, built once.
    struct Comparison {
        let options: NormalizationOptions
        let fastPath: FoldingFastPath
        let referenceActions: ScalarActions
        let normalizer: ArabicNormalizer

        init(_ options: NormalizationOptions) {
            self.options = options
            fastPath = FoldingFastPath.shared(for: options)
            referenceActions = ScalarActions(options: options, folding: true)
            normalizer = ArabicNormalizer(options: options)
        }

        /// The folding of `display` as `ArabicNormalizer` did it before the fast path.
        func referenceFold(_ display: String) -> String {
            var folded = NormalizingScanner.run(display, actions: referenceActions)
            guard options.repairMojibake else { return folded }
            for _ in 0..<4 {
                let suspect = folded.utf8.withContiguousStorageIfAvailable(MojibakeRepair.mayContainMojibake) ?? true
                guard suspect else { break }
                let again = NormalizingScanner.run(normalizer.normalize(folded), actions: referenceActions)
                if again == folded { break }
                folded = again
            }
            return folded
        }

        /// Checks `text` and its display form both ways; true when the fast path handled the
        /// display form itself.
        @discardableResult
        func expectSameFolding(_ text: String) -> Bool {
            expectFastPathMatchesScanner(text)
            let display = normalizer.normalize(text)
            #expect(
                ExactText(normalizer.fold(display: display)) == ExactText(referenceFold(display)),
                "display: \(ExactText(display)), options: \(options)"
            )
            return expectFastPathMatchesScanner(display)
        }

        @discardableResult
        private func expectFastPathMatchesScanner(_ text: String) -> Bool {
            guard let fast = fastPath.fold(text) else { return false }
            let reference = NormalizingScanner.run(text, actions: referenceActions)
            #expect(ExactText(fast.text) == ExactText(reference), "input: \(ExactText(text)), options: \(options)")
            if fast.mojibakeRuledOut {
                var copy = fast.text
                let signature = copy.withUTF8(MojibakeRepair.mayContainMojibake)
                #expect(!signature, "input: \(ExactText(text))")
            }
            return true
        }
    }

    @Test(arguments: optionSets)
    func trickyTextFoldsAsTheScannerDoes(options: NormalizationOptions) {
        let comparison = Comparison(options)
        for input in Self.trickyInputs { comparison.expectSameFolding(input) }
    }

    /// Guards against a fast path that hands everything to the scanner (and so passes the
    /// comparisons above without being tested).
    @Test(arguments: [
        "كَتَبَ الوَلَدُ", "قال \u{064E} \u{0651} ثم", "\u{064E}\u{0651}\nنص\n\u{0652}\u{064B}\nآخر", "لا إله إلا الله",
        "٢٠٢٤ ۱۴۰۳", "نعم، «لا»؛ “x”… a–b", "BBC News ÉCOLE straße", "Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "ط§ظ„ط¹ط±ط¨ظٹط©",
        "北京 😀 𝐀", "  a \u{00A0} b \n\n c\t",
    ])
    func commonTextStaysOnTheFastPath(input: String) {
        #expect(FoldingFastPath.default.fold(input) != nil)
    }

    @Test(arguments: ["\u{0130}", "e\u{0301}", "\u{FEFB}", "ا\u{0654}"])
    func textNeedingMoreGoesToTheScanner(input: String) {
        #expect(FoldingFastPath.shared(for: NormalizationOptions(removeDiacritics: false)).fold(input) == nil)
    }

    /// Arabic letters, harakat, spaces, line breaks, punctuation and Latin, at random.
    static func randomNewsText(_ random: inout SeededRandom) -> String {
        let pool: [UInt32] = [
            0x0627, 0x0628, 0x062A, 0x0644, 0x0645, 0x0646, 0x0648, 0x064A, 0x0649, 0x0629, 0x0623, 0x0625,
            0x0622, 0x0671, 0x0639, 0x0637, 0x0638, 0x063A, 0x06A9, 0x06CC, 0x067E, 0x0640, 0x064B, 0x064E,
            0x064F, 0x0650, 0x0651, 0x0652, 0x0670, 0x0660, 0x0665, 0x06F4, 0x060C, 0x061B, 0x061F, 0x066A,
            0x066B, 0x20, 0x20, 0x20, 0x20, 0x0A, 0x0A, 0x0D, 0x09, 0xA0, 0x2009, 0xAB, 0xBB, 0x201C, 0x201D,
            0x2018, 0x2026, 0x2013, 0x2014, 0x200F, 0x2E, 0x2C, 0x3A, 0x28, 0x29, 0x22, 0x41, 0x42, 0x5A, 0x61,
            0x7A, 0x30, 0x39, 0xC9, 0xE9, 0xDF, 0xC3, 0xD8, 0xD9, 0xB7, 0x2030, 0x1F600,
        ]
        let length = Int.random(in: 0...80, using: &random)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length { scalars.append(Unicode.Scalar(pool.randomElement(using: &random)!)!) }
        return String(scalars)
    }

    @Test(arguments: optionSets)
    func randomTextFoldsAsTheScannerDoes(options: NormalizationOptions) {
        var random = SeededRandom(seed: 0x666F_6C64)
        let comparison = Comparison(options)
        var handledByFastPath = 0
        for round in 0..<1500 {
            let input = round.isMultiple(of: 3) ? noisyRandomText(&random) : Self.randomNewsText(&random)
            if comparison.expectSameFolding(input) { handledByFastPath += 1 }
        }
        // Kept harakat always go to the scanner; otherwise most text stays on the fast path.
        if options.removeDiacritics { #expect(handledByFastPath > 500) }
    }

    /// The word loop takes a word's first four scalars from its high bits at once; both halves
    /// of that against a byte-by-byte reading.
    @Test func wordLayoutsMatchAByteByByteReading() {
        var random = SeededRandom(seed: 0x6C61_796F)
        for _ in 0..<2000 {
            let word = random.next()
            var naiveHighBits = 0
            for byte in 0..<8 where word >> (8 * UInt64(byte) + 7) & 1 == 1 { naiveHighBits |= 1 << byte }
            #expect(FoldingFastPath.Layout.highBits(word) == naiveHighBits)
        }
        for highBits in 0..<256 {
            let layout = FoldingFastPath.Layout.make(highBits: highBits)
            var position = 0
            for scalar in 0..<4 {
                #expect(Int(layout >> (8 * UInt64(scalar)) & 0xFF) == 8 * position)
                position += highBits & (1 << position) == 0 ? 1 : 2
            }
            #expect(Int(layout >> 32) == position)
        }
    }

    /// Long lines of mostly Arabic letters and spaces (the word loop's text), at every alignment
    /// against the eight-byte words, with the occasional folded letter, dropped mark, wide
    /// scalar and doubled space.
    @Test(arguments: optionSets)
    func longArabicLinesFoldAsTheScannerDoes(options: NormalizationOptions) {
        var random = SeededRandom(seed: 0x6172_6162)
        let comparison = Comparison(options)
        let letters: [UInt32] = [0x0627, 0x0628, 0x062A, 0x0644, 0x0645, 0x0646, 0x0648, 0x064A, 0x0631, 0x0639]
        let rare: [UInt32] = [0x0629, 0x0623, 0x0649, 0x064E, 0x0651, 0x060C, 0x41, 0x2C, 0xA0, 0x2014, 0x1F600, 0x20, 0x0A]
        for round in 0..<300 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<(round % 8) { scalars.append("x") }
            for _ in 0..<Int.random(in: 20...200, using: &random) {
                let value: UInt32
                switch Int.random(in: 0..<100, using: &random) {
                case 0..<78: value = letters.randomElement(using: &random)!
                case 78..<94: value = 0x20
                default: value = rare.randomElement(using: &random)!
                }
                scalars.append(Unicode.Scalar(value)!)
            }
            comparison.expectSameFolding(String(scalars))
        }
    }
}
