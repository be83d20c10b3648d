import Foundation
import Testing
@testable import KhabarCore

/// HTML page → expected record, for pages in several site templates (derived from real Arabic
/// news pages): a windows-1256 page declared only in `http-equiv`, a page with a breaking-news
/// ticker, JSON-LD metadata, a forum thread, and date variants (Levantine month names, a Hijri
/// date, a date given only in JSON-LD).
@Suite struct GoldenExtractionTests {
    struct Expected: Decodable {
        var title: String?
        var author: String?
        var site_name: String?
        var published_date: String?
        var lang: String?
        var dir: String?
        var text: String
    }

    static let goldenDirectory = Bundle.module.url(forResource: "Fixtures/golden", withExtension: nil)!

    static let pageNames: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: goldenDirectory.path)) ?? []
        return files.filter { $0.hasSuffix(".html") }.map { String($0.dropLast(5)) }.sorted()
    }()

    @Test func everyTemplateIsCovered() {
        #expect(Self.pageNames.count >= 8)
    }

    @Test(arguments: pageNames)
    func extractsTheExpectedRecord(page: String) throws {
        let html = try Data(contentsOf: Self.goldenDirectory.appendingPathComponent(page + ".html"))
        let expectedData = try Data(contentsOf: Self.goldenDirectory.appendingPathComponent(page + ".expected.json"))
        let expected = try JSONDecoder().decode(Expected.self, from: expectedData)
        let article = try ArticleExtractor().extract(html: Array(html)).get()

        #expect(article.title == expected.title)
        #expect(article.author == expected.author)
        #expect(article.siteName == expected.site_name)
        #expect(article.publishedAt.map { String($0.prefix(10)) } == expected.published_date)
        #expect(article.lang == expected.lang)
        #expect(article.dir == expected.dir)
        #expect(article.text == expected.text)
        #expect(article.wordCount > 100)
    }

    @Test func tickerHeadlinesStayOutOfTheBody() throws {
        let html = try Data(contentsOf: Self.goldenDirectory.appendingPathComponent("drupal-ticker.html"))
        let article = try ArticleExtractor().extract(html: Array(html)).get()
        for headline in ["القيادة تعزي رئيس تركيا في ضحايا تحطم طائرة عسكرية", "الأكثر مشاهدة", "اتصل بنا", "اطبع هذه الصفحة"] {
            #expect(!article.text.contains(headline))
        }
    }
}
