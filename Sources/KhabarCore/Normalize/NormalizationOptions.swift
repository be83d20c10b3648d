/// Which rules `ArabicNormalizer` and `ArabicFolding` apply beyond the fixed Unicode clean-up.
///
/// The clean-up itself is not optional: NFC; zero-width, bidi and C0/C1 control characters
/// removed; every space kind becomes U+0020 and runs collapse; line breaks unify to `\n`; lines
/// are trimmed and blank lines dropped.
///
/// Keys (all optional; a missing key keeps its default). The YAML configuration names them in
/// snake_case under `normalize:` (`repair_mojibake`, …, `punctuation`, `lowercase`; read by
/// `KhabarConfiguration`); `Codable` uses the names below.
/// - `repairMojibake` (bool, default `true`): display. Repairs UTF-8 Arabic that was decoded
///   as windows-1256, windows-1252 or Latin-1 (also twice), see `MojibakeRepair`.
/// - `mapPresentationForms` (bool, default `true`): display. Arabic presentation forms
///   (U+FB50–FDFF, U+FE70–FEFE) become their compatibility decompositions (ﻻ → لا, ﷲ → الله).
/// - `removeTatweel` (bool, default `true`): display. Removes the kashida ـ (U+0640).
/// - `removeDiacritics` (bool, default `true`): folding. Removes harakat, tanwin, shadda, sukun,
///   superscript alef (U+0670), the combining hamza and madda, and Quranic annotation marks.
/// - `foldAlef` (bool, default `true`): folding. أ إ آ ٱ ٲ ٳ → ا.
/// - `foldAlefMaksura` (bool, default `true`): folding. ى → ي.
/// - `foldTaaMarbuta` (bool, default `true`): folding. ة → ه.
/// - `foldDigits` (bool, default `true`): folding. Arabic-Indic (٠–٩) and Persian (۰–۹) digits
///   → ASCII.
/// - `foldPersianLetters` (bool, default `true`): folding. Persian/Urdu keyboard variants:
///   ک ڪ → ك, ی → ي.
/// - `punctuation` (`keep` | `unify` | `remove`, default `unify`): folding. `unify` maps Arabic
///   comma, semicolon, question mark, percent and decimal marks, typographic quotes, guillemets,
///   dashes and the ellipsis to ASCII; `remove` turns every punctuation character (Unicode
///   category P*) into a space.
/// - `lowercase` (bool, default `true`): folding. Lower-cases cased letters (Latin and others).
///
/// The folding profile follows the spirit of Lucene's ArabicNormalizer and CAMeL Tools'
/// `dediac_ar` + `normalize_alef_ar` + `normalize_alef_maksura_ar` + `normalize_teh_marbuta_ar`.
public struct NormalizationOptions: Sendable, Hashable, Codable {
    /// How folding treats punctuation.
    public enum Punctuation: String, Sendable, Hashable, Codable, CaseIterable {
        case keep
        case unify
        case remove
    }

    public var repairMojibake: Bool
    public var mapPresentationForms: Bool
    public var removeTatweel: Bool
    public var removeDiacritics: Bool
    public var foldAlef: Bool
    public var foldAlefMaksura: Bool
    public var foldTaaMarbuta: Bool
    public var foldDigits: Bool
    public var foldPersianLetters: Bool
    public var punctuation: Punctuation
    public var lowercase: Bool

    public init(
        repairMojibake: Bool = true,
        mapPresentationForms: Bool = true,
        removeTatweel: Bool = true,
        removeDiacritics: Bool = true,
        foldAlef: Bool = true,
        foldAlefMaksura: Bool = true,
        foldTaaMarbuta: Bool = true,
        foldDigits: Bool = true,
        foldPersianLetters: Bool = true,
        punctuation: Punctuation = .unify,
        lowercase: Bool = true
    ) {
        self.repairMojibake = repairMojibake
        self.mapPresentationForms = mapPresentationForms
        self.removeTatweel = removeTatweel
        self.removeDiacritics = removeDiacritics
        self.foldAlef = foldAlef
        self.foldAlefMaksura = foldAlefMaksura
        self.foldTaaMarbuta = foldTaaMarbuta
        self.foldDigits = foldDigits
        self.foldPersianLetters = foldPersianLetters
        self.punctuation = punctuation
        self.lowercase = lowercase
    }

    /// Every rule at its documented default.
    public static let `default` = NormalizationOptions()

    private enum CodingKeys: String, CodingKey {
        case repairMojibake, mapPresentationForms, removeTatweel, removeDiacritics, foldAlef
        case foldAlefMaksura, foldTaaMarbuta, foldDigits, foldPersianLetters, punctuation, lowercase
    }

    /// Missing keys keep their defaults, so a config file names only what it changes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = NormalizationOptions.default
        func flag(_ key: CodingKeys, _ fallback: Bool) throws -> Bool {
            try container.decodeIfPresent(Bool.self, forKey: key) ?? fallback
        }
        self.init(
            repairMojibake: try flag(.repairMojibake, defaults.repairMojibake),
            mapPresentationForms: try flag(.mapPresentationForms, defaults.mapPresentationForms),
            removeTatweel: try flag(.removeTatweel, defaults.removeTatweel),
            removeDiacritics: try flag(.removeDiacritics, defaults.removeDiacritics),
            foldAlef: try flag(.foldAlef, defaults.foldAlef),
            foldAlefMaksura: try flag(.foldAlefMaksura, defaults.foldAlefMaksura),
            foldTaaMarbuta: try flag(.foldTaaMarbuta, defaults.foldTaaMarbuta),
            foldDigits: try flag(.foldDigits, defaults.foldDigits),
            foldPersianLetters: try flag(.foldPersianLetters, defaults.foldPersianLetters),
            punctuation: try container.decodeIfPresent(Punctuation.self, forKey: .punctuation)
                ?? defaults.punctuation,
            lowercase: try flag(.lowercase, defaults.lowercase)
        )
    }
}
