/// A URL split into its RFC 3986 components, without any decoding, and reference resolution
/// (RFC 3986 §5.2) of relative links against a base.
///
/// Parsing is by hand rather than with Foundation's `URL`, which rejects much of what feeds and
/// sitemaps publish (spaces, raw Arabic, stray `%`), and differs between platforms.
struct URLReference: Sendable, Equatable {
    var scheme: Substring?
    var authority: Substring?
    var path: Substring
    var query: Substring?
    var fragment: Substring?

    /// Splits `text`, which should already be trimmed of surrounding whitespace.
    init(parsing text: Substring) {
        var rest = text
        scheme = nil
        authority = nil
        query = nil
        fragment = nil
        // Delimiters are ASCII, so searching the UTF-8 view finds them without grapheme breaking.
        if let hash = rest.utf8.firstIndex(of: UInt8(ascii: "#")) {
            fragment = rest[rest.utf8.index(after: hash)...]
            rest = rest[..<hash]
        }
        if let question = rest.utf8.firstIndex(of: UInt8(ascii: "?")) {
            query = rest[rest.utf8.index(after: question)...]
            rest = rest[..<question]
        }
        if let colon = rest.utf8.firstIndex(of: UInt8(ascii: ":")), Self.isScheme(rest[..<colon]) {
            scheme = rest[..<colon]
            rest = rest[rest.utf8.index(after: colon)...]
        }
        if rest.utf8.starts(with: "//".utf8) {
            let afterSlashes = rest.utf8.index(rest.startIndex, offsetBy: 2)
            let authorityEnd = rest.utf8[afterSlashes...].firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            authority = rest[afterSlashes..<authorityEnd]
            rest = rest[authorityEnd...]
        }
        path = rest
    }

    init(scheme: Substring?, authority: Substring?, path: Substring, query: Substring?, fragment: Substring?) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.fragment = fragment
    }

    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, isASCIILetter(first) else { return false }
        return text.utf8.allSatisfy { isASCIILetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    var isAbsolute: Bool { scheme != nil }

    var text: String {
        var result = ""
        if let scheme { result += scheme + ":" }
        if let authority { result += "//" + authority }
        result += path
        if let query { result += "?" + query }
        if let fragment { result += "#" + fragment }
        return result
    }

    /// `reference` resolved against `base` (RFC 3986 §5.2.2), or nil when neither is absolute.
    static func resolve(_ reference: String, against base: String?) -> String? {
        let cleaned = cleanedReference(reference)
        let parsedReference = URLReference(parsing: cleaned[...])
        if parsedReference.isAbsolute {
            var absolute = parsedReference
            absolute.path = Substring(removeDotSegments(absolute.path))
            return absolute.text
        }
        guard let base else { return nil }
        let parsedBase = URLReference(parsing: cleanedReference(base)[...])
        guard parsedBase.isAbsolute else { return nil }
        return resolve(parsedReference, against: parsedBase).text
    }

    static func resolve(_ reference: URLReference, against base: URLReference) -> URLReference {
        if reference.authority != nil {
            return URLReference(
                scheme: base.scheme, authority: reference.authority,
                path: Substring(removeDotSegments(reference.path)), query: reference.query, fragment: reference.fragment)
        }
        var target = URLReference(scheme: base.scheme, authority: base.authority, path: "", query: nil, fragment: reference.fragment)
        if reference.path.isEmpty {
            target.path = base.path
            target.query = reference.query ?? base.query
        } else {
            if reference.path.hasPrefix("/") {
                target.path = Substring(removeDotSegments(reference.path))
            } else {
                target.path = Substring(removeDotSegments(Substring(merge(base: base, referencePath: reference.path))))
            }
            target.query = reference.query
        }
        return target
    }

    private static func merge(base: URLReference, referencePath: Substring) -> String {
        if base.authority != nil && base.path.isEmpty { return "/" + String(referencePath) }
        guard let lastSlash = base.path.lastIndex(of: "/") else { return String(referencePath) }
        return String(base.path[...lastSlash]) + referencePath
    }

    /// RFC 3986 §5.2.4, on whole segments.
    static func removeDotSegments(_ path: Substring) -> String {
        guard hasDotSegment(path) else { return String(path) }
        let isAbsolute = path.hasPrefix("/")
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if isAbsolute { segments.removeFirst() }
        var output: [Substring] = []
        var endsInDirectory = false
        for (position, segment) in segments.enumerated() {
            let isLast = position == segments.count - 1
            switch segment {
            case ".":
                endsInDirectory = isLast
            case "..":
                if !output.isEmpty { output.removeLast() }
                endsInDirectory = isLast
            default:
                output.append(segment)
                endsInDirectory = false
            }
        }
        var result = (isAbsolute ? "/" : "") + output.joined(separator: "/")
        if endsInDirectory && !result.hasSuffix("/") { result += "/" }
        return result
    }

    /// Whether a segment of `path` is `.` or `..`.
    private static func hasDotSegment(_ path: Substring) -> Bool {
        var previous: UInt8 = UInt8(ascii: "/")
        var segmentStartsWithDot = false
        var segmentLength = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                if segmentStartsWithDot && segmentLength <= 2 { return true }
                segmentStartsWithDot = false
                segmentLength = 0
            } else {
                if previous == UInt8(ascii: "/") { segmentStartsWithDot = byte == UInt8(ascii: ".") }
                if segmentStartsWithDot && byte != UInt8(ascii: ".") { segmentStartsWithDot = false }
                segmentLength += 1
            }
            previous = byte
        }
        return segmentStartsWithDot && segmentLength <= 2
    }

    /// Trimmed of surrounding whitespace, with tabs and line breaks inside removed and, for
    /// http(s), backslashes before the query read as slashes (as browsers do).
    /// `resolved` as a link to fetch: an absolute http(s) URL with a host, spaces and control
    /// characters percent-encoded (as browsers send them); nil for any other scheme or a
    /// missing host. Feed, sitemap and robots.txt links all pass through it.
    static func webURL(_ resolved: String) -> String? {
        let parts = URLReference(parsing: resolved[...])
        guard let scheme = parts.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let authority = parts.authority else { return nil }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        guard let first = host.utf8.first, first != UInt8(ascii: ":") else { return nil }
        let needsEncoding = resolved.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
            || resolved.unicodeScalars.contains { (0x80...0x9F).contains($0.value) }
        guard needsEncoding else { return resolved }
        var encoded = ""
        encoded.reserveCapacity(resolved.utf8.count + 16)
        for scalar in resolved.unicodeScalars {
            if scalar.value <= 0x20 || (0x7F...0x9F).contains(scalar.value) {
                for byte in String(scalar).utf8 { encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2) }
            } else {
                encoded.unicodeScalars.append(scalar)
            }
        }
        return encoded
    }

    static func cleanedReference(_ reference: String) -> String {
        // Most references need nothing: ASCII, non-blank ends, no tab, line break or backslash.
        let utf8 = reference.utf8
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80,
           !utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x5C }) {
            return reference
        }
        var text = Substring(reference)
        while let first = text.unicodeScalars.first, isWhitespace(first) { text.unicodeScalars.removeFirst() }
        while let last = text.unicodeScalars.last, isWhitespace(last) { text.unicodeScalars.removeLast() }
        var cleaned = String(text)
        if cleaned.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            cleaned.unicodeScalars.removeAll { $0 == "\t" || $0 == "\n" || $0 == "\r" }
        }
        if cleaned.contains("\\") {
            let lowered = cleaned.prefix(6).lowercased()
            let isHTTP = lowered.hasPrefix("http:") || lowered.hasPrefix("https:") || !cleaned.contains(":")
            if isHTTP {
                let queryStart = cleaned.firstIndex { $0 == "?" || $0 == "#" } ?? cleaned.endIndex
                cleaned = String(cleaned[..<queryStart].map { $0 == "\\" ? "/" : $0 }) + cleaned[queryStart...]
            }
        }
        return cleaned
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value <= 0x20 || scalar.value == 0xA0 || scalar.value == 0xFEFF || scalar.value == 0x200B
            || scalar.properties.isWhitespace
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
