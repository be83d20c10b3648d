import FuzzSupport
import KhabarCore

/// `ArabicNormalizer`, `ArabicFolding` and `TextCleaner`.
///
/// Under the default options and under options picked by the first two input bytes:
/// normalizing and folding are idempotent, `foldNormalized(normalize(x)) == fold(x)`,
/// `normalizeAndFold` agrees with both, and the display form is clean (no controls other than
/// `\n`, no zero-width or bidi characters, no blank lines, no spaces at line ends or in runs).
/// The text cleaner's text is already normalized, its folded text (written by its line scan)
/// is the fold of its text, its title and author are clean single lines and its date is in range.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = Invariant.text(data, size)
    checkNormalization(text, options: .default)
    checkCleanerFolding(text, options: .default)
    if size >= 2 {
        let bits = Int(data[0]) | Int(data[1]) << 8
        let options = NormalizationOptions(
            repairMojibake: bits & 1 != 0, mapPresentationForms: bits & 2 != 0, removeTatweel: bits & 4 != 0,
            removeDiacritics: bits & 8 != 0, foldAlef: bits & 16 != 0, foldAlefMaksura: bits & 32 != 0,
            foldTaaMarbuta: bits & 64 != 0, foldDigits: bits & 128 != 0, foldPersianLetters: bits & 256 != 0,
            punctuation: NormalizationOptions.Punctuation.allCases[(bits >> 9) % 3], lowercase: bits & 2048 != 0)
        checkNormalization(text, options: options)
        checkCleanerFolding(text, options: options)
    }

    let cleaned = TextCleaner().clean(text)
    checkDisplayForm(cleaned.text, "TextCleaner.text")
    Invariant.check(ArabicNormalizer().normalize(cleaned.text) == cleaned.text,
                    "TextCleaner.text is not normalized: \(Invariant.debug(cleaned.text))")
    if let title = cleaned.title { Invariant.checkCleanText(title, "TextCleaner.title") }
    if let author = cleaned.author { Invariant.checkCleanText(author, "TextCleaner.author") }
    if let site = cleaned.siteName { Invariant.checkCleanText(site, "TextCleaner.siteName") }
    if let date = cleaned.publishedAt { Invariant.checkISODate(date, "TextCleaner.publishedAt") }
    return 0
}

/// `clean(folding: true)` folds on the way what `foldNormalized` folds from the text.
func checkCleanerFolding(_ text: String, options: NormalizationOptions) {
    let cleaned = TextCleaner(options: options).clean(text, folding: true)
    let expected = ArabicFolding(options: options).foldNormalized(cleaned.text)
    Invariant.check(
        cleaned.foldedText == expected,
        "TextCleaner.foldedText (\(options)) \(Invariant.debug(cleaned.foldedText ?? "nil")) != fold of its text \(Invariant.debug(expected))")
}

func checkNormalization(_ text: String, options: NormalizationOptions) {
    let normalizer = ArabicNormalizer(options: options)
    let folding = ArabicFolding(options: options)
    let display = normalizer.normalize(text)
    checkDisplayForm(display, "normalize")
    let again = normalizer.normalize(display)
    Invariant.check(again == display, "normalize is not idempotent (\(options)):\n  once:  \(Invariant.debug(display))\n  twice: \(Invariant.debug(again))")

    let folded = folding.fold(text)
    checkDisplayForm(folded, "fold")
    let foldedAgain = folding.fold(folded)
    Invariant.check(foldedAgain == folded, "fold is not idempotent (\(options)):\n  once:  \(Invariant.debug(folded))\n  twice: \(Invariant.debug(foldedAgain))")
    let viaDisplay = folding.foldNormalized(display)
    Invariant.check(viaDisplay == folded, "foldNormalized(normalize(x)) \(Invariant.debug(viaDisplay)) != fold(x) \(Invariant.debug(folded))")
    let both = normalizer.normalizeAndFold(text)
    Invariant.check(both.display == display && both.folded == folded, "normalizeAndFold disagrees with normalize/fold")
}

/// No controls other than `\n`; no zero-width, bidi or BOM characters; no blank lines, no
/// spaces at either end of a line, no runs of spaces.
func checkDisplayForm(_ text: String, _ field: String) {
    Invariant.checkCleanText(text, field, newlines: true)
    for scalar in text.unicodeScalars {
        switch scalar.value {
        case 0x200B...0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF, 0x00AD, 0x2028, 0x2029:
            Invariant.fail("\(field): invisible or bidi character U+\(String(scalar.value, radix: 16, uppercase: true)) in \(Invariant.debug(text))")
        default: continue
        }
    }
    if text.isEmpty { return }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        Invariant.check(!line.isEmpty, "\(field): blank line in \(Invariant.debug(text))")
        Invariant.check(line.first != " " && line.last != " ", "\(field): line not trimmed: \(Invariant.debug(String(line)))")
        Invariant.check(!line.contains("  "), "\(field): run of spaces in \(Invariant.debug(String(line)))")
    }
}
