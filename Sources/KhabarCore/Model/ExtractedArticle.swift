/// What the cleaner makes of one web page: the article body and its metadata.
///
/// Field names are the JSONL field names (snake_case); `nil` fields are written as `null`.
public struct ExtractedArticle: Sendable, Equatable, Codable {
    public var url: String?
    public var canonicalURL: String?
    public var title: String?
    public var author: String?
    /// ISO 8601; a date-only value stays `YYYY-MM-DD`.
    public var publishedAt: String?
    public var modifiedAt: String?
    public var siteName: String?
    public var lang: String?
    /// `rtl` or `ltr`.
    public var dir: String?
    public var description: String?
    public var image: String?
    public var tags: [String]
    /// The article body, one block (paragraph, heading, list item, quote) per line.
    public var text: String
    public var wordCount: Int

    public init(
        url: String? = nil, canonicalURL: String? = nil, title: String? = nil, author: String? = nil,
        publishedAt: String? = nil, modifiedAt: String? = nil, siteName: String? = nil,
        lang: String? = nil, dir: String? = nil, description: String? = nil, image: String? = nil,
        tags: [String] = [], text: String = "", wordCount: Int = 0
    ) {
        self.url = url
        self.canonicalURL = canonicalURL
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
        self.wordCount = wordCount
    }

    enum CodingKeys: String, CodingKey {
        case url
        case canonicalURL = "canonical_url"
        case title, author
        case publishedAt = "published_at"
        case modifiedAt = "modified_at"
        case siteName = "site_name"
        case lang, dir, description, image, tags, text
        case wordCount = "word_count"
    }
}
