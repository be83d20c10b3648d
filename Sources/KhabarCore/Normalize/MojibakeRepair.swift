/// Repairs Arabic UTF-8 that was decoded with a single-byte charset ("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©" under
/// Latin-1/windows-1252, "ط§ظ„ط¹ط±ط¨ظٹط©" under windows-1256), also when that happened twice.
///
/// A run of scalars that the charset can encode is encoded back to bytes; it is replaced only
/// when those bytes are valid UTF-8 holding a word of two or more Arabic letters and no control
/// characters. Genuine text almost never passes: genuine Arabic encodes in windows-1256 to lead
/// bytes without continuation bytes, and Latin-1 letters (é, ü, «») do not form UTF-8 Arabic.
/// When a whole run fails (mojibake next to genuine text), its space-separated words are tried
/// one by one under stricter terms (every non-ASCII scalar of the result in the Arabic block).
public enum MojibakeRepair {
    enum Charset: CaseIterable {
        /// Latin-1 plus windows-1252's printable 0x80–0x9F (what browsers call ISO-8859-1).
        case windows1252
        case windows1256

        func byte(for scalar: Unicode.Scalar) -> UInt8? {
            let value = scalar.value
            if value < 0x80 { return UInt8(value) }
            switch self {
            case .windows1252:
                if value < 0x100 { return UInt8(value) }
                return MojibakeRepair.windows1252Bytes[value]
            case .windows1256:
                return MojibakeRepair.windows1256Bytes[value]
            }
        }
    }

    /// The text with mojibake runs repaired; the text itself when there is nothing to repair.
    /// Only lines carrying the mojibake signature are looked at scalar by scalar.
    public static func repair(_ text: String) -> String {
        var text = text
        let repaired: [UInt8]? = text.withUTF8 { bytes in
            guard mayContainMojibake(bytes) else { return nil }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var changed = false
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != 0x0A && bytes[lineEnd] != 0x0D { lineEnd += 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
                if mayContainMojibake(line),
                    let fixed = repairLine(Array(String(decoding: line, as: UTF8.self).unicodeScalars))
                {
                    var fixedLine = String(String.UnicodeScalarView(fixed))
                    fixedLine.withUTF8 { output.append(contentsOf: $0) }
                    changed = true
                } else {
                    output.append(contentsOf: line)
                }
                if lineEnd < bytes.count { output.append(bytes[lineEnd]) }
                lineStart = lineEnd + 1
            }
            return changed ? output : nil
        }
        guard let repaired else { return text }
        return String(decoding: repaired, as: UTF8.self)
    }

    /// A fast byte scan for the signatures of repairable mojibake: Ø Ù Ú Û or Ã (the lead bytes
    /// of Arabic, or of a second round, read as Latin-1) followed by a non-ASCII scalar; or two
    /// letters' worth of windows-1256 mojibake in a row: one of ط ظ ع غ (lead bytes D8–DB), a
    /// scalar that is not an Arabic letter, mark or ASCII (a continuation byte), and ط ظ ع غ
    /// again (or "ط·"/"ط¸", a second round). Genuine text has the first pair only before
    /// punctuation ("الشارع، ").
    static func mayContainMojibake(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var index = 0
        let count = bytes.count
        // Steps over whole scalars (the bytes are a String's: valid UTF-8), so only lead bytes
        // are looked at; continuation bytes (80–BF) can be neither C3 nor D8 anyway.
        while index + 2 < count {
            let byte = base[index]
            if byte < 0xC0 { index &+= 1; continue }
            if byte < 0xE0 {
                if (byte == 0xC3 || byte == 0xD8) && signature(base, count, at: index) { return true }
                index &+= 2
            } else {
                index &+= byte < 0xF0 ? 3 : 4
            }
        }
        return false
    }

    /// Whether the two-byte scalar at `index` (Ã Ø Ù Ú Û or ط ظ ع غ: the scalars the
    /// normalizer's tables flag) starts a mojibake signature.
    @inline(__always)
    static func signature(_ base: UnsafePointer<UInt8>, _ count: Int, at index: Int) -> Bool {
        guard index + 2 < count else { return false }
        let next = base[index &+ 1]
        if base[index] == 0xC3 { return (next == 0x83 || next &- 0x98 < 4) && base[index &+ 2] >= 0x80 }
        guard base[index] == 0xD8 && next &- 0xB7 < 4 else { return false }
        // ع and the others are common letters, nearly always followed by ASCII or a letter of
        // U+0621–0678, which rules a signature out: told here, without a call.
        let following = index &+ 2
        let lead = base[following]
        if lead < 0x80 { return false }
        if following &+ 1 < count {
            let second = base[following &+ 1]
            if (lead == 0xD8 && second >= 0xA1) || (lead == 0xD9 && second <= 0xB8) { return false }
        }
        return windows1256SignatureFollows(base, count, at: following)
    }

    /// After ط ظ ع غ at `following - 2`: a non-Arabic, non-ASCII scalar and ط ظ ع غ again, or
    /// "·"/"¸" after ط (a second round).
    @inline(never)
    private static func windows1256SignatureFollows(
        _ base: UnsafePointer<UInt8>, _ count: Int, at following: Int
    ) -> Bool {
        let lead = base[following]
        if lead < 0x80 || following + 1 >= count { return false }
        let second = base[following + 1]
        if base[following - 1] == 0xB7 && lead == 0xC2 && (second == 0xB7 || second == 0xB8) { return true }
        if (lead == 0xD8 && second >= 0xA1) || (lead == 0xD9 && second <= 0xB8) { return false }
        let after = following + (lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4)
        return after + 1 < count && base[after] == 0xD8 && base[after + 1] &- 0xB7 < 4
    }

    /// The repaired line, or nil when nothing in it was repaired.
    static func repairLine(_ line: [Unicode.Scalar]) -> [Unicode.Scalar]? {
        var current = line
        var changed = false
        for charset in Charset.allCases {
            if let repaired = repairRuns(current, charset: charset) {
                current = repaired
                changed = true
            }
        }
        return changed ? current : nil
    }

    private static func repairRuns(_ line: [Unicode.Scalar], charset: Charset) -> [Unicode.Scalar]? {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(line.count)
        var changed = false
        var index = 0
        while index < line.count {
            var end = index
            var hasNonASCII = false
            while end < line.count, charset.byte(for: line[end]) != nil {
                if line[end].value >= 0x80 { hasNonASCII = true }
                end += 1
            }
            if end == index {
                result.append(line[index])
                index += 1
                continue
            }
            let run = line[index..<end]
            if hasNonASCII, let decoded = decode(run, charset: charset, strict: false) {
                result += decoded
                changed = true
            } else if hasNonASCII {
                changed = repairWords(run, charset: charset, into: &result) || changed
            } else {
                result += run
            }
            index = end
        }
        return changed ? result : nil
    }

    private static func repairWords(
        _ run: ArraySlice<Unicode.Scalar>, charset: Charset, into result: inout [Unicode.Scalar]
    ) -> Bool {
        var changed = false
        var wordStart = run.startIndex
        func finishWord(at end: Int) {
            let word = run[wordStart..<end]
            if word.contains(where: { $0.value >= 0x80 }), let decoded = decode(word, charset: charset, strict: true) {
                result += decoded
                changed = true
            } else {
                result += word
            }
        }
        for position in run.indices where run[position] == " " || run[position] == "\t" {
            finishWord(at: position)
            result.append(run[position])
            wordStart = position + 1
        }
        finishWord(at: run.endIndex)
        return changed
    }

    /// Undoes up to three rounds of wrong decoding; nil unless the result is plausible Arabic.
    private static func decode(_ scalars: ArraySlice<Unicode.Scalar>, charset: Charset, strict: Bool) -> [Unicode.Scalar]? {
        var bytes = scalars.compactMap(charset.byte(for:))
        guard bytes.count == scalars.count else { return nil }
        // windows-1256 mojibake is itself Arabic-looking (ط ظ ع غ), so a plausible round that
        // still carries the signature is only a fallback while deeper rounds are tried.
        var fallback: [Unicode.Scalar]?
        for _ in 0..<3 {
            guard let text = String(validating: bytes, as: UTF8.self) else { return fallback }
            let decoded = Array(text.unicodeScalars)
            if isPlausibleArabic(decoded, strict: strict) {
                var copy = text
                if !copy.withUTF8({ mayContainMojibake($0) }) { return decoded }
                if fallback == nil { fallback = decoded }
            }
            guard let again = encode(decoded, charset) ?? encode(decoded, charset == .windows1252 ? .windows1256 : .windows1252)
            else { return fallback }
            bytes = again
        }
        return fallback
    }

    private static func encode(_ scalars: [Unicode.Scalar], _ charset: Charset) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        for scalar in scalars {
            guard let byte = charset.byte(for: scalar) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// At least one word of two Arabic letters in a row (marks between them allowed): genuine
    /// text that happens to re-encode as valid UTF-8 is single letters between punctuation
    /// ("ط، ط،"), never words. No control characters; `strict` also wants every non-ASCII
    /// scalar in the Arabic block.
    private static func isPlausibleArabic(_ scalars: [Unicode.Scalar], strict: Bool) -> Bool {
        var lettersInRow = 0
        var longestRow = 0
        for scalar in scalars {
            let value = scalar.value
            switch value {
            case 0x0621...0x063A, 0x0641...0x064A:
                lettersInRow += 1
                longestRow = max(longestRow, lettersInRow)
                continue
            case 0x064B...0x065F, 0x0670:
                continue
            case 0x00...0x08, 0x0A...0x1F, 0x7F...0x9F:
                return false
            case 0x09, 0x20...0x7E, 0x0600...0x06FF:
                break
            default:
                if strict { return false }
            }
            lettersInRow = 0
        }
        return longestRow >= 2
    }

    /// windows-1252's characters in 0x80–0x9F that are not Latin-1's C1 controls.
    static let windows1252Bytes: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
        0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91,
        0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98,
        0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    /// windows-1256 0x80–0xFF, as Python's codec decodes them.
    static let windows1256Bytes: [UInt32: UInt8] = {
        let upperHalf: [UInt32] = [
            0x20AC, 0x067E, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0679, 0x2039,
            0x0152, 0x0686, 0x0698, 0x0688, 0x06AF, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
            0x06A9, 0x2122, 0x0691, 0x203A, 0x0153, 0x200C, 0x200D, 0x06BA, 0x00A0, 0x060C, 0x00A2, 0x00A3,
            0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x06BE, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
            0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x00B9, 0x061B, 0x00BB,
            0x00BC, 0x00BD, 0x00BE, 0x061F, 0x06C1, 0x0621, 0x0622, 0x0623, 0x0624, 0x0625, 0x0626, 0x0627,
            0x0628, 0x0629, 0x062A, 0x062B, 0x062C, 0x062D, 0x062E, 0x062F, 0x0630, 0x0631, 0x0632, 0x0633,
            0x0634, 0x0635, 0x0636, 0x00D7, 0x0637, 0x0638, 0x0639, 0x063A, 0x0640, 0x0641, 0x0642, 0x0643,
            0x00E0, 0x0644, 0x00E2, 0x0645, 0x0646, 0x0647, 0x0648, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB,
            0x0649, 0x064A, 0x00EE, 0x00EF, 0x064B, 0x064C, 0x064D, 0x064E, 0x00F4, 0x064F, 0x0650, 0x00F7,
            0x0651, 0x00F9, 0x0652, 0x00FB, 0x00FC, 0x200E, 0x200F, 0x06D2,
        ]
        var table: [UInt32: UInt8] = [:]
        for (offset, value) in upperHalf.enumerated() { table[value] = UInt8(0x80 + offset) }
        return table
    }()
}
