/// The language and writing direction of an article: from its text first (script and
/// function-word evidence), the page's declarations second.
enum PageLanguage {
    static func detect(text: String, declaredLanguage: String?, declaredDirection: String?) -> (code: String?, direction: String?) {
        let detected = LanguageDetector.detect(text: text, declared: declaredLanguage)
        // The text's own script wins over a template's `dir`; a declaration fills in for
        // unknown languages.
        let direction = detected.code != nil ? detected.direction : (declaredDirection ?? detected.direction)
        return (detected.code, direction)
    }
}
