internal import Foundation

/// A backfill file of URLs: one per line, `#` starts a comment line, blank lines are skipped.
public enum URLListReader {
    public struct Line: Sendable, Equatable {
        /// 1-based line number in the file, for messages about it.
        public var number: Int
        public var url: String
    }

    /// The URLs of `text`, as written (trimmed). Lines that are not absolute http(s) URLs are
    /// returned in `rejected` so the caller can report them.
    public static func read(_ text: String) -> (urls: [Line], rejected: [Line]) {
        var urls: [Line] = []
        var rejected: [Line] = []
        var number = 0
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            guard let line = DiscoveryInput.trimmed(String(rawLine)), !line.hasPrefix("#") else { continue }
            let lowered = line.prefix(8).lowercased()
            if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
                urls.append(Line(number: number, url: line))
            } else {
                rejected.append(Line(number: number, url: line))
            }
        }
        return (urls, rejected)
    }

    public static func read(contentsOf path: String) throws(DiscoveryError) -> (urls: [Line], rejected: [Line]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiscoveryError(source: path, reason: .unreadableFile("missing or unreadable"))
        }
        return read(String(decoding: data, as: UTF8.self))
    }
}
