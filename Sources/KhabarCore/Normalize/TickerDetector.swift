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
            // Each segment's words, and whether it ends a sentence.
            var wordCounts: [Int] = []
            var sentenceEnds: [Bool] = []
            var segmentStart = 0
            var segmentWords = 0
            var lastNonSpaceEnd = 0
            var inWord = false
            var run = 0
            var index = 0
            func close() {
                guard segmentWords > 0 else { return }
                wordCounts.append(segmentWords)
                sentenceEnds.append(TextCleanerText.endsSentence(UnsafeBufferPointer(rebasing: bytes[segmentStart..<lastNonSpaceEnd])))
                segmentWords = 0
            }
            while index < bytes.count {
                let spaceBytes = TextCleanerLines.spaceLength(bytes, at: index)
                if spaceBytes > 0 {
                    run += 1
                    inWord = false
                    index += spaceBytes
                    continue
                }
                if run >= 2 {
                    close()
                    segmentStart = index
                }
                run = 0
                if !inWord {
                    inWord = true
                    segmentWords += 1
                }
                index += 1
                lastNonSpaceEnd = index
            }
            close()
            let count = wordCounts.count
            guard count >= minimumSegments else { return false }
            let sorted = wordCounts.sorted()
            guard sorted[count / 2] <= maximumMedianSegmentWords else { return false }
            // Single words are table cells or menu items, not headlines.
            let headlineSized = wordCounts.filter { $0 >= 2 }.count
            guard headlineSized * 4 >= count * 3 else { return false }
            // Sentences split at double spaces end in full stops; headlines do not.
            let sentences = sentenceEnds.dropLast().filter { $0 }.count
            return sentences * 2 < count - 1
        }
    }

    /// The pieces of `line` between runs of two or more whitespace characters, each collapsed
    /// (single whitespace characters inside a piece become one ASCII space). Works on bytes.
    static func segments(of line: String) -> [String] {
        var line = line
        return line.withUTF8 { bytes in
            var segments: [String] = []
            func close(_ range: Range<Int>) {
                let piece = UnsafeBufferPointer(rebasing: bytes[range])
                let collapsed = TextCleanerLines.collapseWhitespace(piece) { String(decoding: piece, as: UTF8.self) }
                if !collapsed.isEmpty { segments.append(collapsed) }
            }
            var pieceStart = 0
            var runStart = 0
            var run = 0
            var index = 0
            while index < bytes.count {
                let spaceBytes = TextCleanerLines.spaceLength(bytes, at: index)
                if spaceBytes > 0 {
                    if run == 0 { runStart = index }
                    run += 1
                    index += spaceBytes
                    continue
                }
                if run >= 2 {
                    close(pieceStart..<runStart)
                    pieceStart = index
                }
                run = 0
                index += 1
            }
            close(pieceStart..<bytes.count)
            return segments
        }
    }
}
