/// Normalizes the text and titles of records: display form (what users read) and a folded
/// form for matching and deduplication (`ArabicFolding`).
///
/// The display form is Unicode-clean text that keeps its orthography (hamza forms, diacritics,
/// digits as written):
/// - mojibake repaired (`MojibakeRepair`, option `repairMojibake`);
/// - NFC; presentation forms mapped to their letters (`mapPresentationForms`); tatweel removed
///   (`removeTatweel`);
/// - zero-width, bidi and soft-hyphen characters and C0/C1 controls removed;
/// - every space kind (NBSP, thin, ideographic, en/em, tab…) becomes one ASCII space, runs
///   collapse;
/// - line breaks (`\r\n`, `\r`, VT, FF, NEL, U+2028/2029) become `\n`; lines are trimmed and
///   blank lines dropped: one block per line.
///
/// Works on UTF-8 bytes with action tables; runs of unchanged scalars are copied in one piece.
/// Safe to share between tasks.
public struct ArabicNormalizer: Sendable {
    public let options: NormalizationOptions
    private let displayActions: ScalarActions
    private let foldingFastPath: FoldingFastPath

    public init(options: NormalizationOptions = .default) {
        self.options = options
        displayActions = ScalarActions.shared(for: options, folding: false)
        foldingFastPath = FoldingFastPath.shared(for: options)
    }

    /// The display form of `text`.
    public func normalize(_ text: String) -> String {
        NormalizingScanner.run(text, actions: displayActions, repairingMojibake: options.repairMojibake)
    }

    /// The display form and the folded form (`ArabicFolding.fold`) with one display pass.
    public func normalizeAndFold(_ text: String) -> (display: String, folded: String) {
        let display = normalize(text)
        return (display, fold(display: display))
    }

    /// The folded form of a display form. Folding can complete mojibake that the display pass
    /// could not repair (a typographic quote unified, a letter lower-cased); such text is
    /// normalized and folded again, so that folding folded text changes nothing.
    func fold(display: String) -> String {
        completeFold(foldOnce(display))
    }

    /// `fold(display:)` after its first folding pass (`foldOnce`): the rounds for mojibake
    /// that folding completed.
    func completeFold(_ firstPass: FoldingFastPath.Folded) -> String {
        var folded = firstPass
        guard options.repairMojibake else { return folded.text }
        for _ in 0..<4 {
            let suspect = !folded.mojibakeRuledOut
                && (folded.text.utf8.withContiguousStorageIfAvailable(MojibakeRepair.mayContainMojibake) ?? true)
            guard suspect else { break }
            let again = foldOnce(normalize(folded.text))
            if again.text == folded.text { break }
            folded = again
        }
        return folded.text
    }

    /// One folding pass: the fast path, or the scanner for text it leaves (both give the same).
    func foldOnce(_ text: String) -> FoldingFastPath.Folded {
        foldingFastPath.fold(text)
            ?? FoldingFastPath.Folded(text: NormalizingScanner.run(text, actions: foldingFastPath.actions), mojibakeRuledOut: false)
    }
}
