import Testing
@testable import KhabarCore

/// The cleaner's single pass must give what the separate functions it replaces give (lines,
/// facts, comparison keys), and its filters must never rule out a line that the rule they
/// stand for would claim.
@Suite struct TextCleanerLineScannerTests {
    /// Lines the rules claim, with noise: the filters must let each of them through.
    static let claimedLines = [
        "اتصل بنا | من نحن | سياسة الخصوصية", "الرئيسية  أخبار  رياضة  اقتصاد", "شارك عبر: فيسبوك تويتر واتساب",
        "اشترك الآن في النشرة البريدية لتصلك آخر الأخبار مجانا", "حمل تطبيق الموقع على هاتفك وتابعنا على تيليجرام",
        "انقر هنا لقراءة الخبر من مصدره", "© 2024 جميع الحقوق محفوظة", "اقرأ أيضا: وزير الخارجية يصل إلى القاهرة",
        "أخبار ذات صلة", "للمزيد تابعنا | Getty Images | AFP via Getty", "photo: Reuters/John Smith",
        "يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك، وبالاستمرار فإنك توافق على سياسة الخصوصية",
        "Subscribe to our newsletter | Privacy Policy | Terms of Use", "«» — … | ×", "مقالات ذات صلة، ولقراءة المقال كاملا",
        "تـابـعـونا على فيسبوك", "اضغط هنا", "عاجل  ·  المزيد  ·  ©2024", "related: more stories", "الكلمات المفتاحية: روسيا، كوريا",
    ]

    static let prose = [
        "قال الرئيس الروسي فلاديمير بوتين، اليوم الأربعاء، إن المعاهدة الجديدة تنص على المساعدة المتبادلة في حال تعرض أي من البلدين للعدوان.",
        "وأضافت أن كوريا الشمالية تقف بثبات إلى جانب روسيا فيما وصفته بالحرب المقدسة، معربةً عن ثقتها في انتصار روسيا.",
    ]

    static func documents() -> [String] {
        var random = SeededRandom(seed: 0x7363_616E)
        let breaks = ["\n", "\r\n", "\r", "\u{2028}", "\u{85}", "\n\n", "\u{0B}", "\u{0C}", "\n  \n"]
        var documents: [String] = []
        for _ in 0..<150 {
            var lines = TextCleanerLinesTests.randomLines(count: Int.random(in: 1...8, using: &random), seed: random.next())
            lines += (0..<3).map { _ in (claimedLines + prose).randomElement(using: &random)! }
            lines.shuffle(using: &random)
            documents.append(lines.map { $0 + breaks.randomElement(using: &random)! }.joined())
        }
        documents += [claimedLines.joined(separator: "\n"), prose.joined(separator: "\r\n"), "", "\n\n", "   ", "x"]
        return documents
    }

    struct ScannedLine {
        var raw: String
        var line: TextCleanerLineScanner.Line
        var key: [UInt8]
    }

    static func scan(_ document: String, options: NormalizationOptions = .default) -> [ScannedLine] {
        var document = document
        return document.withUTF8 { bytes in
            var scanner = TextCleanerLineScanner(bytes, tables: .shared(for: options), writesFold: true)
            var lines: [ScannedLine] = []
            while let line = scanner.nextLine() {
                let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[line.range]), as: UTF8.self)
                lines.append(ScannedLine(raw: raw, line: line, key: Array(scanner.key(of: line.key))))
            }
            return lines
        }
    }

    @Test func linesFactsAndKeysAreThoseOfTheSeparateFunctions() {
        for document in Self.documents() {
            var copy = document
            let expected: [(raw: String, scan: TextCleanerLines.Scan)] = copy.withUTF8 { bytes in
                TextCleanerLines.lineRanges(bytes).compactMap { range in
                    let line = UnsafeBufferPointer(rebasing: bytes[range])
                    let scan = TextCleanerLines.scan(line)
                    return scan.words == 0 ? nil : (String(decoding: line, as: UTF8.self), scan)
                }
            }
            let scanned = Self.scan(document)
            #expect(scanned.map { ExactText($0.raw) } == expected.map { ExactText($0.raw) })
            for (line, (_, scan)) in zip(scanned, expected) {
                #expect(line.line.scan == scan, "\(ExactText(line.raw))")
                let key = BoilerplateLexicon.comparisonKeyBytes(TextFolding.collapseWhitespace(line.raw))
                #expect(line.key == key, "\(ExactText(line.raw))")
                #expect(line.line.keyWords == key.withUnsafeBufferPointer(BoilerplateLexicon.keyWords))
            }
        }
    }

    /// Keys longer than their text (İ lower-cases to two scalars, three bytes) outgrow the
    /// buffer sized for the document: it must grow, keeping the keys of earlier lines.
    @Test func keysLongerThanTheirTextGrowTheBuffer() {
        let document = "سطر أول قصير\n" + String(repeating: "İİ ", count: 5_000) + "\n" + String(repeating: "İ", count: 3_000) + "\nآخر سطر"
        let scanned = Self.scan(document)
        #expect(scanned.count == 4)
        for line in scanned {
            #expect(line.key == BoilerplateLexicon.comparisonKeyBytes(TextFolding.collapseWhitespace(line.raw)))
        }
    }

    @Test func filtersNeverRuleOutALineTheRuleWouldClaim() {
        var claimed = (promotion: 0, contained: 0, navigation: 0)
        for options in [NormalizationOptions.default, NormalizationOptions(repairMojibake: false, removeTatweel: false)] {
            for document in Self.documents() {
                for scanned in Self.scan(document, options: options) {
                    let line = scanned.line
                    let containsPhrase = scanned.key.withUnsafeBufferPointer(BoilerplateLexicon.containsContainedPhrase(keyBytes:))
                    if containsPhrase { claimed.contained += 1 }
                    #expect(line.mayHoldContainedPhrase || !containsPhrase, "\(ExactText(scanned.raw))")
                    let promotion = scanned.key.withUnsafeBufferPointer(TextCleanerRules.isPromotion(keyBytes:))
                    if promotion { claimed.promotion += 1 }
                    #expect(line.mayBePromotion || !promotion, "\(ExactText(scanned.raw))")
                    var raw = scanned.raw
                    let navigation = raw.withUTF8 { TextCleanerRules.isNavigation(rawBytes: $0) }
                    if navigation { claimed.navigation += 1 }
                    #expect(line.mayHoldFurnitureItem || containsPhrase || !navigation, "\(ExactText(scanned.raw))")
                    if line.containsLetter { #expect(TextCleanerText.containsLetter(scanned.raw), "\(ExactText(scanned.raw))") }
                    if line.isDisplayForm {
                        let collapsed = TextFolding.collapseWhitespace(scanned.raw)
                        #expect(ExactText(ArabicNormalizer(options: options).normalize(collapsed)) == ExactText(collapsed))
                    }
                }
            }
        }
        // The claimed lines are there: the checks above were not vacuous.
        #expect(claimed.promotion > 0 && claimed.contained > 0 && claimed.navigation > 0)
    }

    /// The cleaner puts only the lines that need it through the display pass, one by one: the
    /// text must be what the pass over all kept lines at once gives.
    @Test func keptLinesGetTheDisplayFormOfTheWholeText() {
        var random = SeededRandom(seed: 0x6469_7370)
        var documents = Self.documents()
        for _ in 0..<300 {
            documents.append((0..<Int.random(in: 1...6, using: &random)).map { _ in
                noisyRandomText(&random, maxLength: 40) + (Self.prose + ["ط§ظ„ط¹ط±ط¨ظٹط©", "Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "كلمـــة"]).randomElement(using: &random)!
            }.joined(separator: "\n"))
        }
        for options in [NormalizationOptions.default, NormalizationOptions(repairMojibake: false, removeTatweel: false)] {
            let cleaner = TextCleaner(options: options)
            let normalizer = ArabicNormalizer(options: options)
            for document in documents {
                let cleaned = cleaner.clean(document)
                let kept = cleaned.lines.filter { $0.role == .text }.map(\.line).joined(separator: "\n")
                #expect(ExactText(cleaned.text) == ExactText(normalizer.normalize(kept)), "\(ExactText(document))")
            }
        }
    }

    /// After ط ظ ع غ the scanner rules a mojibake signature out on the next scalar alone (and
    /// asks `MojibakeRepair` otherwise): whatever follows, at the line's end too, it must never
    /// say "display form" of a line whose collapsed form the display pass changes. (A space
    /// other than U+0020 after the letter, such as NBSP, is a plain space in the collapsed line:
    /// there it starts no signature.)
    @Test func displayFormAfterEveryScalarThatCanFollowAMojibakeLead() {
        // ASCII, Latin-1 and its windows-1252 extras, the Arabic block, three and four bytes.
        let values = Array(0x20..<0x80) + Array(0xA0..<0x100) + [0x152, 0x160, 0x178, 0x192, 0x2C6, 0x2DC] + Array(0x600..<0x700)
        let followers = values.compactMap(Unicode.Scalar.init) + ["\u{2026}", "\u{201E}", "\u{20AC}", "\u{2122}", "😀"]
        for options in [NormalizationOptions.default, NormalizationOptions(repairMojibake: false)] {
            let normalizer = ArabicNormalizer(options: options)
            for lead in ["ط", "ظ", "ع", "غ"] {
                for follower in followers {
                    for line in ["كلمة \(lead)\(follower)ط§", "ب\(lead)\(follower)\(lead)"] {
                        let collapsed = TextFolding.collapseWhitespace(line)
                        let isDisplayForm = normalizer.normalize(collapsed) == collapsed
                        for scanned in Self.scan(line, options: options) where scanned.raw == line && scanned.line.isDisplayForm {
                            #expect(isDisplayForm, "\(ExactText(line))")
                        }
                    }
                }
            }
        }
    }

    /// The folded text the cleaner gives from the scan's folded lines must be the fold of its
    /// text, under every option set the fold is tested with.
    @Test(arguments: FoldingFastPathTests.optionSets)
    func foldedTextIsTheFoldOfTheText(options: NormalizationOptions) {
        var random = SeededRandom(seed: 0x666F_6C64)
        var documents = Self.documents() + FoldingFastPathTests.trickyInputs
        for _ in 0..<150 {
            documents.append((0..<Int.random(in: 1...6, using: &random)).map { _ in
                [
                    FoldingFastPathTests.randomNewsText(&random), noisyRandomText(&random, maxLength: 40),
                    (Self.prose + ["ط§ظ„ط¹ط±ط¨ظٹط©", "Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "«قال» “نعم”… انتهى – ٢٠٢٤", "كَتَبَ \u{064E} الوَلَدُ"])
                        .randomElement(using: &random)!,
                ].randomElement(using: &random)!
            }.joined(separator: "\n"))
        }
        let cleaner = TextCleaner(options: options)
        let folding = ArabicFolding(options: options)
        for document in documents {
            let cleaned = cleaner.clean(document, folding: true)
            #expect(ExactText(cleaned.foldedText ?? "-") == ExactText(folding.foldNormalized(cleaned.text)), "\(ExactText(document))")
            #expect(cleaner.clean(document).foldedText == nil)
        }
    }

    /// Guards against a scan that leaves every line to the general fold (and so passes the
    /// comparison above without being tested): prose with quotes and digits is folded on the way.
    @Test func proseIsFoldedByTheScan() {
        // Quotes, dashes, the ellipsis and digits; a mark dropped between spaces; a tatweel
        // standing as a dash (kept by the display pass, dropped by the fold).
        let lines = Self.prose + ["«قال» “نعم”… انتهى – ٢٠٢٤ أحمد على مدرسة.", "قال \u{064E} ثم", "نيسان ـ قال"]
        for scanned in Self.scan(lines.joined(separator: "\n")) {
            #expect(scanned.line.folded != nil, "\(scanned.raw)")
        }
    }

    /// Prose is what the filters are for: nothing to check, no display pass needed.
    @Test func proseNeedsNoRuleAndNoDisplayPass() {
        for scanned in Self.scan(Self.prose.joined(separator: "\n")) {
            #expect(!scanned.line.mayBePromotion)
            #expect(!scanned.line.mayHoldContainedPhrase)
            #expect(!scanned.line.mayHoldFurnitureItem)
            #expect(scanned.line.isDisplayForm)
            #expect(scanned.line.containsLetter)
        }
        // Other spaces and runs of spaces are single plain spaces in the collapsed line, which
        // the display pass would leave as it is.
        for line in ["قال\u{00A0}الرئيس  إن الوضع", "\u{2009}كلمة\u{3000}أخرى "] {
            #expect(Self.scan(line).allSatisfy { $0.line.isDisplayForm }, "\(ExactText(line))")
        }
        // A stretching tatweel and marks out of canonical order need the display pass.
        for line in ["كلمـــة طويلة", "ش\u{0651}\u{064E}دة"] {
            #expect(Self.scan(line).allSatisfy { !$0.line.isDisplayForm })
        }
    }
}
