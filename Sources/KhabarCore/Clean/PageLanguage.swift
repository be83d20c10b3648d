/// The language and writing direction of an article, from its text first and the page's
/// declarations second.
enum PageLanguage {
    static func detect(text: String, declaredLanguage: String?, declaredDirection: String?) -> (code: String?, direction: String?) {
        let declaredCode = declaredLanguage.map(primarySubtag)
        let direction = declaredDirection ?? declaredCode.map { rightToLeftLanguages.contains($0) ? "rtl" : "ltr" }
        return (declaredCode, direction)
    }

    /// "ar-EG" → "ar", "en_US" → "en".
    static func primarySubtag(_ tag: String) -> String {
        String(tag.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first ?? "")
    }

    static let rightToLeftLanguages: Set<String> = ["ar", "fa", "ur", "he", "ps", "ckb", "ku", "yi", "dv", "sd", "ug"]
}
