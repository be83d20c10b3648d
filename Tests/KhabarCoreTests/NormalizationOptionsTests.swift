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
        guard case .record(let line) = TextCleanerPipeline(options: NormalizationOptions(removeTatweel: false)).clean(text: text, input: "a.txt") else {
            Issue.record("expected a record")
            return
        }
        #expect((try? Self.value("text", ofLine: line) as? String)?.contains("الخـــارجية") == true)
    }

    @Test func foldedCleanTextDocument() throws {
        let pipeline = TextCleanerPipeline(exportFolded: true)
        #expect(pipeline.exportsFolded)
        let (keys, values) = try CleanCommandTests.object(pipeline.clean(text: CleanCommandTests.document, input: "a.txt"))
        #expect(keys == ["input", "title", "author", "site_name", "published_at", "lang", "text", "text_folded", "quality"])
        let text = try #require(values["text"] as? String)
        #expect(values["text_folded"] as? String == ArabicFolding().foldNormalized(text))
        let (plainKeys, _) = try CleanCommandTests.object(TextCleanerPipeline().clean(text: CleanCommandTests.document, input: "a.txt"))
        #expect(!plainKeys.contains("text_folded"))
    }

    @Test func foldedCleanJSONLRecord() throws {
        let text = CleanCommandTests.document.replacingOccurrences(of: "\n", with: "\\n")
        let line = #"{"id": 7, "text": "\#(text)", "extra": true}"#
        let (keys, values) = try CleanCommandTests.object(TextCleanerPipeline(exportFolded: true).clean(jsonLine: Array(line.utf8)))
        #expect(keys == ["id", "text", "text_folded", "extra", "title", "site_name", "published_at", "lang", "quality"])
        #expect(values["text_folded"] as? String == ArabicFolding().foldNormalized(CleanCommandTests.paragraph))
    }

    @Test func aRecordsOwnTextFoldedIsRecomputedAfterText() throws {
        let line = #"{"text": "\#(Self.stretchedParagraph)", "text_folded": "stale", "lang": "ar"}"#
        let (keys, values) = try CleanCommandTests.object(TextCleanerPipeline().clean(jsonLine: Array(line.utf8)))
        #expect(keys == ["text", "text_folded", "lang", "quality"])
        let text = try #require(values["text"] as? String)
        #expect(values["text_folded"] as? String == ArabicFolding().foldNormalized(text))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: DaemonProcessTests.binary.path), "build the khabar product first (swift build)"))
    func cleanCommandFoldedFlag() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-clean-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let document = directory.appendingPathComponent("a.txt")
        try CleanCommandTests.document.write(to: document, atomically: true, encoding: .utf8)
        let records = directory.appendingPathComponent("r.jsonl")
        let escaped = CleanCommandTests.document.replacingOccurrences(of: "\n", with: "\\n")
        try #"{"id": 1, "text": "\#(escaped)"}"#.appending("\n").write(to: records, atomically: true, encoding: .utf8)

        func clean(_ arguments: [String]) throws -> [[UInt8]] {
            let process = Process()
            process.executableURL = DaemonProcessTests.binary
            process.arguments = ["clean"] + arguments
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let bytes = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return Array(bytes).split(separator: UInt8(ascii: "\n")).map { Array($0) + [UInt8(ascii: "\n")] }
        }

        let folded = try clean(["--folded", document.path])
        #expect(folded.count == 1)
        let keys = try Self.keys(ofLine: folded[0])
        #expect(keys == ["input", "title", "author", "site_name", "published_at", "lang", "text", "text_folded", "quality"])
        let text = try #require(try Self.value("text", ofLine: folded[0]) as? String)
        #expect(try Self.value("text_folded", ofLine: folded[0]) as? String == ArabicFolding().foldNormalized(text))

        let foldedRecords = try clean(["--folded", "--format", "jsonl", records.path])
        #expect(try foldedRecords.map(Self.keys(ofLine:)).first?.prefix(3) == ["id", "text", "text_folded"])

        let plain = try clean([document.path])
        #expect(try !Self.keys(ofLine: plain[0]).contains("text_folded"))
    }
}
