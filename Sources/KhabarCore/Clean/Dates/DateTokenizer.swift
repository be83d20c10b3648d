/// One unit of a date line: a run of digits, a run of letters, or a single punctuation mark.
struct DateToken: Sendable {
    enum Kind: UInt8, Sendable {
        case number
        case word
        case symbol
    }

    var kind: Kind
    /// Whitespace separated this token from the previous one (`+0300` versus `+ 0300`).
    var spaceBefore: Bool
    /// The line the token sits on; a Hijri date yields to a Gregorian one on the same line.
    var line: Int32
    /// Digits in a number; the value is only kept for runs short enough to be a date part.
    var digitCount: Int32
    /// A number's value (-1 when it has more than nine digits), or a symbol's scalar value.
    var value: Int
    /// What a word means to a date; `.none` for numbers, symbols and unknown words.
    var lexeme: DateLexeme
}

/// Splits text into `DateToken`s in one pass over its scalars, folding the spelling variants
/// news sites mix freely: Arabic-Indic and Persian digits, hamza and alef forms, taa marbuta,
/// alef maksura, tatweel, diacritics, bidi marks, and dash or slash look-alikes.
enum DateTokenizer {
    /// Longer words cannot be in the lexicon, so they are never built into strings.
    static let longestWord = 16

    static func tokens(in text: String) -> [DateToken] {
        var builder = Builder()
        for scalar in text.unicodeScalars {
            builder.consume(scalar)
        }
        builder.finishRun()
        return builder.tokens
    }

    /// Folds a word the way the tokenizer does, so lexicon keys can be written naturally.
    static func foldedWord(_ word: String) -> String {
        var folded = String.UnicodeScalarView()
        for scalar in word.unicodeScalars where !isIgnorable(scalar.value) {
            if let letter = foldedLetter(scalar) { folded.append(letter) }
        }
        return String(folded)
    }

    private struct Builder {
        var tokens: [DateToken] = []
        var line: Int32 = 0
        var spacePending = false
        var runKind: DateToken.Kind?
        var runDigits: Int32 = 0
        var runValue = 0
        var word = String.UnicodeScalarView()
        var wordLength = 0

        mutating func consume(_ scalar: Unicode.Scalar) {
            let value = scalar.value
            if isIgnorable(value) { return }
            if let digit = DateTokenizer.digitValue(value) {
                if runKind != .number {
                    finishRun()
                    runKind = .number
                }
                runDigits += 1
                if runDigits <= 9 { runValue = runValue * 10 + digit }
                return
            }
            if let letter = foldedLetter(scalar) {
                if runKind != .word {
                    finishRun()
                    runKind = .word
                }
                wordLength += 1
                if wordLength <= DateTokenizer.longestWord { word.append(letter) }
                return
            }
            finishRun()
            if isLineBreak(value) {
                line &+= 1
                spacePending = true
            } else if scalar.properties.isWhitespace {
                spacePending = true
            } else {
                append(DateToken(kind: .symbol, spaceBefore: spacePending, line: line, digitCount: 0,
                                 value: Int(foldedSymbol(value)), lexeme: .none))
            }
        }

        mutating func finishRun() {
            switch runKind {
            case .number:
                append(DateToken(kind: .number, spaceBefore: spacePending, line: line, digitCount: runDigits,
                                 value: runDigits <= 9 ? runValue : -1, lexeme: .none))
            case .word:
                let lexeme = wordLength <= DateTokenizer.longestWord ? DateLexicon.lexeme(for: String(word)) : .none
                append(DateToken(kind: .word, spaceBefore: spacePending, line: line, digitCount: 0, value: 0, lexeme: lexeme))
            case .symbol, nil:
                break
            }
            runKind = nil
            runDigits = 0
            runValue = 0
            if wordLength > 0 {
                word = String.UnicodeScalarView()
                wordLength = 0
            }
        }

        mutating func append(_ token: DateToken) {
            tokens.append(token)
            spacePending = false
        }
    }

    static func digitValue(_ value: UInt32) -> Int? {
        switch value {
        case 0x30...0x39: return Int(value - 0x30)
        case 0x660...0x669: return Int(value - 0x660)  // Arabic-Indic
        case 0x6F0...0x6F9: return Int(value - 0x6F0)  // Persian
        default: return nil
        }
    }

    /// Marks that never separate words: Arabic diacritics and tatweel, Latin combining accents,
    /// and the invisible direction and joiner marks pages put around numbers.
    static func isIgnorable(_ value: UInt32) -> Bool {
        switch value {
        case 0x64B...0x65F, 0x670, 0x640, 0x6D6...0x6DC, 0x6DF...0x6E8, 0x6EA...0x6ED,
             0x300...0x36F, 0xAD, 0x61C, 0x200B...0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF:
            return true
        default:
            return false
        }
    }

    static func isLineBreak(_ value: UInt32) -> Bool {
        switch value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// The letter as the lexicon spells it, or `nil` when the scalar is not a letter.
    static func foldedLetter(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        let value = scalar.value
        switch value {
        case 0x61...0x7A:
            return scalar
        case 0x41...0x5A:
            return Unicode.Scalar(value + 0x20)
        case 0x622, 0x623, 0x625, 0x671, 0x672, 0x673:  // آ أ إ ٱ → ا
            return "\u{627}"
        case 0x629, 0x6D5, 0x6BE, 0x6C1:  // ة ە ھ ہ → ه
            return "\u{647}"
        case 0x649, 0x6CC, 0x6D2:  // ى ی ے → ي
            return "\u{64A}"
        case 0x6A9:  // ک → ك
            return "\u{643}"
        case 0x6A4:  // ڤ, written for the v in فيفري
            return "\u{641}"
        case 0x621...0x63A, 0x641...0x64A, 0x674...0x6D3:
            return scalar
        case 0x30...0x40, 0x5B...0x60, 0x7B...0x7F:
            return nil
        default:
            guard value > 0x7F, scalar.properties.isAlphabetic else { return nil }
            let lower = scalar.properties.lowercaseMapping.unicodeScalars
            return lower.count == 1 ? lower.first : scalar
        }
    }

    /// Collapses punctuation look-alikes so the matcher compares against ASCII only.
    static func foldedSymbol(_ value: UInt32) -> UInt32 {
        switch value {
        case 0x2010...0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D: return 0x2D  // dashes → -
        case 0x60C, 0x66C, 0xFF0C: return 0x2C  // Arabic comma, thousands separator → ,
        case 0x66B: return 0x2E  // Arabic decimal separator → .
        case 0x60D, 0x2044, 0x2215, 0xFF0F: return 0x2F  // Arabic date separator, fraction slash → /
        case 0xFF1A: return 0x3A  // fullwidth colon → :
        case 0xFF08: return 0x28
        case 0xFF09: return 0x29
        default: return value
        }
    }
}
