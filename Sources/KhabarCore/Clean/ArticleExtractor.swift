/// Why a page produced no article.
public enum ExtractionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input had no bytes (or only whitespace).
    case emptyInput
    /// The bytes are not a text document (binary data, an image, a PDF…).
    case notHTML(String)
    /// The page parsed, but nothing on it looks like article text.
    case noArticle

    public var description: String {
        switch self {
        case .emptyInput: return "empty input"
        case .notHTML(let reason): return "not an HTML page: \(reason)"
        case .noArticle: return "no article text found"
        }
    }
}

/// The cleaner stage: bytes of a web page in, article text and metadata out.
///
/// The same value serves `khabar extract` and the daemon's cleaner; it holds no mutable state
/// and is safe to share across tasks.
public struct ArticleExtractor: Sendable {
    public init() {}

    /// Extracts the article from raw page bytes.
    /// - Parameters:
    ///   - html: the page's bytes as received, in any charset.
    ///   - url: the page's URL, used to resolve relative links and as a metadata source.
    ///   - charset: the charset named by the HTTP `Content-Type` or the user, if any; it wins
    ///     over the page's own declaration.
    public func extract(html: [UInt8], url: String? = nil, charset: String? = nil) -> Result<ExtractedArticle, ExtractionError> {
        if html.allSatisfy({ $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }) {
            return .failure(.emptyInput)
        }
        if let reason = BinarySniffer.binaryReason(html) {
            return .failure(.notHTML(reason))
        }
        let decoded = CharsetDecoder.decodeToUTF8(html, declaredCharset: charset)
        let tree = HTMLTree(utf8: RawTextStripper.strip(decoded.utf8))
        guard !tree.isEmpty else { return .failure(.noArticle) }
        let metadata = MetadataExtractor(tree: tree, url: url).extract()
        let hints = ContentExtractor.Hints(title: metadata.title, isMetadataLine: BylineDetector.isBylineOrDateline)
        let content = ContentExtractor(tree: tree, hints: hints).extract()
        guard !content.blocks.isEmpty else { return .failure(.noArticle) }

        var article = ExtractedArticle(url: url)
        article.canonicalURL = metadata.canonicalURL
        article.title = metadata.title
        article.author = metadata.author ?? content.droppedBylines.lazy.compactMap(BylineDetector.author(fromBylineLine:)).first
        article.publishedAt = metadata.publishedAt?.iso8601
        article.modifiedAt = metadata.modifiedAt?.iso8601
        article.siteName = metadata.siteName
        article.description = metadata.description
        article.image = metadata.image
        article.tags = metadata.tags
        article.text = content.blocks.joined(separator: "\n")
        article.wordCount = WordCounter.count(article.text)
        let language = PageLanguage.detect(text: article.text, declaredLanguage: metadata.declaredLanguage, declaredDirection: metadata.declaredDirection)
        article.lang = language.code
        article.dir = language.direction
        return .success(article)
    }
}

/// Words as a reader counts them: whitespace-separated tokens with at least one character
/// that is not ASCII punctuation (so a lone "-" or "|" is not a word).
enum WordCounter {
    static func count(_ text: String) -> Int {
        var count = 0
        var inToken = false
        var tokenHasWordCharacter = false
        for byte in text.utf8 {
            if byte <= 0x20 {
                if inToken && tokenHasWordCharacter { count += 1 }
                inToken = false
                tokenHasWordCharacter = false
                continue
            }
            inToken = true
            if byte >= 0x80 || (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) {
                tokenHasWordCharacter = true
            }
        }
        if inToken && tokenHasWordCharacter { count += 1 }
        return count
    }
}

/// Recognizes inputs that are plainly not text: control bytes that never occur in HTML.
enum BinarySniffer {
    static func binaryReason(_ bytes: [UInt8]) -> String? {
        // UTF-16/32 pages start with a BOM and are text, decoded later.
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return nil }
        let sample = bytes.prefix(4096)
        var controlBytes = 0
        for byte in sample where byte < 0x09 || (byte > 0x0D && byte < 0x20 && byte != 0x1B) {
            controlBytes += 1
        }
        if sample.contains(0) && controlBytes * 10 > sample.count {
            return "binary data (\(controlBytes) control bytes in the first \(sample.count))"
        }
        if controlBytes * 5 > sample.count {
            return "binary data (\(controlBytes) control bytes in the first \(sample.count))"
        }
        return nil
    }
}
