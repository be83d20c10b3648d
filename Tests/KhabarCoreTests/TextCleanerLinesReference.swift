@testable import KhabarCore

/// What `TextCleanerLineScanner` finds in one pass, the older way (`scan`) and one fact at a
/// time: the references the tests check it and the rules' filters against.
extension TextCleanerLines {
    /// The non-empty lines of `text` as byte ranges: what `text.split(whereSeparator:
    /// \.isNewline)` cuts. Newline scalars (LF, VT, FF, CR, NEL, U+2028, U+2029) are grapheme
    /// clusters of their own (only CR LF joins, and both are newlines), so cutting at scalars
    /// is cutting at `Character`s.
    static func lineRanges(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte > 0x0D && byte < 0xC2 {
                index += 1
                continue
            }
            if byte >= 0xD8 && byte <= 0xDB {
                index += 2  // the Arabic block: two bytes, never a newline
                continue
            }
            var newlineLength = 0
            if byte >= 0x0A && byte <= 0x0D {
                newlineLength = 1
            } else if byte == 0xC2 && index + 1 < count && bytes[index + 1] == 0x85 {
                newlineLength = 2
            } else if byte == 0xE2 && index + 2 < count && bytes[index + 1] == 0x80
                && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9)
            {
                newlineLength = 3
            }
            if newlineLength == 0 {
                index += 1
                continue
            }
            if start < index { ranges.append(start..<index) }
            index += newlineLength
            start = index
        }
        if start < count { ranges.append(start..<count) }
        return ranges
    }

    /// The facts of `Scan` in one pass over a line: `collapseWhitespace`'s no-change test,
    /// whether there is a run of spaces or an item separator, the lettered words and the word
    /// count. What the cleaner computed before `TextCleanerLineScanner` took over; the tests
    /// check the scanner's facts and the ticker's word counts against it.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan {
        var scan = Scan()
        var index = 0
        let count = bytes.count
        var previousWasSpace = false
        var atStart = true
        var inWord = false
        var inLetteredWord = false
        var inRun = false
        while index < count {
            let byte = bytes[index]
            if byte >= 0xD8 && byte <= 0xDB && index + 1 < count {
                // The Arabic block (two bytes): never a space; a letter, or the Arabic comma.
                let next = bytes[index + 1]
                previousWasSpace = false
                inRun = false
                atStart = false
                if !inWord {
                    inWord = true
                    scan.words += 1
                }
                if !inLetteredWord && ((byte == 0xD8 && next >= 0xA1 && next <= 0xBA) || (byte == 0xD9 && next >= 0x81 && next <= 0x8A)) {
                    inLetteredWord = true
                    scan.letteredWords += 1
                }
                if byte == 0xD8 && next == 0x8C { scan.hasItemSeparator = true }
                index += 2
                continue
            }
            let spaceBytes = byte < 0x80 ? (byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) ? 1 : 0) : spaceLength(bytes, at: index)
            if spaceBytes > 0 {
                if previousWasSpace && !scan.hasWhitespaceRun { scan.hasWhitespaceRun = true }
                if previousWasSpace && !inRun {
                    inRun = true
                    scan.whitespaceRuns += 1
                }
                if byte != 0x20 || previousWasSpace || atStart { scan.isCollapsed = false }
                previousWasSpace = true
                inWord = false
                inLetteredWord = false
                index += spaceBytes
                continue
            }
            previousWasSpace = false
            inRun = false
            atStart = false
            if !inWord {
                inWord = true
                scan.words += 1
            }
            if byte < 0x80 {
                switch byte {
                case UInt8(ascii: "["):
                    scan.hasBracket = true
                case UInt8(ascii: "|"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: ","):
                    scan.hasItemSeparator = true
                case 0x30...0x39, 0x41...0x5A, 0x61...0x7A:
                    if !inLetteredWord {
                        inLetteredWord = true
                        scan.letteredWords += 1
                    }
                default:
                    break
                }
            } else if index + 1 < count {
                let next = bytes[index + 1]
                if !inLetteredWord && ((byte == 0xD8 && next >= 0xA1 && next <= 0xBA) || (byte == 0xD9 && next >= 0x81 && next <= 0x8A)) {
                    inLetteredWord = true
                    scan.letteredWords += 1
                }
                if !scan.hasItemSeparator && (byte == 0xC2 || byte == 0xD8 || byte == 0xE2) && itemSeparatorLength(bytes, at: index) > 0 {
                    scan.hasItemSeparator = true
                }
            }
            index += 1
        }
        if previousWasSpace { scan.isCollapsed = false }
        return scan
    }

    /// Whether `bytes` hold two whitespace scalars in a row: without that, a line is one
    /// `TickerDetector` segment (and cannot be a ticker).
    static func hasWhitespaceRun(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        var previousWasSpace = false
        while index < bytes.count {
            let spaceBytes = spaceLength(bytes, at: index)
            if spaceBytes > 0 {
                if previousWasSpace { return true }
                previousWasSpace = true
                index += spaceBytes
            } else {
                previousWasSpace = false
                index += 1
            }
        }
        return false
    }

    /// Whether `bytes` may hold one of `TextCleanerRules.itemSeparators` (any of their
    /// scalars counts, even where a following mark makes it part of another character).
    static func mayHoldItemSeparator(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "|"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: ","):
                return true
            case 0xC2 where index + 1 < count:  // · » «
                let next = bytes[index + 1]
                if next == 0xB7 || next == 0xBB || next == 0xAB { return true }
            case 0xD8 where index + 1 < count:  // ،
                if bytes[index + 1] == 0x8C { return true }
            case 0xE2 where index + 2 < count:  // • – — ► ▪ ◄
                let (second, third) = (bytes[index + 1], bytes[index + 2])
                if second == 0x80 && (third == 0xA2 || third == 0x93 || third == 0x94) { return true }
                if second == 0x96 && (third == 0xBA || third == 0xAA) { return true }
                if second == 0x97 && third == 0x84 { return true }
            default:
                break
            }
            index += 1
        }
        return false
    }

    /// Whitespace-separated words holding an ASCII letter or digit or an Arabic letter
    /// (U+0621–063A, U+0641–064A). A lower bound on the words of the line's
    /// `BoilerplateLexicon.comparisonKey` (those scalars are kept, and the key only splits
    /// further) and of its navigation items (separators only split further, and a word with
    /// such a letter is never a separator).
    static func letteredWords(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var words = 0
        var inLetteredWord = false
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            let spaceBytes = spaceLength(bytes, at: index)
            if spaceBytes > 0 {
                inLetteredWord = false
                index += spaceBytes
                continue
            }
            if !inLetteredWord {
                var isLetter = false
                if byte < 0x80 {
                    isLetter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || (byte >= 0x30 && byte <= 0x39)
                } else if index + 1 < count {
                    let next = bytes[index + 1]
                    isLetter = (byte == 0xD8 && next >= 0xA1 && next <= 0xBA) || (byte == 0xD9 && next >= 0x81 && next <= 0x8A)
                }
                if isLetter {
                    inLetteredWord = true
                    words += 1
                }
            }
            index += 1
        }
        return words
    }
}
