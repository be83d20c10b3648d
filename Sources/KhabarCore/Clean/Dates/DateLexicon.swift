/// What a word contributes to a date expression.
enum DateLexeme: Hashable, Sendable {
    case none
    /// A month name; `hijri` for the Islamic calendar's months.
    case month(Int, hijri: Bool)
    /// A name shared by two months (كانون، تشرين، ربيع، جمادى); the next word or digit picks one.
    case monthPair(first: Int, second: Int, hijri: Bool)
    /// ذو / ذي, completed by القعدة or الحجة.
    case dhu
    case dhuMonth(Int)
    /// الأول / الثاني and their spellings, picking one month of a pair.
    case ordinal(Int)
    /// هـ, هجري: the year before it is Hijri.
    case hijriEra
    /// ميلادي: the year before it is Gregorian.
    case gregorianEra
    /// م: Gregorian era after a year, PM after a time.
    case meem
    case morning
    case evening
    /// ظهرا: 12 stays 12, 1–5 are afternoon hours.
    case noon
    case latinA
    case latinP
    case latinM
    case zone(minutes: Int)
    /// A zone whose offset depends on daylight saving time on the day (ET, PT).
    case regionZone(String)
    /// توقيت / بتوقيت before a zone name.
    case zoneIntro
    /// Words between a date and its time: "at", الساعة.
    case timeIntro
    /// "20th of June", "20 من يونيو".
    case dayMonthLink
    /// "20th", "1er".
    case ordinalSuffix
    /// The `T` of ISO 8601.
    case isoTimeMark
}

enum DateLexicon {
    static func lexeme(for foldedWord: String) -> DateLexeme {
        table[foldedWord] ?? .none
    }

    private static let gregorianMonths: [(Int, [String])] = [
        (1, ["january", "jan", "janvier", "يناير", "جانفي"]),
        (2, ["february", "feb", "février", "fevrier", "فبراير", "شباط", "فيفري"]),
        (3, ["march", "mar", "mars", "مارس", "آذار"]),
        (4, ["april", "apr", "avril", "أبريل", "ابريل", "إبريل", "نيسان", "أفريل"]),
        (5, ["may", "mai", "مايو", "أيار", "ماي"]),
        (6, ["june", "jun", "juin", "يونيو", "يونية", "حزيران", "جوان"]),
        (7, ["july", "jul", "juillet", "يوليو", "يوليه", "يولية", "تموز", "جويلية", "يوليوز"]),
        (8, ["august", "aug", "août", "aout", "أغسطس", "آب", "أوت", "غشت"]),
        (9, ["september", "sep", "sept", "septembre", "سبتمبر", "أيلول", "شتنبر"]),
        (10, ["october", "oct", "octobre", "أكتوبر"]),
        (11, ["november", "nov", "novembre", "نوفمبر", "نونبر"]),
        (12, ["december", "dec", "décembre", "decembre", "ديسمبر", "دجنبر"]),
    ]

    private static let hijriMonths: [(Int, [String])] = [
        (1, ["محرم", "المحرم"]),
        (2, ["صفر"]),
        (7, ["رجب"]),
        (8, ["شعبان"]),
        (9, ["رمضان"]),
        (10, ["شوال"]),
        (11, ["ذوالقعدة"]),
        (12, ["ذوالحجة"]),
    ]

    private static let otherWords: [(DateLexeme, [String])] = [
        (.monthPair(first: 12, second: 1, hijri: false), ["كانون"]),
        (.monthPair(first: 10, second: 11, hijri: false), ["تشرين"]),
        (.monthPair(first: 3, second: 4, hijri: true), ["ربيع"]),
        (.monthPair(first: 5, second: 6, hijri: true), ["جمادى", "جماد"]),
        (.dhu, ["ذو", "ذي"]),
        (.dhuMonth(11), ["القعدة"]),
        (.dhuMonth(12), ["الحجة"]),
        (.ordinal(1), ["الأول", "أول", "الأولى", "أولى"]),
        (.ordinal(2), ["الثاني", "ثاني", "الثانية", "ثانية", "الآخر", "آخر", "الآخرة", "آخرة"]),
        (.hijriEra, ["هـ", "هجري", "هجرية", "للهجرة", "ah"]),
        (.gregorianEra, ["ميلادي", "ميلادية", "للميلاد"]),
        (.meem, ["م"]),
        (.morning, ["am", "ص", "صباحا", "صباح", "صباحًا", "فجرا"]),
        (.evening, ["pm", "مساء", "مساءً", "مساءا", "عصرا", "ليلا"]),
        (.noon, ["ظهرا", "ظهرًا"]),
        (.latinA, ["a"]),
        (.latinP, ["p"]),
        (.latinM, ["m"]),
        (.zone(minutes: 0), ["z", "gmt", "utc", "ut", "غرينتش", "جرينتش", "غرينيتش", "جرينيتش", "قرينتش"]),
        (.zone(minutes: -300), ["est", "cdt"]),
        (.zone(minutes: -240), ["edt"]),
        (.zone(minutes: -360), ["cst", "mdt"]),
        (.zone(minutes: -420), ["mst", "pdt"]),
        (.zone(minutes: -480), ["pst"]),
        (.zone(minutes: 60), ["bst", "cet"]),
        (.zone(minutes: 120), ["cest", "eet"]),
        (.zone(minutes: 180), ["eest", "msk"]),
        (.regionZone("America/New_York"), ["et"]),
        (.regionZone("America/Chicago"), ["ct"]),
        (.regionZone("America/Denver"), ["mt"]),
        (.regionZone("America/Los_Angeles"), ["pt"]),
        (.zoneIntro, ["توقيت", "بتوقيت"]),
        (.timeIntro, ["at", "on", "الساعة", "ساعة", "في"]),
        (.dayMonthLink, ["of", "من"]),
        (.ordinalSuffix, ["st", "nd", "rd", "th", "er"]),
        (.isoTimeMark, ["t"]),
    ]

    /// Keys are folded like page text, so every spelling above also covers its hamza,
    /// taa marbuta and alef maksura variants.
    private static let table: [String: DateLexeme] = {
        var table: [String: DateLexeme] = [:]
        func add(_ lexeme: DateLexeme, _ words: [String]) {
            for word in words {
                let key = DateTokenizer.foldedWord(word)
                assert(table[key] == nil || table[key] == lexeme, "conflicting date word \(word)")
                table[key] = lexeme
            }
        }
        for (month, words) in gregorianMonths { add(.month(month, hijri: false), words) }
        for (month, words) in hijriMonths { add(.month(month, hijri: true), words) }
        for (lexeme, words) in otherWords { add(lexeme, words) }
        return table
    }()
}
