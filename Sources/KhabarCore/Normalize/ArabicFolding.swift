/// The folded form of text, for matching and deduplication: the display form
/// (`ArabicNormalizer`) with diacritics removed, alef, alef maksura, taa marbuta, digits and
/// Persian letter variants folded, punctuation unified and letters lower-cased, as chosen by
/// `NormalizationOptions` (defaults: all on, punctuation `.unify`). Lines are kept; spaces left
/// by removed characters collapse.
///
/// Example (defaults): "إِنَّ المُدرّسةَ «الأولى» ٢٠٢٤؟" → "ان المدرسه \"الاولي\" 2024?".
public struct ArabicFolding: Sendable {
    public let options: NormalizationOptions
    private let normalizer: ArabicNormalizer

    public init(options: NormalizationOptions = .default) {
        self.options = options
        normalizer = ArabicNormalizer(options: options)
    }

    /// The folded form of any text.
    public func fold(_ text: String) -> String {
        foldNormalized(normalizer.normalize(text))
    }

    /// The folded form of text that already is `ArabicNormalizer`'s output under the same
    /// options (skips the display pass).
    public func foldNormalized(_ normalized: String) -> String {
        normalizer.fold(display: normalized)
    }

    /// The folded form under the default options.
    public static func fold(_ text: String) -> String {
        ArabicFolding().fold(text)
    }
}
