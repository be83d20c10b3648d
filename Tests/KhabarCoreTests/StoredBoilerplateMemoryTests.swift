import AsyncAlgorithms
import Foundation
import Synchronization
import Testing
@testable import KhabarCore

@Suite struct StoredBoilerplateMemoryTests {
    static let footer = "تابعونا على تطبيق الخبر للحصول على آخر الأخبار"

    static func document(_ index: Int) -> [String] {
        ["الفقرة رقم \(index) من خبر مختلف عن كل ما سبقه في هذا الموقع", footer, "سطر قصير \(index)"]
    }

    @Test func lineRecurringInASourcesDocumentsIsLearnedAndSurvivesARestart() throws {
        let scratch = ScratchDirectory()
        let state = scratch.url.appendingPathComponent("state")
        do {
            let store = try SQLiteStateStore(directory: state)
            let memory = StoredBoilerplateMemory(store: store, threshold: BoilerplateThreshold(minimumDocuments: 5), flushEvery: 4)
            for index in 0..<3 { memory.recordDocument(lines: Self.document(index), source: "site") }
            memory.flush()
            #expect(!memory.isLearnedBoilerplate(Self.footer, source: "site"), "3 documents are below the minimum of 5")
            for index in 3..<12 { memory.recordDocument(lines: Self.document(index), source: "site") }
            memory.flush()
            #expect(memory.isLearnedBoilerplate(Self.footer, source: "site"))
            // Spelling variants fold to the same line.
            #expect(memory.isLearnedBoilerplate("تابعونا على تطبيق الخبر، للحصول على آخِر الأخبار!", source: "site"))
            #expect(!memory.isLearnedBoilerplate(Self.document(5)[0], source: "site"))
            #expect(!memory.isLearnedBoilerplate(Self.footer, source: "other-site"), "learned per source")
        }
        // A new process reads what was learned from the state store.
        let store = try SQLiteStateStore(directory: state)
        let memory = StoredBoilerplateMemory(store: store, threshold: BoilerplateThreshold(minimumDocuments: 5))
        #expect(memory.isLearnedBoilerplate(Self.footer, source: "site"))
        #expect(try store.documentCount(source: "site") == 12)
    }

    @Test func longLinesAreNeitherCountedNorDropped() throws {
        let scratch = ScratchDirectory()
        let store = try SQLiteStateStore(directory: scratch.url.appendingPathComponent("state"))
        let memory = StoredBoilerplateMemory(store: store, threshold: BoilerplateThreshold(minimumDocuments: 2), flushEvery: 1)
        let paragraph = Array(repeating: "كلمة", count: StoredBoilerplateMemory.maximumLineWords + 1).joined(separator: " ")
        for _ in 0..<5 { memory.recordDocument(lines: [paragraph], source: "site") }
        #expect(!memory.isLearnedBoilerplate(paragraph, source: "site"))
        #expect(try store.lineDocumentCounts(source: "site", minimumDocuments: 1).isEmpty)
    }

    @Test func pipelineDropsASourcesLearnedLinesFromLaterArticles() async throws {
        let scratch = ScratchDirectory()
        let store = try SQLiteStateStore(directory: scratch.url.appendingPathComponent("state"))
        let memory = StoredBoilerplateMemory(store: store, threshold: BoilerplateThreshold(minimumDocuments: 3), flushEvery: 1)
        let body = { (index: Int) in
            (0..<4).map { "هذه الفقرة \($0) من الخبر رقم \(index) وفيها ما يكفي من الكلمات لتكون جزءا من نص المقال الطويل." }
                .joined(separator: "</p><p>")
        }
        let signOff = "النص منشور وفق الشروط المعتادة لهذه الصحيفة اليومية"
        var pages: [String: [UInt8]] = [:]
        var items: [CrawlItem] = []
        for index in 0..<8 {
            let url = "https://news.example/learned-\(index)"
            pages[url] = Array("""
                <html><head><title>خبر \(index)</title></head><body><article><h1>خبر رقم \(index) عن موضوع ما</h1>
                <p>\(body(index))</p><p>\(signOff)</p></article></body></html>
                """.utf8)
            items.append(CrawlItem(url: url, canonicalURL: url, source: "site"))
        }
        let sink = CollectingSink()
        let pipeline = Pipeline(
            fetcher: GoldenPageFetcher(pages: pages), judge: KeepEverything(), sink: sink,
            options: .init(fetchers: 1, cleaners: 1, learnedBoilerplate: memory))
        let snapshot = try await pipeline.run(source: items.async)
        let records = sink.records.withLock { $0 }.sorted { $0.url < $1.url }
        #expect(records.count == 8)
        #expect(records.prefix(3).allSatisfy { $0.text.contains("النص منشور") }, "not learned yet")
        #expect(records.suffix(3).allSatisfy { !$0.text.contains("النص منشور") && $0.text.contains("الفقرة 3") })
        #expect(snapshot[.learnedBoilerplateLines] >= 3)
    }
}
