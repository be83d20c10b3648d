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
        guard let match = path.firstMatch(of: /\/((?:19|20)\d\d)[\/\-_](\d{1,2})[\/\-_](\d{1,2})(?:[\/\-_.]|$)/) else { return nil }
        guard let month = Int(match.2), let day = Int(match.3) else { return nil }
        return String(format: "%@-%02d-%02d", String(match.1), month, day)
    }
}
