/// A text's language as far as its script and function words tell.
public struct DetectedLanguage: Sendable, Equatable {
    /// ISO 639-1 code such as "ar", or nil when neither the text nor the page tells.
    public var code: String?
    /// "rtl" or "ltr".
    public var direction: String
    /// Arabic-script letters among all letters sampled, 0...1.
    public var arabicLetterRatio: Double

    public init(code: String?, direction: String, arabicLetterRatio: Double) {
        self.code = code
        self.direction = direction
        self.arabicLetterRatio = arabicLetterRatio
    }
}

/// Guesses a text's language from its letters: the majority script first, then within a script
/// distinguishing letters (Persian and Urdu in Arabic script, Ukrainian and Bulgarian in Cyrillic)
/// and function-word frequencies (Latin-script languages).
///
/// The page's declared language (`<html lang>`) decides only for short texts, or when it agrees
/// with the script and the text does not clearly point elsewhere.
public enum LanguageDetector {
    /// Texts with fewer letters give no reliable evidence of their own.
    static let minimumLetters = 20
    /// Enough letters to tell any of these languages apart; the rest of a long text is skipped.
    static let sampleLetters = 4_000
    /// Function words are short; longer words need not be looked up.
    static let maximumFunctionWordLength = 8

    public static func detect(text: String, declared: String?) -> DetectedLanguage {
        let declaredCode = declared.flatMap(normalizedCode)
        var counts = LetterCounts()
        counts.count(text)

        let letters = counts.totalLetters
        let arabicRatio = letters == 0 ? 0 : Double(counts.letters(in: .arabic)) / Double(letters)
        let majority = counts.majorityScript

        let code: String?
        if let majority, letters >= minimumLetters {
            code = decide(scores: counts.languageScores(for: majority), script: majority, declared: declaredCode)
        } else if let declaredCode {
            code = declaredCode
        } else if let majority, majority != .latin {
            // A few letters of a script used by one language (or led by one) still name it.
            code = counts.languageScores(for: majority).max { $0.value < $1.value }?.key
        } else {
            code = nil
        }
        let direction: String
        if let code {
            direction = rightToLeftLanguages.contains(code) ? "rtl" : "ltr"
        } else {
            direction = majority == .arabic || majority == .hebrew ? "rtl" : "ltr"
        }
        return DetectedLanguage(code: code, direction: direction, arabicLetterRatio: arabicRatio)
    }

    /// The declared language stands when it is written in the text's script and the text's own
    /// evidence does not clearly favour another language (twice its score).
    private static func decide(scores: [String: Double], script: Script, declared: String?) -> String? {
        let best = scores.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }
        if let declared, Script.of(languageCode: declared) == script {
            guard let best, best.value > 0 else { return declared }
            guard let declaredScore = scores[declared] else { return declared }  // A language the model lacks.
            return declaredScore * 2 >= best.value ? declared : best.key
        }
        guard let best, best.value > 0 else { return nil }
        return best.key
    }

    /// "ar-EG" → "ar", "en_US" → "en"; nil for anything that is not a language code.
    static func normalizedCode(_ declared: String) -> String? {
        let primary = declared.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == " " || $0 == "\t" || $0 == "\n" })
            .first.map { $0.lowercased() }
        guard let primary, (2...3).contains(primary.count), primary.allSatisfy({ $0 >= "a" && $0 <= "z" }) else {
            return nil
        }
        // Codes ISO 639 withdrew but pages still use.
        switch primary {
        case "iw": return "he"
        case "in": return "id"
        case "ji": return "yi"
        default: return primary
        }
    }

    static let rightToLeftLanguages: Set<String> = ["ar", "fa", "ur", "he", "ps", "ku", "ckb", "yi", "dv", "sd", "ug"]
}

// MARK: - Scripts

enum Script: Int, Sendable, CaseIterable {
    case arabic, hebrew, cyrillic, greek, cjk, thai, devanagari, latin, other

    /// The script a scalar's letter belongs to; nil for anything but a letter.
    @inline(__always)
    static func of(_ value: UInt32) -> Script? {
        switch value {
        case 0x41...0x5A, 0x61...0x7A: return .latin
        case 0..<0xC0: return nil
        case 0xC0...0x24F: return value == 0xD7 || value == 0xF7 ? nil : .latin
        case 0x370...0x3FF: return value >= 0x386 && value != 0x387 ? .greek : nil
        case 0x400...0x52F: return (0x482...0x489).contains(value) ? nil : .cyrillic
        case 0x5D0...0x5F2: return .hebrew
        case 0x620...0x63F, 0x641...0x64A, 0x66E...0x6D3, 0x6D5, 0x6EE...0x6EF, 0x6FA...0x6FF, 0x750...0x77F,
            0x8A0...0x8C9, 0xFB50...0xFDFF, 0xFE70...0xFEFC:
            return .arabic
        case 0x900...0x939, 0x93D, 0x950, 0x958...0x961, 0x972...0x97F: return .devanagari
        case 0xE01...0xE30, 0xE32...0xE33, 0xE40...0xE46: return .thai
        case 0x1E00...0x1EFF: return .latin
        case 0x1F00...0x1FFF: return .greek
        case 0x3041...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9D, 0xAC00...0xD7A3, 0x1100...0x11FF, 0x3130...0x318F,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FFFF:
            return .cjk
        case 0xFB1D...0xFB4F: return .hebrew
        default: return nil
        }
    }

    static func of(languageCode code: String) -> Script {
        switch code {
        case "ar", "fa", "ur", "ps", "ckb", "ku", "sd", "ug": return .arabic
        case "he", "yi": return .hebrew
        case "ru", "uk", "bg", "be", "mk", "kk", "ky", "mn", "tg", "sr": return .cyrillic
        case "el": return .greek
        case "ja", "ko", "zh": return .cjk
        case "th": return .thai
        case "hi", "mr", "ne", "sa": return .devanagari
        case "bn", "ta", "te", "ml", "kn", "gu", "pa", "si", "ka", "hy", "am", "dv", "km", "lo", "my": return .other
        default: return .latin
        }
    }
}

// MARK: - Evidence

/// Letter counts per script and the within-script clues, gathered in one pass over a sample.
/// Fixed-size counters and hashed words keep the pass free of allocations.
struct LetterCounts {
    var letterCounts = [Int](repeating: 0, count: Script.allCases.count)
    var totalLetters = 0
    /// Per letter of the Arabic (U+06xx) and Cyrillic (U+04xx) blocks, for the distinguishing letters.
    var arabicBlock = [Int](repeating: 0, count: 256)
    var cyrillicBlock = [Int](repeating: 0, count: 256)
    var kana = 0
    var hangul = 0
    /// Function-word hits per language, indexed like `FunctionWords.languages`.
    var functionWords = [Int](repeating: 0, count: FunctionWords.languages.count)

    func letters(in script: Script) -> Int { letterCounts[script.rawValue] }

    /// The script most letters belong to.
    var majorityScript: Script? {
        guard totalLetters > 0 else { return nil }
        return Script.allCases.max { letters(in: $0) < letters(in: $1) }
    }

    mutating func count(_ text: String) {
        var wordHash = FunctionWords.emptyHash
        var wordLength = 0
        var wordScript: Script?

        for scalar in text.unicodeScalars {
            let value = scalar.value
            guard let script = Script.of(value) else {
                // Arabic and Hebrew vowel marks and tatweel sit inside words.
                if (0x64B...0x65F).contains(value) || value == 0x640 || value == 0x670 || (0x591...0x5C7).contains(value) {
                    continue
                }
                finishWord(hash: wordHash, length: wordLength, script: wordScript)
                wordHash = FunctionWords.emptyHash
                wordLength = 0
                wordScript = nil
                continue
            }
            letterCounts[script.rawValue] += 1
            totalLetters += 1
            switch script {
            case .arabic where value >> 8 == 0x06: arabicBlock[Int(value & 0xFF)] += 1
            case .cyrillic where value >> 8 == 0x04: cyrillicBlock[Int(value & 0xFF)] += 1
            case .cjk:
                if LetterCounts.isKana(value) { kana += 1 } else if LetterCounts.isHangul(value) { hangul += 1 }
            default: break
            }
            if script != wordScript {
                finishWord(hash: wordHash, length: wordLength, script: wordScript)
                wordHash = FunctionWords.emptyHash
                wordLength = 0
                wordScript = script
            }
            wordLength += 1
            if wordLength <= LanguageDetector.maximumFunctionWordLength {
                wordHash = FunctionWords.hash(wordHash, FunctionWords.folded(value))
            }
            if totalLetters >= LanguageDetector.sampleLetters { break }
        }
        finishWord(hash: wordHash, length: wordLength, script: wordScript)
    }

    private mutating func finishWord(hash: UInt64, length: Int, script: Script?) {
        guard length > 0, length <= LanguageDetector.maximumFunctionWordLength,
            script == .latin || script == .arabic,
            let languages = FunctionWords.languagesByWordHash[hash]
        else { return }
        for language in languages { functionWords[language] += 1 }
    }

    private func marker(_ letters: String) -> Int {
        letters.unicodeScalars.reduce(0) { total, scalar in
            switch scalar.value >> 8 {
            case 0x06: return total + arabicBlock[Int(scalar.value & 0xFF)]
            case 0x04: return total + cyrillicBlock[Int(scalar.value & 0xFF)]
            default: return total
            }
        }
    }

    private func words(_ language: String) -> Double {
        guard let index = FunctionWords.languages.firstIndex(of: language) else { return 0 }
        return Double(functionWords[index])
    }

    /// How strongly the text points to each language the script is modelled for.
    func languageScores(for script: Script) -> [String: Double] {
        let scriptLetters = Double(max(letters(in: script), 1))
        switch script {
        case .arabic:
            // Persian and Urdu share پ چ ژ گ and the yeh ی and keheh ک, which Arabic writes ي and ك;
            // only Urdu has ٹ ڈ ڑ ں ے ہ ھ.
            let persianLetters = Double(marker("پچژگیک"))
            let urduLetters = Double(marker("ٹڈڑںےہھ"))
            let arabicLetters = Double(marker("يكة"))
            return [
                "ar": arabicLetters + 5 * words("ar") + 0.5,
                "fa": persianLetters + 5 * words("fa"),
                "ur": persianLetters + 3 * urduLetters + 5 * words("ur"),
            ]
        case .cyrillic:
            let ukrainian = Double(marker("іїєґІЇЄҐ")) / scriptLetters
            let russianOnly = Double(marker("ыэёЫЭЁ")) / scriptLetters
            let hardSign = Double(marker("ъЪ")) / scriptLetters
            if ukrainian > 0.01 { return ["uk": 1, "ru": 0, "bg": 0] }
            if russianOnly < 0.002 && hardSign > 0.008 { return ["bg": 1, "ru": 0, "uk": 0] }
            return ["ru": 1, "uk": 0, "bg": 0]
        case .cjk:
            let kana = Double(kana)
            let hangul = Double(hangul)
            if hangul * 2 >= scriptLetters { return ["ko": 1, "ja": 0, "zh": 0] }
            if kana >= scriptLetters * 0.05 { return ["ja": 1, "ko": 0, "zh": 0] }
            return ["zh": 1, "ja": 0, "ko": 0]
        case .latin:
            var scores: [String: Double] = [:]
            for language in FunctionWords.latinLanguages { scores[language] = words(language) }
            // One hit in a long text is chance, not evidence.
            return scores.values.max() ?? 0 >= 2 ? scores : [:]
        case .hebrew: return ["he": 1]
        case .greek: return ["el": 1]
        case .thai: return ["th": 1]
        case .devanagari: return ["hi": 1]
        case .other: return [:]
        }
    }

    static func isKana(_ value: UInt32) -> Bool {
        (0x3041...0x30FF).contains(value) || (0x31F0...0x31FF).contains(value) || (0xFF66...0xFF9D).contains(value)
    }

    static func isHangul(_ value: UInt32) -> Bool {
        (0xAC00...0xD7A3).contains(value) || (0x1100...0x11FF).contains(value) || (0x3130...0x318F).contains(value)
    }
}

/// The commonest function words of each modelled language, as written in running news text.
enum FunctionWords {
    static let latinLanguages = ["en", "fr", "de", "es", "it", "pt", "id", "nl", "tr"]

    static let wordsByLanguage: [String: String] = [
        "en": "the of and to in a is that for on with as was by it at from he his be are this have has an not but they which or were their been had will who its said after would more one also about than there",
        "fr": "le la les de des du un une et est en que qui dans pour pas sur au aux par avec ce il elle ne se sont été plus ou mais son sa ses leur cette nous vous ont comme être fait aussi selon",
        "de": "der die das und ist in den von zu mit sich des auf für nicht ein eine dem im auch es an als nach wie bei aus werden wird hat sind oder sie er noch um einer über so zum zur",
        "es": "el la los las de del que y en un una es por con para se no al lo su sus como más pero fue ha sido este esta entre también sobre ya le son muy desde hasta",
        "it": "il lo la gli le di del della dei che e è un una per con non si da al alla nel nella sono ha anche come più ma ai degli delle questo questa essere stato tra sul dalla",
        "pt": "o a os as de do da dos das que e é um uma para com não no na nos se por mais como mas foi ao ele ela seu sua são tem pelo pela também entre sobre já está",
        "id": "yang dan di ke dari ini itu dengan untuk tidak dalam akan pada juga adalah ada oleh karena bisa sudah saya kami kita mereka telah atau seperti tersebut para hanya lebih bahwa namun setelah dapat antara jika masih",
        "nl": "de het een en van in is dat op te zijn met voor niet die aan er ook als bij door maar om werd worden wordt nog naar uit dan was hij zij heeft hebben deze dit tot over geen",
        "tr": "ve bir bu da de için ile çok daha olarak gibi en ne o ama sonra kadar olan göre ise değil var yok her şey bunu ancak ayrıca tarafından oldu olduğu ki mi diye üzerinde arasında",
        "ar": "في من على إلى أن التي الذي عن مع هذا هذه كان قد لا ما أو بين بعد كل إن ذلك وقال حيث عند لم قال وفي ولا منذ خلال تلك أي كما وهو وهي",
        "fa": "را است این که از به در با برای می آن یک شد های هم بود تا خود نیز کرد شده اما ها او کند دارد پس",
        "ur": "ہے کے میں کی ہیں سے اور کا کو نے پر یہ بھی تھا تھی گیا ہو کہ وہ ایک کر جو لیے ان نہیں",
    ]

    static let languages = latinLanguages + ["ar", "fa", "ur"]

    /// Words are looked up by a 64-bit FNV-1a hash of their case-folded scalars, built while
    /// scanning, so no word is ever copied into a string.
    static let languagesByWordHash: [UInt64: [Int]] = {
        var table: [UInt64: [Int]] = [:]
        for (index, language) in languages.enumerated() {
            for word in (wordsByLanguage[language] ?? "").split(separator: " ") {
                let wordHash = word.unicodeScalars.reduce(emptyHash) { partial, scalar in Self.hash(partial, folded(scalar.value)) }
                table[wordHash, default: []].append(index)
            }
        }
        return table
    }()

    static let emptyHash: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always)
    static func hash(_ hash: UInt64, _ value: UInt32) -> UInt64 {
        (hash ^ UInt64(value)) &* 0x0000_0100_0000_01B3
    }

    /// Lower case for the Latin letters function words use: ASCII and Latin-1 capitals.
    @inline(__always)
    static func folded(_ value: UInt32) -> UInt32 {
        (0x41...0x5A).contains(value) || ((0xC0...0xDE).contains(value) && value != 0xD7) ? value | 0x20 : value
    }
}
