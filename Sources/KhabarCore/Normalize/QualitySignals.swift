/// Cheap measurements of a cleaned text, written with each record so that later stages (and
/// `CleanFilter`) can drop stubs, wrong-language pages and spam.
public struct QualitySignals: Sendable, Equatable {
    /// Characters (grapheme clusters) of the text, newlines included.
    public var characterCount: Int
    /// Whitespace-separated words.
    public var wordCount: Int
    /// Arabic-script letters among all letters, 0...1 (0 for a text without letters).
    public var arabicLetterRatio: Double
    /// Lines that repeat an earlier line of the same text (after folding), among all lines,
    /// 0...1: high for spun or template pages.
    public var repeatedLineRatio: Double

    public init(characterCount: Int, wordCount: Int, arabicLetterRatio: Double, repeatedLineRatio: Double) {
        self.characterCount = characterCount
        self.wordCount = wordCount
        self.arabicLetterRatio = arabicLetterRatio
        self.repeatedLineRatio = repeatedLineRatio
    }

    public init(text: String) {
        var characters = 0
        var words = 0
        var inWord = false
        for character in text {
            characters += 1
            let isSpace = character.isWhitespace
            if !isSpace && !inWord { words += 1 }
            inWord = !isSpace
        }
        var letters = 0
        var arabicLetters = 0
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic {
            // Combining marks (harakat) are alphabetic too; count base letters only.
            guard scalar.properties.generalCategory != .nonspacingMark else { continue }
            letters += 1
            if (0x0600...0x06FF).contains(scalar.value) || (0x0750...0x077F).contains(scalar.value)
                || (0x08A0...0x08FF).contains(scalar.value) || (0xFB50...0xFDFF).contains(scalar.value)
                || (0xFE70...0xFEFF).contains(scalar.value) {
                arabicLetters += 1
            }
        }
        var seen = Set<String>()
        var lineCount = 0
        var repeated = 0
        for line in text.split(whereSeparator: \.isNewline) {
            let key = BoilerplateLexicon.comparisonKey(String(line))
            guard !key.isEmpty else { continue }
            lineCount += 1
            if !seen.insert(key).inserted { repeated += 1 }
        }
        self.init(
            characterCount: characters,
            wordCount: words,
            arabicLetterRatio: letters == 0 ? 0 : Double(arabicLetters) / Double(letters),
            repeatedLineRatio: lineCount == 0 ? 0 : Double(repeated) / Double(lineCount)
        )
    }
}

/// Which cleaned records are worth keeping. Every bound is optional; the default keeps all.
public struct CleanFilter: Sendable, Equatable {
    public var minimumWords: Int?
    /// ISO 639-1 codes; a record whose language is unknown or not listed is dropped.
    public var allowedLanguages: Set<String>?
    public var maximumRepeatedLineRatio: Double?

    public init(minimumWords: Int? = nil, allowedLanguages: Set<String>? = nil, maximumRepeatedLineRatio: Double? = nil) {
        self.minimumWords = minimumWords
        self.allowedLanguages = allowedLanguages
        self.maximumRepeatedLineRatio = maximumRepeatedLineRatio
    }

    /// Why a record fails, or `nil` when it passes.
    public func rejection(quality: QualitySignals, language: String?) -> String? {
        if let minimumWords, quality.wordCount < minimumWords {
            return "\(quality.wordCount) words, fewer than \(minimumWords)"
        }
        if let allowedLanguages, !allowedLanguages.contains(language ?? "") {
            return "language \(language ?? "unknown") not in \(allowedLanguages.sorted().joined(separator: ","))"
        }
        if let maximumRepeatedLineRatio, quality.repeatedLineRatio > maximumRepeatedLineRatio {
            return "repeated-line ratio \(quality.repeatedLineRatio) above \(maximumRepeatedLineRatio)"
        }
        return nil
    }

    public func admits(quality: QualitySignals, language: String?) -> Bool {
        rejection(quality: quality, language: language) == nil
    }
}
