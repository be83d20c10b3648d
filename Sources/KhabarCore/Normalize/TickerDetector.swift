/// Recognizes a headline ticker flattened into one line: many short, unrelated headlines
/// separated by runs of spaces (often no-break spaces) where the page had separate items.
///
/// A paragraph can also contain double spaces (after a full stop, or from sloppy typing), so
/// the rule wants several segments, most of them headline-sized, and most of them ending
/// without the full stop a sentence would have.
enum TickerDetector {
    static let minimumSegments = 4
    /// Headlines are rarely longer than this; paragraphs split at double spaces usually are.
    static let maximumMedianSegmentWords = 16

    /// `line` as scraped: before whitespace is collapsed, since the runs are the evidence.
    /// Works on the bytes: the segments are never built as strings.
    static func isTicker(_ line: String) -> Bool {
        var line = line
        return line.withUTF8 { bytes in
            let segments = segmentRanges(bytes).map { UnsafeBufferPointer(rebasing: bytes[$0]) }
            guard segments.count >= minimumSegments else { return false }
            let wordCounts = segments.map { TextCleanerLines.scan($0).words }
            guard wordCounts.sorted()[wordCounts.count / 2] <= maximumMedianSegmentWords else { return false }
            // Single words are table cells or menu items, not headlines.
            let headlineSized = wordCounts.filter { $0 >= 2 }.count
            guard headlineSized * 4 >= segments.count * 3 else { return false }
            // Sentences split at double spaces end in full stops; headlines do not.
            let sentences = segments.dropLast().filter(TextCleanerText.endsSentence).count
            return sentences * 2 < segments.count - 1
        }
    }

    /// The pieces of `line` between runs of two or more whitespace characters, each collapsed
    /// (single whitespace characters inside a piece become one ASCII space). Works on bytes.
    static func segments(of line: String) -> [String] {
        var line = line
        return line.withUTF8 { bytes in
            segmentRanges(bytes).map { range in
                let piece = UnsafeBufferPointer(rebasing: bytes[range])
                return TextCleanerLines.collapseWhitespace(piece) { String(decoding: piece, as: UTF8.self) }
            }
        }
    }

    /// The pieces of `bytes` between runs of two or more whitespace scalars, as byte ranges
    /// without leading or trailing whitespace; empty pieces are left out.
    static func segmentRanges(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var pieceStart: Int?
        var pieceEnd = 0
        var run = 0
        var index = 0
        while index < bytes.count {
            let spaceBytes = TextCleanerLines.spaceLength(bytes, at: index)
            if spaceBytes > 0 {
                run += 1
                index += spaceBytes
                continue
            }
            if run >= 2, let start = pieceStart {
                ranges.append(start..<pieceEnd)
                pieceStart = nil
            }
            run = 0
            if pieceStart == nil { pieceStart = index }
            index += 1
            pieceEnd = index
        }
        if let start = pieceStart { ranges.append(start..<pieceEnd) }
        return ranges
    }
}
