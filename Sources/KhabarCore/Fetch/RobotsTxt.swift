/// The rules of one robots.txt that apply to one user agent (RFC 9309).
public struct RobotsRules: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        let allows: Bool
        let pattern: [UInt8]
    }

    let rules: [Rule]
    /// The group's `Crawl-delay`, if any (not in RFC 9309, but widely used).
    public let crawlDelaySeconds: Double?

    /// Everything allowed (robots.txt missing, 4xx, or no group for us).
    public static let allowAll = RobotsRules(rules: [], crawlDelaySeconds: nil)
    /// Nothing allowed (robots.txt unreachable or 5xx: "complete disallow" until it answers).
    public static let disallowAll = RobotsRules(rules: [Rule(allows: false, pattern: Array("/".utf8))], crawlDelaySeconds: nil)

    /// Parses `body` and keeps the groups for `productToken` (case-insensitive), or the `*`
    /// groups when none names it. Groups with the same user agent are merged.
    public init(parsing body: [UInt8], productToken: String) {
        let token = productToken.lowercased()
        var specific: [Rule] = []
        var generic: [Rule] = []
        var specificDelay: Double?
        var genericDelay: Double?
        var foundSpecific = false

        // A group is one or more user-agent lines followed by rules.
        var groupAgents: [String] = []
        var inRules = false
        func groupMatchesToken() -> Bool { groupAgents.contains(token) }
        func groupIsGeneric() -> Bool { groupAgents.contains("*") }

        for rawLine in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var line = rawLine[...]
            if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = line[..<hash] }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let key = String(decoding: line[..<colon], as: UTF8.self).trimmingASCIIWhitespace().lowercased()
            let valueBytes = Array(line[line.index(after: colon)...].trimmingASCIIWhitespaceBytes())
            switch key {
            case "user-agent":
                if inRules { groupAgents = []; inRules = false }
                let agent = String(decoding: valueBytes, as: UTF8.self).lowercased()
                // "Googlebot/2.1" names the product token "googlebot".
                groupAgents.append(String(agent.prefix { $0 != "/" && $0 != " " }))
                if groupAgents.last == token { foundSpecific = true }
            case "allow", "disallow":
                inRules = true
                // An empty Disallow allows everything: no rule at all.
                guard !valueBytes.isEmpty else { continue }
                let rule = Rule(allows: key == "allow", pattern: valueBytes)
                if groupMatchesToken() { specific.append(rule) }
                if groupIsGeneric() { generic.append(rule) }
            case "crawl-delay":
                inRules = true
                guard let seconds = Double(String(decoding: valueBytes, as: UTF8.self)), seconds >= 0, seconds.isFinite else { continue }
                if groupMatchesToken() { specificDelay = seconds }
                if groupIsGeneric() { genericDelay = seconds }
            default:
                // Sitemap and unknown keys do not end a group's user-agent list.
                continue
            }
        }
        if foundSpecific {
            self.init(rules: specific, crawlDelaySeconds: specificDelay)
        } else {
            self.init(rules: generic, crawlDelaySeconds: genericDelay)
        }
    }

    init(rules: [Rule], crawlDelaySeconds: Double?) {
        self.rules = rules
        self.crawlDelaySeconds = crawlDelaySeconds
    }

    /// Whether `pathAndQuery` (starting with "/") may be fetched: the longest matching pattern
    /// wins; on a tie, allow wins; no match allows. /robots.txt itself is always allowed.
    public func allows(_ pathAndQuery: String) -> Bool {
        let path = Array(RobotsRules.normalizePercentEncoding(pathAndQuery).utf8)
        if path == Array("/robots.txt".utf8) { return true }
        var bestLength = -1
        var bestAllows = true
        for rule in rules {
            let pattern = RobotsRules.normalizePercentEncoding(rule.pattern)
            guard RobotsRules.matches(pattern: pattern, path: path) else { continue }
            if pattern.count > bestLength || (pattern.count == bestLength && rule.allows) {
                bestLength = pattern.count
                bestAllows = rule.allows
            }
        }
        return bestAllows
    }

    /// Prefix match with `*` (any run of bytes) and a trailing `$` (end of path).
    static func matches(pattern: [UInt8], path: [UInt8]) -> Bool {
        var pattern = pattern[...]
        var anchored = false
        if pattern.last == UInt8(ascii: "$") { anchored = true; pattern = pattern.dropLast() }
        // Classic wildcard matching with one backtrack point per star: O(pattern × path).
        var patternIndex = pattern.startIndex
        var pathIndex = 0
        var starPattern: Int? = nil
        var starPath = 0
        while true {
            if patternIndex == pattern.endIndex {
                if !anchored || pathIndex == path.count { return true }
            } else if pattern[patternIndex] == UInt8(ascii: "*") {
                starPattern = patternIndex
                starPath = pathIndex
                patternIndex += 1
                continue
            } else if pathIndex < path.count && pattern[patternIndex] == path[pathIndex] {
                patternIndex += 1
                pathIndex += 1
                continue
            }
            // Mismatch (or anchored end not reached): let the last star eat one more byte.
            guard let star = starPattern, starPath < path.count else { return false }
            starPath += 1
            pathIndex = starPath
            patternIndex = star + 1
        }
    }

    /// Upper-cases percent-escapes and decodes escaped unreserved characters, so "/%7efoo" and
    /// "/~foo" compare equal (RFC 9309 §2.2.2 compares octets).
    static func normalizePercentEncoding(_ text: String) -> String {
        String(decoding: normalizePercentEncoding(Array(text.utf8)), as: UTF8.self)
    }

    static func normalizePercentEncoding(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "%")) else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                let value = high << 4 | low
                let isUnreserved = (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A)
                    || (value >= 0x30 && value <= 0x39) || value == 0x2D || value == 0x2E || value == 0x5F || value == 0x7E
                if isUnreserved {
                    result.append(value)
                } else {
                    result += [UInt8(ascii: "%"), hexDigit(value >> 4), hexDigit(value & 0xF)]
                }
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x41 + value - 10
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let bytes = Array(utf8)[...].trimmingASCIIWhitespaceBytes()
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension ArraySlice where Element == UInt8 {
    func trimmingASCIIWhitespaceBytes() -> ArraySlice<UInt8> {
        var slice = self
        while let first = slice.first, first == 0x20 || first == 0x09 || first == 0x0D || first == 0x0B || first == 0x0C { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 || last == 0x0D || last == 0x0B || last == 0x0C { slice = slice.dropLast() }
        return slice
    }
}
