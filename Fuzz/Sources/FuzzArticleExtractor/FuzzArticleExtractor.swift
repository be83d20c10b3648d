import FuzzSupport
import KhabarCore

/// `ArticleExtractor` (HTML cleaner plus metadata): the input is a page's bytes.
///
/// An extracted article has text: valid UTF-8, no control characters but `\n`, no blank lines
/// or untrimmed lines; single-line metadata fields without control characters; canonical URL
/// and image absolute http(s); dates in range; `dir` rtl/ltr; a plausible word count.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let html = Invariant.bytes(data, size)
    switch ArticleExtractor().extract(html: html, url: "https://news.example.com/2024/05/article.html") {
    case .failure:
        break
    case .success(let article):
        Invariant.check(!article.text.isEmpty, "empty article text")
        Invariant.checkCleanText(article.text, "text", newlines: true)
        for line in article.text.split(separator: "\n", omittingEmptySubsequences: false) {
            Invariant.check(!line.isEmpty, "text: blank line in \(Invariant.debug(article.text))")
            // Scalars, not Characters: a space followed by a combining mark is one Character
            // that counts as whitespace, but the mark is text.
            Invariant.check(line.unicodeScalars.first?.properties.isWhitespace != true
                            && line.unicodeScalars.last?.properties.isWhitespace != true,
                            "text: line not trimmed: \(Invariant.debug(String(line)))")
        }
        for (field, value) in [("title", article.title), ("author", article.author), ("site_name", article.siteName), ("description", article.description)] {
            if let value {
                Invariant.checkCleanText(value, field)
                Invariant.check(!value.isEmpty, "\(field): empty string instead of null")
            }
        }
        for tag in article.tags { Invariant.checkCleanText(tag, "tags") }
        if let url = article.canonicalURL { Invariant.checkWebURL(url, "canonical_url") }
        if let image = article.image { Invariant.checkWebURL(image, "image") }
        if let date = article.publishedAt { Invariant.checkISODate(date, "published_at") }
        if let date = article.modifiedAt { Invariant.checkISODate(date, "modified_at") }
        Invariant.check(article.dir == nil || article.dir == "rtl" || article.dir == "ltr", "dir \(article.dir ?? "")")
        if let lang = article.lang {
            // ISO 639-1, or a three-letter code where a declared language has none ("ckb").
            Invariant.check((2...3).contains(lang.utf8.count) && lang.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A }, "lang \(Invariant.debug(lang))")
        }
        Invariant.check(article.wordCount >= 0 && article.wordCount <= article.text.utf8.count, "word_count \(article.wordCount)")
    }
    return 0
}
