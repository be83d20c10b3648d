/// Phrases that mark a line as page furniture rather than article text, in Arabic and English.
///
/// Matching is on a folded key (case, hamza/alef forms, taa marbuta, alef maksura, diacritics
/// and punctuation removed), so spelling variants of one phrase need one entry.
enum BoilerplateLexicon {
    /// Lines that are furniture when they consist of the phrase alone.
    private static let wholeLinePhrases: Set<String> = Set([
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
    private static let leadingPhrases: [[UInt8]] = [
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
    private static let containedPhrases: [[UInt8]] = [
        "لقراءة الخبر من مصدره", "لقراءة المقال", "انقر هنا", "اضغط هنا", "جميع الحقوق محفوظة",
        "حقوق النشر محفوظة", "حقوق الطبع", "شكرا على الإبلاغ", "تم الإبلاغ", "الإبلاغ عن",
        "يستخدم هذا الموقع ملفات", "ملفات تعريف الارتباط", "سياسة الخصوصية", "النشرة البريدية",
        "القائمة البريدية", "لا توجد تعليقات", "all rights reserved", "click here",
        "privacy policy", "terms of use", "terms of service", "cookie policy", "sign up for our",
        "subscribe to our", "our newsletter", "getty images", "ap photo", "afp via getty",
        "reuters/", "/reuters", "shutterstock", "istock", "enable javascript", "javascript is disabled",
        "your browser does not support",
    ].map { Array(comparisonKey($0).utf8) }

    /// Whether a short line is page furniture.
    static func isBoilerplate(_ line: String) -> Bool {
        isBoilerplate(key: comparisonKey(line))
    }

    /// Whether a short line, given as its `comparisonKey`, is page furniture.
    static func isBoilerplate(key: String) -> Bool {
        if key.isEmpty { return true }
        if wholeLinePhrases.contains(key) { return true }
        let bytes = Array(key.utf8)
        var words = 1
        for byte in bytes where byte == 0x20 { words += 1 }
        if words <= 14 {
            for phrase in leadingPhrases where bytes.starts(with: phrase) { return true }
        }
        if words <= 30 {
            return containedPhrases.contains { ByteSearch.contains(bytes, $0) }
        }
        return false
    }

    /// A folded form for comparing short strings: lower case, Arabic letter variants unified,
    /// diacritics and tatweel removed, punctuation dropped, spaces collapsed. Keeps ":", "@",
    /// "©" and "/" since some phrases rely on them.
    static func comparisonKey(_ text: String) -> String {
        var key: [UInt8] = []
        key.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        func append(_ scalar: Unicode.Scalar) {
            if pendingSpace && !key.isEmpty { key.append(0x20) }
            pendingSpace = false
            key.append(contentsOf: UTF8.encode(scalar)!)
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                // ASCII: letters (lower-cased), digits and the kept symbols; the rest separates.
                let byte = UInt8(value)
                switch byte {
                case 0x61...0x7A, 0x30...0x39, 0x3A, 0x40, 0x2F:
                    append(scalar)
                case 0x41...0x5A:
                    append(Unicode.Scalar(byte | 0x20))
                default:
                    pendingSpace = true
                }
                continue
            }
            if value >= 0x0600 && value <= 0x06FF {
                switch value {
                case 0x0622, 0x0623, 0x0625, 0x0671: append("\u{0627}")
                case 0x0649: append("\u{064A}")
                case 0x0629: append("\u{0647}")
                case 0x0640, 0x064B...0x065F, 0x0670, 0x0610...0x061A, 0x06D6...0x06ED: continue
                case 0x0621...0x063A, 0x0641...0x064A, 0x0660...0x0669, 0x066E...0x06D3, 0x06D5, 0x06F0...0x06FF:
                    append(scalar)
                default:
                    pendingSpace = true
                }
                continue
            }
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType != nil || value == 0xA9 {
                for lower in properties.lowercaseMapping.unicodeScalars { append(lower) }
            } else {
                pendingSpace = true
            }
        }
        return String(decoding: key, as: UTF8.self)
    }
}

enum ByteSearch {
    /// Whether `needle` occurs in `haystack` (both short: a line's folded key and a phrase).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
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
