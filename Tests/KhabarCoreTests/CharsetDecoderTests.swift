import Foundation
import Testing
@testable import KhabarCore

@Suite struct CharsetDecoderTests {
    struct FixtureCase: CustomTestStringConvertible, Sendable {
        var file: String
        var declared: String?
        var expectedCharset: String
        var expectedText: String
        var testDescription: String { "\(file) declared \(declared ?? "nothing")" }
    }

    static let arabicTitle = "الاقتصاد العربي ينمو رغم التحديات"
    static let arabicSentence = "قال وزير المالية إن الاقتصاد سجل نموا ملحوظا خلال الربع الأول من العام، مع ارتفاع الصادرات"

    static let fixtureCases: [FixtureCase] = [
        FixtureCase(file: "cp1256-http-equiv.html", declared: nil, expectedCharset: "windows-1256",
                    expectedText: "ما وراء اتفاقية الشراكة بين روسيا وكوريا الشمالية"),
        FixtureCase(file: "iso-8859-6.html", declared: nil, expectedCharset: "iso-8859-6", expectedText: arabicSentence),
        FixtureCase(file: "utf8-declares-cp1256.html", declared: nil, expectedCharset: "utf-8", expectedText: arabicSentence),
        FixtureCase(file: "cp1256-declares-utf8.html", declared: nil, expectedCharset: "windows-1256", expectedText: arabicSentence),
        FixtureCase(file: "cp1256-declares-utf8.html", declared: "UTF-8", expectedCharset: "windows-1256", expectedText: arabicSentence),
        FixtureCase(file: "cp1256-undeclared.html", declared: nil, expectedCharset: "windows-1256", expectedText: arabicTitle),
        FixtureCase(file: "cp1256-undeclared.html", declared: "iso-8859-1", expectedCharset: "windows-1256", expectedText: arabicTitle),
        FixtureCase(file: "utf16le-bom.html", declared: "windows-1256", expectedCharset: "utf-16le", expectedText: arabicSentence),
        FixtureCase(file: "utf16be-bom.html", declared: nil, expectedCharset: "utf-16be", expectedText: arabicSentence),
        FixtureCase(file: "windows-1252-undeclared.html", declared: nil, expectedCharset: "windows-1252",
                    expectedText: "Les électeurs genevois ont voté dimanche; le résultat a été très serré, déçu ou ravi"),
    ]

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/charset/\(name)", withExtension: nil))
        return Array(try Data(contentsOf: url))
    }

    @Test(arguments: fixtureCases)
    func decodesFixture(_ fixtureCase: FixtureCase) throws {
        let decoded = CharsetDecoder.decodeToUTF8(try Self.fixture(fixtureCase.file), declaredCharset: fixtureCase.declared)
        #expect(decoded.charset == fixtureCase.expectedCharset)
        let text = try #require(String(validating: decoded.utf8, as: UTF8.self))
        #expect(text.contains(fixtureCase.expectedText))
        #expect(!text.contains("\u{FFFD}"))
        #expect(!decoded.utf8.contains(0))
    }

    @Test func decodedArabicFixtureParsesAsArabicHTML() throws {
        let decoded = CharsetDecoder.decodeToUTF8(try Self.fixture("cp1256-http-equiv.html"), declaredCharset: nil)
        let tree = HTMLTree(utf8: decoded.utf8)
        #expect(tree.collapsedText(of: tree.body).contains("وقع الرئيس الروسي فلاديمير بوتين"))
    }

    // MARK: Declarations

    static func page(meta: String, body: String) -> String {
        "<html><head>\(meta)<title>t</title></head><body><p>\(body)</p></body></html>"
    }

    static let arabicText = "وقال المتحدث باسم الحكومة إن المفاوضات ستستأنف الأسبوع المقبل في القاهرة"

    @Test func declaredLegacyCharsetYieldsToUnmistakableUTF8() {
        let arabicUTF8 = Array(Self.page(meta: #"<meta charset="windows-1256">"#, body: Self.arabicText).utf8)
        #expect(CharsetDecoder.decodeToUTF8(arabicUTF8, declaredCharset: "iso-8859-6").charset == "utf-8")
        #expect(CharsetDecoder.decodeToUTF8(arabicUTF8, declaredCharset: "latin1").charset == "utf-8")

        // Two multibyte sequences are too little evidence to doubt the declaration.
        let fewAccents = Array(Self.page(meta: "", body: "caf\u{E9} cr\u{E8}me").utf8)
        #expect(CharsetDecoder.decodeToUTF8(fewAccents, declaredCharset: "koi8-r").charset == "koi8-r")
    }

    @Test func httpCharsetOverridesMetaForLegacyBytes() {
        // "Привет" in KOI8-R, on a page whose meta claims windows-1251.
        let koi8: [UInt8] = [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]
        let bytes = Array(#"<meta charset="windows-1251"><p>"#.utf8) + koi8 + Array("</p>".utf8)
        let viaHTTP = CharsetDecoder.decodeToUTF8(bytes, declaredCharset: "KOI8-R")
        #expect(viaHTTP.charset == "koi8-r")
        #expect(String(decoding: viaHTTP.utf8, as: UTF8.self).contains("Привет"))
        let viaMeta = CharsetDecoder.decodeToUTF8(bytes, declaredCharset: nil)
        #expect(viaMeta.charset == "windows-1251")
        #expect(!String(decoding: viaMeta.utf8, as: UTF8.self).contains("Привет"))
    }

    struct LabelCase: Sendable {
        var label: String
        var encoding: String?
    }

    @Test(arguments: [
        LabelCase(label: "  \"Windows-1256\" ", encoding: "windows-1256"),
        LabelCase(label: "'CP1256'", encoding: "windows-1256"),
        LabelCase(label: "UTF8", encoding: "utf-8"),
        LabelCase(label: "latin1", encoding: "windows-1252"),
        LabelCase(label: "ISO-8859-1", encoding: "windows-1252"),
        LabelCase(label: "US-ASCII", encoding: "windows-1252"),
        LabelCase(label: "arabic", encoding: "iso-8859-6"),
        LabelCase(label: "ISO_8859-6", encoding: "iso-8859-6"),
        LabelCase(label: "GB2312", encoding: "gb18030"),
        LabelCase(label: "gbk", encoding: "gb18030"),
        LabelCase(label: "SJIS", encoding: "shift_jis"),
        LabelCase(label: "EUC-KR", encoding: "euc-kr"),
        LabelCase(label: "koi8-r", encoding: "koi8-r"),
        LabelCase(label: "windows-1251", encoding: "windows-1251"),
        LabelCase(label: "latin2", encoding: "iso-8859-2"),
        LabelCase(label: "x-no-such-charset", encoding: nil),
        LabelCase(label: "", encoding: nil),
    ])
    func normalizesLabels(_ labelCase: LabelCase) {
        #expect(CharsetLabel.encoding(forLabel: labelCase.label) == labelCase.encoding)
    }

    @Test func everyKnownEncodingOpensInIconv() {
        for label in ["windows-1256", "iso-8859-6", "windows-1252", "gb18030", "shift_jis", "euc-jp", "euc-kr",
                      "big5", "koi8-r", "koi8-u", "windows-1251", "iso-8859-2", "windows-874", "x-mac-cyrillic",
                      "iso-8859-8-i", "ibm866", "macintosh", "iso-2022-jp"] {
            #expect(IconvTranscoder.toUTF8(Array("abc".utf8), from: CharsetLabel.iconvName(for: label)) == Array("abc".utf8),
                    "\(label)")
        }
    }

    struct PrescanCase: Sendable {
        var head: String
        var encoding: String?
    }

    @Test(arguments: [
        PrescanCase(head: #"<META CHARSET = " Windows-1256 ">"#, encoding: "windows-1256"),
        PrescanCase(head: "<meta charset=cp1256>", encoding: "windows-1256"),
        PrescanCase(head: #"<meta http-equiv='content-type' content='text/html;charset="iso-8859-6"'>"#, encoding: "iso-8859-6"),
        PrescanCase(head: #"<meta content="text/html; CHARSET=windows-1256" http-equiv="Content-Type"/>"#, encoding: "windows-1256"),
        // Without http-equiv, a content attribute declares nothing.
        PrescanCase(head: #"<meta name="x" content="text/html; charset=windows-1256">"#, encoding: nil),
        PrescanCase(head: #"<!-- <meta charset="windows-1256"> --><meta charset="koi8-r">"#, encoding: "koi8-r"),
        PrescanCase(head: #"<div title="<meta charset=windows-1256>"><meta charset="euc-jp">"#, encoding: "euc-jp"),
        PrescanCase(head: #"<meta charset="bogus"><meta charset="windows-1251">"#, encoding: "windows-1251"),
        PrescanCase(head: #"<meta charset="utf-16">"#, encoding: "utf-8"),
        PrescanCase(head: #"<?xml version="1.0" encoding="windows-1256"?><html>"#, encoding: "windows-1256"),
        PrescanCase(head: #"<?xml version="1.0" encoding="ISO-8859-6"?><meta charset="koi8-r">"#, encoding: "koi8-r"),
        PrescanCase(head: "<metadata charset=windows-1256>", encoding: nil),
        PrescanCase(head: "<p>no declaration</p>", encoding: nil),
        PrescanCase(head: "<meta charset=", encoding: nil),
    ])
    func prescansDeclarations(_ prescanCase: PrescanCase) {
        #expect(CharsetPrescanner.declaredEncoding(in: Array(prescanCase.head.utf8)) == prescanCase.encoding)
    }

    @Test func ignoresMetaBeyondThePrescanWindow() {
        let padding = String(repeating: "<p>filler</p>", count: 400)
        let bytes = Array((padding + #"<meta charset="windows-1256">"#).utf8)
        #expect(CharsetPrescanner.declaredEncoding(in: bytes) == nil)
    }

    @Test func unknownDeclaredLabelFallsThroughToMeta() {
        let bytes = Array(#"<meta charset="koi8-r"><p>"#.utf8) + [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]
        let decoded = CharsetDecoder.decodeToUTF8(bytes, declaredCharset: "no-such-thing")
        #expect(decoded.charset == "koi8-r")
        #expect(String(decoding: decoded.utf8, as: UTF8.self).hasSuffix("Привет"))
    }

    // MARK: Repair

    @Test func replacesInvalidUTF8() {
        // A stray continuation byte, a truncated 3-byte sequence, an overlong form, a surrogate and
        // a lone lead byte at the end, among otherwise valid UTF-8.
        let bytes: [UInt8] = Array("مرحبا ".utf8) + [0x80] + Array(" a".utf8) + [0xE2, 0x82] + Array("b".utf8)
            + [0xC0, 0xAF] + [0xED, 0xA0, 0x80] + Array("c".utf8) + [0xF0]
        let decoded = CharsetDecoder.decodeToUTF8(bytes, declaredCharset: "utf-8")
        #expect(decoded.charset == "utf-8")
        let text = String(decoding: decoded.utf8, as: UTF8.self)
        #expect(Array(text.utf8) == decoded.utf8)
        #expect(text == "مرحبا \u{FFFD} a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}c\u{FFFD}")
    }

    @Test func fewInvalidBytesInUndeclaredUTF8StayUTF8() {
        let bytes = Array(Self.page(meta: "", body: Self.arabicText).utf8) + [0xFF] + Array(Self.arabicText.utf8)
        let decoded = CharsetDecoder.decodeToUTF8(bytes, declaredCharset: nil)
        #expect(decoded.charset == "utf-8")
        #expect(String(decoding: decoded.utf8, as: UTF8.self).contains("</html>\u{FFFD}" + Self.arabicText))
    }

    @Test func replacesNULAndControlBytes() {
        let bytes: [UInt8] = Array("<p>a".utf8) + [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x0C, 0x1F, 0x7F] + Array("b</p>".utf8)
        for declared in [nil, "utf-8", "windows-1256", "shift_jis"] {
            let decoded = CharsetDecoder.decodeToUTF8(bytes, declaredCharset: declared)
            #expect(decoded.utf8 == Array("<p>a\u{FFFD} \t\n\r  \u{7F}b</p>".utf8), "\(declared ?? "nil")")
        }
        let utf16 = CharsetDecoder.decodeToUTF8([0xFF, 0xFE, 0x61, 0x00, 0x00, 0x00, 0x62, 0x00], declaredCharset: nil)
        #expect(utf16.utf8 == Array("a\u{FFFD}b".utf8))
    }

    @Test func emptyInput() {
        let decoded = CharsetDecoder.decodeToUTF8([], declaredCharset: nil)
        #expect(decoded.utf8.isEmpty)
        #expect(decoded.charset == "utf-8")
        #expect(CharsetDecoder.decodeToUTF8([0xEF, 0xBB, 0xBF], declaredCharset: "utf-8").utf8.isEmpty)
        #expect(CharsetDecoder.decodeToUTF8([0xFF, 0xFE], declaredCharset: nil).utf8.isEmpty)
        #expect(CharsetDecoder.decodeToUTF8([], declaredCharset: "windows-1256").utf8.isEmpty)
    }

    @Test func utf16WithOddLengthAndLoneSurrogate() {
        // "a", a lone high surrogate, "b", then one dangling byte.
        let bytes: [UInt8] = [0xFE, 0xFF, 0x00, 0x61, 0xD8, 0x00, 0x00, 0x62, 0x41]
        let decoded = CharsetDecoder.decodeToUTF8(bytes, declaredCharset: nil)
        #expect(decoded.charset == "utf-16be")
        #expect(String(decoding: decoded.utf8, as: UTF8.self) == "a\u{FFFD}b\u{FFFD}")
    }

    @Test func invalidBytesInMultibyteCharsetBecomeReplacements() {
        // Shift_JIS "日本" then a lead byte with no trail byte.
        let bytes: [UInt8] = [0x93, 0xFA, 0x96, 0x7B, 0x81]
        let decoded = CharsetDecoder.decodeToUTF8(bytes, declaredCharset: "sjis")
        #expect(decoded.charset == "shift_jis")
        #expect(String(decoding: decoded.utf8, as: UTF8.self) == "日本\u{FFFD}")
    }

    @Test func validCleanUTF8IsReturnedUnchanged() {
        let text = Self.page(meta: #"<meta charset="utf-8">"#, body: Self.arabicText + "\n\tEnglish 😀 中文")
        #expect(CharsetDecoder.decodeToUTF8(Array(text.utf8), declaredCharset: nil).utf8 == Array(text.utf8))
    }

    /// Random bytes under every kind of declaration decode to clean UTF-8 without crashing.
    @Test func arbitraryBytesAlwaysGiveCleanUTF8() {
        var generator = SeededRandom(seed: 0x6B68_6162_6172)
        let declarations: [String?] = [nil, "utf-8", "windows-1256", "iso-8859-6", "shift_jis", "gb18030",
                                       "iso-2022-jp", "utf-16", "utf-16be", "euc-kr", "big5"]
        for round in 0..<300 {
            let length = Int(generator.next() % 600)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if round % 3 == 0 { bytes.insert(contentsOf: Array("<meta charset=utf-8>".utf8), at: 0) }
            if round % 7 == 0 { bytes.insert(contentsOf: [0xFF, 0xFE], at: 0) }
            let declared = declarations[round % declarations.count]
            let decoded = CharsetDecoder.decodeToUTF8(bytes, declaredCharset: declared)
            #expect(String(validating: decoded.utf8, as: UTF8.self) != nil)
            #expect(!decoded.utf8.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        }
    }
}

