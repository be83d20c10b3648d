internal import Foundation

/// Article fields found in JSON-LD blocks (and in framework state such as `__NEXT_DATA__`).
struct StructuredArticle {
    var headline: String?
    /// Authors typed as people (or untyped), in order.
    var personAuthors: [String] = []
    /// Authors typed as organizations: a last resort, they are rarely the writer.
    var organizationAuthors: [String] = []
    var datePublished: String?
    var dateModified: String?
    var publisherName: String?
    var websiteName: String?
    var image: String?
    var keywords: [String] = []
    var description: String?
    var url: String?
}

/// Reads `<script type="application/ld+json">` blocks, tolerating the broken JSON real pages
/// ship: raw control characters in strings, trailing commas, comment or CDATA wrappers, bad
/// escapes and several objects written one after another.
enum JSONLDReader {
    /// Schema.org types whose fields describe the article itself, best first.
    private static let articleTypes: [String: Int] = [
        "newsarticle": 0, "reportagenewsarticle": 0, "analysisnewsarticle": 0, "opinionnewsarticle": 0,
        "backgroundnewsarticle": 0, "reviewnewsarticle": 0, "article": 1, "blogposting": 1,
        "liveblogposting": 1, "socialmediaposting": 2, "report": 2, "scholarlyarticle": 2,
        "discussionforumposting": 2, "techarticle": 2, "webpage": 3, "itempage": 3, "medicalwebpage": 3,
    ]

    /// Parses every block and merges the article-like objects, the most specific type first.
    static func read(_ blocks: [String]) -> StructuredArticle {
        var objects: [[String: Any]] = []
        for block in blocks {
            for value in parseLenient(block) { collectObjects(value, into: &objects) }
        }
        var byID: [String: [String: Any]] = [:]
        for object in objects {
            if let id = object["@id"] as? String, byID[id] == nil || object.count > 1 { byID[id] = object }
        }
        var result = StructuredArticle()
        let ranked = objects.enumerated()
            .compactMap { offset, object -> (rank: Int, offset: Int, object: [String: Any])? in
                let ranks = types(of: object).compactMap { articleTypes[$0] }
                guard let rank = ranks.min() else { return nil }
                return (rank, offset, object)
            }
            .sorted { ($0.rank, $0.offset) < ($1.rank, $1.offset) }
        for (rank, _, object) in ranked {
            // A WebPage contributes only the fields a page-level object can truthfully carry.
            let isPage = rank == 3
            if result.headline == nil { result.headline = string(object["headline"]) ?? (isPage ? nil : string(object["name"])) }
            if result.personAuthors.isEmpty && result.organizationAuthors.isEmpty {
                readAuthors(object["author"] ?? object["creator"], byID: byID, into: &result)
            }
            if result.datePublished == nil { result.datePublished = string(object["datePublished"]) ?? string(object["dateCreated"]) }
            if result.dateModified == nil { result.dateModified = string(object["dateModified"]) }
            if result.publisherName == nil, let publisher = resolve(object["publisher"], byID: byID) {
                result.publisherName = name(of: publisher)
            }
            if result.image == nil { result.image = imageURL(object["image"] ?? object["thumbnailUrl"], byID: byID) }
            if result.keywords.isEmpty { result.keywords = keywords(object["keywords"]) }
            if result.description == nil { result.description = string(object["description"]) }
            if result.url == nil, !isPage {
                result.url = string(object["url"]) ?? string(object["mainEntityOfPage"])
                    ?? (object["mainEntityOfPage"] as? [String: Any]).flatMap { string($0["@id"]) ?? string($0["url"]) }
            }
        }
        for object in objects where types(of: object).contains("website") || types(of: object).contains("newsmediaorganization") {
            if result.websiteName == nil { result.websiteName = string(object["name"]) }
        }
        return result
    }

    // MARK: Lenient parsing

    /// Every top-level JSON value in `text`, repairing what can be repaired; `[]` when nothing parses.
    static func parseLenient(_ text: String) -> [Any] {
        let bytes = Array(text.utf8)
        if let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) {
            return [value]
        }
        var values: [Any] = []
        for chunk in topLevelValues(in: sanitize(bytes)) {
            if let value = try? JSONSerialization.jsonObject(with: Data(chunk), options: []) {
                values.append(value)
            }
        }
        return values
    }

    /// Escapes raw control characters inside strings, drops invalid escapes and trailing
    /// commas, and blanks out `<!--`, `-->`, `<![CDATA[`, `]]>` and `//` comment wrappers
    /// found outside strings.
    static func sanitize(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var inString = false
        var index = 0
        func starts(_ literal: String, at position: Int) -> Bool {
            let literalBytes = Array(literal.utf8)
            guard position + literalBytes.count <= bytes.count else { return false }
            return bytes[position..<position + literalBytes.count].elementsEqual(literalBytes)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                switch byte {
                case UInt8(ascii: "\\"):
                    let next = index + 1 < bytes.count ? bytes[index + 1] : 0
                    if "\"\\/bfnrtu".utf8.contains(next) {
                        output.append(byte)
                        output.append(next)
                        index += 2
                    } else {
                        index += 1  // `\'` and friends: keep the character, drop the backslash
                    }
                    continue
                case UInt8(ascii: "\""):
                    inString = false
                    output.append(byte)
                case 0x0A, 0x0D, 0x09:
                    output.append(0x20)
                case 0x00..<0x20:
                    break
                default:
                    output.append(byte)
                }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString = true
                output.append(byte)
                index += 1
                continue
            }
            var skipped = false
            for wrapper in ["<![CDATA[", "]]>", "<!--", "-->"] where starts(wrapper, at: index) {
                index += wrapper.utf8.count
                skipped = true
                break
            }
            if skipped { continue }
            if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                while index < bytes.count && bytes[index] != 0x0A { index += 1 }
                continue
            }
            if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                // A trailing comma before a closing bracket.
                var back = output.count - 1
                while back >= 0 && (output[back] == 0x20 || output[back] == 0x0A || output[back] == 0x0D || output[back] == 0x09) { back -= 1 }
                if back >= 0 && output[back] == UInt8(ascii: ",") { output.remove(at: back) }
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// Splits concatenated JSON values (`{…}{…}` or `{…}\n[…]`) by bracket depth.
    static func topLevelValues(in bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var chunks: [ArraySlice<UInt8>] = []
        var depth = 0
        var start = -1
        var inString = false
        var escaped = false
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                if depth > 0 { inString = true }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 0 { start = index }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0 else { continue }
                depth -= 1
                if depth == 0 && start >= 0 {
                    chunks.append(bytes[start...index])
                    start = -1
                }
            default:
                break
            }
        }
        return chunks
    }

    // MARK: Walking the values

    /// Every dictionary in `value`, including those in `@graph`, arrays and nested fields,
    /// without recursion and with a bound on the work.
    static func collectObjects(_ value: Any, into objects: inout [[String: Any]]) {
        var pending: [Any] = [value]
        var visited = 0
        while let next = pending.popLast(), visited < 5_000 {
            visited += 1
            if let array = next as? [Any] {
                pending.append(contentsOf: array.reversed())
            } else if let object = next as? [String: Any] {
                objects.append(object)
                if let graph = object["@graph"] { pending.append(graph) }
                for key in ["mainEntity", "itemListElement", "hasPart", "subjectOf"] {
                    if let nested = object[key] { pending.append(nested) }
                }
            }
        }
    }

    static func types(of object: [String: Any]) -> [String] {
        if let type = object["@type"] as? String { return [stripSchemaPrefix(type).lowercased()] }
        if let types = object["@type"] as? [Any] { return types.compactMap { ($0 as? String).map { stripSchemaPrefix($0).lowercased() } } }
        return []
    }

    private static func stripSchemaPrefix(_ type: String) -> String {
        guard let slash = type.lastIndex(where: { $0 == "/" || $0 == ":" }) else { return type }
        return String(type[type.index(after: slash)...])
    }

    static func string(_ value: Any?) -> String? {
        if let text = value as? String { return MetadataText.clean(text) }
        if let number = value as? NSNumber { return number.stringValue }
        if let array = value as? [Any] { return array.lazy.compactMap { string($0) }.first }
        return nil
    }

    /// Follows a `{"@id": …}` reference to the full object in the same page, when there is one.
    private static func resolve(_ value: Any?, byID: [String: [String: Any]]) -> [String: Any]? {
        guard let object = value as? [String: Any] ?? (value as? [Any])?.first as? [String: Any] else { return nil }
        if object.count <= 2, let id = object["@id"] as? String, let full = byID[id] { return full }
        return object
    }

    private static func name(of object: [String: Any]) -> String? {
        if let name = string(object["name"]) { return name }
        let parts = [string(object["givenName"]), string(object["familyName"])].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    private static func readAuthors(_ value: Any?, byID: [String: [String: Any]], into result: inout StructuredArticle) {
        guard let value else { return }
        let items: [Any] = (value as? [Any]) ?? [value]
        for item in items.prefix(10) {
            if let text = string(item), !(item is [Any]) {
                result.personAuthors.append(text)
            } else if let object = resolve(item, byID: byID), let name = name(of: object) {
                if types(of: object).contains(where: { $0.contains("organization") || $0 == "newsmediaorganization" || $0 == "corporation" }) {
                    result.organizationAuthors.append(name)
                } else {
                    result.personAuthors.append(name)
                }
            }
        }
    }

    private static func imageURL(_ value: Any?, byID: [String: [String: Any]]) -> String? {
        if let text = value as? String { return MetadataText.clean(text) }
        if let array = value as? [Any] { return array.lazy.compactMap { imageURL($0, byID: byID) }.first }
        if let object = resolve(value, byID: byID) {
            return string(object["url"]) ?? string(object["contentUrl"]) ?? (object["@id"] as? String).flatMap { MetadataText.looksLikeURL($0) ? $0 : nil }
        }
        return nil
    }

    private static func keywords(_ value: Any?) -> [String] {
        if let text = value as? String { return MetadataTags.split(text) }
        if let array = value as? [Any] { return array.compactMap { string($0) }.flatMap { MetadataTags.split($0) } }
        return []
    }
}

/// Tag lists as pages write them: comma (Latin or Arabic) separated, repeated, padded.
enum MetadataTags {
    static let limit = 30

    static func split(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == "،" || $0 == ";" || $0 == "؛" })
            .compactMap { MetadataText.clean(String($0)) }
    }

    static func deduplicated(_ tags: [String]) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for tag in tags {
            guard tag.count <= 100, !MetadataText.looksLikeURL(tag) else { continue }
            if seen.insert(MetadataText.comparable(tag)).inserted { result.append(tag) }
            if result.count == limit { break }
        }
        return result
    }
}
