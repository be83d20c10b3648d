import Testing
import KhabarCore

/// Inputs a crawler meets sooner or later: nothing, garbage, broken or enormous markup. Each must
/// give `.success` with sane text or a `.failure`, never a crash or a hang.
@Suite struct HostileInputTests {
    let extractor = ArticleExtractor()


    /// Three paragraphs of plain news prose, long enough for any extractor to call an article.
    static let paragraphs = [
        "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في العاصمة يضم ثلاثمئة سرير ووحدات متخصصة للعناية المركزة وطب الأطفال، في خطوة قالت إنها تهدف إلى تخفيف الضغط عن المستشفيات القائمة وتقليص فترات الانتظار.",
        "وقال الوزير في مؤتمر صحفي إن المشروع استغرق ثلاث سنوات من العمل المتواصل بتكلفة بلغت نحو مئتي مليون دولار، مشيرا إلى أن المستشفى سيبدأ باستقبال المرضى مطلع الشهر المقبل بعد استكمال تجهيز الأقسام.",
        "وأضاف أن الوزارة تعتزم توظيف أكثر من ألف طبيب وممرض خلال العام الجاري، وأن خطة التوسع تشمل إنشاء مراكز صحية في المحافظات الجنوبية التي تعاني من نقص في الخدمات الطبية الأساسية.",
    ]

    static func page(body: String, head: String = "<meta charset=\"utf-8\"><title>خبر</title>") -> [UInt8] {
        Array("<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head>\(head)</head><body>\(body)</body></html>".utf8)
    }

    /// A page whose body is `parts` joined: strings as UTF-8, byte arrays as they are.
    static func page(bodyParts parts: [[UInt8]]) -> [UInt8] {
        Array("<!DOCTYPE html><html lang=\"ar\"><head><meta charset=\"utf-8\"><title>خبر</title></head><body><article>".utf8)
            + parts.joined() + Array("</article></body></html>".utf8)
    }

    static var articleBody: String {
        "<article>" + paragraphs.map { "<p>\($0)</p>" }.joined() + "</article>"
    }

    /// The text must hold every paragraph (whitespace may differ).
    func expectAllParagraphs(_ result: Result<ExtractedArticle, ExtractionError>, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .success(let article) = result else {
            Issue.record("expected an article, got \(result)", sourceLocation: sourceLocation)
            return
        }
        for paragraph in Self.paragraphs {
            #expect(article.text.contains(paragraph), sourceLocation: sourceLocation)
        }
        #expect(article.wordCount >= 90, sourceLocation: sourceLocation)
    }

    // MARK: Nothing at all

    @Test func emptyInputIsAFailure() {
        #expect(extractor.extract(html: []) == .failure(.emptyInput))
    }

    @Test func whitespaceOnlyIsAFailure() {
        #expect(extractor.extract(html: Array(" \n\t\r\n   \u{0C}".utf8)) == .failure(.emptyInput))
        #expect(extractor.extract(html: Array(repeating: 0x20, count: 1 << 20)) == .failure(.emptyInput))
    }

    // MARK: Not HTML

    /// Executable-like data: a header, then mostly zero bytes (as in an uncompressed image or
    /// a binary); plainly not a page.
    @Test func binaryBlobIsAFailure() {
        var noise = SeededRandom(seed: 42)
        var blob: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]
        for _ in 0..<16_384 { blob += [UInt8(truncatingIfNeeded: noise.next()), 0, 0, 0] }
        let result = extractor.extract(html: blob)
        guard case .failure(.notHTML) = result else {
            Issue.record("expected .notHTML, got \(result)")
            return
        }
    }

    @Test(arguments: [
        ("random", [UInt8]()),
        ("png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52]),
        ("gzip", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]),
        ("pdf", Array("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)),
    ] as [(String, [UInt8])])
    func compressedNoiseIsAFailure(kind: String, header: [UInt8]) {
        var noise = SeededRandom(seed: UInt64(kind.unicodeScalars.first!.value))
        for size in [16, 512, 4096, 65_536] {
            let input = header + noise.bytes(size)
            let result = extractor.extract(html: input)
            switch result {
            case .failure(let error):
                #expect(error != .emptyInput, "\(kind) + \(size) noise bytes")
            case .success(let article):
                Issue.record("\(kind) + \(size) noise bytes gave an article of \(article.text.utf8.count) bytes")
            }
        }
    }

    // MARK: Broken text

    @Test func invalidUTF8BecomesReplacementCharacters() {
        let bytes = Self.page(bodyParts: [
            Array("<p>\(Self.paragraphs[0])</p><p>قبل".utf8),
            [0xFF, 0xFE, 0xC3, 0x28, 0xE2, 0x82],  // stray bytes, a bad continuation, a truncated sequence
            Array(" بعد</p><p>\(Self.paragraphs[1])</p><p>\(Self.paragraphs[2])</p>".utf8),
        ])
        let result = extractor.extract(html: bytes, charset: "utf-8")
        expectAllParagraphs(result)
        if case .success(let article) = result {
            #expect(article.text.contains("قبل"))
            #expect(article.text.contains("بعد"))
            #expect(article.text.unicodeScalars.contains("\u{FFFD}"))
        }
    }

    @Test func nulBytesInsideTextDoNotCutThePage() {
        let bytes = Self.page(bodyParts: [
            Array("<p>\(Self.paragraphs[0])</p><p>قبل".utf8),
            [0x00, 0x00],
            Array("بعد</p><p>\(Self.paragraphs[1])</p><p>\(Self.paragraphs[2])</p>".utf8),
        ])
        let result = extractor.extract(html: bytes)
        expectAllParagraphs(result)
        if case .success(let article) = result {
            #expect(!article.text.unicodeScalars.contains("\u{0}"))
        }
    }

    // MARK: Broken markup

    @Test func pageWithoutBodyStillGivesTheArticle() {
        let html = "<html><head><title>خبر</title></head>" + Self.paragraphs.map { "<p>\($0)</p>" }.joined() + "</html>"
        expectAllParagraphs(extractor.extract(html: Array(html.utf8)))
        let bare = Self.paragraphs.map { "<p>\($0)" }.joined()  // no html, head, body nor end tags
        expectAllParagraphs(extractor.extract(html: Array(bare.utf8)))
    }

    @Test func unclosedTagsEverywhere() {
        let body = "<div class=\"wrap\"><section><article><h1>عنوان" + Self.paragraphs.map { "<p><span><b>\($0)" }.joined()
            + "<div><table><tr><td><ul><li><a href=\"/x\">"
        let result = extractor.extract(html: Array(("<html><head><title>خبر" + "<body>" + body).utf8))
        expectAllParagraphs(result)
    }

    @Test func aHundredThousandNestedDivsKeepTheirText() {
        let depth = 100_000
        let body = String(repeating: "<div>", count: depth) + Self.articleBody + String(repeating: "</div>", count: depth)
        expectAllParagraphs(extractor.extract(html: Self.page(body: body)))
    }

    @Test func aPageOfScriptsHasNoArticle() {
        let script = "<script>var article = \"" + Self.paragraphs[0] + "\"; document.write('<p>' + article + '</p>');</script>"
        let html = Self.page(
            body: String(repeating: script, count: 50) + "<noscript><style>p { color: red }</style></noscript>",
            head: "<script src=\"/app.js\"></script>" + script)
        let result = extractor.extract(html: html)
        if case .success(let article) = result {
            #expect(!article.text.contains("document.write"), "script source leaked into the text")
        }
        #expect(result == .failure(.noArticle))
    }

    // MARK: Size

    @Test func fiveMegabytesOfRepeatedParagraphs() {
        let paragraph = "<p>" + Self.paragraphs.joined(separator: " ") + "</p>\n"
        let count = 5_000_000 / paragraph.utf8.count + 1
        let html = Self.page(body: "<article>" + String(repeating: paragraph, count: count) + "</article>")
        #expect(html.count > 5_000_000)
        let result = extractor.extract(html: html)
        guard case .success(let article) = result else {
            Issue.record("expected an article, got \(result)")
            return
        }
        #expect(article.text.contains(Self.paragraphs[2]))
        // Most of the page is article text; an extractor may trim, but not throw most of it away.
        let wordsPerParagraph = Self.paragraphs.joined(separator: " ").split(separator: " ").count
        #expect(article.wordCount >= wordsPerParagraph * count / 2)
        #expect(article.text.utf8.count <= html.count)
    }
}
