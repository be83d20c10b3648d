internal import Foundation

/// Recognizes the short lines around an article that carry its byline or its date, so the
/// metadata pass can read them and the content pass can keep them out of the body.
public enum BylineDetector {
    /// Prefixes that introduce a byline on their own.
    /// Longest first, so "الكاتب الصحفي" wins over "الكاتب".
    static let strongBylinePrefixes = LabelSet([
        "بقلم", "بواسطة", "الكاتبة", "الكاتب", "الكاتب الصحفي", "الكاتبة الصحفية", "إعداد",
        "اعداد", "المؤلف", "تحرير", "written by", "reporting by", "reported by", "posted by", "author", "by",
    ].sorted { $0.count > $1.count })
    /// `كتب` is also an everyday verb ("كتب الرئيس في تغريدة…"): a byline only when punctuated
    /// (`كتب: فلان`, `كتب - فلان`) or when the line is just a name.
    static let weakBylinePrefixes = LabelSet(["كتبت", "كتبه", "كتبها", "كتب"])
    /// Labels that introduce a publication or update stamp.
    static let dateLabels = LabelSet(([
        "تاريخ النشر", "تاريخ الإضافة", "تاريخ الاضافة", "نشر في", "نُشر في", "نشر بتاريخ", "نُشر بتاريخ",
        "نشر يوم", "نُشر يوم", "آخر تحديث", "اخر تحديث", "أخر تحديث", "تم التحديث", "تم النشر", "التاريخ",
        "تحديث", "last updated", "last modified", "updated on", "updated", "published on", "published",
        "posted on", "posted", "date",
    ] as [String]).sorted { $0.count > $1.count })
    /// Labels that mark the stamp as an update rather than the first publication.
    static let updateLabels = LabelSet(["آخر تحديث", "اخر تحديث", "أخر تحديث", "تم التحديث", "تحديث", "last updated", "last modified", "updated"])
    /// Every label above: a line whose first word starts none of them is at most a bare date.
    static let anyLabel = LabelSet(strongBylinePrefixes.prefixes + weakBylinePrefixes.prefixes + dateLabels.prefixes)

    private static let dateWords: Set<String> = [
        "يناير", "فبراير", "مارس", "أبريل", "ابريل", "إبريل", "مايو", "يونيو", "يونيه", "يوليو", "يوليه",
        "أغسطس", "اغسطس", "سبتمبر", "أكتوبر", "اكتوبر", "نوفمبر", "ديسمبر", "كانون", "شباط", "آذار", "اذار",
        "نيسان", "أيار", "ايار", "حزيران", "تموز", "آب", "اب", "أيلول", "ايلول", "تشرين", "الأول", "الاول",
        "الثاني", "جانفي", "فيفري", "أفريل", "افريل", "ماي", "جوان", "جويلية", "أوت", "اوت", "الأحد", "الاحد",
        "الإثنين", "الاثنين", "الثلاثاء", "الأربعاء", "الاربعاء", "الخميس", "الجمعة", "السبت", "ص", "م", "صباحا",
        "مساء", "مساءً", "صباحاً", "الساعة", "هـ", "م.", "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "am", "pm", "gmt", "utc", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday", "at", "في", "on", "|", "-", "/", "·", "•",
    ]

    /// Whether `line` is a byline ("بقلم فلان", "By Jane Doe") or a date/time stamp
    /// ("نشر في 20 يونيو 2024", "آخر تحديث: …", "Updated 3 June", "20-06-2024, 05:00").
    public static func isBylineOrDateline(_ line: String) -> Bool {
        // Most article lines start with no label; those can only be a bare date, which needs a
        // digit and few words. All three are checked on the bytes before any String work.
        let mayHaveLabel = anyLabel.mayStart(line)
        if !mayHaveLabel {
            guard containsDigit(line), asciiSeparatedWordCount(line) <= 12 else { return false }
            // The rest of the test is read off the bytes when they allow it (most lines).
            if let scan = PlainDateScan(line, collapsing: true) {
                return (scan.collapsedBytes <= 120 || scan.collapsedScalars <= 120) && scan.words <= 12 && scan.isMostlyDate
            }
        }
        let text = MetadataText.collapsedString(line)
        guard !text.isEmpty, text.utf8.count <= 120 || text.count <= 120 else { return false }
        if mayHaveLabel {
            if let rest = remainder(of: text, afterAnyOf: strongBylinePrefixes) {
                return !rest.isEmpty && MetadataText.wordCount(rest) <= 10
            }
            if let rest = remainder(of: text, afterAnyOf: weakBylinePrefixes, requirePunctuation: true) {
                return !rest.isEmpty && MetadataText.wordCount(rest) <= 10
            }
            if let rest = remainder(of: text, afterAnyOf: dateLabels) {
                return containsDigit(rest) && MetadataText.wordCount(text) <= 14
            }
        }
        // The cheaper test first.
        return isMostlyDate(text) && MetadataText.wordCount(text) <= 12
    }

    /// The name in a byline line: prefix, trailing date, role and separators removed.
    /// `nil` when the line is not a byline or leaves no plausible name.
    public static func author(fromBylineLine line: String) -> String? {
        let text = MetadataText.collapsedString(line)
        guard !text.isEmpty, text.count <= 160 else { return nil }
        let rest = remainder(of: text, afterAnyOf: strongBylinePrefixes)
            ?? remainder(of: text, afterAnyOf: weakBylinePrefixes, requirePunctuation: true)
        guard let rest else { return nil }
        return cleanedName(rest)
    }

    /// A person's name from text that an element marks as an author (prefix optional).
    static func cleanedName(_ text: String) -> String? {
        var name = MetadataText.collapsedString(text)
        if let rest = remainder(of: name, afterAnyOf: strongBylinePrefixes)
            ?? remainder(of: name, afterAnyOf: weakBylinePrefixes, requirePunctuation: true) {
            name = rest
        }
        // Whatever follows the name on the same line: a date, a role, a section.
        for separator in [" | ", "|", " - ", " – ", " — ", "،", " · ", "·", " • ", "•", "\u{200F}-"] {
            if let range = name.range(of: separator) { name = String(name[..<range.lowerBound]) }
        }
        if let digit = name.firstIndex(where: { $0.isNumber }) { name = String(name[..<digit]) }
        name = name.trimmingCharacters(in: namePunctuation)
        guard !name.isEmpty, name.count <= 80, MetadataText.wordCount(name) <= 8,
              !MetadataText.looksLikeURL(name), !MetadataText.looksLikeEmail(name),
              name.contains(where: { $0.isLetter }) else { return nil }
        if remainder(of: name, afterAnyOf: dateLabels) != nil || isMostlyDate(name) { return nil }
        return name
    }

    private static let namePunctuation: Set<Character> = [" ", ":", "-", "–", "—", "/", "،", ",", ".", "|", "»", "«", "(", ")", "•", "·", "@"]

    // MARK: Pieces

    /// The text after one of `prefixes` (matched at a word boundary, ASCII case ignored),
    /// with the `:`/`-`/`/` that may follow it removed.
    static func remainder(of text: String, afterAnyOf labels: LabelSet, requirePunctuation: Bool = false) -> String? {
        guard labels.mayStart(text), labels.mayPrefix(text) else { return nil }
        if let plain = labels.plainRemainder(of: text, requirePunctuation: requirePunctuation) { return plain }
        return remainderOnCharacters(of: text, afterAnyOf: labels, requirePunctuation: requirePunctuation)
    }

    /// `remainder` past its byte pre-checks and plain-line path, on `Character`s: for any line.
    static func remainderOnCharacters(of text: String, afterAnyOf labels: LabelSet, requirePunctuation: Bool = false) -> String? {
        let lowered = text.lowercased()
        for prefix in labels.prefixes where lowered.hasPrefix(prefix) {
            var rest = lowered.dropFirst(prefix.count)
            guard rest.isEmpty || rest.first == " " || rest.first == ":" || rest.first == "/" || rest.first == "-" || rest.first == "،" || rest.first == "." else { continue }
            let afterPrefix = rest
            rest = rest.drop(while: { $0 == " " || $0 == ":" || $0 == "/" || $0 == "-" || $0 == "–" || $0 == "،" || $0 == "." })
            if requirePunctuation {
                let punctuated = afterPrefix.prefix(3).contains(where: { $0 == ":" || $0 == "-" || $0 == "–" || $0 == "/" })
                guard punctuated || MetadataText.wordCount(String(rest)) <= 3 else { continue }
            }
            // Map back to the original text (lower-casing keeps Arabic and length of ASCII).
            let offset = text.count - rest.count
            return String(text.dropFirst(offset))
        }
        return nil
    }

    /// `dateWords` as UTF-8 in canonical composed form, the form a plain token is in.
    fileprivate static let dateWordBytes = ByteStringSet(dateWords.map { Array($0.precomposedStringWithCanonicalMapping.utf8) })
    fileprivate static let longestDateWord = dateWords.map { $0.precomposedStringWithCanonicalMapping.utf8.count }.max() ?? 0

    /// ASCII, Arabic-Indic or extended Arabic-Indic digits, found in the UTF-8 bytes
    /// (U+0660…U+0669 are D9 A0…A9, U+06F0…U+06F9 are DB B0…B9).
    private static func containsDigit(_ text: some StringProtocol) -> Bool {
        // On the contiguous bytes when there are (a native string): iterating the UTF-8 view
        // costs a bounds and representation check per byte.
        if let found = text.utf8.withContiguousStorageIfAvailable(containsDigit(utf8:)) { return found }
        return containsDigit(utf8: text.utf8)
    }

    private static func containsDigit(utf8: some Sequence<UInt8>) -> Bool {
        var previous: UInt8 = 0
        for byte in utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (previous == 0xD9 && byte >= 0xA0 && byte <= 0xA9)
                || (previous == 0xDB && byte >= 0xB0 && byte <= 0xB9) { return true }
            previous = byte
        }
        return false
    }

    /// Words separated by ASCII whitespace: never more than the words of the collapsed line
    /// (which also splits at Unicode spaces), so a bound on it is safe.
    private static func asciiSeparatedWordCount(_ text: String) -> Int {
        var words = 0
        var inWord = false
        for byte in text.utf8 {
            let isSpace = byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
            if !isSpace && !inWord { words += 1 }
            inWord = !isSpace
        }
        return words
    }

    /// Most tokens are numbers, month or weekday names, clock words or separators.
    static func isMostlyDate(_ text: String) -> Bool {
        PlainDateScan(text, collapsing: false)?.isMostlyDate ?? isMostlyDateOnCharacters(text)
    }

    /// `isMostlyDate` of any text: on its lower-cased `Character`s.
    static func isMostlyDateOnCharacters(_ text: String) -> Bool {
        guard containsDigit(text) else { return false }
        let tokens = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "،" })
        guard !tokens.isEmpty else { return false }
        var dateTokens = 0
        for token in tokens {
            let trimmed = token.trimmingCharacters(in: [".", ":", "(", ")"])
            if trimmed.isEmpty || containsDigit(trimmed) || dateWords.contains(trimmed) { dateTokens += 1 }
        }
        return dateTokens * 10 >= tokens.count * 7
    }
}

/// Scalars that need no `Character` or Unicode work to compare: printable ASCII, the Arabic
/// comma, Arabic letters without marks, tatweel, both Arabic digit rows, and « » · – — ‘ ’ “ ”
/// • …. None of them joins a grapheme cluster with its neighbours, so in a run of them each
/// is one `Character`; `lowercased()` changes only ASCII capitals; and a run of them is in
/// canonical composed form, so it equals a `String` exactly when its bytes equal that
/// string's composed bytes (provided the scalar after it is plain too, or there is none).
enum PlainScalars {
    /// The byte length of the plain scalar at `index` (a scalar boundary), or 0.
    @inline(__always)
    static func length(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let byte = bytes[index]
        if byte < 0x80 { return byte >= 0x20 && byte <= 0x7E ? 1 : 0 }
        guard index + 1 < bytes.count else { return 0 }
        let second = bytes[index + 1]
        switch byte {
        case 0xC2:  // « » ·
            return second == 0xAB || second == 0xBB || second == 0xB7 ? 2 : 0
        case 0xD8:  // ، and U+0621…U+063A
            return second == 0x8C || (0xA1...0xBA).contains(second) ? 2 : 0
        case 0xD9:  // tatweel, U+0641…U+064A, U+0660…U+0669
            return (0x80...0x8A).contains(second) || (0xA0...0xA9).contains(second) ? 2 : 0
        case 0xDB:  // U+06F0…U+06F9
            return (0xB0...0xB9).contains(second) ? 2 : 0
        case 0xE2:  // – — ‘ ’ “ ” • …
            guard second == 0x80, index + 2 < bytes.count else { return 0 }
            switch bytes[index + 2] {
            case 0x93, 0x94, 0x98, 0x99, 0x9C, 0x9D, 0xA2, 0xA6: return 3
            default: return 0
            }
        default:
            return 0
        }
    }

    /// Whether `bytes` are made only of plain scalars (then each scalar is a `Character`).
    static func spans(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            let length = Self.length(bytes, at: index)
            guard length > 0 else { return false }
            index += length
        }
        return true
    }
}

/// What `isMostlyDate` and the bare-date test of `isBylineOrDateline` need, read on the bytes
/// of a line of `PlainScalars` and ASCII whitespace, without building the collapsed,
/// lower-cased line and its tokens; `nil` for any other line, which takes the String path.
struct PlainDateScan {
    /// Of the line with whitespace collapsed and trimmed (`MetadataText.collapsedString`).
    private(set) var collapsedBytes = 0
    private(set) var collapsedScalars = 0
    /// Separated by spaces (`MetadataText.wordCount` of the collapsed line).
    private(set) var words = 0
    /// Separated by spaces, "," and "،" (`isMostlyDate`'s tokens), and those that are numbers,
    /// date words or only punctuation.
    private var tokens = 0
    private var dateTokens = 0
    private var hasDigit = false

    var isMostlyDate: Bool { hasDigit && tokens > 0 && dateTokens * 10 >= tokens * 7 }

    /// - Parameter collapsing: whether other ASCII whitespace separates words as the space
    ///   does (the line is collapsed first); if not, a line holding any is not plain.
    init?(_ text: String, collapsing: Bool) {
        guard let scan = text.utf8.withContiguousStorageIfAvailable({ Self(utf8: $0, collapsing: collapsing) }) ?? nil else { return nil }
        self = scan
    }

    private init?(utf8 bytes: UnsafeBufferPointer<UInt8>, collapsing: Bool) {
        var nonSpaceBytes = 0
        var nonSpaceScalars = 0
        var inWord = false
        var tokenStart = 0
        var tokenHasDigit = false
        var index = 0
        let count = bytes.count
        // One scalar a step; the end of the line ends the last word and token.
        while index <= count {
            var length = 1
            var isSpace = index == count
            var isTokenSeparator = false
            if index < count {
                let byte = bytes[index]
                if byte == 0x20 || (collapsing && byte >= 0x09 && byte <= 0x0D) {
                    isSpace = true
                } else {
                    length = PlainScalars.length(bytes, at: index)
                    guard length > 0 else { return nil }
                    let second = length > 1 ? bytes[index + 1] : 0
                    isTokenSeparator = byte == 0x2C || (byte == 0xD8 && second == 0x8C)
                    if (byte >= 0x30 && byte <= 0x39) || (byte == 0xD9 && second >= 0xA0) || byte == 0xDB {
                        hasDigit = true
                        tokenHasDigit = true
                    }
                }
            }
            if isSpace || isTokenSeparator {
                if tokenStart < index { countToken(bytes, tokenStart..<index, hasDigit: tokenHasDigit) }
                tokenStart = index + length
                tokenHasDigit = false
            }
            if isSpace {
                inWord = false
            } else {
                if !inWord { words += 1 }
                inWord = true
                nonSpaceBytes += length
                nonSpaceScalars += 1
            }
            index += length
        }
        collapsedBytes = words == 0 ? 0 : nonSpaceBytes + words - 1
        collapsedScalars = words == 0 ? 0 : nonSpaceScalars + words - 1
    }

    /// A date token: only ". : ( )", or with a digit, or (those trimmed, lower-cased) a date word.
    private mutating func countToken(_ bytes: UnsafeBufferPointer<UInt8>, _ token: Range<Int>, hasDigit: Bool) {
        tokens += 1
        var first = token.lowerBound
        var last = token.upperBound
        func isTrimmed(_ byte: UInt8) -> Bool { byte == 0x2E || byte == 0x3A || byte == 0x28 || byte == 0x29 }
        while first < last && isTrimmed(bytes[first]) { first += 1 }
        while last > first && isTrimmed(bytes[last - 1]) { last -= 1 }
        if first == last || hasDigit {
            dateTokens += 1
            return
        }
        // Date words are short: a longer token is not one, and a short one is lower-cased on
        // the stack.
        let length = last - first
        guard length <= BylineDetector.longestDateWord else { return }
        let isDateWord = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: BylineDetector.longestDateWord) { lowered in
            for offset in 0..<length {
                let byte = bytes[first + offset]
                lowered[offset] = byte &- 0x41 < 26 ? byte | 0x20 : byte
            }
            return BylineDetector.dateWordBytes.contains(UnsafeBufferPointer(rebasing: lowered[0..<length]))
        }
        if isDateWord { dateTokens += 1 }
    }
}

/// Label prefixes ("بقلم", "last updated"), with the first words they can start a line with,
/// so that most lines are ruled out by one byte comparison of their first word.
struct LabelSet: Sendable {
    /// Lower-case labels, in matching order.
    let prefixes: [String]
    /// The labels' first words, as UTF-8.
    private let firstWords: [[UInt8]]
    /// The labels as UTF-8 in canonical composed form, and the longest's length.
    private let composedPrefixes: [[UInt8]]
    private let longestComposedPrefix: Int

    init(_ prefixes: [String]) {
        self.prefixes = prefixes
        composedPrefixes = prefixes.map { Array($0.precomposedStringWithCanonicalMapping.utf8) }
        longestComposedPrefix = composedPrefixes.map(\.count).max() ?? 0
        var firstWords: [[UInt8]] = []
        for prefix in prefixes {
            let word = Array(prefix.utf8.prefix { $0 != 0x20 })
            if !firstWords.contains(word) { firstWords.append(word) }
        }
        self.firstWords = firstWords
    }

    /// `false` only when `text` (whitespace-collapsed or not) certainly starts with none of
    /// the labels as `BylineDetector.remainder` matches them.
    ///
    /// The line's first scalar must be able to start a label's first `Character`. The first
    /// word ends where a label must end (space, `:`, `/`, `-`, `.`, `،`). When it is
    /// made of ASCII letters and plain Arabic letters only, each of its scalars is a whole
    /// `Character` with no other canonically equivalent spelling, and lower-casing it is ASCII
    /// lower-casing; so `hasPrefix` on the lower-cased text can only succeed if the word equals
    /// a label's first word byte for byte. Any other word (digits, diacritics, marks, unusual
    /// spaces) is left to the full test.
    func mayStart(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { mayStart(utf8: $0) } ?? true
    }

    /// `false` only when `text.lowercased().hasPrefix(label)` holds for no label (as
    /// `BylineDetector.remainder` tests it): a label ruled out on bytes must be covered by
    /// `PlainScalars` followed by one more (or the end), where lower-casing is ASCII
    /// lower-casing and `Character`s are equal exactly when their composed bytes are.
    func mayPrefix(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { mayPrefix(utf8: $0) } ?? true
    }

    /// `BylineDetector.remainder` (past its checks) of a line made only of `PlainScalars`, on
    /// its bytes: there each scalar is a `Character`, lower-casing is ASCII lower-casing (the
    /// same bytes long), and a label matches exactly when its composed bytes do. `nil` for any
    /// other line; `.some(nil)` when no label starts the line.
    func plainRemainder(of text: String, requirePunctuation: Bool) -> String?? {
        let found = text.utf8.withContiguousStorageIfAvailable { plainRemainder(utf8: $0, requirePunctuation: requirePunctuation) }
        return found ?? nil
    }

    private func plainRemainder(utf8 bytes: UnsafeBufferPointer<UInt8>, requirePunctuation: Bool) -> String?? {
        let count = bytes.count
        guard PlainScalars.spans(bytes) else { return nil }
        func isArabicComma(_ index: Int) -> Bool { bytes[index] == 0xD8 && bytes[index + 1] == 0x8C }
        func isEnDash(_ index: Int) -> Bool { bytes[index] == 0xE2 && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x93 }
        labels: for label in composedPrefixes where label.count <= count {
            for offset in 0..<label.count {
                let byte = bytes[offset]
                if (byte &- 0x41 < 26 ? byte | 0x20 : byte) != label[offset] { continue labels }
            }
            let afterPrefix = label.count
            // The label ends the line or is followed by " ", ":", "/", "-", "،" or ".".
            if afterPrefix < count {
                let byte = bytes[afterPrefix]
                guard byte == 0x20 || byte == 0x3A || byte == 0x2F || byte == 0x2D || byte == 0x2E || isArabicComma(afterPrefix) else { continue }
            }
            // Then those and "–" are dropped.
            var restStart = afterPrefix
            while restStart < count {
                let byte = bytes[restStart]
                if byte == 0x20 || byte == 0x3A || byte == 0x2F || byte == 0x2D || byte == 0x2E {
                    restStart += 1
                } else if isArabicComma(restStart) {
                    restStart += 2
                } else if isEnDash(restStart) {
                    restStart += 3
                } else {
                    break
                }
            }
            let rest = UnsafeBufferPointer(rebasing: bytes[restStart...])
            if requirePunctuation {
                // ":", "-", "–" or "/" among the three characters after the label.
                var punctuated = false
                var scalar = afterPrefix
                for _ in 0..<3 where scalar < count && !punctuated {
                    let byte = bytes[scalar]
                    punctuated = byte == 0x3A || byte == 0x2D || byte == 0x2F || isEnDash(scalar)
                    scalar += PlainScalars.length(bytes, at: scalar)
                }
                guard punctuated || MetadataText.wordCount(String(decoding: rest, as: UTF8.self)) <= 3 else { continue }
            }
            return .some(String(decoding: rest, as: UTF8.self))
        }
        return .some(nil)
    }

    private func mayPrefix(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var plainEnd = 0
        while plainEnd < bytes.count && plainEnd <= longestComposedPrefix {
            let length = PlainScalars.length(bytes, at: plainEnd)
            guard length > 0 else { break }
            plainEnd += length
        }
        for label in composedPrefixes {
            guard plainEnd > label.count || plainEnd == bytes.count else { return true }
            guard label.count <= bytes.count else { continue }
            var matches = true
            for offset in 0..<label.count {
                let byte = bytes[offset]
                if (byte &- 0x41 < 26 ? byte | 0x20 : byte) != label[offset] {
                    matches = false
                    break
                }
            }
            if matches { return true }
        }
        return false
    }

    func mayStart(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count, case let spaceLength = MetadataText.whitespaceLength(bytes, at: index), spaceLength > 0 {
            index += spaceLength
        }
        guard index < count else { return false }
        // A first scalar that is neither an ASCII letter nor in the Arabic block cannot start a
        // Character equal to a label's first one (only ASCII capitals lower-case to those letters,
        // and no scalar outside the block decomposes canonically to an Arabic letter).
        let first = bytes[index]
        let isASCIILetter = (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A)
        guard isASCIILetter || (first >= 0xD8 && first <= 0xDB) else { return false }
        let wordStart = index
        scan: while index < count {
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x3A, 0x2F, 0x2D, 0x2E, 0x09...0x0D:  // space : / - . and other ASCII whitespace
                break scan
            case 0x41...0x5A, 0x61...0x7A:
                index += 1
            case 0xD8, 0xD9:
                guard index + 1 < count else { return true }
                let second = bytes[index + 1]
                if byte == 0xD8 && second == 0x8C { break scan }  // ، Arabic comma
                // U+0621…U+063A and U+0641…U+064A: letters without marks.
                let isPlainLetter = byte == 0xD8 ? (0xA1...0xBA).contains(second) : (0x81...0x8A).contains(second)
                guard isPlainLetter else { return true }
                index += 2
            default:
                return true
            }
        }
        let length = index - wordStart
        return firstWords.contains { candidate in
            guard candidate.count == length, length > 0 else { return false }
            for offset in 0..<length {
                let byte = bytes[wordStart + offset]
                let lowered = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                if lowered != candidate[offset] { return false }
            }
            return true
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        guard let first = firstIndex(where: { !set.contains($0) }), let last = lastIndex(where: { !set.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(self).trimmingCharacters(in: set)
    }
}
