/// Normalizes the text and titles of records: display form (what users read) and a folded
/// form for matching and deduplication.
public struct ArabicNormalizer: Sendable {
    public init() {}

    /// The display form: Unicode-clean text that keeps its orthography. Lines are kept;
    /// whitespace inside them is folded.
    public func normalize(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let folded = TextFolding.collapseWhitespace(String(line))
            if !folded.isEmpty { lines.append(folded) }
        }
        return lines.joined(separator: "\n")
    }
}
