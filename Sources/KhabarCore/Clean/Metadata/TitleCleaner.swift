internal import Foundation

/// Chooses the article title among the page's candidates and strips site names from it.
struct TitleCleaner {
    /// Site names the page declares (og:site_name, publisher…), used to recognize affixes.
    let siteNames: [String]
    /// Visible headings (h1s, or h2s on pages without one), used to confirm which part of a
    /// `<title>` is the article's.
    let headings: [String]
    /// Comparable forms of the above, computed once: a cleaner is asked about many candidates.
    private let headingForms: Set<String>
    private let siteForms: [String]

    init(siteNames: [String], headings: [String]) {
        self.siteNames = siteNames
        self.headings = headings
        headingForms = Set(headings.map(MetadataText.comparable))
        siteForms = siteNames.map(MetadataText.comparable).filter { !$0.isEmpty }
    }

    /// Separators pages put between a title and the site name; spaces around them are required
    /// (except for `|`) so hyphenated words and times survive.
    private static let separators = [" | ", "|", " - ", " – ", " — ", " :: ", " : ", " « ", " » ", " · ", " • ", " ~ ", " / ", " || "]

    struct Cleaned {
        var title: String
        /// What was removed, when it reads like a site name.
        var removedSite: String?
    }

    /// `text` split at separators, keeping each part's range so a run of parts can be taken
    /// back out of the original text with its own separators.
    private static let separatorBytes = separators.map { Array($0.utf8) }

    private static func parts(of text: String) -> [Range<String.Index>] {
        // Separators are whole ASCII scalars, so UTF-8 offsets found here are valid indices.
        let bytes = Array(text.utf8)
        var ranges: [Range<String.Index>] = []
        func index(_ offset: Int) -> String.Index { text.utf8.index(text.utf8.startIndex, offsetBy: offset) }
        var start = 0
        var cursor = 0
        while cursor < bytes.count {
            var matchedLength = 0
            if bytes[cursor] < 0x80 || bytes[cursor] == 0xC2 || bytes[cursor] == 0xE2 {
                for separator in separatorBytes where cursor + separator.count <= bytes.count
                    && bytes[cursor..<cursor + separator.count].elementsEqual(separator) {
                    matchedLength = separator.count
                    break
                }
            }
            if matchedLength > 0 {
                if start < cursor { ranges.append(index(start)..<index(cursor)) }
                cursor += matchedLength
                start = cursor
            } else {
                cursor += 1
            }
        }
        if start < bytes.count { ranges.append(index(start)..<text.endIndex) }
        return ranges.filter { !text[$0].trimmingCharacters(in: .whitespaces).isEmpty }
    }

    func isSiteName(_ text: some StringProtocol) -> Bool {
        let candidate = MetadataText.comparable(String(text))
        guard !candidate.isEmpty else { return false }
        return siteForms.contains { known in
            if known == candidate { return true }
            // "الوطن" vs "جريدة الوطن", "Example" vs "Example.com": short parts only.
            return MetadataText.wordCount(candidate) <= 6 && (known.contains(candidate) || candidate.contains(known))
                && min(known.count, candidate.count) >= 3
        }
    }

    /// `text` without a site-name prefix or suffix.
    func clean(_ text: String) -> Cleaned {
        let ranges = Self.parts(of: text)
        guard ranges.count >= 2 else { return Cleaned(title: cleanColonPrefix(text), removedSite: nil) }
        // 1. A run of parts equal to a visible heading is the title.
        for first in ranges.indices {
            for last in ranges.indices.reversed() where last >= first {
                if first == 0 && last == ranges.count - 1 { continue }
                let run = text[ranges[first].lowerBound..<ranges[last].upperBound]
                if headingForms.contains(MetadataText.comparable(String(run))) {
                    let removed = ranges.indices.filter { $0 < first || $0 > last }.map { String(text[ranges[$0]]).trimmed }
                    return Cleaned(title: String(run).trimmed, removedSite: removed.count == 1 ? removed[0] : nil)
                }
            }
        }
        // 2. Parts at either end naming the site go.
        var first = ranges.startIndex
        var last = ranges.endIndex - 1
        while first < last && isSiteName(text[ranges[last]]) { last -= 1 }
        while first < last && isSiteName(text[ranges[first]]) { first += 1 }
        if first != ranges.startIndex || last != ranges.endIndex - 1 {
            let kept = String(text[ranges[first].lowerBound..<ranges[last].upperBound]).trimmed
            let removedIndex = first != ranges.startIndex ? ranges.startIndex : ranges.endIndex - 1
            return Cleaned(title: kept, removedSite: String(text[ranges[removedIndex]]).trimmed)
        }
        // 3. No known site name: a short last part is the usual site suffix.
        let lastPart = String(text[ranges[last]]).trimmed
        let rest = String(text[ranges[first].lowerBound..<ranges[last - 1].upperBound]).trimmed
        if MetadataText.wordCount(lastPart) <= 5 && lastPart.count * 2 < rest.count {
            return Cleaned(title: rest, removedSite: lastPart)
        }
        return Cleaned(title: text, removedSite: nil)
    }

    /// "الوطن: العنوان" → "العنوان" when the part before the colon is the site name.
    private func cleanColonPrefix(_ text: String) -> String {
        guard let colon = text.firstIndex(where: { $0 == ":" || $0 == "：" }) else { return text }
        let head = text[..<colon]
        let tail = String(text[text.index(after: colon)...]).trimmed
        return isSiteName(head) && !tail.isEmpty ? tail : text
    }

    /// A heading without a generic label ending in a colon ("الموضوع: …", "Thread: …"),
    /// or `nil` when it has none.
    static func withoutLabelPrefix(_ heading: String) -> String? {
        guard let colon = heading.firstIndex(of: ":") else { return nil }
        let label = heading[..<colon]
        let rest = String(heading[heading.index(after: colon)...]).trimmed
        guard !rest.isEmpty, label.count <= 25, MetadataText.wordCount(String(label)) <= 3,
              !label.contains(where: { $0.isNumber }) else { return nil }
        return rest
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
