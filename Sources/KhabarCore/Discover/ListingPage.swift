internal import Foundation

/// Which URLs of a section page are articles, as configured per site.
///
/// A glob is matched against the whole absolute URL: `*` stands for any run of characters
/// except `/`, `**` for any run including `/`, `?` for one character. A regex (ICU syntax, as
/// `NSRegularExpression`) is matched anywhere in the URL unless it anchors itself.
public struct URLPattern: Sendable {
    private enum Matcher {
        case glob([GlobToken])
        case regex(NSRegularExpression)
    }

    private enum GlobToken: Equatable {
        case literal(Unicode.Scalar)
        case anyCharacter
        case anyInSegment
        case anyRun
    }

    private let matcher: Matcher
    public let source: String

    public init(glob: String) {
        source = glob
        var tokens: [GlobToken] = []
        let scalars = Array(glob.unicodeScalars)
        var index = 0
        while index < scalars.count {
            switch scalars[index] {
            case "*":
                if index + 1 < scalars.count, scalars[index + 1] == "*" {
                    tokens.append(.anyRun)
                    index += 1
                } else {
                    tokens.append(.anyInSegment)
                }
            case "?": tokens.append(.anyCharacter)
            default: tokens.append(.literal(scalars[index]))
            }
            index += 1
        }
        matcher = .glob(tokens)
    }

    public init(regex: String) throws(DiscoveryError) {
        source = regex
        do {
            matcher = .regex(try NSRegularExpression(pattern: regex))
        } catch {
            throw DiscoveryError(source: regex, reason: .invalidPattern(String(describing: error)))
        }
    }

    public func matches(_ url: String) -> Bool {
        switch matcher {
        case .glob(let tokens): Self.globMatches(tokens, Array(url.unicodeScalars))
        case .regex(let regex): regex.firstMatch(in: url, range: NSRange(url.startIndex..., in: url)) != nil
        }
    }

    /// Dynamic programming over (token, character) positions: linear memory, no backtracking
    /// blow-up on patterns like `*a*a*a*b`.
    private static func globMatches(_ tokens: [GlobToken], _ text: [Unicode.Scalar]) -> Bool {
        // matched[j]: the tokens so far match text[..<j].
        var matched = [Bool](repeating: false, count: text.count + 1)
        matched[0] = true
        for token in tokens {
            var next = [Bool](repeating: false, count: text.count + 1)
            switch token {
            case .literal(let scalar):
                for j in 0..<text.count where matched[j] && text[j] == scalar { next[j + 1] = true }
            case .anyCharacter:
                for j in 0..<text.count where matched[j] { next[j + 1] = true }
            case .anyRun:
                var reachable = false
                for j in 0...text.count {
                    reachable = reachable || matched[j]
                    next[j] = reachable
                }
            case .anyInSegment:
                var reachable = false
                for j in 0...text.count {
                    reachable = matched[j] || reachable
                    next[j] = reachable
                    // A run under `*` cannot cross a slash.
                    if j < text.count, text[j] == "/" { reachable = false }
                }
            }
            matched = next
        }
        return matched[text.count]
    }
}

/// Article links on an HTML section (listing) page.
public enum ListingPage {
    /// The canonical URLs of every `<a href>` on the page that `pattern` matches, without
    /// duplicates, in page order. Links are resolved against the page's `<base href>`, else
    /// `pageURL`; the pattern sees each link resolved and canonicalized.
    public static func articleLinks(
        html bytes: [UInt8], pageURL: String, matching pattern: URLPattern,
        declaredCharset: String? = nil, canonicalizer: URLCanonicalizer = URLCanonicalizer()
    ) -> [String] {
        let utf8 = CharsetDecoder.decodeToUTF8(bytes, declaredCharset: declaredCharset).utf8
        let tree = HTMLTree(utf8: utf8)
        guard !tree.isEmpty else { return [] }
        var base = pageURL
        if tree.head != HTMLTree.none {
            tree.walk(from: tree.head) { node in
                if tree[node].tag == .base, let href = tree.attribute("href", of: node),
                   let resolved = URLReference.resolve(href, against: pageURL) {
                    base = resolved
                    return false
                }
                return true
            }
        }
        var links: [String] = []
        var seen = Set<String>()
        tree.walk(from: 0) { node in
            guard tree[node].tag == .a else { return true }
            if let href = tree.attribute("href", of: node),
               let canonical = canonicalizer.canonicalize(href, relativeTo: base),
               pattern.matches(canonical), seen.insert(canonical).inserted {
                links.append(canonical)
            }
            return true
        }
        return links
    }
}
