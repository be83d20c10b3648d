import Testing

@testable import KhabarCore

@Suite struct RecentlySeenTests {
    @Test func remembersTheLastOneToTwoGenerations() {
        var seen = RecentlySeen(generationSize: 3)
        func inserted(_ urls: String...) -> [Bool] { urls.map { seen.insert($0) } }
        #expect(inserted("a", "a", "b", "c") == [true, false, true, true])
        // "d" starts a new generation: a–c are the previous one, still remembered.
        #expect(inserted("d", "a", "c", "d") == [true, false, false, false])
        #expect(inserted("e", "f") == [true, true])
        // "g" starts the third: a–c are forgotten, d–f remembered.
        #expect(inserted("g") == [true])
        #expect(!seen.contains("a") && !seen.contains("c"))
        #expect(seen.contains("d") && seen.contains("f") && seen.contains("g"))
        #expect(inserted("a") == [true])
    }
}
