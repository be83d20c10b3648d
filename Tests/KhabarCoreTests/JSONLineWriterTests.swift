import Foundation
import Testing
import KhabarCore

@Suite struct JSONLineWriterTests {
    private func line(_ build: (inout JSONLineWriter) -> Void) -> String {
        var writer = JSONLineWriter()
        build(&writer)
        return writer.finishedString()
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("say \"hi\"", #""say \"hi\"""#),
        (#"C:\dir"#, #""C:\\dir""#),
        ("a/b", #""a/b""#),
        ("line\nbreak\r\ttab", #""line\nbreak\r\ttab""#),
        ("\u{08}\u{0C}", #""\b\f""#),
        ("\u{00}\u{01}\u{1F}", #""\u0000\u0001\u001f""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("خبر عاجل", "\"خبر عاجل\""),
        ("é😀\u{2028}", "\"é😀\u{2028}\""),
        ("", #""""#),
    ])
    func escapesStrings(value: String, expected: String) {
        #expect(line { $0.field("k", value) } == "{\"k\":\(expected)}")
    }

    @Test func writesKeysInOrderWithEveryType() {
        let text = line { writer in
            writer.field("z", "last-letter-first")
            writer.field("missing", nil as String?)
            writer.field("count", 42)
            writer.field("negative", -7)
            writer.field("big", Int.min)
            writer.field("ratio", 0.25)
            writer.field("nan", Double.nan)
            writer.field("yes", true)
            writer.field("no", false)
            writer.field("tags", ["a", "ب\"c"])
            writer.field("none", [String]())
            writer.nullField("a")
        }
        #expect(text == #"{"z":"last-letter-first","missing":null,"count":42,"negative":-7,"big":-9223372036854775808,"ratio":0.25,"nan":null,"yes":true,"no":false,"tags":["a","ب\"c"],"none":[],"a":null}"#)
    }

    @Test func finishEndsTheLineOnceAndResetReuses() {
        var writer = JSONLineWriter()
        writer.field("a", 1)
        #expect(writer.finish() == Array("{\"a\":1}\n".utf8))
        #expect(writer.finish() == Array("{\"a\":1}\n".utf8))
        writer.reset()
        #expect(writer.finish() == Array("{}\n".utf8))
        writer.reset()
        writer.field("b", "x")
        #expect(writer.finishedString() == #"{"b":"x"}"#)
    }

    @Test func roundTripsThroughJSONSerialization() throws {
        // Every scalar below U+0800 plus Arabic, emoji and the JSON specials, as one string.
        var all = String((0..<0x800).compactMap { Unicode.Scalar($0).map(Character.init) })
        all += "ـــ مرحبا بالعالم 😀 \u{FFFD} \u{2028}\u{2029}"
        let values = ["", "\\\"", all, String(repeating: "\"\\\n", count: 1000)]
        for value in values {
            var writer = JSONLineWriter()
            writer.field("text", value)
            writer.field("n", 123_456_789)
            writer.field("d", 1e-5)
            writer.field("list", [value, "x"])
            let bytes = writer.finish()
            let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            #expect(object["text"] as? String == value)
            #expect((object["n"] as? NSNumber)?.intValue == 123_456_789)
            #expect((object["d"] as? NSNumber)?.doubleValue == 1e-5)
            #expect(object["list"] as? [String] == [value, "x"])
            #expect(bytes.last == UInt8(ascii: "\n"))
            #expect(!bytes.dropLast().contains(UInt8(ascii: "\n")))
        }
    }

    @Test func leavesArabicUnescaped() {
        let title = "الرئيس يفتتح المعرض الدولي للكتاب"
        let bytes = line { $0.field("title", title) }
        #expect(bytes.contains(title))
        #expect(!bytes.contains("\\u"))
        #expect(bytes.utf8.count == title.utf8.count + #"{"title":""}"#.utf8.count)
    }
}
