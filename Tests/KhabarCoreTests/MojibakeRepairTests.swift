import Testing
@testable import KhabarCore

/// Examples made with Python: `text.encode('utf-8').decode('cp1256')` (or `'latin-1'`, or
/// windows-1252 with its five undefined bytes kept as C1 controls, as browsers do), and the same
/// applied twice.
@Suite struct MojibakeRepairTests {
    @Test(arguments: [
        // windows-1256
        ("ظ†طµ ط¹ط±ط¨ظٹ", "نص عربي"),
        ("ط§ظ„ط¹ط±ط¨ظٹط©", "العربية"),
        ("ظ‚ط§ظ„ ط§ظ„ط±ط¦ظٹط³ ط¥ظ† ط§ظ„ط§طھظپط§ظ‚ظٹط© ط³طھظڈظˆظ‚ظژظ‘ط¹ ظپظٹ ط§ظ„ظ‚ط§ظ‡ط±ط©.", "قال الرئيس إن الاتفاقية ستُوقَّع في القاهرة."),
        ("ظپظٹط±ظˆط³ ظƒظˆط±ظˆظ†ط§: ظ،ظ¢ ط\u{AD}ط§ظ„ط© ط¬ط¯ظٹط¯ط©", "فيروس كورونا: ١٢ حالة جديدة"),
        // Latin-1
        ("Ù\u{86}Øµ Ø¹Ø±Ø¨Ù\u{8A}", "نص عربي"),
        ("Ø§Ù\u{84}Ø¹Ø±Ø¨Ù\u{8A}Ø©", "العربية"),
        ("Ù\u{81}Ù\u{8A}Ø±Ù\u{88}Ø³ Ù\u{83}Ù\u{88}Ø±Ù\u{88}Ù\u{86}Ø§: Ù¡Ù¢ Ø\u{AD}Ø§Ù\u{84}Ø© Ø¬Ø¯Ù\u{8A}Ø¯Ø©", "فيروس كورونا: ١٢ حالة جديدة"),
        // windows-1252
        ("Ù†Øµ Ø¹Ø±Ø¨ÙŠ", "نص عربي"),
        ("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "العربية"),
        ("Ù‚Ø§Ù„ Ø§Ù„Ø±Ø¦ÙŠØ³ Ø¥Ù† Ø§Ù„Ø§ØªÙ\u{81}Ø§Ù‚ÙŠØ© Ø³ØªÙ\u{8F}ÙˆÙ‚ÙŽÙ‘Ø¹ Ù\u{81}ÙŠ Ø§Ù„Ù‚Ø§Ù‡Ø±Ø©.", "قال الرئيس إن الاتفاقية ستُوقَّع في القاهرة."),
        // Twice: windows-1252, then windows-1256.
        ("Ã™â€\u{A0}Ã˜Âµ Ã˜Â¹Ã˜Â±Ã˜Â¨Ã™Å\u{A0}", "نص عربي"),
        ("Ã˜Â§Ã™â€žÃ˜Â¹Ã˜Â±Ã˜Â¨Ã™Å\u{A0}Ã˜Â©", "العربية"),
        ("ط¸â€\u{A0}ط·آµ ط·آ¹ط·آ±ط·آ¨ط¸ظ¹", "نص عربي"),
        ("ط·آ§ط¸â€\u{200D}ط·آ¹ط·آ±ط·آ¨ط¸ظ¹ط·آ©", "العربية"),
        // One line, mojibake next to genuine text.
        ("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ© café", "العربية café"),
        ("خبر: ط§ظ„ط¹ط±ط¨ظٹط©", "خبر: العربية"),
        ("سطر سليم\nØ§Ù„Ø¹Ø±Ø¨ÙŠØ©\r\nBBC", "سطر سليم\nالعربية\r\nBBC"),
    ])
    func repairsArabicDecodedWithTheWrongCharset(mojibake: String, expected: String) {
        #expect(ExactText(MojibakeRepair.repair(mojibake)) == ExactText(expected))
        #expect(ExactText(ArabicNormalizer().normalize(mojibake)) == ExactText(ArabicNormalizer().normalize(expected)))
    }

    @Test(arguments: [
        "café «naïve» über Ångström", "Øst og Vest, Ærø", "Ã© est une séquence", "DÃ¼sseldorf", "ÙØ Ú Û",
        "قال: «نعم»، ثم غادر؟", "ع، ط؛ ظ؟", "ط، ط، ط،", "ص، ض، ط، ظ، ع، غ", "ظ» ط« ع¢", "±½ § © ®",
        "“Quoted” — ‘text’ … €5 ™", "€™ Œuvre", "العربية café", "naïve ظ†",
    ])
    func leavesCleanTextAlone(text: String) {
        #expect(ExactText(MojibakeRepair.repair(text)) == ExactText(text))
    }

    /// Random valid prose (Arabic, English, Latin-1 words, punctuation, symbols) is never
    /// "repaired".
    @Test func randomCleanTextIsNeverRepaired() {
        let letters = Array("ابتثجحخدذرزسشصضطظعغفقكلمنهوي" + "ءآأؤإئةى")
        let latin = ["café", "über", "Øresund", "Ã", "naïve", "BBC", "news", "Ærø", "ÙØ", "§2", "©", "±"]
        let punctuation = ["", "", "", "،", "؛", "؟", "«", "»", ".", ":", "!", "…", "—"]
        var random = SeededRandom(seed: 0x6D6F_6A69)
        for _ in 0..<3000 {
            var words: [String] = []
            for _ in 0..<Int.random(in: 1...10, using: &random) {
                if Int.random(in: 0..<4, using: &random) == 0 {
                    words.append(latin.randomElement(using: &random)!)
                } else {
                    let word = String((0..<Int.random(in: 1...7, using: &random)).map { _ in letters.randomElement(using: &random)! })
                    words.append(word + punctuation.randomElement(using: &random)!)
                }
            }
            let text = words.joined(separator: " ")
            #expect(ExactText(MojibakeRepair.repair(text)) == ExactText(text))
        }
    }

    @Test func theSignatureScanSkipsCleanArabic() {
        var clean = "قال الرئيس: «نعم»، ثم غادر. طالب ظريف عالم غريب"
        #expect(clean.withUTF8 { MojibakeRepair.mayContainMojibake($0) } == false)
        var broken = "ط§ظ„ط¹ط±ط¨ظٹط©"
        #expect(broken.withUTF8 { MojibakeRepair.mayContainMojibake($0) } == true)
        var latin = "Ø§Ù„"
        #expect(latin.withUTF8 { MojibakeRepair.mayContainMojibake($0) } == true)
    }
}
