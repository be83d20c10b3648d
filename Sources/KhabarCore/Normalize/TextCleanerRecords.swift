internal import Foundation

/// What `khabar clean` does with one document or JSONL record: clean it, measure it, filter
/// it, and write its output line.
public struct TextCleanerPipeline: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// One JSON line, newline included.
        case record([UInt8])
        /// Cleaned, then rejected by the filter.
        case dropped(reason: String)
        /// The input could not be read as a record.
        case failed(reason: String)
    }

    public var filter: CleanFilter
    /// Per-source learned boilerplate; with `source`, documents are recorded by `learn` and
    /// its lines are dropped by `clean…`.
    public var memory: (any BoilerplateMemory)?
    public var source: String?

    private let cleaner: TextCleaner
    /// For a JSONL record's own title.
    private let normalizer: ArabicNormalizer
    private let folding: ArabicFolding
    /// Output lines carry `text_folded`.
    public let exportsFolded: Bool

    /// - Parameters:
    ///   - options: the normalization rules of `text`, `title` and `text_folded`.
    ///   - exportFolded: output lines carry `text_folded`, the folded form of `text`, right after it.
    public init(
        filter: CleanFilter = CleanFilter(), memory: (any BoilerplateMemory)? = nil, source: String? = nil,
        options: NormalizationOptions = .default, exportFolded: Bool = false
    ) {
        self.filter = filter
        self.memory = memory
        self.source = source
        cleaner = TextCleaner(options: options)
        normalizer = ArabicNormalizer(options: options)
        folding = ArabicFolding(options: options)
        exportsFolded = exportFolded
    }

    // MARK: Learning

    /// Records a plain-text document's lines in the memory (no-op without memory and source).
    public func learn(text: String) {
        guard let memory, let source else { return }
        memory.recordDocument(lines: text.split(whereSeparator: \.isNewline).map(String.init), source: source)
    }

    /// Records a JSONL record's `text` lines; records that cannot be read are skipped.
    public func learn(jsonLine: some Collection<UInt8>) {
        guard memory != nil, source != nil, let object = try? OrderedJSONObject(parsing: Array(jsonLine)),
              let text = object.stringValue(forKey: "text") else { return }
        learn(text: text)
    }

    // MARK: Cleaning

    /// A plain-text document: `{"input", "title", "author", "site_name", "published_at",
    /// "lang", "text", "quality"}` (`"text_folded"` after `"text"` when exported), every key
    /// present (`null` when not found).
    public func clean(text: String, input: String) -> Outcome {
        let cleaned = cleaner.clean(text, memory: memory, source: source, folding: exportsFolded)
        let language = LanguageDetector.detect(text: cleaned.text, declared: nil).code
        let quality = QualitySignals(text: cleaned.text)
        if let reason = filter.rejection(quality: quality, language: language) { return .dropped(reason: reason) }
        var line = JSONLineWriter(capacity: cleaned.text.utf8.count + 512)
        line.field("input", input)
        line.field("title", cleaned.title)
        line.field("author", cleaned.author)
        line.field("site_name", cleaned.siteName)
        line.field("published_at", cleaned.publishedAt)
        line.field("lang", language)
        line.field("text", cleaned.text)
        if exportsFolded { line.field("text_folded", cleaned.foldedText ?? folding.foldNormalized(cleaned.text)) }
        var output = OrderedJSONObjectWriter()
        output.append(fragmentsOf: &line)
        output.append(key: "quality", rawValue: Self.qualityObject(quality))
        return .record(output.finish())
    }

    /// A JSONL record: its `text` (and `title`, when a string) cleaned in place, its other
    /// fields kept in their order; `author`, `site_name`, `published_at` filled where the
    /// record has none and the text states them; `lang` and `quality` set. `text_folded`, when
    /// exported or when the record has one (it would no longer match the cleaned text), is
    /// written right after `text`.
    public func clean(jsonLine: some Collection<UInt8>) -> Outcome {
        let object: OrderedJSONObject
        do {
            object = try OrderedJSONObject(parsing: Array(jsonLine))
        } catch {
            return .failed(reason: "not a JSON object: \(error)")
        }
        guard let text = object.stringValue(forKey: "text") else { return .failed(reason: "no string field \"text\"") }
        let knownTitle = object.stringValue(forKey: "title").map(normalizer.normalize).flatMap { $0.isEmpty ? nil : $0 }
        let writesFolded = exportsFolded || object.members.contains(where: { $0.key == "text_folded" })
        let cleaned = cleaner.clean(text, knownTitle: knownTitle, memory: memory, source: source, folding: writesFolded)
        let declared = object.stringValue(forKey: "lang")
        let language = LanguageDetector.detect(text: cleaned.text, declared: declared).code
        let quality = QualitySignals(text: cleaned.text)
        if let reason = filter.rejection(quality: quality, language: language) { return .dropped(reason: reason) }

        // Values we may write, by key; a record's own non-null value wins for metadata.
        var computed: [(key: String, value: [UInt8])] = [
            ("text", Self.encoded(cleaned.text)),
            ("title", Self.encoded(knownTitle ?? cleaned.title)),
            ("author", Self.encoded(cleaned.author)),
            ("site_name", Self.encoded(cleaned.siteName)),
            ("published_at", Self.encoded(cleaned.publishedAt)),
            ("lang", Self.encoded(language)),
            ("quality", Self.qualityObject(quality)),
        ]
        let alwaysReplaced: Set<String> = ["text", "lang", "quality"]
        let metadata: Set<String> = ["title", "author", "site_name", "published_at"]
        let folded = writesFolded ? Self.encoded(cleaned.foldedText ?? folding.foldNormalized(cleaned.text)) : nil
        var output = OrderedJSONObjectWriter()
        for member in object.members {
            if member.key == "text_folded" { continue }  // written after "text"
            if let index = computed.firstIndex(where: { $0.key == member.key }) {
                let replace = alwaysReplaced.contains(member.key) || (member.key == "title" && knownTitle != nil)
                    || (metadata.contains(member.key) && Self.isNull(member.rawValue))
                output.append(key: member.key, rawValue: replace ? computed[index].value : member.rawValue)
                computed.remove(at: index)
                if member.key == "text", let folded { output.append(key: "text_folded", rawValue: folded) }
            } else {
                output.append(key: member.key, rawValue: member.rawValue)
            }
        }
        // Keys the record lacked: metadata only when found.
        for (key, value) in computed where !(metadata.contains(key) && Self.isNull(value)) {
            output.append(key: key, rawValue: value)
        }
        return .record(output.finish())
    }

    // MARK: Encoding

    static func qualityObject(_ quality: QualitySignals) -> [UInt8] {
        func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        var object = JSONLineWriter(capacity: 128)
        object.field("chars", quality.characterCount)
        object.field("words", quality.wordCount)
        object.field("arabic_ratio", rounded(quality.arabicLetterRatio))
        object.field("repeated_line_ratio", rounded(quality.repeatedLineRatio))
        return Array(object.finish().dropLast())
    }

    /// A JSON string (or `null`), escaped by `JSONLineWriter`.
    static func encoded(_ value: String?) -> [UInt8] {
        var object = JSONLineWriter(capacity: (value?.utf8.count ?? 0) + 16)
        object.field("", value)
        let bytes = object.finish()
        // {"":VALUE}\n
        return Array(bytes[4..<(bytes.count - 2)])
    }

    static func isNull(_ raw: [UInt8]) -> Bool { raw == Array("null".utf8) }
}

/// A JSON object's members in their order, values kept as their raw bytes (so numbers, nested
/// objects and unknown fields pass through exactly as written).
struct OrderedJSONObject {
    struct Member {
        var key: String
        var rawValue: [UInt8]
    }

    enum ParseError: Error, CustomStringConvertible {
        case unexpected(String, at: Int)
        var description: String {
            switch self { case .unexpected(let what, let offset): "\(what) at byte \(offset)" }
        }
    }

    var members: [Member] = []

    init(parsing bytes: [UInt8]) throws {
        var scanner = JSONScanner(bytes: bytes)
        scanner.skipWhitespace()
        try scanner.expect(UInt8(ascii: "{"))
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                let keyRange = try scanner.skipString()
                let key = try Self.decodeString(Array(bytes[keyRange]))
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipWhitespace()
                let valueRange = try scanner.skipValue()
                members.append(Member(key: key, rawValue: Array(bytes[valueRange])))
                scanner.skipWhitespace()
                if scanner.peek() == UInt8(ascii: ",") { scanner.index += 1; continue }
                try scanner.expect(UInt8(ascii: "}"))
                break
            }
        }
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw ParseError.unexpected("trailing bytes", at: scanner.index) }
    }

    /// The member's value when it is a JSON string; `nil` when missing, null or not a string.
    func stringValue(forKey key: String) -> String? {
        guard let raw = members.first(where: { $0.key == key })?.rawValue, raw.first == UInt8(ascii: "\"") else { return nil }
        return try? Self.decodeString(raw)
    }

    static func decodeString(_ raw: [UInt8]) throws -> String {
        try JSONDecoder().decode(String.self, from: Data(raw))
    }
}

private struct JSONScanner {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else {
            throw OrderedJSONObject.ParseError.unexpected("expected '\(Character(Unicode.Scalar(byte)))'", at: index)
        }
        index += 1
    }

    /// A string including its quotes.
    mutating func skipString() throws -> Range<Int> {
        let start = index
        try expect(UInt8(ascii: "\""))
        while let byte = peek() {
            index += 1
            if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { return start..<index }
        }
        throw OrderedJSONObject.ParseError.unexpected("unterminated string", at: start)
    }

    mutating func skipValue() throws -> Range<Int> {
        let start = index
        switch peek() {
        case UInt8(ascii: "\""):
            return try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while let byte = peek() {
                switch byte {
                case UInt8(ascii: "\""): _ = try skipString(); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                index += 1
                if depth == 0 { return start..<index }
            }
            throw OrderedJSONObject.ParseError.unexpected("unterminated container", at: start)
        case nil:
            throw OrderedJSONObject.ParseError.unexpected("missing value", at: start)
        default:
            // Numbers, true, false, null: up to the next delimiter.
            while let byte = peek(), !(byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
                || byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D) { index += 1 }
            guard index > start else { throw OrderedJSONObject.ParseError.unexpected("missing value", at: start) }
            return start..<index
        }
    }
}

/// Writes a JSON object from already-encoded members.
struct OrderedJSONObjectWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    mutating func append(key: String, rawValue: [UInt8]) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes += TextCleanerPipeline.encoded(key)
        bytes.append(UInt8(ascii: ":"))
        bytes += rawValue
    }

    /// The members a `JSONLineWriter` has written so far (it is finished here).
    mutating func append(fragmentsOf line: inout JSONLineWriter) {
        let written = line.finish()
        // {MEMBERS}\n
        guard written.count > 3 else { return }
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes += written[1..<(written.count - 2)]
    }

    mutating func finish() -> [UInt8] {
        bytes += [UInt8(ascii: "}"), UInt8(ascii: "\n")]
        return bytes
    }
}
