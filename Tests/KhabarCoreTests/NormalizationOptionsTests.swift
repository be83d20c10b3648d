import AsyncAlgorithms
import Foundation
import Synchronization
import Testing
@testable import KhabarCore

/// The `normalize.*` options and `text_folded` reaching what khabar writes: the daemon's and
/// backfill's records, `ArticleExtractor`, and `khabar clean`.
@Suite struct NormalizationOptionsTests {
    /// A paragraph with tatweel (ـ), diacritics, Arabic-Indic digits and Arabic punctuation:
    /// display and folded forms differ, and so do the forms under other options.
    static let stretchedParagraph = "وقال مسؤولون في وزارة الخـــارجية إنَّ المحادثات ستُستأنف في ٢٠٢٤، بعد أن توقفت لعدة أشهر بسبب الخلافات حول جدول الأعمال؟"
    static let page: [UInt8] = Array("""
        <!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>محادثات الخارجية - الموقع</title></head>
        <body><nav><a href="/">الرئيسية</a> <a href="/world">العالم</a></nav>
        <article><h1>محادثات الخارجية</h1>
        <p>\(stretchedParagraph)</p>
        <p>\(TextCleanerTests.before)</p>
        <p>وأضاف المتحدث باسم الوزارة أن الوفدين سيناقشان ملفات التعاون الاقتصادي والأمني، إلى جانب قضايا اللاجئين والمياه المشتركة بين البلدين.</p>
        </article><footer>جميع الحقوق محفوظة</footer></body></html>
        """.utf8)
    static let url = "https://news.example/talks"

    static func exportedRecord(_ options: Pipeline.Options) async throws -> ArticleRecord {
        let sink = CollectingSink()
        let pipeline = Pipeline(fetcher: GoldenPageFetcher(pages: [url: page]), judge: KeepEverything(), sink: sink, options: options)
        _ = try await pipeline.run(source: [CrawlItem(url: url, canonicalURL: url, source: "test")].async)
        return try #require(sink.records.withLock { $0 }.first)
    }

    static func options(yaml: String) throws -> Pipeline.Options {
        Pipeline.Options(configuration: try KhabarConfiguration.parse(yaml: yaml, file: "test.yaml"), learnedBoilerplate: nil)
    }

    static func keys(ofLine line: [UInt8]) throws -> [String] {
        try OrderedJSONObject(parsing: Array(line.dropLast())).members.map(\.key)
    }

    static func value(_ key: String, ofLine line: [UInt8]) throws -> Any? {
        try (JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])?[key]
    }

    // MARK: Exported records

    @Test func textFoldedIsExportedOnlyWhenConfigured() async throws {
        let plain = try await Self.exportedRecord(Self.options(yaml: ""))
        #expect(plain.textFolded == nil)
        #expect(plain.text.contains("الخارجية إنَّ"), "display form: tatweel removed, diacritics kept")
        #expect(try Self.keys(ofLine: plain.jsonLine()) == ArticleRecord.jsonKeys)

        let folded = try await Self.exportedRecord(Self.options(yaml: "normalize: {export_folded: true}"))
        #expect(folded.text == plain.text)
        let textFolded = try #require(folded.textFolded)
        #expect(textFolded == ArabicFolding().foldNormalized(folded.text))
        #expect(textFolded.contains("ان المحادثات ستستانف في 2024, بعد"))
        var expectedKeys = ArticleRecord.jsonKeys
        expectedKeys.insert("text_folded", at: expectedKeys.firstIndex(of: "text")! + 1)
        let line = folded.jsonLine()
        #expect(try Self.keys(ofLine: line) == expectedKeys)
        #expect(try Self.value("text_folded", ofLine: line) as? String == textFolded)
        // Dedup hashes its own fixed folding, whatever is exported.
        #expect(folded.contentHash == plain.contentHash)
    }

    @Test func configuredOptionsReachTheExportedText() async throws {
        let yaml = "normalize: {remove_tatweel: false, punctuation: keep, fold_digits: false, export_folded: true}"
        let record = try await Self.exportedRecord(Self.options(yaml: yaml))
        #expect(record.text.contains("الخـــارجية"), "remove_tatweel: false keeps the tatweel")
        let configured = try KhabarConfiguration.parse(yaml: yaml, file: "test.yaml").normalize.options
        let textFolded = try #require(record.textFolded)
        #expect(textFolded == ArabicFolding(options: configured).foldNormalized(record.text))
        #expect(textFolded.contains("في ٢٠٢٤، بعد"), "digits and punctuation kept as written")
        #expect(textFolded.contains("الاعمال؟"))
    }

    @Test func theExtractorTakesOptions() throws {
        let stretched = try ArticleExtractor(options: NormalizationOptions(removeTatweel: false)).extract(html: Self.page).get()
        #expect(stretched.text.contains("الخـــارجية"))
        let standard = try ArticleExtractor().extract(html: Self.page).get()
        #expect(standard.text.contains("الخارجية إنَّ"))
        #expect(ArticleExtractor().options == .default)
    }

    @Test func schemaDescribesTheOptionalKeys() throws {
        let schemaURL = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schema/article.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
        let properties = try #require(schema["properties"] as? [String: Any])
        for key in ArticleRecord.optionalJSONKeys {
            #expect(properties[key] != nil)
            #expect(!(schema["required"] as? [String] ?? []).contains(key))
        }
    }

    // MARK: khabar clean

    @Test func cleanedTextTakesOptions() {
        let text = [TextCleanerTests.before, Self.stretchedParagraph].joined(separator: "\n")
        #expect(TextCleaner(options: NormalizationOptions(removeTatweel: false)).clean(text).text.contains("الخـــارجية"))
        #expect(TextCleaner().clean(text).text.contains("الخارجية"))
    }
}
