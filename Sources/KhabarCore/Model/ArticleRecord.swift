/// One exported article: a line of khabar's JSONL output.
///
/// `schema_version` changes when a field changes meaning or disappears; new optional fields do
/// not bump it. The JSON Schema is `schema/article.schema.json`.
public struct ArticleRecord: Sendable, Equatable {
    public static let schemaVersion = 1

    /// Stable identifier: derived from the canonical URL, so the same article always has it.
    public var id: String
    public var url: String
    public var canonicalURL: String
    /// The configured source (feed, sitemap, backfill input) that led to the article.
    public var source: String
    /// ISO 8601 UTC time of the fetch.
    public var fetchedAt: String
    public var title: String?
    public var author: String?
    public var publishedAt: String?
    public var modifiedAt: String?
    public var siteName: String?
    public var lang: String?
    public var dir: String?
    public var description: String?
    public var image: String?
    public var tags: [String]
    public var text: String
    /// `ArabicFolding`'s form of `text` (for matching); only with `normalize.export_folded`.
    public var textFolded: String?
    public var wordCount: Int
    /// Hash of the folded text (hex): equal for the same story however it was spelled.
    public var contentHash: String
    /// The `id` of the first exported record this one duplicates (exactly or nearly), if any.
    public var duplicateOf: String?

    public init(
        id: String, url: String, canonicalURL: String, source: String, fetchedAt: String,
        title: String? = nil, author: String? = nil, publishedAt: String? = nil,
        modifiedAt: String? = nil, siteName: String? = nil, lang: String? = nil, dir: String? = nil,
        description: String? = nil, image: String? = nil, tags: [String] = [], text: String,
        textFolded: String? = nil, wordCount: Int, contentHash: String, duplicateOf: String? = nil
    ) {
        self.id = id
        self.url = url
        self.canonicalURL = canonicalURL
        self.source = source
        self.fetchedAt = fetchedAt
        self.title = title
        self.author = author
        self.publishedAt = publishedAt
        self.modifiedAt = modifiedAt
        self.siteName = siteName
        self.lang = lang
        self.dir = dir
        self.description = description
        self.image = image
        self.tags = tags
        self.text = text
        self.textFolded = textFolded
        self.wordCount = wordCount
        self.contentHash = contentHash
        self.duplicateOf = duplicateOf
    }
}
