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
    /// `text` and `title` leave in its display form, as `khabar clean` writes them.
    private let normalizer: ArabicNormalizer

    /// - Parameter options: the display-form rules for `text` and `title` (`normalize.*`).
    public init(options: NormalizationOptions = .default) {
        normalizer = ArabicNormalizer(options: options)
    }

    /// The rules `text` and `title` are normalized by.
    public var options: NormalizationOptions { normalizer.options }

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
        // Text nodes can hold control characters (a C1 byte read as windows-1252, a raw DEL):
        // they go, and a block left empty goes with them.
        let blocks = content.blocks.compactMap(MetadataText.withoutControls)
        guard !blocks.isEmpty else { return .failure(.noArticle) }

        var article = ExtractedArticle(url: url)
        article.canonicalURL = metadata.canonicalURL.flatMap(URLReference.webURL)
        // Metadata comes from attribute values, JSON-LD and script state, which may hold control
        // characters (a raw DEL, an escaped \u0001): none reach the record.
        article.title = MetadataText.withoutControls(metadata.title).map(normalizer.normalize).flatMap { $0.isEmpty ? nil : $0 }
        article.author = MetadataText.withoutControls(metadata.author ?? content.droppedBylines.lazy.compactMap(BylineDetector.author(fromBylineLine:)).first)
        article.publishedAt = metadata.publishedAt?.iso8601
        article.modifiedAt = metadata.modifiedAt?.iso8601
        article.siteName = MetadataText.withoutControls(metadata.siteName)
        article.description = MetadataText.withoutControls(metadata.description)
        article.image = metadata.image.flatMap(URLReference.webURL)
        article.tags = metadata.tags.compactMap(MetadataText.withoutControls)
        article.text = normalizer.normalize(blocks.joined(separator: "\n"))
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

/// Recognizes inputs that are plainly not text: files with a binary format's signature, or
/// control bytes that no HTML page in any ASCII-compatible charset contains.
enum BinarySniffer {
    /// Signatures of formats a crawler meets instead of HTML (images, archives, documents).
    private static let signatures: [(name: String, offset: Int, bytes: [UInt8])] = [
        ("PNG image", 0, [0x89, 0x50, 0x4E, 0x47]), ("GIF image", 0, Array("GIF8".utf8)),
        ("JPEG image", 0, [0xFF, 0xD8, 0xFF]), ("PDF document", 0, Array("%PDF-".utf8)),
        ("gzip data", 0, [0x1F, 0x8B]), ("zip archive", 0, [0x50, 0x4B, 0x03, 0x04]),
        ("bzip2 data", 0, Array("BZh".utf8)), ("xz data", 0, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]),
        ("zstd data", 0, [0x28, 0xB5, 0x2F, 0xFD]), ("7z archive", 0, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]),
        ("RIFF media (WebP, WAV, AVI)", 0, Array("RIFF".utf8)), ("MP4/QuickTime media", 4, Array("ftyp".utf8)),
        ("Ogg media", 0, Array("OggS".utf8)), ("ELF executable", 0, [0x7F, 0x45, 0x4C, 0x46]),
        ("WebAssembly module", 0, [0x00, 0x61, 0x73, 0x6D]), ("ICO image", 0, [0x00, 0x00, 0x01, 0x00]),
    ]

    /// Above this share of control bytes (other than tab, line breaks, form feed and escape),
    /// a sample is binary; real pages have next to none, random or compressed data about 10 %.
    static let maximumControlShare = 0.03

    static func binaryReason(_ bytes: [UInt8]) -> String? {
        // UTF-16/32 pages start with a BOM and are text, decoded later.
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return nil }
        for signature in signatures where bytes.count >= signature.offset + signature.bytes.count {
            if bytes[signature.offset..<signature.offset + signature.bytes.count].elementsEqual(signature.bytes) {
                return signature.name
            }
        }
        let sample = bytes.prefix(4096)
        var controlBytes = 0
        for byte in sample where byte < 0x09 || (byte > 0x0D && byte < 0x20 && byte != 0x1B) {
            controlBytes += 1
        }
        if Double(controlBytes) > Double(sample.count) * maximumControlShare {
            return "binary data (\(controlBytes) control bytes in the first \(sample.count))"
        }
        return nil
    }
}
