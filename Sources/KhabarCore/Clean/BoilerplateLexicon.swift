/// Phrases that mark a line as page furniture rather than article text, in Arabic and English.
///
/// Matching is on a folded key (case, hamza/alef forms, taa marbuta, alef maksura, diacritics
/// and punctuation removed), so spelling variants of one phrase need one entry.
enum BoilerplateLexicon {
    /// Lines that are furniture when they consist of the phrase alone.
    static let wholeLinePhrases: Set<String> = Set([
        "عاجل", "شارك", "مشاركة", "شارك الخبر", "شارك المقال", "طباعة", "اطبع", "إعلان", "اعلان",
        "إعلانات", "التعليقات", "تعليقات", "الرئيسية", "المزيد", "حفظ", "نسخ", "نسخ الرابط",
        "الوسوم", "وسوم", "كلمات مفتاحية", "الكلمات المفتاحية", "كلمات دالة", "مواضيع متعلقة",
        "قد يعجبك أيضا", "تابعنا", "تابعونا", "x", "×", "advertisement", "advertising", "ad",
        "sponsored", "share", "share this", "share this article", "share this story", "print",
        "email", "comments", "comment", "tweet", "related", "related articles", "related stories",
        "related content", "more stories", "recommended", "trending", "most read", "most popular",
        "topics", "tags", "close", "menu", "search", "loading", "subscribe", "sign up", "log in",
        "sign in", "continue reading", "read more", "see more", "show more", "back to top",
        "top", "next", "previous", "home", "facebook", "twitter", "whatsapp", "linkedin",
        "telegram", "pinterest", "reddit", "copy link", "image", "photo", "video", "play",
    ].map(comparisonKey))

    /// Lines that are furniture when they start with the phrase (and are short).
    static let leadingPhrases: [[UInt8]] = [
        "اقرأ أيضا", "اقرأ أيضاً", "إقرأ أيضا", "اقرأ كذلك", "اقرأ المزيد", "شاهد أيضا",
        "شاهد أيضاً", "طالع أيضا", "طالع أيضاً", "اقرأ ايضا", "يهمك أيضا", "قد يهمك",
        "قد يعجبك", "مواضيع ذات صلة", "أخبار ذات صلة", "مقالات ذات صلة", "ذات صلة",
        "الأكثر قراءة", "الأكثر مشاهدة", "الأكثر تداولا", "أخبار عاجلة", "تابعونا على",
        "تابعنا على", "تابعوا", "اشترك في", "اشترك الآن", "اشترك ب", "سجل في", "حمل تطبيق",
        "تحميل تطبيق", "لمتابعة آخر", "للمزيد من الأخبار", "رابط مختصر", "الرابط المختصر",
        "المصدر :", "مصدر الخبر", "شارك هذا", "شارك على", "أضف تعليق", "اضف تعليق",
        "اترك تعليقا", "اترك تعليقاً", "لا توجد تعليقات", "عدد التعليقات", "كلمات مفتاحية",
        "الكلمات المفتاحية", "الوسوم", "صورة أرشيفية", "صورة تعبيرية", "صورة من الأرشيف",
        "read more", "read also", "also read", "see also", "related:", "related articles",
        "related stories", "related coverage", "recommended for you", "more from", "more on this",
        "more:", "advertisement", "sponsored content", "share this", "share on", "click here",
        "sign up", "subscribe to", "subscribe now", "follow us", "follow @", "continue reading",
        "story continues", "article continues", "all rights reserved", "copyright", "©",
        "skip to", "this content is", "we use cookies", "leave a comment", "join the conversation",
        "photo:", "image:", "photograph:", "pictured:", "watch:", "listen:", "getty images",
        "download the", "get the app", "sent from my",
    ].map { Array(comparisonKey($0).utf8) }

    /// Phrases that make a short line furniture wherever they appear in it.
    static let containedPhrases: [[UInt8]] = [
        "لقراءة الخبر من مصدره", "لقراءة المقال", "انقر هنا", "اضغط هنا", "جميع الحقوق محفوظة",
        "حقوق النشر محفوظة", "حقوق الطبع", "شكرا على الإبلاغ", "تم الإبلاغ", "الإبلاغ عن",
        "يستخدم هذا الموقع ملفات", "ملفات تعريف الارتباط", "سياسة الخصوصية", "النشرة البريدية",
        "القائمة البريدية", "لا توجد تعليقات", "all rights reserved", "click here",
        "privacy policy", "terms of use", "terms of service", "cookie policy", "sign up for our",
        "subscribe to our", "our newsletter", "getty images", "ap photo", "afp via getty",
        "reuters/", "/reuters", "shutterstock", "istock", "enable javascript", "javascript is disabled",
        "your browser does not support",
    ].map { Array(comparisonKey($0).utf8) }

    /// `leadingPhrases` by their first two bytes (all are at least two bytes long).
    private static let leadingPhrasesByFirstBytes: [UInt16: [Int]] = {
        var table: [UInt16: [Int]] = [:]
        for (index, phrase) in leadingPhrases.enumerated() {
            precondition(phrase.count >= 2, "leading phrases are at least two bytes")
            table[UInt16(phrase[0]) << 8 | UInt16(phrase[1]), default: []].append(index)
        }
        return table
    }()

    /// `containedPhrases`, found in one pass over a key.
    private static let containedPhraseSearch = PhraseSearch(containedPhrases)
    private static let wholeLinePhraseSet = ByteStringSet(wholeLinePhrases.map { Array($0.utf8) })

    /// Whether a short line is page furniture.
    static func isBoilerplate(_ line: String) -> Bool {
        isBoilerplate(key: comparisonKey(line))
    }

    /// Whether a short line, given as its `comparisonKey`, is page furniture.
    static func isBoilerplate(key: String) -> Bool {
        var key = key
        return key.withUTF8 { isBoilerplate(keyBytes: $0) }
    }

    /// `isBoilerplate(key:)` on the key's UTF-8 bytes. `knownFreeOfContainedPhrases`: the
    /// caller knows that no contained phrase occurs in the key (it searched a key that holds
    /// this one), so that search is skipped.
    /// `words`: the key's word count, when the caller has it.
    static func isBoilerplate(
        keyBytes bytes: UnsafeBufferPointer<UInt8>, words knownWords: Int? = nil, knownFreeOfContainedPhrases: Bool = false
    ) -> Bool {
        if bytes.isEmpty { return true }
        if wholeLinePhraseSet.contains(bytes) { return true }
        let words = knownWords ?? keyWords(bytes)
        if words <= 14, bytes.count >= 2, let candidates = leadingPhrasesByFirstBytes[UInt16(bytes[0]) << 8 | UInt16(bytes[1])] {
            for index in candidates {
                let phrase = leadingPhrases[index]
                if bytes.count >= phrase.count && phrase.withUnsafeBufferPointer({ $0.elementsEqual(bytes.prefix(phrase.count)) }) {
                    return true
                }
            }
        }
        if words <= maximumContainedPhraseWords && !knownFreeOfContainedPhrases {
            return containsContainedPhrase(keyBytes: bytes)
        }
        return false
    }

    /// The words of a key (single spaces between them, none at either end): 1 for an empty key.
    static func keyWords(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var words = 1
        for byte in key where byte == 0x20 { words += 1 }
        return words
    }

    /// Lines longer than this (in key words) are not searched for contained phrases.
    static let maximumContainedPhraseWords = 30

    /// Whether one of the phrases that make a short line furniture occurs in the key.
    static func containsContainedPhrase(keyBytes bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        containedPhraseSearch.occurs(in: bytes)
    }

    /// A folded form for comparing short strings: lower case, Arabic letter variants unified,
    /// diacritics and tatweel removed, punctuation dropped, spaces collapsed. Keeps ":", "@",
    /// "©" and "/" since some phrases rely on them.
    static func comparisonKey(_ text: String) -> String {
        String(decoding: comparisonKeyBytes(text), as: UTF8.self)
    }

    /// `comparisonKey` as UTF-8 bytes.
    static func comparisonKeyBytes(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { comparisonKeyBytes(of: $0) }
    }

    /// The `comparisonKey` of the UTF-8 text `bytes` (valid UTF-8, as a `String` holds).
    /// Works on bytes: ASCII and the Arabic block, nearly all of a page, never build a
    /// `Unicode.Scalar`.
    static func comparisonKeyBytes(of bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        // A scalar's lower-case mapping is at most three scalars: 12 bytes for a 2-byte
        // scalar at worst, so 6 bytes per input byte always suffice.
        [UInt8](unsafeUninitializedCapacity: max(1, bytes.count * 6)) { output, initialized in
            initialized = writeComparisonKey(of: bytes, to: output.baseAddress!)
        }
    }

    /// The key byte of each ASCII byte; 0 where it separates words.
    static let asciiKeyBytes: [UInt8] = (0..<128).map { byte -> UInt8 in
        switch UInt8(byte) {
        case 0x61...0x7A, 0x30...0x39, 0x3A, 0x40, 0x2F: UInt8(byte)
        case 0x41...0x5A: UInt8(byte) | 0x20
        default: 0
        }
    }

    /// What each scalar of U+0600–06FF becomes, indexed by (lead byte − 0xD8) × 64 + the low six
    /// bits of its second byte: its two UTF-8 bytes (first << 8 | second), 0 when dropped
    /// (diacritics, tatweel), 1 when it separates words (punctuation).
    static let arabicKeyBytes: [UInt16] = (0..<256).map { slot -> UInt16 in
        let value = 0x0600 + UInt32(slot)
        func encoded(_ value: UInt32) -> UInt16 {
            UInt16(0xC0 | value >> 6) << 8 | UInt16(0x80 | value & 0x3F)
        }
        switch value {
        case 0x0622, 0x0623, 0x0625, 0x0671: return encoded(0x0627)
        case 0x0649: return encoded(0x064A)
        case 0x0629: return encoded(0x0647)
        case 0x0640, 0x064B...0x065F, 0x0670, 0x0610...0x061A, 0x06D6...0x06ED: return 0
        case 0x0621...0x063A, 0x0641...0x064A, 0x0660...0x0669, 0x066E...0x06D3, 0x06D5, 0x06F0...0x06FF: return encoded(value)
        default: return 1
        }
    }

    /// Writes the key of `bytes` to `output` (room for `bytes.count * 6` bytes); returns its length.
    static func writeComparisonKey(of bytes: UnsafeBufferPointer<UInt8>, to output: UnsafeMutablePointer<UInt8>) -> Int {
        asciiKeyBytes.withUnsafeBufferPointer { asciiKeyBytes in
            arabicKeyBytes.withUnsafeBufferPointer { arabicKeyBytes in
                writeComparisonKey(of: bytes, to: output, asciiKeyBytes: asciiKeyBytes, arabicKeyBytes: arabicKeyBytes)
            }
        }
    }

    /// The tables come in as arguments: read as statics, each byte paid for their lazy
    /// initialization check.
    private static func writeComparisonKey(
        of bytes: UnsafeBufferPointer<UInt8>, to output: UnsafeMutablePointer<UInt8>,
        asciiKeyBytes: UnsafeBufferPointer<UInt8>, arabicKeyBytes: UnsafeBufferPointer<UInt16>
    ) -> Int {
        var written = 0
        var pendingSpace = false
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                // ASCII: letters (lower-cased), digits and the kept symbols; the rest separates.
                let folded = asciiKeyBytes[Int(byte)]
                if folded == 0 {
                    pendingSpace = true
                } else {
                    if pendingSpace && written > 0 { output[written] = 0x20; written += 1 }
                    pendingSpace = false
                    output[written] = folded
                    written += 1
                }
                index += 1
                continue
            }
            if byte >= 0xD8 && byte <= 0xDB && index + 1 < count {
                // U+0600–06FF, two bytes.
                let folded = arabicKeyBytes[Int(byte - 0xD8) << 6 | Int(bytes[index + 1] & 0x3F)]
                index += 2
                if folded == 0 { continue }
                if folded == 1 {
                    pendingSpace = true
                    continue
                }
                if pendingSpace && written > 0 { output[written] = 0x20; written += 1 }
                pendingSpace = false
                output[written] = UInt8(truncatingIfNeeded: folded >> 8)
                output[written + 1] = UInt8(truncatingIfNeeded: folded)
                written += 2
                continue
            }
            index += writeKeyOfOtherScalar(in: bytes, at: index, to: output, written: &written, pendingSpace: &pendingSpace)
        }
        return written
    }

    /// The key of a scalar outside ASCII and U+0600–06FF (at `index`, its lead byte): decoded
    /// and asked for its properties. Letters, numbers and © are written lower-cased (at most
    /// 12 bytes, after the owed space); anything else separates words. Returns the scalar's
    /// length in bytes.
    static func writeKeyOfOtherScalar(
        in bytes: UnsafeBufferPointer<UInt8>, at index: Int, to output: UnsafeMutablePointer<UInt8>,
        written: inout Int, pendingSpace: inout Bool
    ) -> Int {
        let (decoded, length) = UTF8Bytes.scalar(in: bytes, at: index)
        guard let scalar = decoded else {
            pendingSpace = true
            return length
        }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType != nil || scalar.value == 0xA9 {
            for lower in properties.lowercaseMapping.unicodeScalars {
                if pendingSpace && written > 0 { output[written] = 0x20; written += 1 }
                pendingSpace = false
                for unit in UTF8.encode(lower)! {
                    output[written] = unit
                    written += 1
                }
            }
        } else {
            pendingSpace = true
        }
        return length
    }
}

/// A set of byte strings (folded keys), looked up by a slice of bytes without building a
/// `String`: `Set<String>` hashes through Unicode normalization, which cost more than the
/// rules that asked.
struct ByteStringSet: Sendable {
    private let members: [[UInt8]]
    private let buckets: [[Int32]]
    private let mask: UInt64
    /// Lengths outside these are not members, without hashing (most lines are longer).
    private let shortest: Int
    private let longest: Int

    init(_ members: some Sequence<[UInt8]>) {
        let members = Array(Set(members))
        var size = 16
        while size < members.count * 2 { size *= 2 }
        var buckets = [[Int32]](repeating: [], count: size)
        for (index, member) in members.enumerated() {
            member.withUnsafeBufferPointer { buckets[Int(Self.hash($0) & UInt64(size - 1))].append(Int32(index)) }
        }
        self.members = members
        self.buckets = buckets
        mask = UInt64(size - 1)
        shortest = members.map(\.count).min() ?? 0
        longest = members.map(\.count).max() ?? -1
    }

    init(_ keys: some Sequence<String>) {
        self.init(keys.map { Array($0.utf8) })
    }

    /// FNV-1a.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    func contains(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= shortest && bytes.count <= longest else { return false }
        for index in buckets[Int(Self.hash(bytes) & mask)] {
            if members[Int(index)].withUnsafeBufferPointer({ $0.elementsEqual(bytes) }) { return true }
        }
        return false
    }

    func contains(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
        contains(UnsafeBufferPointer(rebasing: bytes))
    }

    func contains(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { contains($0) }
    }
}

/// Finds whether any of a few phrases occurs in a text, in one pass: each position's first
/// four bytes are looked up in a bitmap of the phrases' first four bytes, and only a hit is
/// compared in full.
struct PhraseSearch: Sendable {
    private let phrases: [[UInt8]]
    /// Phrases shorter than four bytes, searched one by one.
    private let shortPhrases: [[UInt8]]
    private let bitmap: [UInt64]
    private let prefixes: [UInt32: [Int]]

    init(_ phrases: [[UInt8]]) {
        var bitmap = [UInt64](repeating: 0, count: 1024)
        var prefixes: [UInt32: [Int]] = [:]
        var long: [[UInt8]] = []
        var short: [[UInt8]] = []
        for phrase in phrases where !phrase.isEmpty {
            guard phrase.count >= 4 else { short.append(phrase); continue }
            let prefix = Self.word(phrase[0], phrase[1], phrase[2], phrase[3])
            let slot = Self.slot(prefix)
            bitmap[slot >> 6] |= 1 << UInt64(slot & 63)
            prefixes[prefix, default: []].append(long.count)
            long.append(phrase)
        }
        self.phrases = long
        shortPhrases = short
        self.bitmap = bitmap
        self.prefixes = prefixes
    }

    @inline(__always)
    private static func word(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> UInt32 {
        UInt32(a) | UInt32(b) << 8 | UInt32(c) << 16 | UInt32(d) << 24
    }

    @inline(__always)
    private static func slot(_ prefix: UInt32) -> Int {
        Int((prefix &* 0x9E37_79B1) >> 16)
    }

    func occurs(in text: UnsafeBufferPointer<UInt8>) -> Bool {
        for phrase in shortPhrases where ByteSearch.contains(text, phrase) { return true }
        let count = text.count
        guard count >= 4 else { return false }
        var start = 0
        while start <= count - 4 {
            let prefix = Self.word(text[start], text[start + 1], text[start + 2], text[start + 3])
            let slot = Self.slot(prefix)
            if bitmap[slot >> 6] & (1 << UInt64(slot & 63)) != 0, let candidates = prefixes[prefix] {
                for index in candidates {
                    let phrase = phrases[index]
                    if start + phrase.count <= count
                        && phrase.withUnsafeBufferPointer({ $0.elementsEqual(UnsafeBufferPointer(rebasing: text[start..<(start + phrase.count)])) })
                    {
                        return true
                    }
                }
            }
            start += 1
        }
        return false
    }
}

enum ByteSearch {
    /// Whether `needle` occurs in `haystack` (both short: a line's folded key and a phrase).
    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return needle.isEmpty }
        let lastStart = haystack.count - needle.count
        var start = 0
        while start <= lastStart {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count && haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}

enum UTF8Bytes {
    /// The scalar whose (multi-byte) UTF-8 sequence starts at `index` of valid UTF-8, and the
    /// sequence's length.
    @inline(__always)
    static func scalar(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar?, Int) {
        let lead = bytes[index]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        var offset = 1
        while offset < length && index + offset < bytes.count {
            value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
            offset += 1
        }
        return (Unicode.Scalar(value), length)
    }
}
