/// What a page says about itself: the article's title, byline, dates and site.
///
/// Every field is optional (or empty): a missing value is better than a guessed one.
public struct PageMetadata: Sendable, Equatable {
    public var title: String?
    /// One or more authors, joined with ", ".
    public var author: String?
    public var publishedAt: NewsDate?
    public var modifiedAt: NewsDate?
    public var siteName: String?
    public var description: String?
    /// Absolute URL of the lead image.
    public var image: String?
    public var tags: [String]
    /// Absolute canonical URL of the article.
    public var canonicalURL: String?
    /// `<html lang>`, the Content-Language meta, or `og:locale`, as written.
    public var declaredLanguage: String?
    /// `rtl` or `ltr` from `<html dir>` or `<body dir>`.
    public var declaredDirection: String?

    public init(
        title: String? = nil, author: String? = nil, publishedAt: NewsDate? = nil,
        modifiedAt: NewsDate? = nil, siteName: String? = nil, description: String? = nil,
        image: String? = nil, tags: [String] = [], canonicalURL: String? = nil,
        declaredLanguage: String? = nil, declaredDirection: String? = nil
    ) {
        self.title = title
        self.author = author
        self.publishedAt = publishedAt
        self.modifiedAt = modifiedAt
        self.siteName = siteName
        self.description = description
        self.image = image
        self.tags = tags
        self.canonicalURL = canonicalURL
        self.declaredLanguage = declaredLanguage
        self.declaredDirection = declaredDirection
    }
}
