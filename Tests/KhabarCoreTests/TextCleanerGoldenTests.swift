import Foundation
import Testing
@testable import KhabarCore

/// The five seed documents (real scraped Arabic news, `Fixtures/seeds`) against their gold:
/// token F1 as the shared scorer computes it, metadata where the gold states it, and none of
/// the furniture the seeds carry.
@Suite struct TextCleanerGoldenTests {
    struct Gold: Decodable, Sendable {
        var file: String
        var title: String?
        var author: String?
        var site_name: String?
        var published_at: String?
        var text: String
    }

    static let seedDirectory = Bundle.module.url(forResource: "Fixtures/seeds", withExtension: nil)!
    static let golds: [Gold] = {
        guard let data = try? Data(contentsOf: seedDirectory.appendingPathComponent("gold.json")) else { return [] }
        return (try? JSONDecoder().decode([Gold].self, from: data)) ?? []
    }()

    /// NFKC, tatweel and Arabic diacritics removed, whitespace tokens (as check_extract.py).
    static func tokens(_ text: String) -> [String: Int] {
        let normalized = text.precomposedStringWithCompatibilityMapping.unicodeScalars.filter { scalar in
            let value = scalar.value
            return !(value == 0x0640 || (0x0610...0x061A).contains(value) || (0x064B...0x065F).contains(value) || value == 0x0670
                || (0x06D6...0x06DC).contains(value) || (0x06DF...0x06E8).contains(value) || (0x06EA...0x06ED).contains(value))
        }
        var counts: [String: Int] = [:]
        for token in String(String.UnicodeScalarView(normalized)).split(whereSeparator: \.isWhitespace) { counts[String(token), default: 0] += 1 }
        return counts
    }

    static func f1(_ output: String, _ gold: String) -> Double {
        let produced = tokens(output), expected = tokens(gold)
        let overlap = produced.reduce(0) { $0 + min($1.value, expected[$1.key] ?? 0) }
        guard overlap > 0 else { return 0 }
        let precision = Double(overlap) / Double(produced.values.reduce(0, +))
        let recall = Double(overlap) / Double(expected.values.reduce(0, +))
        return 2 * precision * recall / (precision + recall)
    }

    /// Furniture lines of the seeds (and near variants) that must not reach the text.
    static let furniture = [
        "[ad_1]", "[ad_2]", "اتصل بنا", "شكرا على الإبلاغ", "سيتم حجب هذه الصورة", "انقر هنا لقراءة الخبر",
        "لا توجد تعليقات", "اضف تعليق", "الكلمات الأكثر بحثاً", "للحصول على تنبيهات مجانية", "(EPA)", "عبر رويترز",
        "أول اجتماع لمكتب المتقاعدين", "نشر في الوطن", "نشر في 2024-06-19", "بواسطة نجيم", "02:31 م",
    ]

    @Test func allSeedsHaveGold() {
        #expect(Self.golds.count == 5)
    }

    @Test(arguments: golds.map(\.file))
    func seedMatchesGold(file: String) throws {
        let gold = try #require(Self.golds.first { $0.file == file })
        let raw = try String(contentsOf: Self.seedDirectory.appendingPathComponent(file), encoding: .utf8)
        let cleaned = TextCleaner().clean(raw)

        #expect(Self.f1(cleaned.text, gold.text) >= 0.98)
        #expect(cleaned.title == gold.title)
        #expect(cleaned.author == gold.author)
        #expect(cleaned.siteName == gold.site_name)
        #expect(cleaned.publishedAt.map { String($0.prefix(10)) } == gold.published_at.map { String($0.prefix(10)) })
        for phrase in Self.furniture {
            #expect(!cleaned.text.contains(phrase), "\(phrase) left in \(file)")
        }
        if let title = gold.title { #expect(!cleaned.text.contains(title)) }
        // One paragraph or subheading per line, as the gold has them.
        #expect(cleaned.text.split(separator: "\n").count == gold.text.split(separator: "\n").count)
    }

    @Test func f1IsStrictEnoughToFail() {
        // The measure itself: dropping one short paragraph of 000 must cost something.
        let gold = Self.golds.first?.text ?? ""
        let lines = gold.split(separator: "\n")
        #expect(Self.f1(lines.dropLast().joined(separator: "\n"), gold) < 1)
        #expect(Self.f1(gold, gold) == 1)
    }
}
