import Foundation
import Testing
@testable import KhabarCore

/// What `khabar clean` writes: the pipeline behind it, for plain text and JSONL records.
@Suite struct CleanCommandTests {
    static let paragraph = TextCleanerTests.before
    static let document = ["[ad_1]", "عنوان الخبر الرئيسي اليوم", "نشر في الوطن يوم 20 - 06 - 2024", paragraph, "اضف تعليق"].joined(separator: "\n")

    static func object(_ outcome: TextCleanerPipeline.Outcome) throws -> (keys: [String], values: [String: Any]) {
        guard case .record(let bytes) = outcome else {
            Issue.record("expected a record, got \(outcome)")
            return ([], [:])
        }
        #expect(bytes.last == UInt8(ascii: "\n"))
        let parsed = try OrderedJSONObject(parsing: Array(bytes.dropLast()))
        let values = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
        return (parsed.members.map(\.key), values)
    }

    @Test func textDocumentRecord() throws {
        let (keys, values) = try Self.object(TextCleanerPipeline().clean(text: Self.document, input: "a.txt"))
        #expect(keys == ["input", "title", "author", "site_name", "published_at", "lang", "text", "quality"])
        #expect(values["title"] as? String == "عنوان الخبر الرئيسي اليوم")
        #expect(values["site_name"] as? String == "الوطن")
        #expect(values["published_at"] as? String == "2024-06-20")
        #expect(values["author"] is NSNull)
        #expect(values["lang"] as? String == "ar")
        #expect(values["text"] as? String == Self.paragraph)
        let quality = try #require(values["quality"] as? [String: Any])
        #expect(quality["words"] as? Int == Self.paragraph.split(separator: " ").count)
        #expect(quality["arabic_ratio"] as? Double == 1)
        #expect(quality["repeated_line_ratio"] as? Double == 0)
        #expect(quality["chars"] as? Int == Self.paragraph.count)
    }

    @Test func jsonlRecordKeepsItsFieldsInOrder() throws {
        let text = Self.document.replacingOccurrences(of: "\n", with: "\\n")
        let line = #"{"id": 7, "url": "https://example.com/a", "text": "\#(text)", "extra": {"nested": [1, 2, {"k": "v"}]}, "author": null, "flag": true}"#
        let (keys, values) = try Self.object(TextCleanerPipeline().clean(jsonLine: Array(line.utf8)))
        #expect(keys == ["id", "url", "text", "extra", "author", "flag", "title", "site_name", "published_at", "lang", "quality"])
        #expect(values["id"] as? Int == 7)
        #expect(values["text"] as? String == Self.paragraph)
        #expect(values["author"] is NSNull)
        #expect(values["title"] as? String == "عنوان الخبر الرئيسي اليوم")
        let extra = try #require(values["extra"] as? [String: Any])
        #expect((extra["nested"] as? [Any])?.count == 3)
    }

    @Test func jsonlRecordTitleIsKeptAndItsRepeatDropped() throws {
        let text = ["خبر اليوم المهم جدا", Self.paragraph].joined(separator: "\\n")
        let line = #"{"title": "خبر   اليوم المهم جدا", "site_name": "موقعي", "text": "\#(text)"}"#
        let (keys, values) = try Self.object(TextCleanerPipeline().clean(jsonLine: Array(line.utf8)))
        #expect(keys == ["title", "site_name", "text", "lang", "quality"])
        #expect(values["title"] as? String == "خبر اليوم المهم جدا")
        #expect(values["site_name"] as? String == "موقعي")
        #expect(values["text"] as? String == Self.paragraph)
    }

    @Test func badRecordsFail() {
        for line in ["not json", #"{"text": 5}"#, #"{"title": "x"}"#, #"{"text": "a""#, #"[1, 2]"#] {
            guard case .failed = TextCleanerPipeline().clean(jsonLine: Array(line.utf8)) else {
                Issue.record("\(line) should fail")
                continue
            }
        }
    }

    @Test func filterDropsRecords() {
        let pipeline = TextCleanerPipeline(filter: CleanFilter(minimumWords: 100))
        let words = Self.paragraph.split(separator: " ").count
        #expect(pipeline.clean(text: Self.document, input: "a.txt") == .dropped(reason: "\(words) words, fewer than 100"))
        guard case .record = TextCleanerPipeline(filter: CleanFilter(minimumWords: words)).clean(text: Self.document, input: "a.txt") else {
            Issue.record("a record of exactly --min-words words should pass")
            return
        }
        let english = TextCleanerPipeline(filter: CleanFilter(allowedLanguages: ["en"]))
        guard case .dropped = english.clean(text: Self.document, input: "a.txt") else {
            Issue.record("Arabic text should not pass --lang en")
            return
        }
    }

    @Test func sourceMemoryLearnsAcrossARun() throws {
        let menu = "تابع آخر أخبار المحافظة على صفحتنا الرسمية وشاركنا رأيك في الأحداث المحلية."
        let pipeline = TextCleanerPipeline(memory: InMemoryBoilerplateMemory(), source: "local-site")
        // Each document's own paragraphs differ; the menu line is in all of them.
        let documents = (0..<6).map { [TextCleanerTests.before + " \($0)", menu, TextCleanerTests.after + " \($0)"].joined(separator: "\n") }
        for document in documents { pipeline.learn(text: document) }
        let (_, values) = try Self.object(pipeline.clean(text: documents[0], input: "0.txt"))
        #expect(values["text"] as? String == [TextCleanerTests.before + " 0", TextCleanerTests.after + " 0"].joined(separator: "\n"))
        // The same document without the source keeps the line.
        let (_, alone) = try Self.object(TextCleanerPipeline().clean(text: documents[0], input: "0.txt"))
        #expect((alone["text"] as? String)?.contains(menu) == true)
    }

    @Test func encodedStringsAreEscaped() {
        #expect(TextCleanerPipeline.encoded("a\"b\\c\nد") == Array(#""a\"b\\c\nد""#.utf8))
        #expect(TextCleanerPipeline.encoded(nil) == Array("null".utf8))
    }
}
