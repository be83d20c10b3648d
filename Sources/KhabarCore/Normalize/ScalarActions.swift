/// What one pass does with each scalar, packed as `kind << 24 | payload` so the hot loop reads a
/// single `UInt32` from a table and compares it with zero (`keep`).
enum ScalarAction {
    enum Kind: UInt32 {
        /// Copied through unchanged.
        case keep = 0
        case drop
        /// Becomes (at most) one ASCII space between words.
        case space
        /// Ends the line.
        case newline
        /// An Arabic-block combining mark (payload: its combining class): kept, then the cluster
        /// it ends is put in NFC by the normalizer's own Arabic composition.
        case arabicMark
        /// Replaced by the payload scalar.
        case replace
        /// Kept, but the line goes through Foundation's NFC at its end (payload: combining class).
        case keepNeedingNFC
        /// Expands to several scalars (presentation forms, the ellipsis, multi-scalar lowercase).
        case expand
        /// Tatweel: dropped where it stretches a word, kept where it stands alone as a dash
        /// ("نيسان ـ قال", an agency dateline).
        case tatweel
    }

    static func make(_ kind: Kind, _ payload: UInt32 = 0) -> UInt32 { kind.rawValue << 24 | payload }

    /// `keep` for the scalars that begin a mojibake signature (Ã Ø Ù Ú Û, ط ظ ع غ), so the
    /// display pass can look closer without leaving its fast path for any other letter.
    static let keepMojibakeLead: UInt32 = 1
    /// Tables only hold actions built by `make`, and the cases are declared in raw-value order
    /// (0–7), so the case index is the raw value: no failable `init(rawValue:)` in the loop.
    @inline(__always)
    static func kind(_ action: UInt32) -> Kind { unsafeBitCast(UInt8(truncatingIfNeeded: action >> 24), to: Kind.self) }
    static func payload(_ action: UInt32) -> UInt32 { action & 0x00FF_FFFF }
}

/// The action tables of one pass (display or folding) under given options. Built once per
/// option set; the default sets are shared.
final class ScalarActions: Sendable {
    let options: NormalizationOptions
    let folding: Bool
    /// U+0000–007F.
    let ascii: [UInt32]
    /// U+0080–07FF (Latin-1, Latin, Greek, Cyrillic, Hebrew, Arabic, Arabic Supplement…).
    let twoByte: [UInt32]
    /// U+2000–206F: the spaces, invisible characters, quotes and dashes of news text.
    let generalPunctuation: [UInt32]
    /// U+FB50–FEFF.
    let presentationForms: [UInt32]

    static let defaultDisplay = ScalarActions(options: .default, folding: false)
    static let defaultFolding = ScalarActions(options: .default, folding: true)

    static func shared(for options: NormalizationOptions, folding: Bool) -> ScalarActions {
        if options == .default { return folding ? defaultFolding : defaultDisplay }
        return ScalarActions(options: options, folding: folding)
    }

    init(options: NormalizationOptions, folding: Bool) {
        self.options = options
        self.folding = folding
        func table(_ range: Range<UInt32>) -> [UInt32] {
            range.map { ScalarActions.computeAction($0, options: options, folding: folding) }
        }
        ascii = table(0..<0x80)
        var twoByte = table(0x80..<0x800)
        if !folding && options.repairMojibake {
            for value in [0xC3, 0xD8, 0xD9, 0xDA, 0xDB, 0x0637, 0x0638, 0x0639, 0x063A] where twoByte[value - 0x80] == 0 {
                twoByte[value - 0x80] = ScalarAction.keepMojibakeLead
            }
        }
        self.twoByte = twoByte
        generalPunctuation = table(0x2000..<0x2070)
        presentationForms = table(0xFB50..<0xFF00)
    }

    /// The action of a scalar of three or four UTF-8 bytes.
    @inline(__always)
    func wideAction(_ value: UInt32) -> UInt32 {
        if value &- 0x2000 < 0x70 { return generalPunctuation[Int(value &- 0x2000)] }
        if value &- 0xFB50 < 0x3B0 { return presentationForms[Int(value &- 0xFB50)] }
        return ScalarActions.computeAction(value, options: options, folding: folding)
    }

    static func computeAction(_ value: UInt32, options: NormalizationOptions, folding: Bool) -> UInt32 {
        // The fixed clean-up.
        switch value {
        case 0x09, 0x20: return ScalarAction.make(.space)
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return ScalarAction.make(.newline)
        case 0x00...0x1F, 0x7F...0x9F: return ScalarAction.make(.drop)
        // Zero-width, bidi and invisible formatting characters (also the Arabic letter mark,
        // the Mongolian vowel separator and the word joiner, which behave the same in text).
        case 0xAD, 0x061C, 0x180E, 0x200B...0x200F, 0x202A...0x202E, 0x2060, 0x2066...0x2069, 0xFEFF:
            return ScalarAction.make(.drop)
        default: break
        }
        guard let scalar = Unicode.Scalar(value) else { return ScalarAction.make(.keep) }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .spaceSeparator: return ScalarAction.make(.space)
        case .lineSeparator, .paragraphSeparator: return ScalarAction.make(.newline)
        default: break
        }
        if value == 0x0640 && options.removeTatweel { return ScalarAction.make(folding ? .drop : .tatweel) }
        if options.mapPresentationForms && ArabicCharacters.isPresentationForm(value)
            && ArabicCharacters.presentationFormDecompositions[value] != nil
        {
            return ScalarAction.make(.expand)
        }
        if folding, let action = foldingAction(value, properties: properties, options: options) {
            return action
        }
        let combiningClass = UInt32(properties.canonicalCombiningClass.rawValue)
        if combiningClass != 0 {
            return (0x0600..<0x0700).contains(value)
                ? ScalarAction.make(.arabicMark, combiningClass)
                : ScalarAction.make(.keepNeedingNFC, combiningClass)
        }
        if mayChangeUnderNFC(value) { return ScalarAction.make(.keepNeedingNFC) }
        return ScalarAction.make(.keep)
    }

    private static func foldingAction(
        _ value: UInt32, properties: Unicode.Scalar.Properties, options: NormalizationOptions
    ) -> UInt32? {
        if options.removeDiacritics && ArabicCharacters.isArabicMark(value) { return ScalarAction.make(.drop) }
        // (`where` would bind to the last pattern of a multi-pattern case only, hence the ifs.)
        if options.foldAlef, [0x0622, 0x0623, 0x0625, 0x0671, 0x0672, 0x0673].contains(value) {
            return ScalarAction.make(.replace, 0x0627)
        }
        if options.foldAlefMaksura, value == 0x0649 { return ScalarAction.make(.replace, 0x064A) }
        if options.foldTaaMarbuta, value == 0x0629 { return ScalarAction.make(.replace, 0x0647) }
        if options.foldDigits, (0x0660...0x0669).contains(value) { return ScalarAction.make(.replace, value - 0x0660 + 0x30) }
        if options.foldDigits, (0x06F0...0x06F9).contains(value) { return ScalarAction.make(.replace, value - 0x06F0 + 0x30) }
        if options.foldPersianLetters, value == 0x06A9 || value == 0x06AA { return ScalarAction.make(.replace, 0x0643) }
        if options.foldPersianLetters, value == 0x06CC { return ScalarAction.make(.replace, 0x064A) }
        switch options.punctuation {
        case .keep: break
        case .unify:
            if value == 0x2026 { return ScalarAction.make(.expand) }
            if let ascii = unifiedPunctuation(value) { return ScalarAction.make(.replace, ascii) }
        case .remove:
            switch properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return ScalarAction.make(.space)
            default: break
            }
        }
        if options.lowercase && properties.changesWhenLowercased {
            let lower = properties.lowercaseMapping.unicodeScalars
            if lower.count == 1, let only = lower.first { return ScalarAction.make(.replace, only.value) }
            return ScalarAction.make(.expand)
        }
        return nil
    }

    /// The ASCII stand-in of a punctuation mark under `.unify`.
    static func unifiedPunctuation(_ value: UInt32) -> UInt32? {
        switch value {
        case 0x060C, 0x066C: return 0x2C  // ، ٬ → ,
        case 0x061B: return 0x3B  // ؛ → ;
        case 0x061F: return 0x3F  // ؟ → ?
        case 0x066A: return 0x25  // ٪ → %
        case 0x066B, 0x06D4: return 0x2E  // ٫ ۔ → .
        case 0x066D: return 0x2A  // ٭ → *
        case 0xAB, 0xBB, 0x201C...0x201F, 0x2033, 0x301D...0x301F, 0xFF02: return 0x22  // « » “ ” „ ‟ ″ → "
        case 0x2018...0x201B, 0x2032, 0x2039, 0x203A, 0xFF07: return 0x27  // ‘ ’ ‚ ‛ ′ ‹ › → '
        case 0x2010...0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D: return 0x2D  // hyphens, dashes, minus → -
        default: return nil
        }
    }

    /// Starters (combining class 0) that NFC may change or compose with what precedes them:
    /// singleton and excluded decompositions and the "Maybe" vowel signs and jamo. None is
    /// Arabic; a line holding one is handed to Foundation's NFC.
    static func mayChangeUnderNFC(_ value: UInt32) -> Bool {
        switch value {
        case 0x0340...0x0344, 0x0374, 0x037E, 0x0387, 0x0958...0x095F, 0x09BE, 0x09D7, 0x09DC, 0x09DD,
            0x09DF, 0x0A33, 0x0A36, 0x0A59...0x0A5B, 0x0A5E, 0x0B3E, 0x0B56, 0x0B57, 0x0B5C, 0x0B5D,
            0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6, 0x0D3E, 0x0D57, 0x0DCF, 0x0DDF, 0x0F43...0x0FB9,
            0x102E, 0x1161...0x1175, 0x11A8...0x11C2, 0x1B35, 0x1F00...0x1FFF, 0x2126, 0x212A, 0x212B,
            0x2329, 0x232A, 0x2ADC, 0xF900...0xFAFF, 0xFB1D...0xFB4F, 0x110BA, 0x11127, 0x1133E,
            0x11357, 0x114B0, 0x114BA, 0x114BD, 0x115AF, 0x11930, 0x1D15E...0x1D164, 0x1D1BB...0x1D1C0,
            0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
