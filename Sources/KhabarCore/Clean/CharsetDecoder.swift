internal import Glibc

/// Turns page bytes in any charset into valid UTF-8 for the HTML parser.
///
/// Evidence, strongest first: a byte-order mark, the declared charset (HTTP `Content-Type` or the
/// user), the page's `<meta>` declaration, an `<?xml encoding?>` declaration, UTF-8 validity, and
/// finally byte statistics choosing between windows-1256 and windows-1252. Declarations are
/// checked against the bytes, since Arabic sites often declare one of utf-8/windows-1256 and send
/// the other.
///
/// The output is valid UTF-8 without NUL or C0 controls other than tab, LF and CR, because
/// libxml2 reads it as a C string.
enum CharsetDecoder {
    struct Decoded {
        var utf8: [UInt8]
        /// The charset the bytes were read as (WHATWG name, lower-case).
        var charset: String
    }

    static func decodeToUTF8(_ bytes: [UInt8], declaredCharset: String?) -> Decoded {
        if let bom = ByteOrderMark(prefixOf: bytes) {
            let body = bytes.dropFirst(bom.length)
            switch bom {
            case .utf8: return decodeUTF8(Array(body))
            case .utf16LE: return Decoded(utf8: UTF16Transcoder.transcode(body, bigEndian: false), charset: "utf-16le")
            case .utf16BE: return Decoded(utf8: UTF16Transcoder.transcode(body, bigEndian: true), charset: "utf-16be")
            }
        }

        let declared = declaredCharset.flatMap(CharsetLabel.encoding(forLabel:))
        let inDocument = declared == nil ? CharsetPrescanner.declaredEncoding(in: bytes) : nil
        guard let claimed = declared ?? inDocument else {
            return decodeUndeclared(bytes)
        }
        switch claimed {
        case "utf-8":
            return decodeClaimedUTF8(bytes)
        case "utf-16le", "utf-16be":
            return Decoded(utf8: UTF16Transcoder.transcode(bytes[...], bigEndian: claimed == "utf-16be"), charset: claimed)
        default:
            if CharsetLabel.isSingleByte(claimed), UTF8Statistics.looksLikeRealUTF8(bytes) {
                return decodeUTF8(bytes)
            }
            // Old Arabic sites often label windows-1256 pages with the Western default.
            if claimed == "windows-1252", Windows1256Heuristic.looksLikeArabic(bytes),
                let arabic = decodeLegacy(bytes, charset: "windows-1256")
            {
                return arabic
            }
            return decodeLegacy(bytes, charset: claimed) ?? decodeUndeclared(bytes)
        }
    }

    /// Declared UTF-8, but heavily invalid bytes that read as Arabic windows-1256 are taken as such.
    private static func decodeClaimedUTF8(_ bytes: [UInt8]) -> Decoded {
        let hasProblem = bytes.withUnsafeBufferPointer { UTF8Sanitizer.nextProblem(in: $0, from: 0) != nil }
        guard hasProblem else { return Decoded(utf8: bytes, charset: "utf-8") }
        // Judge a sample before repairing: repairing a whole page that is really windows-1256 is costly.
        if UTF8Statistics.sampleIsMostlyInvalid(bytes), Windows1256Heuristic.looksLikeArabic(bytes),
            let legacy = decodeLegacy(bytes, charset: "windows-1256")
        {
            return legacy
        }
        return decodeUTF8(bytes)
    }

    /// No declaration: valid (or nearly valid) UTF-8 is UTF-8; otherwise the bytes are a legacy
    /// single-byte charset, Arabic or Western.
    private static func decodeUndeclared(_ bytes: [UInt8]) -> Decoded {
        let hasProblem = bytes.withUnsafeBufferPointer { UTF8Sanitizer.nextProblem(in: $0, from: 0) != nil }
        guard hasProblem else { return Decoded(utf8: bytes, charset: "utf-8") }
        if UTF8Statistics.sampleIsMostlyInvalid(bytes) {
            let guess = Windows1256Heuristic.looksLikeArabic(bytes) ? "windows-1256" : "windows-1252"
            if let legacy = decodeLegacy(bytes, charset: guess) { return legacy }
        }
        return decodeUTF8(bytes)
    }

    private static func decodeUTF8(_ bytes: [UInt8]) -> Decoded {
        Decoded(utf8: UTF8Sanitizer.sanitize(bytes).utf8, charset: "utf-8")
    }

    private static func decodeLegacy(_ bytes: [UInt8], charset: String) -> Decoded? {
        guard let converted = SingleByteTranscoder.toUTF8(bytes, encoding: charset)
            ?? IconvTranscoder.toUTF8(bytes, from: CharsetLabel.iconvName(for: charset))
        else { return nil }
        return Decoded(utf8: UTF8Sanitizer.sanitize(converted).utf8, charset: charset)
    }
}

// MARK: - Byte-order marks

enum ByteOrderMark {
    case utf8, utf16LE, utf16BE

    init?(prefixOf bytes: [UInt8]) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            self = .utf8
        } else if bytes.starts(with: [0xFF, 0xFE]) {
            self = .utf16LE
        } else if bytes.starts(with: [0xFE, 0xFF]) {
            self = .utf16BE
        } else {
            return nil
        }
    }

    var length: Int { self == .utf8 ? 3 : 2 }
}

// MARK: - Labels

/// Charset labels as the WHATWG Encoding Standard maps them to encodings.
enum CharsetLabel {
    /// The encoding a label names, or nil for an unknown label. Case, surrounding whitespace and
    /// quotes are ignored.
    static func encoding(forLabel label: String) -> String? {
        var trimmed = Substring(label)
        let junk: Set<Character> = [" ", "\t", "\n", "\r", "\u{0C}", "\"", "'"]
        while let first = trimmed.first, junk.contains(first) { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, junk.contains(last) { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty, trimmed.count <= 40 else { return nil }
        return encodingsByLabel[trimmed.lowercased()]
    }

    static func isSingleByte(_ encoding: String) -> Bool {
        !multiByteEncodings.contains(encoding)
    }

    static var singleByteEncodings: [String] { labelsByEncoding.keys.filter(isSingleByte) }

    /// The glibc iconv name; WHATWG's shift_jis, euc-kr and big5 are Microsoft's and HKSCS's supersets.
    static func iconvName(for encoding: String) -> String {
        switch encoding {
        case "shift_jis": return "CP932"
        case "euc-kr": return "CP949"
        case "big5": return "BIG5-HKSCS"
        case "windows-874": return "CP874"
        case "iso-8859-8-i": return "ISO-8859-8"
        case "x-mac-cyrillic": return "MAC-CYRILLIC"
        default: return encoding.uppercased()
        }
    }

    private static let multiByteEncodings: Set<String> = [
        "utf-8", "utf-16le", "utf-16be", "gb18030", "big5", "euc-jp", "iso-2022-jp", "shift_jis", "euc-kr",
    ]

    private static let labelsByEncoding: [String: [String]] = [
        "utf-8": ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"],
        "ibm866": ["866", "cp866", "csibm866", "ibm866"],
        "iso-8859-2": ["csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2", "iso88592", "iso_8859-2",
                       "iso_8859-2:1987", "l2", "latin2"],
        "iso-8859-3": ["csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3", "iso88593", "iso_8859-3",
                       "iso_8859-3:1988", "l3", "latin3"],
        "iso-8859-4": ["csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4", "iso88594", "iso_8859-4",
                       "iso_8859-4:1988", "l4", "latin4"],
        "iso-8859-5": ["csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144", "iso8859-5", "iso88595",
                       "iso_8859-5", "iso_8859-5:1988"],
        "iso-8859-6": ["arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic", "ecma-114",
                       "iso-8859-6", "iso-8859-6-e", "iso-8859-6-i", "iso-ir-127", "iso8859-6", "iso88596",
                       "iso_8859-6", "iso_8859-6:1987"],
        "iso-8859-7": ["csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-8859-7", "iso-ir-126",
                       "iso8859-7", "iso88597", "iso_8859-7", "iso_8859-7:1987", "sun_eu_greek"],
        "iso-8859-8": ["csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8", "iso-8859-8-e", "iso-ir-138",
                       "iso8859-8", "iso88598", "iso_8859-8", "iso_8859-8:1988", "visual"],
        "iso-8859-8-i": ["csiso88598i", "iso-8859-8-i", "logical"],
        "iso-8859-10": ["csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10", "iso885910", "l6", "latin6"],
        "iso-8859-13": ["iso-8859-13", "iso8859-13", "iso885913"],
        "iso-8859-14": ["iso-8859-14", "iso8859-14", "iso885914"],
        "iso-8859-15": ["csisolatin9", "iso-8859-15", "iso8859-15", "iso885915", "iso_8859-15", "l9"],
        "iso-8859-16": ["iso-8859-16"],
        "koi8-r": ["cskoi8r", "koi", "koi8", "koi8-r", "koi8_r"],
        "koi8-u": ["koi8-ru", "koi8-u"],
        "macintosh": ["csmacintosh", "mac", "macintosh", "x-mac-roman"],
        "windows-874": ["dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874"],
        "windows-1250": ["cp1250", "windows-1250", "x-cp1250"],
        "windows-1251": ["cp1251", "windows-1251", "x-cp1251"],
        "windows-1252": ["ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1",
                         "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1",
                         "us-ascii", "windows-1252", "x-cp1252"],
        "windows-1253": ["cp1253", "windows-1253", "x-cp1253"],
        "windows-1254": ["cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599",
                         "iso_8859-9", "iso_8859-9:1989", "l5", "latin5", "windows-1254", "x-cp1254"],
        "windows-1255": ["cp1255", "windows-1255", "x-cp1255"],
        "windows-1256": ["cp1256", "windows-1256", "x-cp1256"],
        "windows-1257": ["cp1257", "windows-1257", "x-cp1257"],
        "windows-1258": ["cp1258", "windows-1258", "x-cp1258"],
        "x-mac-cyrillic": ["x-mac-cyrillic", "x-mac-ukrainian"],
        // GBK and GB2312 pages decode correctly as their superset GB18030.
        "gb18030": ["chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk",
                    "iso-ir-58", "x-gbk", "gb18030"],
        "big5": ["big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"],
        "euc-jp": ["cseucpkdfmtjapanese", "euc-jp", "x-euc-jp"],
        "iso-2022-jp": ["csiso2022jp", "iso-2022-jp"],
        "shift_jis": ["csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j", "x-sjis"],
        "euc-kr": ["cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987",
                   "ks_c_5601-1989", "ksc5601", "ksc_5601", "windows-949"],
        "utf-16be": ["unicodefffe", "utf-16be"],
        "utf-16le": ["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"],
    ]

    private static let encodingsByLabel: [String: String] = {
        var table: [String: String] = [:]
        for (encoding, labels) in labelsByEncoding {
            for label in labels { table[label] = encoding }
        }
        return table
    }()
}

// MARK: - In-document declarations

/// Finds the charset a page declares about itself, following the WHATWG prescan: `<meta charset>`
/// and `<meta http-equiv="Content-Type" content="…charset=…">` within the first bytes, skipping
/// comments and other tags' attributes; then an `<?xml … encoding="…"?>` declaration.
enum CharsetPrescanner {
    static let prescanLength = 4096

    static func declaredEncoding(in bytes: [UInt8]) -> String? {
        let window = bytes.prefix(prescanLength)
        return window.withUnsafeBufferPointer { buffer in
            if let meta = metaEncoding(in: buffer) {
                // A page cannot really be UTF-16 if its ASCII meta tag was readable.
                return meta.hasPrefix("utf-16") ? "utf-8" : meta
            }
            return xmlDeclarationEncoding(in: buffer)
        }
    }

    private static func metaEncoding(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var position = 0
        let end = bytes.count
        while position < end {
            guard bytes[position] == UInt8(ascii: "<") else {
                position += 1
                continue
            }
            if matches(bytes, at: position, "<!--") {
                position = indexAfter(bytes, "-->", from: position + 2) ?? end
            } else if matchesIgnoringCase(bytes, at: position, "<meta"), position + 5 < end,
                isSpaceOrSlash(bytes[position + 5])
            {
                position += 5
                if let encoding = encodingFromMetaAttributes(bytes, position: &position) { return encoding }
            } else if position + 1 < end, isASCIILetter(bytes[position + 1])
                || (bytes[position + 1] == UInt8(ascii: "/") && position + 2 < end && isASCIILetter(bytes[position + 2]))
            {
                // Another tag: skip its name and attributes, so a quoted ">" does not end it early.
                position += 1
                while position < end, !isSpaceOrSlash(bytes[position]), bytes[position] != UInt8(ascii: ">") {
                    position += 1
                }
                while let attribute = nextAttribute(bytes, position: &position) { _ = attribute }
                position += 1
            } else if position + 1 < end, [UInt8(ascii: "!"), UInt8(ascii: "/"), UInt8(ascii: "?")].contains(bytes[position + 1]) {
                position = (firstIndex(of: UInt8(ascii: ">"), in: bytes, from: position + 1) ?? end) + 1
            } else {
                position += 1
            }
        }
        return nil
    }

    /// Reads one `<meta>` tag's attributes; returns its encoding if it declares a known one.
    private static func encodingFromMetaAttributes(_ bytes: UnsafeBufferPointer<UInt8>, position: inout Int) -> String? {
        var isContentType = false
        var charset: String?
        var contentCharset: String?
        var seen: Set<String> = []
        while let (name, value) = nextAttribute(bytes, position: &position) {
            guard seen.insert(name).inserted else { continue }
            switch name {
            case "http-equiv": isContentType = value.lowercased() == "content-type"
            case "charset": charset = value
            case "content": contentCharset = charsetParameter(inContentValue: value)
            default: break
            }
        }
        if let charset { return CharsetLabel.encoding(forLabel: charset) }
        if isContentType, let contentCharset { return CharsetLabel.encoding(forLabel: contentCharset) }
        return nil
    }

    /// The WHATWG "get an attribute" step: returns nil at the tag's end (leaving `position` on `>`).
    private static func nextAttribute(_ bytes: UnsafeBufferPointer<UInt8>, position: inout Int) -> (String, String)? {
        let end = bytes.count
        while position < end, isSpaceOrSlash(bytes[position]) { position += 1 }
        guard position < end, bytes[position] != UInt8(ascii: ">") else { return nil }
        var name: [UInt8] = []
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "=") && !name.isEmpty { break }
            if isSpaceOrSlash(byte) || byte == UInt8(ascii: ">") { break }
            name.append(asciiLowercased(byte))
            position += 1
        }
        while position < end, isSpace(bytes[position]) { position += 1 }
        guard position < end, bytes[position] == UInt8(ascii: "=") else {
            return (String(decoding: name, as: UTF8.self), "")
        }
        position += 1
        while position < end, isSpace(bytes[position]) { position += 1 }
        var value: [UInt8] = []
        if position < end, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") {
            let quote = bytes[position]
            position += 1
            while position < end, bytes[position] != quote {
                value.append(asciiLowercased(bytes[position]))
                position += 1
            }
            position += 1
        } else {
            while position < end, !isSpace(bytes[position]), bytes[position] != UInt8(ascii: ">") {
                value.append(asciiLowercased(bytes[position]))
                position += 1
            }
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// The value after `charset=` in a `content` attribute such as `text/html; charset="utf-8"`.
    static func charsetParameter(inContentValue content: String) -> String? {
        parameterValue(named: "charset", in: content)
    }

    /// The value of `name=value`, `name="value"` or `name='value'` in `text`; the name's case is ignored.
    private static func parameterValue(named name: String, in text: String) -> String? {
        let bytes = Array(text.utf8)
        let key = Array(name.utf8)
        var start = 0
        while start + key.count <= bytes.count {
            guard bytes[start..<(start + key.count)].map(asciiLowercased).elementsEqual(key) else {
                start += 1
                continue
            }
            var position = start + key.count
            while position < bytes.count, isSpace(bytes[position]) { position += 1 }
            guard position < bytes.count, bytes[position] == UInt8(ascii: "=") else {
                start = position
                continue
            }
            position += 1
            while position < bytes.count, isSpace(bytes[position]) { position += 1 }
            guard position < bytes.count else { return nil }
            let quote = bytes[position]
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                guard let close = bytes[(position + 1)...].firstIndex(of: quote) else { return nil }
                return String(decoding: bytes[(position + 1)..<close], as: UTF8.self)
            }
            let valueEnd = bytes[position...].firstIndex { isSpace($0) || $0 == UInt8(ascii: ";") } ?? bytes.count
            return String(decoding: bytes[position..<valueEnd], as: UTF8.self)
        }
        return nil
    }

    /// `<?xml version="1.0" encoding="windows-1256"?>` at the very start (after whitespace).
    private static func xmlDeclarationEncoding(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var position = 0
        while position < bytes.count, isSpace(bytes[position]) { position += 1 }
        guard matches(bytes, at: position, "<?xml"),
            let close = indexAfter(bytes, "?>", from: position)
        else { return nil }
        let declaration = String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<close]), as: UTF8.self)
        return parameterValue(named: "encoding", in: declaration).flatMap(CharsetLabel.encoding(forLabel:))
    }

    // MARK: Byte helpers

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
    }

    private static func isSpaceOrSlash(_ byte: UInt8) -> Bool { isSpace(byte) || byte == UInt8(ascii: "/") }

    private static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard position + length <= bytes.count else { return false }
        let pattern = UnsafeBufferPointer(start: literal.utf8Start, count: length)
        for offset in 0..<length where bytes[position + offset] != pattern[offset] { return false }
        return true
    }

    private static func matchesIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard position + length <= bytes.count else { return false }
        let pattern = UnsafeBufferPointer(start: literal.utf8Start, count: length)
        for offset in 0..<length where asciiLowercased(bytes[position + offset]) != pattern[offset] { return false }
        return true
    }

    private static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var position = start
        while position < bytes.count {
            if bytes[position] == byte { return position }
            position += 1
        }
        return nil
    }

    /// The index just past the first `literal` at or after `start`.
    private static func indexAfter(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString, from start: Int) -> Int? {
        var position = start
        while position < bytes.count {
            if matches(bytes, at: position, literal) { return position + literal.utf8CodeUnitCount }
            position += 1
        }
        return nil
    }
}

// MARK: - UTF-8 repair

/// Validates UTF-8 and repairs it in one pass: each maximal invalid subpart becomes U+FFFD, NUL
/// becomes U+FFFD and other C0 controls except tab, LF and CR become a space. Valid clean input
/// is returned as is, without a copy.
enum UTF8Sanitizer {
    struct Result {
        var utf8: [UInt8]
        var invalidSequences: Int
    }

    private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

    static func sanitize(_ bytes: [UInt8]) -> Result {
        bytes.withUnsafeBufferPointer { buffer in
            guard var problem = nextProblem(in: buffer, from: 0) else {
                return Result(utf8: bytes, invalidSequences: 0)
            }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count + 64)
            var invalidSequences = 0
            var copiedUpTo = 0
            while true {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[copiedUpTo..<problem.offset]))
                switch problem.kind {
                case .nul: output.append(contentsOf: replacementCharacter)
                case .control: output.append(0x20)
                case .invalid: output.append(contentsOf: replacementCharacter); invalidSequences += 1
                }
                copiedUpTo = problem.offset + problem.length
                guard let next = nextProblem(in: buffer, from: copiedUpTo) else { break }
                problem = next
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[copiedUpTo...]))
            return Result(utf8: output, invalidSequences: invalidSequences)
        }
    }

    struct Problem {
        enum Kind { case nul, control, invalid }
        var offset: Int
        /// Bytes the replacement stands for.
        var length: Int
        var kind: Kind
    }

    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let lowSevenBits: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// Bit 7 set in exactly the bytes of `word` that are zero.
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        ~(((word & lowSevenBits) &+ lowSevenBits) | word | lowSevenBits)
    }

    /// Skips whole 8-byte words of clean text: ASCII without forbidden controls, and 2-byte
    /// sequences (Arabic, Hebrew, Cyrillic, Greek, accented Latin). Returns a sequence boundary
    /// where the byte-wise check must take over: a 3- or 4-byte sequence, a problem, or the end.
    @inline(__always)
    private static func endOfCleanWords(_ base: UnsafePointer<UInt8>, count: Int, from start: Int) -> Int {
        var index = start
        // 0x80 when the previous word ended with a lead byte, whose continuation starts this word.
        var pendingContinuation: UInt64 = 0
        while index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let high = word & highBits
            // ASCII bytes below 0x20: bit 7 clear, and (byte & 0x7F) + 0x60 does not reach 0x80.
            let controls = ~(word | ((word & lowSevenBits) &+ 0x6060_6060_6060_6060)) & highBits
            if controls != 0 {
                let allowed = zeroBytes(word ^ 0x0909_0909_0909_0909) | zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                    | zeroBytes(word ^ 0x0D0D_0D0D_0D0D_0D0D)
                if controls & ~allowed != 0 { break }
            }
            if high | pendingContinuation != 0 {
                // Bit 7 of `word << n` is bit 7 - n of the same byte.
                let shiftedOnce = word << 1
                let shiftedTwice = word << 2
                let continuations = high & ~shiftedOnce
                let twoByteLeads = high & shiftedOnce & ~shiftedTwice
                let longerLeads = high & shiftedOnce & shiftedTwice
                guard longerLeads == 0,
                    continuations == (twoByteLeads << 8) | pendingContinuation,
                    // C0 and C1 would be overlong encodings of ASCII.
                    twoByteLeads & zeroBytes(word & 0x1E1E_1E1E_1E1E_1E1E) == 0
                else { break }
                pendingContinuation = twoByteLeads >> 56
            }
            index += 8
        }
        return pendingContinuation != 0 ? index - 1 : index
    }

    /// The first byte at or after `start` that must be replaced.
    static func nextProblem(in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Problem? {
        guard let base = buffer.baseAddress else { return nil }
        let count = buffer.count
        var index = start
        while index < count {
            index = endOfCleanWords(base, count: count, from: index)
            guard index < count else { return nil }
            let lead = base[index]
            if lead < 0x80 {
                if lead >= 0x20 || lead == 0x09 || lead == 0x0A || lead == 0x0D {
                    index += 1
                    continue
                }
                return Problem(offset: index, length: 1, kind: lead == 0 ? .nul : .control)
            }
            let sequenceLength: Int
            var secondLow: UInt8 = 0x80
            var secondHigh: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: sequenceLength = 2
            case 0xE0: sequenceLength = 3; secondLow = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: sequenceLength = 3
            case 0xED: sequenceLength = 3; secondHigh = 0x9F
            case 0xF0: sequenceLength = 4; secondLow = 0x90
            case 0xF1...0xF3: sequenceLength = 4
            case 0xF4: sequenceLength = 4; secondHigh = 0x8F
            default: return Problem(offset: index, length: 1, kind: .invalid)
            }
            // The replacement covers the lead and the continuation bytes that were valid so far.
            guard index + 1 < count, base[index + 1] >= secondLow, base[index + 1] <= secondHigh else {
                return Problem(offset: index, length: 1, kind: .invalid)
            }
            var valid = 2
            while valid < sequenceLength {
                guard index + valid < count, base[index + valid] & 0xC0 == 0x80 else {
                    return Problem(offset: index, length: valid, kind: .invalid)
                }
                valid += 1
            }
            index += sequenceLength
        }
        return nil
    }
}

/// Facts about bytes read as UTF-8, for checking a declaration against the content.
enum UTF8Statistics {
    /// More than 1 % of the non-ASCII bytes belong to invalid sequences: not a few stray bytes
    /// in a UTF-8 page but a page in another charset.
    static func isMostlyInvalid(_ bytes: [UInt8], invalidSequences: Int) -> Bool {
        let highBytes = bytes.withUnsafeBufferPointer { buffer in
            buffer.reduce(into: 0) { count, byte in count &+= Int(byte >> 7) }
        }
        return invalidSequences * 100 > highBytes
    }

    /// Counts invalid sequences in the first `sampleLength` bytes, without building any output.
    static func sampleIsMostlyInvalid(_ bytes: [UInt8]) -> Bool {
        let sample = Array(bytes.prefix(sampleLength))
        var invalidSequences = 0
        sample.withUnsafeBufferPointer { buffer in
            var index = 0
            while let problem = UTF8Sanitizer.nextProblem(in: buffer, from: index) {
                if problem.kind == .invalid { invalidSequences += 1 }
                index = problem.offset + problem.length
            }
        }
        return isMostlyInvalid(sample, invalidSequences: invalidSequences)
    }

    private static let sampleLength = 64 * 1024

    /// Entirely valid UTF-8 that uses multibyte sequences: such bytes are almost never text in a
    /// single-byte charset, whatever the page declares.
    static func looksLikeRealUTF8(_ bytes: [UInt8]) -> Bool {
        var multibyteSequences = 0
        let valid = bytes.withUnsafeBufferPointer { buffer -> Bool in
            var index = 0
            while index < buffer.count {
                let byte = buffer[index]
                if byte < 0x80 {
                    index += 1
                    continue
                }
                guard let problem = UTF8Sanitizer.nextProblem(in: buffer, from: index) else {
                    // The rest is valid; count its sequences by their lead bytes.
                    for lead in buffer[index...] where lead >= 0xC0 { multibyteSequences += 1 }
                    return true
                }
                if problem.kind == .invalid { return false }
                for lead in buffer[index..<problem.offset] where lead >= 0xC0 { multibyteSequences += 1 }
                index = problem.offset + 1
            }
            return true
        }
        return valid && multibyteSequences >= minimumMultibyteSequences
    }

    private static let minimumMultibyteSequences = 4
}

// MARK: - Legacy charsets

/// Tells Arabic windows-1256 from Latin text in windows-1252 by its high bytes.
enum Windows1256Heuristic {
    /// Arabic text in windows-1256 is words of letters from 0xC1–0xFE, so most high bytes are
    /// Arabic-letter bytes next to other Arabic-letter bytes; Western text has accented letters
    /// alone among ASCII, and UTF-8 alternates lead and continuation bytes.
    static func looksLikeArabic(_ bytes: [UInt8]) -> Bool {
        var highBytes = 0
        var lettersInRuns = 0
        arabicLetterBytes.withUnsafeBufferPointer { isArabicLetter in
            bytes.withUnsafeBufferPointer { buffer in
                var previousIsLetter = false
                var previousCounted = false
                for byte in UnsafeBufferPointer(rebasing: buffer.prefix(sampleLength)) {
                    let isLetter = isArabicLetter[Int(byte)]
                    highBytes &+= Int(byte >> 7)
                    let extendsRun = isLetter && previousIsLetter
                    // A run of n letters counts n: the first pair counts both.
                    lettersInRuns &+= extendsRun ? (previousCounted ? 1 : 2) : 0
                    previousCounted = extendsRun
                    previousIsLetter = isLetter
                }
            }
        }
        return highBytes >= 4 && lettersInRuns * 10 >= highBytes * 6
    }

    private static let sampleLength = 64 * 1024

    /// Windows-1256 bytes of Arabic letters (ء–ي without the Latin letters kept in that range).
    private static let arabicLetterBytes: [Bool] = (0..<256).map { byte in
        switch byte {
        case 0xC1...0xD6, 0xD8...0xDF, 0xE1, 0xE3...0xE6, 0xEC, 0xED: return true
        default: return false
        }
    }
}

/// glibc iconv to UTF-8; an undecodable byte becomes U+FFFD and decoding resumes after it.
enum IconvTranscoder {
    static func toUTF8(_ bytes: [UInt8], from charset: String) -> [UInt8]? {
        let converter = iconv_open("UTF-8", charset)
        guard let converter, Int(bitPattern: converter) != -1 else { return nil }
        defer { iconv_close(converter) }
        return convert(bytes, with: converter)
    }

    static func convert(_ bytes: [UInt8], with converter: iconv_t) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: bytes.count * 3 + 16)
        var written = 0
        bytes.withUnsafeBufferPointer { inputBuffer in
            guard let inputBase = inputBuffer.baseAddress else { return }
            // iconv's input is `char **` but it never writes through it.
            var inputPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: inputBase)
                .assumingMemoryBound(to: CChar.self)
            var inputLeft = inputBuffer.count
            while inputLeft > 0 {
                if output.count - written < 16 { output.append(contentsOf: repeatElement(0, count: output.count)) }
                let outcome: Int = output.withUnsafeMutableBufferPointer { outputBuffer in
                    var outputPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outputBuffer.baseAddress! + written)
                        .assumingMemoryBound(to: CChar.self)
                    var outputLeft = outputBuffer.count - written
                    let result = iconv(converter, &inputPointer, &inputLeft, &outputPointer, &outputLeft)
                    written = outputBuffer.count - outputLeft
                    return result == -1 ? Int(errno) : 0
                }
                switch outcome {
                case 0: break
                case Int(E2BIG):
                    output.append(contentsOf: repeatElement(0, count: output.count))
                default:
                    // EILSEQ or EINVAL (or anything unexpected): replace one byte and go on.
                    if output.count - written < 3 { output.append(contentsOf: repeatElement(0, count: 16)) }
                    output.replaceSubrange(written..<(written + 3), with: [0xEF, 0xBF, 0xBD])
                    written += 3
                    inputPointer = inputPointer.map { $0 + 1 }
                    inputLeft -= 1
                    // Reset shift state in stateful charsets such as ISO-2022-JP.
                    _ = iconv(converter, nil, nil, nil, nil)
                }
            }
        }
        output.removeSubrange(written...)
        return output
    }
}

/// Single-byte charsets through a 256-entry table read from iconv once per process: several
/// times faster than calling iconv for every page, with identical results.
enum SingleByteTranscoder {
    /// A byte's UTF-8 form: up to four bytes, least significant first, and their count.
    struct Entry {
        var packed: UInt32
        var length: Int
    }

    static func toUTF8(_ bytes: [UInt8], encoding: String) -> [UInt8]? {
        guard let table = tables[encoding] else { return nil }
        return table.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: bytes.count * 4) { output, initialized in
                var written = 0
                for byte in bytes {
                    let entry = table[Int(byte)]
                    // Writes four bytes and keeps `length`; the slack was reserved above.
                    UnsafeMutableRawPointer(output.baseAddress! + written).storeBytes(of: entry.packed.littleEndian, as: UInt32.self)
                    written += entry.length
                }
                initialized = written
            }
        }
    }

    private static let tables: [String: [Entry]] = {
        var tables: [String: [Entry]] = [:]
        for encoding in CharsetLabel.singleByteEncodings {
            let converter = iconv_open("UTF-8", CharsetLabel.iconvName(for: encoding))
            guard let converter, Int(bitPattern: converter) != -1 else { continue }
            defer { iconv_close(converter) }
            let table = (0..<256).map { byte -> Entry? in
                let utf8 = IconvTranscoder.convert([UInt8(byte)], with: converter)
                guard (1...4).contains(utf8.count) else { return nil }
                let packed = utf8.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
                return Entry(packed: packed, length: utf8.count)
            }
            if table.allSatisfy({ $0 != nil }) { tables[encoding] = table.compactMap { $0 } }
        }
        return tables
    }()
}

/// UTF-16 to UTF-8 in Swift, so an unpaired surrogate costs one U+FFFD and keeps the alignment.
enum UTF16Transcoder {
    static func transcode(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> [UInt8] {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2 + 1)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let first = UInt16(bytes[index])
            let second = UInt16(bytes[index + 1])
            units.append(bigEndian ? first << 8 | second : second << 8 | first)
            index += 2
        }
        if index < bytes.endIndex { units.append(0xFFFD) }  // A dangling odd byte.
        let utf8 = Array(String(decoding: units, as: UTF16.self).utf8)
        return UTF8Sanitizer.sanitize(utf8).utf8
    }
}
