internal import Foundation

/// Article fields that JavaScript frameworks serialize into the page (`__NEXT_DATA__`), and
/// dates written into article URLs.
enum FrameworkStateReader {
    private static let maximumStateBytes = 3_000_000

    /// The object in the framework state whose title is the page's title, read as an article.
    static func article(in json: String, title: String?) -> StructuredArticle {
        guard let title, json.utf8.count <= maximumStateBytes,
              let root = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: []) else { return StructuredArticle() }
        let wanted = MetadataText.comparable(title)
        var pending: [Any] = [root]
        var visited = 0
        while let next = pending.popLast(), visited < 50_000 {
            visited += 1
            if let array = next as? [Any] {
                pending.append(contentsOf: array)
            } else if let object = next as? [String: Any] {
                let ownTitle = JSONLDReader.string(object["title"]) ?? JSONLDReader.string(object["headline"])
                if let ownTitle, MetadataText.comparable(ownTitle) == wanted, let found = read(object) { return found }
                pending.append(contentsOf: object.values)
            }
        }
        return StructuredArticle()
    }

    private static func read(_ object: [String: Any]) -> StructuredArticle? {
        var article = StructuredArticle()
        for key in ["author", "authors", "writer", "byline", "authorName"] {
            guard let value = object[key] else { continue }
            let items = (value as? [Any]) ?? [value]
            for item in items.prefix(6) {
                if let name = JSONLDReader.string(item) ?? (item as? [String: Any]).flatMap({ JSONLDReader.string($0["name"]) ?? JSONLDReader.string($0["title"]) }) {
                    article.personAuthors.append(name)
                }
            }
            if !article.personAuthors.isEmpty { break }
        }
        article.datePublished = ["publishedAt", "datePublished", "published_at", "publishDate", "publishedDate", "publicationDate", "createdAt", "created_at", "date"]
            .lazy.compactMap { JSONLDReader.string(object[$0]) }.first
        article.dateModified = ["updatedAt", "dateModified", "modifiedAt", "updated_at", "modified_at", "lastModified"]
            .lazy.compactMap { JSONLDReader.string(object[$0]) }.first
        let found = !article.personAuthors.isEmpty || article.datePublished != nil || article.dateModified != nil
        return found ? article : nil
    }

    /// `YYYY-MM-DD` from an article URL's path (`/2024/06/20/…`, `/2024-06-20-…`).
    static func dateInURL(_ url: String?) -> String? {
        guard let url, let path = URL(string: url)?.path, path.count > 10 else { return nil }
        // `/YYYY-M-D` with any of "/", "-", "_" between the parts and after the day (or the
        // path's end), the year in 1900–2099. Scanned by hand: a regex literal is compiled
        // again on every call, which cost more than the rest of the date search.
        let bytes = Array(path.utf8)
        func isSeparator(_ index: Int) -> Bool {
            index < bytes.count && (bytes[index] == UInt8(ascii: "/") || bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "_"))
        }
        func isDigit(_ index: Int) -> Bool { index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 }
        /// One or two digits at `index`: their value and where they end.
        func number(at index: Int) -> (value: Int, end: Int)? {
            guard isDigit(index) else { return nil }
            var value = Int(bytes[index] - 0x30)
            var end = index + 1
            if isDigit(end) {
                value = value * 10 + Int(bytes[end] - 0x30)
                end += 1
            }
            return (value, end)
        }
        for slash in bytes.indices where bytes[slash] == UInt8(ascii: "/") {
            let yearStart = slash + 1
            guard yearStart + 4 <= bytes.count, (yearStart..<(yearStart + 4)).allSatisfy(isDigit) else { continue }
            let century = Int(bytes[yearStart] - 0x30) * 10 + Int(bytes[yearStart + 1] - 0x30)
            guard century == 19 || century == 20, isSeparator(yearStart + 4),
                  let month = number(at: yearStart + 5), isSeparator(month.end),
                  let day = number(at: month.end + 1) else { continue }
            guard day.end == bytes.count || isSeparator(day.end) || bytes[day.end] == UInt8(ascii: ".") else { continue }
            let year = String(decoding: bytes[yearStart..<(yearStart + 4)], as: UTF8.self)
            return String(format: "%@-%02d-%02d", year, month.value, day.value)
        }
        return nil
    }
}
