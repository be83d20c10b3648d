internal import Foundation

/// Small facts about a line of text that the cleaner's rules share.
enum TextCleanerText {
    static func words(_ collapsed: String) -> Int {
        var collapsed = collapsed
        return collapsed.withUTF8 { bytes in
            var words = bytes.isEmpty ? 0 : 1
            for byte in bytes where byte == 0x20 { words += 1 }
            return words
        }
    }

    /// Ends in a full stop or an ellipsis, as sentences do and headlines, menus and captions
    /// mostly do not. Question and exclamation marks are left out: headlines use them.
    /// Closing quotes and brackets may follow the full stop: `قال إن "…".` and `…".`
    static func endsSentence(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { endsSentence($0) }
    }

    /// `endsSentence` of UTF-8 text.
    static func endsSentence(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        do {
            // Skip the closers (on bytes: " ' ) ] space, » ” ’), then read the last scalar.
            var end = bytes.count
            while end > 0 {
                let last = bytes[end - 1]
                if last == 0x22 || last == 0x27 || last == 0x29 || last == 0x5D || last == 0x20 {
                    end -= 1
                } else if end >= 2 && bytes[end - 2] == 0xC2 && last == 0xBB {
                    end -= 2
                } else if end >= 3 && bytes[end - 3] == 0xE2 && bytes[end - 2] == 0x80 && (last == 0x9D || last == 0x99) {
                    end -= 3
                } else {
                    break
                }
            }
            guard end > 0 else { return false }
            if bytes[end - 1] == 0x2E { return true }
            return end >= 3 && bytes[end - 3] == 0xE2 && bytes[end - 2] == 0x80 && bytes[end - 1] == 0xA6
        }
    }

    static func containsLetter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.isAlphabetic }
    }

    static func containsArabicLetter(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x0621...0x064A).contains($0.value) || (0x066E...0x06D3).contains($0.value) }
    }

    /// Any scalar with a numeric type. On bytes for ASCII and the Arabic block (whose only
    /// numeric scalars are the two digit rows), through `Unicode.Scalar.Properties` otherwise.
    static func containsDigit(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { containsDigit($0) }
    }

    /// `containsDigit` of UTF-8 text.
    static func containsDigit(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte >= 0x30 && byte <= 0x39 { return true }
                index += 1
            } else if byte >= 0xD8 && byte <= 0xDB && index + 1 < count {
                let next = bytes[index + 1]
                if (byte == 0xD9 && next >= 0xA0 && next <= 0xA9) || (byte == 0xDB && next >= 0xB0 && next <= 0xB9) { return true }
                index += 2
            } else {
                let (scalar, length) = UTF8Bytes.scalar(in: bytes, at: index)
                if let scalar, scalar.properties.numericType != nil { return true }
                index += length
            }
        }
        return false
    }
}

/// The cleaner's line rules. Each looks at one line (whitespace collapsed unless said
/// otherwise); where a line sits in the document is the cleaner's business.
enum TextCleanerRules {
    // MARK: Shortcodes and UI tokens

    /// A line made only of CMS shortcodes: `[ad_1]`, `[source_link]`, `[caption id="…"]`.
    static func isShortcodeOnly(_ line: String) -> Bool {
        var rest = Substring(line)
        var sawShortcode = false
        while let open = rest.firstIndex(of: "[") {
            guard rest[..<open].allSatisfy(\.isWhitespace),
                  let close = rest[open...].firstIndex(of: "]"),
                  isShortcodeBody(rest[rest.index(after: open)..<close]) else { return false }
            sawShortcode = true
            rest = rest[rest.index(after: close)...]
        }
        return sawShortcode && rest.allSatisfy(\.isWhitespace)
    }

    /// Removes inline shortcode tokens such as `[ad_1]` left inside a paragraph. Only names with
    /// an underscore or a digit after letters count, so `[1]` references and `[sic]` stay.
    static func removingInlineShortcodes(_ line: String) -> String {
        guard line.contains("[") else { return line }
        var result = ""
        var rest = Substring(line)
        while let open = rest.firstIndex(of: "[") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "]") else { break }
            let body = rest[rest.index(after: open)..<close]
            if isShortcodeBody(body), body.contains(where: { $0 == "_" || $0.isNumber }), !body.contains(" ") {
                rest = rest[rest.index(after: close)...]
            } else {
                result += rest[open...close]
                rest = rest[rest.index(after: close)...]
            }
        }
        result += rest
        return result
    }

    /// `ad_1`, `source_link`, `/caption`, `caption id="5" align="left"`: an ASCII name first.
    private static func isShortcodeBody(_ body: Substring) -> Bool {
        var name = body.prefix { $0 != " " }
        if name.first == "/" { name = name.dropFirst() }
        guard let first = name.first, first.isASCII, first.isLetter else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// A lone control left by a widget: a close button "x", an arrow, a counter; or a line
    /// with no letters at all.
    static func isUIToken(_ line: String, words: Int? = nil) -> Bool {
        guard TextCleanerText.containsLetter(line) else { return true }
        // Two words and the space between them are three characters, one of them a space.
        if let words, words >= 2 { return false }
        // `dropFirst(n).isEmpty` is `count <= n` without counting a long line's characters.
        if line.dropFirst(2).isEmpty { return true }
        return line.dropFirst(3).isEmpty && !line.contains(" ") && !TextCleanerText.containsArabicLetter(line)
    }

    // MARK: Furniture phrases

    /// Site sections and service pages that make up menus and footers. On their own they can
    /// be subheadings ("اقتصاد"), so they count only in a line of several separated items.
    private static let navigationItems: Set<String> = Set([
        "اتصل بنا", "اتصلوا بنا", "من نحن", "عن الموقع", "عن الصحيفة", "أعلن معنا", "اعلن معنا",
        "سياسة الخصوصية", "شروط الاستخدام", "اتفاقية الاستخدام", "خريطة الموقع", "هيئة التحرير",
        "فريق العمل", "الأرشيف", "الرئيسية", "الصفحة الرئيسية", "أخبار", "الأخبار", "محليات",
        "عربي ودولي", "دولي", "عالمي", "سياسة", "اقتصاد", "رياضة", "فن", "ثقافة", "منوعات", "صحة",
        "تكنولوجيا", "علوم", "مقالات", "آراء", "رأي", "فيديو", "صور", "انفوجراف", "إنفوجراف",
        "كتاب", "الكتاب", "وظائف", "حوادث", "تقارير", "ملفات", "مجتمع", "المزيد", "بحث",
        "contact", "contact us", "about", "about us", "advertise", "careers", "privacy", "terms",
        "news", "sports", "business", "opinion", "world", "politics", "culture", "video", "home",
    ].map(BoilerplateLexicon.comparisonKey))

    private static let navigationItemSet = ByteStringSet(navigationItems)

    /// Lines that are furniture when they are the whole line (besides `BoilerplateLexicon`).
    private static let wholeLineFurniture: Set<String> = Set([
        "اتصل بنا", "اتصلوا بنا", "من نحن", "أعلن معنا", "اعلن معنا", "المصدر", "مصدر", "الكلمات الأكثر بحثا",
        "الأكثر بحثا", "الأكثر قراءة", "الأكثر مشاهدة", "الأكثر تداولا", "آخر الأخبار", "اخر الاخبار",
        "أخبار ذات صلة", "contact us", "about us", "source",
    ].map(BoilerplateLexicon.comparisonKey))
    private static let wholeLineFurnitureSet = ByteStringSet(wholeLineFurniture)

    /// Keys that make a menu item furniture when they are the whole item: an item whose first
    /// key word starts none of them can only be furniture by a leading or contained phrase, or
    /// by having no key (`TextCleanerLineScanner`'s filter).
    static var furnitureItemKeys: [[UInt8]] {
        (navigationItems.union(wholeLineFurniture).union(BoilerplateLexicon.wholeLinePhrases)).map { Array($0.utf8) }
    }

    /// Separators between menu items, besides runs of spaces.
    static let itemSeparators: Set<Character> = ["|", "•", "·", "/", "-", "–", "—", "»", "«", "،", ",", "◄", "►", "▪"]

    /// Whether a line is page furniture by phrase: the lexicon's phrases, or a menu line most of
    /// whose words belong to separated navigation items.
    ///
    /// `letteredWords` (`TextCleanerLines.Scan.letteredWords`, 0 when unknown) bounds the words of
    /// the key and of the navigation items from below: past 40, no phrase, share row or menu
    /// can match, and the key is not computed. `key` caches the line's comparison key.
    /// `mayHoldItems` false (no item separator and no run of spaces in `raw`) says the line is
    /// one item, so not a menu.
    static func isFurniture(
        _ line: String, raw: String, letteredWords: Int = 0, mayHoldItems: Bool = true, key cachedKey: inout [UInt8]?
    ) -> Bool {
        // Phrases and share rows have at most 30 words, menus at most 40.
        if letteredWords > maximumNavigationWords { return false }
        let key = cachedKey ?? BoilerplateLexicon.comparisonKeyBytes(line)
        cachedKey = key
        var raw = raw
        return key.withUnsafeBufferPointer { key in
            raw.withUTF8 { raw in
                isFurniture(
                    rawBytes: raw, letteredWords: letteredWords, mayHoldItems: mayHoldItems, key: key,
                    keyWords: BoilerplateLexicon.keyWords(key), itemsMayBeFurniture: true
                )
            }
        }
    }

    /// `isFurniture` on the raw line's bytes and the line's key (`keyWords` its words).
    /// The scan's filters (`TextCleanerLineScanner.Line`) skip work: `itemsMayBeFurniture`
    /// false says that no menu item of the line can be furniture unless the line's key holds a
    /// contained phrase; `mayHoldContainedPhrase` false that it holds none.
    static func isFurniture(
        rawBytes: UnsafeBufferPointer<UInt8>, letteredWords: Int, mayHoldItems: Bool, key: UnsafeBufferPointer<UInt8>,
        keyWords: Int, itemsMayBeFurniture: Bool = true, mayHoldContainedPhrase: Bool = true
    ) -> Bool {
        if letteredWords > maximumNavigationWords { return false }
        if wholeLineFurnitureSet.contains(key)
            || BoilerplateLexicon.isBoilerplate(keyBytes: key, words: keyWords, knownFreeOfContainedPhrases: !mayHoldContainedPhrase)
            || (letteredWords <= maximumShareWords && isSharePrompt(keyBytes: key))
        {
            return true
        }
        guard mayHoldItems else { return false }
        // The items' keys are pieces of the line's key: a phrase the line's key lacks, they lack.
        let searchedContained = !mayHoldContainedPhrase || (!key.isEmpty && keyWords <= BoilerplateLexicon.maximumContainedPhraseWords)
        guard itemsMayBeFurniture || (!searchedContained && BoilerplateLexicon.containsContainedPhrase(keyBytes: key)) else {
            return false
        }
        return isNavigation(rawBytes: rawBytes, itemsFreeOfContainedPhrases: searchedContained)
    }

    static func isFurniture(_ line: String, raw: String) -> Bool {
        var key: [UInt8]?
        return isFurniture(line, raw: raw, key: &key)
    }

    /// Social networks and the words of share buttons.
    private static let socialNetworks: Set<String> = Set([
        "فيسبوك", "فيس", "تويتر", "واتساب", "تيليجرام", "تلغرام", "تليجرام", "لينكدإن", "لينكدان", "انستغرام",
        "انستجرام", "يوتيوب", "ماسنجر", "facebook", "twitter", "whatsapp", "telegram", "linkedin", "instagram",
        "youtube", "messenger", "pinterest", "reddit",
    ].map(BoilerplateLexicon.comparisonKey))
    private static let shareWords: Set<String> = Set([
        "شارك", "شاركها", "مشاركة", "المشاركة", "انشر", "عبر", "على", "بوك", "اكس", "x", "طباعة", "البريد",
        "الإلكتروني", "نسخ", "الرابط", "share", "via", "on", "email", "print", "copy", "link", "tweet",
    ].map(BoilerplateLexicon.comparisonKey))

    /// A row of share buttons: "شارك عبر: فيسبوك تويتر واتساب", "Share on Facebook Twitter".
    static let maximumShareWords = 12

    private static let socialNetworkSet = ByteStringSet(socialNetworks)
    /// Networks and share words together: a word that is in neither (most words) costs one look-up.
    private static let buttonWordSet = ByteStringSet(socialNetworks.union(shareWords))

    static func isSharePrompt(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { isSharePrompt(keyBytes: $0) }
    }

    /// `isSharePrompt` on a key's bytes: its words, ":" trimmed from each, mostly buttons and
    /// at least one network.
    static func isSharePrompt(keyBytes key: UnsafeBufferPointer<UInt8>) -> Bool {
        var words = 0
        var buttonWords = 0
        var namesNetwork = false
        // Words are at most the key's space-separated pieces and at most `maximumShareWords`
        // (more: no prompt): once more than 30 % of that bound are not buttons, it is not one.
        let mostWords = min(BoilerplateLexicon.keyWords(key), maximumShareWords)
        var start = 0
        while start < key.count {
            var end = start
            while end < key.count && key[end] != 0x20 { end += 1 }
            var first = start
            var last = end
            while first < last && key[first] == UInt8(ascii: ":") { first += 1 }
            while last > first && key[last - 1] == UInt8(ascii: ":") { last -= 1 }
            if first < last {
                words += 1
                if words > maximumShareWords { return false }
                let word = UnsafeBufferPointer(rebasing: key[first..<last])
                if buttonWordSet.contains(word) {
                    buttonWords += 1
                    if !namesNetwork && socialNetworkSet.contains(word) { namesNetwork = true }
                } else if (words - buttonWords) * 10 > mostWords * 3 {
                    return false
                }
            }
            start = end + 1
        }
        return words >= 1 && namesNetwork && buttonWords * 10 >= words * 7
    }

    /// Menus are rarely longer: a longer line of items is a list in the text.
    static let maximumNavigationWords = 40

    private struct NavigationItem {
        var range: Range<Int>
        var words: Int
    }

    /// A line of separated items (pieces between `itemSeparators` and runs of two or more
    /// spaces), 70 % of whose words are in navigation or furniture items.
    static func isNavigation(_ raw: String) -> Bool {
        var raw = raw
        return raw.withUTF8 { isNavigation(rawBytes: $0) }
    }

    static func isNavigation(rawBytes bytes: UnsafeBufferPointer<UInt8>, itemsFreeOfContainedPhrases: Bool = false) -> Bool {
        // Every item holds a word, and past `maximumNavigationWords` words the answer is no:
        // the items fit in a fixed buffer.
        withUnsafeTemporaryAllocation(of: NavigationItem.self, capacity: maximumNavigationWords + 2) { items in
            isNavigation(rawBytes: bytes, itemsFreeOfContainedPhrases: itemsFreeOfContainedPhrases, items: items)
        }
    }

    private static func isNavigation(
        rawBytes bytes: UnsafeBufferPointer<UInt8>, itemsFreeOfContainedPhrases: Bool,
        items: UnsafeMutableBufferPointer<NavigationItem>
    ) -> Bool {
        // Items and their words, on bytes; nothing is folded before the line is known to be
        // short enough.
        var itemCount = 0
        var allWords = 0
        var itemStart = 0
        var itemWords = 0
        var inWord = false
        var spaceRun = 0
        var runStart = 0
        var index = 0
        let count = bytes.count
        func closeItem(at end: Int) {
            if itemWords > 0 {
                items.initializeElement(at: itemCount, to: NavigationItem(range: itemStart..<end, words: itemWords))
                itemCount += 1
                allWords += itemWords
            }
            itemWords = 0
            inWord = false
        }
        while index < count {
            let byte = bytes[index]
            if byte >= 0xD8 && byte <= 0xDB && index + 1 < count && !(byte == 0xD8 && bytes[index + 1] == 0x8C) {
                // An Arabic-block scalar other than the Arabic comma: part of a word.
                if spaceRun >= 2 {
                    closeItem(at: runStart)
                    itemStart = index
                }
                spaceRun = 0
                if !inWord {
                    inWord = true
                    itemWords += 1
                    if allWords + itemWords > maximumNavigationWords { return false }
                }
                index += 2
                continue
            }
            let spaceBytes = TextCleanerLines.spaceLength(bytes, at: index)
            if spaceBytes > 0 {
                if spaceRun == 0 { runStart = index }
                spaceRun += 1
                inWord = false
                index += spaceBytes
                continue
            }
            if spaceRun >= 2 {
                closeItem(at: runStart)
                itemStart = index
            }
            spaceRun = 0
            let separatorBytes = TextCleanerLines.itemSeparatorLength(bytes, at: index)
            if separatorBytes > 0 {
                closeItem(at: index)
                index += separatorBytes
                itemStart = index
                continue
            }
            if !inWord {
                inWord = true
                itemWords += 1
                if allWords + itemWords > maximumNavigationWords { return false }
            }
            index += 1
        }
        closeItem(at: count)
        guard itemCount >= 2, allWords <= maximumNavigationWords else { return false }
        // The longest items first: a long item that is not furniture settles most lines. (The
        // answer does not depend on the order; only how soon it is known.)
        for position in 1..<itemCount {
            let item = items[position]
            var slot = position
            while slot > 0 && items[slot - 1].words < item.words {
                items[slot] = items[slot - 1]
                slot -= 1
            }
            items[slot] = item
        }
        var furnitureWords = 0
        var unseenWords = allWords
        // One buffer for every item's key: an item's key takes at most 6 bytes per byte.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, count * 6)) { keyBuffer in
            for item in items[0..<itemCount] {
                unseenWords -= item.words
                let keyLength = BoilerplateLexicon.writeComparisonKey(
                    of: UnsafeBufferPointer(rebasing: bytes[item.range]), to: keyBuffer.baseAddress!
                )
                let key = UnsafeBufferPointer(rebasing: keyBuffer[0..<keyLength])
                if navigationItemSet.contains(key) || wholeLineFurnitureSet.contains(key)
                    || BoilerplateLexicon.isBoilerplate(keyBytes: key, knownFreeOfContainedPhrases: itemsFreeOfContainedPhrases)
                {
                    furnitureWords += item.words
                }
                // Even if every item left were furniture, too few words would be.
                if (furnitureWords + unseenWords) * 10 < allWords * 7 { return false }
            }
            return furnitureWords * 10 >= allWords * 7
        }
    }

    // MARK: Promotions

    /// Imperatives that ask the reader to do something.
    private static let callsToAction = [
        "اشترك", "اشتركوا", "اشترك الآن", "قم بالاشتراك", "سجل الآن", "سجل مجانا", "تابعونا", "تابعنا",
        "انضم", "انضموا", "انضم إلينا", "حمل التطبيق", "حمل تطبيق", "نزل التطبيق", "فعل التنبيهات", "فعل الإشعارات",
        "subscribe", "sign up", "join", "follow us", "download", "get the",
    ]
    /// Channels a promotion offers.
    private static let channels = [
        "البريد الالكتروني", "بريدك", "النشره البريديه", "النشره الاخباريه", "صندوق الوارد", "تنبيهات",
        "اشعارات", "تطبيق", "قناتنا", "تليجرام", "تيليجرام", "واتساب", "واتس اب", "يوتيوب", "فيسبوك", "تويتر",
        "newsletter", "inbox", "alerts", "notifications", "email", "app", "telegram", "whatsapp", "youtube",
    ]
    /// Addressing the reader.
    private static let secondPerson = [
        "الخاص بك", "الخاصه بك", "لك", "لكم", "بك", "لتصلك", "يصلك", "you", "your",
    ]
    /// What promotions offer; counts towards the cues but proves nothing alone.
    private static let offers = ["مجانا", "مجانيه", "المجانيه", "الاشتراك", "free"]
    /// The four lists, looked up together (groups 0–3 in the order above).
    private static let promotionCues = WholeWordCues([callsToAction, channels, secondPerson, offers])
    /// The channels' keys: a promotion names one, so a line without any of their first words
    /// is not one (`TextCleanerLineScanner`'s filter).
    static var promotionChannelKeys: [[UInt8]] { channels.map { Array(BoilerplateLexicon.comparisonKey($0).utf8) } }

    /// A newsletter, app or social promotion: it names a channel and addresses the reader (an
    /// imperative or "you"), with at least three such cues in all. News about a subscription
    /// service names channels too, but in the third person.
    static func isPromotion(_ line: String) -> Bool {
        var key: [UInt8]?
        return isPromotion(line, key: &key)
    }

    /// `key` caches the line's comparison key; `words` is `TextCleanerText.words(line)`.
    static func isPromotion(_ line: String, words: Int? = nil, key cachedKey: inout [UInt8]?) -> Bool {
        guard (words ?? TextCleanerText.words(line)) <= maximumPromotionWords else { return false }
        let lineKey = cachedKey ?? BoilerplateLexicon.comparisonKeyBytes(line)
        cachedKey = lineKey
        return lineKey.withUnsafeBufferPointer(isPromotion(keyBytes:))
    }

    /// Longer lines are articles, whatever they offer.
    static let maximumPromotionWords = 70

    /// `isPromotion` on the key of a line of at most `maximumPromotionWords` words.
    static func isPromotion(keyBytes key: UnsafeBufferPointer<UInt8>) -> Bool {
        // Whole words only: "حمل" (download!) is also "carried", "قناة" is also a canal.
        let hits = promotionCues.hits(inKeyBytes: key)
        let (asks, named, addresses, offered) = (hits[0], hits[1], hits[2], hits[3])
        return named >= 1 && asks + addresses >= 1 && asks + named + addresses + offered >= 3
    }

    // MARK: Captions

    /// Names that credit a photograph: agencies and photo services, and the words around them.
    private static let creditWords: Set<String> = Set([
        "epa", "afp", "ap", "reuters", "getty", "images", "shutterstock", "istock", "anadolu", "sputnik",
        "xinhua", "tass", "ria", "wana", "photo", "file", "via", "رويترز", "فرانس", "برس", "اف", "ب",
        "اسوشيتد", "اسوشيتدبرس", "الاناضول", "الأناضول", "سبوتنيك", "شينخوا", "تاس", "ريا", "نوفوستي",
        "وام", "واس", "سانا", "قنا", "كونا", "بترا", "ومال", "ارشيفيه", "أرشيفية", "ارشيف", "صوره", "صورة",
        "الصوره", "الصورة", "تصوير", "عبر", "مواقع", "التواصل", "الاجتماعي", "وكالات", "وكاله",
    ].map(BoilerplateLexicon.comparisonKey))
    /// The agencies themselves: a credit must name one (or say "photo"), not just "via".
    private static let creditNames: Set<String> = Set([
        "epa", "afp", "ap", "reuters", "getty", "shutterstock", "istock", "anadolu", "sputnik", "xinhua",
        "tass", "photo", "file", "رويترز", "فرانس", "اسوشيتد", "الاناضول", "سبوتنيك", "شينخوا", "تاس",
        "نوفوستي", "وام", "واس", "سانا", "قنا", "كونا", "بترا", "ارشيفيه", "صوره", "الصوره", "تصوير", "وكالات",
    ].map(BoilerplateLexicon.comparisonKey))

    private static let creditInitialisms: Set<String> = ["افب", "اب", "دبا", "يوبياي"]

    /// An image caption with its credit: one descriptive sentence at most, ending in a
    /// parenthesized credit naming an agency — `… في بيونغ يانغ (EPA)`, `… (عبر رويترز)`.
    /// A paragraph that quotes an agency mid-text, or has several sentences, is not one.
    static func isCaption(_ line: String, words: Int? = nil) -> Bool {
        guard line.utf8.last == UInt8(ascii: ")"), (words ?? TextCleanerText.words(line)) <= 70 else { return false }
        return isCaptionOfPlainScalars(line) ?? isCaptionOnCharacters(line)
    }

    /// `isCaption` past its checks of the last byte and the words, on `Character`s: for any line.
    static func isCaptionOnCharacters(_ line: String) -> Bool {
        var body = Substring(line)
        var credits: [Substring] = []
        // Trailing groups, last first: "(photographer, agency via AP) (Sputnik)".
        while body.last == ")", let open = body.lastIndex(of: "(") {
            credits.append(body[body.index(after: open)..<body.index(before: body.endIndex)])
            body = body[..<open]
            while body.last == " " { body = body.dropLast() }
        }
        guard let lastCredit = credits.first, isCredit(String(lastCredit)) else { return false }
        let description = String(body)
        guard TextCleanerText.words(description) >= 2 else { return false }
        // At most one sentence: a full stop may close it, but not separate two.
        let stops = description.filter { $0 == "." }.count
        return stops == 0 || (stops == 1 && TextCleanerText.endsSentence(description))
    }

    /// `isCaption` of a line made only of `PlainScalars`, on its bytes: there every scalar is a
    /// `Character`, so "(", ")", " " and "." are found as bytes. `nil` for any other line.
    static func isCaptionOfPlainScalars(_ line: String) -> Bool? {
        var line = line
        return line.withUTF8 { bytes -> Bool? in
            guard PlainScalars.spans(bytes) else { return nil }
            // Trailing groups, last first; only the last is read, the others are cut off.
            var bodyEnd = bytes.count
            var lastCredit: Range<Int>?
            while bodyEnd > 0 && bytes[bodyEnd - 1] == UInt8(ascii: ")"),
                  let open = UnsafeBufferPointer(rebasing: bytes[..<bodyEnd]).lastIndex(of: UInt8(ascii: "(")) {
                if lastCredit == nil { lastCredit = open + 1..<bodyEnd - 1 }
                bodyEnd = open
                while bodyEnd > 0 && bytes[bodyEnd - 1] == 0x20 { bodyEnd -= 1 }
            }
            guard let lastCredit, isCredit(String(decoding: UnsafeBufferPointer(rebasing: bytes[lastCredit]), as: UTF8.self)) else {
                return false
            }
            let description = UnsafeBufferPointer(rebasing: bytes[..<bodyEnd])
            guard description.reduce(description.isEmpty ? 0 : 1, { $1 == 0x20 ? $0 + 1 : $0 }) >= 2 else { return false }
            // At most one sentence: a full stop may close it, but not separate two.
            let stops = description.reduce(0) { $1 == UInt8(ascii: ".") ? $0 + 1 : $0 }
            return stops == 0 || (stops == 1 && TextCleanerText.endsSentence(description))
        }
    }

    private static func isCredit(_ group: String) -> Bool {
        let words = BoilerplateLexicon.comparisonKey(group).split(separator: " ").map(String.init)
        guard !words.isEmpty, words.count <= 12 else { return false }
        // Initialisms are written spaced: "أ ف ب" (AFP), "د ب أ" (DPA).
        let named = words.contains(where: creditNames.contains) || creditInitialisms.contains(words.joined())
        // A short group must be all credit words; a longer one (photographer's names) must
        // name an agency near its end.
        if creditInitialisms.contains(words.joined()) { return true }
        if words.count <= 3 { return named && words.allSatisfy(creditWords.contains) }
        return words.suffix(3).contains(where: creditNames.contains)
    }

    // MARK: Bylines and date lines

    /// Lines longer than this are prose, whatever labels they start with.
    static let maximumMetadataLineWords = 14

    /// `false` only when neither `bylineAuthor` nor `dateline` can claim `line`: a byline
    /// starts with a label, and a stamp (labelled or bare) holds a digit. One scan for both.
    static func mayBeBylineOrDateline(_ line: String) -> Bool {
        BylineDetector.anyLabel.mayStart(line) || TextCleanerText.containsDigit(line)
    }

    /// `mayBeBylineOrDateline` of the line's UTF-8 bytes.
    static func mayBeBylineOrDateline(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        BylineDetector.anyLabel.mayStart(utf8: bytes) || TextCleanerText.containsDigit(bytes)
    }

    /// The author named by a byline line ("بواسطة نجيم", "بقلم: فلان"); `nil` otherwise.
    /// `isBylineOrDateline`: `BylineDetector.isBylineOrDateline(line)`, when the caller has it.
    static func bylineAuthor(_ line: String, words: Int? = nil, isBylineOrDateline: Bool? = nil) -> String? {
        guard (words ?? TextCleanerText.words(line)) <= 12, !TextCleanerText.endsSentence(line),
              isBylineOrDateline ?? BylineDetector.isBylineOrDateline(line) else { return nil }
        return BylineDetector.author(fromBylineLine: line)
    }

    /// Words that publication stamps use around a date and a site name.
    private static let publicationLabels = ["نشر في", "نُشر في", "نشر بتاريخ", "نُشر بتاريخ", "نشر", "نُشر", "published in", "published on", "published", "posted in"]
    /// `publicationLabels` with the space that must follow them, for `LabelSet.mayPrefix`.
    private static let publicationLabelsWithSpace = LabelSet(publicationLabels.map { $0 + " " })
    private static let dateIntroducers: Set<String> = Set([
        "يوم", "بتاريخ", "في", "الساعة", "on", "at", "الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء",
        "الخميس", "الجمعة", "السبت",
    ].map(BoilerplateLexicon.comparisonKey))
    private static let siteSeparators: [String] = [" ـ ", " - ", " – ", " — ", " | ", " · ", " • ", "، "]

    /// A publication stamp: a short line whose content is a date, possibly with a label and the
    /// publishing site ("نشر في الوطن يوم 20 - 06 - 2024", "نيسان ـ نشر في 2024-06-19 الساعة 14:49",
    /// "الثلاثاء، 19 نوفمبر 2024 02:31 م"). A sentence that mentions a date is not one.
    /// `isBylineOrDateline`: `BylineDetector.isBylineOrDateline(line)`, when the caller has it.
    static func dateline(_ line: String, words: Int? = nil, isBylineOrDateline: Bool? = nil) -> (date: NewsDate, siteName: String?)? {
        guard (words ?? TextCleanerText.words(line)) <= maximumMetadataLineWords, !TextCleanerText.endsSentence(line),
              TextCleanerText.containsDigit(line) else { return nil }
        var site: String?
        var isStamp = isBylineOrDateline ?? BylineDetector.isBylineOrDateline(line)
        // "<site> ـ نشر في <date>": the site comes before a separator and a publication label
        // (whose words the line must hold somewhere, which most lines do not).
        let mayHoldLabel = mayHoldPublicationLabel(line)
        if mayHoldLabel {
            let lineIsPlain = isPlain(line)
            for separator in siteSeparators {
                guard let range = firstRange(of: separator, in: line, lineIsPlain: lineIsPlain) else { continue }
                let before = String(line[..<range.lowerBound])
                let after = String(line[range.upperBound...])
                if startsWithPublicationLabel(after), BylineDetector.isBylineOrDateline(after) {
                    isStamp = true
                    site = plausibleSiteName(before)
                }
                break
            }
        }
        guard isStamp, let date = NewsDateParser.parse(line) else { return nil }
        // "نشر في <site> …" needs a label's words too.
        if site == nil && mayHoldLabel { site = siteAfterPublicationLabel(line) }
        return (date, site)
    }

    /// Whether `publicationLabels`' first words ("نشر", "نُشر", "published", "posted") may
    /// occur in `line`: on the bytes, Latin letters in either case.
    static func mayHoldPublicationLabel(_ line: String) -> Bool {
        var line = line
        return line.withUTF8 { bytes in
            for start in bytes.indices {
                let first = bytes[start] | (bytes[start] &- 0x41 < 26 ? 0x20 : 0)
                for word in publicationLabelWords where word[0] == first && start + word.count <= bytes.count {
                    var offset = 1
                    while offset < word.count {
                        let byte = bytes[start + offset]
                        if (byte &- 0x41 < 26 ? byte | 0x20 : byte) != word[offset] { break }
                        offset += 1
                    }
                    if offset == word.count { return true }
                }
            }
            return false
        }
    }

    /// Whether `line` is made only of `PlainScalars`.
    static func isPlain(_ line: String) -> Bool {
        var line = line
        return line.withUTF8(PlainScalars.spans)
    }

    /// `line.range(of: separator)` (Foundation) for a separator of `PlainScalars`: found on the
    /// bytes when the line is plain too (each scalar a `Character`, and `Character`s equal
    /// exactly when their bytes are), through Foundation otherwise.
    static func firstRange(of separator: String, in line: String, lineIsPlain: Bool) -> Range<String.Index>? {
        guard lineIsPlain else { return line.range(of: separator) }
        var separator = separator
        var copy = line
        let offset = copy.withUTF8 { bytes in
            separator.withUTF8 { needle -> Int? in
                guard needle.count <= bytes.count else { return nil }
                for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
                    if UnsafeBufferPointer(rebasing: bytes[start..<start + needle.count]).elementsEqual(needle) { return start }
                }
                return nil
            }
        }
        guard let offset else { return nil }
        let start = line.utf8.index(line.utf8.startIndex, offsetBy: offset)
        return start..<line.utf8.index(start, offsetBy: separator.utf8.count)
    }

    private static let publicationLabelWords: [[UInt8]] = {
        let words = Set(publicationLabels.map { String($0.prefix { $0 != " " }) })
        return words.map { Array($0.utf8) }
    }()

    static func startsWithPublicationLabel(_ text: String) -> Bool {
        // Most lines are ruled out on their bytes.
        guard publicationLabelsWithSpace.mayPrefix(text) else { return false }
        let lowered = text.lowercased()
        return publicationLabels.contains { lowered.hasPrefix($0 + " ") }
    }

    /// "نشر في <site> يوم <date>": the words between the label and the date's first word.
    static func siteAfterPublicationLabel(_ line: String) -> String? {
        guard publicationLabelsWithSpace.mayPrefix(line) else { return nil }
        let lowered = line.lowercased()
        guard let label = publicationLabels.first(where: { lowered.hasPrefix($0 + " ") }), label.hasSuffix(" في") || label.hasSuffix(" in") else { return nil }
        var nameWords: [Substring] = []
        for word in line.dropFirst(label.count).split(separator: " ") {
            let key = BoilerplateLexicon.comparisonKey(String(word))
            if dateIntroducers.contains(key) || TextCleanerText.containsDigit(String(word)) { break }
            nameWords.append(word)
        }
        return plausibleSiteName(nameWords.joined(separator: " "))
    }

    /// One to four words, no digits, not itself a date.
    private static func plausibleSiteName(_ text: String) -> String? {
        let name = TextFolding.collapseWhitespace(text).trimmingCharacters(in: [" ", ":", "-", "،", "|"])
        let words = TextCleanerText.words(name)
        guard (1...4).contains(words), !TextCleanerText.containsDigit(name), TextCleanerText.containsLetter(name),
              !startsWithPublicationLabel(name + " ") else { return nil }
        return name
    }

    // MARK: Paragraphs and headings

    /// Lines this long are prose even without a full stop (a truncated lead, say).
    static let proseWords = 25
    /// A sentence this long with a full stop is a paragraph; shorter ones may be a caption or a
    /// UI message.
    static let sentenceWords = 8

    /// Article prose: a long line, or a sentence of some length. Headlines, captions, menus
    /// and stamps are shorter and rarely end in a full stop.
    static func isParagraph(_ line: String, words: Int? = nil) -> Bool {
        let words = words ?? TextCleanerText.words(line)
        return words >= proseWords || (words >= sentenceWords && TextCleanerText.endsSentence(line))
    }

    /// `isParagraph` of a collapsed line's UTF-8 bytes and its `words`.
    static func isParagraph(bytes: UnsafeBufferPointer<UInt8>, words: Int) -> Bool {
        words >= proseWords || (words >= sentenceWords && TextCleanerText.endsSentence(bytes))
    }

    /// A headline: a few words up to a long title, not a sentence.
    static func isHeadline(_ line: String, words: Int? = nil) -> Bool {
        let words = words ?? TextCleanerText.words(line)
        return (3...30).contains(words) && !TextCleanerText.endsSentence(line)
    }

    /// `isHeadline` of a collapsed line's UTF-8 bytes and its `words`.
    static func isHeadline(bytes: UnsafeBufferPointer<UInt8>, words: Int) -> Bool {
        (3...30).contains(words) && !TextCleanerText.endsSentence(bytes)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        guard let first = firstIndex(where: { !set.contains($0) }), let last = lastIndex(where: { !set.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}

/// Cue phrases (folded with `BoilerplateLexicon.comparisonKey`, in groups) found as whole words
/// of a folded key: a phrase counts when its words are consecutive words of the key. Each word
/// of the key is hashed once and looked up among the phrases' first words, instead of
/// searching the key once per phrase.
struct WholeWordCues: Sendable {
    private struct Cue: Sendable {
        var bytes: [UInt8]
        var group: Int
    }

    private let cues: [Cue]
    private let groupCount: Int
    /// FNV-1a of a first word → indices into `cues`.
    private let cuesByFirstWord: [UInt64: [Int]]
    /// Bits set at the first words' `signature`s: most words of a key miss here, before
    /// they are hashed.
    private let firstWordBits: [UInt64]

    init(_ groups: [[String]]) {
        var cues: [Cue] = []
        var cuesByFirstWord: [UInt64: [Int]] = [:]
        var firstWordBits = [UInt64](repeating: 0, count: (1 << WordSignature.bits) / 64)
        for (group, phrases) in groups.enumerated() {
            for phrase in phrases {
                let bytes = Array(BoilerplateLexicon.comparisonKey(phrase).utf8)
                guard !bytes.isEmpty else { continue }
                let firstWord = Array(bytes.prefix { $0 != 0x20 })
                cuesByFirstWord[Self.hash(firstWord), default: []].append(cues.count)
                let signature = firstWord.withUnsafeBufferPointer { Self.signature($0, 0..<$0.count) }
                firstWordBits[signature >> 6] |= 1 << UInt64(signature & 63)
                cues.append(Cue(bytes: bytes, group: group))
            }
        }
        self.cues = cues
        self.cuesByFirstWord = cuesByFirstWord
        self.firstWordBits = firstWordBits
        groupCount = groups.count
    }

    /// `WordSignature` of the word at `word` in `bytes`.
    @inline(__always)
    private static func signature(_ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Int {
        guard !word.isEmpty else { return 0 }
        return WordSignature.of(bytes.baseAddress! + word.lowerBound, word.count)
    }

    private static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// How many distinct phrases of each group occur in `key` (single spaces between words, no
    /// space at either end, as `comparisonKey` writes it).
    func hits(inKey key: String) -> [Int] {
        var key = key
        return key.withUTF8 { hits(inKeyBytes: $0) }
    }

    func hits(inKeyBytes bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: cues.count) { found in
            found.initialize(repeating: false)
            return hits(inKeyBytes: bytes, found: found)
        }
    }

    private func hits(inKeyBytes bytes: UnsafeBufferPointer<UInt8>, found: UnsafeMutableBufferPointer<Bool>) -> [Int] {
        do {
            var wordStart = 0
            while wordStart < bytes.count {
                var wordEnd = wordStart
                while wordEnd < bytes.count && bytes[wordEnd] != 0x20 { wordEnd += 1 }
                let signature = Self.signature(bytes, wordStart..<wordEnd)
                if firstWordBits[signature >> 6] & (1 << UInt64(signature & 63)) != 0,
                   let candidates = cuesByFirstWord[Self.hash(UnsafeBufferPointer(rebasing: bytes[wordStart..<wordEnd]))] {
                    for index in candidates where !found[index] {
                        let cue = cues[index].bytes
                        let end = wordStart + cue.count
                        guard end <= bytes.count, end == bytes.count || bytes[end] == 0x20 else { continue }
                        if cue.withUnsafeBufferPointer({ $0.elementsEqual(UnsafeBufferPointer(rebasing: bytes[wordStart..<end])) }) {
                            found[index] = true
                        }
                    }
                }
                wordStart = wordEnd + 1
            }
        }
        var hits = [Int](repeating: 0, count: groupCount)
        for (index, cue) in cues.enumerated() where found[index] { hits[cue.group] += 1 }
        return hits
    }
}
