import Testing
@testable import KhabarCore

@Suite struct QualitySignalsTests {
    static let signalsCases: [(text: String, characters: Int, words: Int, arabic: Double, repeated: Double)] = [
        ("", 0, 0, 0, 0),
        ("مرحبا بالعالم", 13, 2, 1, 0),
        ("abc def", 7, 2, 0, 0),
        ("كلمة word", 9, 2, 0.5, 0),
        ("سطر\nسطر\nآخر\nسطر", 15, 4, 1, 0.5),
        // Harakat join their letter's character and are not letters of their own.
        ("كَتَبَ", 3, 1, 1, 0),
    ]

    @Test(arguments: signalsCases)
    func signals(text: String, characters: Int, words: Int, arabic: Double, repeated: Double) {
        let signals = QualitySignals(text: text)
        #expect(signals.characterCount == characters)
        #expect(signals.wordCount == words)
        #expect(abs(signals.arabicLetterRatio - arabic) < 0.001)
        #expect(abs(signals.repeatedLineRatio - repeated) < 0.001)
    }

    @Test func filterThresholds() {
        let short = QualitySignals(characterCount: 20, wordCount: 4, arabicLetterRatio: 1, repeatedLineRatio: 0)
        let long = QualitySignals(characterCount: 900, wordCount: 150, arabicLetterRatio: 1, repeatedLineRatio: 0.6)
        #expect(CleanFilter().admits(quality: short, language: nil))
        let filter = CleanFilter(minimumWords: 50, allowedLanguages: ["ar", "en"])
        #expect(!filter.admits(quality: short, language: "ar"))
        #expect(filter.admits(quality: long, language: "ar"))
        #expect(filter.admits(quality: long, language: "en"))
        #expect(!filter.admits(quality: long, language: "fr"))
        #expect(!filter.admits(quality: long, language: nil))
        #expect(!CleanFilter(maximumRepeatedLineRatio: 0.5).admits(quality: long, language: "ar"))
        #expect(filter.rejection(quality: short, language: "ar") == "4 words, fewer than 50")
    }
}
