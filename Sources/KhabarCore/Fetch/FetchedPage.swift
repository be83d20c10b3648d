public import Foundation

/// A page as the fetcher received it, ready for `ArticleExtractor.extract(html:url:charset:)`.
public struct FetchedPage: Sendable {
    /// The URL the caller asked for.
    public var requestedURL: String
    /// The URL of the last redirect hop (equal to `requestedURL` without redirects).
    public var finalURL: String
    public var status: Int
    /// Response headers of the final hop in arrival order, names lower-cased.
    public var headers: [(name: String, value: String)]
    /// The decompressed body; empty for a 304.
    public var body: [UInt8]
    /// The `charset=` parameter of `Content-Type`, if any (not validated; the cleaner decides).
    public var charset: String?
    public var contentType: String?
    public var etag: String?
    public var lastModified: String?
    public var fetchedAt: Date
    /// Redirect hops followed (0 without redirects).
    public var redirectCount: Int
    /// Attempts made for the final hop (1 when the first one succeeded).
    public var attempts: Int

    /// The first header with this (case-insensitive) name.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}

/// What a fetch produced: a page, or the server's word that the stored copy is still current.
public enum FetchOutcome: Sendable {
    /// A 2xx response with its body.
    case fetched(FetchedPage)
    /// 304 Not Modified to a conditional GET: `body` is empty, validators are unchanged.
    case notModified(FetchedPage)

    public var page: FetchedPage {
        switch self {
        case .fetched(let page), .notModified(let page): return page
        }
    }
}

/// ETag and Last-Modified of a page, sent back as `If-None-Match` / `If-Modified-Since`.
public struct FetchValidators: Sendable, Equatable {
    public var etag: String?
    public var lastModified: String?

    public init(etag: String? = nil, lastModified: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
    }

    public var isEmpty: Bool { etag == nil && lastModified == nil }
}

/// Where the fetcher keeps validators between fetches, keyed by canonical URL
/// (`CanonicalURL.key(for:)`). The daemon's SQLite store implements it too.
public protocol FetchValidatorStore: Sendable {
    func validators(for canonicalURL: String) async -> FetchValidators?
    func store(_ validators: FetchValidators, for canonicalURL: String) async
}

/// Validators in memory, for tests and one-shot runs.
public final class InMemoryValidatorStore: FetchValidatorStore {
    private let entries = LockedValue<[String: FetchValidators]>([:])

    public init() {}

    public func validators(for canonicalURL: String) async -> FetchValidators? {
        entries.withLock { $0[canonicalURL] }
    }

    public func store(_ validators: FetchValidators, for canonicalURL: String) async {
        entries.withLock { $0[canonicalURL] = validators.isEmpty ? nil : validators }
    }
}
