import Testing
@testable import KhabarCore

@Suite struct ArabicFoldingTests {
    let folding = ArabicFolding()

    @Test(arguments: [
        // Diacritics: harakat, tanwin, shadda, sukun, superscript alef, hamza marks, Quranic marks.
        ("كَتَبَ", "كتب"), ("مُحَمَّدٌ", "محمد"), ("رَحْمَٰن", "رحمن"), ("شيئًا", "شيئا"), ("قُلْ", "قل"),
        ("قال\u{06D6} الله\u{0610}", "قال الله"), ("ب\u{06E1}\u{08F0}", "ب"), ("سِيِّدٍ", "سيد"),
        // Alef variants, alef maksura, taa marbuta.
        ("أحمد إسلام آمن ٱلله ٲ ٳ", "احمد اسلام امن الله ا ا"), ("على مستشفى", "علي مستشفي"), ("مدرسة", "مدرسه"),
        ("ا\u{0654}", "ا"), ("\u{FEF7}", "لا"),
        // Digits.
        ("٢٠٢٤ ۱۴۰۳", "2024 1403"), ("٣٫٥٪", "3.5%"), ("١٬٠٠٠", "1,000"),
        // Persian and Urdu letter variants.
        ("کتاب ی ڪ", "كتاب ي ك"),
        // Punctuation unified.
        ("نعم، لا؛ لماذا؟", "نعم, لا; لماذا?"), ("«قال»", "\"قال\""), ("“x” ‘y’ ‹z›", "\"x\" 'y' 'z'"),
        ("a–b—c‐d−e", "a-b-c-d-e"), ("انتظر…", "انتظر..."), ("انتهى۔", "انتهي."),
        // Lower-cased letters.
        ("BBC News", "bbc news"), ("ÉCOLE Ångström", "école ångström"), ("ΑΘΗΝΑ", "αθηνα"), ("\u{0130}", "i\u{0307}"),
        // Display rules apply first.
        ("  العـــربية\u{00A0}\u{200F}\r\n\r\nنص  ", "العربيه\nنص"), ("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "العربيه"),
    ])
    func defaultProfile(input: String, expected: String) {
        #expect(ExactText(folding.fold(input)) == ExactText(expected))
    }

    @Test(arguments: [
        (NormalizationOptions(punctuation: .remove), "نعم، لا (قال) «x» a.b", "نعم لا قال x a b"),
        (NormalizationOptions(punctuation: .remove), "؟!", ""),
        (NormalizationOptions(punctuation: .keep), "نعم، «لا»؟", "نعم، «لا»؟"),
        (NormalizationOptions(removeDiacritics: false), "كَتَبَ", "كَتَبَ"),
        (NormalizationOptions(removeDiacritics: false), "أَ", "اَ"),
        (NormalizationOptions(foldAlef: false), "أحمد إ", "أحمد إ"),
        (NormalizationOptions(foldAlefMaksura: false), "على", "على"),
        (NormalizationOptions(foldTaaMarbuta: false), "مدرسة", "مدرسة"),
        (NormalizationOptions(foldDigits: false), "٢٠٢٤", "٢٠٢٤"),
        (NormalizationOptions(foldPersianLetters: false), "کتاب ی", "کتاب ی"),
        (NormalizationOptions(lowercase: false), "BBC Ö", "BBC Ö"),
    ])
    func configurableRules(options: NormalizationOptions, input: String, expected: String) {
        #expect(ExactText(ArabicFolding(options: options).fold(input)) == ExactText(expected))
    }

    @Test func staticFoldUsesTheDefaults() {
        #expect(ExactText(ArabicFolding.fold("إِنَّ المُدرّسةَ «الأولى» ٢٠٢٤؟")) == ExactText("ان المدرسه \"الاولي\" 2024?"))
    }

    @Test func normalizeAndFoldGivesBothForms() {
        let forms = ArabicNormalizer().normalizeAndFold("  المُدرّسةُ\u{00A0}الأولى ")
        #expect(ExactText(forms.display) == ExactText("المُدرّسةُ الأولى"))
        #expect(ExactText(forms.folded) == ExactText("المدرسه الاولي"))
    }

    @Test(arguments: ArabicNormalizerTests.idempotenceInputs)
    func foldingTwiceChangesNothing(input: String) {
        let once = folding.fold(input)
        #expect(ExactText(folding.fold(once)) == ExactText(once))
    }

    @Test(arguments: NormalizationOptions.Punctuation.allCases)
    func randomTextFoldsIdempotentlyAndAgreesWithTheDisplayForm(punctuation: NormalizationOptions.Punctuation) {
        let folding = ArabicFolding(options: NormalizationOptions(punctuation: punctuation))
        let normalizer = ArabicNormalizer(options: NormalizationOptions(punctuation: punctuation))
        var random = SeededRandom(seed: 0x666F_6C64 &+ UInt64(punctuation.rawValue.utf8.first!))
        for _ in 0..<2000 {
            let input = noisyRandomText(&random)
            let once = folding.fold(input)
            #expect(ExactText(folding.fold(once)) == ExactText(once), "input: \(ExactText(input))")
            #expect(ExactText(folding.fold(normalizer.normalize(input))) == ExactText(once), "input: \(ExactText(input))")
            #expect(!once.unicodeScalars.contains { ArabicCharacters.isArabicMark($0.value) || [0x0623, 0x0625, 0x0622, 0x0649, 0x0629, 0x0660].contains($0.value) })
        }
    }
}
