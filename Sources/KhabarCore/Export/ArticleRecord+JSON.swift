extension ArticleRecord {
    /// The keys of an exported line, in the order they are written. Every key is always
    /// present; unknown values are `null`. `schema/article.schema.json` lists the same keys.
    public static let jsonKeys: [String] = [
        "schema_version", "id", "url", "canonical_url", "source", "fetched_at", "title", "author",
        "published_at", "modified_at", "site_name", "lang", "dir", "description", "image", "tags",
        "text", "word_count", "content_hash", "duplicate_of",
    ]

    /// Keys written only when set, each in its place among `jsonKeys`: `text_folded` right
    /// after `text` (with `normalize.export_folded`).
    public static let optionalJSONKeys: [String] = ["text_folded"]

    /// Writes the record's fields into `writer` (which must be empty) in `jsonKeys` order, with
    /// `text_folded` after `text` when the record has it.
    public func writeJSON(into writer: inout JSONLineWriter) {
        writer.field("schema_version", Self.schemaVersion)
        writer.field("id", id)
        writer.field("url", url)
        writer.field("canonical_url", canonicalURL)
        writer.field("source", source)
        writer.field("fetched_at", fetchedAt)
        writer.field("title", title)
        writer.field("author", author)
        writer.field("published_at", publishedAt)
        writer.field("modified_at", modifiedAt)
        writer.field("site_name", siteName)
        writer.field("lang", lang)
        writer.field("dir", dir)
        writer.field("description", description)
        writer.field("image", image)
        writer.field("tags", tags)
        writer.field("text", text)
        if let textFolded { writer.field("text_folded", textFolded) }
        writer.field("word_count", wordCount)
        writer.field("content_hash", contentHash)
        writer.field("duplicate_of", duplicateOf)
    }

    /// The record as one JSONL line, newline included.
    public func jsonLine() -> [UInt8] {
        var writer = JSONLineWriter(capacity: 256 + text.utf8.count + (textFolded?.utf8.count ?? 0) + (description?.utf8.count ?? 0))
        writeJSON(into: &writer)
        return writer.finish()
    }
}
