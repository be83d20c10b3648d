/// Byte-level line handling for `TextCleaner`: line breaks, collapsing whitespace, and cheap
/// facts about a line that let the cleaner skip rules that cannot claim it. Each function gives
/// exactly what its `String`-level counterpart gives (noted on each); they exist because
/// walking `Character`s and appending scalars one by one cost far more than the rules
/// themselves.
enum TextCleanerLines {
    /// Whether the scalar at `index` (a lead byte of two or more bytes) is NEL, U+2028 or
    /// U+2029: the non-ASCII scalars that `Character.isNewline` holds for.
    @inline(__always)
    static func isNewline(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let byte = bytes[index]
        let count = bytes.count
        if byte == 0xC2 { return index + 1 < count && bytes[index + 1] == 0x85 }
        return byte == 0xE2 && index + 2 < count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9)
    }

    /// The length of the whitespace scalar (`TextFolding.isSpace`) starting at `index`, or 0.
    @inline(__always)
    static func spaceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let byte = bytes[index]
        if byte < 0x80 { return byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) ? 1 : 0 }
        let count = bytes.count
        switch byte {
        case 0xC2:
            guard index + 1 < count else { return 0 }
            return bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0 ? 2 : 0
        case 0xE1:  // U+1680
            guard index + 2 < count else { return 0 }
            return bytes[index + 1] == 0x9A && bytes[index + 2] == 0x80 ? 3 : 0
        case 0xE2:  // U+2000–200B, U+2028, U+2029, U+202F, U+205F
            guard index + 2 < count else { return 0 }
            let second = bytes[index + 1]
            let third = bytes[index + 2]
            if second == 0x80 {
                return third <= 0x8B || third == 0xA8 || third == 0xA9 || third == 0xAF ? 3 : 0
            }
            return second == 0x81 && third == 0x9F ? 3 : 0
        case 0xE3:  // U+3000
            guard index + 2 < count else { return 0 }
            return bytes[index + 1] == 0x80 && bytes[index + 2] == 0x80 ? 3 : 0
        case 0xEF:  // U+FEFF
            guard index + 2 < count else { return 0 }
            return bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF ? 3 : 0
        default:
            return 0
        }
    }

    /// `TextFolding.collapseWhitespace` on bytes: runs of whitespace scalars become one ASCII
    /// space, both ends trimmed. Returns the input itself when it needs no change.
    static func collapseWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, original: () -> String) -> String {
        let count = bytes.count
        // Most lines are already collapsed: single ASCII spaces between words.
        var index = 0
        var previousWasSpace = true  // a leading space needs a change too
        var clean = true
        while index < count {
            let byte = bytes[index]
            if byte == 0x20 {
                if previousWasSpace { clean = false; break }
                previousWasSpace = true
                index += 1
                continue
            }
            if byte < 0x80 ? (byte >= 0x09 && byte <= 0x0D) : spaceLength(bytes, at: index) != 0 {
                clean = false
                break
            }
            previousWasSpace = false
            index += 1
        }
        if clean && !(count > 0 && bytes[count - 1] == 0x20) { return original() }
        return collapseWhitespace(bytes)
    }

    /// `TextFolding.collapseWhitespace` on bytes, always written anew (for a line known to
    /// need it). Whole whitespace scalars are left out of valid UTF-8, so the result is valid
    /// and is not validated again.
    static func collapseWhitespace(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let count = bytes.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(count, 1)) { output in
            var written = 0
            var pendingSpace = false
            var index = 0
            while index < count {
                let spaceBytes = spaceLength(bytes, at: index)
                if spaceBytes > 0 {
                    pendingSpace = written > 0
                    index += spaceBytes
                    continue
                }
                if pendingSpace {
                    output[written] = 0x20
                    written += 1
                    pendingSpace = false
                }
                output[written] = bytes[index]
                written += 1
                index += 1
            }
            return String(validUTF8: UnsafeBufferPointer(rebasing: output[..<written]))
        }
    }

    /// What one pass over a line's bytes tells the cleaner (see `TextCleanerLineFacts`).
    struct Scan: Equatable {
        /// `collapseWhitespace` would return the line unchanged.
        var isCollapsed = true
        var hasBracket = false
        var hasWhitespaceRun = false
        /// Runs of two or more whitespace scalars (a ticker has at least three).
        var whitespaceRuns = 0
        /// A scalar of `TextCleanerRules.itemSeparators` (even where a following mark makes it
        /// part of another character).
        var hasItemSeparator = false
        /// Whitespace-separated words holding an ASCII letter or digit or an Arabic letter
        /// (U+0621–063A, U+0641–064A). A lower bound on the words of the line's comparison key
        /// (those scalars are kept, and the key only splits further) and of its menu items
        /// (separators only split further, and a word with such a letter is never a separator).
        var letteredWords = 0
        /// Whitespace-separated words: `TextCleanerText.words` of the collapsed line.
        var words = 0
    }

    /// The length of the `TextCleanerRules.itemSeparators` scalar starting at `index`, or 0.
    @inline(__always)
    static func itemSeparatorLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let byte = bytes[index]
        switch byte {
        case UInt8(ascii: "|"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: ","):
            return 1
        case 0xC2 where index + 1 < bytes.count:  // · » «
            let next = bytes[index + 1]
            return next == 0xB7 || next == 0xBB || next == 0xAB ? 2 : 0
        case 0xD8 where index + 1 < bytes.count:  // ،
            return bytes[index + 1] == 0x8C ? 2 : 0
        case 0xE2 where index + 2 < bytes.count:  // • – — ► ▪ ◄
            let (second, third) = (bytes[index + 1], bytes[index + 2])
            if second == 0x80 && (third == 0xA2 || third == 0x93 || third == 0x94) { return 3 }
            if second == 0x96 && (third == 0xBA || third == 0xAA) { return 3 }
            if second == 0x97 && third == 0x84 { return 3 }
            return 0
        default:
            return 0
        }
    }

}

/// What the cleaner learned about a line on its bytes, before any rule ran.
struct TextCleanerLineFacts {
    /// A `[` anywhere: shortcode rules may apply.
    var hasBracket: Bool
    /// Two whitespace scalars in a row in the raw line: it may be a ticker or a menu.
    var hasWhitespaceRun: Bool
    /// Runs of two or more whitespace scalars: a ticker needs one fewer than its segments.
    var whitespaceRuns = Int.max
    /// An item separator in the raw line (`TextCleanerLines.Scan.hasItemSeparator`): it may be a menu.
    var hasItemSeparator: Bool
    /// `TextCleanerLines.Scan.letteredWords` of the line.
    var letteredWords: Int

    /// Facts that skip nothing, for lines whose raw form was rewritten.
    static let unknown = TextCleanerLineFacts(
        hasBracket: true, hasWhitespaceRun: true, hasItemSeparator: true, letteredWords: 0
    )
}
