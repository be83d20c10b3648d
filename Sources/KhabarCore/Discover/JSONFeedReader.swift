internal import Foundation

/// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1).
enum JSONFeedReader {
    static func parse(_ bytes: [UInt8], url: String, maxItems: Int) throws(DiscoveryError) -> Feed {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw DiscoveryError(source: url, reason: .invalidJSON(String(describing: error)))
        }
        guard let root = object as? [String: Any] else {
            throw DiscoveryError(source: url, reason: .invalidJSON("the top level is not an object"))
        }
        guard let version = root["version"] as? String, version.contains("jsonfeed.org/version/") else {
            throw DiscoveryError(source: url, reason: .unrecognizedFormat(found: "a JSON object without a JSON Feed version"))
        }
        let home = (root["home_page_url"] as? String).flatMap { URLReference.resolve($0, against: url) }
        let documentBase = URLReference.resolve(url, against: nil) != nil ? url : home
        let entries = root["items"] as? [Any] ?? []
        var feed = Feed(
            format: .jsonFeed, title: DiscoveryInput.trimmed(root["title"] as? String), link: home,
            language: DiscoveryInput.trimmed(root["language"] as? String), items: [])
        feed.isTruncated = entries.count > maxItems
        let feedAuthors = authors(in: root)
        for case let entry as [String: Any] in entries.prefix(maxItems) {
            var item = FeedItem()
            item.id = (entry["id"] as? String) ?? (entry["id"] as? NSNumber)?.stringValue
            // `url` is the item's own page; `external_url` points elsewhere (a linked story).
            for key in ["url", "external_url"] {
                if let link = entry[key] as? String, let resolved = URLReference.resolve(link, against: documentBase),
                   let web = URLReference.webURL(resolved) {
                    item.link = web
                    break
                }
            }
            item.title = DiscoveryInput.trimmed(entry["title"] as? String)
            item.summary = DiscoveryInput.trimmed(entry["summary"] as? String)
            item.content = DiscoveryInput.trimmed(entry["content_html"] as? String) ?? DiscoveryInput.trimmed(entry["content_text"] as? String)
            if let published = DiscoveryInput.trimmed(entry["date_published"] as? String) {
                item.publishedText = published
                item.published = NewsDateParser.parse(published)
            }
            if let modified = DiscoveryInput.trimmed(entry["date_modified"] as? String) {
                item.updatedText = modified
                item.updated = NewsDateParser.parse(modified)
            }
            let itemAuthors = authors(in: entry)
            item.authors = itemAuthors.isEmpty ? feedAuthors : itemAuthors
            item.categories = (entry["tags"] as? [Any] ?? []).compactMap { DiscoveryInput.trimmed($0 as? String) }
            feed.items.append(item)
        }
        return feed
    }

    /// 1.1's `authors` array, or 1.0's single `author`.
    private static func authors(in object: [String: Any]) -> [String] {
        let list = (object["authors"] as? [Any]) ?? (object["author"].map { [$0] } ?? [])
        return list.compactMap { ($0 as? [String: Any])?["name"] as? String }.compactMap(DiscoveryInput.trimmed)
    }
}
