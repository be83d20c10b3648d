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
    static func isTicker(_ line: String) -> Bool {
        var line = line
        return line.withUTF8(isTicker(bytes:))
    }

    /// `isTicker` of UTF-8 bytes, in one pass over them: the segments are neither collected nor
    /// scanned again, only their word counts are kept (on the stack).
    static func isTicker(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // A segment takes a byte and the run after it two: at most (count + 2) / 3 segments.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: (bytes.count + 2) / 3 + 1) { wordCounts in
            var segments = 0
            var headlineSized = 0
            // Segments other than the last that end in a full stop.
            var sentences = 0
            walkSegments(bytes) { range, words, isLast in
                wordCounts[segments] = words
                segments += 1
                // Single words are table cells or menu items, not headlines.
                if words >= 2 { headlineSized += 1 }
                if !isLast && TextCleanerText.endsSentence(UnsafeBufferPointer(rebasing: bytes[range])) { sentences += 1 }
            }
            guard segments >= minimumSegments else { return false }
            var counts = UnsafeMutableBufferPointer(rebasing: wordCounts[0..<segments])
            counts.sort()
            guard counts[segments / 2] <= maximumMedianSegmentWords else { return false }
            guard headlineSized * 4 >= segments * 3 else { return false }
            // Sentences split at double spaces end in full stops; headlines do not.
            return sentences * 2 < segments - 1
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
        walkSegments(bytes) { range, _, _ in ranges.append(range) }
        return ranges
    }

    /// Calls `body` with each piece of `bytes` between runs of two or more whitespace scalars
    /// (as `segmentRanges` has them), its whitespace-separated words, and whether it is the last.
    @inline(__always)
    private static func walkSegments(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (_ range: Range<Int>, _ words: Int, _ isLast: Bool) -> Void
    ) {
        var pieceStart: Int?
        var pieceEnd = 0
        var words = 0
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
                // Not the last: this byte starts another.
                body(start..<pieceEnd, words, false)
                pieceStart = nil
            }
            if pieceStart == nil {
                pieceStart = index
                words = 1
            } else if run > 0 {
                words += 1
            }
            run = 0
            index += 1
            pieceEnd = index
        }
        if let start = pieceStart { body(start..<pieceEnd, words, true) }
    }
}
