internal import Foundation

/// Recognizes the short lines around an article that carry its byline or its date, so the
/// metadata pass can read them and the content pass can keep them out of the body.
public enum BylineDetector {
    /// Prefixes that introduce a byline on their own.
    /// Longest first, so "الكاتب الصحفي" wins over "الكاتب".
    private static let strongBylinePrefixes = [
        "بقلم", "بواسطة", "الكاتبة", "الكاتب", "الكاتب الصحفي", "الكاتبة الصحفية", "إعداد",
        "اعداد", "المؤلف", "تحرير", "written by", "reporting by", "reported by", "posted by", "author", "by",
    ].sorted { $0.count > $1.count }
    /// `كتب` is also an everyday verb ("كتب الرئيس في تغريدة…"): a byline only when punctuated
    /// (`كتب: فلان`, `كتب - فلان`) or when the line is just a name.
    private static let weakBylinePrefixes = ["كتبت", "كتبه", "كتبها", "كتب"]
    /// Labels that introduce a publication or update stamp.
    static let dateLabels = ([
        "تاريخ النشر", "تاريخ الإضافة", "تاريخ الاضافة", "نشر في", "نُشر في", "نشر بتاريخ", "نُشر بتاريخ",
        "نشر يوم", "نُشر يوم", "آخر تحديث", "اخر تحديث", "أخر تحديث", "تم التحديث", "تم النشر", "التاريخ",
        "تحديث", "last updated", "last modified", "updated on", "updated", "published on", "published",
        "posted on", "posted", "date",
    ] as [String]).sorted { $0.count > $1.count }
    /// Labels that mark the stamp as an update rather than the first publication.
    static let updateLabels = ["آخر تحديث", "اخر تحديث", "أخر تحديث", "تم التحديث", "تحديث", "last updated", "last modified", "updated"]

    private static let dateWords: Set<String> = [
        "يناير", "فبراير", "مارس", "أبريل", "ابريل", "إبريل", "مايو", "يونيو", "يونيه", "يوليو", "يوليه",
        "أغسطس", "اغسطس", "سبتمبر", "أكتوبر", "اكتوبر", "نوفمبر", "ديسمبر", "كانون", "شباط", "آذار", "اذار",
        "نيسان", "أيار", "ايار", "حزيران", "تموز", "آب", "اب", "أيلول", "ايلول", "تشرين", "الأول", "الاول",
        "الثاني", "جانفي", "فيفري", "أفريل", "افريل", "ماي", "جوان", "جويلية", "أوت", "اوت", "الأحد", "الاحد",
        "الإثنين", "الاثنين", "الثلاثاء", "الأربعاء", "الاربعاء", "الخميس", "الجمعة", "السبت", "ص", "م", "صباحا",
        "مساء", "مساءً", "صباحاً", "الساعة", "هـ", "م.", "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "am", "pm", "gmt", "utc", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday", "at", "في", "on", "|", "-", "/", "·", "•",
    ]

    /// Whether `line` is a byline ("بقلم فلان", "By Jane Doe") or a date/time stamp
    /// ("نشر في 20 يونيو 2024", "آخر تحديث: …", "Updated 3 June", "20-06-2024, 05:00").
    public static func isBylineOrDateline(_ line: String) -> Bool {
        let text = TextFolding.collapseWhitespace(line)
        guard !text.isEmpty, text.count <= 120 else { return false }
        let words = MetadataText.wordCount(text)
        if let rest = remainder(of: text, afterAnyOf: strongBylinePrefixes) {
            return !rest.isEmpty && MetadataText.wordCount(rest) <= 10
        }
        if let rest = remainder(of: text, afterAnyOf: weakBylinePrefixes, requirePunctuation: true) {
            return !rest.isEmpty && MetadataText.wordCount(rest) <= 10
        }
        if let rest = remainder(of: text, afterAnyOf: dateLabels) {
            return containsDigit(rest) && words <= 14
        }
        return words <= 12 && isMostlyDate(text)
    }

    /// The name in a byline line: prefix, trailing date, role and separators removed.
    /// `nil` when the line is not a byline or leaves no plausible name.
    public static func author(fromBylineLine line: String) -> String? {
        let text = TextFolding.collapseWhitespace(line)
        guard !text.isEmpty, text.count <= 160 else { return nil }
        let rest = remainder(of: text, afterAnyOf: strongBylinePrefixes)
            ?? remainder(of: text, afterAnyOf: weakBylinePrefixes, requirePunctuation: true)
        guard let rest else { return nil }
        return cleanedName(rest)
    }

    /// A person's name from text that an element marks as an author (prefix optional).
    static func cleanedName(_ text: String) -> String? {
        var name = TextFolding.collapseWhitespace(text)
        if let rest = remainder(of: name, afterAnyOf: strongBylinePrefixes)
            ?? remainder(of: name, afterAnyOf: weakBylinePrefixes, requirePunctuation: true) {
            name = rest
        }
        // Whatever follows the name on the same line: a date, a role, a section.
        for separator in [" | ", "|", " - ", " – ", " — ", "،", " · ", "·", " • ", "•", "\u{200F}-"] {
            if let range = name.range(of: separator) { name = String(name[..<range.lowerBound]) }
        }
        if let digit = name.firstIndex(where: { $0.isNumber }) { name = String(name[..<digit]) }
        name = name.trimmingCharacters(in: namePunctuation)
        guard !name.isEmpty, name.count <= 80, MetadataText.wordCount(name) <= 8,
              !MetadataText.looksLikeURL(name), !MetadataText.looksLikeEmail(name),
              name.contains(where: { $0.isLetter }) else { return nil }
        if remainder(of: name, afterAnyOf: dateLabels) != nil || isMostlyDate(name) { return nil }
        return name
    }

    private static let namePunctuation: Set<Character> = [" ", ":", "-", "–", "—", "/", "،", ",", ".", "|", "»", "«", "(", ")", "•", "·", "@"]

    // MARK: Pieces

    /// The text after one of `prefixes` (matched at a word boundary, ASCII case ignored),
    /// with the `:`/`-`/`/` that may follow it removed.
    static func remainder(of text: String, afterAnyOf prefixes: [String], requirePunctuation: Bool = false) -> String? {
        let lowered = text.lowercased()
        for prefix in prefixes where lowered.hasPrefix(prefix) {
            var rest = lowered.dropFirst(prefix.count)
            guard rest.isEmpty || rest.first == " " || rest.first == ":" || rest.first == "/" || rest.first == "-" || rest.first == "،" || rest.first == "." else { continue }
            let afterPrefix = rest
            rest = rest.drop(while: { $0 == " " || $0 == ":" || $0 == "/" || $0 == "-" || $0 == "–" || $0 == "،" || $0 == "." })
            if requirePunctuation {
                let punctuated = afterPrefix.prefix(3).contains(where: { $0 == ":" || $0 == "-" || $0 == "–" || $0 == "/" })
                guard punctuated || MetadataText.wordCount(String(rest)) <= 3 else { continue }
            }
            // Map back to the original text (lower-casing keeps Arabic and length of ASCII).
            let offset = text.count - rest.count
            return String(text.dropFirst(offset))
        }
        return nil
    }

    private static func containsDigit(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value >= 0x30 && $0.value <= 0x39) || ($0.value >= 0x660 && $0.value <= 0x669) || ($0.value >= 0x6F0 && $0.value <= 0x6F9) }
    }

    /// Most tokens are numbers, month or weekday names, clock words or separators.
    static func isMostlyDate(_ text: String) -> Bool {
        guard containsDigit(text) else { return false }
        let tokens = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "،" })
        guard !tokens.isEmpty else { return false }
        var dateTokens = 0
        for token in tokens {
            let trimmed = token.trimmingCharacters(in: [".", ":", "(", ")"])
            if trimmed.isEmpty || containsDigit(trimmed) || dateWords.contains(trimmed) { dateTokens += 1 }
        }
        return dateTokens * 10 >= tokens.count * 7
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        guard let first = firstIndex(where: { !set.contains($0) }), let last = lastIndex(where: { !set.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(self).trimmingCharacters(in: set)
    }
}
