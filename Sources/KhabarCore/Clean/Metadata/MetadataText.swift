internal import Foundation

/// String helpers shared by the metadata readers.
enum MetadataText {
    /// Collapses whitespace and decodes the few entities that survive in attribute values
    /// written twice-escaped (`&amp;quot;`).
    static func clean(_ text: String?) -> String? {
        guard let text else { return nil }
        var folded = collapsedString(text)
        if folded.utf8.contains(UInt8(ascii: "&")) {
            for (entity, character) in [("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", " "), ("&amp;", "&")] {
                folded = folded.replacingOccurrences(of: entity, with: character)
            }
            folded = TextFolding.collapseWhitespace(folded)
        }
        return folded.isEmpty ? nil : folded
    }

    /// `text` without C0/C1 control characters (whitespace ones become spaces), whitespace
    /// collapsed and trimmed (any Unicode space, not just ASCII); nil when nothing is left.
    /// Clean text (the usual case) is returned as is.
    static func withoutControls(_ text: String?) -> String? {
        guard let text else { return nil }
        let untrimmed = text.unicodeScalars.first.map(TextFolding.isSpace) == true
            || text.unicodeScalars.last.map(TextFolding.isSpace) == true
        guard hasControlCharacter(text) || untrimmed else { return text.isEmpty ? nil : text }
        var kept = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if TextFolding.isSpace(scalar) {
                kept.append(" ")
            } else if scalar.value >= 0x20 && !(0x7F...0x9F).contains(scalar.value) {
                kept.append(scalar)
            }
        }
        let cleaned = TextFolding.collapseWhitespace(String(kept))
        return cleaned.isEmpty ? nil : cleaned
    }

    /// Whether `text` holds a C0 or C1 control character (a byte scan: C1 is C2 80–9F in UTF-8).
    static func hasControlCharacter(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) { return true }
            previous = byte
        }
        return false
    }

    /// `TextFolding.collapseWhitespace(String(decoding: bytes, as: UTF8.self))`, folding at the
    /// byte level: every whitespace scalar `TextFolding.isSpace` knows is matched by its exact
    /// UTF-8 sequence, so the result is the same even for ill-formed input (a space sequence
    /// always starts at a scalar boundary, and one ASCII space ends an ill-formed run as well).
    static func collapsedString(utf8 bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { collapsed($0) }
    }

    static func collapsedString(_ text: String) -> String {
        var text = text
        return text.withUTF8 { collapsed($0) }
    }

    private static func collapsed(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { output in
            var written = 0
            var pendingSpace = false
            var index = 0
            let count = bytes.count
            while index < count {
                let spaceLength = whitespaceLength(bytes, at: index)
                if spaceLength > 0 {
                    pendingSpace = written > 0
                    index += spaceLength
                    continue
                }
                if pendingSpace {
                    output[written] = 0x20
                    written += 1
                    pendingSpace = false
                }
                output[written] = bytes[index]
                written += 1
                index += 1
            }
            return written
        }
    }

    /// The length of the whitespace scalar starting at `index` (see `TextFolding.isSpace`), or 0.
    @inline(__always)
    static func whitespaceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let byte = bytes[index]
        if byte < 0x80 { return byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) ? 1 : 0 }
        let remaining = bytes.count - index
        switch byte {
        case 0xC2:  // U+0085, U+00A0
            return remaining >= 2 && (bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0) ? 2 : 0
        case 0xE1:  // U+1680
            return remaining >= 3 && bytes[index + 1] == 0x9A && bytes[index + 2] == 0x80 ? 3 : 0
        case 0xE2:  // U+2000…U+200B, U+2028, U+2029, U+202F, U+205F
            guard remaining >= 3 else { return 0 }
            let second = bytes[index + 1], third = bytes[index + 2]
            if second == 0x80 && ((0x80...0x8B).contains(third) || third == 0xA8 || third == 0xA9 || third == 0xAF) { return 3 }
            return second == 0x81 && third == 0x9F ? 3 : 0
        case 0xE3:  // U+3000
            return remaining >= 3 && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x80 ? 3 : 0
        case 0xEF:  // U+FEFF
            return remaining >= 3 && bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF ? 3 : 0
        default:
            return 0
        }
    }

    /// A form for comparing two titles or names: case, tatweel, Arabic diacritics, quotes and
    /// whitespace differences do not count.
    static func comparable(_ text: String) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        func append(_ scalar: Unicode.Scalar) {
            if pendingSpace { result.append(0x20) }
            pendingSpace = false
            if scalar.value < 0x80 {
                result.append(UInt8(scalar.value))
            } else {
                result.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0640, 0x064B...0x065F, 0x0670, 0x200C...0x200F, 0x061C:
                continue  // tatweel, harakat, directional marks
            case 0x22, 0x27, 0xAB, 0xBB, 0x2018...0x201F:
                continue  // quotes of every kind
            case 0x0622, 0x0623, 0x0625:
                append("\u{0627}")  // alef forms
                continue
            case 0x41...0x5A:
                append(Unicode.Scalar(scalar.value | 0x20)!)
                continue
            case 0...0x7F, 0x0600...0x06FF:
                break  // no case to fold
            default:
                if !TextFolding.isSpace(scalar) && scalar.properties.changesWhenLowercased {
                    for lower in scalar.properties.lowercaseMapping.unicodeScalars { append(lower) }
                    continue
                }
            }
            if TextFolding.isSpace(scalar) {
                pendingSpace = !result.isEmpty
            } else {
                append(scalar)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    static func looksLikeURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || lowered.hasPrefix("//")
            || lowered.hasPrefix("www.") || (lowered.hasPrefix("/") && !lowered.contains(" "))
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        !text.contains(" ") && text.contains("@") && text.contains(".")
    }

    static func wordCount(_ text: String) -> Int {
        if let words = text.utf8.withContiguousStorageIfAvailable(plainWordCount(utf8:)), let words { return words }
        return text.split(whereSeparator: { $0 == " " }).count
    }

    /// `wordCount` of a text made only of `PlainScalars` (each scalar a `Character`, so a
    /// space byte is a space `Character`), counted on its bytes without splitting; `nil` for
    /// any other text.
    private static func plainWordCount(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var words = 0
        var inWord = false
        var index = 0
        while index < bytes.count {
            let length = PlainScalars.length(bytes, at: index)
            guard length > 0 else { return nil }
            if bytes[index] == 0x20 {
                inWord = false
            } else if !inWord {
                inWord = true
                words += 1
            }
            index += length
        }
        return words
    }

    /// Resolves `reference` against `base`; gives `nil` for empty, `javascript:` or `data:` values.
    static func absoluteURL(_ reference: String?, base: String?) -> String? {
        guard let reference = clean(reference) else { return nil }
        let lowered = reference.lowercased()
        if lowered.hasPrefix("javascript:") || lowered.hasPrefix("data:") || lowered.hasPrefix("#") { return nil }
        let baseURL = base.flatMap { URL(string: $0) }
        if let resolved = URL(string: reference, relativeTo: baseURL) ?? percentEncoded(reference).flatMap({ URL(string: $0, relativeTo: baseURL) }) {
            let absolute = resolved.absoluteString
            if absolute.hasPrefix("http://") || absolute.hasPrefix("https://") || baseURL == nil { return absolute }
        }
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://") ? reference : nil
    }

    /// Percent-encodes characters `URL(string:)` refuses (spaces, Arabic letters in paths).
    private static func percentEncoded(_ text: String) -> String? {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.insert(charactersIn: "#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)
    }

    /// The host of `url` without a leading `www.`.
    static func hostName(of url: String?) -> String? {
        guard let url, let host = URL(string: url)?.host, !host.isEmpty else { return nil }
        return host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
    }
}

extension ArraySlice<UInt8> {
    /// Whether the bytes contain `needle` (given in lower case), ignoring ASCII case.
    func containsASCIICaseInsensitive(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        let first = needle[0]
        var start = startIndex
        let lastStart = endIndex - needle.count
        while start <= lastStart {
            if lowercasedASCII(self[start]) == first {
                var offset = 1
                while offset < needle.count && lowercasedASCII(self[start + offset]) == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }

    private func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }
}
