/// What an element's `class` and `id` say about it: positive for article containers
/// ("article-body", "entry-content"), negative for page furniture ("comments", "share-bar").
///
/// Names are split into tokens at punctuation, digits and camelCase humps; each token is
/// compared with stems. Pages repeat the same class strings many times, so each distinct
/// class+id string is weighed once per page.
final class ClassWeightCache {
    /// At or below: furniture, unless it holds most of the page's text.
    static let junkThreshold = -25
    /// At or below: furniture, whatever its size.
    static let strongJunkThreshold = -50

    private let tree: HTMLTree
    /// Weights by a 64-bit FNV-1a hash of the class and id bytes: no key is allocated per
    /// element, and a collision among a page's few hundred names is negligible.
    private var byNameHash: [UInt64: Int] = [:]

    init(tree: HTMLTree) {
        self.tree = tree
    }

    func weight(of element: HTMLTree.NodeIndex) -> Int {
        guard tree[element].attributeCount > 0 else { return 0 }
        let className = tree.attributeBytes("class", of: element)
        let id = tree.attributeBytes("id", of: element)
        guard className != nil || id != nil else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in className ?? [] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0x20) &* 0x100_0000_01b3
        for byte in id ?? [] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        if let known = byNameHash[hash] { return known }
        var name = Array(className ?? [])
        name.append(0x20)
        name.append(contentsOf: id ?? [])
        let computed = Self.weigh(nameBytes: name)
        byNameHash[hash] = computed
        return computed
    }

    static func weigh(nameBytes: [UInt8]) -> Int {
        var total = 0
        var seen: [UInt64] = []
        forEachToken(in: nameBytes) { token in
            let key = packedKey(token)
            guard !seen.contains(key) else { return }
            seen.append(key)
            total += weight(ofToken: token)
        }
        return max(-100, min(100, total))
    }

    /// Lower-case tokens: split at anything but letters, and before an upper-case letter that
    /// follows a lower-case one.
    static func tokens(of bytes: [UInt8]) -> [String] {
        var tokens: [String] = []
        forEachToken(in: bytes) { tokens.append(String(decoding: $0, as: UTF8.self)) }
        return tokens
    }

    private static func forEachToken(in bytes: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        var current: [UInt8] = []
        current.reserveCapacity(32)
        var previousWasLower = false
        for byte in bytes {
            switch byte {
            case 0x61...0x7A:
                current.append(byte)
                previousWasLower = true
            case 0x41...0x5A:
                if previousWasLower && !current.isEmpty {
                    body(current[...])
                    current.removeAll(keepingCapacity: true)
                }
                current.append(byte + 32)
                previousWasLower = false
            default:
                if !current.isEmpty {
                    body(current[...])
                    current.removeAll(keepingCapacity: true)
                }
                previousWasLower = false
            }
        }
        if !current.isEmpty { body(current[...]) }
    }

    /// A token's identity for exact lookups: FNV-1a of its bytes mixed with its length.
    private static func packedKey<Bytes: Collection<UInt8>>(_ token: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash ^ UInt64(token.count)
    }

    static func weight(ofToken token: String) -> Int {
        weight(ofToken: Array(token.utf8)[...])
    }

    private static func weight(ofToken token: ArraySlice<UInt8>) -> Int {
        if let exact = exactTokenWeights[packedKey(token)] { return exact }
        for (stem, weight) in stemBytes where token.starts(with: stem) { return weight }
        return 0
    }

    private static let exactTokenWeights: [UInt64: Int] = {
        var table: [UInt64: Int] = [:]
        for (token, weight) in exactTokens { table[packedKey(Array(token.utf8))] = weight }
        return table
    }()

    private static let stemBytes: [([UInt8], Int)] = stems.map { (Array($0.0.utf8), $0.1) }

    /// Short names that only count as whole tokens ("ad" must not match "address").
    private static let exactTokens: [String: Int] = [
        "ad": -50, "ads": -50, "adv": -50, "advt": -50, "nav": -50, "tag": -50, "tags": -50,
        "hidden": -25, "hide": -25, "skip": -50, "share": -50, "sr": -50, "rss": -50, "poll": -50,
        "reply": -50, "replies": -50, "icons": -25, "icon": -25, "logo": -50, "meta": -25,
        "date": -25, "time": -25, "author": -25, "authors": -25, "more": -25, "also": -25,
        "latest": -25, "extra": -25, "links": -25, "header": -25, "head": -25, "top": 0,
        "info": -10, "aside": -50, "foot": -50, "sticky": -25, "keywords": -50, "topics": -25,
        "reactions": -50, "feedback": -50, "survey": -50, "community": -25, "notice": -25,
        "note": 0, "tools": -50, "login": -50, "user": -25, "profile": -50, "badge": -25,
        "label": -10, "thumb": -25, "thumbnail": -25, "image": -10, "img": -10, "photo": -10,
        "video": -10, "player": -25, "embed": -25,
        "article": 25, "articles": 0, "content": 25, "contents": 15, "entry": 20, "main": 20,
        "body": 20, "text": 15, "post": 15, "story": 25, "blog": 10, "prose": 25, "richtext": 25,
        "hentry": 20, "single": 10, "detail": 10, "details": 10, "news": 5, "paragraph": 15,
        "column": 5, "page": 0, "section": 0,
    ]

    /// Longer stems that also match compound tokens ("comments", "sharebar", "relatedposts").
    private static let stems: [(String, Int)] = [
        ("comment", -50), ("disqus", -50), ("cookie", -50), ("consent", -50), ("gdpr", -50),
        ("newsletter", -50), ("breadcrumb", -50), ("outbrain", -50), ("taboola", -50),
        ("ticker", -50), ("marquee", -50), ("related", -50), ("sharing", -50), ("social", -50),
        ("subscri", -50), ("signup", -50), ("popup", -50), ("modal", -50), ("advert", -50),
        ("sponsor", -50), ("promo", -50), ("paginat", -50), ("pager", -50), ("sidebar", -50),
        ("widget", -50), ("footer", -50), ("navbar", -50), ("navigat", -50), ("menu", -50),
        ("masthead", -50), ("byline", -50), ("caption", -50), ("credit", -50),
        ("tagcloud", -50), ("mostread", -50), ("mostviewed", -50), ("popular", -50),
        ("trending", -50), ("signature", -50), ("userinfo", -50), ("avatar", -50),
        ("rating", -50), ("toolbar", -50), ("recommend", -50), ("readmore", -50),
        ("seealso", -50), ("urgent", -50), ("breaking", -50), ("copyright", -50),
        ("banner", -50), ("overlay", -50), ("lightbox", -50), ("carousel", -50),
        ("slider", -50), ("print", -25), ("email", -25), ("facebook", -50), ("twitter", -50),
        ("whatsapp", -50), ("telegram", -50), ("pinterest", -50), ("linkedin", -50),
        ("instagram", -50), ("follow", -50), ("shoutbox", -50), ("sponsored", -50),
        ("combx", -50), ("contact", -25), ("dropdown", -50), ("offcanvas", -50),
        ("visually", -50), ("screenreader", -50), ("timestamp", -25), ("dateline", -25),
        ("published", -25), ("newsfeed", -25), ("headline", -25), ("teaser", -25),
        ("recirc", -50), ("upsell", -50), ("paywall", -25), ("inread", -50),
        ("articlebody", 50), ("articletext", 50), ("articlecontent", 50), ("storybody", 50),
        ("storycontent", 50), ("postbody", 30), ("postcontent", 40), ("entrycontent", 50),
        ("article", 25), ("content", 20), ("story", 20),
    ]
}
