/// The element kinds the cleaner distinguishes; everything else is `.other`.
public enum HTMLTag: UInt8, Sendable {
    case text, other
    case html, head, body, title, meta, link, base, script, style, noscript, template
    case svg, math, iframe, object, embed, canvas, video, audio, picture, source, img, map
    case form, input, select, option, textarea, button, label, fieldset
    case header, footer, nav, aside, main, article, section, div, span, center, address
    case p, h1, h2, h3, h4, h5, h6, ul, ol, li, dl, dt, dd, blockquote, q, pre, code
    case table, thead, tbody, tfoot, tr, td, th, caption, figure, figcaption
    case a, b, strong, i, em, u, small, sub, sup, mark, font, abbr, cite, time
    case br, hr, wbr, details, summary, dialog, menu

    init(name: UnsafePointer<UInt8>?) {
        guard let name else {
            self = .other
            return
        }
        var length = 0
        var key: UInt64 = 0
        // Names of known tags fit in 10 bytes; pack up to 8 and mix in the length.
        while name[length] != 0 {
            if length < 8 {
                var byte = name[length]
                if byte >= 65 && byte <= 90 { byte += 32 }
                key |= UInt64(byte) << (8 * UInt64(length))
            }
            length += 1
            if length > 10 {
                self = .other
                return
            }
        }
        self = HTMLTag.lookup(key &+ UInt64(length) << 59)
    }

    /// An open-addressing table over the packed names: one multiply and usually one probe,
    /// instead of a hashed dictionary lookup for every element of every page.
    private static let slotCount = 512
    private static let slots: [(key: UInt64, tag: HTMLTag)] = {
        var slots = [(key: UInt64, tag: HTMLTag)](repeating: (0, .other), count: slotCount)
        for (key, tag) in byPackedName {
            var slot = slotIndex(key)
            while slots[slot].key != 0 { slot = (slot + 1) & (slotCount - 1) }
            slots[slot] = (key, tag)
        }
        return slots
    }()

    @inline(__always)
    private static func slotIndex(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 55)
    }

    private static func lookup(_ key: UInt64) -> HTMLTag {
        var slot = slotIndex(key)
        while true {
            let entry = slots[slot]
            if entry.key == key { return entry.tag }
            if entry.key == 0 { return .other }
            slot = (slot + 1) & (slotCount - 1)
        }
    }

    private static let byPackedName: [UInt64: HTMLTag] = {
        let names: [(String, HTMLTag)] = [
            ("html", .html), ("head", .head), ("body", .body), ("title", .title), ("meta", .meta),
            ("link", .link), ("base", .base), ("script", .script), ("style", .style),
            ("noscript", .noscript), ("template", .template), ("svg", .svg), ("math", .math),
            ("iframe", .iframe), ("object", .object), ("embed", .embed), ("canvas", .canvas),
            ("video", .video), ("audio", .audio), ("picture", .picture), ("source", .source),
            ("img", .img), ("map", .map), ("form", .form), ("input", .input), ("select", .select),
            ("option", .option), ("textarea", .textarea), ("button", .button), ("label", .label),
            ("fieldset", .fieldset), ("header", .header), ("footer", .footer), ("nav", .nav),
            ("aside", .aside), ("main", .main), ("article", .article), ("section", .section),
            ("div", .div), ("span", .span), ("center", .center), ("address", .address), ("p", .p),
            ("h1", .h1), ("h2", .h2), ("h3", .h3), ("h4", .h4), ("h5", .h5), ("h6", .h6),
            ("ul", .ul), ("ol", .ol), ("li", .li), ("dl", .dl), ("dt", .dt), ("dd", .dd),
            ("blockquote", .blockquote), ("q", .q), ("pre", .pre), ("code", .code),
            ("table", .table), ("thead", .thead), ("tbody", .tbody), ("tfoot", .tfoot),
            ("tr", .tr), ("td", .td), ("th", .th), ("caption", .caption), ("figure", .figure),
            ("figcaption", .figcaption), ("a", .a), ("b", .b), ("strong", .strong), ("i", .i),
            ("em", .em), ("u", .u), ("small", .small), ("sub", .sub), ("sup", .sup),
            ("mark", .mark), ("font", .font), ("abbr", .abbr), ("cite", .cite), ("time", .time),
            ("br", .br), ("hr", .hr), ("wbr", .wbr), ("details", .details),
            ("summary", .summary), ("dialog", .dialog), ("menu", .menu),
        ]
        var table: [UInt64: HTMLTag] = [:]
        for (name, tag) in names {
            var key: UInt64 = 0
            for (offset, byte) in name.utf8.prefix(8).enumerated() {
                key |= UInt64(byte) << (8 * UInt64(offset))
            }
            table[key &+ UInt64(name.utf8.count) << 59] = tag
        }
        return table
    }()

    /// Elements whose text is never article text.
    public var isNonContent: Bool {
        switch self {
        case .head, .title, .meta, .link, .base, .script, .style, .noscript, .template, .svg,
            .math, .iframe, .object, .embed, .canvas, .video, .audio, .map, .input, .select,
            .option, .textarea, .button, .dialog:
            return true
        default:
            return false
        }
    }

    /// Elements that start a new line of text.
    public var isBlock: Bool {
        switch self {
        case .html, .body, .header, .footer, .nav, .aside, .main, .article, .section, .div,
            .center, .address, .p, .h1, .h2, .h3, .h4, .h5, .h6, .ul, .ol, .li, .dl, .dt, .dd,
            .blockquote, .pre, .table, .thead, .tbody, .tfoot, .tr, .td, .th, .caption, .figure,
            .figcaption, .form, .fieldset, .br, .hr, .details, .summary, .menu, .title, .img,
            .picture, .video, .iframe:
            return true
        default:
            return false
        }
    }

    public var isHeading: Bool {
        switch self {
        case .h1, .h2, .h3, .h4, .h5, .h6: return true
        default: return false
        }
    }
}
