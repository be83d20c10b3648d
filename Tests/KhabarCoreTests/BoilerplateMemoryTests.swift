import Testing
@testable import KhabarCore

@Suite struct BoilerplateMemoryTests {
    static let footer = "جميع المواد المنشورة تعبر عن رأي كاتبها ولا تعبر بالضرورة عن رأي الموقع"

    @Test func lineRecurringInEnoughDocumentsIsLearned() {
        let memory = InMemoryBoilerplateMemory(threshold: BoilerplateThreshold(minimumDocuments: 5, minimumShare: 0.3))
        for index in 0..<4 { memory.recordDocument(lines: ["خبر رقم \(index)", Self.footer], source: "site-a") }
        #expect(!memory.isLearnedBoilerplate(Self.footer, source: "site-a"))
        memory.recordDocument(lines: ["خبر رقم 5", Self.footer], source: "site-a")
        #expect(memory.isLearnedBoilerplate(Self.footer, source: "site-a"))
        // Folding: punctuation, diacritics and hamza variants are the same line.
        #expect(memory.isLearnedBoilerplate("جميعُ المواد المنشورة تعبّر عن رأي كاتبها، ولا تعبر بالضرورة عن رأي الموقع.", source: "site-a"))
        #expect(!memory.isLearnedBoilerplate("خبر رقم 5", source: "site-a"))
        // Per source.
        #expect(!memory.isLearnedBoilerplate(Self.footer, source: "site-b"))
    }

    @Test func aLineCountsOncePerDocument() {
        let memory = InMemoryBoilerplateMemory(threshold: BoilerplateThreshold(minimumDocuments: 2, minimumShare: 0))
        memory.recordDocument(lines: [Self.footer, Self.footer, Self.footer], source: "s")
        #expect(!memory.isLearnedBoilerplate(Self.footer, source: "s"))
        memory.recordDocument(lines: [Self.footer], source: "s")
        #expect(memory.isLearnedBoilerplate(Self.footer, source: "s"))
    }

    @Test func shareOfTheSourceMatters() {
        let memory = InMemoryBoilerplateMemory(threshold: BoilerplateThreshold(minimumDocuments: 5, minimumShare: 0.3))
        for index in 0..<20 { memory.recordDocument(lines: index < 5 ? ["سطر متكرر", "نص \(index)"] : ["نص \(index)"], source: "s") }
        // 5 of 20 documents: 25 % < 30 %.
        #expect(!memory.isLearnedBoilerplate("سطر متكرر", source: "s"))
        #expect(memory.documentCount(source: "s") == 20)
    }

    @Test func keyIsStableAcrossRuns() {
        // FNV-1a of the folded line: persisted keys must not change with the process seed.
        #expect(BoilerplateLineKey(line: "اتصل بنا") == BoilerplateLineKey(line: "اتصل  بنا!"))
        #expect(BoilerplateLineKey(line: "ab")?.value == 0x089c_4407_b545_986a)
        #expect(BoilerplateLineKey(line: "  ...  ") == nil)
    }

    @Test func cleanerDropsLearnedLines() {
        let memory = InMemoryBoilerplateMemory()
        let paragraph = TextCleanerTests.before
        for index in 0..<6 { memory.recordDocument(lines: [Self.footer, "فقرة مختلفة رقم \(index)"], source: "s") }
        let cleaned = TextCleaner().clean([paragraph, Self.footer, TextCleanerTests.after].joined(separator: "\n"), memory: memory, source: "s")
        #expect(cleaned.text == [paragraph, TextCleanerTests.after].joined(separator: "\n"))
        #expect(cleaned.lines[1].role == .learnedBoilerplate)
        // Without the source the same line is text (it is a full sentence amid paragraphs).
        #expect(TextCleaner().clean([paragraph, Self.footer, TextCleanerTests.after].joined(separator: "\n")).lines[1].role == .text)
    }
}
