internal import Foundation

/// One spelling per web address, so URLs from feeds, sitemaps, listing pages and backfill files
/// can be compared and deduplicated.
///
/// Scheme and host are lower-cased, an IDN host becomes Punycode, default ports, fragments and
/// tracking parameters go, the remaining query parameters are sorted by name (equal names keep
/// their order), percent-encoding is normalized (upper-case hex, unreserved characters decoded,
/// spaces and non-ASCII encoded as UTF-8), dot-segments are removed and an empty path becomes
/// `/`. Canonicalizing a canonical URL returns it unchanged.
public struct URLCanonicalizer: Sendable {
    /// Query parameter names dropped wherever they appear (compared lower-cased).
    public var trackingParameters: Set<String>
    /// Query parameter name prefixes dropped (compared lower-cased), such as `utm_`.
    public var trackingParameterPrefixes: [String]

    public static let defaultTrackingParameters: Set<String> = [
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "ttclid", "igshid", "wbraid", "gbraid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url", "oly_anon_id",
        "oly_enc_id", "vero_id", "wickedid", "__twitter_impression", "spm", "ito",
    ]
    public static let defaultTrackingParameterPrefixes = ["utm_"]

    public init(
        trackingParameters: Set<String> = URLCanonicalizer.defaultTrackingParameters,
        trackingParameterPrefixes: [String] = URLCanonicalizer.defaultTrackingParameterPrefixes
    ) {
        self.trackingParameters = Set(trackingParameters.map { $0.lowercased() })
        self.trackingParameterPrefixes = trackingParameterPrefixes.map { $0.lowercased() }
    }

    /// The canonical form of an absolute http(s) URL, or nil for anything else (relative
    /// references, `mailto:`, `javascript:`, a missing or invalid host or port).
    public func canonicalize(_ url: String) -> String? {
        let parts = URLReference(parsing: URLReference.cleanedReference(url)[...])
        guard let rawScheme = parts.scheme, let authority = parts.authority else { return nil }
        let scheme = rawScheme.lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        guard let host = Self.canonicalAuthority(authority, scheme: scheme) else { return nil }

        var result = scheme + "://" + host
        let path = URLReference.removeDotSegments(Substring(Self.normalizePercentEncoding(parts.path, keeping: Self.pathCharacters)))
        result += path.isEmpty ? "/" : path
        if let query = parts.query, let canonicalQuery = canonicalQuery(query) {
            result += "?" + canonicalQuery
        }
        return result
    }

    /// `reference` resolved against `base`, then canonicalized.
    public func canonicalize(_ reference: String, relativeTo base: String?) -> String? {
        URLReference.resolve(reference, against: base).flatMap(canonicalize)
    }

    /// Whether a query parameter with this (percent-normalized) name is tracking noise.
    public func isTrackingParameter(_ name: String) -> Bool {
        let lowered = name.lowercased()
        if trackingParameters.contains(lowered) { return true }
        return trackingParameterPrefixes.contains { lowered.hasPrefix($0) }
    }

    // MARK: Query

    private func canonicalQuery(_ query: Substring) -> String? {
        var parameters: [(name: String, pair: String, position: Int)] = []
        for (position, piece) in query.split(separator: "&", omittingEmptySubsequences: true).enumerated() {
            let pair = Self.normalizePercentEncoding(piece, keeping: Self.queryCharacters)
            let name = pair.firstIndex(of: "=").map { String(pair[..<$0]) } ?? pair
            if isTrackingParameter(Self.percentDecodedText(name)) { continue }
            parameters.append((name, pair, position))
        }
        guard !parameters.isEmpty else { return nil }
        parameters.sort { ($0.name, $0.position) < ($1.name, $1.position) }
        return parameters.map(\.pair).joined(separator: "&")
    }

    // MARK: Authority

    /// `host[:port]` with user info kept, or nil when the host or port is unusable.
    private static func canonicalAuthority(_ authority: Substring, scheme: String) -> String? {
        var hostAndPort = authority
        var userInfo = ""
        if let at = authority.utf8.lastIndex(of: UInt8(ascii: "@")) {
            userInfo = normalizePercentEncoding(authority[..<at], keeping: userInfoCharacters) + "@"
            hostAndPort = authority[authority.utf8.index(after: at)...]
        }
        var rawHost = hostAndPort
        var port: Substring = ""
        if hostAndPort.hasPrefix("[") {
            // An IPv6 literal: only hex digits, colons and dots, compared lower-cased.
            guard let close = hostAndPort.firstIndex(of: "]") else { return nil }
            rawHost = hostAndPort[...close]
            let after = hostAndPort[hostAndPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                port = after.dropFirst()
            }
            guard rawHost.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else if let colon = hostAndPort.utf8.lastIndex(of: UInt8(ascii: ":")) {
            rawHost = hostAndPort[..<colon]
            port = hostAndPort[hostAndPort.utf8.index(after: colon)...]
        }
        guard port.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var portSuffix = ""
        if !port.isEmpty {
            guard port.count <= 5, let number = Int(port), number <= 65535 else { return nil }
            let isDefault = (scheme == "http" && number == 80) || (scheme == "https" && number == 443)
            if !isDefault { portSuffix = ":\(number)" }
        }
        let host: String
        if rawHost.hasPrefix("[") {
            host = rawHost.lowercased()
        } else {
            guard let name = canonicalHostName(rawHost) else { return nil }
            host = name
        }
        return userInfo + host + portSuffix
    }

    /// Lower-cased, percent-decoded, trailing dots dropped and non-ASCII labels in Punycode.
    static func canonicalHostName(_ rawHost: Substring) -> String? {
        let decoded = rawHost.utf8.contains(UInt8(ascii: "%")) ? percentDecodedText(rawHost) : String(rawHost)
        // Ideographic and full-width full stops separate labels too (UTS #46).
        var labels = decoded.split(omittingEmptySubsequences: false) { $0 == "." || $0 == "\u{3002}" || $0 == "\u{FF0E}" || $0 == "\u{FF61}" }
        while labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }
        guard !labels.isEmpty, !labels[0].isEmpty else { return nil }
        var encoded: [String] = []
        encoded.reserveCapacity(labels.count)
        for label in labels {
            if label.utf8.allSatisfy({ $0 < 0x80 }) {
                let lowered = label.lowercased()
                guard lowered.utf8.allSatisfy(isHostByte) else { return nil }
                encoded.append(lowered)
            } else {
                // UTS #46 mapping, approximated: compatibility composition and lower case.
                let mapped = String(label).precomposedStringWithCompatibilityMapping.lowercased()
                if mapped.utf8.allSatisfy({ $0 < 0x80 }) {
                    guard mapped.utf8.allSatisfy(isHostByte) else { return nil }
                    encoded.append(mapped)
                    continue
                }
                guard !mapped.unicodeScalars.contains(where: { $0.value < 0x80 && !isHostByte(UInt8($0.value)) }),
                      let punycode = Punycode.encode(mapped.unicodeScalars)
                else { return nil }
                encoded.append("xn--" + punycode)
            }
        }
        return encoded.joined(separator: ".")
    }

    /// Letters, digits, `-` and `_` (seen in real subdomains); empty labels are allowed.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F
    }

    // MARK: Percent-encoding

    /// ASCII bytes that stay as they are in each component; everything else outside the
    /// unreserved set is percent-encoded.
    private static let pathCharacters = asciiSet("!$&'()*+,;=:@/")
    private static let queryCharacters = asciiSet("!$&'()*+,;=:@/?")
    private static let userInfoCharacters = asciiSet("!$&'()*+,;=:")

    private static func asciiSet(_ extra: String) -> [Bool] {
        var allowed = [Bool](repeating: false, count: 128)
        for byte in extra.utf8 { allowed[Int(byte)] = true }
        return allowed
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Decodes `%XX` of unreserved characters, upper-cases the hex of the others, encodes a
    /// lone `%` as `%25` and encodes every byte neither unreserved nor in `keeping`.
    static func normalizePercentEncoding(_ text: Substring, keeping allowed: [Bool]) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8)
        var index = 0
        func appendEncoded(_ byte: UInt8) {
            output.append(0x25)
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0F)])
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x25 {
                if index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                    let value = high << 4 | low
                    if isUnreserved(value) { output.append(value) } else { appendEncoded(value) }
                    index += 3
                } else {
                    appendEncoded(0x25)
                    index += 1
                }
                continue
            }
            if isUnreserved(byte) || (byte < 0x80 && allowed[Int(byte)]) {
                output.append(byte)
            } else {
                appendEncoded(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Every `%XX` decoded; invalid UTF-8 becomes U+FFFD.
    static func percentDecodedText(_ text: some StringProtocol) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25, index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
