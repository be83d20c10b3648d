/// Why a feed, sitemap, listing page or backfill file could not be read, and which one.
public struct DiscoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// Nothing to parse.
        case empty
        /// The bytes are not a document of the expected kind; `found` says what they look like.
        case unrecognizedFormat(found: String)
        /// libxml2 could not make a document of the bytes, even in recovery mode.
        case malformedXML(line: Int, message: String)
        /// The document declares entities that expand out of proportion (billion laughs).
        case entityExpansionRejected
        case invalidJSON(String)
        /// Inflating compressed data would pass the configured limit.
        case inflatedSizeLimitExceeded(limit: Int)
        case corruptCompressedData(String)
        /// A sitemap index at this depth of index-in-index nesting is past the configured limit.
        case sitemapIndexTooDeep(depth: Int, limit: Int)
        case invalidPattern(String)
        case unreadableFile(String)
        /// A WARC record that ends before its declared length, or whose header is unreadable.
        case invalidWARCRecord(offset: Int, message: String)
    }

    /// The URL or file path of the input.
    public var source: String
    public var reason: Reason

    public init(source: String, reason: Reason) {
        self.source = source
        self.reason = reason
    }

    public var description: String {
        let why: String = switch reason {
        case .empty: "no content"
        case .unrecognizedFormat(let found): "not a recognized format (found \(found))"
        case .malformedXML(let line, let message): "malformed XML at line \(line): \(message)"
        case .entityExpansionRejected: "entity expansion rejected (entity amplification attack)"
        case .invalidJSON(let message): "invalid JSON: \(message)"
        case .inflatedSizeLimitExceeded(let limit): "decompressed size exceeds the limit of \(limit) bytes"
        case .corruptCompressedData(let message): "corrupt compressed data: \(message)"
        case .sitemapIndexTooDeep(let depth, let limit): "sitemap index nested \(depth) deep, limit \(limit)"
        case .invalidPattern(let message): "invalid URL pattern: \(message)"
        case .unreadableFile(let message): "cannot read file: \(message)"
        case .invalidWARCRecord(let offset, let message): "invalid WARC record at byte \(offset): \(message)"
        }
        return "\(source): \(why)"
    }
}
