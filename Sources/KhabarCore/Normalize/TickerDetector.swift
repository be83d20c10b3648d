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
        let segments = segments(of: line)
        guard segments.count >= minimumSegments else { return false }
        let wordCounts = segments.map { $0.split(separator: " ").count }.sorted()
        guard wordCounts[wordCounts.count / 2] <= maximumMedianSegmentWords else { return false }
        // Single words are table cells or menu items, not headlines.
        let headlineSized = wordCounts.filter { $0 >= 2 }.count
        guard headlineSized * 4 >= segments.count * 3 else { return false }
        // Sentences split at double spaces end in full stops; headlines do not.
        let sentenceEnds = segments.dropLast().filter(TextCleanerText.endsSentence).count
        return sentenceEnds * 2 < segments.count - 1
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
